"""Each stage of the cross-document step on its own (``sphinx_briefing/derive/``): hand-built
records in, the stage's answer and its problems out. ``test_derive.py`` tests the stages
together through ``derive()``; these pin what each stage decides, so that a stage can be
changed without reading the whole step."""

from __future__ import annotations

from typing import Any

from sphinx_briefing.derive.anchors import entry_anchor, row_anchor, slug
from sphinx_briefing.derive.citations import in_scope
from sphinx_briefing.derive.index import index_rows, referrers_of
from sphinx_briefing.derive.marks import resolve_citations, resolve_roles
from sphinx_briefing.derive.numbering import (
    follow_parents_panel,
    letters,
    number_questions,
    resolve_parents,
)
from sphinx_briefing.derive.panels import assign_panels, check_addressees, check_narrow_pages
from sphinx_briefing.derive.result import Inputs, Problem
from sphinx_briefing.derive.schedule import clock
from sphinx_briefing.model import Page, Panel, Participant, Placeholder, Question, Reference


def q(qid: str, doc: str = 'themes', **fields: Any) -> Question:
    defaults: dict[str, Any] = {
        'anchor': f'question-{qid}',
        'line': 3,
        'text': f'Text of {qid}?',
        'topic': 'Topic',
        'panel': '',
    }
    return Question(qid, doc, **{**defaults, **fields})


PANELS = {
    'p1': Panel('p1', 'index', 'panel-p1', 1, 'One', moderator='mod', panellists=('ana',)),
    'p2': Panel('p2', 'index', 'panel-p2', 9, 'Two', moderator='mod', panellists=('ben',)),
}
PEOPLE = {
    pid: Participant(pid, 'index', f'participant-{pid}', 1, pid.title())
    for pid in ('mod', 'ana', 'ben', 'cat')
}


def kinds(problems: list[Problem]) -> list[str]:
    return [f'briefing.{problem.subtype}' for problem in problems]


# -- panels ----------------------------------------------------------------------------------


def test_a_question_takes_its_own_panel_else_its_documents() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a'), 'b': q('b', panel='p2'), 'c': q('c', doc='other')}
    panel_of = assign_panels(questions, PANELS, {'themes': 'p1', 'other': ''}, problems)
    assert panel_of == {'a': 'p1', 'b': 'p2', 'c': ''}
    # two panels and none for 'c': said, at the question's place
    assert kinds(problems) == ['briefing.no_panel']
    assert (problems[0].docname, problems[0].line) == ('other', 3)


def test_an_unknown_panel_is_warned_about_and_the_documents_panel_used() -> None:
    problems: list[Problem] = []
    panel_of = assign_panels({'a': q('a', panel='nope')}, PANELS, {'themes': 'p1'}, problems)
    assert panel_of == {'a': 'p1'}
    assert kinds(problems) == ['briefing.unknown_panel']


def test_addressees_must_be_known_and_on_the_panel() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a', to=('ana', 'ben', 'zed'))}
    check_addressees(questions, PANELS, PEOPLE, {'a': 'p1'}, problems)
    assert kinds(problems) == ['briefing.not_on_panel', 'briefing.unknown_participant']
    assert "'ben'" in problems[0].message and "'zed'" in problems[1].message


def test_a_panel_without_members_has_no_one_to_address() -> None:
    problems: list[Problem] = []
    empty = {'p0': Panel('p0', 'index', 'panel-p0', 1, 'Empty')}
    check_addressees({'a': q('a', to=('ana',))}, empty, PEOPLE, {'a': 'p0'}, problems)
    assert kinds(problems) == ['briefing.not_on_panel']


def test_questions_on_a_page_for_a_narrower_audience_are_said() -> None:
    """Editions without the page would number the other questions differently."""
    pages = {
        'side': [Page('side', 2, audience='panellist')],
        'open': [Page('open', 2, panel='p1')],  # the public's, only a panel said
    }
    inputs = Inputs(
        panels={},
        participants={},
        questions={},
        positions={},
        references={},
        placeholders={},
        withheld={},
        cites={},
        doc_order=('side', 'open'),
        toctree_parent={},
        titles={},
        pages=pages,
    )
    questions = {'a': q('a', doc='side'), 'b': q('b', doc='open'), 'c': q('c', doc='side')}
    problems: list[Problem] = []
    check_narrow_pages(['side', 'open'], inputs, questions, problems)
    assert kinds(problems) == ['briefing.bad_front_matter']
    assert (problems[0].docname, problems[0].line) == ('side', 2)
    assert "'panellist'" not in problems[0].message and 'a, c' in problems[0].message
    problems.clear()
    check_narrow_pages(['side', 'open'], inputs, {'b': questions['b']}, problems)
    assert problems == []


# -- numbering -------------------------------------------------------------------------------


def test_follow_ups_of_follow_ups_hang_on_the_top_question() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a'), 'b': q('b', parent='a'), 'c': q('c', parent='b')}
    assert resolve_parents(questions, problems) == {'a': '', 'b': 'a', 'c': 'a'}
    assert kinds(problems) == ['briefing.bad_follow_up']


