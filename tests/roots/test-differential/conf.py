project = 'Differential'
extensions = ['myst_parser', 'sphinx_briefing']
myst_enable_extensions = ['colon_fence']
exclude_patterns = ['_build']
briefing_bibfiles = ['refs.bib']
briefing_status = 'draft'
briefing_latex_briefs = True
