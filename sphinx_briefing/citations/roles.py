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
from sphinx import addnodes
from sphinx.domains import Domain
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import make_id

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.citations.citeproc import CiteMode, CiteprocError, note_style
from sphinx_briefing.citations.compat import (
    FilterError,
    citation_style,
    formatted_id,
    header,
    parse_filter,
)
from sphinx_briefing.directives import PlaceholderDirective, comma_list
from sphinx_briefing.ids import generated_id
from sphinx_briefing.locale import _, __
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
    # capitalised bracketed forms, and natbib's citealt (no brackets, like alp)
    'cp': ('normal', False, True),
    'cps': ('normal', True, True),
    'calp': ('bare', False, True),
    'calps': ('bare', True, True),
    'alt': ('bare', False, False),
    'alts': ('bare', True, False),
    'calt': ('bare', False, True),
    'calts': ('bare', True, True),
    # the author in brackets: "(Smith)"; see AUTHOR_IN_BRACKETS
    'authorpar': ('author', False, False),
    'authorpars': ('author', True, False),
    'cauthorpar': ('author', False, True),
    'cauthorpars': ('author', True, True),
    # a numeric style's number or a label style's label, without or with brackets
    'label': ('bare', False, False),
    'labelpar': ('normal', False, False),
    'num': ('bare', False, False),
    'numpar': ('normal', False, False),
    # a position's :sources:, formatted like cite:p
    'sources': ('normal', False, False),
}

#: footcite:p and friends: a footnote per work cited, holding its entry (footcite:t puts
#: the author in the text too); the form given to the entry, and to the author
FOOT_FORMS: dict[str, tuple[str, str]] = {
    'p': ('text', ''),
    'ps': ('texts', ''),
    't': ('text', 'author'),
    'ts': ('texts', 'authors'),
    'ct': ('text', 'cauthor'),
    'cts': ('texts', 'cauthors'),
}
FORMS.update({f'foot-{form}': FORMS['p'] for form in FOOT_FORMS})
#: the forms whose text is put in brackets around what the style gives
AUTHOR_IN_BRACKETS: frozenset[str] = frozenset(
    {'authorpar', 'authorpars', 'cauthorpar', 'cauthorpars'}
)

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
        node['ids'] = [generated_id(self.env, self.inliner.document, 'cite')]
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
        node['prefixes'] = [self.dashes(pre) for pre, _key, _post in items]
        node['suffixes'] = [self.dashes(post) for _pre, _key, post in items]
        return [node], []

    def dashes(self, note: str) -> str:
        """``--`` and ``---`` in a pre- or post-note as Sphinx's smart quotes make them
        everywhere else (the note reaches the text after they ran)."""
        config = self.config
        if not config.smartquotes or 'D' not in str(config.smartquotes_action):
            return note
        return note.replace('---', '\u2014').replace('--', '\u2013')


_ENUMTYPES = ('arabic', 'loweralpha', 'upperalpha', 'lowerroman', 'upperroman')


