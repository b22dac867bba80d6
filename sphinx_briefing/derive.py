"""The one cross-document step: from every document's records to numbers, checks and
collections.

Pure functions of plain data: no Sphinx application, no nodes. It runs once per build in
the main process after all (parallel) reads are merged, so its result and its warnings do
not depend on how documents were split between processes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Protocol, TypeVar

from sphinx_briefing._pickling import pickled_as_tuple
from sphinx_briefing.citations.citeproc import Rich, rich_to_text
from sphinx_briefing.citations.compat import formatted_id
from sphinx_briefing.citations.step import CitationInputs, after
from sphinx_briefing.config import DEFAULT_FOLLOWUP_FORMAT, DEFAULT_QUESTION_FORMAT
from sphinx_briefing.ids import local_anchor
from sphinx_briefing.locale import _, __
from sphinx_briefing.model import (
    CiteRef,
    Panel,
    Participant,
    Placeholder,
    Position,
    Question,
    Reference,
    Withheld,
)
from sphinx_briefing.warnings_ import Subtype

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

    kind: str  # 'opening' | 'question' | 'closing'
    start: str  # clock time 'HH:MM', or elapsed '+0:07' when the panel has no start
    minutes: int | None
    qid: str = ''


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
    #: :func:`_index_part_pages`)
    index_pages: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: question id → the part page of a split index that holds its row (where its
    #: "Question index" link leads)
    index_row_page: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

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
        return _entry_anchor(bibliography[1], key, self.entry_ids.get(bibliography, ''))

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


def _number(fmt: str, default: str, **fields: str | int) -> str:
    """A question's number; configuration checks formats (config.format_problem), so
    the default is used only for a format that fails on a value no check could try."""
    try:
        return fmt.format(**fields)
    except Exception:  # any failure of str.format: the number must still be made
        return default.format(**fields)


def _check_numbers(
    questions: Mapping[str, Question],
    numbers: Mapping[str, str],
    panel_of: Mapping[str, str],
    problems: list[Problem],
) -> None:
    """Two questions of one panel with one number are told apart by nothing (formats
    are checked with sample values; this catches what samples could not)."""
    first: dict[tuple[str, str], str] = {}
    for qid, number in numbers.items():
        key = (panel_of[qid], number)
        if key not in first:
            first[key] = qid
            continue
        q = questions[qid]
        if q.withheld:
            continue
        problems.append(
            Problem(
                __('question %r has the number %s, as question %r has: check the number formats')
                % (qid, number, first[key]),
                Subtype.DUPLICATE_ID,
                q.docname,
                q.line,
            )
        )


def letters(index: int) -> str:
    """0 → a, 25 → z, 26 → aa: follow-up letters that never run out."""
    result = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(ord('a') + rest) + result
    return result


class _Located(Protocol):
    @property
    def docname(self) -> str: ...
    @property
    def line(self) -> int | None: ...


R = TypeVar('R', bound=_Located)


def _first_wins(
    docs: Sequence[str],
    by_doc: Mapping[str, Sequence[R]],
    id_of: str,
    what: str,
    problems: list[Problem],
) -> dict[str, R]:
    """Index records by id in reading order; later duplicates are warned about."""
    seen: dict[str, R] = {}
    for doc in docs:
        for record in by_doc.get(doc, ()):
            rid: str = getattr(record, id_of)
            if rid not in seen:
                seen[rid] = record
            elif getattr(record, 'explicit_id', True):
                first = seen[rid]
                problems.append(
                    Problem(
                        __('duplicate %s id %r: first declared in %s, line %s (that one is used)')
                        % (what, rid, first.docname, first.line),
                        Subtype.DUPLICATE_ID,
                        doc,
                        record.line,
                    )
                )
    return seen


def derive(inputs: Inputs) -> Derived:
    """Compute numbers, collections and checks from every document's records."""
    problems: list[Problem] = []
    known_docs = set(inputs.doc_order)
    recorded = {
        *inputs.questions,
        *inputs.panels,
        *inputs.participants,
        *inputs.positions,
        *inputs.placeholders,
        *inputs.references,
    }
    docs = list(inputs.doc_order) + sorted(recorded - known_docs)

    panels = _first_wins(docs, inputs.panels, 'pid', __('panel'), problems)
    participants = _first_wins(docs, inputs.participants, 'pid', __('participant'), problems)
    questions = _first_wins(docs, inputs.questions, 'qid', __('question'), problems)
    positions = _first_wins(docs, inputs.positions, 'pid', __('position'), problems)

    _check_panels(panels, participants, problems)
    own_panel = _doc_panels(docs, inputs, panels)
    doc_panel = {
        doc: own_panel.get(doc) or (next(iter(panels)) if len(panels) == 1 else '') for doc in docs
    }

    # -- questions: panel, parent, number -------------------------------------------------
    panel_of: dict[str, str] = {}
    for qid, q in questions.items():
        if q.panel and q.panel not in panels:
            problems.append(
                Problem(
                    __('question %r names unknown panel %r') % (qid, q.panel),
                    Subtype.UNKNOWN_PANEL,
                    q.docname,
                    q.line,
                )
            )
        panel_of[qid] = q.panel if q.panel in panels else doc_panel[q.docname]
        if not panel_of[qid] and len(panels) > 1:
            problems.append(
                Problem(
                    __(
                        'question %r has no panel: give it :panel:, or declare the panel in '
                        'its document or in a document whose toctree includes it'
                    )
                    % qid,
                    Subtype.NO_PANEL,
                    q.docname,
                    q.line,
                )
            )

    parent_of = _resolve_parents(questions, problems)
    for qid, parent in parent_of.items():
        if parent and panel_of[qid] != panel_of[parent]:
            q = questions[qid]
            if q.panel and q.panel != panel_of[parent]:
                problems.append(
                    Problem(
                        __('follow-up %r is on panel %r but its question %r is on %r')
                        % (qid, q.panel, parent, panel_of[parent]),
                        Subtype.BAD_FOLLOW_UP,
                        q.docname,
                        q.line,
                    )
                )
            panel_of[qid] = panel_of[parent]

    numbers: dict[str, str] = {}
    followups: dict[str, list[str]] = {qid: [] for qid in questions}
    panel_questions: dict[str, list[str]] = {}
    counters: dict[str, int] = {}
    for qid in questions:
        if parent_of[qid]:
            followups[parent_of[qid]].append(qid)
            continue
        panel = panel_of[qid]
        counters[panel] = counters.get(panel, 0) + 1
        numbers[qid] = _number(
            inputs.question_format,
            DEFAULT_QUESTION_FORMAT,
            number=counters[panel],
            panel=panel,
            letter='',
            parent='',
        )
    for qid in questions:
        if parent_of[qid]:
            continue
        panel_questions.setdefault(panel_of[qid], []).append(qid)
        for index, child in enumerate(followups[qid]):
            numbers[child] = _number(
                inputs.followup_format,
                DEFAULT_FOLLOWUP_FORMAT,
                parent=numbers[qid],
                letter=letters(index),
                number=index + 1,
                panel=panel_of[qid],
            )
            panel_questions[panel_of[qid]].append(child)
    _check_numbers(questions, numbers, panel_of, problems)

    # Roles in section titles (topics) show what they name, as in the title itself.
    questions = {
        qid: _resolved_topic(q, numbers, participants, panels) for qid, q in questions.items()
    }
    positions = {
        pid: _resolved_topic(p, numbers, participants, panels) for pid, p in positions.items()
    }

    # -- addressees --------------------------------------------------------------------
    for qid, q in questions.items():
        panel_record = panels.get(panel_of[qid])
        roster = (
            {panel_record.moderator, *panel_record.panellists} - {''} if panel_record else set()
        )
        for pid in q.to:
            if pid in participants and panel_record is not None and not roster:
                # A panel without members has no one to address: not silently allowed.
                problems.append(
                    Problem(
                        __(
                            'question %r is addressed to %r, but panel %r has no moderator '
                            'and no panellists'
                        )
                        % (qid, pid, panel_of[qid]),
                        Subtype.NOT_ON_PANEL,
                        q.docname,
                        q.line,
                    )
                )
                continue
            if pid not in participants:
                problems.append(
                    Problem(
                        __('question %r is addressed to unknown participant %r') % (qid, pid),
                        Subtype.UNKNOWN_PARTICIPANT,
                        q.docname,
                        q.line,
                    )
                )
            elif roster and pid not in roster:
                problems.append(
                    Problem(
                        __('question %r is addressed to %r, who is not on panel %r')
                        % (qid, pid, panel_of[qid]),
                        Subtype.NOT_ON_PANEL,
                        q.docname,
                        q.line,
                    )
                )

    # -- positions ---------------------------------------------------------------------
    position_infos: dict[str, PositionInfo] = {}
    positions_on: dict[str, list[str]] = {}
    topic_positions: dict[tuple[str, str], list[str]] = {}
    for pid, pos in positions.items():
        question = pos.question if pos.question in questions else ''
        if pos.question and not question:
            problems.append(
                Problem(
                    __('position of %r is on unknown question %r') % (pos.actor, pos.question),
                    Subtype.UNKNOWN_QUESTION,
                    pos.docname,
                    pos.line,
                )
            )
        elif not pos.question and not pos.topic:
            problems.append(
                Problem(
                    __(
                        'position of %r has no :question:, no :topic: and no section '
                        'to take its topic from'
                    )
                    % pos.actor,
                    Subtype.NO_TARGET,
                    pos.docname,
                    pos.line,
                )
            )
        actor = participants.get(pos.actor)
        actor_name = actor.name if actor else pos.actor
        panel = panel_of[question] if question else doc_panel[pos.docname]
        target = numbers[question] if question else (pos.topic or pos.question)
        position_infos[pid] = PositionInfo(
            record=pos,
            panel=panel,
            question=question,
            actor_name=actor_name,
            label=_('%(actor)s on %(target)s') % {'actor': actor_name, 'target': target}
            if target
            else actor_name,
            summary=resolve_citations(pos.summary, pos.docname, inputs.citations.texts),
        )
        if question:
            positions_on.setdefault(question, []).append(pid)
        elif pos.topic:
            topic_positions.setdefault((panel, pos.topic), []).append(pid)

    # -- references (unknown targets are reported at write time, after intersphinx) ------
    referrers: dict[str, list[str]] = {}
    referable = {qid for qid, q in questions.items() if q.explicit_id and not q.withheld}
    for doc in docs:
        for ref in inputs.references.get(doc, ()):
            wanted = ref.kind in ('question', 'any') and ref.target in referable
            if wanted and doc not in (
                questions[ref.target].docname,
                *referrers.get(ref.target, ()),
            ):
                referrers.setdefault(ref.target, []).append(doc)

    # -- placeholders ---------------------------------------------------------------------
    placeholders = tuple(ph for doc in docs for ph in inputs.placeholders.get(doc, ()))
    placeholder_panel = _placeholder_panels(
        placeholders, panels, participants, questions, position_infos, doc_panel, problems
    )
    index_row: dict[str, tuple[str, str]] = {}
    #: the question index that index_row is in
    row_index: dict[str, Placeholder] = {}
    for ph in placeholders:
        if ph.kind != 'question-index' or (ph.docname, ph.anchor) not in placeholder_panel:
            continue
        panel = placeholder_panel[ph.docname, ph.anchor]
        for qid, q in questions.items():
            if not q.withheld and (not panel or panel_of[qid] == panel) and qid not in index_row:
                index_row[qid] = (ph.docname, row_anchor(ph, q))
                row_index[qid] = ph

    infos = {
        qid: QuestionInfo(
            record=q,
            panel=panel_of[qid],
            number=numbers[qid],
            to=q.to or (questions[parent_of[qid]].to if parent_of[qid] else ()),
            text=resolve_citations(q.text, q.docname, inputs.citations.texts),
            parent=parent_of[qid],
            followups=tuple(followups[qid]),
            positions=tuple(positions_on.get(qid, ())),
            referrers=tuple(referrers.get(qid, ())),
            index_row=index_row.get(qid),
        )
        for qid, q in questions.items()
    }

    cites = tuple(cite for doc in docs for cite in inputs.cites.get(doc, ()))
    problems.extend(
        _check_citations(cites, inputs.citations, infos, position_infos, panels, doc_panel)
    )
    bibliographies = _bibliographies(placeholders, cites, inputs.citations)
    cited_in: dict[str, list[tuple[str, str]]] = {}
    citing_docs: set[tuple[str, str]] = set()
    for cite in cites:
        for key in cite.keys:
            if (key, cite.docname) not in citing_docs:
                citing_docs.add((key, cite.docname))
                cited_in.setdefault(key, []).append((cite.docname, cite.anchor))

    derived = Derived(
        doc_order=tuple(docs),
        edition=inputs.edition,
        project_status=inputs.project_status,
        index_page_rows=inputs.index_page_rows,
        panels=panels,
        participants=participants,
        questions=infos,
        positions=position_infos,
        withheld_positions=frozenset(
            w.target for doc in docs for w in inputs.withheld.get(doc, ()) if w.kind == 'position'
        ),
        panel_questions={panel: tuple(qids) for panel, qids in panel_questions.items()},
        topic_positions={key: tuple(pids) for key, pids in topic_positions.items()},
        doc_panel=doc_panel,
        placeholders=placeholders,
        placeholder_panel=placeholder_panel,
        titles={
            doc: inputs.titles.get(doc, doc)
            for doc in {
                *(d for qids in referrers.values() for d in qids),
                *(d for places in cited_in.values() for d, _a in places),
                # the title of a split question index heads its parts
                *(ph.docname for ph in placeholders if ph.kind == 'question-index'),
            }
        },
        cites=cites,
        cite_texts=dict(inputs.citations.texts),
        entries=dict(inputs.citations.entries),
        bibliographies=bibliographies,
        cited_in={key: tuple(places) for key, places in cited_in.items()},
    )
    derived.entry_ids = {(ph.docname, ph.anchor): ph.entry_id for ph in placeholders if ph.entry_id}
    derived.homes = _entry_homes(bibliographies, derived.entry_ids)
    by_panel: dict[str, list[str]] = {}
    for pid, pinfo in position_infos.items():
        by_panel.setdefault(pinfo.panel, []).append(pid)
    derived.positions_by_panel = {panel: tuple(pids) for panel, pids in by_panel.items()}
    by_box: dict[str, list[CiteRef]] = {}
    for cite in cites:
        if cite.within:
            by_box.setdefault(cite.within, []).append(cite)
    derived.cites_by_box = {box: tuple(found) for box, found in by_box.items()}
    derived.schedules = {panel: _schedule(derived, panel) for panel in derived.panel_ids()}
    derived.index_pages, derived.index_row_page = _index_part_pages(derived, row_index, known_docs)
    problems.extend(_overruns(derived))
    derived.problems = tuple(problems)
    return derived


