"""A question index of more rows than ``briefing_index_page_rows``, split into parts for
HTML builders: the same rows as one page, links both ways, and parts rewritten when and
only when what they show changed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from conftest import Build, Project, write_book

#: write_book's question page has two indexes: by topic (12 groups of 3 rows) and by
#: participant (Ana 24 rows, Ben 12). At 10 rows a part: 4 parts and 2 parts.
TOPIC_PARTS = [f'questions-question-index-0-{k}' for k in range(1, 5)]
PARTICIPANT_PARTS = [f'questions-question-index-1-{k}' for k in range(1, 3)]


def split_book(proj: Project, rows: int = 10) -> None:
    write_book(proj)
    proj.write(
        'conf.py', (proj.path / 'conf.py').read_text() + f'briefing_index_page_rows = {rows}\n'
    )


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding='utf-8'), 'html.parser')


def index_rows(soups: list[BeautifulSoup]) -> list[str]:
    """Every row of every question-index table of these pages, in order, as text."""
    return [
        row.get_text(' ', strip=True)
        for soup in soups
        for table in soup.select('table.briefing-question-index')
        for row in table.select(
            'tbody tr:not(.briefing-group-row, .briefing-panel-row, .briefing-topic-positions-row)'
        )
    ]


def part_soups(build: Build, parts: list[str]) -> list[BeautifulSoup]:
    return [soup_of(build.outdir / f'{part}.html') for part in parts]


def test_parts_hold_the_rows_of_the_whole_index(project: Any) -> None:
    whole_proj, split_proj = project(name='whole'), project(name='split')
    write_book(whole_proj)
    split_book(split_proj)
    whole, split = whole_proj.build(), split_proj.build()
    assert split.warnings() == []
    whole_page = soup_of(whole.outdir / 'questions.html')
    indexes = whole_page.select('div.briefing-question-index')
    by_topic, by_participant = (BeautifulSoup(str(i), 'html.parser') for i in indexes)
    # The same rows, in the same order, with the same group headings.
    assert index_rows(part_soups(split, TOPIC_PARTS)) == index_rows([by_topic])
    assert index_rows(part_soups(split, PARTICIPANT_PARTS)) == index_rows([by_participant])
    headings = [p.get_text() for p in by_participant.select('p.briefing-group')]
    split_headings = [
        p.get_text()
        for s in part_soups(split, PARTICIPANT_PARTS)
        for p in s.select('p.briefing-group')
    ]
    assert split_headings == headings == ['Ana Alves', 'Ben Brown']
    assert not (split.outdir / 'questions-question-index-0-5.html').exists()

    # The index's page is an overview: every part, and every group heading linked.
    overview = soup_of(split.outdir / 'questions.html')
    assert overview.select('table.briefing-question-index') == []
    first = overview.select('div.briefing-question-index')[0]
    assert first.select_one('p.briefing-index-intro').get_text() == 'This index is in 4 parts.'
    items = [li.get_text(' ', strip=True) for li in first.select('ul.briefing-index-parts > li')]
    assert items[0] == 'Part 1 (9 rows): Theme t01 , Theme t02 , Theme t03'
    assert len(items) == 4
    for link in overview.select('ul.briefing-index-parts a'):
        page, _, anchor = link['href'].partition('#')
        target = soup_of(split.outdir / page)
        assert not anchor or target.find(id=anchor) is not None, link['href']

    # Each part: a heading, links to the overview and its neighbours, the index's title.
    second = soup_of(split.outdir / f'{TOPIC_PARTS[1]}.html')
    assert second.select_one('div.body h1').get_text().rstrip('¶') == 'Questions, part 2 of 4'
    nav = second.select_one('p.briefing-index-nav')
    assert [a['href'] for a in nav.select('a')] == [
        'questions.html#question-index-questions-0',
        f'{TOPIC_PARTS[0]}.html',
        f'{TOPIC_PARTS[2]}.html',
    ]
    assert overview.find(id='question-index-questions-0') is not None


def test_questions_link_to_their_row_in_the_part_that_holds_it(project: Any) -> None:
    proj = project()
    split_book(proj)
    build = proj.build()
    for n in (1, 5, 12):
        theme = soup_of(build.outdir / f't{n:02d}.html')
        links = theme.select('a:has(> span.briefing-backlink)')
        assert len(links) == 3  # two questions and a follow-up
        for link in links:
            page, _, anchor = link['href'].partition('#')
            assert page == f'{TOPIC_PARTS[(n - 1) // 3]}.html', link['href']
            row = soup_of(build.outdir / page).find(id=anchor)
            assert row is not None and row.find_parent('tr') is not None
            box = link.find_parent('div', class_='briefing-question')
            assert box['id'] in row.find_parent('tr').select_one('a')['href']


def test_an_edit_rewrites_the_part_that_shows_it_and_no_other(project: Any) -> None:
    proj = project()
    split_book(proj)
    proj.build()
    proj.edit('t05.md', 'Second question of t05?', 'A sharper second question?')
    build = proj.build()
    written = set(build.written)
    # t05 is in the second part by topic; Ben is asked it, in the second by participant.
    assert {TOPIC_PARTS[1], PARTICIPANT_PARTS[1]} <= written
    assert written.isdisjoint(
        {*TOPIC_PARTS, *PARTICIPANT_PARTS} - {TOPIC_PARTS[1], PARTICIPANT_PARTS[1]}
    )
    assert any(
        'A sharper second question?' in r for r in index_rows(part_soups(build, TOPIC_PARTS))
    )
    assert any(
        'A sharper second question?' in r for r in index_rows(part_soups(build, PARTICIPANT_PARTS))
    )

    # A build with nothing to do writes no part.
    again = proj.build()
    assert again.read == []
    assert not set(again.written) & {*TOPIC_PARTS, *PARTICIPANT_PARTS}

    # A part whose file was removed is written again, alone, by the next build that
    # writes anything (Sphinx 7.4 writes nothing at all when no document changed).
    (build.outdir / f'{TOPIC_PARTS[2]}.html').unlink()
    proj.edit('t01.md', 'Context of t01.', 'Context of t01, edited.')
    again = proj.build()
    assert set(again.written) & {*TOPIC_PARTS, *PARTICIPANT_PARTS} == {TOPIC_PARTS[2]}


def test_moving_rows_rewrites_their_backlinks_and_removes_parts_no_longer_there(
    project: Any,
) -> None:
    proj = project()
    split_book(proj)
    proj.build()
    # Two more questions in t01 push every later theme's rows into the next part.
    proj.edit(
        't01.md',
        'Context of t01.',
        'Context of t01.\n\n:::{question} t01-c\n\nThird?\n:::\n\n:::{question} t01-d\n\nFourth?\n:::\n',
    )
    build = proj.build()
    assert 't03' in build.written  # its rows moved from part 1 to part 2
    theme = soup_of(build.outdir / 't03.html')
    link = theme.select_one('a:has(> span.briefing-backlink)')
    page, _, anchor = link['href'].partition('#')
    assert page == f'{TOPIC_PARTS[1]}.html'
    assert soup_of(build.outdir / page).find(id=anchor) is not None
    assert (build.outdir / 'questions-question-index-0-5.html').exists()

    # Fewer rows per part → more parts; more → fewer, and the extra files go.
    proj.edit('conf.py', 'briefing_index_page_rows = 10', 'briefing_index_page_rows = 20')
    build = proj.build()
    assert build.warnings() == []
    existing = sorted(p.stem for p in build.outdir.glob('questions-question-index-0-*.html'))
    assert existing == ['questions-question-index-0-1', 'questions-question-index-0-2']
    theme = soup_of(build.outdir / 't12.html')
    page = theme.select_one('a:has(> span.briefing-backlink)')['href'].partition('#')[0]
    assert page == 'questions-question-index-0-2.html'

    # 0: never split; every part goes.
    proj.edit('conf.py', 'briefing_index_page_rows = 20', 'briefing_index_page_rows = 0')
    build = proj.build()
    assert list(build.outdir.glob('questions-*.html')) == []
    link = soup_of(build.outdir / 't12.html').select_one('a:has(> span.briefing-backlink)')
    assert link['href'].startswith('questions.html#question-index-questions-0-')


def test_parallel_build_writes_the_same_parts(project: Any) -> None:
    serial_proj, parallel_proj = project(name='serial'), project(name='parallel')
    for proj in (serial_proj, parallel_proj):
        split_book(proj)
    serial, parallel = serial_proj.build(), parallel_proj.build(parallel=2)
    for page in ['questions', 't05', *TOPIC_PARTS, *PARTICIPANT_PARTS]:
        ours = soup_of(serial.outdir / f'{page}.html').select_one('div.body')
        theirs = soup_of(parallel.outdir / f'{page}.html').select_one('div.body')
        assert str(ours) == str(theirs), page
    for proj in (serial_proj, parallel_proj):
        proj.edit('t05.md', 'Second question of t05?', 'A sharper second question?')
    serial, parallel = serial_proj.build(), parallel_proj.build(parallel=2)
    parts = {*TOPIC_PARTS, *PARTICIPANT_PARTS}
    assert set(serial.written) & parts == set(parallel.written) & parts
    for page in [TOPIC_PARTS[1], PARTICIPANT_PARTS[1]]:
        ours = soup_of(serial.outdir / f'{page}.html').select_one('div.body')
        theirs = soup_of(parallel.outdir / f'{page}.html').select_one('div.body')
        assert str(ours) == str(theirs), page
        assert 'A sharper second question?' in str(theirs)


def test_other_builders_keep_the_index_whole(project: Any) -> None:
    proj = project()
    split_book(proj)
    single = proj.build('singlehtml')
    assert single.warnings() == []
    page = soup_of(single.outdir / 'index.html')
    assert page.select('ul.briefing-index-parts') == []
    assert len(index_rows([page])) == 36 + 36
    latex = proj.build('latex')
    tex = next(latex.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert 'This index is in' not in tex
    assert 'Second question of t12?' in tex


def test_dirhtml_writes_parts_as_folders(project: Any) -> None:
    proj = project()
    split_book(proj)
    build = proj.build('dirhtml')
    assert build.warnings() == []
    part = build.outdir / TOPIC_PARTS[1] / 'index.html'
    assert part.exists()
    link = soup_of(build.outdir / 't05' / 'index.html').select_one(
        'a:has(> span.briefing-backlink)'
    )
    page, _, anchor = link['href'].partition('#')
    assert page == f'../{TOPIC_PARTS[1]}/'
    assert soup_of(part).find(id=anchor) is not None
    nav = soup_of(part).select_one('p.briefing-index-nav a')
    assert nav['href'] == '../questions/#question-index-questions-0'


def test_a_part_name_taken_by_a_document_keeps_the_index_whole(project: Any) -> None:
    proj = project()
    split_book(proj)
    proj.write('questions-question-index-0-2.md', '---\norphan: true\n---\n# Taken\n')
    build = proj.build()
    topic_index = soup_of(build.outdir / 'questions.html').select('div.briefing-question-index')[0]
    assert topic_index.select('ul.briefing-index-parts') == []
    assert len(index_rows([BeautifulSoup(str(topic_index), 'html.parser')])) == 36
    link = soup_of(build.outdir / 't05.html').select_one('a:has(> span.briefing-backlink)')
    assert link['href'].startswith('questions.html#question-index-questions-0-')
    # The other index on the page is split as usual.
    assert (build.outdir / f'{PARTICIPANT_PARTS[1]}.html').exists()
    assert 'Taken' in (build.outdir / 'questions-question-index-0-2.html').read_text()


def test_unusable_rows_per_part_are_warned_about(project: Any) -> None:
    for value in ('-1', "'many'"):
        proj = project(name=f'bad{len(value)}')
        write_book(proj)
        proj.write(
            'conf.py', (proj.path / 'conf.py').read_text() + f'briefing_index_page_rows = {value}\n'
        )
        build = proj.build()
        found = [w for w in build.warnings() if w.type == 'briefing.config']
        assert len(found) == 1 and 'briefing_index_page_rows' in found[0].text, build.warnings()
        # The default (1,000 rows) applies: this small index stays whole.
        assert not list(build.outdir.glob('questions-*.html'))
        assert re.search('Second question of t12', build.html('questions'))


def test_parts_carry_their_index_pages_banner(project: Any) -> None:
    proj = project()
    split_book(proj)
    proj.build()
    proj.edit(
        'conf.py', 'briefing_index_page_rows', "briefing_status = 'draft'\nbriefing_index_page_rows"
    )
    build = proj.build()
    # Only the banner changed: every part is written again, with it.
    assert {*TOPIC_PARTS, *PARTICIPANT_PARTS} <= set(build.written)
    for page in [*TOPIC_PARTS, *PARTICIPANT_PARTS]:
        banner = soup_of(build.outdir / f'{page}.html').select_one('div.briefing-banner')
        assert banner is not None and banner.get_text(strip=True) == 'DRAFT', page


def test_an_index_is_one_table_with_its_groups_as_rows(project: Any) -> None:
    """In HTML an index's groups are rows spanning its one table, so that every group has
    the same columns (a table per group sized its columns by its own rows)."""
    proj = project()
    write_book(proj)
    build = proj.build()
    page = soup_of(build.outdir / 'questions.html')
    index = page.select('div.briefing-question-index')[0]
    tables = index.select('table')
    assert len(tables) == 1
    groups = tables[0].select('tr.briefing-group-row')
    columns = len(tables[0].select('thead th'))
    assert len(groups) >= 2
    for row in groups:
        (cell,) = row.select('td')
        assert int(cell['colspan']) == columns
        assert row.select_one('p.briefing-group strong').get_text()
    # the questions of a group follow its heading row
    first_group = groups[0].get_text(strip=True)
    following = groups[0].find_next_sibling('tr')
    assert 'briefing-group-row' not in following.get('class', [])
    assert first_group == 'Theme t01'
