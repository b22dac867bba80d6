"""Word documents (``-b briefingdocx``): read back with python-docx and the package's XML."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
from conftest import MYST_CONF, NOTES_BIB, Build, Project
from defusedxml import ElementTree

W = '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}'

INDEX = """\
# The book

```{toctree}
panel
themes
brief-ana
```
"""

PANEL = """\
# The panel

:::{panel} p1
:title: Panel one
:event: Summit
:date: 2024-07-03
:start: 14:00
:timezone: Europe/London
:duration: 60
:moderator: chair
:panellists: ana, ben
:handling: Chatham House Rule
:status: draft

What the panel is for.
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Analyst
:::

:::{participant} ben
:name: Ben Bureau
:::
"""

THEMES = """\
# Themes

## Screening

Screening is spreading {cite:p}`smith2018`. Points to weigh:

- thresholds
- sectors

1. first step
2. second step

| Country | Threshold |
| --- | --- |
| Japan | 1% |
| US | 10% |

:::{question} q-screen
:to: ana
:minutes: 5

Should thresholds fall?
:::

:::{position}
:question: q-screen
:actor: Japan
:stance: supports

Japan lowered its threshold SECRETPOSITION {cite:p}`jones2019`.
:::

:::{moderator-note}
Press on SECRETNOTE.
:::

## Exports

:::{question} q-export
:to: ben
:minutes: 5

What of exports?
:::
"""

BRIEF = """\
# Brief for Ana

