"""The example's PDFs, built for real with TeX (the book and one brief per panellist) and
read back with poppler's pdftotext and pdfinfo.

These tests need TeX Live, latexmk and poppler-utils (see README, "PDF"). They skip where
the tools are missing, and fail instead when ``BRIEFING_REQUIRE_LATEX`` is set (``.ci/run``
sets it). The PDFs are built once for the module: it is the slowest part of the suite.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import MYST_CONF, Project
from sphinx.testing.util import SphinxTestApp
from test_example import EXAMPLE, seed_paragraphs

#: the programs these tests run (pdflatex through latexmk, as `make latexpdf` does)
TEX_TOOLS = ('latexmk', 'pdflatex', 'pdftotext', 'pdfinfo')
HANDLING = 'Chatham House Rule'
PANELLISTS = ('mori', 'ishikawa', 'vermeulen', 'halloran', 'sakamoto')
#: the PDFs beside the book: briefs, cue cards and agendas
DAY_PDFS = ('brief-', 'cue-cards-', 'agenda-')


def require_tools(*tools: str) -> None:
    """Skip when a tool is missing; fail when the environment says TeX is required."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f'needs {", ".join(missing)} (TeX Live, latexmk, poppler-utils: see README)'
    if os.environ.get('BRIEFING_REQUIRE_LATEX'):
        pytest.fail(f'BRIEFING_REQUIRE_LATEX is set but this {message}')
    pytest.skip(message)


def latexmk(outdir: Path, tex: str) -> subprocess.CompletedProcess[str]:
    """Run latexmk the way Sphinx's Makefile does (its latexmkrc is in *outdir*)."""
    return subprocess.run(
        ['latexmk', '-pdf', '-dvi-', '-ps-', '-interaction=nonstopmode', '-halt-on-error', tex],
        cwd=outdir,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def compile_all(outdir: Path) -> dict[str, Path]:
    """Every .tex file of *outdir* to PDF, in parallel; fails with the log's error."""
    texs = sorted(path.name for path in outdir.glob('*.tex'))
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        results = dict(zip(texs, pool.map(lambda tex: latexmk(outdir, tex), texs), strict=True))
    for tex, result in results.items():
        pdf = outdir / tex.replace('.tex', '.pdf')
        if result.returncode != 0 or not pdf.is_file():
            log = (outdir / tex.replace('.tex', '.log')).read_text(errors='replace')
            error = log[log.find('\n!') :][:1500] if '\n!' in log else log[-1500:]
            pytest.fail(f'latexmk failed on {tex}:\n{error}')
    return {tex.removesuffix('.tex'): outdir / tex.replace('.tex', '.pdf') for tex in texs}


def page_count(pdf: Path) -> int:
    info = subprocess.run(['pdfinfo', str(pdf)], capture_output=True, text=True, check=True)
    match = re.search(r'^Pages:\s+(\d+)', info.stdout, re.MULTILINE)
    assert match, info.stdout
    return int(match[1])


def pdf_text(
    pdf: Path, page: int | None = None, *, layout: bool = False, watermark: bool = False
) -> str:
    """The text of *pdf* (or of one page); without the diagonal watermark unless asked,
    which would otherwise come out in pieces among the page's text."""
    command = ['pdftotext', '-enc', 'UTF-8']
    if not watermark:
        command.append('-nodiag')
    if page is not None:
        command += ['-f', str(page), '-l', str(page)]
    if layout:
        command.append('-layout')
    command += [str(pdf), '-']
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    """Letters and digits only, lower case: line breaks, hyphenation, quotes and
    ligatures of the PDF do not matter."""
    text = text.replace('ﬁ', 'fi').replace('ﬂ', 'fl').replace('ﬀ', 'ff')
    return re.sub(r'[\W_]+', '', text.lower())


@dataclass
class PdfBuild:
    """The example built to LaTeX and compiled: its PDFs by name and their pages' text."""

    outdir: Path
    pdfs: dict[str, Path]
    warnings: list[Any]
    export: dict[str, Any]
    _pages: dict[str, list[str]] = field(default_factory=dict)

    @property
    def book(self) -> Path:
        (name,) = [name for name in self.pdfs if not name.startswith(DAY_PDFS)]
        return self.pdfs[name]

    def pages(self, pdf: Path) -> list[str]:
        """The text of each page (pdftotext -layout), page 1 first."""
        if pdf.name not in self._pages:
            self._pages[pdf.name] = [
                pdf_text(pdf, number, layout=True) for number in range(1, page_count(pdf) + 1)
            ]
        return self._pages[pdf.name]


@pytest.fixture(scope='module')
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PdfBuild]:
    require_tools(*TEX_TOOLS)
    path = tmp_path_factory.mktemp('pdf') / 'src'
    shutil.copytree(EXAMPLE, path, ignore=shutil.ignore_patterns('_build'))
    build = Project(path, SphinxTestApp).build('latex')
    outdir = build.outdir
    pdfs = compile_all(outdir)
    export = json.loads((outdir / 'briefing.json').read_text(encoding='utf-8'))
    yield PdfBuild(outdir, pdfs, build.warnings(), export)
    build.app.cleanup()