def _check_citations(
    cites: Sequence[CiteRef],
    citations: CitationInputs,
    questions: Mapping[str, QuestionInfo],
    positions: Mapping[str, PositionInfo],
    panels: Mapping[str, Panel],
    doc_panel: Mapping[str, str],
) -> list[Problem]:
    """Unknown keys, and sources dated after the panel they support."""
    problems = []
    for cite in cites:
        if cite.within in positions:
            panel = positions[cite.within].panel
        elif cite.within in questions:
            panel = questions[cite.within].panel
        else:
            panel = doc_panel.get(cite.docname, '')
        day = panels[panel].date if panel in panels else ''
        for key in cite.keys:
            if key not in citations.known_keys:
                problems.append(
                    Problem(
                        __('unknown citation key %r') % key,
                        Subtype.UNKNOWN_CITATION,
                        cite.docname,
                        cite.line,
                    )
                )
            elif day and key in citations.issued and after(citations.issued[key], day):
                year, month, dom = citations.issued[key]
                dated = '-'.join(
                    str(part).zfill(2) for part in (year, month, dom) if part is not None
                )
                problems.append(
                    Problem(
                        __(
                            'source %r is dated %s, after panel %r on %s: the brief cannot '
                            "rely on it (facts as of the panel's date)"
                        )
                        % (key, dated, panel, day),
                        Subtype.AFTER_EVENT,
                        cite.docname,
                        cite.line,
                    )
                )
    return problems


