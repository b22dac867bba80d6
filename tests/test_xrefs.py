"""Cross-references: roles, explicit titles, namespaced forms, MyST links, the domain
index page, objects.inv and intersphinx from another project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from conftest import MYST_CONF, Build


def links(build: Build, page: str, selector: str = 'div.body a.reference') -> list[tuple[str, str]]:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return [(a.get_text(' ', strip=True), a['href']) for a in soup.select(selector)]


def twin_md(project: Any) -> Build:
    proj = project('test-twin-md')
    proj.write(
        'links.md',
        '---\norphan: true\n---\n# Links\n\n'
        'MyST: [](#fdi-screening), [own words](#espionage), [](#tanaka), [](#ip-export).\n\n'
        'Any: {any}`fdi-deal-shopping`.\n',
    )
    build = proj.build()
    assert build.warnings() == []
    return build


def test_roles_show_numbers_and_names_and_link(project: Any) -> None:
    build = twin_md(project)
    soup = BeautifulSoup(build.html('themes'), 'html.parser')
    see = next(p for p in soup.select('div.body p') if p.get_text().startswith('See'))
    assert [(a.get_text(' ', strip=True), a['href']) for a in see.select('a.reference')] == [
        ('Q1', '#question-fdi-screening'),
        ('the espionage question', '#question-espionage'),
        ('Dr Hiro Tanaka', 'index.html#participant-tanaka'),
        ('Intellectual Property – Export Management', 'index.html#panel-ip-export'),
        ('United States on Q1', '#position-us-fdi'),
        ('Q1a', '#question-fdi-deal-shopping'),
    ]
    first = see.select_one('a.reference')
    assert first['title'].startswith('Q1 How should regulations')  # the text on hover


def test_myst_links_and_any_resolve_to_briefing_objects(project: Any) -> None:
    build = twin_md(project)
    assert links(build, 'links') == [
        ('Q1', 'themes.html#question-fdi-screening'),
        ('own words', 'themes.html#question-espionage'),
        ('Dr Hiro Tanaka', 'index.html#participant-tanaka'),
        ('Intellectual Property – Export Management', 'index.html#panel-ip-export'),
        ('Q1a', 'themes.html#question-fdi-deal-shopping'),
    ]


def test_question_index_links_both_ways(project: Any) -> None:
    build = twin_md(project)
    soup = BeautifulSoup(build.html('questions'), 'html.parser')
    index = soup.select('div.briefing-collection')[0]
    first_row = index.select_one(
        'tbody tr:not(.briefing-group-row, .briefing-panel-row, .briefing-topic-positions-row)'
    )
    row_id = first_row.select_one('span[id]')['id']
    assert first_row.select_one('a.reference')['href'] == 'themes.html#question-fdi-screening'
    # The question links back to its row in the first index that lists it.
    themes = BeautifulSoup(build.html('themes'), 'html.parser')
    question = themes.select_one('#question-fdi-screening')
    footer = question.find('p', class_='briefing-footer', recursive=False)
    backlinks = [a['href'] for a in footer.select('a') if 'Question index' in a.get_text()]
    assert backlinks == [f'questions.html#{row_id}']
    # ... and lists the pages that refer to it.
    assert 'Referred to in: Questions' in footer.get_text(' ', strip=True)
    cells = [td.get_text(' ', strip=True) for td in first_row.select('td')]
    assert cells == [
        'Q1',
        'How should regulations on foreign investments be strengthened to prevent this?',
        'Dr Hiro Tanaka , Mr John Smith',
        '8',
        'Core',
        'United States + Supports',
        'Questions',
    ]


def test_domain_index_page(project: Any) -> None:
    """Sphinx's Question Index page is laid out as the book's question index: the number,
    the text in the body font (no code element) and the topic, linked to the questions
    from the page's own place."""
    build = twin_md(project)
    soup = BeautifulSoup(build.html('briefing-questions'), 'html.parser')
    assert soup.select('table.indextable') == []
    table = soup.select_one('div.briefing-questions-page table.briefing-table')
    assert [th.get_text(strip=True) for th in table.select('thead th')] == [
        'No.',
        'Question',
        'Topic',
    ]
    rows = [
        [td.get_text(' ', strip=True) for td in row.select('td')]
        for row in table.select('tbody tr')
    ]
    assert rows[:2] == [
        [
            'Q1',
            'How should regulations on foreign investments be strengthened to prevent this?',
            'Military–civil fusion',
        ],
        [
            'Q1a',
            '↳ Can screening regimes that differ stop deal-shopping?',
            'Military–civil fusion',
        ],
    ]
    assert len(rows) == 4
    assert table.select('code') == []
    assert table.select_one('tbody a')['href'] == 'themes.html#question-fdi-screening'
    assert soup.select_one('h1').get_text(strip=True).rstrip('¶') == 'Question Index'


def test_objects_inventory_lists_questions_participants_panels_positions(project: Any) -> None:
    from sphinx.util.inventory import InventoryFile

    build = twin_md(project)
    with (build.outdir / 'objects.inv').open('rb') as stream:
        inventory = InventoryFile.load(
            stream, 'https://example.org/book', lambda base, uri: f'{base}/{uri}'
        )
    data = inventory.data if hasattr(inventory, 'data') else inventory
    questions = data['briefing:question']
    entry = questions['fdi-screening']
    location = entry.uri if hasattr(entry, 'uri') else entry[2]
    display = entry.display_name if hasattr(entry, 'display_name') else entry[3]
    assert location == 'https://example.org/book/themes.html#question-fdi-screening'
    assert display == 'Q1'
    assert set(data['briefing:participant']) == {'chair', 'tanaka', 'smith'}
    assert set(data['briefing:panel']) == {'ip-export'}
    assert set(data['briefing:position']) == {'us-fdi'}


def test_intersphinx_from_another_project(project: Any) -> None:
    book = twin_md(project)
    other = project(name='other')
    other.write(
        'conf.py',
        MYST_CONF.replace("'sphinx_briefing']", "'sphinx_briefing', 'sphinx.ext.intersphinx']")
        + f"intersphinx_mapping = {{'book': ('https://example.org/book/', {str(Path(book.outdir) / 'objects.inv')!r})}}\n",
    )
    other.write(
        'index.md',
        '# Elsewhere\n\nAs asked in {question}`book:fdi-screening` and {participant}`tanaka`.\n',
    )
    build = other.build()
    assert build.warnings() == []
    assert links(build, 'index') == [
        ('Q1', 'https://example.org/book/themes.html#question-fdi-screening'),
        ('Dr Hiro Tanaka', 'https://example.org/book/index.html#participant-tanaka'),
    ]
