"""Builds users rely on: numbering in reading order, incremental rebuilds that leave
nothing stale, parallel builds equal to serial ones, and no-op rebuilds that do nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from conftest import Build, Project, write_book
from sphinx.testing.util import SphinxTestApp
from test_example import EXAMPLE

SPHINX_ALWAYS_WRITES = {'genindex', 'search', 'briefing-questions'}


def body_text(build: Build, page: str) -> str:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return soup.select_one('div.body').get_text(' ', strip=True)


def numbers_in(build: Build, page: str) -> list[str]:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return [
        n.get_text()
        for n in soup.select('div.briefing-question > p.briefing-header > strong.briefing-number')
    ]


def index_rows(build: Build) -> list[str]:
    soup = BeautifulSoup(build.html('questions'), 'html.parser')
    first = soup.select('div.briefing-collection')[0]
    return [
        row.get_text(' ', strip=True)
        for row in first.select(
            'tbody tr:not(.briefing-group-row, .briefing-panel-row, .briefing-topic-positions-row)'
        )
    ]


def test_numbering_follows_reading_order_with_follow_ups(project: Any) -> None:
    proj = project()
    write_book(proj, themes=3)
    build = proj.build()
    assert build.warnings() == []
    assert numbers_in(build, 't01') == ['Q1', 'Q1a', 'Q2']
    assert numbers_in(build, 't03') == ['Q5', 'Q5a', 'Q6']
    assert [row.split(' ')[0] for row in index_rows(build)] == [
        'Q1',
        'Q1a',
        'Q2',
        'Q3',
        'Q3a',
        'Q4',
        'Q5',
        'Q5a',
        'Q6',
    ]
    # Roles show the number and link to the question.
    soup = BeautifulSoup(build.html('refs'), 'html.parser')
    links = [(a.get_text(), a['href']) for a in soup.select('div.body a.reference')]
    assert links[:3] == [
        ('Q1', 't01.html#question-t01-a'),
        ('Q3', 't02.html#question-t02-a'),
        ('Q5', 't03.html#question-t03-a'),
    ]


def test_number_formats_are_configurable(project: Any) -> None:
    proj = project()
    write_book(proj, themes=2)
    build = proj.build(
        briefing_question_format='{panel}-{number:02d}',
        briefing_followup_format='{parent}.{number}',
    )
    assert build.warnings() == []
    assert numbers_in(build, 't02') == ['p1-03', 'p1-03.1', 'p1-04']


def test_questions_are_numbered_per_panel(project: Any) -> None:
    proj = project()
    proj.write(
        'conf.py',
        'extensions = ["myst_parser", "sphinx_briefing"]\nmyst_enable_extensions = ["colon_fence"]\n',
    )
    proj.write(
        'index.md',
        '# Two panels\n\n```{toctree}\nmorning\nafternoon\n```\n',
    )
    for name in ('morning', 'afternoon'):
        proj.write(
            f'{name}.md',
            f'# {name}\n\n:::{{panel}} {name}\n:::\n\n'
            + ''.join(f':::{{question}} {name}-{i}\n\nQuestion {i}?\n:::\n\n' for i in range(2))
            + f':::{{question}} {name}-x\n:panel: {"morning" if name == "afternoon" else "afternoon"}\n\nVisitor?\n:::\n',
        )
    build = proj.build()
    assert build.warnings() == []
    # morning-x sits on the afternoon page's panel and is that panel's first question in
    # reading order; afternoon-x is the morning panel's third.
    assert numbers_in(build, 'morning') == ['Q1', 'Q2', 'Q1']
    assert numbers_in(build, 'afternoon') == ['Q2', 'Q3', 'Q3']


def test_no_op_rebuild_reads_and_writes_nothing(project: Any) -> None:
    proj = project()
    write_book(proj)
    first = proj.build()
    assert len(first.read) == 19
    second = proj.build()
    assert second.read == []
    # Sphinx regenerates its index pages (genindex, search, domain indices such as our
    # question index page) after every build, with or without this extension; no
    # document page is written.
    assert set(second.written) <= SPHINX_ALWAYS_WRITES
    assert 'no targets are out of date' in second.app.status.getvalue()


def test_editing_a_question_refreshes_every_page_that_shows_it(project: Any) -> None:
    proj = project()
    write_book(proj)
    proj.build()
    proj.edit('t05.md', 'Second question of t05?', 'A sharper second question?')
    build = proj.build()
    assert build.read == ['t05']
    # t06 refers to t05-b (its link's title shows the text), questions.md indexes it,
    # the run of show lists it and it is addressed to ben, so ben's brief shows it; the
    # matrix (t05-b has no position) and ana's brief do not. Sphinx itself also rewrites
    # 'index', the toctree parent of every page it writes.
    assert sorted(set(build.written) - SPHINX_ALWAYS_WRITES - {'index'}) == [
        'brief-ben',
        'questions',
        'schedule',
        't05',
        't06',
    ]
    assert any('A sharper second question?' in row for row in index_rows(build))
    assert 'A sharper second question?' in build.html('t06')


def test_adding_a_question_renumbers_everywhere(project: Any) -> None:
    proj = project()
    write_book(proj)
    proj.build()
    proj.edit(
        't02.md',
        '# Theme t02\n',
        '# Theme t02\n\n:::{question} t02-new\n\nA new first question?\n:::\n',
    )
    build = proj.build()
    assert build.read == ['t02']
    assert build.warnings() == []
    assert numbers_in(build, 't02') == ['Q3', 'Q4', 'Q4a', 'Q5']
    assert numbers_in(build, 't12') == ['Q24', 'Q24a', 'Q25']  # rewritten without re-reading
    assert 'Q3 A new first question?' in index_rows(build)[3]
    soup = BeautifulSoup(build.html('refs'), 'html.parser')
    assert [a.get_text() for a in soup.select('div.body a.reference')][:3] == ['Q1', 'Q4', 'Q6']
    assert {'t12', 'refs', 'questions'} <= set(build.written)


def test_removing_a_question_leaves_nothing_stale(project: Any) -> None:
    proj = project()
    write_book(proj)
    proj.build()
    proj.edit('t01.md', '::::{question} t01-a\n', '::::{question} t01-gone\n')
    build = proj.build()
    assert build.read == ['t01']
    warnings = build.warnings()
    # refs.md and the position in t01 named the old id: both are now reported.
    assert sorted((w.file, w.type) for w in warnings) == [
        ('refs.md', 'briefing.unknown_question'),
        ('t01.md', 'briefing.unknown_question'),
    ]
    assert not any('t01-a' in row for row in index_rows(build))
    assert 'refs' in build.written


def test_reordering_the_toctree_renumbers_without_rereading_themes(project: Any) -> None:
    proj = project()
    write_book(proj, themes=3)
    proj.build()
    proj.edit('index.md', 't01\nt02\n', 't02\nt01\n')
    build = proj.build()
    assert build.read == ['index']
    assert numbers_in(build, 't02') == ['Q1', 'Q1a', 'Q2']
    assert numbers_in(build, 't01') == ['Q3', 'Q3a', 'Q4']


def test_removing_a_document_updates_the_index(project: Any) -> None:
    proj = project()
    write_book(proj, themes=3)
    proj.build()
    proj.edit('index.md', 't02\n', '')
    proj.remove('t02.md')
    build = proj.build()
    rows = index_rows(build)
    assert not any('t02' in row for row in rows)
    assert numbers_in(build, 't03') == ['Q3', 'Q3a', 'Q4']


def _collection_html(build: Build, page: str) -> str:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return str(soup.select_one('div.body'))


def test_parallel_build_equals_serial(project: Any) -> None:
    serial_proj, parallel_proj = project(name='serial'), project(name='parallel')
    for proj in (serial_proj, parallel_proj):
        write_book(proj)
        # Some bad input too: warnings must be the same whoever reads which document.
        proj.edit('t03.md', 'See {question}', 'See {question}`ghost` and {question}')
        proj.write(
            'dup.md', '---\norphan: true\n---\n# Dup\n\n:::{question} t01-a\n\nAgain?\n:::\n'
        )
    serial = serial_proj.build(parallel=0)
    parallel = parallel_proj.build(parallel=2)
    assert sorted(serial.warnings(), key=repr) == sorted(parallel.warnings(), key=repr)
    assert len(serial.warnings()) == 2
    pages = [
        'questions',
        'refs',
        'index',
        'matrix',
        'schedule',
        'brief-ana',
        'brief-ben',
        *[f't{n:02d}' for n in range(1, 13)],
    ]
    for page in pages:
        assert _collection_html(serial, page) == _collection_html(parallel, page), page
    serial_domain = serial.app.env.get_domain('briefing')
    parallel_domain = parallel.app.env.get_domain('briefing')
    assert serial_domain.derived.problems == parallel_domain.derived.problems

    # And incrementally, still in parallel.
    for proj in (serial_proj, parallel_proj):
        proj.edit('t07.md', 'First question of t07?', 'Edited question seven?')
    serial = serial_proj.build(parallel=0)
    parallel = parallel_proj.build(parallel=2)
    for page in ['questions', 't07', 't08', 'matrix', 'schedule', 'brief-ana', 'brief-ben']:
        assert _collection_html(serial, page) == _collection_html(parallel, page), page
    for page in ['questions', 'matrix', 'schedule', 'brief-ana']:
        assert 'Edited question seven?' in _collection_html(parallel, page), page


def test_parallel_read_really_ran_in_workers(project: Any) -> None:
    from sphinx.util.parallel import parallel_available

    assert parallel_available
    proj = project()
    write_book(proj)
    build = proj.build(parallel=2)
    # Sphinx reports chunks ('t05 .. t11') only when it reads and writes in parallel.
    status = re.sub(r'\x1b\[[0-9;]*m', '', build.app.status.getvalue())
    assert re.search(r'reading sources\.\.\. \[\s*\d+%\] \S+ \.\. \S+', status)
    assert re.search(r'writing output\.\.\. \[\s*\d+%\] \S+ \.\. \S+', status)
    assert build.warnings() == []


def test_no_op_build_runs_the_step_and_writes_nothing(project: Any, monkeypatch: Any) -> None:
    """The step runs in every build (its warnings are repeated, so -W keeps failing), and a
    build with nothing changed writes no page of ours."""
    from sphinx_briefing import events

    proj = project()
    write_book(proj, themes=3)
    proj.edit('t02.md', 'See {question}', 'See {question}`ghost` and {question}')
    first = proj.build()
    assert [w.type for w in first.warnings()] == ['briefing.unknown_question']
    calls = []
    real = events.derive
    monkeypatch.setattr(events, 'derive', lambda inputs: calls.append(1) or real(inputs))
    second = proj.build()
    assert second.read == [] and calls == [1]
    # Unresolved references are warned about when pages are written; derive's own
    # problems (here none) and the .bib's are repeated; the no-op writes no page.
    assert set(second.written) <= SPHINX_ALWAYS_WRITES
    # A setting the step reads, changed without any document: the step runs and the pages
    # that show it are rewritten.
    third = proj.build(briefing_status='final')
    assert third.read == [] and calls == [1, 1]
    assert {'t01', 't02', 'questions'} <= set(third.written)
    assert (
        'FINAL'
        in BeautifulSoup(third.html('t01'), 'html.parser')
        .select_one('div.briefing-banner')
        .get_text()
    )


def test_no_op_build_repeats_derived_warnings(project: Any) -> None:
    proj = project()
    write_book(proj, themes=3)
    proj.edit('t02.md', ':to: ben', ':to: nobody')
    assert [w.type for w in proj.build().warnings()] == ['briefing.unknown_participant']
    again = proj.build()
    assert again.read == []
    assert [w.type for w in again.warnings()] == ['briefing.unknown_participant']


def test_a_clean_build_links_the_stylesheet_as_a_rebuild_does(project: Any) -> None:
    """Sphinx links a stylesheet with a checksum of the file in the output folder; ours
    is there before the first page is written, so a clean build's pages and a rebuild's
    link it the same way (browsers then never keep an old copy)."""
    proj = project()
    write_book(proj)
    link = re.compile(r'_static/sphinx-briefing\.css\?v=[0-9a-f]{8}')
    first = proj.build()
    clean = link.findall(first.html('t01'))
    assert len(clean) == 1
    proj.edit('t01.md', 'First question of t01?', 'A new first question?')
    again = proj.build()
    assert 't01' in again.written
    assert link.findall(again.html('t01')) == clean


def published(outdir: Path) -> dict[str, bytes]:
    """Every file a site publishes: the output folder less Sphinx's and our caches (the
    hidden files and folders, which hold the source folder's path)."""
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in sorted(outdir.rglob('*'))
        if path.is_file()
        and not any(part.startswith('.') for part in path.relative_to(outdir).parts)
    }