def test_a_follow_up_cycle_is_broken_and_said() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a', parent='b'), 'b': q('b', parent='a')}
    parents = resolve_parents(questions, problems)
    assert '' in parents.values()  # someone is a question again, so both get numbers
    assert 'briefing.bad_follow_up' in kinds(problems)


def test_a_follow_up_sits_on_its_questions_panel() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a'), 'a1': q('a1', parent='a', panel='p2'), 'a2': q('a2', parent='a')}
    panel_of = {'a': 'p1', 'a1': 'p2', 'a2': 'p1'}
    follow_parents_panel(questions, {'a': '', 'a1': 'a', 'a2': 'a'}, panel_of, problems)
    assert panel_of == {'a': 'p1', 'a1': 'p1', 'a2': 'p1'}
    assert kinds(problems) == ['briefing.bad_follow_up']


def test_numbers_run_per_panel_and_follow_ups_follow_their_question() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a'), 'b': q('b'), 'a1': q('a1'), 'c': q('c')}
    parents = {'a': '', 'b': '', 'a1': 'a', 'c': ''}
    panel_of = {'a': 'p1', 'b': 'p2', 'a1': 'p1', 'c': 'p1'}
    numbers, followups, panel_questions = number_questions(
        questions, parents, panel_of, 'Q{number}', '{parent}{letter}', problems
    )
    assert numbers == {'a': 'Q1', 'b': 'Q1', 'c': 'Q2', 'a1': 'Q1a'}
    assert followups['a'] == ['a1']
    assert panel_questions == {'p1': ['a', 'a1', 'c'], 'p2': ['b']}
    assert problems == []


def test_a_format_that_gives_two_questions_one_number_is_said() -> None:
    problems: list[Problem] = []
    questions = {'a': q('a'), 'b': q('b')}
    number_questions(
        questions, {'a': '', 'b': ''}, {'a': 'p1', 'b': 'p1'}, 'Q', '{parent}', problems
    )
    assert kinds(problems) == ['briefing.duplicate_id']


def test_letters_never_run_out() -> None:
    assert [letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        'a',
        'b',
        'z',
        'aa',
        'ab',
        'zz',
        'aaa',
    ]


# -- index -----------------------------------------------------------------------------------


def test_referrers_are_other_documents_in_reading_order_once_each() -> None:
    questions = {'a': q('a', explicit_id=True), 'h': q('h', explicit_id=True, withheld=True)}
    refs = {
        'more': [Reference('question', 'a', 1), Reference('question', 'a', 2)],
        'themes': [Reference('question', 'a', 1)],  # its own document
        'first': [Reference('any', 'a', 1), Reference('question', 'h', 2)],
    }
    assert referrers_of(['first', 'themes', 'more'], refs, questions) == {'a': ['first', 'more']}


def test_a_question_has_its_row_in_the_first_index_that_shows_its_panel() -> None:
    everything = Placeholder('question-index', 'idx', 'question-index-1', 1)
    second = Placeholder('question-index', 'idx2', 'question-index-1', 1, panel='p2')
    questions = {'a': q('a'), 'b': q('b'), 'h': q('h', withheld=True)}
    rows, row_index = index_rows(
        [second, everything],
        {('idx2', 'question-index-1'): 'p2', ('idx', 'question-index-1'): ''},
        questions,
        {'a': 'p1', 'b': 'p2', 'h': 'p1'},
    )
    assert rows == {
        'b': ('idx2', row_anchor(second, questions['b'])),
        'a': ('idx', row_anchor(everything, questions['a'])),
    }
    assert row_index['b'] is second and 'h' not in rows


# -- citations, marks, anchors, clock ---------------------------------------------------------


def test_bibliography_scopes() -> None:
    cited, here = {'k1', 'k2'}, {'k1'}
    assert [in_scope(s, 'k2', cited, here) for s in ('all', 'notcited', 'document', 'project')] == [
        True,
        False,
        False,
        True,
    ]


def test_entry_anchors_keep_keys_that_differ_only_in_leading_digits_apart() -> None:
    assert slug('10.2307/1') != slug('0.2307/1')
    assert entry_anchor('bibliography-1', '1987:nelson', '') != entry_anchor(
        'bibliography-1', '987:nelson', ''
    )
    assert entry_anchor('b', 'smith', 'cite-{key}') == 'cite-smith'


def test_marks_show_what_the_roles_name() -> None:
    numbers = {'a': 'Q3'}
    text = 'On \x1bquestion\x02a\x1b by \x1bparticipant\x02ana\x1b in \x1bpanel\x02p1\x1b'
    assert resolve_roles(text, numbers, PEOPLE, PANELS) == 'On Q3 by Ana in One'
    # what cannot be resolved shows what the author wrote
    assert resolve_roles('\x1bquestion\x02zz\x1b', numbers, PEOPLE, PANELS) == 'zz'
    assert resolve_citations('See \x1ac1\x02smith\x1a.', 'doc', {}) == 'See [smith].'


def test_clock_times_carry_over_the_hour_and_midnight() -> None:
    assert clock('14:00', 67) == '15:07'
    assert clock('23:50', 20) == '00:10'
    assert clock('', 67) == '+1:07'
