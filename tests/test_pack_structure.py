"""The moderator's pack in builds (issue 21, items 3 to 5): short forms where a question
takes one line, questions of several paragraphs kept apart, breaks and sessions in the run
of show, panel prefixes, pages for one panel and one audience, defensive questions. Each
source is written in MyST and in reStructuredText, and both must give the same result."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import MYST_CONF, RST_CONF, Build
from test_editions import output_text

SYNTAXES = ('md', 'rst')

BOOK_MD = """\
# Book

:::{panel} p1
:title: Morning panel
:start: 09:00
:duration: 60
:moderator: chair
:panellists: ana
:prefix: A-
:::

:::{panel} p2
:title: Afternoon panel
:moderator: chair
:panellists: ana
:prefix: B-
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Alves
:::

:::{question} q1
:to: ana
:minutes: 10
:panel: p1
:short: Screening, enough?

Is screening of foreign investment enough, given what the 2018 reforms left out?
:::

:::{question} q2
:to: ana
:minutes: 5
:panel: p1

Firstpara asks about licensing.

Secondpara asks about enforcement.
:::

:::{break} Coffee
:minutes: 15
:session: Second session
:panel: p1
:::

:::{question} q3
:to: ana
:minutes: 10
:panel: p1

Who pays?
:::

:::{question} q4
:panel: p2

Other panel?
:::

```{run-of-show}
:panel: p1
```

```{question-index}
```

```{panellist-brief} ana
:panel: p1
```
"""

BOOK_RST = """\
Book
====

.. panel:: p1
   :title: Morning panel
   :start: 09:00
   :duration: 60
   :moderator: chair
   :panellists: ana
   :prefix: A-

.. panel:: p2
   :title: Afternoon panel
   :moderator: chair
   :panellists: ana
   :prefix: B-

.. participant:: chair
   :name: Chair Person

.. participant:: ana
   :name: Ana Alves

.. question:: q1
   :to: ana
   :minutes: 10
   :panel: p1
   :short: Screening, enough?

   Is screening of foreign investment enough, given what the 2018 reforms left out?

.. question:: q2
   :to: ana
   :minutes: 5
   :panel: p1

   Firstpara asks about licensing.

   Secondpara asks about enforcement.

.. break:: Coffee
   :minutes: 15
   :session: Second session
   :panel: p1

.. question:: q3
   :to: ana
   :minutes: 10
   :panel: p1

   Who pays?

.. question:: q4
   :panel: p2

   Other panel?

.. run-of-show::
   :panel: p1

.. question-index::

.. panellist-brief:: ana
   :panel: p1
