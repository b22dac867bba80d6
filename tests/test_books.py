"""Briefing books: position matrix, run of show, panellist briefs, handling banners."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from bs4 import BeautifulSoup
from conftest import MYST_CONF, Build, Project, write_book

PANEL = """\
:::{panel} p1
:title: Panel one
:date: 2019-11-20
:start: 14:00
:duration: 30
:opening: 3
:closing: 2
:moderator: chair
:panellists: ana, ben
:handling: TLP:AMBER
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Alves
:affiliation: Institute A
:reading: AH-nah
:::

:::{participant} ben
:name: Ben Brown
:::
"""

THEME = """\
# Theme

::::{question} q1
:to: ana
:minutes: 10

Is *screening* enough?

:::{question} q1-more
:minutes: 3
:priority: reserve

And then?
:::
::::

:::{question} q2
:to: ben
:minutes: 10

Who pays?
:::

::::{position} us-q1
:question: q1
:actor: United States
:stance: supports

FIRRMA went further.

:::{counter-argument}
It chills investment.
:::
::::

:::{position}
:question: q1
:actor: ben
:stance: opposes

Ben disagrees.
:::

:::{position}
:question: q2
:actor: EU
:stance: mixed

The EU hesitates.
:::
"""


def small_book(project: Any, **conf: Any) -> tuple[Project, Build]:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Book\n\n'
        + PANEL
        + '\n```{toctree}\ntheme\nmatrix\nschedule\nbrief-ana\nbrief-chair\n```\n',
    )
    proj.write('theme.md', THEME)
    proj.write('matrix.md', '# Matrix\n\n```{position-matrix}\n```\n')
    proj.write('schedule.md', '# Run of show\n\n```{run-of-show}\n```\n')
    proj.write('brief-ana.md', '# Brief for Ana\n\n```{panellist-brief} ana\n```\n')
    proj.write('brief-chair.md', '# Brief for the chair\n\n```{panellist-brief} chair\n```\n')
    return proj, proj.build(**conf)


def soup(build: Build, page: str) -> BeautifulSoup:
    return BeautifulSoup(build.html(page), 'html.parser')


def cells(table: Any) -> list[list[str]]:
    return [
        [td.get_text(' ', strip=True) for td in row.select('th, td')] for row in table.select('tr')
    ]


def test_position_matrix(project: Any) -> None:
    _proj, build = small_book(project)
    assert build.warnings() == []
    page = soup(build, 'matrix')
    table = page.select_one('table.briefing-position-matrix')
    assert cells(table) == [
        ['Actor', 'Q1', 'Q2'],
        # what a screen reader reads: the symbol's word (the word itself is hidden)
        ['United States', '+ Supports', ''],
        ['Ben Brown', '− Opposes', ''],
        ['EU', '', '± Mixed'],
    ]
    # Question headers carry the text on hover; cells link to positions; a participant
    # actor is shown by name and linked.
    header_links = [(a['href'], a['title']) for a in table.select('thead a')]
    assert header_links == [
        ('theme.html#question-q1', 'Q1 Is screening enough?'),
        ('theme.html#question-q2', 'Q2 Who pays?'),
    ]
    assert (
        table.select_one('tbody a[href="theme.html#position-us-q1"]')['title']
        == 'United States on Q1'
    )
    assert table.select_one('tbody a[href="index.html#participant-ben"]') is not None
    # The stance is written as a symbol with a legend, never by colour alone.
    stance = table.select_one('span.briefing-stance-supports')
    assert stance.select_one('[aria-hidden="true"]').get_text() == '+'
    # Screen readers get the stance's word, not "plus" or "minus".
    assert stance.select_one('.briefing-visually-hidden').get_text() == 'Supports'
    assert 'color' in stance['style'] or '--briefing-stance-colour' in stance['style']
    legend = page.select_one('p.briefing-legend').get_text(' ', strip=True)
    assert (
        legend
        == 'Legend: + Supports · − Opposes · ± Mixed · ○ Neutral · empty: no position recorded'
    )


def test_position_matrix_options(project: Any) -> None:
    proj, _build = small_book(project)
    proj.write(
        'matrix.md',
        '# Matrix\n\n```{position-matrix}\n:actors: EU, United States\n:questions: q2\n```\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert cells(soup(build, 'matrix').select_one('table')) == [
        ['Actor', 'Q2'],
        ['EU', '± Mixed'],
        ['United States', ''],
    ]


def test_run_of_show(project: Any) -> None:
    _proj, build = small_book(project)
    page = soup(build, 'schedule')
    main, reserve = page.select('table')
    assert cells(main) == [
        ['Time', 'Min.', 'Item', 'To'],
        ['14:00', '3', "Moderator's opening", 'Chair Person'],
        ['14:03', '10', 'Q1 Is screening enough?', 'Ana Alves'],
        ['14:13', '10', 'Q2 Who pays?', 'Ben Brown'],
        ['14:23', '2', "Moderator's closing", 'Chair Person'],
        ['14:25', '', 'End', ''],
    ]
    assert cells(reserve) == [
        ['No.', 'Question', 'Min.', 'Priority', 'To'],
        ['Q1a', '↳ And then?', '3', 'Reserve', 'Ana Alves'],
    ]
    assert "The core items need 25 of the panel's 30 minutes." in page.get_text()


def test_overrun_warns_with_both_figures(project: Any) -> None:
    proj, _build = small_book(project)
    proj.edit('index.md', ':duration: 30', ':duration: 20')
    build = proj.build()
    (warning,) = build.warnings()
    assert (warning.type, warning.file, warning.line) == ('briefing.overrun', 'index.md', 3)
    assert '25 minutes' in warning.text and 'lasts 20 minutes' in warning.text
    assert (
        'Over time: the core items need 25 minutes; the panel has 20.'
        in soup(build, 'schedule').get_text()
    )


def test_panellist_brief(project: Any) -> None:
    _proj, build = small_book(project)
    page = soup(build, 'brief-ana')
    text = page.select_one('div.briefing-panellist-brief').get_text(' ', strip=True)
    for expected in [
        'Ana Alves — Institute A',
        'Pronunciation: AH-nah',
        'Your role : Panellist',
        'Date : Wednesday, November 20, 2019',
        'Time : 14:00–14:30',
        'Handling : TLP:AMBER',
        'With : Chair Person ; Ben Brown',
        'Your slots: 14:03 Q1',
        'Q1 · 14:03 · 10 min · Core Is screening enough?',
        'Positions on Q1',
        'United States · + Supports · on Q1 FIRRMA went further.',
        'Anticipated counter-argument It chills investment.',
        'Ben Brown · − Opposes · on Q1 Ben disagrees.',
        'Q1a · 3 min · Reserve · follow-up to Q1 And then?',
    ]:
        assert expected in text, expected
    assert 'Who pays?' not in text  # addressed to ben
    # The body keeps its markup, and the copy carries no duplicate anchors.
    assert 'screening' in [em.get_text() for em in page.select('div.briefing-brief-question em')]
    ids = [tag['id'] for tag in page.select('[id]')]
    assert len(ids) == len(set(ids))


def test_moderator_brief_lists_every_question(project: Any) -> None:
    _proj, build = small_book(project)
    text = (
        soup(build, 'brief-chair')
        .select_one('div.briefing-panellist-brief')
        .get_text(' ', strip=True)
    )
    assert 'Your role : Moderator' in text
    assert 'With : Ana Alves — Institute A ; Ben Brown' in text
    assert 'Questions of the panel' in text
    assert 'Is screening enough?' in text and 'Who pays?' in text


def test_handling_banner_on_every_page_of_the_panel(project: Any) -> None:
    _proj, build = small_book(project, briefing_status='draft')
    pages = ('index', 'theme', 'matrix', 'schedule', 'brief-ana', 'brief-chair')
    # and the Question Index page Sphinx writes, which holds every question
    for page in (*pages, 'briefing-questions'):
        banner = soup(build, page).select_one('div.briefing-banner')
        assert banner is not None, page
        assert banner.get_text(' ', strip=True) == 'TLP:AMBER · DRAFT', page


def test_banner_change_rewrites_the_panel_pages(project: Any) -> None:
    proj, _build = small_book(project)
    proj.edit('index.md', ':handling: TLP:AMBER', ':handling: TLP:RED')
    build = proj.build()
    assert build.read == ['index']
    assert soup(build, 'theme').select_one('div.briefing-banner').get_text(strip=True) == 'TLP:RED'
    assert {'theme', 'matrix', 'schedule', 'brief-ana', 'brief-chair'} <= set(build.written)


def test_collections_refresh_incrementally(project: Any) -> None:
    proj = project()
    write_book(proj)
    proj.build()
    # A new position on t03-b adds a column to the matrix and a line to ben's brief.
    proj.edit(
        't03.md',
        'See {question}',
        ':::{position}\n:question: t03-b\n:actor: Ghana\n:stance: neutral\n\nGhana abstains.\n:::\n\nSee {question}',
    )
    build = proj.build()
    assert build.read == ['t03']
    assert {'matrix', 'brief-ben', 'questions'} <= set(build.written)
    assert 'brief-ana' not in build.written
    matrix = soup(build, 'matrix').select_one('table')
    assert 'Ghana' in matrix.get_text()
    assert 'Ghana abstains.' in soup(build, 'brief-ben').get_text()
    # Minutes shift every later slot: the run of show and both briefs are refreshed.
    proj.edit('t01.md', ':to: ana\n:minutes: 3', ':to: ana\n:minutes: 4')
    build = proj.build()
    assert {'schedule', 'brief-ana', 'brief-ben'} <= set(build.written)
    assert '14:04' in soup(build, 'schedule').get_text()


def test_a_brief_with_a_panel_option_belongs_to_that_panel(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Two panels\n\n```{toctree}\nmorning\nafternoon\nbrief\n```\n',
    )
    for name, handling in (('morning', 'TLP:GREEN'), ('afternoon', 'TLP:AMBER')):
        proj.write(
            f'{name}.md',
            f'# {name}\n\n:::{{panel}} {name}\n:handling: {handling}\n:panellists: ana\n:::\n\n'
            f':::{{question}} {name}-q\n:to: ana\n\nWhy?\n:::\n',
        )
    proj.write(
        'brief.md',
        '# Ana in the afternoon\n\n:::{participant} ana\n:name: Ana\n:::\n\n'
        '```{panellist-brief} ana\n:panel: afternoon\n```\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert (
        soup(build, 'brief').select_one('div.briefing-banner').get_text(strip=True) == 'TLP:AMBER'
    )
    assert (
        soup(build, 'morning').select_one('div.briefing-banner').get_text(strip=True) == 'TLP:GREEN'
    )


def search_terms(build: Build) -> dict[str, Any]:
    script = (build.outdir / 'searchindex.js').read_text(encoding='utf-8')
    index = json.loads(script[script.index('(') + 1 : script.rindex(')')])
    docnames: list[str] = index['docnames']
    return {
        term: {docnames[n] for n in (found if isinstance(found, list) else [found])}
        for term, found in index['terms'].items()
    }


def test_search_indexes_the_words_of_header_lines(project: Any) -> None:
    """The extension writes header lines as HTML itself; search gets their words, not
    their markup ("&amp;" once gave the word "amp")."""
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Book\n\n'
        + PANEL.replace('Institute A', 'Calloway & Pierce <LLP>')
        + '\n```{toctree}\ntheme\nbrief-chair\n```\n',
    )
    proj.write('theme.md', THEME.replace(':actor: EU', ':actor: Trade & Industry'))
    proj.write('brief-chair.md', '# Brief for the chair\n\n```{panellist-brief} chair\n```\n')
    build = proj.build()
    terms = search_terms(build)
    assert not {'amp', 'lt', 'gt'} & set(terms)
    # the participant's header line, and the header of a position by "Trade & Industry"
    assert 'index' in terms['pierc'] and 'index' in terms['llp']
    assert 'theme' in terms['industri']
    # Collections are left out of search (their objects' pages are the results) …
    assert 'brief-chair' not in terms['pierc']
    # … and the brief's "With" line shows the affiliation after a dash, as they do.
    assert 'Ana Alves — Calloway & Pierce <LLP> ; Ben Brown' in soup(build, 'brief-chair').get_text(
        ' ', strip=True
    )


def test_a_brief_shows_what_it_copies_as_the_theme_page_does(project: Any) -> None:
    """A brief's copies are written as HTML when the page is resolved (its references
    resolved from the brief's place); they read as on the theme page."""
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Book\n\n' + PANEL + '\n```{toctree}\nthemes/theme\nbrief-chair\n```\n',
    )
    proj.write(
        'themes/theme.md',
        THEME.replace(
            'FIRRMA went further.',
            'FIRRMA went *further*, see [the act](https://example.org/firrma) and '
            '{question}`q2`:\n\n- one\n- two',
        ),
    )
    proj.write('brief-chair.md', '# Brief for the chair\n\n```{panellist-brief} chair\n```\n')
    build = proj.build()
    assert build.warnings() == []
    theme, brief = soup(build, 'themes/theme'), soup(build, 'brief-chair')

    def position(page: BeautifulSoup) -> str:
        start = page.find(string=re.compile('FIRRMA went'))
        assert start is not None
        return str(start.parent) + str(start.parent.find_next_sibling('ul'))

    # The same markup, but for the link to Q2, made from each page's own place.
    assert position(brief) == position(theme).replace(
        'href="#question-q2"', 'href="themes/theme.html#question-q2"'
    )


