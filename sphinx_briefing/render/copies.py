"""Bodies of questions and positions shown again on another page (a panellist's brief).

A copy is the original's own nodes, taken from its document's doctree as read (its
references not yet resolved), so that nothing is lost on the way: definition lists,
titled admonitions, code with its language, tables, figures, maths, footnotes. What must
differ on the page that shows it:

- ids: every id of the copy gets a prefix unique in the project, and every reference to it
  inside the copy follows; a footnote that the body refers to comes along, after it.
  Numbered things (figures, tables, equations) keep no number: the number is the
  original's, looked up by its id.
- references: resolved from the page the copy is on (``refdoc``), and never warned about
  twice (``briefing_copy``: the original was warned about).
- boxes and citations: they make their links from the page (``docname``, ``page``); a
  citation is found by its original's id (``source_anchor``).

What the copy shows is part of the record (:func:`body_digest`), so a page that shows it
is written again when it changes (see :mod:`sphinx_briefing.reads`).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections import Counter
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.ids import doc_slug

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

#: nested boxes a body does not include: a brief shows them on their own
_NOT_OWN = (
    bnodes.briefing_question,
    bnodes.briefing_position,
    bnodes.briefing_moderator_note,
    bnodes.briefing_placeholder,
)

#: attributes that hold ids of other nodes
_REFERRING = ('refid', 'backrefs')


def own_content(box: nodes.Element) -> list[nodes.Node]:
    """The box's own content: nested questions, positions and moderator notes are shown
    apart (counter-arguments are part of a position's body)."""
    return [child for child in box.children if not isinstance(child, _NOT_OWN)]


def body_digest(box: nodes.Element) -> str:
    """A digest of everything a copy of the box's body shows, kept in its record."""
    content = ''.join(child.pformat() for child in own_content(box))
    return hashlib.blake2b(content.encode('utf-8'), digest_size=16).hexdigest()


class SourceBoxes:
    """What copies are made from: each box's own content and the footnotes it refers to,
    pickled, for every document a copy was asked of in this build.

    Briefs of many panels are written in the order of their names, so a brief seldom
    follows another that copied from the same documents; unpickling a whole doctree for
    every brief cost more than the copies themselves. Each document's doctree is unpickled
    once a build instead, and a copy is made by unpickling the box's own few nodes (which
    is a deep copy too). Made for one build's write phase: doctrees do not change in it.
    """

    def __init__(self, env: BuildEnvironment) -> None:
        self.env = env
        #: document → (box id → its pickled copy, question id → its moderator's notes' ids)
        self._documents: dict[str, tuple[dict[str, bytes], dict[str, tuple[str, ...]]]] = {}

    def _document(self, docname: str) -> tuple[dict[str, bytes], dict[str, tuple[str, ...]]]:
        found = self._documents.get(docname)
        if found is None:
            found = self._documents[docname] = self._pickled_boxes(docname)
        return found

    def copy(self, docname: str, anchor: str) -> list[nodes.Node] | None:
        """A fresh copy of the box's content and the footnotes it refers to from outside
        it (those last), or None when the document or the box is gone."""
        found = self._document(docname)[0].get(anchor)
        return None if found is None else list(pickle.loads(found))

    def note_ids(self, docname: str, anchor: str) -> tuple[str, ...]:
        """The ids of the moderator's notes written directly in the question *anchor*."""
        return self._document(docname)[1].get(anchor, ())

    def _pickled_boxes(self, docname: str) -> tuple[dict[str, bytes], dict[str, tuple[str, ...]]]:
        try:
            doctree = self.env.get_doctree(docname)
        except Exception:  # a document that went away: show nothing of it
            return {}, {}
        result: dict[str, bytes] = {}
        notes: dict[str, tuple[str, ...]] = {}
        for box in doctree.findall(bnodes.briefing_box):
            if isinstance(box, bnodes.briefing_question):
                ids = tuple(note['ids'][0] for note in moderator_notes(box) if note['ids'])
                notes.update((id_, ids) for id_ in box['ids'])
            own = own_content(box)
            inside = {id_ for node in own for id_ in _all_ids(node)}
            # Footnotes the body refers to that live elsewhere in the document come along.
            footnotes: list[nodes.Node] = []
            for node in own:
                for ref in node.findall(nodes.footnote_reference):
                    target = doctree.ids.get(ref.get('refid', ''))
                    if isinstance(target, nodes.footnote) and target['ids'][0] not in inside:
                        inside.update(_all_ids(target))
                        footnotes.append(target)
            detached = [node.deepcopy() for node in (*own, *footnotes)]
            for root in detached:
                for node in root.findall():
                    # A copy keeps a link to its original's document (text nodes too):
                    # pickled with it, each box would carry the whole doctree. Its
                    # page's is found through its parent once it is placed.
                    vars(node).pop('_document', None)
            for id_ in box['ids']:
                result[id_] = pickle.dumps(detached, protocol=pickle.HIGHEST_PROTOCOL)
        return result, notes


def moderator_notes(box: nodes.Element) -> list[nodes.Element]:
    """The moderator's notes written directly in a question (not in its follow-ups)."""
    return [child for child in box.children if isinstance(child, bnodes.briefing_moderator_note)]


def note_digest(box: nodes.Element) -> str:
    """A digest of the moderator's notes of a question ('' when it has none)."""
    notes = moderator_notes(box)
    if not notes:
        return ''
    content = ''.join(child.pformat() for note in notes for child in own_content(note))
    return hashlib.blake2b(content.encode('utf-8'), digest_size=16).hexdigest()


class Copier:
    """Makes the copies shown on one page (*page*), each with ids of its own."""

    def __init__(self, boxes: SourceBoxes, page: str) -> None:
        self.page = page
        self.shown: Counter[str] = Counter()  # anchor → copies of it on the page so far
        self._boxes = boxes

    def body(self, docname: str, anchor: str) -> list[nodes.Node]:
        """A copy of the body of the box *anchor* of *docname*, for this page."""
        result = self._boxes.copy(docname, anchor)
        if result is None:
            return []
        # Named after the page and the original (both unique in the project: singlehtml
        # shows every brief on one page), not after the copy's place on the page, which
        # moves when questions are added elsewhere.
        self.shown[anchor] += 1
        again = f'-{self.shown[anchor]}' if self.shown[anchor] > 1 else ''
        prefix = f'copy-{doc_slug(self.page)}-{anchor}{again}-'
        inside = {id_ for node in result for id_ in _all_ids(node)}
        for node in result:
            self._adapt(node, prefix, inside)
        return result

    def notes(self, docname: str, anchor: str) -> list[list[nodes.Node]]:
        """Copies of the bodies of the moderator's notes of the question *anchor*."""
        return [self.body(docname, id_) for id_ in self._boxes.note_ids(docname, anchor)]

    def _adapt(self, root: nodes.Node, prefix: str, inside: set[str]) -> None:
        for node in root.findall(nodes.Element):
            if node['ids']:
                node['ids'] = [prefix + id_ for id_ in node['ids']]
            for name in _REFERRING:
                value = node.get(name)
                if isinstance(value, str) and value in inside:
                    node[name] = prefix + value
                elif isinstance(value, list):
                    node[name] = [prefix + v if v in inside else v for v in value]
            if isinstance(node, addnodes.pending_xref):
                node['refdoc'] = self.page
                node['briefing_copy'] = True
                # Every handler of 'warn-missing-reference' runs (the standard domain's
                # warns about {ref} whatever the others say): the copy asks for none.
                node['refwarn'] = False
            elif isinstance(node, bnodes.briefing_citation):
                # Found by its original's id; links are made from the page.
                if not node.get('source_anchor') and node['ids']:
                    node['source_anchor'] = node['ids'][0][len(prefix) :]
                node['ids'] = []
                node['page'] = self.page
            elif isinstance(node, bnodes.briefing_box):
                node['docname'] = self.page
            elif isinstance(node, nodes.math_block):
                node['number'] = None
                node['label'] = None
                node['docname'] = self.page


class QuietCopies(logging.Filter):
    """Drops a warning about a copy's reference (``briefing_copy``) on a logger whose
    warnings ignore ``refwarn``: MyST's resolver warns about ``[](#target)`` whatever the
    node says, and the original was warned about already."""

    def filter(self, record: logging.LogRecord) -> bool:
        location = getattr(record, 'location', None)
        return not (isinstance(location, nodes.Element) and location.get('briefing_copy'))


#: loggers of resolvers that warn about every reference they cannot resolve
UNQUIET_LOGGERS = ('sphinx.myst_parser.sphinx_ext.myst_refs',)
_quiet = QuietCopies()


def quieten_resolvers() -> None:
    for name in UNQUIET_LOGGERS:
        logging.getLogger(name).addFilter(_quiet)  # the same filter is added only once


def _all_ids(node: nodes.Node) -> set[str]:
    return {id_ for element in node.findall(nodes.Element) for id_ in element['ids']}
