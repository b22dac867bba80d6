"""The moderator's pack: objectives, lines to take, scripted introductions, logistics;
briefs complete for the person holding them; and each brief's stamp."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import MYST_CONF, RST_CONF, Build, Project
from test_editions import output_text

from sphinx_briefing.export import SCHEMA_PATH

# One distinctive word per item, and the narrowest edition that holds it.
WORDS = {
    'okapi': 'panellist',  # objectives
    'lemur': 'panellist',  # logistics
    'tapir': 'panellist',  # ana's top line
    'ibex': 'panellist',  # ana's if-pressed
    'aardvark': 'panellist',  # ana's avoid
    'gecko': 'panellist',  # ben's top line
    'heron': 'moderator',  # the host's top line
    'iguana': 'moderator',  # ana's introduction
    'opossum': 'moderator',  # the opening script
    'cobra': 'moderator',  # the closing script
    'zebra': 'moderator',  # a moderator's note in a question
    'yak': 'moderator',  # a moderator's note on the panel page
    'quail': 'public',  # public logistics
}
RANK = {'public': 0, 'panellist': 1, 'moderator': 2}

INDEX_MD = """\
# Panel

:::{panel} p1
:title: Panel one
:moderator: chair
:panellists: ana, ben
:status: draft
:::

:::{objectives}
Okapi objectives: why we meet.
:::

:::{logistics}
Lemur logistics: arrive at 13:30, Room A; read {position}`us-q1` first.
:::

:::{logistics}
:audience: public
Quail: the session is open to registered delegates.
:::

:::{moderator-note}
Yak: keep the panel to time.
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Alves
:affiliation: Institute A
:reading: AH-na AL-vesh

Ana studies screening.

Her second bio paragraph.
:::

:::{participant} ben
:name: Ben Brown
:reading: BEN BROWN

Ben studies export controls.
:::

::::{lines-to-take}
:for: ana

:::{top-line}
Tapir top line.
:::

:::{supporting-points}
- first point;
- second point.
:::

:::{if-pressed}
Ibex if pressed.
:::

:::{avoid}
Aardvark avoid.
:::
::::

::::{lines-to-take}
:for: ben

:::{top-line}
Gecko top line.
:::
::::

::::{lines-to-take}
:::{top-line}
Heron host line.
:::
::::

:::{introduction} ana
Iguana: our first panellist is Ana Alves.
:::

:::{introduction} opening
Opossum: welcome to the panel.
:::

:::{introduction} closing
Cobra: thank you all.
:::

```{toctree}
themes
brief-ana
brief-ben
brief-chair
```
"""

THEMES_MD = """\
# Themes

## Screening

Screening context, the first paragraph.

The second paragraph of the screening context.

::::{question} q1
:to: ana, ben
:minutes: 5

Is screening enough?

:::{moderator-note}
Zebra: press on the figures.
:::
::::

:::{position} us-q1
:question: q1
:actor: United States
:stance: supports

The United States supports it.
:::

:::{position} cn-q1
:question: q1
:actor: China
:stance: opposes

China opposes it.
:::

### Details

Details paragraph, not the theme's context.

## Trade

:::{question} q2
:to: ana
:minutes: 4

Who pays?
:::

:::{position} eu-q2
:question: q2
:actor: European Union
:stance: supports