class BibliographyDirective(PlaceholderDirective):
    """``bibliography``: the cited works, formatted in the project's style, in place
    (also in the PDF). sphinxcontrib-bibtex's arguments (.bib files) and options."""

    anchor_prefix = 'bibliography'
    node_class = bnodes.briefing_bibliography
    has_content = True  # keys always listed in it, one a line
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[OptionSpec] = {
        'all': directives.flag,
        'cited': directives.flag,
        'notcited': directives.flag,
        'filter': directives.unchanged,
        'keywords': directives.unchanged,
        'audience': directives.unchanged,
        'style': directives.unchanged,
        'list': lambda value: directives.choice(value, ('citation', 'bullet', 'enumerated')),
        'enumtype': lambda value: directives.choice(value, _ENUMTYPES),
        'start': directives.unchanged,
        'labelprefix': directives.unchanged,
        'keyprefix': directives.unchanged,
    }

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_note()
        node = self.new_placeholder()
        count = int(self.env.temp_data.get('briefing_bibliographies') or 0) + 1
        self.env.temp_data['briefing_bibliographies'] = count
        node['ids'] = [
            formatted_id(
                str(getattr(self.config, 'bibtex_bibliography_id', '') or ''),
                node['ids'][0],
                bibliography_count=count,
            )
        ]
        scope = 'project'
        if 'all' in self.options:
            scope = 'all'
        elif 'notcited' in self.options:
            scope = 'notcited'
        filter_ = ' '.join(str(self.options.get('filter', '')).split())
        if filter_ in ('docname in docnames', 'document'):
            scope = 'document'
        elif filter_ and filter_ != 'cited':
            try:
                parse_filter(filter_)
                node['filter'] = filter_
                scope = 'all'  # the expression says which (``cited and …``)
            except FilterError as exc:
                self.warn(
                    __(':filter: %r cannot be used (%s); listing the cited works') % (filter_, exc),
                    Subtype.BAD_OPTION,
                )
        keyprefix = str(self.options.get('keyprefix', '')).strip()
        if keyprefix:
            node['keyprefix'] = keyprefix
            if scope == 'project' and 'cited' not in self.options:
                scope = 'document'  # the works cited here with that prefix
        node['scope'] = scope
        node['keywords'] = comma_list(self.options.get('keywords'))
        node['files'] = self.bib_files()
        node['list_type'] = self.options.get('list', '')
        node['enumtype'] = self.options.get('enumtype', '')
        node['start'] = self.start()
        node['style'] = str(self.options.get('style', '')).strip()
        node['entry_id'] = str(getattr(self.config, 'bibtex_cite_id', '') or '').replace(
            '{bibliography_count}', str(count)
        )
        listed = [key for line in self.content for key in line.split()]
        node['listed'] = listed
        made: list[Node] = []
        if listed:
            # recorded as cite:empty, so that they are formatted and count as cited
            made.append(
                bnodes.briefing_citation(
                    '',
                    '',
                    ids=[generated_id(self.env, self.state.document, 'cite')],
                    docname=self.env.docname,
                    form='empty',
                    line=self.lineno,
                    keys=listed,
                    prefixes=[''] * len(listed),
                    suffixes=[''] * len(listed),
                )
            )
        # :labelprefix: is accepted: it kept sphinxcontrib-bibtex's labels apart between
        # bibliographies; here one numbering serves the whole project.
        bib_header = header(str(getattr(self.config, 'bibtex_bibliography_header', '') or ''))
        return [*bib_header, node, *made]

    def bib_files(self) -> list[str]:
        """The .bib files named as arguments (relative to the document, as in
        sphinxcontrib-bibtex), which must also be among the project's .bib files."""
        if not self.arguments:
            return []
        here = Path(self.env.doc2path(self.env.docname)).parent
        known: frozenset[str] = getattr(self.env, 'briefing_bib_paths', frozenset())
        found = []
        for name in self.arguments[0].split():
            path = (here / name).resolve()
            if str(path) not in known:
                self.warn(
                    __('%s is not one of the .bib files in briefing_bibfiles or bibtex_bibfiles')
                    % name,
                    Subtype.MISSING_BIBFILE,
                )
                continue
            found.append(str(path))
        return found

    def start(self) -> int:
        value = str(self.options.get('start', '1')).strip()
        if value == 'continue':
            return 0
        if value.isdigit() and int(value) > 0:
            return int(value)
        self.warn(
            __(':start: %r is neither a positive whole number nor "continue"; starting at 1')
            % value,
            Subtype.BAD_OPTION,
        )
        return 1


class FootBibliographyDirective(SphinxDirective):
    """``footbibliography``: where the footnotes of the footcite citations before it go
    (sphinxcontrib-bibtex's syntax). Without one, they go to the end of the document."""

    has_content = False

    def run(self) -> list[Node]:
        count = int(self.env.temp_data.get('briefing_footbibliographies') or 0) + 1
        self.env.temp_data['briefing_footbibliographies'] = count
        place = nodes.container(classes=['briefing-footbibliography'])
        place['briefing_footbibliography'] = count
        place['ids'] = [
            formatted_id(
                str(getattr(self.config, 'bibtex_footbibliography_id', '') or ''),
                generated_id(self.env, self.state.document, 'footbibliography'),
                footbibliography_count=count,
            )
        ]
        self.set_source_info(place)
        place.extend(header(str(getattr(self.config, 'bibtex_footbibliography_header', '') or '')))
        return [place]


class CiteDomain(Domain):
    """The ``cite`` domain, so that ``{cite:p}`` means what it means with
    sphinxcontrib-bibtex. Its records live in the ``briefing`` domain."""

    name = 'cite'
    label = 'Citations'
    roles: ClassVar[dict[str, Any]] = {
        form: CiteRole(form) for form in FORMS if form != 'sources' and '-' not in form
    }
    initial_data: ClassVar[dict[str, Any]] = {}

    def clear_doc(self, docname: str) -> None:
        pass  # nothing stored here

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        pass  # nothing stored here

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[tuple[str, nodes.reference]]:
        return []


