"""Note styles (Chicago notes, OSCOLA): citations become real footnotes, numbered per
document with the document's own footnotes, whose texts are what pandoc's citeproc gives
for the same citations written in pandoc's markdown."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import MYST_CONF, NOTES_BIB, RST_CONF, Build, Project, require_tool

from sphinx_briefing.citations.citeproc import _pandoc_path, resolve_style

#: the same citations in MyST and in pandoc's markdown
MYST_PAGE = """\
# Notes

As shown {cite:p}`{see}smith2018{12}`. Again {cite:p}`smith2018{12}`, and[^own]
{cite:t}`jones2019{4}` says so.

Later {cite:p}`smith2018{20}` and {cite:p}`lee2020`.

[^own]: A note of the author's, citing {cite:p}`lee2020{7}`.
"""
MARKDOWN_PAGE = """\
As shown [see @smith2018, 12]. Again [@smith2018, 12], and[^own]
@jones2019 [4] says so.

Later [@smith2018, 20] and [@lee2020].

[^own]: A note of the author's, citing [@lee2020, 7].
"""


def note_project(proj: Project, style: str, *, rst: bool = False) -> None:
    proj.write(
        'conf.py',
        (RST_CONF if rst else MYST_CONF) + f'bibtex_bibfiles = ["refs.bib"]\n'
        f'briefing_citation_style = {style!r}\n',
    )
    proj.write('refs.bib', NOTES_BIB)


def pandoc_plain(proj: Project, style: str, markdown: str) -> str:
    """What pandoc alone makes of *markdown*, given the project's .bib (which the build
    reads with pandoc's own reader too)."""
    csl = resolve_style(style, proj.path)
    args = [_pandoc_path(), '-f', 'markdown', '-t', 'plain', '--wrap=none', '--citeproc']
    args += ['--bibliography', str(proj.path / 'refs.bib'), '-M', 'suppress-bibliography']
    args += ['-M', 'lang=en']  # the project's language (Sphinx's default), as the build gives
    if csl is not None:
        args += ['--csl', str(csl)]
    result = subprocess.run(args, input=markdown, capture_output=True, text=True, check=True)
    return result.stdout


def split_pandoc(plain: str) -> tuple[list[str], list[str]]:
    """pandoc's plain text → (paragraphs, footnote texts in order)."""
    paragraphs, notes = [], []
    for block in plain.strip().split('\n\n'):
        match = re.match(r'\[(\d+)\] (.*)', block, re.S)
        if match:
            notes.append(' '.join(match[2].split()))
        else:
            paragraphs.append(' '.join(block.split()))
    return paragraphs, notes


def split_html(build: Build, page: str) -> tuple[list[str], list[str]]:
    """The page's paragraphs (footnote marks as "[n]") and its footnotes' texts, in
    the order of their numbers."""
    page_soup = BeautifulSoup(build.html(page), 'html.parser')
    for mark in page_soup.select('a.footnote-reference'):
        mark.replace_with(f'[{mark.get_text(strip=True).strip("[]")}]')
    notes = {}
    for aside in page_soup.select('aside.footnote'):
        label = aside.select_one('.label').get_text(strip=True).strip('[]')
        body = ' '.join(p.get_text() for p in aside.find_all('p'))
        notes[int(label)] = ' '.join(body.split())
    section = page_soup.select_one('section')
    paragraphs = [' '.join(p.get_text().split()) for p in section.find_all('p', recursive=False)]
    return paragraphs, [notes[n] for n in sorted(notes)]


@pytest.mark.parametrize(
    'style', ['chicago-notes-bibliography-subsequent-ibid', 'oscola', 'chicago-notes-bibliography']
)
def test_note_style_gives_footnotes_as_pandoc_does(project: Any, style: str) -> None:
    proj = project()
    note_project(proj, style)
    proj.write('index.md', MYST_PAGE)
    build = proj.build()
    assert build.warnings() == []
    paragraphs, notes = split_html(build, 'index')
    expected_paragraphs, expected_notes = split_pandoc(pandoc_plain(proj, style, MARKDOWN_PAGE))
    assert paragraphs == expected_paragraphs
    assert notes == expected_notes
    assert len(notes) == 6  # five made for citations, the author's own one among them


