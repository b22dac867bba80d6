extensions = ['myst_parser', 'sphinx_briefing']
myst_enable_extensions = ['colon_fence']
exclude_patterns = ['_build']
