"""Citation roles (sphinxcontrib-bibtex's syntax) and the ``bibliography`` directive.

Roles record what is cited and where, nothing else; the citations are formatted once per
build, in reading order, by :mod:`sphinx_briefing.citations.step`, and written into the pages
at write time. No docutils ``citation`` nodes are made: Sphinx's LaTeX builder would move
them all to one bibliography at the end of the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Set
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.transforms.references import Footnotes
from sphinx.domains import Domain
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import make_id

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.citations.citeproc import CiteMode, CiteprocError, note_style
from sphinx_briefing.directives import PlaceholderDirective, comma_list
from sphinx_briefing.locale import __
from sphinx_briefing.warnings_ import Subtype

if TYPE_CHECKING:
    from docutils.nodes import Node, system_message
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import OptionSpec

#: role name → (how pandoc formats it, every author, capitalised); as documented by
#: sphinxcontrib-bibtex: p (Jones 2018), t Jones (2018), s = all authors, c = capital
#: first letter, alp = without brackets, author(s), year, yearpar, text = whole entry,
#: empty = into the bibliography without a mark in the text.
FORMS: dict[str, tuple[CiteMode, bool, bool]] = {
    'p': ('normal', False, False),
    'ps': ('normal', True, False),
    't': ('author-in-text', False, False),
    'ts': ('author-in-text', True, False),
    'ct': ('author-in-text', False, True),
    'cts': ('author-in-text', True, True),
    'alp': ('bare', False, False),
    'alps': ('bare', True, False),
    'author': ('author', False, False),
    'authors': ('author', True, False),
    'cauthor': ('author', False, True),
    'cauthors': ('author', True, True),
    'year': ('year', False, False),
    'yearpar': ('suppress-author', False, False),
    'text': ('entry', False, False),
    'texts': ('entry', True, False),
    'ctext': ('entry', False, True),
    'ctexts': ('entry', True, True),
    'empty': ('nocite', False, False),
    # a position's :sources:, formatted like cite:p
    'sources': ('normal', False, False),
}

_ITEM = re.compile(
    r'^\s*(?:\{(?P<pre>[^{}]*)\})?\s*(?P<key>[^\s{},]+)\s*(?:\{(?P<post>[^{}]*)\})?\s*$'
)


def parse_items(text: str) -> list[tuple[str, str, str]] | None:
    """``{see}a{p. 12}, b`` → [('see', 'a', 'p. 12'), ('', 'b', '')]; None if malformed."""
    parts: list[str] = []
    depth = 0
    current = ''
    for char in text:
        depth += char == '{'
        depth -= char == '}'
        if char == ',' and depth == 0:
            parts.append(current)
            current = ''
        else:
            current += char
    parts.append(current)
    items = []
    for part in parts:
        match = _ITEM.match(part)
        if match is None:
            return None
        items.append((match['pre'] or '', match['key'], match['post'] or ''))
    return items


class CiteRole(SphinxRole):
    """``{cite:p}`key``` and the other forms: records keys and notes on a node."""

    def __init__(self, form: str) -> None:
        super().__init__()
        self.form = form

    def run(self) -> tuple[list[Node], list[system_message]]:
        items = parse_items(self.text)
        node = bnodes.briefing_citation(self.rawtext, self.text, classes=['briefing-cite'])
        node['ids'] = [make_id(self.env, self.inliner.document, 'cite')]
        node['docname'] = self.env.docname
        node['form'] = self.form
        node['line'] = self.lineno
        self.set_source_info(node)
        if not items:
            from sphinx_briefing.warnings_ import warn

            warn(
                __('cannot read the citation %r: write key, key2 or {pre}key{post}') % self.text,
                Subtype.UNKNOWN_CITATION,
                location=(self.env.docname, self.lineno),
            )
            items = []
        node['keys'] = [key for _pre, key, _post in items]
        node['prefixes'] = [pre for pre, _key, _post in items]
        node['suffixes'] = [post for _pre, _key, post in items]
        return [node], []


class BibliographyDirective(PlaceholderDirective):
    """``bibliography``: the cited works, formatted in the project's style, in place
    (also in the PDF)."""

    anchor_prefix = 'bibliography'
    node_class = bnodes.briefing_bibliography
    option_spec: ClassVar[OptionSpec] = {
        'all': directives.flag,
        'cited': directives.flag,
        'notcited': directives.flag,
        'filter': directives.unchanged,
        'keywords': directives.unchanged,
        'audience': directives.unchanged,
    }

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_note()
        node = self.new_placeholder()
        scope = 'project'
        if 'all' in self.options:
            scope = 'all'
        elif 'notcited' in self.options:
            scope = 'notcited'
        filter_ = ' '.join(str(self.options.get('filter', '')).split())
        if filter_ in ('docname in docnames', 'document'):
            scope = 'document'
        elif filter_ and filter_ not in ('cited', 'True'):
            self.warn(
                __(
                    ':filter: %r is not supported; use "docname in docnames" (cited in '
                    'this document), :cited:, :notcited:, :all: or :keywords:'
                )
                % filter_,
                Subtype.BAD_OPTION,
            )
        node['scope'] = scope
        node['keywords'] = comma_list(self.options.get('keywords'))
        return [node]


class CiteDomain(Domain):
    """The ``cite`` domain, so that ``{cite:p}`` means what it means with
    sphinxcontrib-bibtex. Its records live in the ``briefing`` domain."""

    name = 'cite'
    label = 'Citations'
    roles: ClassVar[dict[str, Any]] = {form: CiteRole(form) for form in FORMS if form != 'sources'}
    initial_data: ClassVar[dict[str, Any]] = {}

    def clear_doc(self, docname: str) -> None:
        pass  # nothing stored here

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        pass  # nothing stored here

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[tuple[str, nodes.reference]]:
        return []


#: With a note style, the forms that make a footnote (the others stay in the sentence:
#: an author's name, a year, a whole entry).
NOTE_FORMS: frozenset[str] = frozenset({'p', 'ps', 't', 'ts', 'ct', 'cts', 'yearpar'})
#: the forms whose footnote mark follows the punctuation after the citation (pandoc's
#: ``notes-after-punctuation``: "as shown.¹"), not those that leave an author in the text
_MARK_AFTER_PUNCTUATION: frozenset[str] = frozenset({'p', 'ps', 'yearpar'})
_PUNCTUATION = '.,;:!?'


def uses_notes(app: Sphinx) -> bool:
    """Whether the project's citation style is a note style (its citations become
    footnotes). An unusable style is warned about after reading; here it means no."""
    try:
        return note_style(
            app.config.briefing_citation_style, Path(app.confdir), app.config.briefing_pandoc
        )
    except CiteprocError:
        return False


class CitationFootnotes(SphinxTransform):
    """With a note style, each citation in the text gets a footnote of its own, as pandoc
    gives it for markdown: the mark after the citation (after the punctuation that
    follows it), the footnote at the end of the document, auto-numbered with the
    document's other footnotes in the order they are referred to. A citation inside a
    footnote stays where it is.

    Before docutils numbers footnotes, and before MyST sorts them.
    """

    default_priority = Footnotes.default_priority - 3

    def apply(self, **kwargs: Any) -> None:
        document = self.document
        cites = list(document.findall(bnodes.briefing_citation))
        if not cites or not getattr(self.env, 'briefing_cite_notes', False):
            return
        made: list[nodes.footnote] = []
        for cite in cites:
            if _in_footnote(cite):
                cite['note_place'] = 'inside'
                continue
            if cite.get('form') not in NOTE_FORMS or not cite['ids']:
                cite['note_place'] = 'inside'  # formatted where it is, like one in a note
                continue
            cite['note_place'] = 'own'
            anchor = cite['ids'][0]
            label = f'briefing-{anchor}'
            mark = nodes.footnote_reference('', '', auto=1, refname=label)
            document.set_id(mark)
            document.note_autofootnote_ref(mark)
            document.note_footnote_ref(mark)
            note = nodes.footnote('', auto=1, names=[label], classes=['briefing-cite-note'])
            note.source, note.line = cite.source, cite.line
            document.note_autofootnote(note)
            document.note_explicit_target(note, note)
            text = bnodes.briefing_citation(
                cite.rawsource,
                cite.astext(),
                docname=cite['docname'],
                form='note',
                line=cite.get('line'),
                keys=[],
                prefixes=[],
                suffixes=[],
                note_place='note',
            )
            text['ids'] = [f'{anchor}-note']
            note += nodes.paragraph('', '', text)
            made.append(note)
            _place_mark(cite, mark)
        _last_section(document).extend(made)
        _sort_by_reference(document)


class CitationNoteNumbers(SphinxTransform):
    """Every citation's footnote number, once docutils has numbered the footnotes: what
    the note style's positions read (ibid., "n 3")."""

    default_priority = Footnotes.default_priority + 10

    def apply(self, **kwargs: Any) -> None:
        cites = [n for n in self.document.findall(bnodes.briefing_citation) if 'note_place' in n]
        if not cites:
            return
        last = 0
        number: dict[str, int] = {}
        for note in self.document.findall(nodes.footnote):
            if note.children and isinstance(note[0], nodes.label):
                number[note['ids'][0] if note['ids'] else ''] = _number(note[0].astext())
        for node in self.document.findall(
            lambda n: isinstance(n, bnodes.briefing_citation | nodes.footnote_reference)
        ):
            assert isinstance(node, nodes.Element)
            if isinstance(node, nodes.footnote_reference):
                if not _in_footnote(node):
                    last = number.get(node.get('refid', ''), last)
                continue
            footnote = _in_footnote(node)
            if footnote is not None and node.get('note_place') == 'inside':
                node['note'] = number.get(footnote['ids'][0] if footnote['ids'] else '', last)
            elif node.get('note_place') == 'own':
                mark = node.next_node(nodes.footnote_reference, descend=False, siblings=True)
                node['note'] = number.get(mark.get('refid', ''), last) if mark else last
                last = node['note']
            else:
                node['note'] = last