def _bibliographies(
    placeholders: Sequence[Placeholder], cites: Sequence[CiteRef], citations: CitationInputs
) -> dict[tuple[str, str], tuple[str, ...]]:
    """The keys each bibliography lists, in the style's order."""
    cited = {key for cite in cites for key in cite.keys}
    result = {}
    for ph in placeholders:
        if ph.kind != 'bibliography':
            continue
        here = {key for cite in cites if cite.docname == ph.docname for key in cite.keys}
        keywords = set(ph.keywords)
        result[ph.docname, ph.anchor] = tuple(
            key
            for key, _entry in citations.entries
            if (
                _in_scope(ph.scope, key, cited, here)
                and (not keywords or keywords & set(citations.keywords.get(key, ())))
                and (
                    (ph.docname, ph.anchor) not in citations.selected
                    or key in citations.selected[ph.docname, ph.anchor]
                )
            )
            or key in ph.listed
        )
    return result


_ROLE_MARK = re.compile('\x1b([^\x1b\x02]*)\x02([^\x1b]*)\x1b')
T = TypeVar('T', Question, Position)


def resolve_roles(
    text: str,
    numbers: Mapping[str, str],
    participants: Mapping[str, Participant],
    panels: Mapping[str, Panel],
) -> str:
    """A title's text with its roles' marks replaced by what the roles show: a question's
    number, a participant's name, a panel's title (anything else: what the author wrote)."""

    def shown(match: re.Match[str]) -> str:
        kind, target = match[1], match[2]
        if kind == 'question' and target in numbers:
            return numbers[target]
        if kind == 'participant' and target in participants:
            return participants[target].name
        if kind == 'panel' and target in panels:
            return panels[target].title
        return target

    return _ROLE_MARK.sub(shown, text)