The EU agrees.
:::
"""


def write_pack(proj: Project) -> None:
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', INDEX_MD)
    proj.write('themes.md', THEMES_MD)
    for pid in ('ana', 'ben', 'chair'):
        proj.write(f'brief-{pid}.md', f'# Brief {pid}\n\n```{{panellist-brief}} {pid}\n```\n')


@pytest.fixture(scope='module')
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    from sphinx.testing.util import SphinxTestApp

    builds = {}
    for edition in ('moderator', 'panellist', 'public'):
        proj = Project(tmp_path_factory.mktemp(edition) / 'src', SphinxTestApp)
        write_pack(proj)
        builds[edition] = proj.build(briefing_edition=edition)
    return builds


def main_text(build: Build, page: str) -> str:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    body = soup.select_one('div.body')
    assert body is not None
    return body.get_text(' ', strip=True)


@pytest.mark.parametrize('edition', ['moderator', 'panellist', 'public'])
def test_no_warnings(editions: dict[str, Build], edition: str) -> None:
    assert editions[edition].warnings() == []


@pytest.mark.parametrize('edition', ['moderator', 'panellist', 'public'])
def test_each_edition_holds_exactly_what_it_may(editions: dict[str, Build], edition: str) -> None:
    build = editions[edition]
    everything = output_text(build.outdir)
    doctrees = [
        p.read_bytes().lower() for p in Path(build.app.doctreedir).rglob('*') if p.is_file()
    ]
    for word, narrowest in WORDS.items():
        if RANK[edition] >= RANK[narrowest]:
            assert word in everything, (edition, word)
        else:
            assert word not in everything, (edition, word)
            assert not any(word.encode() in data for data in doctrees), (edition, word)


def test_moderators_brief_holds_everything_for_the_night_before(
    editions: dict[str, Build],
) -> None:
    text = main_text(editions['moderator'], 'brief-chair')
    # objectives, logistics, the host's lines (not a panellist's), the scripts
    for word in ('Okapi', 'Lemur', 'Heron host line', 'Opossum', 'Cobra', 'Yak'):
        assert word in text, word
    for word in ('Tapir', 'Gecko'):
        assert word not in text, word
    # every panellist: affiliation, how to say the name, introduction and whole bio
    assert 'Ana Alves — Institute A' in text
    assert 'AH-na AL-vesh' in text and 'BEN BROWN' in text
    assert 'Iguana: our first panellist is Ana Alves.' in text
    assert 'Her second bio paragraph.' in text and 'Ben studies export controls.' in text
    # per question: who is asked, where the positions stand and that they differ, the note
    assert 'Asked: Ana Alves , Ben Brown' in text
    assert 'Supports : United States ; − Opposes : China — views differ' in text
    assert 'Zebra: press on the figures.' in text
    # the question itself, not its short form in the slots list above
    q2 = text[text.rindex('Who pays?') :]
    assert 'Supports : European Union' in q2 and 'views differ' not in q2
    # the opening comes before the questions, the closing after them
    assert text.index('Opossum') < text.rindex('Is screening enough?') < text.index('Cobra')


def test_panellists_brief_holds_their_own_lines_and_the_others(
    editions: dict[str, Build],
) -> None:
    text = main_text(editions['moderator'], 'brief-ana')
    for word in ('Tapir top line', 'first point', 'Ibex if pressed', 'Aardvark avoid'):
        assert word in text, word
    # not the other panellist's lines, nor the host's, nor the moderator's material
    for word in ('Gecko', 'Heron', 'Iguana', 'Opossum', 'Cobra', 'Zebra', 'Yak'):
        assert word not in text, word
    # the others: how to say their names and the first paragraph of their bios
    assert 'BEN BROWN' in text and 'Ben studies export controls.' in text
    # also asked on the shared question, not on her own
    assert 'Also asked: Ben Brown' in text
    assert text.count('Also asked') == 1
    # each theme's context once, without its subsections' paragraphs
    assert text.count('Screening context, the first paragraph.') == 1
    assert 'The second paragraph of the screening context.' in text
    assert 'Details paragraph' not in text
    assert text.index('Screening context') < text.rindex('Is screening enough?')


def test_a_moderator_with_lines_of_their_own_also_gets_the_hosts(project: Any) -> None:
    proj = project()
    write_pack(proj)
    proj.edit(
        'index.md',
        ':::{introduction} ana',
        '::::{lines-to-take}\n:for: chair\n\n:::{top-line}\nChamois chair line.\n:::\n::::\n\n'
        ':::{introduction} ana',
    )
    build = proj.build()
    assert build.warnings() == []
    text = main_text(build, 'brief-chair')
    assert text.index('Your lines to take') < text.index('Chamois chair line.')
    assert text.index("The host's lines to take") < text.index('Heron host line.')


def test_ben_sees_his_own_lines(editions: dict[str, Build]) -> None:
    text = main_text(editions['panellist'], 'brief-ben')
    assert 'Gecko top line' in text
    assert 'Tapir' not in text


def test_the_panel_page_shows_each_item_with_its_header(editions: dict[str, Build]) -> None:
    soup = BeautifulSoup(editions['moderator'].html('index'), 'html.parser')
    headers = [
        div.select_one('p.briefing-header').get_text(' ', strip=True)
        for div in soup.select('div.briefing-objectives, div.briefing-logistics')
    ]
    assert headers == ['Objectives', 'Logistics', 'Logistics']
    lines = [
        div.select_one('p.briefing-header').get_text(' ', strip=True)
        for div in soup.select('div.briefing-linestotake')
    ]
    assert lines == [
        'Lines to take · for Ana Alves',
        'Lines to take · for Ben Brown',
        'Lines to take · for the host',
    ]
    parts = [p.get_text() for p in soup.select('div.briefing-linepart > p.briefing-header')]
    assert parts[:4] == ['Top line', 'Supporting points', 'If pressed', 'Avoid']
    scripts = [
        div.select_one('p.briefing-header').get_text(' ', strip=True)
        for div in soup.select('div.briefing-introduction')
    ]
    assert scripts == ['Introduction · of Ana Alves', 'Opening script', 'Closing script']


@pytest.mark.parametrize('edition', ['moderator', 'panellist', 'public'])
def test_brief_says_whom_it_was_prepared_for(editions: dict[str, Build], edition: str) -> None:
    build = editions[edition]
    soup = BeautifulSoup(build.html('brief-ben'), 'html.parser')
    stamp = soup.select_one('div.briefing-panellist-brief > p.briefing-prepared-for')
    assert stamp is not None
    label = {'moderator': 'Moderator', 'panellist': 'Panellist', 'public': 'Public'}[edition]
    assert stamp.get_text(' ', strip=True).startswith(
        f'Prepared for Ben Brown · {label} edition · Draft · built '
    )
    # the first thing of the brief
    assert stamp.find_previous_sibling() is None


def test_the_stamp_gives_the_days_date(project: Any) -> None:
    proj = project()
    write_pack(proj)
    build = proj.build(today='20 November 2019')
    stamp = BeautifulSoup(build.html('brief-ana'), 'html.parser').select_one(
        'p.briefing-prepared-for'
    )
    assert stamp is not None and stamp.get_text().endswith('built 20 November 2019')


@pytest.mark.parametrize('edition', ['moderator', 'panellist', 'public'])
def test_export_holds_the_pack_of_the_edition(editions: dict[str, Build], edition: str) -> None:
    data = json.loads((editions[edition].outdir / 'briefing.json').read_text(encoding='utf-8'))
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text(encoding='utf-8')))
    lines = {item['for']: item for item in data['lines_to_take']}
    scripts = {(s['kind'], s['participant']) for s in data['scripts']}
    if edition == 'public':
        assert [item['text'] for item in data['logistics']] == [
            'Quail: the session is open to registered delegates.'
        ]
        assert data['objectives'] == [] and lines == {} and scripts == set()
        return
    assert [item['text'] for item in data['objectives']] == ['Okapi objectives: why we meet.']
    assert data['objectives'][0]['panel'] == 'p1'
    assert lines['ana']['parts'] == [
        {'part': 'top-line', 'text': 'Tapir top line.'},
        {'part': 'supporting-points', 'text': 'first point; second point.'},
        {'part': 'if-pressed', 'text': 'Ibex if pressed.'},
        {'part': 'avoid', 'text': 'Aardvark avoid.'},
    ]
    if edition == 'panellist':
        assert set(lines) == {'ana', 'ben'} and scripts == set()
    else:
        assert set(lines) == {'ana', 'ben', None}
        assert scripts == {('introduction', 'ana'), ('opening', None), ('closing', None)}


# -- MyST and reStructuredText --------------------------------------------------------------

INDEX_RST = """\
Panel
=====

