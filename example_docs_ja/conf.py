"""Configuration of the Japanese edition of the example briefing book: the DSEI Japan 2019
panel on intellectual property and export management (participants fictional, facts from its
bibliography). The English book is example_docs/; this one has the same ids, citations and
facts, with the prose in Japanese."""

project = 'DSEI Japan 2019 知的財産・輸出管理'
author = '例示用シンクタンク（架空）'
copyright = '2019, 例示用シンクタンク（架空）'
language = 'ja'

extensions = ['myst_parser', 'sphinx_briefing']
myst_enable_extensions = ['colon_fence']
exclude_patterns = ['_build']

html_theme = 'alabaster'
html_title = '知的財産・輸出管理：ブリーフィング資料'

# Citations: the panel's bibliography (the same English .bib as example_docs/), in Chicago
# author-date (the default style).
briefing_bibfiles = ['seed-panel.bib']
briefing_citation_style = 'chicago-author-date'

# PDF (sphinx-build -M latexpdf): an A4 book, chapters on any page, and one PDF per
# panellist's brief beside it (brief-<participant>.pdf). The LaTeX engine is Sphinx's
# default for Japanese (not set here).
latex_elements = {
    'papersize': 'a4paper',
    'pointsize': '10pt',
    'extraclassoptions': 'openany,oneside',
    # Sphinx names the contents after the first toctree's caption; this book has several.
    # Japanese builds run without babel, so the name is set directly (not via \captions…).
    'preamble': r'\renewcommand{\contentsname}{目次}',
}
briefing_latex_briefs = True
