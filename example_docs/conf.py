"""Configuration of the example briefing book: the DSEI Japan 2019 panel on intellectual
property and export management (participants fictional, facts from its bibliography)."""

project = 'DSEI Japan 2019 — Intellectual Property – Export Management'
author = 'Example Think Tank (fictional)'
copyright = '2019, Example Think Tank (fictional)'
language = 'en'

extensions = ['myst_parser', 'sphinx_briefing']
myst_enable_extensions = ['colon_fence']
exclude_patterns = ['_build']

html_theme = 'alabaster'
html_title = 'IP – Export Management: briefing book'

# Citations: the panel's bibliography, in Chicago author-date (the default style).
briefing_bibfiles = ['seed-panel.bib']
briefing_citation_style = 'chicago-author-date'

# PDF (sphinx-build -M latexpdf): an A4 book, chapters on any page, and one PDF per
# panellist's brief beside it (brief-<participant>.pdf).
latex_elements = {
    'papersize': 'a4paper',
    'pointsize': '10pt',
    'extraclassoptions': 'openany,oneside',
    # Sphinx names the contents after the first toctree's caption; this book has several.
    'preamble': r'\ifdefined\captionsenglish'
    r'\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}\fi',
}
briefing_latex_briefs = True
