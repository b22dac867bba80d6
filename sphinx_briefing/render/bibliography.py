"""Bibliographies: the entries a bibliography lists, formatted, with links back to where
they are cited."""

from __future__ import annotations

from docutils import nodes

from sphinx_briefing.citations.compat import as_list, enumeration_start
from sphinx_briefing.derive import (
    BACKLINKS,
)
from sphinx_briefing.locale import _
from sphinx_briefing.model import Placeholder
from sphinx_briefing.render.common import joined, text
from sphinx_briefing.render.page import PageRenderer


class BibliographyRenderer(PageRenderer):
    """Adds bibliographies."""

    def bibliography(self, ph: Placeholder) -> list[nodes.Node]:
        where = (ph.docname, ph.anchor)
        keys = self.derived.bibliographies.get(where, ())
        if not keys:
            return [nodes.paragraph(_('No sources.'), _('No sources.'), classes=['briefing-empty'])]
        result: list[nodes.Node] = []
        for key in keys:
            entry = nodes.paragraph(classes=['briefing-bib-entry'])
            entry += nodes.target('', '', ids=[self.derived.entry_anchor(where, key)])
            entry.extend(self.entry(key))
            places = self.derived.cited_in.get(key, ())
            if places:
                back = nodes.inline(classes=['briefing-cited-in'])
                back += nodes.Text(' ↩ ')
                back.extend(
                    joined(
                        self.link(doc, anchor, text(self.derived.titles.get(doc, doc)))
                        for doc, anchor in places[:BACKLINKS]
                    )
                )
                if len(places) > BACKLINKS:
                    back += nodes.Text(' ' + _('and %d more') % (len(places) - BACKLINKS))
                entry += back
            result.append(entry)
        start = enumeration_start(where, self.derived.placeholders, self.derived.bibliographies)
        return [as_list(result, ph.list_type, ph.enumtype, start)]