"""


def build_book(project: Any, syntax: str, **overrides: Any) -> Build:
    proj = project(name=f'book-{syntax}')
    proj.write('conf.py', MYST_CONF if syntax == 'md' else RST_CONF)
    proj.write(f'index.{syntax}', BOOK_MD if syntax == 'md' else BOOK_RST)
    return proj.build(**overrides)


def export_of(build: Build) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build.outdir / 'briefing.json').read_text('utf-8'))
    return data


def table_rows(soup: BeautifulSoup, cls: str) -> list[str]:
    table = soup.find('table', class_=cls)
    assert table is not None, cls
    return [' '.join(row.get_text(' ').split()) for row in table.find_all('tr')]


@pytest.mark.parametrize('syntax', SYNTAXES)
def test_short_forms_where_a_question_takes_one_line(project: Any, syntax: str) -> None:
    build = build_book(project, syntax)
    assert build.warnings() == []
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    run = table_rows(soup, 'briefing-run-of-show')
    index = table_rows(soup, 'briefing-question-index')
    for rows in (run, index):
        # the author's short form, not the question
        assert any('A-Q1 Screening, enough?' in row for row in rows), rows
        assert not any('2018 reforms' in row for row in rows), rows
        # a question of two paragraphs shows its first, and says there is more
        assert any('A-Q2 Firstpara asks about licensing. …' in row for row in rows), rows
        assert not any('Secondpara' in row for row in rows), rows
    # hover text of references to a question: its number and short form
    titles = {a.get('title') for a in soup.find_all('a') if a.get('title')}
    assert 'A-Q1 Screening, enough?' in titles
    # the brief's slot list
    slots = soup.find('p', class_='briefing-slots')
    assert slots is not None
    assert 'A-Q1 Screening, enough?' in ' '.join(slots.get_text(' ').split())
    # the question's own box keeps both paragraphs, as two paragraphs
    box = soup.find(id='question-q2')
    assert box is not None
    paragraphs = [' '.join(p.get_text(' ').split()) for p in box.find_all('p')]
    assert 'Firstpara asks about licensing.' in paragraphs
    assert 'Secondpara asks about enforcement.' in paragraphs
    # the export has both forms, the text with its paragraphs apart
    questions = {q['id']: q for q in export_of(build)['questions']}
    assert questions['q1']['short'] == 'Screening, enough?'
    assert questions['q2']['text'] == (
        'Firstpara asks about licensing.\n\nSecondpara asks about enforcement.'
    )
    assert questions['q2']['short'] == 'Firstpara asks about licensing. …'


@pytest.mark.parametrize('syntax', SYNTAXES)
def test_a_multi_paragraph_question_is_never_run_together(project: Any, syntax: str) -> None:
    """Nowhere in any output (pages, domain index, search index, LaTeX) do the two
    paragraphs meet in one run of text."""
    # one paragraph: the two on one line, or on lines next to each other (TeX joins them)
    run_together = re.compile(r'licensing\.[ \t]*\n?[ \t]*secondpara')
    for builder in ('html', 'latex'):
        build = build_book(project, syntax, buildername=builder)
        everything = output_text(build.outdir)
        assert 'secondpara' in everything, builder
        assert not run_together.search(everything), builder


@pytest.mark.parametrize('syntax', SYNTAXES)
def test_breaks_and_sessions_in_the_run_of_show(project: Any, syntax: str) -> None:
    build = build_book(project, syntax)
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    run = table_rows(soup, 'briefing-run-of-show')
    assert run[1:] == [
        '09:00 10 A-Q1 Screening, enough? Ana Alves',
        '09:10 5 A-Q2 Firstpara asks about licensing. … Ana Alves',
        '09:15 15 Coffee',
        '09:30 Second session',
        '09:30 10 A-Q3 Who pays? Ana Alves',
        '09:40 End',
    ]
    # 40 minutes of a 60-minute panel, the break counted
    timing = soup.find('p', class_='briefing-timing')
    assert timing is not None and '40' in timing.get_text()
    # where the break is declared, it says so
    assert soup.find('p', class_='briefing-break') is not None
    (p1, _p2) = export_of(build)['panels']
    assert [(s['kind'], s['start'], s['minutes'], s['label']) for s in p1['run_of_show']] == [
        ('question', '09:00', 10, ''),
        ('question', '09:10', 5, ''),
        ('break', '09:15', 15, 'Coffee'),
        ('session', '09:30', None, 'Second session'),
        ('question', '09:30', 10, ''),
    ]


@pytest.mark.parametrize('syntax', SYNTAXES)
def test_prefixes_tell_two_panels_numbers_apart(project: Any, syntax: str) -> None:
    build = build_book(project, syntax)
    data = export_of(build)
    assert [q['number'] for q in data['questions']] == ['A-Q1', 'A-Q2', 'A-Q3', 'B-Q1']
    assert [p['prefix'] for p in data['panels']] == ['A-', 'B-']
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    index = ' '.join(table_rows(soup, 'briefing-question-index'))
    assert 'B-Q1 Other panel?' in index
    # the domain's index page too
    page = BeautifulSoup(build.html('briefing-questions'), 'html.parser').get_text(' ')
    assert 'B-Q1' in page and 'A-Q3' in page


def test_an_overrun_counts_the_breaks(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        BOOK_MD.replace(':duration: 60', ':duration: 30'),
    )
    warnings = proj.build().warnings()
    overrun = [w for w in warnings if w.type == 'briefing.overrun']
    assert len(overrun) == 1 and '40 minutes' in overrun[0].text


# -- pages for one panel and one audience ------------------------------------------------------

FRONT_INDEX = """\
# Book

:::{panel} p1
:title: Panel one
:moderator: chair
:::

:::{participant} chair
:name: Chair Person
:::

:::{question} main
:minutes: 5

On panel one?
:::

```{toctree}
second-md
second-rst
Notes for the moderator <notes-md>
notes-rst
prep-md
prep-rst
```
"""

PAGES = {
    'second-md.md': """\
---
briefing:
  panel: p2
---
# Second panel

:::{panel} p2
:title: Panel two
:moderator: chair
:::

:::{question} s-md
Second panel question (MyST)?
:::
""",
    'second-rst.rst': """\
:briefing-panel: p2

Second panel, more
==================

.. question:: s-rst

   Second panel question (rST)?
""",
    'notes-md.md': """\
---
briefing:
  audience: moderator
---
# Notes

Gorgonzolamd notes for the moderator only.
""",
    'notes-rst.rst': """\
.. a comment may come first

:briefing-audience: moderator

Notes, more
===========

Gorgonzolarst notes for the moderator only.
""",
    'prep-md.md': """\
---
briefing-audience: panellist
---
# Preparation

Tapiocamd preparation for the panel's side.

```{position-matrix}
:panel: p1
```
""",
    'prep-rst.rst': """\
:briefing-audience: internal

Preparation, more
=================