class FootCiteDomain(CiteDomain):
    """The ``footcite`` domain: ``{footcite:p}``, ``{footcite:t}`` … as in
    sphinxcontrib-bibtex."""

    name = 'footcite'
    label = 'Footnote citations'
    roles: ClassVar[dict[str, Any]] = {form: CiteRole(f'foot-{form}') for form in FOOT_FORMS}


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
        return note_style(citation_style(app.config), Path(app.confdir), app.config.briefing_pandoc)
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
        _any_citations(document, self.env)
        if not any(True for _ in document.findall(bnodes.briefing_citation)):
            return
        _strip_key_prefixes(document)
        made = self.foot_citations()
        if getattr(self.env, 'briefing_cite_notes', False):
            made += self.note_citations()
        if made:
            _last_section(document).extend(made)
        _sort_by_reference(document)

    def new_footnote(self, label: str, cite: nodes.Element, note_id: str) -> nodes.footnote:
        """A footnote with the id *note_id*, else one made (:mod:`sphinx_briefing.ids`):
        the id docutils makes, from the label or a number, repeats in every document."""
        note = nodes.footnote('', auto=1, names=[label], classes=['briefing-cite-note'])
        note.source, note.line = cite.source, cite.line
        if not note_id or note_id in self.document.ids:
            note_id = generated_id(self.env, self.document, 'footcite')
        note['ids'] = [note_id]
        self.document.note_autofootnote(note)
        self.document.note_explicit_target(note, note)
        return note

    def mark(self, label: str, note: nodes.footnote) -> nodes.footnote_reference:
        mark = nodes.footnote_reference('', '', auto=1, refname=label)
        mark['ids'] = [make_id(self.env, self.document, f'{note["ids"][0]}-ref')]
        self.document.set_id(mark)
        self.document.note_autofootnote_ref(mark)
        self.document.note_footnote_ref(mark)
        return mark

    def foot_citations(self) -> list[nodes.footnote]:
        """footcite roles: a mark per work (the author before it for footcite:t), one
        footnote per work and document holding its entry, in the next footbibliography
        (or, after the last one, at the end of the document)."""
        document = self.document
        passed = 0  # footbibliographies before the citation
        footnotes: dict[str, tuple[str, nodes.footnote]] = {}  # key → label, footnote
        unplaced: list[nodes.footnote] = []
        id_template = str(getattr(self.config, 'bibtex_footcite_id', '') or '')
        for node in list(document.findall(_is_placed_or_foot_cite)):
            if isinstance(node, nodes.container):
                node.extend(unplaced)
                unplaced = []
                passed += 1
                continue
            assert isinstance(node, bnodes.briefing_citation)
            entry_form, author_form = FOOT_FORMS[node['form'].removeprefix('foot-')]
            made: list[nodes.Node] = []
            keys: list[str] = list(node['keys'])
            for index, key in enumerate(keys):
                if key not in footnotes:
                    label = f'briefing-footcite-{len(footnotes) + 1}'
                    note = self.new_footnote(
                        label,
                        node,
                        formatted_id(id_template, '', key=key, footbibliography_count=passed + 1),
                    )
                    footnotes[key] = label, note
                    note += nodes.paragraph('', '', self.citation(node, entry_form, [key]))
                    unplaced.append(note)
                if author_form:
                    # "Nelson¹, Smith² and Jones³": each author with its own note
                    if index:
                        last = index == len(keys) - 1
                        made.append(nodes.Text(' ' + _('and') + ' ' if last else ', '))
                    made.append(self.citation(node, author_form, [key]))
                made.append(self.mark(*footnotes[key]))
            node.parent.replace(node, made)
        return unplaced

    def citation(self, like: nodes.Element, form: str, keys: list[str]) -> bnodes.briefing_citation:
        """A citation made here, at *like*'s place in the source."""
        cite = bnodes.briefing_citation(
            like.rawsource,
            ', '.join(keys),
            docname=like['docname'],
            form=form,
            line=like.get('line'),
            keys=keys,
            prefixes=[''] * len(keys),
            suffixes=[''] * len(keys),
            classes=['briefing-cite'],
        )
        cite['ids'] = [generated_id(self.env, self.document, 'cite')]
        cite.source, cite.line = like.source, like.line
        return cite

    def note_citations(self) -> list[nodes.footnote]:
        """With a note style, each citation outside a footnote that shows a citation
        gets a footnote of its own."""
        document = self.document
        made: list[nodes.footnote] = []
        for cite in list(document.findall(bnodes.briefing_citation)):
            if _in_footnote(cite):
                cite['note_place'] = 'inside'
                continue
            if cite.get('form') not in NOTE_FORMS or not cite['ids']:
                cite['note_place'] = 'inside'  # formatted where it is, like one in a note
                continue
            cite['note_place'] = 'own'
            anchor = cite['ids'][0]
            label = f'briefing-{anchor}'
            note = self.new_footnote(label, cite, f'{anchor}-footnote')
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
            _place_mark(cite, self.mark(label, note))
        return made


#: an ``any`` target that may be citation keys: ``key`` or ``key1,key2``
_ANY_KEYS = re.compile(r'[^\s{},]+(?:\s*,\s*[^\s{},]+)*')
#: file states of the .bib files → their keys, for the documents of one process
_known_keys: dict[tuple[object, ...], frozenset[str]] = {}