def test_what_the_notes_say(project: Any) -> None:
    """Measured on their own, not only against pandoc: full form first, "Ibid." next,
    short form later, "n 1" pointing to the right note, the author in the sentence for
    cite:t, a citation in the author's footnote kept in it, in brackets."""
    proj = project()
    note_project(proj, 'oscola')
    proj.write('index.md', MYST_PAGE)
    build = proj.build()
    paragraphs, notes = split_html(build, 'index')
    assert paragraphs[0] == 'As shown.[1] Again,[2] and[3] Ann Jones[4] says so.'
    assert notes[0].startswith('See John Smith, Screening Foreign Investment (Trade Press')
    assert notes[1] == 'Ibid.'
    assert notes[2] == (
        'A note of the author’s, citing (Min Lee, Sanctions and Markets (Harbour Books 2020) 7).'
    )
    assert 'Jones' not in notes[3] and notes[3].endswith(', 4.')
    assert notes[4] == 'Smith (n 1) 20.'
    assert notes[5] == 'Lee (n 3).'


def test_numbered_and_positioned_per_document(project: Any) -> None:
    """Each document numbers its footnotes from 1, and its first citation of a source is
    in full again (an HTML page is read on its own)."""
    proj = project()
    note_project(proj, 'oscola')
    proj.write('index.md', '# One\n\nFirst {cite:p}`smith2018`.\n\n```{toctree}\ntwo\n```\n')
    proj.write('two.md', '# Two\n\nAgain {cite:p}`smith2018{9}`.\n')
    build = proj.build()
    assert build.warnings() == []
    one, two = split_html(build, 'index'), split_html(build, 'two')
    assert one[0][0] == 'First.[1]' and two[0][0] == 'Again.[1]'
    assert two[1][0].startswith('John Smith, Screening Foreign Investment')
    assert two[1][0].endswith(' 9.')


def test_restructuredtext_footnotes_keep_their_order(project: Any) -> None:
    """In reStructuredText the author's ``[#]_`` footnote is numbered where it is
    referred to, among the citations' footnotes, and keeps its own text."""
    proj = project()
    note_project(proj, 'chicago-notes-bibliography-subsequent-ibid', rst=True)
    proj.write(
        'index.rst',
        'Notes\n=====\n\nText [#]_ and :cite:p:`smith2018{12}`. More :cite:t:`jones2019`.\n\n'
        '.. [#] Own note with :cite:p:`smith2018{13}`.\n\n'
        'Later\n-----\n\nEnd :cite:p:`smith2018{14}`.\n',
    )
    build = proj.build()
    assert build.warnings() == []
    paragraphs, notes = split_html(build, 'index')
    assert paragraphs[0] == 'Text [1] and.[2] More Ann Jones[3].'
    assert notes[0].startswith('Own note with (John Smith, Screening Foreign Investment')
    assert notes[1] == 'Ibid., 12.'
    assert notes[3] == 'Smith, Screening Foreign Investment, 14.'


def test_latex_has_real_footnotes(project: Any) -> None:
    proj = project()
    note_project(proj, 'oscola')
    proj.write('index.md', MYST_PAGE)
    build = proj.build('latex')
    assert build.warnings() == []
    tex = next(build.outdir.glob('*.tex')).read_text(encoding='utf-8')
    bodies = re.findall(
        r'\\begin\{footnote\}\[(\d+)\]\\sphinxAtStartFootnote\n(.*?)\n\\end\{footnote\}', tex, re.S
    )
    assert [number for number, _ in bodies] == ['1', '2', '3', '4', '5', '6']
    assert 'Ibid' in bodies[1][1]
    assert 'Smith (n 1) 20' in bodies[4][1]


