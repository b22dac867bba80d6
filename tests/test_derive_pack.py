"""The moderator's pack, as pure logic (issue 21, items 3 and 4): short forms, breaks and
sessions in the run of show, panel prefixes. Hand-built records in, the step's result out,
as in test_derive.py."""

from __future__ import annotations

from typing import Any

from test_derive import book, numbers, question, subtypes

from sphinx_briefing.derive import Derived, Inputs, derive
from sphinx_briefing.derive.short import ELLIPSIS, PARAGRAPH_BREAK, short_form, shortened
from sphinx_briefing.model import Break, Panel, Participant, Question

# -- short forms ------------------------------------------------------------------------------


def test_a_short_question_is_its_own_short_form() -> None:
    assert shortened('Is screening enough?') == 'Is screening enough?'


def test_a_question_of_several_paragraphs_shows_its_first_and_says_there_is_more() -> None:
    text = f'Is screening enough?{PARAGRAPH_BREAK}Consider the 2018 figures.'
    assert shortened(text) == f'Is screening enough? {ELLIPSIS}'


def test_a_long_paragraph_is_cut_after_its_first_sentence_when_that_fits() -> None:
    text = 'Does the rule work? ' + 'It covers tools, software and services, ' * 5 + 'and more.'
    assert shortened(text, 60) == f'Does the rule work? {ELLIPSIS}'


def test_a_long_sentence_is_cut_at_a_word_boundary() -> None:
    text = 'Would a multilateral regime on lithography equipment ' * 4 + 'hold?'
    short = shortened(text, 60)
    assert short.endswith(ELLIPSIS) and len(short) <= 61
    assert text.startswith(short[:-1])  # whole words only: the cut is at a space
    assert text[len(short) - 1] == ' '


def test_a_japanese_question_is_cut_after_its_first_sentence() -> None:
    first = 'この問題は近くWTOで議論されることになるが、日本の決定についてどう考えるか。'
    text = first + '輸出管理の実務と経済的威圧の境界線はどこにあるのか。' * 4
    assert shortened(text, 60) == f'{first} {ELLIPSIS}'


def test_the_authors_short_form_wins() -> None:
    assert short_form('  Screening?  ', 'Is screening enough?' * 10) == 'Screening?'
    derived = book([question('a', text='A long text?', short='Short?'), question('b')])
    assert derived.questions['a'].short == 'Short?'
    assert derived.questions['a'].text == 'A long text?'
    assert derived.questions['b'].short == 'Text of b?'


# -- breaks and sessions ----------------------------------------------------------------------


def timed_panel(**fields: Any) -> Panel:
    defaults: dict[str, Any] = {
        'start': '09:00',
        'moderator': 'mod',
        'panellists': ('ana', 'ben'),
    }
    return Panel('p1', 'index', 'panel-p1', 1, 'The panel', **{**defaults, **fields})


def a_break(after: int, minutes: int | None = 15, **fields: Any) -> Break:
    return Break(
        'themes', 30 + after, fields.pop('label', 'Coffee'), minutes, after=after, **fields
    )


def slots(derived: Derived, panel: str = 'p1') -> list[tuple[str, str, int | None, str]]:
    return [(s.kind, s.start, s.minutes, s.qid or s.label) for s in derived.schedules[panel].slots]


def test_a_break_carries_the_clock_and_opens_its_session() -> None:
    derived = book(
        [
            question('a', minutes=10),
            question('b', minutes=5),
        ],
        panel=timed_panel(opening=5),
        # after the first question of 'themes'
        breaks={'themes': [a_break(1, session='Afternoon session')]},
    )
    assert slots(derived) == [
        ('opening', '09:00', 5, ''),
        ('question', '09:05', 10, 'a'),
        ('break', '09:15', 15, 'Coffee'),
        ('session', '09:30', None, 'Afternoon session'),
        ('question', '09:30', 5, 'b'),
    ]
    assert (derived.schedules['p1'].needed, derived.schedules['p1'].end) == (35, '09:35')


def test_a_break_before_a_reserve_question_waits_for_the_next_core_item() -> None:
    derived = book(
        [
            question('a', minutes=10),
            question('r', minutes=3, priority='reserve'),
            question('b', minutes=5),
        ],
        panel=timed_panel(closing=5),
        breaks={'themes': [a_break(1, minutes=10), a_break(3, minutes=0, session='Last')]},
    )
    assert slots(derived) == [
        ('question', '09:00', 10, 'a'),
        ('break', '09:10', 10, 'Coffee'),
        ('question', '09:20', 5, 'b'),
        # after the last question: before the closing; a session without minutes
        ('session', '09:25', None, 'Last'),
        ('closing', '09:25', 5, ''),
    ]
    assert derived.schedules['p1'].reserve == ('r',)