def test_the_latex_build_is_clean(built: PdfBuild) -> None:
    assert built.warnings == []
    tex = (built.outdir / f'{built.book.stem}.tex').read_text(encoding='utf-8')
    # Every box is in the book, and the bibliography is a list in place, not LaTeX's
    # thebibliography at the end.
    assert tex.count(r'\begin{sphinxbriefingquestion}') == len(built.export['questions'])
    assert 'thebibliography' not in tex
    log = (built.outdir / f'{built.book.stem}.log').read_text(errors='replace')
    assert 'There were undefined references' not in log
    assert 'Missing character' not in log


def test_nothing_runs_into_the_margin_and_index_columns_keep_their_words(
    built: PdfBuild,
) -> None:
    """Long URLs and words break inside the margin: no box in any PDF of the book is
    more than a few points too wide; the question index's narrow columns are wide enough
    that their headings and values are not hyphenated."""
    overfull = re.compile(r'Overfull \\hbox \(([0-9.]+)pt too wide\)')
    for pdf in built.pdfs.values():
        log = pdf.with_suffix('.log').read_text(errors='replace')
        widest = max((float(points) for points in overfull.findall(log)), default=0.0)
        assert widest <= 3, f'{pdf.name}: a line runs {widest} pt into the margin'
    text = '\n'.join(built.pages(built.book))
    for word in ('Referred', 'Priority', 'Defensive', 'Reserve'):
        broken = [f'{word[:k]}-' for k in range(2, len(word) - 1)]
        assert not any(re.search(rf'\b{b}\s*$', text, re.M) for b in broken), word


def test_one_pdf_per_panellist_beside_the_book(built: PdfBuild) -> None:
    briefs = [f'brief-{pid}' for pid in PANELLISTS]
    day = ['cue-cards-ip-export', 'agenda-ip-export']
    assert sorted(built.pdfs) == sorted([built.book.stem, *briefs, *day])


def test_every_question_is_in_the_book_with_its_number(built: PdfBuild) -> None:
    text = pdf_text(built.book)
    squashed = squash(text)
    _context, seed_questions = seed_paragraphs()
    for question in seed_questions:
        for sentence in re.findall(r'[^?]+\?', question):
            assert squash(sentence) in squashed, sentence
    numbers = {q['number'] for q in built.export['questions']}
    assert {'Q1', 'Q1a', 'Q7', 'Q7a'} <= numbers
    for question in built.export['questions']:
        assert re.search(rf'\b{re.escape(question["number"])}\b', text), question['number']
        assert squash(question['text']) in squashed, question['number']
        # The index entry: number and short form together (an entry may run on in the
        # next column of the index: its start is enough).
        opening = ' '.join(question['short'].split()[:4])
        assert squash(f'{question["number"]} {opening}') in squashed, question['number']