```{panellist-brief} ana
```
"""

BOOK = 'project.docx'  # Sphinx's file name for the project 'Project', as LaTeX's


def make(project: Any, conf: str = '') -> Project:
    proj: Project = project()
    proj.write(
        'conf.py',
        MYST_CONF
        + "project = 'Project'\nauthor = 'Example Think Tank'\n"
        + "briefing_bibfiles = ['refs.bib']\n"
        + "briefing_citation_style = 'chicago-notes-bibliography'\n"
        + conf,
    )
    proj.write('refs.bib', NOTES_BIB)
    proj.write('index.md', INDEX)
    proj.write('panel.md', PANEL)
    proj.write('themes.md', THEMES)
    proj.write('brief-ana.md', BRIEF)
    return proj


def xml(path: Path, part: str) -> Any:
    with zipfile.ZipFile(path) as archive:
        return ElementTree.fromstring(archive.read(part))


def texts(element: Any) -> str:
    return ''.join(t.text or '' for t in element.iter(f'{W}t'))


def footnotes(path: Path) -> list[str]:
    """The texts of the Word footnotes (not the separators, ids -1 and 0)."""
    root = xml(path, 'word/footnotes.xml')
    return [
        texts(note)
        for note in root.iter(f'{W}footnote')
        if int(note.get(f'{W}id', '0')) > 0 and note.get(f'{W}type') is None
    ]


def everything(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return '\n'.join(
            archive.read(name).decode('utf-8', 'replace')
            for name in archive.namelist()
            if name.endswith(('.xml', '.rels'))
        )


def test_the_book_and_each_brief_are_word_documents(project: Any) -> None:
    build = make(project).build('briefingdocx')
    assert not build.warnings()
    names = sorted(p.name for p in build.outdir.glob('*.docx'))
    assert names == ['brief-ana.docx', BOOK]
    assert not (build.outdir / '_static').exists()
    assert not list(build.outdir.glob('*.html'))


def test_word_styles_for_headings_lists_and_tables(project: Any) -> None:
    build = make(project).build('briefingdocx')
    book = docx.Document(str(build.outdir / BOOK))
    styled = [(p.style.name, p.text) for p in book.paragraphs]
    assert ('Title', 'The book') in styled
    assert ('Heading 1', 'Themes') in styled
    assert ('Heading 2', 'Screening') in styled
    # lists: Word numbering on the items, a different numbering for the ordered one
    items = {p.text: p._p.pPr.numPr for p in book.paragraphs if p._p.pPr is not None}
    numbered = {text: num for text, num in items.items() if num is not None}
    assert {'thresholds', 'sectors', 'first step', 'second step'} <= set(numbered)
    assert numbered['thresholds'].numId.val != numbered['first step'].numId.val
    # tables in Word's table style, with their cells
    (table,) = [t for t in book.tables if t.cell(0, 0).text == 'Country']
    assert table.style is not None and table.style.name == 'Table'
    assert [c.text for c in table.rows[1].cells] == ['Japan', '1%']
    assert book.core_properties.author == 'Example Think Tank'
    assert book.core_properties.title == 'The book'
    styles = xml(build.outdir / BOOK, 'word/styles.xml')
    assert {e.get(f'{W}val') for e in styles.iter(f'{W}lang')} >= {'en'}


def test_note_style_citations_are_word_footnotes(project: Any) -> None:
    build = make(project).build('briefingdocx')
    path = build.outdir / BOOK
    notes = footnotes(path)
    assert any('Smith' in n and 'Screening Foreign Investment' in n for n in notes), notes
    assert any('Jones' in n and 'Wassenaar' in n for n in notes), notes
    body = xml(path, 'word/document.xml')
    references = list(body.iter(f'{W}footnoteReference'))
    assert len(references) == len(notes)
    # the note's text is in the footnote, not in the body
    assert 'Screening Foreign Investment' not in texts(body)
    styles = {s.name for s in docx.Document(str(path)).styles}
    assert 'Footnote Text' in styles
    # a brief's copies of cited bodies keep their notes
    brief = build.outdir / 'brief-ana.docx'
    assert any('Wassenaar' in n for n in footnotes(brief)), footnotes(brief)


def test_the_notice_is_in_the_page_header(project: Any) -> None:
    build = make(project).build('briefingdocx')
    for name in (BOOK, 'brief-ana.docx'):
        document = docx.Document(str(build.outdir / name))
        header = ' '.join(p.text for p in document.sections[0].header.paragraphs)
        assert 'Chatham House Rule' in header and 'DRAFT' in header, header
        assert 'Moderator edition' in header
        # the header holds it: the body does not open with the banner
        assert 'Chatham House Rule · DRAFT' not in document.paragraphs[0].text
    public = make(project).build('briefingdocx', outdir_name='_public', briefing_edition='public')
    document = docx.Document(str(public.outdir / BOOK))
    assert 'Public edition' in document.sections[0].header.paragraphs[0].text


def test_a_brief_holds_its_document_only(project: Any) -> None:
    build = make(project).build('briefingdocx')
    brief = docx.Document(str(build.outdir / 'brief-ana.docx'))
    text = '\n'.join(p.text for p in brief.paragraphs)
    assert brief.paragraphs[0].style.name == 'Title'
    assert brief.paragraphs[0].text == 'Brief for Ana'
    assert 'Should thresholds fall?' in text
    assert 'What of exports?' not in text  # Ben's question
    assert 'Europe/London' in text
    # no link leads to a bookmark outside the brief; in the book, every link lands
    for name in ('brief-ana.docx', BOOK):
        body = xml(build.outdir / name, 'word/document.xml')
        anchors = {h.get(f'{W}anchor') for h in body.iter(f'{W}hyperlink')} - {None}
        marks = {b.get(f'{W}name') for b in body.iter(f'{W}bookmarkStart')}
        assert anchors <= marks, (name, anchors - marks)
        if name == BOOK:
            assert len(anchors) >= 5, anchors  # questions, participants, the panel


def mtimes(build: Build) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in build.outdir.glob('*.docx')}


def test_bytes_are_the_same_in_every_build(project: Any) -> None:
    proj = make(project)
    first = proj.build('briefingdocx')
    other = proj.build('briefingdocx', outdir_name='_again')
    for name in (BOOK, 'brief-ana.docx'):
        assert (first.outdir / name).read_bytes() == (other.outdir / name).read_bytes()
        with zipfile.ZipFile(first.outdir / name) as archive:
            assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_unchanged_files_are_not_written_again(project: Any) -> None:
    proj = make(project)
    before = mtimes(proj.build('briefingdocx'))
    assert mtimes(proj.build('briefingdocx')) == before  # no-op
    # an edit the brief does not show: the book changes, the brief is left alone
    proj.edit('themes.md', 'What of exports?', 'What of exports now?')
    after = proj.build('briefingdocx')
    assert mtimes(after)['brief-ana.docx'] == before['brief-ana.docx']
    assert mtimes(after)[BOOK] != before[BOOK]
    book = '\n'.join(p.text for p in docx.Document(str(after.outdir / BOOK)).paragraphs)
    assert 'What of exports now?' in book
    # an edit of a question put to Ana: her brief is written again
    proj.edit('themes.md', 'Should thresholds fall?', 'Should thresholds fall further?')
    again = proj.build('briefingdocx')
    assert mtimes(again)['brief-ana.docx'] != before['brief-ana.docx']
    brief = docx.Document(str(again.outdir / 'brief-ana.docx'))
    assert 'Should thresholds fall further?' in '\n'.join(p.text for p in brief.paragraphs)


def test_public_edition_holds_nothing_the_public_pages_do_not(project: Any) -> None:
    proj = make(project)
    moderator = proj.build('briefingdocx')
    assert 'SECRETPOSITION' in everything(moderator.outdir / BOOK)
    assert 'SECRETNOTE' in everything(moderator.outdir / BOOK)
    public = proj.build('briefingdocx', outdir_name='_public', briefing_edition='public')
    html = proj.build('html', outdir_name='_public_html', briefing_edition='public')
    pages = '\n'.join(p.read_text(encoding='utf-8') for p in html.outdir.glob('*.html'))
    for path in public.outdir.glob('*.docx'):
        text = everything(path)
        for secret in ('SECRETPOSITION', 'SECRETNOTE', 'Wassenaar'):
            assert secret not in pages
            assert secret not in text, (path.name, secret)
        assert 'Should thresholds fall?' in text


def house_style(path: Path) -> None:
    """A house reference document: its own header line and a coloured Heading 1."""
    from docx.shared import RGBColor

    document = docx.Document()
    heading = document.styles['Heading 1']
    heading.font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    document.sections[0].header.paragraphs[0].text = 'House of Example'
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())


def test_a_reference_document_gives_its_house_style(project: Any) -> None:
    proj = make(project, "briefing_docx_reference = 'house.docx'\n")
    house_style(proj.path / 'house.docx')
    build = proj.build('briefingdocx')
    assert not build.warnings()
    book = docx.Document(str(build.outdir / BOOK))
    assert str(book.styles['Heading 1'].font.color.rgb) == '123456'
    header = [p.text for p in book.sections[0].header.paragraphs]
    assert header[0].startswith('Chatham House Rule') and 'House of Example' in header
    # a change of the reference document writes the files again
    before = mtimes(build)
    house_style(proj.path / 'house.docx')
    doc = docx.Document(str(proj.path / 'house.docx'))
    doc.sections[0].header.paragraphs[0].text = 'House of Example, 2nd ed.'
    doc.save(str(proj.path / 'house.docx'))
    after = proj.build('briefingdocx')
    assert mtimes(after)[BOOK] != before[BOOK]
    header = [p.text for p in docx.Document(str(after.outdir / BOOK)).sections[0].header.paragraphs]
    assert 'House of Example, 2nd ed.' in header


def test_pandoc_that_cannot_run_is_warned_at_its_setting(project: Any) -> None:
    proj = make(project, "briefing_pandoc = '/nonexistent/pandoc'\n")
    build = proj.build('briefingdocx')
    said = [w for w in build.warnings() if 'Word documents' in w.text]
    assert said and all(w.type == 'briefing.citeproc' for w in said)
    assert all(w.file == 'conf.py' and w.line == 7 for w in said), said
    assert not list(build.outdir.glob('*.docx'))


def test_the_example_book_gives_word_files_and_calendar_files(tmp_path: Path) -> None:
    """The example, as README builds it (-W -n): the book, a brief per participant, and
    the panel's and participants' calendar files (any builder writes them)."""
    import datetime
    import shutil
    import zoneinfo

    import icalendar
    from sphinx.testing.util import SphinxTestApp

    example = Path(__file__).parent.parent / 'example_docs'
    path = tmp_path / 'src'
    shutil.copytree(example, path, ignore=shutil.ignore_patterns('_build'))
    build = Project(path, SphinxTestApp).build('briefingdocx', nitpicky=True)
    assert build.warnings() == []
    participants = sorted(p.stem for p in (example / 'briefs').glob('*.md') if p.stem != 'index')
    names = sorted(p.name for p in build.outdir.glob('*.docx'))
    assert names == sorted(
        [
            *(f'brief-{p}.docx' for p in participants),
            'dseijapan2019intellectualpropertyexportmanagement.docx',
        ]
    )
    for name in names:
        document = docx.Document(str(build.outdir / name))
        assert document.paragraphs[0].style.name == 'Title'
        header = document.sections[0].header.paragraphs[0].text
        assert header == 'Chatham House Rule · DRAFT — Moderator edition'
    calendar = icalendar.Calendar.from_ical(
        (build.outdir / 'calendar' / 'panel-ip-export.ics').read_bytes()
    )
    (event,) = calendar.walk('VEVENT')
    tokyo = zoneinfo.ZoneInfo('Asia/Tokyo')
    assert event.decoded('DTSTART') == datetime.datetime(2019, 11, 20, 14, 0, tzinfo=tokyo)
    assert event.decoded('DTEND') == datetime.datetime(2019, 11, 20, 15, 0, tzinfo=tokyo)
    assert str(event['LOCATION']) == 'Seminar A, Makuhari Messe, Chiba'
    for participant in participants:
        assert (build.outdir / 'calendar' / f'participant-{participant}.ics').is_file()


def red_square() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', crc)

    pixels = b''.join(b'\x00' + b'\xff\x00\x00' * 4 for _ in range(4))
    header = struct.pack('>IIBBBBB', 4, 4, 8, 2, 0, 0, 0)
    return (
        b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', header)
        + chunk(b'IDAT', zlib.compress(pixels))
        + chunk(b'IEND', b'')
    )


def test_maths_are_word_equations_and_images_are_embedded(project: Any) -> None:
    proj: Project = project()
    proj.write('conf.py', MYST_CONF.replace("['colon_fence']", "['colon_fence', 'dollarmath']"))
    (proj.path / 'red.png').write_bytes(red_square())
    proj.write(
        'index.md', '# Maths\n\n![A red square](red.png)\n\nInline $x^2 + 1$.\n\n$$\ny = mx\n$$\n'
    )
    build = proj.build('briefingdocx')
    assert not build.warnings()
    (path,) = build.outdir.glob('*.docx')
    body = xml(path, 'word/document.xml')
    maths = '{http://schemas.openxmlformats.org/officeDocument/2006/math}'
    assert len(list(body.iter(f'{maths}oMath'))) == 2
    assert len(list(body.iter(f'{maths}oMathPara'))) == 1
    assert '\\(' not in texts(body) and 'x^2' not in texts(body)
    with zipfile.ZipFile(path) as archive:
        media = [name for name in archive.namelist() if name.startswith('word/media/')]
        assert len(media) == 1
        assert archive.read(media[0]) == red_square()


def test_a_brief_outside_the_toctree_and_a_book_of_one_brief(project: Any) -> None:
    proj = make(project)
    proj.write(
        'brief-ben.md',
        '---\norphan: true\n---\n\n# Brief for Ben\n\n```{panellist-brief} ben\n```\n',
    )
    build = proj.build('briefingdocx')
    assert not build.warnings()
    brief = docx.Document(str(build.outdir / 'brief-ben.docx'))
    text = '\n'.join(p.text for p in brief.paragraphs)
    assert brief.paragraphs[0].text == 'Brief for Ben'
    assert 'What of exports?' in text and 'Should thresholds fall?' not in text
    assert 'Brief for Ben' not in '\n'.join(
        p.text for p in docx.Document(str(build.outdir / BOOK)).paragraphs
    )

    single: Project = project(name='single')
    single.write('conf.py', MYST_CONF + "project = 'Single'\n")
    single.write(
        'index.md', PANEL.replace('# The panel', '# Brief') + BRIEF.replace('# Brief for Ana', '')
    )
    build = single.build('briefingdocx')
    assert not build.warnings()
    assert sorted(p.name for p in build.outdir.glob('*.docx')) == ['brief-ana.docx', 'single.docx']
    assert (build.outdir / 'brief-ana.docx').read_bytes() == (
        build.outdir / 'single.docx'
    ).read_bytes()


def test_every_word_of_a_public_file_is_on_the_public_pages(project: Any) -> None:
    """What a public Word file says (body and footnotes), word for word, the public
    edition's single HTML page says too: the Word builder adds nothing but the author."""
    import re

    from bs4 import BeautifulSoup

    proj = make(project)
    public = proj.build('briefingdocx', outdir_name='_public', briefing_edition='public')
    page = proj.build('singlehtml', outdir_name='_public_single', briefing_edition='public')
    soup = BeautifulSoup(page.html('index'), 'html.parser')
    shown = set(re.findall(r'\w+', soup.get_text(' ')))
    # Besides the page's words: the project's author, under the title as on the PDF's
    # title page.
    shown |= {'Example', 'Think', 'Tank'}
    for path in public.outdir.glob('*.docx'):
        said: set[str] = set()
        for part in ('word/document.xml', 'word/footnotes.xml'):
            runs = ' '.join(t.text or '' for t in xml(path, part).iter(f'{W}t'))
            said |= set(re.findall(r'\w+', runs))
        assert said, path.name
        assert said <= shown, (path.name, sorted(said - shown))
