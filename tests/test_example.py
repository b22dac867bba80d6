"""The example briefing book: the seed panel, built as users build it, with -W -n."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import Build, Project
from sphinx.testing.util import SphinxTestApp

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / 'example_docs'
SEED = ROOT / 'tests' / 'data' / 'seed' / 'dsei-japan-2019-ip-export-panel.txt'


def normalise(text: str) -> str:
    text = text.replace('’', "'").replace('‘', "'").replace('“', '"').replace('”', '"')
    return re.sub(r'\s+', ' ', text).strip()


def seed_paragraphs() -> tuple[list[str], list[str]]:
    """The seed page's context paragraphs and moderator questions."""
    lines = [line.strip() for line in SEED.read_text(encoding='utf-8').splitlines()]
    start = lines.index('Seminar A') + 1
    body = [line for line in lines[start:] if line and line != '\u00a0']
    questions = [line for line in body if line.endswith('?')]
    context = [line for line in body if not line.endswith('?')]
    return context, questions


@pytest.fixture(scope='module')
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """Built once for the module (it is the largest project of the suite)."""
    path = tmp_path_factory.mktemp('example') / 'src'
    shutil.copytree(EXAMPLE, path, ignore=shutil.ignore_patterns('_build'))
    build = Project(path, SphinxTestApp).build(nitpicky=True)
    yield build
    build.app.cleanup()


def page_text(build: Build, page: str) -> str:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return normalise(soup.select_one('div.body').get_text(' '))


def test_example_builds_without_warnings(example: Build) -> None:
    assert example.warnings() == []


def test_every_seed_context_and_question_is_there_verbatim(example: Build) -> None:
    context, questions = seed_paragraphs()
    assert len(context) == 6
    assert len(questions) == 6
    # Two of the themes ask two questions in one paragraph: eight questions in all.
    assert sum(len(re.findall(r'[^?]+\?', q)) for q in questions) == 8
    themes = ' '.join(
        page_text(example, f'themes/{path.stem}')
        for path in sorted((EXAMPLE / 'themes').glob('[1-6]-*.md'))
    )
    for paragraph in context:
        assert normalise(paragraph) in themes, paragraph[:60]
    for question in questions:
        for sentence in re.findall(r'[^?]+\?', question):
            assert normalise(sentence) in themes, sentence


def test_example_collections(example: Build) -> None:
    index = page_text(example, 'question-index')
    # rows show a question's short form; the defensive line is there (moderator edition)
    assert 'Q1 Stronger rules on foreign investment?' in index
    assert 'Q5b ↳ If asked: retaliation for the forced-labour rulings?' in index
    matrix = BeautifulSoup(example.html('position-matrix'), 'html.parser')
    assert len(matrix.select('table.briefing-position-matrix tbody tr')) >= 10
    run = page_text(example, 'run-of-show')
    assert "14:00 5 Moderator's opening" in run
    # the two blocks of themes are sessions, each starting at its first question's time
    assert '14:05 Technology protection (themes 1–4) 14:05 7 Q1 Stronger rules' in run
    assert '14:37 Defence exports (themes 5–6) 14:37 6 Q6' in run
    assert 'The core items need' in run and "of the panel's 60 minutes" in run
    brief = page_text(example, 'briefs/ishikawa')
    assert 'Your questions' in brief and 'Positions on Q1' in brief
    assert 'Sources cited here' in brief


def test_matrix_cells_carry_markers_of_the_sources_listed_below(example: Build) -> None:
    """A matrix cell shows its stance and a numbered marker; the marker leads to the
    position's sources in the list under the table, in the order of the markers."""
    matrix = BeautifulSoup(example.html('position-matrix'), 'html.parser')
    markers = matrix.select('table.briefing-position-matrix .briefing-matrix-cell a:has(sup)')
    assert len(markers) >= 20
    listed = matrix.select('ol.briefing-matrix-sources > li')
    assert len(listed) == len(markers)
    for number, (marker, item) in enumerate(zip(markers, listed, strict=True), 1):
        assert marker.get_text() == str(number)
        target = marker['href'].removeprefix('#')
        assert item.select_one(f'[id="{target}"]') is not None, number
        # the item names the position the cell links to, and its sources link to entries
        position = marker.find_previous_sibling('a')['href']
        assert item.select_one('a')['href'] == position
        assert item.select('.briefing-sources a[href*="bibliography"]'), number
    # no full citation in any cell: those made cells tall and narrow
    assert matrix.select('table.briefing-position-matrix .briefing-sources') == []


def test_example_cites_in_chicago_author_date(example: Build) -> None:
    soup = BeautifulSoup(example.html('themes/1-military-civil-fusion'), 'html.parser')
    cites = [span.get_text() for span in soup.select('span.briefing-cite')]
    assert '(Lafferty 2019)' in cites
    sources = page_text(example, 'bibliography')
    assert 'Lafferty' in sources