.. panel:: p1
   :title: Panel one
   :moderator: chair
   :panellists: ana, ben
   :status: draft

.. objectives::

   Okapi objectives: why we meet.

.. logistics::

   Lemur logistics: arrive at 13:30, Room A; read :position:`us-q1` first.

.. logistics::
   :audience: public

   Quail: the session is open to registered delegates.

.. moderator-note::

   Yak: keep the panel to time.

.. participant:: chair
   :name: Chair Person

.. participant:: ana
   :name: Ana Alves
   :affiliation: Institute A
   :reading: AH-na AL-vesh

   Ana studies screening.

   Her second bio paragraph.

.. participant:: ben
   :name: Ben Brown
   :reading: BEN BROWN

   Ben studies export controls.

.. lines-to-take::
   :for: ana

   .. top-line::

      Tapir top line.

   .. supporting-points::

      - first point;
      - second point.

   .. if-pressed::

      Ibex if pressed.

   .. avoid::

      Aardvark avoid.

.. briefing:lines-to-take::
   :for: ben

   .. briefing:top-line::

      Gecko top line.

.. lines-to-take::

   .. top-line::

      Heron host line.

.. introduction:: ana

   Iguana: our first panellist is Ana Alves.

.. introduction:: opening

   Opossum: welcome to the panel.

.. introduction:: closing

   Cobra: thank you all.

.. toctree::

   themes