Tapiocarst preparation for the panel's side.
""",
}

LEFT_OUT = {'moderator': (), 'panellist': ('gorgonzola',), 'public': ('gorgonzola', 'tapioca')}


def front_matter_book(project: Any, name: str = 'front') -> Any:
    proj = project(name=name)
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', FRONT_INDEX)
    for filename, text in PAGES.items():
        proj.write(filename, text)
    return proj


def test_a_page_names_its_panel_in_its_front_matter(project: Any) -> None:
    build = front_matter_book(project).build(warningiserror=True)
    assert build.warnings() == []  # no no_panel warning for the second panel's questions
    questions = {q['id']: q for q in export_of(build)['questions']}
    assert {qid: (q['panel'], q['number']) for qid, q in questions.items()} == {
        'main': ('p1', 'Q1'),
        's-md': ('p2', 'Q1'),
        's-rst': ('p2', 'Q2'),
    }


@pytest.mark.parametrize('edition', ['moderator', 'panellist', 'public'])
def test_a_page_for_a_narrower_audience_is_left_out_without_a_warning(
    project: Any, edition: str
) -> None:
    proj = front_matter_book(project, edition)
    build = proj.build(warningiserror=True, briefing_edition=edition, nitpicky=True)
    assert build.warnings() == []
    everything = output_text(build.outdir)
    for token in ('gorgonzola', 'tapioca'):
        for syntax in ('md', 'rst'):
            word = token + syntax
            if token in LEFT_OUT[edition]:
                assert word not in everything, (edition, word)
            else:
                assert word in everything, (edition, word)
    # nothing of it in the environment either
    doctrees = Path(build.app.doctreedir)
    for path in doctrees.rglob('*'):
        data = path.read_bytes().lower() if path.is_file() else b''
        for token in LEFT_OUT[edition]:
            assert token.encode() not in data, (edition, path)
    # the toctree links only to the pages of the edition
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    links = {a['href'] for a in soup.select('.toctree-wrapper a')}
    assert ('notes-md.html' in links) == (edition == 'moderator')
    assert ('prep-rst.html' in links) == (edition != 'public')


def test_a_page_changing_its_audience_is_in_or_out_on_the_next_build(project: Any) -> None:
    proj = front_matter_book(project)
    assert 'gorgonzolamd' not in output_text(proj.build(briefing_edition='public').outdir)
    proj.edit('notes-md.md', 'audience: moderator', 'audience: public')
    shown = proj.build(briefing_edition='public', warningiserror=True)
    assert shown.warnings() == []
    assert 'gorgonzolamd' in output_text(shown.outdir)
    proj.edit('notes-md.md', 'audience: public', 'audience: moderator')
    hidden = proj.build(briefing_edition='public', warningiserror=True)
    assert hidden.warnings() == []
    assert 'gorgonzolamd' not in output_text(hidden.outdir)


def test_defensive_questions_are_not_public_unless_marked(project: Any) -> None:
    proj = project()
    proj.write('conf.py', RST_CONF)
    proj.write(
        'index.rst',
        """\
Book
====

.. panel:: p1
   :moderator: chair

.. participant:: chair

.. question:: q1

   Opening question?

.. question:: floor
   :priority: defensive

   If asked about the okapileak from the floor?

.. question:: open-floor
   :priority: defensive
   :audience: public

   If asked about the public quagga figures?

.. question:: q2

   Closing question?

.. question-index::
""",
    )
    shown = {'public': ('quagga',), 'panellist': ('quagga', 'okapileak')}
    for edition, words in shown.items():
        build = proj.build(briefing_edition=edition, outdir_name=f'_build_{edition}')
        assert build.warnings() == []
        everything = output_text(build.outdir)
        for word in ('quagga', 'okapileak'):
            assert (word in everything) == (word in words), (edition, word)
        numbers = [q['number'] for q in export_of(build)['questions']]
        # the left-out question keeps its number: Q2 in every edition
        assert numbers == (['Q1', 'Q3', 'Q4'] if edition == 'public' else ['Q1', 'Q2', 'Q3', 'Q4'])


@pytest.mark.parametrize('syntax', SYNTAXES)
def test_clashing_prefixes_are_warned_at_the_later_panel(project: Any, syntax: str) -> None:
    source = BOOK_MD if syntax == 'md' else BOOK_RST
    proj = project(name=f'clash-{syntax}')
    proj.write('conf.py', MYST_CONF if syntax == 'md' else RST_CONF)
    proj.write(f'index.{syntax}', source.replace('prefix: B-', 'prefix: A-'))
    warnings = [w for w in proj.build().warnings() if w.type == 'briefing.bad_prefix']
    assert len(warnings) == 1
    later = source.splitlines().index('.. panel:: p2' if syntax == 'rst' else ':::{panel} p2') + 1
    assert (warnings[0].file, warnings[0].line) == (f'index.{syntax}', later)
    assert "'p1' and 'p2'" in warnings[0].text and 'A-Q1' in warnings[0].text