def test_a_break_in_a_later_document_comes_after_the_questions_read_before_it() -> None:
    derived = book(
        [question('a', minutes=10), question('b', doc='more', minutes=5)],
        panel=timed_panel(),
        breaks={'more': [Break('more', 3, '', 20, after=0)]},
    )
    assert [kind for kind, *_rest in slots(derived)] == ['question', 'break', 'question']
    assert slots(derived)[2][1] == '09:30'


def test_the_overrun_check_counts_breaks() -> None:
    questions = [question('a', minutes=10), question('b', minutes=10)]
    fits = book(questions, panel=timed_panel(duration=30))
    assert subtypes(fits) == []
    over = book(
        questions, panel=timed_panel(duration=30), breaks={'themes': [a_break(1, minutes=15)]}
    )
    assert subtypes(over) == ['overrun']
    assert '35' in over.problems[0].message and 'breaks' in over.problems[0].message


def test_a_break_naming_an_unknown_panel_is_a_problem_and_is_left_out() -> None:
    derived = book(
        [question('a', minutes=10), question('b', minutes=5)],
        panel=timed_panel(),
        breaks={'themes': [a_break(1, panel='nowhere')]},
    )
    assert subtypes(derived) == ['unknown_panel']
    assert derived.problems[0].line == 31
    assert [kind for kind, *_rest in slots(derived)] == ['question', 'question']


def test_a_withheld_question_keeps_a_breaks_place() -> None:
    """Editions agree on clock times: a break after a withheld question stays there."""
    shown = [question('a', minutes=10), question('b', minutes=5), question('c', minutes=5)]
    narrower = [shown[0], question('b', minutes=5, withheld=True), shown[2]]
    breaks = {'themes': [a_break(2)]}
    full = book(shown, panel=timed_panel(), breaks=breaks)
    part = book(narrower, panel=timed_panel(), breaks=breaks)
    assert full.schedules == part.schedules
    assert slots(full)[2] == ('break', '09:15', 15, 'Coffee')


# -- prefixes ---------------------------------------------------------------------------------


def two_panels(prefix_a: str, prefix_b: str, **options: Any) -> Derived:
    people = [Participant(pid, 'index', f'participant-{pid}', 1, pid) for pid in ('mod', 'ana')]
    panels = [
        Panel('pa', 'a', 'panel-pa', 3, 'A', moderator='mod', prefix=prefix_a),
        Panel('pb', 'b', 'panel-pb', 3, 'B', moderator='mod', prefix=prefix_b),
    ]
    by_doc: dict[str, list[Question]] = {
        doc: [question(f'{doc}1', doc=doc), question(f'{doc}1x', doc=doc, parent=f'{doc}1')]
        for doc in ('a', 'b')
    }
    return derive(
        Inputs(
            panels={'a': [panels[0]], 'b': [panels[1]]},
            participants={'index': people},
            questions=by_doc,
            positions={},
            references={},
            placeholders={},
            withheld={},
            cites={},
            doc_order=('index', 'a', 'b'),
            toctree_parent={'a': 'index', 'b': 'index'},
            titles={},
            **options,
        )
    )


def test_a_panels_prefix_comes_before_every_number_of_its_questions() -> None:
    derived = two_panels('A-', 'B-')
    assert numbers(derived) == {'a1': 'A-Q1', 'a1x': 'A-Q1a', 'b1': 'B-Q1', 'b1x': 'B-Q1a'}
    assert derived.problems == ()


def test_prefixes_go_with_any_number_format() -> None:
    derived = two_panels('A', 'B', question_format='{number}.', followup_format='{parent}{number}')
    assert numbers(derived) == {'a1': 'A1.', 'a1x': 'A1.1', 'b1': 'B1.', 'b1x': 'B1.1'}


def test_two_panels_with_one_prefix_clash() -> None:
    derived = two_panels('X-', 'X-')
    assert subtypes(derived) == ['bad_prefix']
    problem = derived.problems[0]
    assert (problem.docname, problem.line) == ('b', 3)  # at the later panel, once
    assert 'X-Q1' in problem.message


def test_one_prefixed_panel_beside_an_unprefixed_one_is_told_apart() -> None:
    derived = two_panels('A-', '')
    assert numbers(derived) == {'a1': 'A-Q1', 'a1x': 'A-Q1a', 'b1': 'Q1', 'b1x': 'Q1a'}
    assert derived.problems == ()


def test_a_prefix_that_makes_another_panels_numbers_clashes() -> None:
    # 'Q' before '{number}' gives 'Q1', which is what the other panel's prefix gives too
    derived = two_panels('Q', 'Q', question_format='{number}')
    assert subtypes(derived) == ['bad_prefix']
    # without prefixes numbers are per panel, as before: no check
    assert subtypes(two_panels('', '')) == []
