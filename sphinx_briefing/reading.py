"""Turn one parsed document's nodes into plain records (run per document, maybe in a
worker process under ``-j``; it sees only this document)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.derive.short import PARAGRAPH_BREAK
from sphinx_briefing.locale import __
from sphinx_briefing.model import (
    AUDIENCE_ALIASES,
    EDITIONS,
    Break,
    CiteRef,
    PackItem,
    Page,
    Panel,
    Participant,
    Placeholder,
    Position,
    Question,
    Reference,
    ThemeContext,
    Withheld,
    edition_rank,
)
from sphinx_briefing.render.copies import body_digest, note_digest
from sphinx_briefing.warnings_ import Subtype

#: roles of this extension whose targets are recorded (and checked after reading)
REFERENCE_KINDS = ('question', 'participant', 'panel', 'position')
_SPACES = re.compile(r'\s+')


@dataclass
class DocRecords:
    """Everything one document declares, in document order."""

    panels: list[Panel] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)
    cites: list[CiteRef] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    #: the pack's items, moderators' notes and participants' bios, for briefs
    pack: list[PackItem] = field(default_factory=list)
    #: the paragraphs of each section that holds questions
    contexts: list[ThemeContext] = field(default_factory=list)
    #: what cannot be right in this document alone: (message, subtype, line)
    problems: list[tuple[str, Subtype, int | None]] = field(default_factory=list)


#: marks a citation inside plain text: its anchor and its raw text; the cross-document
#: step replaces it with the formatted citation (see derive.resolve_citations)
CITE_MARK = '\x1a'
CITE_SEP = '\x02'  # not whitespace: the text's spaces are folded


def _plain(node: nodes.Node) -> str:
    if isinstance(node, bnodes.briefing_citation):
        anchor = node['ids'][0] if node['ids'] else ''
        return f'{CITE_MARK}{anchor}{CITE_SEP}{node.astext()}{CITE_MARK}'
    if isinstance(node, nodes.Text):
        # A backslash escape leaves a NUL byte before the escaped character in the text.
        return nodes.unescape(str(node))
    if isinstance(node, nodes.system_message | nodes.comment):
        return ''
    # Blocks (list items, table cells …) are words apart; inline markup is not.
    separator = '' if isinstance(node, nodes.TextElement) else ' '
    return separator.join(_plain(child) for child in node.children)


def own_text(node: nodes.Element, *, keep_paragraphs: bool = False) -> str:
    """The node's text without nested boxes (follow-ups, positions, notes); citations
    are marked so that they can be shown formatted. With *keep_paragraphs*, its blocks
    (paragraphs, lists …) stay apart, separated by PARAGRAPH_BREAK."""
    parts = [
        _SPACES.sub(' ', _plain(child)).strip()
        for child in node.children
        if not isinstance(child, bnodes.briefing_box | bnodes.briefing_placeholder)
    ]
    return (PARAGRAPH_BREAK if keep_paragraphs else ' ').join(part for part in parts if part)


def section_title(node: nodes.Element) -> str:
    """Title of the innermost section around *node* ('' outside any section)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section) and parent.children:
            first = parent.children[0]
            if isinstance(first, nodes.title):
                return _SPACES.sub(' ', _title_text(first)).strip()
        parent = parent.parent
    return ''


#: marks a role inside a section title (a question's or position's topic): its kind and
#: target; the cross-document step replaces it with the number or name (see
#: derive.resolve_roles), which no document can know alone
ROLE_MARK = '\x1b'


def _title_text(node: nodes.Node) -> str:
    if isinstance(node, addnodes.pending_xref):
        kind = node.get('reftype') or ''
        ours = node.get('refdomain') == 'briefing' and kind in REFERENCE_KINDS
        if ours and not node.get('refexplicit'):
            return f'{ROLE_MARK}{kind}{CITE_SEP}{node.get("reftarget", "")}{ROLE_MARK}'
    if isinstance(node, nodes.Element) and not isinstance(node, bnodes.briefing_citation):
        separator = '' if isinstance(node, nodes.TextElement) else ' '
        return separator.join(_title_text(child) for child in node.children)
    return _plain(node)


