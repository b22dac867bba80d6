"""The pack's cross-document logic on hand-built records: where each item goes, what is
warned about, and how positions on a question are grouped (see test_derive.py)."""

from __future__ import annotations

from typing import Any

from test_derive import book, position, question

from sphinx_briefing.derive import derive
from sphinx_briefing.derive.pack import pack_of
from sphinx_briefing.derive.stances import split_actors, stance_groups, views_differ
from sphinx_briefing.model import PackItem, Panel, Participant, ThemeContext

PANELS = {
    'p1': Panel('p1', 'index', 'panel-p1', 1, 'One', moderator='mod', panellists=('ana', 'ben')),
    'p2': Panel('p2', 'two', 'panel-p2', 1, 'Two', moderator='mod', panellists=('cat',)),
}
PEOPLE = {
    pid: Participant(pid, 'people', f'participant-{pid}', 1, pid.title())
    for pid in ('mod', 'ana', 'ben', 'cat', 'out')
}
ROSTER = {'p1': ['mod', 'ana', 'ben'], 'p2': ['mod', 'cat']}


def item(kind: str, doc: str = 'index', line: int = 1, **fields: Any) -> PackItem:
    return PackItem(kind, doc, f'{kind}-{doc}-{line}', line, **fields)


def place(*items: PackItem, doc_panel: dict[str, str] | None = None) -> tuple[Any, list[Any]]:
    problems: list[Any] = []
    by_doc: dict[str, list[PackItem]] = {}
    for one in items:
        by_doc.setdefault(one.docname, []).append(one)
    pack = pack_of(
        ['index', 'two', 'people', 'themes'],
        by_doc,
        {},
        PANELS,
        PEOPLE,
        ROSTER,
        {'q1': 'p2'},
        {'q1': 'themes'},
        doc_panel if doc_panel is not None else {'index': 'p1', 'two': 'p2'},
        {},
        problems,
    )
    return pack, problems


def test_items_take_the_panel_written_else_the_pages_else_the_holders() -> None:
    pack, problems = place(
        item('objectives', line=1),
        item('objectives', line=2, panel='p2'),
        item('lines-to-take', 'people', 3, holder='cat'),
        item('moderator-note', 'themes', 4, within='q1'),
        item('moderator-note', 'two', 5),
    )
    assert problems == []
    assert pack.roles[('p1', 'objectives', '')] == ('index#objectives-index-1',)
    assert pack.roles[('p2', 'objectives', '')] == ('index#objectives-index-2',)
    assert pack.roles[('p2', 'lines-to-take', 'cat')] == ('people#lines-to-take-people-3',)
    assert pack.notes == {
        'q1': ('themes#moderator-note-themes-4',),
        'panel:p2': ('two#moderator-note-two-5',),
    }


def test_objectives_and_logistics_keep_every_block_other_kinds_the_first() -> None:
    pack, problems = place(
        item('logistics', line=1),
        item('logistics', line=2),
        item('introduction', line=3, holder='ana'),
        item('introduction', line=4, holder='ana'),
    )
    assert len(pack.roles[('p1', 'logistics', '')]) == 2
    assert pack.roles[('p1', 'introduction', 'ana')] == ('index#introduction-index-3',)
    assert [(p.subtype.value, p.line) for p in problems] == [('duplicate_id', 4)]
    assert 'line 3' in problems[0].message


def test_holders_are_checked() -> None:
    _pack, problems = place(
        item('lines-to-take', line=1, holder='nobody'),
        item('introduction', line=2, holder='cat'),  # sits on p2, not p1
        item('lines-to-take', line=3, holder='out', panel='p9'),
    )
    assert [(p.subtype.value, p.line) for p in problems] == [
        ('unknown_participant', 1),
        ('not_on_panel', 2),
        ('unknown_panel', 3),
    ]


def test_an_item_with_no_panel_in_a_book_of_several_is_warned_about() -> None:
    pack, problems = place(item('logistics', 'people', 1), item('bio', 'people', 2, holder='ana'))
    assert [(p.subtype.value, p.line) for p in problems] == [('no_panel', 1)]
    assert pack.bios == {'ana': 'people#bio-people-2'}  # a bio has no panel, and needs none


def test_a_theme_is_the_context_of_its_own_questions_only() -> None:
    context = ThemeContext('themes', 'screening', 3, 'Screening', 'Why it matters.', ('q1', 'q2'))
    other = ThemeContext('more', 'dup', 3, 'Dup', 'Elsewhere.', ('q1',))
    pack = pack_of(
        ['themes', 'more'],
        {},
        {'themes': [context], 'more': [other]},
        PANELS,
        PEOPLE,
        ROSTER,
        {},
        {'q1': 'themes'},  # q2 is not a question (a duplicate id, say); q1 is in 'themes'
        {},
        {},
        [],
    )
    assert pack.themes == {'q1': context}


def test_stances_group_actors_in_reading_order() -> None:
    groups = stance_groups(
        [
            ('US', 'supports'),
            ('China', 'opposes'),
            ('EU', 'supports'),
            ('US', 'supports'),
            ('Japan', ''),
            ('', 'mixed'),
        ]
    )
    assert groups == (('supports', ('US', 'EU')), ('opposes', ('China',)))
    assert views_differ(groups)
    assert split_actors(groups) == ()
    assert not views_differ((('supports', ('US', 'EU')),))
    assert split_actors(stance_groups([('US', 'supports'), ('US', 'opposes')])) == ('US',)


def test_the_step_gives_each_question_its_stances() -> None:
    derived = book(
        [question('q1'), question('q2')],
        positions=[
            position('a', 'US', 'supports', 'q1'),
            position('b', 'China', 'opposes', 'q1'),
            position('c', 'EU', 'mixed', 'q2'),
        ],
    )
    assert derived.stances_on == {
        'q1': (('supports', ('US',)), ('opposes', ('China',))),
        'q2': (('mixed', ('EU',)),),
    }


def test_the_step_places_the_pack() -> None:
    from sphinx_briefing.derive import Inputs

    panel = PANELS['p1']
    inputs = Inputs(
        panels={'index': [panel]},
        participants={'people': [PEOPLE[p] for p in ('mod', 'ana', 'ben')]},
        questions={'themes': [question('q1')]},
        positions={},
        references={},
        placeholders={},
        withheld={},
        cites={},
        doc_order=['index', 'people', 'themes'],
        toctree_parent={},
        titles={},
        pack={'index': [item('objectives'), item('lines-to-take', line=2, holder='ana')]},
    )
    derived = derive(inputs)
    assert derived.problems == ()
    lines = derived.pack_item('p1', 'lines-to-take', 'ana')
    assert lines is not None and lines.panel == 'p1'
    assert [i.record.kind for i in derived.pack_items('p1', 'objectives')] == ['objectives']
    assert derived.pack_item('p1', 'lines-to-take', 'ben') is None
