extensions = ['myst_parser', 'sphinx_briefing']
myst_enable_extensions = ['colon_fence']
exclude_patterns = ['_build']
bibtex_bibfiles = ['refs.bib']  # sphinxcontrib-bibtex's name works as well