def _resolved_topic(
    record: T,
    numbers: Mapping[str, str],
    participants: Mapping[str, Participant],
    panels: Mapping[str, Panel],
) -> T:
    if '\x1b' not in record.topic:
        return record  # nearly always: the record stays the environment's own
    return replace(record, topic=resolve_roles(record.topic, numbers, participants, panels))


_CITATION_MARK = re.compile('\x1a([^\x1a\x02]*)\x02([^\x1a]*)\x1a')


def resolve_citations(
    text: str, docname: str, cite_texts: Mapping[tuple[str, str], tuple[Rich, ...]]
) -> str:
    """Plain text with its citation marks replaced by the formatted citations (or, when
    a citation could not be formatted, by what the author wrote)."""
    if '\x1a' not in text:
        return text

    def formatted(match: re.Match[str]) -> str:
        rich = cite_texts.get((docname, match[1]))
        return rich_to_text(rich) if rich is not None else f'[{match[2]}]'

    return _CITATION_MARK.sub(formatted, text)


def _entry_homes(
    bibliographies: Mapping[tuple[str, str], Sequence[str]],
    entry_ids: Mapping[tuple[str, str], str],
) -> dict[tuple[str, str], tuple[str, str]]:
    homes: dict[tuple[str, str], tuple[str, str]] = {}
    for where, keys in bibliographies.items():
        for key in keys:
            anchor = (where[0], _entry_anchor(where[1], key, entry_ids.get(where, '')))
            homes.setdefault(('', key), anchor)
            homes.setdefault((where[0], key), anchor)
    return homes


