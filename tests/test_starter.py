"""``python -m sphinx_briefing new DIR``: the book it writes builds with ``-W -n`` in every
edition, as HTML and as LaTeX, in MyST and in reStructuredText."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Project

from sphinx_briefing.starter import book_files


def new_book(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'sphinx_briefing', 'new', str(target), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize('syntax', ['md', 'rst'])
def test_the_new_book_builds_in_every_edition_as_html_and_latex(
    tmp_path: Path, make_app: Any, syntax: str
) -> None:
    target = tmp_path / 'book'
    flag = {'md': '--myst', 'rst': '--rst'}[syntax]
    done = new_book(target, '--title', 'Export controls', '--panellists', '3', flag)
    assert done.returncode == 0, done.stderr
    sources = {p.relative_to(target).as_posix() for p in target.rglob('*') if p.is_file()}
    suffix = '.md' if syntax == 'md' else '.rst'
    pages = {
        'index',
        'panel',
        'participants',
        'themes/first-theme',
        'question-index',
        'position-matrix',
        'run-of-show',
        'bibliography',
        'briefs/panellist-a',
        'briefs/panellist-b',
        'briefs/panellist-c',
    }
    assert sources == {'conf.py', 'references.bib', *(page + suffix for page in pages)}
    proj = Project(target, make_app)
    for edition in ('moderator', 'panellist', 'public'):
        for builder in ('html', 'latex'):
            build = proj.build(
                builder,
                outdir_name=f'_build/{edition}',
                warningiserror=True,
                nitpicky=True,
                briefing_edition=edition,
            )
            assert build.warnings() == [], (edition, builder)
            data = json.loads((build.outdir / 'briefing.json').read_text('utf-8'))
            assert [p['id'] for p in data['panels']] == ['export-controls']
            numbers = [q['number'] for q in data['questions']]
            if edition == 'public':
                # the defensive question and the pages for the panel's side are left out
                assert numbers == ['Q1', 'Q2', 'Q3'] and data['positions'] == []
            else:
                assert numbers == ['Q1', 'Q2', 'Q3', 'Q4'] and len(data['positions']) == 2
            kinds = [slot['kind'] for slot in data['panels'][0]['run_of_show']]
            assert kinds == ['opening', 'question', 'break', 'session', 'question', 'closing']
        written = {p.stem for p in (target / '_build' / edition / 'html').rglob('*.html')}
        for page in ('position-matrix', 'panellist-a'):
            assert (page in written) == (edition != 'public'), (edition, page)


def test_the_new_book_has_what_the_issue_asks_for() -> None:
    files = book_files('Export controls', myst=True, panellists=2, date='2026-01-15')
    theme = files['themes/first-theme.md']
    for feature in (':short:', '{break}', ':session:', 'defensive', '{position}', ':sources:'):
        assert feature in theme, feature
    assert ':date: 2026-01-15' in files['panel.md']
    assert files['briefs/panellist-b.md'].startswith('---\nbriefing:\n  audience: panellist')
    assert set(files) >= {'briefs/panellist-a.md', 'briefs/panellist-b.md'}
    assert 'briefs/panellist-c.md' not in files


def test_the_starter_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / 'keep.txt').write_text('mine', encoding='utf-8')
    done = new_book(tmp_path)
    assert done.returncode == 2 and 'not empty' in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['keep.txt']
    assert new_book(tmp_path, '--date', '15 January').returncode == 2
    assert new_book(tmp_path, '--force').returncode == 0
    assert (tmp_path / 'conf.py').is_file() and (tmp_path / 'keep.txt').is_file()
