extensions = ['sphinx_briefing']
exclude_patterns = ['_build']