def _in_scope(scope: str, key: str, cited: Set[str], here: Set[str]) -> bool:
    if scope == 'all':
        return True
    if scope == 'notcited':
        return key not in cited
    if scope == 'document':
        return key in here
    return key in cited  # 'project'


def _entry_anchor(bibliography: str, key: str, template: str) -> str:
    fallback = f'{bibliography}-{_slug(key)}'
    return formatted_id(template, fallback, key=key) if template else fallback


@lru_cache(maxsize=65536)
def _slug(key: str) -> str:
    """An id-safe form of a citation key."""
    from docutils.nodes import make_id

    if key[:1].isalpha():
        return make_id(key) or 'entry'
    # make_id drops leading digits and punctuation: "10.2307/25619751" would be "" and
    # "0982mt" "mt", and keys that differ only there would share one anchor.
    return make_id(f'key-{key}')


def _index_part_pages(
    derived: Derived, row_index: Mapping[str, Placeholder], docs: Set[str]
) -> tuple[dict[tuple[str, str], tuple[str, ...]], dict[str, str]]:
    """The parts' page names of every question index that HTML builders split, and the
    part page that holds each question's first row.

    A part is beside the index's page, so that the links made for the index are valid in
    its parts: ``questions-2`` is the second part of the index in ``questions``, or
    ``questions-question-index-1-2`` when that page has more than one question index. An
    index whose part names are taken by documents is not split.
    """
    pages_of: dict[tuple[str, str], tuple[str, ...]] = {}
    row_page: dict[str, str] = {}
    if derived.index_page_rows <= 0:
        return pages_of, row_page
    indexes_on = Counter(ph.docname for ph in derived.placeholders if ph.kind == 'question-index')
    for ph in derived.placeholders:
        if ph.kind != 'question-index' or (ph.docname, ph.anchor) not in derived.placeholder_panel:
            continue
        parts = derived.index_parts(ph)
        if indexes_on[ph.docname] == 1:
            stem = ph.docname
        else:  # the page's name is there already: the index's number in it is enough
            stem = f'{ph.docname}-{local_anchor(ph.anchor, "question-index", ph.docname)}'
        pages = tuple(f'{stem}-{k}' for k in range(1, len(parts) + 1))
        if len(parts) < 2 or any(page in docs for page in pages):
            continue
        pages_of[ph.docname, ph.anchor] = pages
        for page, part in zip(pages, parts, strict=True):
            for group in part:
                for info in group.infos:
                    if row_index.get(info.record.qid) is ph:
                        row_page.setdefault(info.record.qid, page)
    return pages_of, row_page


