"""The cross-document step as the pure function it is: hand-built records in, numbers,
schedules, collections and problems out. No Sphinx application, no files: each test says
what a book's records are and what the step decides from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sphinx_briefing.derive import Derived, Inputs, derive
from sphinx_briefing.model import (
    Panel,
    Participant,
    Placeholder,
    Position,
    Question,
    Reference,
)


def question(qid: str, doc: str = 'themes', **fields: Any) -> Question:
    defaults: dict[str, Any] = {
        'anchor': f'question-{qid}',
        'line': 1,
        'text': f'Text of {qid}?',
        'topic': 'Topic',
        'panel': '',
    }
    return Question(qid, doc, **{**defaults, **fields})


def position(pid: str, actor: str, stance: str, on: str, doc: str = 'themes') -> Position:
    return Position(pid, doc, f'position-{pid}', 1, actor, stance, question=on)


def book(
    questions: Iterable[Question],
    *,
    panel: Panel | None = None,
    participants: Iterable[Participant] = (),
    positions: Iterable[Position] = (),
    references: dict[str, list[Reference]] | None = None,
    placeholders: Iterable[Placeholder] = (),
    docs: tuple[str, ...] = ('index', 'themes', 'more'),
    **options: Any,
) -> Derived:
    """The step's result for one panel (declared on 'index') and the given records."""
    by_doc: dict[str, list[Any]] = {}
    for q in questions:
        by_doc.setdefault(q.docname, []).append(q)
    positions_by_doc: dict[str, list[Position]] = {}
    for p in positions:
        positions_by_doc.setdefault(p.docname, []).append(p)
    placeholders_by_doc: dict[str, list[Placeholder]] = {}
    for ph in placeholders:
        placeholders_by_doc.setdefault(ph.docname, []).append(ph)
    the_panel = panel or Panel(
        'p1', 'index', 'panel-p1', 1, 'The panel', moderator='mod', panellists=('ana', 'ben')
    )
    people = list(participants) or [
        Participant(pid, 'index', f'participant-{pid}', 1, pid.title())
        for pid in ('mod', 'ana', 'ben')
    ]
    return derive(
        Inputs(
            panels={'index': [the_panel]},
            participants={'index': people},
            questions=by_doc,
            positions=positions_by_doc,
            references=references or {},
            placeholders=placeholders_by_doc,
            withheld={},
            cites={},
            doc_order=docs,
            toctree_parent={doc: 'index' for doc in docs if doc != 'index'},
            titles={doc: doc.title() for doc in docs},
            **options,
        )
    )


def numbers(derived: Derived) -> dict[str, str]:
    return {qid: info.number for qid, info in derived.questions.items()}


def subtypes(derived: Derived) -> list[str]:
    return [str(problem.subtype) for problem in derived.problems]


def test_numbers_follow_reading_order_and_follow_ups_take_letters() -> None:
    derived = book(
        [
            question('b', doc='more'),
            question('a'),
            question('a1', parent='a'),
            question('a2', parent='a'),
            question('c'),
        ]
    )
    # 'themes' is read before 'more', whatever order the records come in
    assert numbers(derived) == {'a': 'Q1', 'a1': 'Q1a', 'a2': 'Q1b', 'c': 'Q2', 'b': 'Q3'}
    assert derived.questions['a'].followups == ('a1', 'a2')
    assert derived.problems == ()


def test_number_formats_are_applied() -> None:
    derived = book(
        [question('a'), question('a1', parent='a')],
        question_format='{panel}-{number:02d}',
        followup_format='{parent}.{number}',
    )
    assert numbers(derived) == {'a': 'p1-01', 'a1': 'p1-01.1'}


def test_a_follow_up_without_addressees_takes_its_parents() -> None:
    derived = book([question('a', to=('ana',)), question('a1', parent='a')])
    assert derived.questions['a1'].to == ('ana',)


def test_a_withheld_question_keeps_its_number_so_editions_agree() -> None:
    shown = book([question('a'), question('b'), question('c')])
    narrower = book([question('a'), question('b', withheld=True), question('c')])
    assert numbers(narrower) == numbers(shown)
    assert [info.record.qid for info in narrower.questions_of('p1')] == ['a', 'c']