def sphinx_build(source: Path) -> Path:
    """Build *source* to HTML as a reader does, with sphinx-build in a process of its own
    (Sphinx keeps some checksums for the life of a process, so builds in one process do
    not show every difference between a clean build and a rebuild)."""
    outdir = source / '_build' / 'html'
    result = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-q', '-b', 'html', str(source), str(outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == '', result.stderr
    return outdir


def test_a_rebuild_writes_the_bytes_of_a_clean_build(tmp_path: Path) -> None:
    """The example book built, a source touched and the book rebuilt (no -E): every page,
    stylesheet, search index and briefing.json is byte for byte what a clean build of
    the same sources writes."""
    source = tmp_path / 'incremental'
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns('_build'))
    outdir = sphinx_build(source)
    page = outdir / 'themes' / '3-huawei-zte.html'
    before = page.stat().st_mtime_ns
    Project(source, SphinxTestApp).touch(source / 'themes' / '3-huawei-zte.md')
    sphinx_build(source)
    assert page.stat().st_mtime_ns != before  # the page was written again
    clean = tmp_path / 'clean'
    shutil.copytree(source, clean, ignore=shutil.ignore_patterns('_build'))
    want, got = published(sphinx_build(clean)), published(outdir)
    assert len(want) > 40 and 'briefing.json' in want and 'searchindex.js' in want
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []
