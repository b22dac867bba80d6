"""``python -m sphinx_briefing new DIR``: see :mod:`sphinx_briefing.starter`."""

import sys

from sphinx_briefing.starter import main

sys.exit(main())