def arabic_pages(pages: list[str]) -> dict[int, int]:
    """Printed page number → page index (1-based), from the page footers."""
    found: dict[int, int] = {}
    for index, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        # The last line is the handling notice; the page number ends the line above.
        for line in lines[-3:-1]:
            match = re.search(r'(\d+)\s*$', line)
            if match:
                found.setdefault(int(match[1]), index)
    return found


def test_question_index_has_page_numbers_that_lead_to_the_questions(built: PdfBuild) -> None:
    pages = built.pages(built.book)
    starts = [i for i, page in enumerate(pages, start=1) if 'QUESTION INDEX' in page]
    assert starts, 'no Question Index section in the PDF'
    # The index has two columns: read it in reading order (not -layout).
    index_text = ' '.join(pdf_text(built.book, page) for page in range(starts[-1], len(pages) + 1))
    squashed = re.sub(r'\s+', ' ', index_text)
    printed = arabic_pages(pages)
    for question in built.export['questions']:
        number = question['number']
        # "Q3 How have … (topic), 9": the entry ends with the page number.
        start = squashed.find(f'{number} ')
        assert start >= 0, number
        match = re.search(r',\s*(\d+)(?!\S)', squashed[start:])
        assert match, number
        page = int(match[1])
        assert page in printed, (number, page)
        assert re.search(rf'\b{number}\b', pages[printed[page] - 1]), (number, page)


def test_question_index_directive_prints_where_placed(built: PdfBuild) -> None:
    # Chapter titles print in capitals: compare in lower case.
    text = re.sub(r'\s+', ' ', pdf_text(built.book)).lower()
    chapter = text.rfind('question index every question of the panel')
    assert chapter > 0
    after = text[chapter:]
    assert 'by participant' in after
    assert after.find('no. question') < after.find('by participant')
    # The directive's tables come before the bibliography and the domain index.
    assert (
        chapter < text.rfind('sources the works cited in this book') < text.rfind('question index')
    )


def test_notice_and_draft_on_every_page_of_every_pdf(built: PdfBuild) -> None:
    for pdf in built.pdfs.values():
        for number, page in enumerate(built.pages(pdf), start=1):
            # At the top and at the bottom of the page (on a title page or a brief's
            # cover, the notice in full at its foot, with no band under it).
            assert page.count(HANDLING) >= 2, (pdf.name, number)
            assert page.count('DRAFT') >= 2, (pdf.name, number)
            first = next(line for line in page.splitlines() if line.strip())
            assert HANDLING in first and 'DRAFT' in first, (pdf.name, number, first)
            # The watermark: the page's diagonal text is exactly 'DRAFT'.
            assert watermark(pdf, number) == 'DRAFT', (pdf.name, number)


def test_every_page_of_a_brief_says_whom_it_was_prepared_for(built: PdfBuild) -> None:
    """A leaked page of a brief says whose brief it was, which edition, its status and
    the day it was built; the book's own pages (briefs included as chapters) do not."""
    people = {p['id']: p['name'] for p in built.export['participants']}
    for pid in PANELLISTS:
        pdf = built.pdfs[f'brief-{pid}']
        pages = built.pages(pdf)
        assert len(pages) >= 3, pid
        for number, page in enumerate(pages, start=1):
            flat = re.sub(r'\s+', ' ', page)
            stamp = f'Prepared for {people[pid]} · Moderator edition · Draft · built '
            assert stamp in flat, (pid, number)
    # the book shows each brief's stamp once, at the top of the brief's chapter
    stamped = [page for page in built.pages(built.book) if 'Prepared for' in page]
    assert len(stamped) == len(PANELLISTS)