def _any_citations(document: nodes.document, env: BuildEnvironment) -> None:
    """``:any:`key1,key2``` cites as ``:cite:p:`` does when every key is a key of the
    .bib files (sphinxcontrib-bibtex resolves ``any`` so); other targets are left to
    Sphinx (questions, labels …). Decided when the document is read, against the .bib
    files as they are then."""
    refs = [
        ref
        for ref in document.findall(addnodes.pending_xref)
        if ref.get('reftype') == 'any' and _ANY_KEYS.fullmatch(str(ref.get('reftarget', '')))
    ]
    if not refs:
        return
    known = _bib_keys(env)
    for ref in refs:
        keys = [key.strip() for key in str(ref['reftarget']).split(',')]
        if not all(key in known for key in keys):
            continue
        cite = bnodes.briefing_citation(ref.rawsource, ref.astext(), classes=['briefing-cite'])
        cite['ids'] = [generated_id(env, document, 'cite')]
        cite['docname'] = env.docname
        cite['form'] = 'p'
        cite['line'] = ref.line
        cite.source, cite.line = ref.source, ref.line
        cite['keys'] = keys
        cite['prefixes'] = [''] * len(keys)
        cite['suffixes'] = [''] * len(keys)
        ref.replace_self(cite)


def _bib_keys(env: BuildEnvironment) -> frozenset[str]:
    from sphinx_briefing.citations.bibtex import load_bibfiles
    from sphinx_briefing.citations.step import CACHE_DIR_NAME, bib_encoding, file_state

    paths: tuple[str, ...] = getattr(env, 'briefing_bib_files', ())
    encoding = bib_encoding(env.config)
    state = (encoding, *(file_state(Path(path)) for path in paths))
    if state not in _known_keys:
        database = load_bibfiles(
            [Path(path) for path in paths],
            cache_dir=Path(env.doctreedir) / CACHE_DIR_NAME,
            encoding=encoding,
        )
        _known_keys.clear()
        _known_keys[state] = frozenset(database.entries)
    return _known_keys[state]


def _is_placed_or_foot_cite(node: nodes.Node) -> bool:
    if isinstance(node, bnodes.briefing_citation):
        return str(node.get('form', '')).startswith('foot-')
    return isinstance(node, nodes.container) and 'briefing_footbibliography' in node


def _strip_key_prefixes(document: nodes.document) -> None:
    """A bibliography's :keyprefix: (sphinxcontrib-bibtex): in its document, a key
    written with that prefix cites the work of the key without it."""
    prefixes = sorted(
        {
            node['keyprefix']
            for node in document.findall(bnodes.briefing_bibliography)
            if node.get('keyprefix')
        },
        key=len,
        reverse=True,
    )
    if not prefixes:
        return
    for cite in document.findall(bnodes.briefing_citation):
        keys: list[str] = list(cite.get('keys', ()))
        cite['keys'] = [
            next((key[len(p) :] for p in prefixes if key.startswith(p) and key != p), key)
            for key in keys
        ]


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
    does: "as shown {cite:p}`x`." becomes "as shown.¹".

    Text nodes are handled by position: they compare as strings, so ``remove`` and
    ``replace`` would take the first equal one (another citation's "." say)."""
    parent = cite.parent
    index = parent.index(cite)
    parent.insert(index + 1, mark)
    if cite.get('form') not in _MARK_AFTER_PUNCTUATION:
        return
    after = parent[index + 2] if index + 2 < len(parent) else None
    moved = ''
    if isinstance(after, nodes.Text):
        value = str(after)
        stripped = value.lstrip(_PUNCTUATION)
        moved = value[: len(value) - len(stripped)]
        if moved and stripped:
            parent[index + 2] = nodes.Text(stripped)
        elif moved:
            del parent[index + 2]
    before = parent[index - 1] if index > 0 else None
    if isinstance(before, nodes.Text) and str(before) != str(before).rstrip():
        # the space before the citation, which leaves nothing in the sentence
        trimmed = str(before).rstrip()
        if trimmed:
            parent[index - 1] = nodes.Text(trimmed)
        else:
            del parent[index - 1]
            index -= 1
    if moved:
        parent.insert(index, nodes.Text(moved))


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
    from sphinx_briefing.citations.step import bibfiles

    confdir = Path(app.confdir)
    paths = tuple(str((confdir / name).resolve()) for name in bibfiles(app.config))
    env.briefing_bib_paths = frozenset(paths)  # type: ignore[attr-defined]
    env.briefing_bib_files = paths  # type: ignore[attr-defined]  # in order (macros)
    notes = uses_notes(app)
    before = getattr(env, 'briefing_cite_notes', notes)
    env.briefing_cite_notes = notes  # type: ignore[attr-defined]
    if before == notes:
        return []
    return sorted(env.all_docs.keys() - removed)
