"""What the step hands the write phase: plain, frozen records and their lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sphinx_briefing._pickling import pickled_as_tuple
from sphinx_briefing.citations.citeproc import Rich
from sphinx_briefing.citations.step import CitationInputs
from sphinx_briefing.derive.anchors import entry_anchor
from sphinx_briefing.model import (
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
)
from sphinx_briefing.warnings_ import Subtype

if TYPE_CHECKING:
    from sphinx_briefing.derive.pack import PackInfo
    from sphinx_briefing.derive.stances import StanceGroups

#: how many citing pages a bibliography entry links back to (a source cited on hundreds of
#: pages would otherwise carry hundreds of links)
BACKLINKS = 5


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning found by :func:`derive`, emitted by the caller."""

    message: str
    subtype: Subtype
    docname: str  # '' for configuration problems
    line: int | None
    #: a file that is not a document (a .bib file), named as 'path:line' instead
    path: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class QuestionInfo:
    """A question with everything other documents decide about it."""

    record: Question
    panel: str  # resolved panel id ('' when the project has no panel for it)
    number: str  # 'Q3', 'Q3a'
    to: tuple[str, ...] = ()  # addressees; a follow-up without :to: inherits its parent's
    #: the question's plain text with its citations formatted
    text: str = ''
    parent: str = ''  # resolved parent question id
    followups: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()  # position ids, reading order
    referrers: tuple[str, ...] = ()  # other documents that refer to it, reading order
    index_row: tuple[str, str] | None = None  # (docname, anchor) of its question-index row
    #: its one-line form (its :short:, else its text shortened; see derive.short)
    short: str = ''

    @property
    def shown(self) -> bool:
        """False for a question this edition withholds (it only keeps its number)."""
        return not self.record.withheld


@dataclass(frozen=True, slots=True)
class IndexGroup:
    """One group of a question index: a heading (topic, addressee or panel) and its rows."""

    panel: str
    key: str  # see Derived.index_groups
    infos: tuple[QuestionInfo, ...]


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class PositionInfo:
    record: Position
    panel: str
    question: str  # resolved question id ('' for a topic position or an unknown question)
    actor_name: str  # participant name when the actor is a participant id
    label: str  # 'United States on Q1'
    summary: str = ''  # plain text with its citations formatted


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Slot:
    """One line of a run of show."""

    kind: str  # 'opening' | 'question' | 'break' | 'session' | 'closing'
    start: str  # clock time 'HH:MM', or elapsed '+0:07' when the panel has no start
    minutes: int | None
    qid: str = ''
    label: str = ''  # a break's label, a session's title


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Schedule:
    """A panel's run of show: core items with clock times, reserve questions apart."""

    slots: tuple[Slot, ...]
    reserve: tuple[str, ...]  # reserve and defensive questions, numbering order
    needed: int  # minutes the core items need
    end: str  # clock time (or elapsed) after the last core item


@dataclass(frozen=True, slots=True)
class Inputs:
    """What :func:`derive` needs from the environment, as plain data."""

    panels: Mapping[str, Sequence[Panel]]
    participants: Mapping[str, Sequence[Participant]]
    questions: Mapping[str, Sequence[Question]]
    positions: Mapping[str, Sequence[Position]]
    references: Mapping[str, Sequence[Reference]]
    placeholders: Mapping[str, Sequence[Placeholder]]
    withheld: Mapping[str, Sequence[Withheld]]
    cites: Mapping[str, Sequence[CiteRef]]
    doc_order: Sequence[str]  # reading (toctree) order, orphans last
    toctree_parent: Mapping[str, str]  # doc → the doc whose toctree includes it first
    titles: Mapping[str, str]  # doc → plain title
    question_format: str = 'Q{number}'
    followup_format: str = '{parent}{letter}'
    edition: str = 'moderator'
    project_status: str = ''
    #: rows per page of a question index that HTML builders split (0: never split)
    index_page_rows: int = 0
    citations: CitationInputs = field(default_factory=CitationInputs)
    breaks: Mapping[str, Sequence[Break]] = field(default_factory=dict)
    pages: Mapping[str, Sequence[Page]] = field(default_factory=dict)
    pack: Mapping[str, Sequence[PackItem]] = field(default_factory=dict)
    contexts: Mapping[str, Sequence[ThemeContext]] = field(default_factory=dict)


