"""Copies of authors' bodies (a question's text, a position's summary) for pages that
show them elsewhere, such as a panellist's brief.

Bodies stay in the doctrees, not in the environment: a fresh copy is unpickled from the
source document at write time, its references are resolved for the page it lands on, and
its ids are dropped so that anchors stay unique (the copy is not the object).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import new_document

from sphinx_briefing import nodes as bnodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: set on the throw-away documents, so the write-phase filler leaves them alone
FRAGMENT_FLAG = 'briefing_fragment'


class Fragments:
    """Bodies of boxes, copied for one page (*fromdocname*)."""

    def __init__(
        self,
        app: Sphinx,
        fromdocname: str,
        fill: Callable[[nodes.document, str], None],
    ) -> None:
        self.app = app
        self.fromdocname = fromdocname
        self.fill = fill  # adds headers to boxes inside the copy (counter-arguments)
        self._trees: dict[str, nodes.document] = {}

    def _tree(self, docname: str) -> nodes.document:
        if docname not in self._trees:
            self._trees[docname] = self.app.env.get_doctree(docname)
        return self._trees[docname]

    def body(
        self,
        docname: str,
        anchor: str,
        *,
        keep: tuple[type[bnodes.briefing_box], ...] = (bnodes.briefing_counter_argument,),
    ) -> list[nodes.Node]:
        """The author's content of the box with id *anchor*, without nested boxes other
        than *keep* (follow-ups and positions are shown on their own; moderator notes
        never travel)."""
        box = next(
            (
                node
                for node in self._tree(docname).findall(bnodes.briefing_box)
                if anchor in node['ids']
            ),
            None,
        )
        if box is None:
            return []
        document = new_document('', self._tree(docname).settings)
        document[FRAGMENT_FLAG] = True
        for child in box.children:
            if isinstance(child, bnodes.briefing_box) and not isinstance(child, keep):
                continue
            document += child.deepcopy()
        for node in list(document.findall(nodes.Element)):
            if isinstance(node, bnodes.briefing_citation) and node['ids']:
                # Its formatted text is found by the original's id; the copy has none.
                node['source_anchor'] = node['ids'][0]
            node['ids'] = []
            if isinstance(node, addnodes.pending_xref):
                node['refdoc'] = self.fromdocname
        for note in list(document.findall(bnodes.briefing_moderator_note)):
            note.parent.remove(note)
        self.app.env.resolve_references(document, self.fromdocname, self.app.builder)
        self.fill(document, self.fromdocname)
        return list(document.children)
