"""The renderer of a page: every collection at once (a page may hold several)."""

from __future__ import annotations

from sphinx_briefing.render.bibliography import BibliographyRenderer
from sphinx_briefing.render.brief import BriefRenderer
from sphinx_briefing.render.index import IndexRenderer
from sphinx_briefing.render.matrix import MatrixRenderer


class CollectionRenderer(IndexRenderer, BibliographyRenderer, MatrixRenderer, BriefRenderer):
    """What the page filler asks for: boxes' headers, question indexes, bibliographies,
    position matrices, runs of show, the pack and briefs."""