def ana_book(project: Any, old: str, new: str) -> Project:
    """The theme book with Ana's brief, *old* in the theme replaced by *new*."""
    proj: Project = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', '# Book\n\n' + PANEL + '\n```{toctree}\ntheme\nbrief-ana\n```\n')
    proj.write('theme.md', THEME.replace(old, new))
    proj.write('brief-ana.md', '# Brief for Ana\n\n```{panellist-brief} ana\n```\n')
    return proj


def test_a_brief_shows_the_maths_of_what_it_copies(project: Any) -> None:
    """Inline maths in a question's body stays maths in the brief, which loads MathJax."""
    proj = ana_book(project, 'Is *screening* enough?', 'Is {math}`a^2` enough?')
    build = proj.build()
    assert build.warnings() == []
    brief = soup(build, 'brief-ana')
    maths = brief.select('div.briefing-brief-question span.math')
    assert [span.get_text() for span in maths] == [r'\(a^2\)']
    assert any('mathjax' in script.get('src', '') for script in brief.select('script'))


EQUATION = 'Is *screening* enough?\n\n```{math}\n:label: eq-cost\nb^2 + c\n```'


def test_a_brief_shows_the_equations_of_what_it_copies_unnumbered(project: Any) -> None:
    """Display maths in a question's body is an equation in the brief too (it was its
    source as a paragraph), without the number and label that belong to its own page."""
    proj = ana_book(project, 'Is *screening* enough?', EQUATION)
    build = proj.build()
    assert build.warnings() == []
    theme = soup(build, 'theme').select('div.math')
    assert [eq.select_one('span.eqno') is not None for eq in theme] == [True]
    theme_ids = [eq.get('id') for eq in theme]
    copies = soup(build, 'brief-ana').select('div.briefing-brief-question div.math')
    assert [eq.get_text().strip() for eq in copies] == [r'\[b^2 + c\]']
    # An id of its own (not the original's), and no number: that is the original's.
    assert copies[0].get('id') != theme_ids[0]
    assert copies[0].select_one('span.eqno') is None
    assert not [p for p in soup(build, 'brief-ana').select('p') if 'b^2' in p.get_text()]

    latex = proj.build('latex', outdir_name='_latex')
    assert latex.warnings() == []
    tex = next(latex.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert tex.count('b^2 + c') == 2
    assert tex.count(r'\label{equation:theme:eq-cost}') == 1


TABLE = 'FIRRMA went further.\n\n| Tariff | Rate *now* |\n|---|--:|\n| Steel | 25 % |\n'


def test_a_brief_shows_the_tables_of_what_it_copies(project: Any) -> None:
    """A table in a position's body is a table in the brief too (it was its cells' text run
    together in one paragraph), with its header, alignment and inline markup."""
    proj = ana_book(project, 'FIRRMA went further.\n', TABLE)
    build = proj.build()
    assert build.warnings() == []
    theme, brief = soup(build, 'theme'), soup(build, 'brief-ana')
    assert len(theme.select('table')) == 1
    tables = brief.select('div.body table')
    assert [cells(table) for table in tables] == [[['Tariff', 'Rate now'], ['Steel', '25 %']]]
    assert tables[0].select_one('thead em').get_text() == 'now'
    assert [td.get_text() for td in tables[0].select('td.text-right')] == ['25 %']
    # Where a position is one line of text (tooltips, the export), cells are words apart.
    positions = build.app.env.get_domain('briefing').data['positions']['theme']
    assert positions[0].summary == 'FIRRMA went further. Tariff Rate now Steel 25 %'

    latex = proj.build('latex', outdir_name='_latex')
    assert latex.warnings() == []
    tex = next(latex.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert tex.count('Steel') == 2
    assert tex.count(r'\begin{tabulary}') == 2


FIGURE = (
    'FIRRMA went further. ![A square](pics/dot.png)\n\n'
    '```{figure} pics/dot.png\n:alt: A dot\n\nThe dot, enlarged.\n```\n'
)
DOT_PNG = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
)


def test_a_brief_shows_the_images_of_what_it_copies(project: Any) -> None:
    """Images in a position's body (one in a paragraph, one a figure's) are shown in the
    brief, their file found and copied for the brief's page, and the figure's caption
    below it (they were dropped, the caption kept as text)."""
    proj = ana_book(project, 'FIRRMA went further.\n', FIGURE)
    (proj.path / 'pics').mkdir()
    (proj.path / 'pics' / 'dot.png').write_bytes(DOT_PNG)
    build = proj.build()
    assert build.warnings() == []
    images = soup(build, 'brief-ana').select('div.body img')
    assert [(img['src'], img['alt']) for img in images] == [
        ('_images/dot.png', 'A square'),
        ('_images/dot.png', 'A dot'),
    ]
    assert (build.outdir / '_images' / 'dot.png').read_bytes() == DOT_PNG
    # The copy is a figure, caption and all, with an id of its own on the brief's page.
    figures = soup(build, 'brief-ana').select('div.body figure')
    assert [f.select_one('span.caption-text').get_text() for f in figures] == ['The dot, enlarged.']
    assert figures[0]['id'] != soup(build, 'theme').select_one('figure')['id']

    latex = proj.build('latex', outdir_name='_latex')
    assert latex.warnings() == []
    tex = next(latex.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert tex.count(r'\sphinxincludegraphics') == 4
    assert (latex.outdir / 'dot.png').exists()


def test_a_brief_lists_the_panels_sat_on_then_those_only_asked_in(project: Any) -> None:
    # Ana sits on the noon panel and is asked a question in the morning and the evening
    # too, without sitting on those (which is warned about, and shown): the panels she
    # sits on come first, then the others in reading order, each once.
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Three panels\n\n'
        ':::{participant} ana\n:name: Ana\n:::\n\n'
        ':::{participant} ben\n:name: Ben\n:::\n\n'
        '```{toctree}\na-morning\nb-noon\nc-evening\nd-brief\n```\n',
    )
    for doc, panel, sits in (
        ('a-morning', 'morning', 'ben'),
        ('b-noon', 'noon', 'ana, ben'),
        ('c-evening', 'evening', 'ben'),
    ):
        proj.write(
            f'{doc}.md',
            f'# {panel}\n\n:::{{panel}} {panel}\n:title: The {panel} panel\n'
            f':panellists: {sits}\n:::\n\n'
            f':::{{question}} {panel}-q1\n:to: ana\n\nWhy, in the {panel}?\n:::\n\n'
            f':::{{question}} {panel}-q2\n:to: ana, ben\n\nHow, in the {panel}?\n:::\n',
        )
    proj.write('d-brief.md', '# Ana\n\n```{panellist-brief} ana\n```\n')
    build = proj.build()
    assert sorted((w.file, w.type) for w in build.warnings()) == [
        ('a-morning.md', 'briefing.not_on_panel'),
        ('a-morning.md', 'briefing.not_on_panel'),
        ('c-evening.md', 'briefing.not_on_panel'),
        ('c-evening.md', 'briefing.not_on_panel'),
    ]
    brief = soup(build, 'd-brief').select_one('div.briefing-panellist-brief')
    headings = [h.get_text(strip=True) for h in brief.select('.briefing-brief-panel')]
    assert headings == ['The noon panel', 'The morning panel', 'The evening panel']
    roles = re.findall(r'Your role : (\w+)', brief.get_text(' ', strip=True))
    assert roles == ['Panellist', 'Addressee', 'Addressee']


def test_referred_to_in_column_only_when_something_is_referred_to(project: Any) -> None:
    """A question index has a "Referred to in" column only when a question of it is
    referred to from another page; a reference added later brings the column back."""
    proj, _build = small_book(project)
    proj.write('questions.md', '# Questions\n\n```{question-index}\n```\n')
    build = proj.build()
    headers = [th.get_text(strip=True) for th in soup(build, 'questions').select('thead th')]
    assert headers and 'Referred to in' not in headers
    proj.write('refs.md', '---\norphan: true\n---\n# Refs\n\nSee {question}`q1`.\n')
    build = proj.build()
    table = soup(build, 'questions').select_one('table.briefing-question-index')
    assert table.select('thead th')[-1].get_text(strip=True) == 'Referred to in'
    first = table.select_one('tbody tr:not(.briefing-group-row)')
    assert first.select('td')[-1].get_text(strip=True) == 'Refs'


def test_a_copy_is_made_from_its_box_alone_not_its_whole_document(project: Any) -> None:
    """Each box is kept pickled for the build's copies: its own nodes, never a link to
    the document they came from (which would pickle the whole doctree with every box)."""
    import pickle

    from sphinx_briefing.render.copies import SourceBoxes

    proj = project()
    proj.write('conf.py', MYST_CONF)
    filler = '\n\n'.join(f'Paragraph {n} of the context, long enough to weigh.' for n in range(300))
    proj.write(
        'index.md',
        '# P\n\n' + filler + '\n\n:::{question} q1\nWhat now?[^n]\n:::\n\n[^n]: A footnote.\n',
    )
    build = proj.build()
    env = build.app.env
    whole = len(pickle.dumps(env.get_doctree('index')))
    boxes, _notes = SourceBoxes(env)._pickled_boxes('index')
    assert boxes and all(len(data) * 20 < whole for data in boxes.values())
    copy = SourceBoxes(env).copy('index', next(iter(boxes)))
    assert copy is not None and 'What now?' in ''.join(node.astext() for node in copy)
    assert 'A footnote.' in ''.join(node.astext() for node in copy)  # its footnote comes along