def watermark(pdf: Path, page: int) -> str:
    """The diagonal text of a page, letters sorted as in 'DRAFT' when they are its."""
    everything = Counter(re.sub(r'\s', '', pdf_text(pdf, page, watermark=True)))
    straight = Counter(re.sub(r'\s', '', pdf_text(pdf, page)))
    diagonal = everything - straight
    return 'DRAFT' if diagonal == Counter('DRAFT') else ''.join(sorted(diagonal.elements()))


def test_bibliography_in_place_with_its_entries(built: PdfBuild) -> None:
    text = re.sub(r'\s+', ' ', pdf_text(built.book))
    sources = text.lower().rfind('sources the works cited in this book')
    index = text.rfind('QUESTION INDEX')
    assert 0 < sources < index
    bibliography = text[sources:index]
    # Chicago author-date entries of the panel's .bib file, in the Sources chapter.
    for entry in ('Lafferty, Brian. 2019.', 'Conflict Armament Research. 2017.'):
        assert entry in bibliography, entry
    assert 'Bibliography' not in text[index:]


def test_position_matrix_and_run_of_show(built: PdfBuild) -> None:
    # Tables read best as laid out on the page.
    text = re.sub(r'[ \t]+', ' ', ''.join(built.pages(built.book)))
    matrix = text[text.lower().find('position matrix\n') :]
    # One row of stance columns, one per question with positions; the actors' rows.
    assert re.search(r'Actor Q1 Q2 Q3 Q4 Q5 Q6 Q7\n', matrix)
    for actor in ('United States', 'European Union', 'Japan', 'China', 'Republic of Korea'):
        assert re.search(rf'\n {actor} [-+−±○ ]+', matrix), actor
    assert 'Legend: + Supports · − Opposes · ± Mixed · ○ Neutral' in matrix
    # under it, the sources of the cells, numbered as their markers
    flat = re.sub(r'\s+', ' ', matrix)
    assert re.search(r'1\. United States on Q1: \(United States Congress 2018a\)', flat)
    run = text[text.lower().find('run of show\n') :]
    assert re.search(r"14:00 5 Moderator['’]s opening", run)
    assert re.search(r'14:05 Technology protection \(themes 1–4\)', run)
    assert re.search(r'14:05 7 Q1 Stronger rules on foreign investment\?', run)
    assert 'Reserve questions' in run


def test_each_brief_opens_with_its_title_page(built: PdfBuild) -> None:
    people = {p['id']: p for p in built.export['participants']}
    panel = built.export['panels'][0]
    for pid in PANELLISTS:
        pdf = built.pdfs[f'brief-{pid}']
        cover = re.sub(r'\s+', ' ', built.pages(pdf)[0])
        kind = "Moderator's brief" if pid == panel['moderator'] else "Panellist's brief"
        assert kind.replace("'", '’') in cover or kind in cover, pid
        assert people[pid]['name'] in cover
        for expected in (
            'Intellectual Property – Export Management: Panel Discussion',
            'DSEI Japan 2019',
            'Wednesday, November 20, 2019',
            '14:00–15:00',
            'Seminar A, Makuhari Messe, Chiba',
            HANDLING,
        ):
            assert expected in cover, (pid, expected)
        # The brief itself follows: the participant's questions, with their text.
        body = squash(' '.join(built.pages(pdf)[1:]))
        asked = [
            q for q in built.export['questions'] if pid in q['to'] or pid == panel['moderator']
        ]
        assert asked, pid
        for question in asked:
            assert squash(question['text']) in body, (pid, question['number'])


def test_title_page_and_covers_say_each_thing_once(built: PdfBuild) -> None:
    """The book's title page gives the panel's date, time and venue (not the day it was
    built) and its notice in full at the foot, with no band under it; a brief's second
    page does not repeat the panel details its cover shows."""
    title = built.pages(built.book)[0]
    flat = re.sub(r'\s+', ' ', title)
    for expected in ('Wednesday, November 20, 2019', '14:00–15:00', 'Seminar A, Makuhari Messe'):
        assert expected in flat
    # the band at the top and the box at the foot
    assert title.count(HANDLING) == 2
    for pid in PANELLISTS:
        pages = built.pages(built.pdfs[f'brief-{pid}'])
        second = re.sub(r'\s+', ' ', pages[1])
        for repeated in ('Your role', 'Seminar A, Makuhari Messe', 'Wednesday, November 20'):
            assert repeated not in second, (pid, repeated)
        assert 'Handling' in second  # what the cover does not show stays