#: A page added to the example for the comparison below: text that HTML escapes (quotes,
#: ampersands, angle brackets, at signs) in question texts, tags, actors, link titles and
#: citations, a follow-up and a reserve question, shown on the collections too.
CHARACTERS = """\
---
orphan: true
---
# Characters & "quotes"

::::{question} chars-q
:to: ishikawa, mori
:minutes: 2
:tags: R&D, "dual-use" <items>

Does "catch-all" control of R&D <and> e-mail@example.org reach
{cite:t}`doj2018chinainitiative` & {cite:p}`ndaa2019{sec. 1286}`?

:::{question} chars-follow-up
:priority: reserve

And 'after' that?
:::
::::

:::{position}
:question: chars-q
:actor: A & B "Consulting" <Ltd>
:stance: supports
:sources: fbi2019academia

Yes, it's "fine" & <ok>.
:::

:::{counter-argument}
No & "never".
:::

:::{moderator-note}
Ask @ the end.
:::
"""


def test_the_public_edition_leaves_out_the_pages_for_the_panels_side(
    tmp_path: Path,
) -> None:
    """The matrix and the briefs say in their front matter that they are for the panel's
    side; the public edition leaves them out, with no warning, and the defensive line too."""
    from test_editions import output_text

    path = tmp_path / 'src'
    shutil.copytree(EXAMPLE, path, ignore=shutil.ignore_patterns('_build'))
    build = Project(path, SphinxTestApp).build(
        nitpicky=True, warningiserror=True, briefing_edition='public'
    )
    try:
        assert build.warnings() == []
        pages = {p.relative_to(build.outdir).as_posix() for p in build.outdir.rglob('*.html')}
        assert 'run-of-show.html' in pages and 'question-index.html' in pages
        assert not any(p.startswith('briefs/') or p == 'position-matrix.html' for p in pages)
        everything = output_text(build.outdir)
        assert 'fair reading' not in everything and 'if asked: retaliation' not in everything
    finally:
        build.app.cleanup()


def test_example_cue_cards_page(example: Build) -> None:
    """The cards page read back: a card per run-of-show item (breaks and sessions
    included) and per reserve question, in order, each with the panel, its handling notice
    and the edition; the notes on theirs; the opening introduces every participant."""
    export = json.loads((example.outdir / 'briefing.json').read_text(encoding='utf-8'))
    (panel,) = export['panels']
    by_id = {q['id']: q for q in export['questions']}
    items = panel['run_of_show']
    reserve = [q for q in export['questions'] if q['priority'] != 'core']
    assert {item['kind'] for item in items} >= {'opening', 'question', 'session', 'closing'}
    soup = BeautifulSoup(example.html('cue-cards'), 'html.parser')
    cards = soup.select('div.briefing-card')
    assert len(cards) == len(items) + len(reserve)
    for number, card in enumerate(cards, 1):
        top = normalise(card.select_one('p.briefing-card-top').get_text(' '))
        assert top.startswith(f'Card {number} of {len(cards)} ')
        assert normalise(panel['title']) in top
        assert 'Chatham House Rule' in top and 'Moderator edition' in top
    kinds = [next(c for c in card['class'] if c.startswith('briefing-card-')) for card in cards]
    assert kinds == [f'briefing-card-{item["kind"]}' for item in items] + [
        'briefing-card-reserve'
    ] * len(reserve)
    noted = []
    for card, item in zip(cards, items, strict=False):
        heading = normalise(card.select_one('div.briefing-card-heading').get_text(' '))
        time = card.select_one('p.briefing-card-time').get_text(' ', strip=True)
        if item['kind'] == 'question':
            question = by_id[item['question']]
            # the short form heads the card, the full text is under it
            assert heading == normalise(f'{question["number"]} {question["short"]}')
            assert normalise(question['text']) in normalise(card.get_text(' '))
            assert time == f'{question["start"]} · {question["minutes"]} min'
            assert card.select_one('p.briefing-card-late') is not None
            if card.select_one('div.briefing-card-note'):
                noted.append(question['id'])
        elif item['kind'] == 'break':
            assert heading == normalise(item['label'] or 'Break')
            assert time.startswith(f'{item["start"]} · {item["minutes"]} min · resume at ')
        elif item['kind'] == 'session':
            assert heading == normalise(f'Session: {item["label"]}')
    assert noted == ['rok-whitelist-wto', 'japan-defence-market']
    # the opening introduces every participant
    opening = normalise(cards[0].get_text(' '))
    for participant in export['participants']:
        assert normalise(participant['name']) in opening


def test_example_agenda_page(example: Build) -> None:
    export = json.loads((example.outdir / 'briefing.json').read_text(encoding='utf-8'))
    soup = BeautifulSoup(example.html('agenda'), 'html.parser')
    agenda = soup.select_one('div.briefing-agenda')
    text = normalise(agenda.get_text(' '))
    assert 'DSEI Japan 2019' in text and 'Seminar A, Makuhari Messe, Chiba' in text
    people = [normalise(li.get_text(' ')) for li in agenda.select('ul li')]
    assert len(people) == len(export['participants'])
    for participant in export['participants']:
        line = next(p for p in people if normalise(participant['name']) in p)
        assert normalise(participant['affiliation']) in line
    themes = [normalise(li.get_text(' ')) for li in agenda.select('ol.briefing-agenda-themes li')]
    topics = list(dict.fromkeys(normalise(q['topic']) for q in export['questions']))
    assert themes == topics
    assert not agenda.select('.briefing-stance, .briefing-position, .briefing-moderator-note')