def test_pdf_shows_the_notes(project: Any) -> None:
    for tool in ('latexmk', 'pdftotext'):
        require_tool(tool, 'BRIEFING_REQUIRE_LATEX')
    proj = project()
    note_project(proj, 'oscola')
    # with a bibliography, so that each note links to its entry
    proj.write('index.md', MYST_PAGE + '\n```{bibliography}\n```\n')
    build = proj.build('latex')
    tex = next(build.outdir.glob('*.tex'))
    subprocess.run(
        ['latexmk', '-pdf', '-interaction=nonstopmode', '-halt-on-error', tex.name],
        cwd=build.outdir,
        capture_output=True,
        check=True,
        timeout=600,
    )
    text = subprocess.run(
        ['pdftotext', '-layout', tex.with_suffix('.pdf').name, '-'],
        cwd=build.outdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = ' '.join(text.split())
    assert 'As shown.1 Again,2 and3 Ann Jones4 says so.' in flat
    assert '2 Ibid.' in flat
    assert '5 Smith (n 1) 20.' in flat
    # a note's title in italics as the style says, the rest upright, though the whole
    # note is a link (which Sphinx's LaTeX sets in italics)
    require_tool('pdftohtml', 'BRIEFING_REQUIRE_LATEX')
    xml = subprocess.run(
        ['pdftohtml', '-xml', '-i', '-stdout', tex.with_suffix('.pdf').name],
        cwd=build.outdir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    spans = re.findall(r'<text [^>]*>(.*?)</text>', xml)
    italic = {re.sub('<[^>]+>', '', span).strip(): '<i>' in span for span in spans}
    assert italic['John Smith,'] is False
    assert italic['Screening Foreign Investment'] is True
    assert italic['(Trade Press 2018) 12'] is False


def test_switching_to_a_note_style_rereads_the_documents(project: Any) -> None:
    proj = project()
    note_project(proj, 'chicago-author-date')
    proj.write('index.md', MYST_PAGE)
    first = proj.build()
    assert len(split_html(first, 'index')[1]) == 1  # the author's own footnote only
    proj.edit('conf.py', "'chicago-author-date'", "'oscola'")
    second = proj.build()
    assert second.warnings() == []
    assert 'index' in second.read
    assert len(split_html(second, 'index')[1]) == 6
    proj.edit('conf.py', "'oscola'", "'apa'")
    third = proj.build()
    assert 'index' in third.read
    assert len(split_html(third, 'index')[1]) == 1  # the author's own footnote only


def test_each_mark_takes_its_own_punctuation(project: Any) -> None:
    """Two citations each followed by a full stop in one paragraph: each stop moves
    before its own mark (text nodes that are equal strings are not mixed up)."""
    proj = project()
    note_project(proj, 'chicago-notes-bibliography')
    proj.write(
        'index.md',
        '# Notes\n\nScreening widened {cite:p}`smith2018{12}`. As {cite:t}`jones2019{4}` '
        'argues, it did.\nAgain {cite:p}`smith2018{14}`.\n',
    )
    build = proj.build()
    assert build.warnings() == []
    paragraphs, notes = split_html(build, 'index')
    assert paragraphs[0] == 'Screening widened.[1] As Ann Jones[2] argues, it did. Again.[3]'
    assert len(notes) == 3
    tex = next(proj.build('latex').outdir.glob('*.tex')).read_text(encoding='utf-8')
    flat = re.sub(r'\\begin\{footnote\}.*?\\end\{footnote\}', '<n>', tex, flags=re.S)
    assert re.search(r'Screening widened\.\\phantomsection[^<]*<n> As ', flat)
    assert re.search(r'Again\.\\phantomsection[^<]*<n>\n', flat)