def test_the_run_of_show_times_core_questions_and_sets_reserves_apart() -> None:
    panel = Panel(
        'p1',
        'index',
        'panel-p1',
        1,
        'The panel',
        start='14:00',
        duration=30,
        moderator='mod',
        panellists=('ana', 'ben'),
        opening=5,
        closing=5,
    )
    derived = book(
        [
            question('a', minutes=7),
            question('r', minutes=3, priority='reserve'),
            question('b', minutes=8),
        ],
        panel=panel,
    )
    schedule = derived.schedules['p1']
    assert [(s.kind, s.start, s.minutes, s.qid) for s in schedule.slots] == [
        ('opening', '14:00', 5, ''),
        ('question', '14:05', 7, 'a'),
        ('question', '14:12', 8, 'b'),
        ('closing', '14:20', 5, ''),
    ]
    assert schedule.reserve == ('r',)
    assert (schedule.needed, schedule.end) == (25, '14:25')
    assert derived.problems == ()


def test_a_plan_longer_than_the_panel_is_an_overrun() -> None:
    panel = Panel('p1', 'index', 'panel-p1', 1, 'P', duration=10, moderator='mod')
    derived = book([question('a', minutes=7), question('b', minutes=8)], panel=panel)
    assert subtypes(derived) == ['overrun']
    assert '15' in derived.problems[0].message and '10' in derived.problems[0].message


def test_cross_document_checks_are_problems_at_their_place() -> None:
    derived = book(
        [
            question('a', to=('zoe',), line=4),  # no such participant
            question('b', to=('mod',), doc='more', line=9),
            question('b', doc='more', line=12),  # the same id again
            question('c', parent='nowhere', line=20),
        ]
    )
    found = sorted((str(p.subtype), p.docname, p.line) for p in derived.problems)
    assert ('unknown_participant', 'themes', 4) in found
    assert ('duplicate_id', 'more', 12) in found
    assert ('unknown_question', 'themes', 20) in found
    # the first of two declarations is the one used
    assert derived.questions['b'].record.line == 9


def test_a_question_to_someone_off_the_panel_is_not_on_panel() -> None:
    people = [
        Participant(pid, 'index', f'participant-{pid}', 1, pid.title())
        for pid in ('mod', 'ana', 'ben', 'guest')
    ]
    derived = book([question('a', to=('guest',), line=3)], participants=people)
    assert [(str(p.subtype), p.line) for p in derived.problems] == [('not_on_panel', 3)]


def test_positions_attach_to_their_question_in_reading_order() -> None:
    derived = book(
        [question('a'), question('b')],
        positions=[
            position('us-a', 'United States', 'supports', 'a'),
            position('eu-a', 'EU', 'opposes', 'a'),
            position('eu-b', 'EU', 'mixed', 'b'),
        ],
    )
    assert derived.questions['a'].positions == ('us-a', 'eu-a')
    columns, rows, cells = derived.matrix_layout('p1')
    assert columns == ['a', 'b']
    assert rows == ['United States', 'EU']
    assert cells[('EU', 'b')] == ['eu-b']
    assert ('United States', 'b') not in cells


def test_referrers_are_the_other_documents_that_refer_to_a_question() -> None:
    derived = book(
        [question('a'), question('b')],
        references={
            'more': [Reference('question', 'a', 3)],
            'themes': [Reference('question', 'a', 8)],  # its own document: not a referrer
            'index': [Reference('question', 'a', 2), Reference('question', 'b', 2)],
        },
    )
    assert derived.questions['a'].referrers == ('index', 'more')
    assert derived.questions['b'].referrers == ('index',)


def test_a_long_question_index_is_packed_into_parts_by_whole_groups() -> None:
    index = Placeholder('question-index', 'questions', 'question-index-0', 1)
    qs = [question(f't{t}q{n}', topic=f'Topic {t}') for t in range(3) for n in range(3)]
    derived = book(qs, placeholders=[index], index_page_rows=5)
    parts = derived.index_parts(index)
    assert [[(g.key, len(g.infos)) for g in part] for part in parts] == [
        [('Topic 0', 3)],
        [('Topic 1', 3)],
        [('Topic 2', 3)],
    ]
    assert derived.index_outline(index)[1] == [('p1', 'Topic 1', 3)]
    assert derived.index_referred(index) is False
    # without a limit the index is one part
    whole = book(qs, placeholders=[index])
    assert len(whole.index_parts(index)) == 1


def test_the_step_is_a_function_of_its_inputs() -> None:
    """The same records give an equal result: nothing is kept between calls."""
    records = [question('a', to=('ana',)), question('a1', parent='a'), question('b')]
    first, second = book(records), book(records)
    assert numbers(first) == numbers(second)
    assert first.schedules == second.schedules
    assert first.problems == second.problems