def row_anchor(placeholder: Placeholder, question: Question) -> str:
    """Anchor of a question's row in a question index (both ids are document-unique)."""
    return f'{placeholder.anchor}-{question.anchor}'


def _check_panels(
    panels: Mapping[str, Panel], participants: Mapping[str, Participant], problems: list[Problem]
) -> None:
    problems.extend(
        Problem(
            __('panel %r names unknown participant %r as %s') % (panel.pid, pid, role),
            Subtype.UNKNOWN_PARTICIPANT,
            panel.docname,
            panel.line,
        )
        for panel in panels.values()
        for role, pids in (
            (__('moderator'), (panel.moderator,)),
            (__('panellist'), panel.panellists),
        )
        for pid in pids
        if pid and pid not in participants
    )


def _doc_panels(docs: Sequence[str], inputs: Inputs, panels: Mapping[str, Panel]) -> dict[str, str]:
    """Each document's panel: the first panel it declares, else the first panel one of its
    collections names (a brief with ``:panel:``), else its nearest toctree ancestor's."""
    own = {
        doc: ph.panel
        for doc in reversed(docs)
        for ph in reversed(inputs.placeholders.get(doc, ()))
        if ph.panel in panels
    }
    own.update(
        (doc, records[0].pid)
        for doc, records in inputs.panels.items()
        if records and records[0].pid in panels and panels[records[0].pid].docname == doc
    )
    result: dict[str, str] = {}
    for doc in docs:
        seen = {doc}
        current = doc
        while current not in own and current in inputs.toctree_parent:
            current = inputs.toctree_parent[current]
            if current in seen:  # toctree cycles are Sphinx's warning; don't loop on them
                break
            seen.add(current)
        if current in own:
            result[doc] = own[current]
    return result


def _resolve_parents(questions: Mapping[str, Question], problems: list[Problem]) -> dict[str, str]:
    """Parent of each question; follow-ups of follow-ups hang on the top question."""
    parent_of: dict[str, str] = {}
    for qid, q in questions.items():
        parent = q.parent
        if parent and parent not in questions:
            problems.append(
                Problem(
                    __('question %r is a follow-up of unknown question %r') % (qid, parent),
                    Subtype.UNKNOWN_QUESTION,
                    q.docname,
                    q.line,
                )
            )
            parent = ''
        parent_of[qid] = parent
    for qid, q in questions.items():
        chain = [qid]
        current = parent_of[qid]
        while current and parent_of[current]:
            if current in chain:
                break
            chain.append(current)
            current = parent_of[current]
        if not parent_of[qid]:
            continue
        if current in chain:
            problems.append(
                Problem(
                    __('follow-up cycle: %s') % ' → '.join([*chain, current]),
                    Subtype.BAD_FOLLOW_UP,
                    q.docname,
                    q.line,
                )
            )
            parent_of[qid] = ''
        elif current != parent_of[qid]:
            problems.append(
                Problem(
                    __('question %r is a follow-up of a follow-up; it is numbered under %r')
                    % (qid, current),
                    Subtype.BAD_FOLLOW_UP,
                    q.docname,
                    q.line,
                )
            )
            parent_of[qid] = current
    return parent_of