def test_long_urls_break_inside_the_margin(project: Any) -> None:
    """A bibliography entry's URL without a slash for a long stretch (a query string, a
    long file name) is broken inside it, not left running off the page."""
    require_tools(*TEX_TOOLS)
    proj = project()
    proj.write(
        'conf.py',
        "extensions = ['sphinx_briefing']\nproject = 'Urls'\nbibtex_bibfiles = ['refs.bib']\n",
    )
    query = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789' * 2
    proj.write(
        'refs.bib',
        '@misc{q, author = {Jones, Ann}, title = {Another}, year = {2019},\n'
        f'  url = {{https://example.org/download?id={query}&format=pdf}}}}\n'
        '@misc{f, author = {Smith, John}, title = {A Report}, year = {2018},\n'
        '  url = {https://example.org/2018/foreign-investment-screening-and-export-'
        'controls-in-the-indo-pacific-region-final-report-version-two.pdf}}\n',
    )
    proj.write('index.rst', 'Urls\n====\n\n:cite:p:`q` :cite:p:`f`\n\n.. bibliography::\n')
    build = proj.build('latex')
    assert build.warnings() == []
    [pdf] = compile_all(build.outdir).values()
    boxes = subprocess.run(
        ['pdftotext', '-bbox', str(pdf), '-'], capture_output=True, text=True, check=True
    ).stdout
    page = re.search(r'<page width="([\d.]+)"', boxes)
    assert page is not None
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', boxes)
    assert any('ABCDEF' in word for _x, word in words)  # the URL is there, in pieces
    # Sphinx's LaTeX leaves a one-inch margin on the right (72 pt)
    right = float(page[1]) - 72
    assert [word for x, word in words if float(x) > right + 1] == []


# -- the outputs for the day: cue cards and the agenda ------------------------------------


def cards_of(text: str) -> dict[int, str]:
    """Card number → its text, cut at each card's top line ('Card 3 of 16 · …')."""
    found = list(re.finditer(r'Card (\d+) of (\d+)', text))
    return {
        int(match[1]): text[match.start() : found[k + 1].start() if k + 1 < len(found) else None]
        for k, match in enumerate(found)
    }


