"""The extension's message catalogue: every generated label goes through ``_``."""

from __future__ import annotations

from pathlib import Path

from sphinx.locale import get_translation

MESSAGE_CATALOG_NAME = 'sphinx_briefing'
LOCALE_DIR = Path(__file__).parent / 'locales'

#: translates at the time the string is used, so the project's ``language`` applies
_ = get_translation(MESSAGE_CATALOG_NAME)
