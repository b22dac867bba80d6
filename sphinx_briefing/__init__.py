"""Sphinx extension for discussion briefing books: panels, participants, questions,
stakeholder positions and citations, collected into question indexes, position matrices,
runs of show and panellist briefs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

__version__ = '0.1.0'


def setup(app: Sphinx) -> ExtensionMetadata:
    # Imported lazily so that `import sphinx_briefing` (e.g. for __version__) stays cheap.
    from sphinx_briefing._setup import setup_extension

    return setup_extension(app)