@dataclass
class Derived:
    """The result: read by the write phase, never written by it."""

    doc_order: tuple[str, ...] = ()
    edition: str = 'moderator'
    project_status: str = ''
    index_page_rows: int = 0
    panels: dict[str, Panel] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    questions: dict[str, QuestionInfo] = field(default_factory=dict)
    positions: dict[str, PositionInfo] = field(default_factory=dict)
    #: position ids this edition leaves out (references to them are not 'unknown')
    withheld_positions: frozenset[str] = frozenset()
    #: panel id → its questions in numbering order (Q1, Q1a, Q1b, Q2 …)
    panel_questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (panel id, topic) → positions attached to a topic rather than a question
    topic_positions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: panel id → its run of show
    schedules: dict[str, Schedule] = field(default_factory=dict)
    #: panel id → its breaks, each with the question it comes before ('' = after the
    #: last question), in reading order
    panel_breaks: dict[str, tuple[tuple[str, Break], ...]] = field(default_factory=dict)
    #: document → the panel its pages belong to (banners), '' for none
    doc_panel: dict[str, str] = field(default_factory=dict)
    placeholders: tuple[Placeholder, ...] = ()
    #: (docname, anchor) of a placeholder → the panel it shows ('' = every panel)
    placeholder_panel: dict[tuple[str, str], str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    #: citations, in reading order (sources of positions included)
    cites: tuple[CiteRef, ...] = ()
    #: (docname, anchor) of a citation → the formatted citation
    cite_texts: dict[tuple[str, str], tuple[Rich, ...]] = field(default_factory=dict)
    #: every formatted entry by key
    entries: dict[str, tuple[Rich, ...]] = field(default_factory=dict)
    #: (docname, anchor) of a bibliography → its keys, in the style's order
    bibliographies: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: key → (docname, anchor of its first citation in that document), reading order
    cited_in: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: (docname, key) → an entry's anchor in that document's first bibliography listing
    #: it; ('', key) → in the project's first
    homes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: (docname, anchor) of a bibliography → its entries' id template (bibtex_cite_id)
    entry_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    #: indexes of the above for the collections: panel → its positions' ids; question or
    #: position id → the citations in it, in reading order
    positions_by_panel: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cites_by_box: dict[str, tuple[CiteRef, ...]] = field(default_factory=dict)
    #: (docname, anchor) of a question index that HTML builders split (more rows than
    #: ``index_page_rows``, part names free) → its parts' page names (see
    #: :func:`index_part_pages`)
    index_pages: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: question id → the part page of a split index that holds its row (where its
    #: "Question index" link leads)
    index_row_page: dict[str, str] = field(default_factory=dict)
    #: the moderator's pack (see :mod:`.pack`): key → item; (panel, kind, holder) → the
    #: key of the item briefs show; question id (or 'panel:' + panel id) → keys of the
    #: moderator's notes; participant id → the key of their bio; question id → its theme
    pack: dict[str, PackInfo] = field(default_factory=dict)
    pack_roles: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)
    pack_notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bios: dict[str, str] = field(default_factory=dict)
    themes: dict[str, ThemeContext] = field(default_factory=dict)
    #: question id → its positions' actors grouped by stance (see :mod:`.stances`)
    stances_on: dict[str, StanceGroups] = field(default_factory=dict)
    #: the day of the build as briefs give it (set after the step: not the records', but
    #: read through the page's view, so that a brief built on another day is rewritten)
    build_date: str = ''
    problems: tuple[Problem, ...] = ()

    def pack_items(self, panel: str, kind: str, holder: str = '') -> list[PackInfo]:
        """What briefs show of a panel's pack: its objectives or logistics (every block,
        in reading order), its opening or closing, the lines to take of *holder* ('' the
        host), *holder*'s introduction."""
        return [self.pack[key] for key in self.pack_roles.get((panel, kind, holder), ())]

    def pack_item(self, panel: str, kind: str, holder: str = '') -> PackInfo | None:
        """The first of :meth:`pack_items` (the only one, but for objectives and
        logistics)."""
        found = self.pack_items(panel, kind, holder)
        return found[0] if found else None

    def panel_ids(self) -> list[str]:
        """Panels in reading order, then '' if some questions have no panel."""
        ids = list(self.panels)
        if '' in self.panel_questions:
            ids.append('')
        return ids

    def questions_of(self, panel: str, *, shown_only: bool = True) -> list[QuestionInfo]:
        """Questions of one panel ('' for all) in numbering order."""
        panels = [panel] if panel else self.panel_ids()
        infos = (self.questions[q] for p in panels for q in self.panel_questions.get(p, ()))
        return [info for info in infos if info.shown or not shown_only]

    def roster(self, panel: str) -> list[str]:
        """Moderator then panellists of a panel (participant ids)."""
        record = self.panels.get(panel)
        if record is None:
            return []
        return [pid for pid in (record.moderator, *record.panellists) if pid]

    def panels_of(self, participant: str) -> list[str]:
        """Panels a participant sits on, then those they are only asked a question in, in
        reading order."""
        sits, asked = self._panels_by_participant.get(participant, ((), frozenset()))
        order = list(self.panels)
        return [*sits, *sorted(asked.difference(sits), key=order.index)]

    @cached_property
    def _panels_by_participant(self) -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
        """Participant → (panels they sit on, in reading order; panels they are asked a
        question in). Worked out once, on first use: every brief asks, and a pass over
        all questions per brief made the briefs' cost grow with briefs × questions.

        Read only once the result is complete.
        """
        sits: dict[str, list[str]] = {}
        asked: dict[str, set[str]] = {}
        for panel in self.panels:
            for pid in dict.fromkeys(self.roster(panel)):  # a moderator may also be listed
                sits.setdefault(pid, []).append(panel)
        for info in self.questions.values():
            if info.panel:
                for pid in info.to:
                    asked.setdefault(pid, set()).add(info.panel)
        return {
            pid: (tuple(sits.get(pid, ())), frozenset(asked.get(pid, ())))
            for pid in sits.keys() | asked.keys()
        }

    def questions_for(self, participant: str, panel: str) -> list[QuestionInfo]:
        """What a participant is asked on a panel: the questions addressed to them, with
        their follow-ups; a moderator gets every question."""
        infos = self.questions_of(panel)
        record = self.panels.get(panel)
        if record is not None and record.moderator == participant:
            return infos
        return [info for info in infos if participant in info.to]

    def index_groups(self, group_by: str, panel: str) -> list[tuple[str, list[QuestionInfo]]]:
        """The groups of a question index's rows for one panel, in order, by key: the
        topic, the addressee's participant id ('' for the whole panel) or the panel id.
        A question addressed to two participants is a row in both their groups."""
        infos = self.questions_of(panel)
        if group_by == 'topic':
            by_topic: dict[str, list[QuestionInfo]] = {}
            for info in infos:
                # A follow-up stays with its question even under another heading.
                topic = (
                    self.questions[info.parent].record.topic if info.parent else info.record.topic
                )
                by_topic.setdefault(topic, []).append(info)
            return list(by_topic.items())
        if group_by == 'participant':
            order = self.roster(panel)
            keyed: dict[str, list[QuestionInfo]] = {}
            for info in infos:
                for pid in info.to or ('',):
                    keyed.setdefault(pid, []).append(info)
                    if pid and pid not in order:
                        order.append(pid)
            return [(pid, keyed[pid]) for pid in [*order, ''] if pid in keyed]
        return [(panel, infos)] if infos else []

    def index_parts(self, ph: Placeholder) -> list[list[IndexGroup]]:
        """A question index's groups, packed in order into parts of at most
        ``index_page_rows`` rows (a larger group is a part of its own); one part when the
        index is not split."""
        panels = [ph.panel] if ph.panel else self.panel_ids()
        groups = [
            IndexGroup(panel, key, tuple(infos))
            for panel in panels
            for key, infos in self.index_groups(ph.group_by, panel)
        ]
        limit = self.index_page_rows
        if limit <= 0 or sum(len(g.infos) for g in groups) <= limit:
            return [groups]
        parts: list[list[IndexGroup]] = [[]]
        rows = 0
        for group in groups:
            if parts[-1] and rows + len(group.infos) > limit:
                parts.append([])
                rows = 0
            parts[-1].append(group)
            rows += len(group.infos)
        return parts

    def index_referred(self, ph: Placeholder) -> bool:
        """Whether any question of a question index (every group, every part) is referred
        to from elsewhere: else the index has no "Referred to in" column rather than an
        empty one. (One answer, so that a page recording this read depends on the
        answer alone, not on every row of the index.)"""
        return any(
            info.referrers
            for part in self.index_parts(ph)
            for group in part
            for info in group.infos
        )

    def index_outline(self, ph: Placeholder) -> list[list[tuple[str, str, int]]]:
        """What the page of a split question index shows of its parts: each part's groups
        as (panel, key, rows)."""
        return [
            [(group.panel, group.key, len(group.infos)) for group in part]
            for part in self.index_parts(ph)
        ]

    def index_part(self, ph: Placeholder, k: int) -> tuple[int, frozenset[str], list[IndexGroup]]:
        """What part *k* (from 0) of a split question index shows: the number of groups
        before it, its questions that have a row in an earlier part (a question's first
        row carries its anchor), and its groups."""
        parts = self.index_parts(ph)
        before = {info.record.qid for part in parts[:k] for g in part for info in g.infos}
        mine = {info.record.qid for g in parts[k] for info in g.infos}
        return sum(len(part) for part in parts[:k]), frozenset(before & mine), parts[k]

    def matrix_layout(
        self, panel: str, questions: Sequence[str] = (), actors: Sequence[str] = ()
    ) -> tuple[list[str], list[str], dict[tuple[str, str], list[str]]]:
        """Columns (question ids), rows (actors) and cells ((actor, question) → position
        ids) of a position matrix; by default every question with a position, and every
        actor in reading order."""
        positions = [(pid, self.positions[pid]) for pid in self.positions_by_panel.get(panel, ())]
        if questions:
            qids = [q for q in questions if q in self.questions and self.questions[q].shown]
        else:
            on = {info.question for _pid, info in positions}
            qids = [i.record.qid for i in self.questions_of(panel) if i.record.qid in on]
        # Sets for the membership tests: a panel of 25 documents has 250 questions and 500
        # positions, and lists made this loop quadratic (1.6 s of a 500-document build).
        shown_qids = set(qids)
        rows: list[str] = list(actors)
        if not rows:
            rows = list(
                dict.fromkeys(
                    info.record.actor for _pid, info in positions if info.question in shown_qids
                )
            )
        row_set = set(rows)
        cells: dict[tuple[str, str], list[str]] = {}
        for pid, info in positions:
            if info.question in shown_qids and info.record.actor in row_set:
                cells.setdefault((info.record.actor, info.question), []).append(pid)
        return qids, rows, cells

    def entry_anchor(self, bibliography: tuple[str, str], key: str) -> str:
        """Anchor of an entry in a bibliography (unique per bibliography)."""
        return entry_anchor(bibliography[1], key, self.entry_ids.get(bibliography, ''))

    def entry_home(self, key: str, docname: str) -> tuple[str, str] | None:
        """Where a citation in *docname* links to: the entry in a bibliography of the same
        document if there is one, else in the first bibliography (reading order)."""
        return self.homes.get((docname, key)) or self.homes.get(('', key))

    def cites_within(self, ids: Iterable[str]) -> list[CiteRef]:
        """The citations inside the given questions and positions (and their sources),
        in the order of *ids*."""
        return [cite for id_ in ids for cite in self.cites_by_box.get(id_, ())]

    def keys_within(self, ids: Iterable[str]) -> list[str]:
        """Keys cited inside the given questions and positions (and their sources), in
        the style's bibliography order (by author, or by number)."""
        seen = {key for cite in self.cites_within(ids) for key in cite.keys}
        return [key for key in self.entries if key in seen]