def _placeholder_panels(
    placeholders: Sequence[Placeholder],
    panels: Mapping[str, Panel],
    participants: Mapping[str, Participant],
    questions: Mapping[str, Question],
    positions: Mapping[str, PositionInfo],
    doc_panel: Mapping[str, str],
    problems: list[Problem],
) -> dict[tuple[str, str], str]:
    """Check each collection directive and decide the panel it shows."""
    result: dict[tuple[str, str], str] = {}
    actors: set[str] | None = None  # every actor, worked out for the first matrix
    for ph in placeholders:
        where = (ph.docname, ph.line)
        if ph.panel and ph.panel not in panels:
            problems.append(
                Problem(
                    __('%s names unknown panel %r') % (ph.kind, ph.panel),
                    Subtype.UNKNOWN_PANEL,
                    *where,
                )
            )
            continue
        if ph.kind in ('question-index', 'bibliography'):
            result[ph.docname, ph.anchor] = ph.panel  # '' = every panel
            continue
        if ph.kind == 'panellist-brief':
            if ph.participant not in participants:
                problems.append(
                    Problem(
                        __('panellist-brief for unknown participant %r') % ph.participant,
                        Subtype.UNKNOWN_PARTICIPANT,
                        *where,
                    )
                )
                continue
            result[ph.docname, ph.anchor] = ph.panel  # '' = every panel they are on
            continue
        panel = ph.panel or doc_panel.get(ph.docname, '')
        if not panel:
            problems.append(
                Problem(
                    __('%s has no panel: give it :panel:') % ph.kind,
                    Subtype.NO_PANEL,
                    *where,
                )
            )
            continue
        result[ph.docname, ph.anchor] = panel
        if ph.kind == 'position-matrix':
            if actors is None:
                actors = {p.record.actor for p in positions.values()}
            for actor in ph.actors:
                if actor not in actors:
                    problems.append(
                        Problem(
                            __('position-matrix :actors: names %r, who holds no position') % actor,
                            Subtype.BAD_OPTION,
                            *where,
                        )
                    )
            for qid in ph.questions:
                if qid not in questions:
                    problems.append(
                        Problem(
                            __('position-matrix :questions: names unknown question %r') % qid,
                            Subtype.UNKNOWN_QUESTION,
                            *where,
                        )
                    )
    return result


# -- runs of show ---------------------------------------------------------------------------


def clock(start: str, elapsed: int) -> str:
    """'14:00' + 67 → '15:07'; without a start, the elapsed time '+1:07'."""
    if not start:
        return f'+{elapsed // 60}:{elapsed % 60:02d}'
    hours, minutes = (int(part) for part in start.split(':'))
    total = hours * 60 + minutes + elapsed
    return f'{total // 60 % 24:02d}:{total % 60:02d}'


def _schedule(derived: Derived, panel: str) -> Schedule:
    record = derived.panels.get(panel)
    start = record.start if record else ''
    slots: list[Slot] = []
    reserve: list[str] = []
    elapsed = 0

    def add(kind: str, minutes: int | None, qid: str = '') -> None:
        nonlocal elapsed
        slots.append(Slot(kind=kind, start=clock(start, elapsed), minutes=minutes, qid=qid))
        elapsed += minutes or 0

    if record is not None and record.opening:
        add('opening', record.opening)
    for info in derived.questions_of(panel, shown_only=False):
        if info.record.priority == 'core':
            add('question', info.record.minutes, info.record.qid)
        else:
            reserve.append(info.record.qid)
    if record is not None and record.closing:
        add('closing', record.closing)
    return Schedule(
        slots=tuple(slots), reserve=tuple(reserve), needed=elapsed, end=clock(start, elapsed)
    )


def _overruns(derived: Derived) -> list[Problem]:
    problems = []
    for pid, panel in derived.panels.items():
        schedule = derived.schedules.get(pid)
        if schedule is None or panel.duration is None or schedule.needed <= panel.duration:
            continue
        problems.append(
            Problem(
                __(
                    'the run of show of panel %r needs %d minutes (core questions, opening '
                    'and closing) but the panel lasts %d minutes'
                )
                % (pid, schedule.needed, panel.duration),
                Subtype.OVERRUN,
                panel.docname,
                panel.line,
            )
        )
    return problems