def enclosing(node: nodes.Element, kind: type[nodes.Element]) -> nodes.Element | None:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kind):
            return parent
        parent = parent.parent
    return None


def _interesting(node: nodes.Node) -> bool:
    return isinstance(
        node,
        bnodes.briefing_box
        | bnodes.briefing_placeholder
        | bnodes.briefing_withheld
        | bnodes.briefing_break
        | bnodes.briefing_citation
        | addnodes.pending_xref,
    )


_PLACEHOLDER_KINDS: dict[type[nodes.Element], str] = {
    bnodes.briefing_question_index: 'question-index',
    bnodes.briefing_position_matrix: 'position-matrix',
    bnodes.briefing_run_of_show: 'run-of-show',
    bnodes.briefing_panellist_brief: 'panellist-brief',
    bnodes.briefing_bibliography: 'bibliography',
    bnodes.briefing_cue_cards: 'cue-cards',
    bnodes.briefing_agenda: 'agenda',
}


#: MyST text left behind by a backtick fence that did not become a directive
_BROKEN_FENCE = re.compile(r'^(`{3,}|~{3,})\{(?:briefing:)?([\w-]+)\}(.*)$')
_AUDIENCE_LINE = re.compile(r'^\s*:audience:\s*(\S*)')
_DEFENSIVE_LINE = re.compile(r'^\s*:priority:\s*defensive\s*$', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BrokenFence:
    """A briefing directive that MyST printed as text."""

    name: str
    line: int | None
    #: the lines it spans (from its first line to its closing fence) were taken out of
    #: the document: this edition would not have shown the directive
    dropped: bool


def broken_fences(doctree: nodes.document, edition: str = 'moderator') -> list[BrokenFence]:
    """Briefing directives that MyST printed as text; those that the edition would not
    show are taken out of the document, with everything up to their closing fence.

    In CommonMark a backtick in the directive line of a backtick fence (a question whose
    text holds inline code) ends the fence: the directive becomes a paragraph, its content
    more paragraphs, and MyST says nothing. Content that cannot be read as what it claims
    to be fails safe: an edition that would leave the directive out leaves the text out.
    """
    from sphinx_briefing.directives import DIRECTIVES

    found = []
    source_lines: list[str] | None = None
    for paragraph in list(doctree.findall(nodes.paragraph)):
        first = paragraph.children[0] if paragraph.children else None
        if not isinstance(first, nodes.Text) or not first.startswith(('```', '~~~')):
            continue  # the cheap test first: this runs over every paragraph
        match = _BROKEN_FENCE.match(paragraph.astext().split('\n', 1)[0])
        if match is None or match[2] not in (*DIRECTIVES, 'bibliography'):
            continue
        name, line = match[2], paragraph.line
        if source_lines is None:
            source_lines = _source_lines(doctree)
        start = (line or 1) - 1
        end = _closing_fence(source_lines, start)
        audience = _claimed_audience(name, match[3], source_lines[start:end])
        dropped = edition_rank(edition) < edition_rank(audience)
        if dropped:
            _drop_lines(doctree, start + 1, end)
        found.append(BrokenFence(name, line, dropped))
    return found


def drop_echoed_sources(doctree: nodes.document) -> None:
    """Take out the source that docutils copies into the error about a directive it could
    not run (a literal block inside the system message). Such messages are left out of
    pages, but the document's id table keeps them and they are pickled with it: an edition
    that leaves content out must not keep a copy of a failed directive's content."""
    for message in list(doctree.findall(nodes.system_message)):
        for block in list(message.findall(nodes.literal_block)):
            if block.parent is not None:
                block.parent.remove(block)


def _source_lines(doctree: nodes.document) -> list[str]:
    try:
        return Path(doctree['source']).read_text(encoding='utf-8-sig').splitlines()
    except (OSError, KeyError, UnicodeDecodeError, TypeError):
        return []


def _closing_fence(lines: list[str], start: int) -> int:
    """Index of the line that closes the fence opened at *start* (len(lines) if none)."""
    opening = re.match(r'\s*(`{3,}|~{3,})', lines[start]) if start < len(lines) else None
    if opening is None:
        return len(lines)
    mark = opening[1]
    for index in range(start + 1, len(lines)):
        close = re.match(r'^ {0,3}(`{3,}|~{3,})\s*$', lines[index])
        if close and close[1][0] == mark[0] and len(close[1]) >= len(mark):
            return index
    return len(lines)


def _claimed_audience(name: str, argument: str, lines: list[str]) -> str:
    """Who the directive would have been shown to; unknown spellings count as the
    moderator only."""
    from sphinx_briefing.directives import DIRECTIVES

    raw = ''
    if name == 'audience':
        raw = argument.strip().split()[0] if argument.strip() else 'moderator'
    for line in lines[1:]:
        found = _AUDIENCE_LINE.match(line)
        if found:
            raw = found[1]
            break
    if not raw and name == 'question' and any(_DEFENSIVE_LINE.match(line) for line in lines[1:]):
        raw = 'panellist'  # directives.DEFENSIVE_AUDIENCE
    if not raw:
        raw = str(getattr(DIRECTIVES.get(name), 'default_audience', 'public'))
    raw = raw.strip().lower()
    name_ = AUDIENCE_ALIASES.get(raw, raw)
    return name_ if name_ in EDITIONS else 'moderator'


def _drop_lines(doctree: nodes.document, first: int, last: int) -> None:
    """Take out every element whose source line is within first..last (1-based)."""
    for node in list(doctree.findall(nodes.Element)):
        if isinstance(node, nodes.document | nodes.section | nodes.title):
            continue
        line = node.line
        if line is not None and first <= line <= last and node.parent is not None:
            node.parent.remove(node)


def collect(docname: str, doctree: nodes.document) -> DocRecords:
    """Read every briefing node and cross-reference of one document, in document order."""
    records = DocRecords()
    _page(docname, doctree, records)
    themed: dict[int, tuple[nodes.section, list[str]]] = {}
    for node in doctree.findall(_interesting):
        assert isinstance(node, nodes.Element)
        if isinstance(node, addnodes.pending_xref):
            reference = _reference(node)
            if reference is not None:
                records.references.append(reference)
        elif isinstance(node, bnodes.briefing_panel):
            records.panels.append(_panel(docname, node))
        elif isinstance(node, bnodes.briefing_participant):
            records.participants.append(_participant(docname, node))
            records.pack.append(pack_item(docname, node, 'bio', holder=node['pid']))
        elif isinstance(node, bnodes.briefing_question):
            question = _question(docname, node)
            question = _checked_question(question, node, records.problems)
            records.questions.append(question)
            _note_theme(node, question, themed)
        elif isinstance(node, bnodes.briefing_box) and not isinstance(node, _KEPT_APART):
            _pack_node(docname, node, records)
        elif isinstance(node, bnodes.briefing_position):
            position = _position(docname, node)
            records.positions.append(position)
            if position.sources:
                # Sources are formatted like cite:p, in reading order with the citations.
                records.cites.append(
                    CiteRef(
                        docname=docname,
                        anchor=position.anchor,
                        line=position.line,
                        keys=position.sources,
                        prefixes=('',) * len(position.sources),
                        suffixes=('',) * len(position.sources),
                        form='sources',
                        within=position.pid,
                    )
                )
        elif isinstance(node, bnodes.briefing_citation):
            inner = _innermost_box(node)
            records.cites.append(
                CiteRef(
                    docname=docname,
                    anchor=node['ids'][0],
                    line=node.get('line'),
                    keys=tuple(node.get('keys', ())),
                    prefixes=tuple(node.get('prefixes', ())),
                    suffixes=tuple(node.get('suffixes', ())),
                    form=node.get('form', 'p'),
                    within=_box_id(inner),
                    note=node.get('note', 0),
                    note_place=node.get('note_place', ''),
                )
            )
        elif isinstance(node, bnodes.briefing_placeholder):
            records.placeholders.append(
                Placeholder(
                    kind=_PLACEHOLDER_KINDS[type(node)],
                    docname=docname,
                    anchor=node['ids'][0],
                    line=node.get('line'),
                    panel=node.get('panel', ''),
                    group_by=node.get('group_by', 'topic'),
                    participant=node.get('participant', ''),
                    actors=tuple(node.get('actors', ())),
                    questions=tuple(node.get('questions', ())),
                    scope=node.get('scope', 'project'),
                    keywords=tuple(node.get('keywords', ())),
                    filter=node.get('filter', ''),
                    files=tuple(node.get('files', ())),
                    list_type=node.get('list_type', ''),
                    enumtype=node.get('enumtype', ''),
                    start=node.get('start', 1),
                    style=node.get('style', ''),
                    listed=tuple(node.get('listed', ())),
                    entry_id=node.get('entry_id', ''),
                    keyprefix=node.get('keyprefix', ''),
                )
            )
        elif isinstance(node, bnodes.briefing_withheld):
            records.withheld.append(Withheld(kind=node['kind'], target=node['target']))
        elif isinstance(node, bnodes.briefing_break):
            records.breaks.append(
                Break(
                    docname=docname,
                    line=node.get('line'),
                    label=node.get('label', ''),
                    minutes=node.get('minutes'),
                    session=node.get('session', ''),
                    panel=node.get('panel', ''),
                    after=len(records.questions),
                )
            )
    records.contexts.extend(_contexts(docname, themed))
    return records


def _page(docname: str, doctree: nodes.document, records: DocRecords) -> None:
    """The page's panel and audience, from its front matter or top field list."""
    from sphinx_briefing.pages import front_matter, is_myst, source_lines

    source = doctree.get('source') or ''
    if not source:
        return
    head = front_matter(source_lines(Path(source)), myst=is_myst(source))
    records.problems.extend(head.problems)
    if head.panel or head.audience:
        records.pages.append(Page(docname, head.line, head.panel, head.checked_audience))


#: boxes that are not the pack's (or are read apart, as the positions)
_KEPT_APART = (bnodes.briefing_position, bnodes.briefing_counter_argument)


def pack_item(docname: str, node: nodes.Element, kind: str, **fields: object) -> PackItem:
    """A pack item of a box: its plain text and the digest of the body briefs copy."""
    return PackItem(
        kind=kind,
        docname=docname,
        anchor=node['ids'][0] if node['ids'] else '',
        line=node.get('line'),
        text=own_text(node),
        body=body_digest(node),
        **fields,  # type: ignore[arg-type]
    )


def _pack_node(docname: str, node: nodes.Element, records: DocRecords) -> None:
    """Objectives, lines to take (with their parts), scripts, logistics, and the moderator's
    notes: records of their text for briefs and the export."""
    if isinstance(node, bnodes.briefing_moderator_note):
        outer = enclosing(node, bnodes.briefing_question)
        within = str(outer['qid']) if outer is not None and not outer.get('withheld') else ''
        records.pack.append(pack_item(docname, node, 'moderator-note', within=within))
    elif isinstance(node, bnodes.briefing_objectives | bnodes.briefing_logistics):
        kind = 'objectives' if isinstance(node, bnodes.briefing_objectives) else 'logistics'
        records.pack.append(pack_item(docname, node, kind, panel=node.get('panel', '')))
    elif isinstance(node, bnodes.briefing_introduction):
        records.pack.append(
            pack_item(
                docname, node, node['kind'], panel=node.get('panel', ''), holder=node['holder']
            )
        )
    elif isinstance(node, bnodes.briefing_lines_to_take):
        parts: list[tuple[str, str]] = []
        for child in node.children:
            if not isinstance(child, bnodes.briefing_line_part):
                continue
            if any(part == child['part'] for part, _text in parts):
                records.problems.append(
                    (
                        __('lines to take with two %r parts; both are shown') % child['part'],
                        Subtype.BAD_PART,
                        child.get('line'),
                    )
                )
            parts.append((child['part'], own_text(child)))
        records.pack.append(
            pack_item(
                docname,
                node,
                'lines-to-take',
                panel=node.get('panel', ''),
                holder=node.get('holder', ''),
                parts=tuple(parts),
            )
        )
    elif isinstance(node, bnodes.briefing_line_part) and not isinstance(
        node.parent, bnodes.briefing_lines_to_take
    ):
        records.problems.append(
            (
                __('%r is a part of lines to take: write it inside lines-to-take') % node['part'],
                Subtype.BAD_PART,
                node.get('line'),
            )
        )


def _note_theme(
    node: nodes.Element, question: Question, themed: dict[int, tuple[nodes.section, list[str]]]
) -> None:
    """Keep the section a question is written in (a follow-up goes with its question)."""
    if question.withheld or enclosing(node, bnodes.briefing_question) is not None:
        return
    section = enclosing(node, nodes.section)
    if isinstance(section, nodes.section):
        themed.setdefault(id(section), (section, []))[1].append(question.qid)


def _section_own_title(section: nodes.section) -> str:
    first = section.children[0] if section.children else None
    return section_title(first) if isinstance(first, nodes.title) else ''


def _contexts(
    docname: str, themed: dict[int, tuple[nodes.section, list[str]]]
) -> list[ThemeContext]:
    """A theme's context: the paragraphs written directly in the section its questions are
    in (not those of its subsections, nor those inside boxes)."""
    found = []
    for section, qids in themed.values():
        paragraphs = [
            _SPACES.sub(' ', _plain(child)).strip()
            for child in section.children
            if isinstance(child, nodes.paragraph)
        ]
        text = '\n\n'.join(paragraph for paragraph in paragraphs if paragraph)
        if not text or not section['ids']:
            continue
        found.append(
            ThemeContext(
                docname=docname,
                anchor=section['ids'][0],
                line=section.line,
                title=_section_own_title(section),
                text=text,
                questions=tuple(qids),
            )
        )
    return found


def _innermost_box(node: nodes.Element) -> nodes.Element | None:
    """The nearest question or position around *node*."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, bnodes.briefing_question | bnodes.briefing_position):
            return parent
        parent = parent.parent
    return None


def _box_id(box: nodes.Element | None) -> str:
    if box is None:
        return ''
    return str(box.get('qid') or box.get('pid') or '')


def _reference(node: addnodes.pending_xref) -> Reference | None:
    domain = node.get('refdomain') or ''
    kind = node.get('reftype') or ''
    target = node.get('reftarget') or ''
    line = node.line
    if domain == 'briefing' and kind in REFERENCE_KINDS:
        return Reference(kind=kind, target=target, line=line)
    # MyST's [](#id) links and :any: can land on our objects through resolve_any_xref;
    # keep their targets so the question index can list the pages that refer to it.
    if domain in ('', 'std') and kind in ('myst', 'any'):
        return Reference(kind='any', target=target.lstrip('#'), line=line)
    return None


def _panel(docname: str, node: nodes.Element) -> Panel:
    return Panel(
        pid=node['pid'],
        docname=docname,
        anchor=node['ids'][0],
        line=node.get('line'),
        title=node['title'],
        event=node.get('event', ''),
        date=node.get('date', ''),
        start=node.get('start', ''),
        venue=node.get('venue', ''),
        duration=node.get('duration'),
        moderator=node.get('moderator', ''),
        panellists=tuple(node.get('panellists', ())),
        handling=node.get('handling', ''),
        status=node.get('status', ''),
        opening=node.get('opening'),
        closing=node.get('closing'),
        timezone=node.get('timezone', ''),
        prefix=node.get('prefix', ''),
    )


def _participant(docname: str, node: nodes.Element) -> Participant:
    return Participant(
        pid=node['pid'],
        docname=docname,
        anchor=node['ids'][0],
        line=node.get('line'),
        name=node['name'],
        affiliation=node.get('affiliation', ''),
        role=node.get('role', ''),
        reading=node.get('reading', ''),
        body=body_digest(node),
    )


def _question(docname: str, node: nodes.Element) -> Question:
    outer = enclosing(node, bnodes.briefing_question)
    explicit_parent = node.get('follow_up_of', '')
    if node.get('withheld'):
        return Question(
            qid=node['qid'],
            docname=docname,
            anchor='',
            line=node.get('line'),
            text='',
            topic=section_title(node),
            panel=node.get('panel', ''),
            minutes=node.get('minutes'),
            priority=node.get('priority', 'core'),
            parent=explicit_parent or (outer['qid'] if outer is not None else ''),
            parent_is_explicit=bool(explicit_parent),
            explicit_id=node.get('explicit_id', True),
            withheld=True,
        )
    return Question(
        qid=node['qid'],
        docname=docname,
        anchor=node['ids'][0],
        line=node.get('line'),
        text=own_text(node, keep_paragraphs=True),
        short=node.get('short', ''),
        topic=node.get('topic') or section_title(node),
        panel=node.get('panel', ''),
        to=tuple(node.get('to', ())),
        minutes=node.get('minutes'),
        priority=node.get('priority', 'core'),
        tags=tuple(node.get('tags', ())),
        parent=explicit_parent or (outer['qid'] if outer is not None else ''),
        parent_is_explicit=bool(explicit_parent),
        explicit_id=node.get('explicit_id', True),
        body=body_digest(node),
        note=note_digest(node),
    )


def _checked_question(
    question: Question, node: nodes.Element, problems: list[tuple[str, Subtype, int | None]]
) -> Question:
    """What can only be seen with the whole document: nesting against ``:follow-up-of:``,
    and a question that some builders leave out (``only``)."""
    outer = enclosing(node, bnodes.briefing_question)
    explicit = node.get('follow_up_of', '')
    if outer is not None and explicit and explicit != outer['qid']:
        problems.append(
            (
                __(
                    'question %r is written inside question %r but :follow-up-of: names %r; '
                    'it is numbered as a follow-up of %r'
                )
                % (question.qid, outer['qid'], explicit, explicit),
                Subtype.BAD_FOLLOW_UP,
                question.line,
            )
        )
    if enclosing(node, addnodes.only) is not None and not question.withheld:
        # Every builder numbers it (numbers are the same everywhere), but an index or a
        # link would lead to a question some builders do not write: listed nowhere.
        problems.append(
            (
                __(
                    'question %r is inside an "only" directive: it keeps its number, but no '
                    'question index lists it and no link leads to it, in any builder'
                )
                % question.qid,
                Subtype.CONDITIONAL,
                question.line,
            )
        )
        question = replace(question, withheld=True)
    return question


def _position(docname: str, node: nodes.Element) -> Position:
    question = node.get('question', '')
    if not question:
        outer = enclosing(node, bnodes.briefing_question)
        if outer is not None:
            question = outer['qid']
    return Position(
        pid=node['pid'],
        docname=docname,
        anchor=node['ids'][0],
        line=node.get('line'),
        actor=node.get('actor', ''),
        stance=node.get('stance', ''),
        question=question,
        topic=node.get('topic') or ('' if question else section_title(node)),
        summary=own_text(node),
        sources=tuple(node.get('sources', ())),
        explicit_id=node.get('explicit_id', True),
        body=body_digest(node),
    )
