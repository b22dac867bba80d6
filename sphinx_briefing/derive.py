"""The one cross-document step: from every document's records to numbers, checks,
collections and the list of pages to rewrite.

Pure functions of plain data: no Sphinx application, no nodes. It runs once per build in
the main process after all (parallel) reads are merged, so its result and its warnings do
not depend on how documents were split between processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sphinx_briefing.locale import _
from sphinx_briefing.model import Panel, Participant, Placeholder, Position, Question, Reference
from sphinx_briefing.warnings_ import Subtype

#: a thing a page can show; ('q', id), ('participant', id), ('panel', id), ('pos', id),
#: ('questions-of', panel id or '*')
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Problem:
    """A warning found by :func:`derive`, emitted by the caller."""

    message: str
    subtype: Subtype
    docname: str
    line: int | None


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    """A question with everything other documents decide about it."""

    record: Question
    panel: str  # resolved panel id ('' when the project has no panel for it)
    number: str  # 'Q3', 'Q3a'
    to: tuple[str, ...] = ()  # addressees; a follow-up without :to: inherits its parent's
    parent: str = ''  # resolved parent question id
    followups: tuple[str, ...] = ()
    positions: tuple[str, ...] = ()  # position ids, reading order
    referrers: tuple[str, ...] = ()  # other documents that refer to it, reading order
    index_row: tuple[str, str] | None = None  # (docname, anchor) of its question-index row


@dataclass(frozen=True, slots=True)
class PositionInfo:
    record: Position
    panel: str
    question: str  # resolved question id ('' for a topic position or an unknown question)
    actor_name: str  # participant name when the actor is a participant id
    label: str  # 'United States on Q1'


@dataclass(frozen=True, slots=True)
class Inputs:
    """What :func:`derive` needs from the environment, as plain data."""

    panels: Mapping[str, Sequence[Panel]]
    participants: Mapping[str, Sequence[Participant]]
    questions: Mapping[str, Sequence[Question]]
    positions: Mapping[str, Sequence[Position]]
    references: Mapping[str, Sequence[Reference]]
    placeholders: Mapping[str, Sequence[Placeholder]]
    doc_order: Sequence[str]  # reading (toctree) order, orphans last
    toctree_parent: Mapping[str, str]  # doc → the doc whose toctree includes it first
    titles: Mapping[str, str]  # doc → plain title
    question_format: str = 'Q{number}'
    followup_format: str = '{parent}{letter}'


@dataclass
class Derived:
    """The result: read by the write phase, never written by it."""

    doc_order: tuple[str, ...] = ()
    panels: dict[str, Panel] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    questions: dict[str, QuestionInfo] = field(default_factory=dict)
    positions: dict[str, PositionInfo] = field(default_factory=dict)
    #: panel id → its questions in numbering order (Q1, Q1a, Q1b, Q2 …)
    panel_questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (panel id, topic) → positions attached to a topic rather than a question
    topic_positions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    placeholders: tuple[Placeholder, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    #: key → digest of everything a page shows about it
    digests: dict[Key, bytes] = field(default_factory=dict)
    #: doc → the keys its rendering reads
    deps: dict[str, frozenset[Key]] = field(default_factory=dict)

    def panel_ids(self) -> list[str]:
        """Panels in reading order, then '' if some questions have no panel."""
        ids = list(self.panels)
        if '' in self.panel_questions:
            ids.append('')
        return ids

    def questions_of(self, panel: str) -> list[QuestionInfo]:
        """Questions of one panel ('' for all) in numbering order."""
        panels = [panel] if panel else self.panel_ids()
        return [self.questions[qid] for pid in panels for qid in self.panel_questions.get(pid, ())]

    def pages_to_rewrite(self, before: Derived | None) -> set[str]:
        """Documents whose rendering reads something that changed since *before*."""
        if before is None:
            return set(self.deps)
        changed = {
            key
            for key in self.digests.keys() | before.digests.keys()
            if self.digests.get(key) != before.digests.get(key)
        }
        return {doc for doc, keys in self.deps.items() if not keys.isdisjoint(changed)}


def letters(index: int) -> str:
    """0 → a, 25 → z, 26 → aa: follow-up letters that never run out."""
    result = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(ord('a') + rest) + result
    return result


def _first_wins(
    docs: Sequence[str],
    by_doc: Mapping[str, Sequence[object]],
    key: str,
    what: str,
    problems: list[Problem],
    *,
    only_explicit: bool = False,
) -> dict[str, object]:
    """Index records by id in reading order; later duplicates are warned about."""
    seen: dict[str, object] = {}
    for doc in docs:
        for record in by_doc.get(doc, ()):
            rid = getattr(record, key)
            if rid in seen and (not only_explicit or getattr(record, 'explicit_id', True)):
                first = seen[rid]
                problems.append(
                    Problem(
                        _('duplicate %s id %r: first declared in %s, line %s (that one is used)')
                        % (what, rid, first.docname, first.line),  # type: ignore[attr-defined]
                        Subtype.DUPLICATE_ID,
                        doc,
                        record.line,  # type: ignore[attr-defined]
                    )
                )
                continue
            seen[rid] = record
    return seen


def derive(inputs: Inputs) -> Derived:
    """Compute numbers, collections, checks and digests from every document's records."""
    problems: list[Problem] = []
    known_docs = set(inputs.doc_order)
    docs = list(inputs.doc_order) + sorted(
        {*inputs.questions, *inputs.panels, *inputs.participants, *inputs.positions} - known_docs
    )

    panels: dict[str, Panel] = _first_wins(docs, inputs.panels, 'pid', _('panel'), problems)  # type: ignore[assignment]
    participants: dict[str, Participant] = _first_wins(  # type: ignore[assignment]
        docs, inputs.participants, 'pid', _('participant'), problems
    )
    questions: dict[str, Question] = _first_wins(  # type: ignore[assignment]
        docs, inputs.questions, 'qid', _('question'), problems
    )
    positions: dict[str, Position] = _first_wins(  # type: ignore[assignment]
        docs, inputs.positions, 'pid', _('position'), problems
    )

    _check_panels(panels, participants, problems)
    doc_panel = _doc_panels(docs, inputs, panels)

    def panel_of_doc(doc: str) -> str:
        return doc_panel.get(doc) or (next(iter(panels)) if len(panels) == 1 else '')

    # -- questions: panel, parent, number -------------------------------------------------
    panel_of: dict[str, str] = {}
    for qid, q in questions.items():
        inferred = panel_of_doc(q.docname)
        if q.panel and q.panel not in panels:
            problems.append(
                Problem(
                    _('question %r names unknown panel %r') % (qid, q.panel),
                    Subtype.UNKNOWN_PANEL,
                    q.docname,
                    q.line,
                )
            )
        panel_of[qid] = q.panel if q.panel in panels else inferred
        if not panel_of[qid] and len(panels) > 1:
            problems.append(
                Problem(
                    _(
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
                        _('follow-up %r is on panel %r but its question %r is on %r')
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
        numbers[qid] = inputs.question_format.format(
            number=counters[panel], panel=panel, letter='', parent=''
        )
    for qid in questions:
        if parent_of[qid]:
            continue
        panel_questions.setdefault(panel_of[qid], []).append(qid)
        for index, child in enumerate(followups[qid]):
            numbers[child] = inputs.followup_format.format(
                parent=numbers[qid], letter=letters(index), number=index + 1, panel=panel_of[qid]
            )
            panel_questions[panel_of[qid]].append(child)

    # -- addressees --------------------------------------------------------------------
    for qid, q in questions.items():
        panel_record = panels.get(panel_of[qid])
        roster = (
            {panel_record.moderator, *panel_record.panellists} - {''} if panel_record else set()
        )
        for pid in q.to:
            if pid not in participants:
                problems.append(
                    Problem(
                        _('question %r is addressed to unknown participant %r') % (qid, pid),
                        Subtype.UNKNOWN_PARTICIPANT,
                        q.docname,
                        q.line,
                    )
                )
            elif roster and pid not in roster:
                problems.append(
                    Problem(
                        _('question %r is addressed to %r, who is not on panel %r')
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
                    _('position of %r is on unknown question %r') % (pos.actor, pos.question),
                    Subtype.UNKNOWN_QUESTION,
                    pos.docname,
                    pos.line,
                )
            )
        elif not pos.question and not pos.topic:
            problems.append(
                Problem(
                    _(
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
        panel = panel_of[question] if question else panel_of_doc(pos.docname)
        target = numbers[question] if question else (pos.topic or pos.question)
        position_infos[pid] = PositionInfo(
            record=pos,
            panel=panel,
            question=question,
            actor_name=actor_name,
            label=_('%(actor)s on %(target)s') % {'actor': actor_name, 'target': target}
            if target
            else actor_name,
        )
        if question:
            positions_on.setdefault(question, []).append(pid)
        elif pos.topic:
            topic_positions.setdefault((panel, pos.topic), []).append(pid)

    # -- references and placeholders -----------------------------------------------------
    # Unknown targets are not reported here: intersphinx may still resolve them at write
    # time; what stays unresolved is reported by :func:`events.report_missing_reference`.
    referrers: dict[str, list[str]] = {}
    referable = {qid for qid, q in questions.items() if q.explicit_id}
    for doc in docs:
        for ref in inputs.references.get(doc, ()):
            wanted = ref.kind in ('question', 'any') and ref.target in referable
            if wanted and doc not in (
                questions[ref.target].docname,
                *referrers.get(ref.target, ()),
            ):
                referrers.setdefault(ref.target, []).append(doc)

    placeholders = tuple(ph for doc in docs for ph in inputs.placeholders.get(doc, ()))
    index_row: dict[str, tuple[str, str]] = {}
    for ph in placeholders:
        if ph.panel and ph.panel not in panels:
            problems.append(
                Problem(
                    _('%s names unknown panel %r') % (ph.kind, ph.panel),
                    Subtype.UNKNOWN_PANEL,
                    ph.docname,
                    ph.line,
                )
            )
            continue
        for qid in questions:
            if (not ph.panel or panel_of[qid] == ph.panel) and qid not in index_row:
                index_row[qid] = (ph.docname, row_anchor(ph, questions[qid]))

    derived = Derived(
        doc_order=tuple(docs),
        panels=panels,
        participants=participants,
        questions={
            qid: QuestionInfo(
                record=q,
                panel=panel_of[qid],
                number=numbers[qid],
                to=q.to or (questions[parent_of[qid]].to if parent_of[qid] else ()),
                parent=parent_of[qid],
                followups=tuple(followups[qid]),
                positions=tuple(positions_on.get(qid, ())),
                referrers=tuple(referrers.get(qid, ())),
                index_row=index_row.get(qid),
            )
            for qid, q in questions.items()
        },
        positions=position_infos,
        panel_questions={panel: tuple(qids) for panel, qids in panel_questions.items()},
        topic_positions={key: tuple(pids) for key, pids in topic_positions.items()},
        placeholders=placeholders,
        titles={doc: inputs.titles.get(doc, doc) for qids in referrers.values() for doc in qids},
        problems=tuple(problems),
    )
    derived.digests = _digests(derived)
    derived.deps = _deps(docs, inputs, derived)
    return derived


def row_anchor(placeholder: Placeholder, question: Question) -> str:
    """Anchor of a question's row in a question index (both ids are document-unique)."""
    return f'{placeholder.anchor}-{question.anchor}'


def _check_panels(
    panels: Mapping[str, Panel], participants: Mapping[str, Participant], problems: list[Problem]
) -> None:
    problems.extend(
        Problem(
            _('panel %r names unknown participant %r as %s') % (panel.pid, pid, role),
            Subtype.UNKNOWN_PARTICIPANT,
            panel.docname,
            panel.line,
        )
        for panel in panels.values()
        for role, pids in ((_('moderator'), (panel.moderator,)), (_('panellist'), panel.panellists))
        for pid in pids
        if pid and pid not in participants
    )


def _doc_panels(docs: Sequence[str], inputs: Inputs, panels: Mapping[str, Panel]) -> dict[str, str]:
    """Each document's panel: its own first panel, else its nearest toctree ancestor's."""
    own = {
        doc: records[0].pid
        for doc, records in inputs.panels.items()
        if records and records[0].pid in panels and panels[records[0].pid].docname == doc
    }
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
                    _('question %r is a follow-up of unknown question %r') % (qid, parent),
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
                    _('follow-up cycle: %s') % ' → '.join([*chain, current]),
                    Subtype.BAD_FOLLOW_UP,
                    q.docname,
                    q.line,
                )
            )
            parent_of[qid] = ''
        elif current != parent_of[qid]:
            problems.append(
                Problem(
                    _('question %r is a follow-up of a follow-up; it is numbered under %r')
                    % (qid, current),
                    Subtype.BAD_FOLLOW_UP,
                    q.docname,
                    q.line,
                )
            )
            parent_of[qid] = current
    # A question demoted to top level above may still be named as a parent: that is fine.
    return parent_of


# -- digests: what a page shows about each thing ------------------------------------------


def _digest(*parts: object) -> bytes:
    # repr() of str/int/tuple/None is stable across processes (hash() is salted).
    return hashlib.blake2b(repr(parts).encode('utf-8'), digest_size=12).digest()


def _participant_view(derived: Derived, pid: str) -> tuple[object, ...]:
    p = derived.participants.get(pid)
    return (pid, p.name, p.docname, p.anchor) if p else (pid,)


def _question_view(derived: Derived, info: QuestionInfo) -> tuple[object, ...]:
    q = info.record
    return (
        info.number,
        q.text,
        q.topic,
        info.panel,
        q.docname,
        q.anchor,
        tuple(_participant_view(derived, pid) for pid in info.to),
        q.minutes,
        q.priority,
        q.tags,
        info.parent and derived.questions[info.parent].number,
        tuple(derived.questions[f].number for f in info.followups),
        tuple(_position_view(derived, pid) for pid in info.positions),
        tuple((doc, derived.titles.get(doc, doc)) for doc in info.referrers),
        info.index_row,
    )


def _position_view(derived: Derived, pid: str) -> tuple[object, ...]:
    info = derived.positions[pid]
    p = info.record
    return (pid, info.label, info.actor_name, p.stance, p.docname, p.anchor, p.summary, p.sources)


def _digests(derived: Derived) -> dict[Key, bytes]:
    digests: dict[Key, bytes] = {}
    question_digest: dict[str, bytes] = {}
    for qid, info in derived.questions.items():
        question_digest[qid] = digests['q', qid] = _digest(_question_view(derived, info))
    for pid in derived.participants:
        p = derived.participants[pid]
        digests['participant', pid] = _digest(p)
    for pid, panel_record in derived.panels.items():
        digests['panel', pid] = _digest(
            panel_record,
            _participant_view(derived, panel_record.moderator),
            tuple(_participant_view(derived, x) for x in panel_record.panellists),
        )
    for pid, position in derived.positions.items():
        digests['pos', pid] = _digest(
            _position_view(derived, pid),
            position.question and derived.questions[position.question].number,
        )
    all_panels: list[object] = []
    for panel in derived.panel_ids():
        panel_part = (
            derived.panels.get(panel),
            tuple(question_digest[qid] for qid in derived.panel_questions.get(panel, ())),
            tuple(
                (topic, tuple(_position_view(derived, pid) for pid in pids))
                for (p, topic), pids in derived.topic_positions.items()
                if p == panel
            ),
            tuple(
                _participant_view(derived, pid)
                for qid in derived.panel_questions.get(panel, ())
                for pid in derived.questions[qid].to
            ),
        )
        digests['questions-of', panel] = _digest(panel_part)
        all_panels.append(panel_part)
    digests['questions-of', '*'] = _digest(all_panels)
    return digests


def _deps(docs: Iterable[str], inputs: Inputs, derived: Derived) -> dict[str, frozenset[Key]]:
    """The keys each document's rendering reads (see the fillers in :mod:`events`)."""
    by_target: dict[str, list[Key]] = {}
    for kind, ids in (
        ('q', derived.questions),
        ('participant', derived.participants),
        ('panel', derived.panels),
        ('pos', derived.positions),
    ):
        for rid in ids:
            by_target.setdefault(rid, []).append((kind, rid))
    role_key = {'question': 'q', 'participant': 'participant', 'panel': 'panel', 'position': 'pos'}
    deps: dict[str, frozenset[Key]] = {}
    for doc in docs:
        keys: set[Key] = set()
        keys.update(('q', q.qid) for q in inputs.questions.get(doc, ()))
        keys.update(('pos', p.pid) for p in inputs.positions.get(doc, ()))
        keys.update(('panel', p.pid) for p in inputs.panels.get(doc, ()))
        keys.update(('participant', p.pid) for p in inputs.participants.get(doc, ()))
        for ref in inputs.references.get(doc, ()):
            if ref.kind == 'any':
                keys.update(by_target.get(ref.target, ()))
            else:
                keys.add((role_key[ref.kind], ref.target))
        for ph in inputs.placeholders.get(doc, ()):
            keys.add(('questions-of', ph.panel or '*'))
        if keys:
            deps[doc] = frozenset(keys)
    return deps