def _number(label: str) -> int:
    return int(label) if label.isdigit() else 0


def _in_footnote(node: nodes.Node) -> nodes.footnote | None:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.footnote):
            return parent
        parent = parent.parent
    return None


def _place_mark(cite: bnodes.briefing_citation, mark: nodes.footnote_reference) -> None:
    """Put the footnote mark after the citation; for a bracketed citation (cite:p), after
    the punctuation that follows it, without the space before the citation, as pandoc
    does: "as shown {cite:p}`x`." becomes "as shown.¹"."""
    parent = cite.parent
    parent.insert(parent.index(cite) + 1, mark)
    if cite.get('form') not in _MARK_AFTER_PUNCTUATION:
        return
    index = parent.index(cite)
    before = parent[index - 1] if index > 0 else None
    if isinstance(before, nodes.Text) and str(before) != str(before).rstrip():
        # the space before the citation, which leaves nothing in the sentence
        trimmed = str(before).rstrip()
        if trimmed:
            parent.replace(before, nodes.Text(trimmed))
        else:
            parent.remove(before)
    index = parent.index(mark)
    after = parent[index + 1] if index + 1 < len(parent) else None
    if isinstance(after, nodes.Text):
        value = str(after)
        stripped = value.lstrip(_PUNCTUATION)
        moved = value[: len(value) - len(stripped)]
        if moved:
            if stripped:
                parent.replace(after, nodes.Text(stripped))
            else:
                parent.remove(after)
            parent.insert(parent.index(cite), nodes.Text(moved))