"""


def test_myst_and_rst_record_the_same_pack(project: Any) -> None:
    themes = THEMES_MD.split('## Screening')[0]  # no questions: the pack alone
    records = {}
    for flavour in ('md', 'rst'):
        proj = project(name=flavour)
        proj.write('conf.py', MYST_CONF if flavour == 'md' else RST_CONF)
        if flavour == 'md':
            proj.write(
                'index.md',
                INDEX_MD.replace('brief-ana\nbrief-ben\nbrief-chair\n', '').replace(
                    '; read {position}`us-q1` first', ''
                ),
            )
            proj.write('themes.md', themes)
        else:
            proj.write('index.rst', INDEX_RST.replace('; read :position:`us-q1` first', ''))
            proj.write('themes.rst', 'Themes\n======\n')
        build = proj.build()
        assert build.warnings() == []
        domain = build.app.env.get_domain('briefing')
        records[flavour] = [
            dataclasses.replace(item, line=None, body='')
            for item in domain.data['pack']['index']  # type: ignore[attr-defined]
        ]
        assert [i.kind for i in records[flavour]].count('lines-to-take') == 3
    assert records['md'] == records['rst']
    kinds = [(i.kind, i.holder) for i in records['md']]
    assert kinds == [
        ('objectives', ''),
        ('logistics', ''),
        ('logistics', ''),
        ('moderator-note', ''),
        ('bio', 'chair'),
        ('bio', 'ana'),
        ('bio', 'ben'),
        ('lines-to-take', 'ana'),
        ('lines-to-take', 'ben'),
        ('lines-to-take', ''),
        ('introduction', 'ana'),
        ('opening', ''),
        ('closing', ''),
    ]


def test_parallel_build_equals_serial(project: Any) -> None:
    pages = {}
    for parallel in (0, 2):
        proj = project(name=f'j{parallel}')
        write_pack(proj)
        build = proj.build(parallel=parallel)
        assert build.warnings() == []
        pages[parallel] = {
            page: main_text(build, page) for page in ('index', 'brief-ana', 'brief-chair')
        }
    assert pages[0] == pages[2]


def test_an_edit_rewrites_the_briefs_that_show_it(project: Any) -> None:
    proj = project()
    write_pack(proj)
    proj.build()
    proj.edit('index.md', 'Iguana: our first', 'Iguana: our very first')
    proj.edit('themes.md', 'Zebra: press on', 'Zebra: do press on')
    build = proj.build()
    assert 'brief-chair' in build.written
    text = main_text(build, 'brief-chair')
    assert 'Iguana: our very first' in text and 'Zebra: do press on' in text
    proj.edit('index.md', 'Ben studies export controls.', 'Ben studies sanctions.')
    build = proj.build()
    assert {'brief-ana', 'brief-chair'} <= set(build.written)
    assert 'Ben studies sanctions.' in main_text(build, 'brief-ana')


def test_a_briefs_pdf_names_what_a_copied_role_names(project: Any) -> None:
    """A brief printed on its own holds bodies copied from pages outside it: their roles
    show what they name (unlinked), not their raw targets."""
    proj = project()
    write_pack(proj)
    proj.write('conf.py', MYST_CONF + 'briefing_latex_briefs = True\n')
    build = proj.build('latex')
    assert build.warnings() == []
    tex = (build.outdir / 'brief-chair.tex').read_text(encoding='utf-8')
    assert 'Room A; read' in tex
    assert 'United States on Q1' in tex
    assert 'us\\sphinxhyphen{}q1' not in tex
    assert '\\sphinxbriefingpreparedfor{Prepared for Chair Person' in tex


def test_a_panellists_pdf_holds_only_their_own_lines(project: Any) -> None:
    """The panellist edition is the panel's; a brief printed on its own is one person's:
    its .tex holds their lines to take and no one else's."""
    proj = project()
    write_pack(proj)
    proj.write('conf.py', MYST_CONF + 'briefing_latex_briefs = True\n')
    build = proj.build('latex', briefing_edition='panellist')
    assert build.warnings() == []
    ana = (build.outdir / 'brief-ana.tex').read_text(encoding='utf-8')
    ben = (build.outdir / 'brief-ben.tex').read_text(encoding='utf-8')
    assert 'Tapir top line' in ana and 'Gecko' not in ana
    assert 'Gecko top line' in ben and 'Tapir' not in ben
    for tex in (ana, ben):
        assert 'Heron' not in tex and 'Iguana' not in tex
        assert 'Panellist edition' in tex


def test_a_brief_built_on_another_day_is_written_again(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    proj = project()
    write_pack(proj)
    monkeypatch.setenv('SOURCE_DATE_EPOCH', '1574121600')  # 19 November 2019
    proj.build(today_fmt='%d %B %Y')
    monkeypatch.setenv('SOURCE_DATE_EPOCH', '1574208000')  # the next day
    build = proj.build(today_fmt='%d %B %Y')
    assert build.read == []
    assert sorted(page for page in build.written if page.startswith('brief-')) == [
        'brief-ana',
        'brief-ben',
        'brief-chair',
    ]
    assert 'themes' not in build.written
    assert 'built 20 November 2019' in main_text(build, 'brief-ana')
