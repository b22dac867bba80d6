"""The Japanese edition of the example book: Japanese labels in HTML and in a PDF made
with Sphinx's default Japanese LaTeX engine, read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import Build, Project
from sphinx.testing.util import SphinxTestApp
from test_pdf import DAY_PDFS, page_count, pdf_text, require_tools

EXAMPLE_JA = Path(__file__).parent.parent / 'example_docs_ja'


def copy_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp('example-ja') / 'src'
    shutil.copytree(EXAMPLE_JA, path, ignore=shutil.ignore_patterns('_build'))
    return path


@pytest.fixture(scope='module')
def html(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    build = Project(copy_example(tmp_path_factory), SphinxTestApp).build(nitpicky=True)
    yield build
    build.app.cleanup()


def text_of(build: Build, page: str) -> str:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return re.sub(r'\s+', ' ', soup.select_one('div.body').get_text(' '))


def test_japanese_book_builds_without_warnings(html: Build) -> None:
    assert html.warnings() == []


def test_japanese_labels_and_readings(html: Build) -> None:
    theme = text_of(html, 'themes/1-military-civil-fusion')
    assert 'Q1 · 宛先：' in theme and '主要' in theme and '想定される反論' in theme
    index = BeautifulSoup(html.html('question-index'), 'html.parser')
    assert [th.get_text() for th in index.select('table thead th')][:3] == ['番号', '質問', '宛先']
    brief = text_of(html, 'briefs/ishikawa')
    assert 'あなたへの質問' in brief and '読み：' in brief and 'いしかわ' in brief
    panel = text_of(html, 'panel')
    assert '2019年11月20日水曜日' in panel and 'チャタムハウス・ルール' in panel
    run = text_of(html, 'run-of-show')
    assert 'モデレーターによる導入' in run


@pytest.fixture(scope='module')
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """The book and one brief, compiled the way Sphinx's Makefile does for Japanese
    (latexmk with the latexmkjarc Sphinx writes: platex or uplatex, then dvipdfmx)."""
    require_tools('latexmk', 'uplatex', 'platex', 'dvipdfmx', 'pdftotext', 'pdfinfo')
    build = Project(copy_example(tmp_path_factory), SphinxTestApp).build('latex')
    assert build.warnings() == []
    outdir = build.outdir
    book = next(p for p in outdir.glob('*.tex') if not p.name.startswith(DAY_PDFS))
    pdfs = []
    said = ''  # what latexmk and dvipdfmx printed
    for tex in (book, outdir / 'brief-ishikawa.tex'):
        result = subprocess.run(
            [
                'latexmk',
                '-r',
                'latexmkjarc',
                '-pdfdvi',
                '-dvi-',
                '-ps-',
                '-interaction=nonstopmode',
                '-halt-on-error',
                tex.name,
            ],
            cwd=outdir,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        target = tex.with_suffix('.pdf')
        if result.returncode != 0 or not target.is_file():
            log = tex.with_suffix('.log').read_text(errors='replace')
            pytest.fail(f'latexmk failed on {tex.name}:\n{log[log.find(chr(10) + "!") :][:1500]}')
        pdfs.append(target)
        said += result.stdout + result.stderr
    yield pdfs[0], pdfs[1], said
    build.app.cleanup()


def test_japanese_pdf_has_japanese_labels_on_every_page(pdf: tuple[Path, Path, str]) -> None:
    book, brief, _said = pdf
    text = pdf_text(book)
    for expected in ('目次', '質問索引', '進行表', '立場', '知的財産・輸出管理'):
        assert expected in text, expected
    # Every question, by its Japanese number row in the run of show, and the handling
    # notice on every page.
    for number in range(1, page_count(book) + 1):
        assert 'チャタムハウス・ルール' in pdf_text(book, number), number
    brief_text = pdf_text(brief)
    assert 'パネリスト用説明資料' in brief_text
    assert 'あなたへの質問' in brief_text
    assert 'いしかわ なおき' in brief_text


def test_japanese_pdf_sets_every_symbol(pdf: tuple[Path, Path, str]) -> None:
    """upLaTeX's Japanese font has no arrow with a hook, and dvipdfmx drops a character
    it cannot map with a warning only: the follow-up marks of the question index are
    drawn instead (pdftotext reads the turned arrow as ↱), and no character is dropped."""
    book, _brief, said = pdf
    assert 'No character mapping' not in said
    log = book.with_suffix('.log').read_text(errors='replace')
    assert 'Missing character' not in log
    tex = book.with_suffix('.tex').read_text(encoding='utf-8')
    marks = tex.count(r'\sphinxbriefingsymbol{21B3}')
    assert marks > 0 and '↳' not in tex
    text = pdf_text(book)
    assert text.count('↱') == marks
    for symbol in '−±○':  # the stance symbols of the matrix and its legend, as they are
        assert symbol in text, symbol