def _last_section(document: nodes.document) -> nodes.Element:
    """Where footnotes made for citations go: the end of the document's last section."""
    where: nodes.Element = document
    while True:
        sections = [child for child in where.children if isinstance(child, nodes.section)]
        if not sections or where.children[-1] is not sections[-1]:
            return where
        where = sections[-1]


def _sort_by_reference(document: nodes.document) -> None:
    """Auto-numbered footnotes numbered in the order they are first referred to (as MyST
    does), not in the order they are defined: the footnotes made here are defined where
    their citations are, a document's own ones where the author wrote them."""
    order: dict[str, int] = {}
    anonymous = 0
    for ref in document.findall(nodes.footnote_reference):
        if not ref.get('auto'):
            continue
        if ref.get('refname'):
            order.setdefault(ref['refname'], len(order))
        else:
            order.setdefault(f' {anonymous}', len(order))
            anonymous += 1
    anonymous = 0
    keys: list[int] = []
    for note in document.autofootnotes:
        if note['names']:
            keys.append(order.get(note['names'][0], len(order)))
        else:
            keys.append(order.get(f' {anonymous}', len(order)))
            anonymous += 1
    ranked = sorted(range(len(keys)), key=keys.__getitem__)
    document.autofootnotes[:] = [document.autofootnotes[i] for i in ranked]
    # MyST sorts its footnotes by this list (after this transform): in document order
    # too, not the order the marks were made in.
    position = {id(ref): n for n, ref in enumerate(document.findall(nodes.footnote_reference))}
    document.autofootnote_refs.sort(key=lambda ref: position.get(id(ref), len(position)))


def reread_when_notes_change(
    app: Sphinx,
    env: BuildEnvironment,
    added: Set[str],
    changed: Set[str],
    removed: Set[str],
) -> list[str]:
    """Whether the style is a note style, noted on the environment for the documents
    read (:class:`CitationFootnotes`); every document again when that changes: where a
    citation's text goes (the sentence or a footnote) is decided when it is read."""
    notes = uses_notes(app)
    before = getattr(env, 'briefing_cite_notes', notes)
    env.briefing_cite_notes = notes  # type: ignore[attr-defined]
    if before == notes:
        return []
    return sorted(env.all_docs.keys() - removed)