def test_cue_cards_one_a_page_each_with_panel_notice_and_edition(built: PdfBuild) -> None:
    pdf = built.pdfs['cue-cards-ip-export']
    (panel,) = built.export['panels']
    reserve = [q for q in built.export['questions'] if q['priority'] != 'core']
    # a card per run-of-show item (opening, questions, breaks and sessions, closing)
    items = len(panel['run_of_show'])
    text = '\n'.join(built.pages(pdf))
    cards = cards_of(text)
    assert sorted(cards) == list(range(1, items + len(reserve) + 1))
    assert set(re.findall(r'Card \d+ of (\d+)', text)) == {str(items + len(reserve))}
    title = squash(panel['title'])
    for number, card in cards.items():
        assert title in squash(card), number
        assert HANDLING in card, number
        assert 'Moderator edition' in card, number
    # A card starts a page: each page's text holds at most one card's top line.
    for page in built.pages(pdf):
        assert len(re.findall(r'Card \d+ of', page)) <= 1
    info = subprocess.run(['pdfinfo', str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r'Page size:\s+297\.\d+ x 419\.\d+ pts', info.stdout), info.stdout  # A6


def test_cue_cards_in_run_of_show_order_with_their_questions(built: PdfBuild) -> None:
    pdf = built.pdfs['cue-cards-ip-export']
    cards = cards_of('\n'.join(built.pages(pdf)))
    (panel,) = built.export['panels']
    items = panel['run_of_show']
    by_id = {q['id']: q for q in built.export['questions']}
    reserve = [q for q in built.export['questions'] if q['priority'] != 'core']
    names = {p['id']: p['name'] for p in built.export['participants']}
    card_of: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        card = squash(cards[number])
        if item['kind'] == 'opening':
            assert squash("Moderator's opening") in card, number
        elif item['kind'] == 'closing':
            assert squash("Moderator's closing") in card, number
        elif item['kind'] == 'session':
            assert squash(f'Session: {item["label"]}') in card, number
        elif item['kind'] == 'question':
            question = by_id[item['question']]
            card_of[question['id']] = number
            # headed by its number and short form, its whole text under them
            assert squash(f'{question["number"]} {question["short"]}') in card, number
            assert squash(question['text']) in card, number
            assert squash(f'{question["start"]} · {question["minutes"]} min') in card, number
            for pid in question['to']:
                assert squash(names[pid]) in card, (number, pid)
            assert 'runninglate' in card and 'minbehind' in card, number
    for number, question in enumerate(reserve, start=len(items) + 1):
        card = squash(cards[number])
        assert squash(f'{question["number"]} {question["short"]}') in card, number
        assert squash(question['text']) in card, number
    # The moderator's note of the question on the WTO dispute is on its card, and only there.
    note = squash('keep both panellists to the legal question')
    holding = [n for n, card in cards.items() if note in squash(card)]
    assert holding == [card_of['rok-whitelist-wto']]
    # The opening card introduces every participant.
    opening = squash(cards[1])
    for participant in built.export['participants']:
        assert squash(participant['name']) in opening, participant['id']


def test_agenda_fits_one_page_and_shows_no_position(built: PdfBuild) -> None:
    pdf = built.pdfs['agenda-ip-export']
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    squashed = squash(text)
    (panel,) = built.export['panels']
    for value in (panel['title'], panel['event'], panel['venue'], '14:00–15:00', '2019'):
        assert squash(value) in squashed, value
    for participant in built.export['participants']:
        assert squash(participant['name']) in squashed, participant['id']
        assert squash(participant['affiliation']) in squashed, participant['id']
    for topic in {q['topic'] for q in built.export['questions']}:
        assert squash(topic) in squashed, topic
    for word in ('Supports', 'Opposes', 'Mixed', 'Neutral', 'Position', "Moderator's note"):
        assert word not in text, word
    for question in built.export['questions']:
        assert squash(question['text']) not in squashed, question['id']


def test_cards_on_five_by_seven_with_a_panel_on_a_page_of_its_own(project: Any) -> None:
    """briefing_cue_card_size = '5x7': the cards' PDF is on 5 x 7 in paper; a panel
    without a duration has no spare minutes, so lateness drops later items at once."""
    require_tools(*TEX_TOOLS)
    proj = project()
    proj.write(
        'conf.py',
        MYST_CONF + "project = 'Cards'\nbriefing_cue_card_size = '5x7'\n"
        'briefing_cue_card_late = [4]\n',
    )
    proj.write(
        'index.md',
        '# Panel\n\n:::{panel} p\n:title: Small panel\n:start: 09:00\n:moderator: chair\n'
        ':handling: Not for citation\n:opening: 2\n:::\n\n'
        ':::{participant} chair\n:name: Carla Chair\n\nCarla chairs.\n:::\n\n'
        ':::{question} a\n:minutes: 5\n\nFirst?\n:::\n\n'
        ':::{question} b\n:minutes: 3\n\nSecond?\n:::\n\n'
        '```{toctree}\ncards\n```\n',
    )
    proj.write('cards.md', '# Cards\n\n```{cue-cards}\n:panel: p\n```\n')
    build = proj.build('latex')
    assert build.warnings() == []
    pdfs = compile_all(build.outdir)
    pdf = pdfs['cue-cards-p']
    info = subprocess.run(['pdfinfo', str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r'Page size:\s+360 x 504 pts', info.stdout), info.stdout
    cards = cards_of(pdf_text(pdf))
    assert sorted(cards) == [1, 2, 3]
    assert all('Not for citation' in card and 'Small panel' in card for card in cards.values())
    # At the opening, 4 minutes late: the later Q2 (3 min) is not enough, so Q1 goes
    # too, and then Q2 is put back (Q1 alone covers it). At the last card nothing is
    # left to drop.
    assert 'Running late: 4 min behind: drop Q1 (5 min)' in ' '.join(cards[1].split())
    assert 'Running late: 4 min behind: still 4 min over' in ' '.join(cards[3].split())


#: a heading's line in the LaTeX (Sphinx writes a rubric as \subsubsection*)
HEADING = re.compile(r'\\(?:chapter|section|subsection|subsubsection|paragraph)\*?\{(.*)\}\s*$')


def tex_headings(tex: str) -> set[str]:
    """The headings of a .tex file, squashed."""
    found = set()
    for line in tex.splitlines():
        match = HEADING.search(line)
        if match:
            plain = re.sub(r'\\[A-Za-z@]+\*?', '', match[1].replace(r'\sphinxhyphen{}', '-'))
            if squash(plain):
                found.add(squash(plain))
    return found


@dataclass(frozen=True)
class Word:
    """A piece of text on a page, as poppler's pdftohtml places it."""

    top: int
    left: int
    text: str
    family: str
    bold: bool


def page_rows(pdf: Path) -> list[list[list[Word]]]:
    """The text of each page in rows, top to bottom, each left to right, without the
    watermark."""
    from defusedxml import ElementTree

    xml = subprocess.run(
        ['pdftohtml', '-xml', '-i', '-q', '-stdout', str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    root = ElementTree.fromstring(xml)
    fonts = {font.get('id'): font for font in root.iter('fontspec')}
    pages = []
    for page in root.iter('page'):
        words = []
        for item in page.iter('text'):
            font = fonts[item.get('font')]
            text = ''.join(item.itertext()).strip()
            if not text or font.get('opacity') is not None:
                continue
            bold = item.find('b') is not None
            words.append(
                Word(int(item.get('top')), int(item.get('left')), text, font.get('family'), bold)
            )
        rows: list[list[Word]] = []
        for word in sorted(words, key=lambda w: (w.top, w.left)):
            if rows and abs(rows[-1][0].top - word.top) <= 3:
                rows[-1].append(word)
            else:
                rows.append([word])
        pages.append([sorted(row, key=lambda w: w.left) for row in rows])
    return pages


def test_no_heading_is_the_last_line_of_a_page(built: PdfBuild) -> None:
    """A heading (a chapter's, a section's, a question index group's) is followed on its
    page by what it heads: it is never the last line above the page's footer."""
    require_tools('pdftohtml')
    seen = rubrics = 0
    stranded = []
    for pdf in built.pdfs.values():
        tex = pdf.with_suffix('.tex').read_text(encoding='utf-8')
        headings = tex_headings(tex)
        rubrics += tex.count(r'\subsubsection*{')

        def is_heading(row: list[Word], headings: set[str] = headings) -> bool:
            # headings are set in bold sans serif; a link or a bold word in a sentence
            # with the same words is not
            return all(
                word.bold
                and 'Heros' in word.family
                and any(squash(word.text) in h for h in headings)
                for word in row
            )

        for number, rows in enumerate(page_rows(pdf), start=1):
            seen += sum(is_heading(row) for row in rows)
            # the footer: the notice line, and above it the page number (after the
            # section's name)
            if rows and HANDLING in ' '.join(word.text for word in rows[-1]):
                rows.pop()
            if rows and re.fullmatch(r'\d+|[ivxlc]+', rows[-1][-1].text):
                rows.pop()
            if rows and is_heading(rows[-1]):
                stranded.append((pdf.name, number, ' '.join(w.text for w in rows[-1])))
    # the headings are found: at least the index groups' (and runs of show's) headings
    assert rubrics > 10 and seen >= rubrics
    assert stranded == []


#: README's pictures of the book: the file in docs/ → a line of the page it shows
README_PAGES = {
    # the opening page of the Themes chapter: the themes, then theme 4.1 and Q1
    'pdf-page-question.png': '1. Military-civil fusion and foreign investment screening: Q1.',
    # Japan's and China's positions on Q1, then theme 4.2 and Q2
    'pdf-page-positions.png': 'Japan + Supports · on Q1',
}
#: README's pictures of the day's PDFs: the file in docs/ → the PDF and a line of its page
README_DAY_PAGES = {
    # the card of the question on the WTO dispute, with its note and running-late line
    'pdf-cue-card.png': ('cue-cards-ip-export', 'Q5 '),
    'pdf-agenda.png': ('agenda-ip-export', 'DSEI Japan 2019'),
}
DOCS = Path(__file__).parent.parent / 'docs'
ARTEFACTS = Path(__file__).parent / 'artefacts'


def test_readme_pictures_of_the_book(built: PdfBuild) -> None:
    """The pages README shows, found by their content and drawn as PNG (in
    tests/artefacts/, and in docs/ with ``BRIEFING_SCREENSHOTS`` set)."""
    require_tools('pdftoppm')
    pages = [re.sub(r'[ \t]+', ' ', page) for page in built.pages(built.book)]
    for name, line in README_PAGES.items():
        number = next((n for n, text in enumerate(pages, start=1) if line in text), None)
        assert number is not None, line
        ARTEFACTS.mkdir(exist_ok=True)
        target = ARTEFACTS / name
        page = ['-f', str(number), '-l', str(number)]
        draw = ['pdftoppm', '-png', '-singlefile', '-scale-to', '936', *page]
        subprocess.run([*draw, str(built.book), str(target.with_suffix(''))], check=True)
        assert target.stat().st_size > 20_000  # a page with text, not a blank one
        if os.environ.get('BRIEFING_SCREENSHOTS'):
            shutil.copyfile(target, DOCS / name)
    # what the captions say is on them
    found = {name: next(t for t in pages if line in t) for name, line in README_PAGES.items()}
    question = found['pdf-page-question.png']
    assert '4.1' in question and 'Q1' in question and 'To:' in question
    positions = found['pdf-page-positions.png']
    # (where the page breaks after them differs between Sphinx's versions)
    assert 'Sources:' in positions and 'Positions' in positions


def test_readme_pictures_of_the_day(built: PdfBuild) -> None:
    """The cue card and the agenda README shows, drawn as PNG from their PDFs (in
    tests/artefacts/, and in docs/ with ``BRIEFING_SCREENSHOTS`` set)."""
    require_tools('pdftoppm')
    for name, (pdf_name, line) in README_DAY_PAGES.items():
        pdf = built.pdfs[pdf_name]
        pages = built.pages(pdf)
        # a card's page is the one whose heading starts with the question's number
        number = next(
            n
            for n, text in enumerate(pages, start=1)
            if any(row.strip().startswith(line) for row in text.splitlines())
        )
        target = ARTEFACTS / name
        ARTEFACTS.mkdir(exist_ok=True)
        draw = ['pdftoppm', '-png', '-singlefile', '-scale-to', '936']
        subprocess.run(
            [*draw, '-f', str(number), '-l', str(number), str(pdf), str(target.with_suffix(''))],
            check=True,
        )
        assert target.stat().st_size > 20_000  # a page with text, not a blank one
        if os.environ.get('BRIEFING_SCREENSHOTS'):
            shutil.copyfile(target, DOCS / name)
        if name == 'pdf-cue-card.png':
            # what the caption says: the moderator's note and the running-late line
            text = squash(pages[number - 1])
            assert squash('legal question') in text and 'runninglate' in text
