"""The LaTeX builder's side, on small projects: a notice per document, the briefs as
documents of their own, table layouts, escaping, and the .sty under every engine.

The first tests read the generated .tex and need no TeX; those that compile skip or fail
like tests/test_pdf.py (``BRIEFING_REQUIRE_LATEX``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import MYST_CONF
from sphinx.util import texescape
from test_pdf import HANDLING, latexmk, page_count, pdf_text, require_tools, watermark

from sphinx_briefing.assets import LATEX_PACKAGE, TEXINPUTS_DIR

STY = TEXINPUTS_DIR / f'{LATEX_PACKAGE}.sty'


def two_panels(proj: Any, **conf: str) -> None:
    """Two panels with different handling notices and statuses, a document each, and a
    brief for a panellist of each."""
    extra = ''.join(f'{key} = {value}\n' for key, value in conf.items())
    proj.write('conf.py', MYST_CONF + "latex_elements = {'papersize': 'a4paper'}\n" + extra)
    proj.write(
        'index.md',
        '# Book\n\nTwo panels.\n\n```{toctree}\none\ntwo\n```\n',
    )
    for name, pid, handling, status, person in (
        ('one', 'p1', 'Chatham House Rule', 'draft', 'ana'),
        ('two', 'p2', 'TLP:AMBER & 100% <internal>', 'final', 'ben'),
    ):
        proj.write(
            f'{name}.md',
            f'# Panel {name}\n\n'
            f':::{{panel}} {pid}\n:title: Panel {name}\n:date: 2019-11-20\n:start: 14:00\n'
            f':duration: 60\n:venue: Room {name}\n:moderator: {person}\n'
            f':handling: {handling}\n:status: {status}\n:::\n\n'
            f':::{{participant}} {person}\n:name: Dr {person.title()} Müller-Émile\n:::\n\n'
            f'::::{{question}} q-{name}\n:minutes: 5\n\nWhat about {name}?\n\n'
            f':::{{question}} q-{name}-more\n:priority: reserve\n\nAnd then −, ±, ○?\n:::\n'
            '::::\n\n'
            f':::{{position}}\n:question: q-{name}\n:actor: United States\n:stance: opposes\n\n'
            f'Against, on {name}.\n:::\n\n'
            + ''.join(f'\nParagraph {n} of panel {name}, to fill pages. ' * 12 for n in range(30))
            # The brief's page belongs to the panel whose document includes it.
            + f'\n\n```{{toctree}}\nbrief-{person}\n```\n',
        )
        proj.write(
            f'brief-{person}.md',
            f'# Brief: {person}\n\n```{{panellist-brief}} {person}\n:panel: {pid}\n```\n',
        )


def tex_of(build: Any, name: str | None = None) -> str:
    files = sorted(build.outdir.glob('*.tex'))
    path = (
        next(p for p in files if p.stem == name)
        if name
        else next(p for p in files if not p.stem.startswith('brief-'))
    )
    return path.read_text(encoding='utf-8')


# -- the .tex, without TeX ---------------------------------------------------------------


def test_each_document_sets_its_own_notice_after_its_title(project: Any) -> None:
    proj = project()
    two_panels(proj)
    build = proj.build('latex')
    assert build.warnings() == []
    tex = tex_of(build)
    one = tex.index(r'\chapter{Panel one}')
    two = tex.index(r'\chapter{Panel two}')
    notice_one = tex.index(r'\sphinxbriefingnotice{2}{Chatham House Rule}{draft}{DRAFT}')
    notice_two = tex.index(
        r'\sphinxbriefingnotice{3}{TLP:AMBER \& 100\% \textless{}internal\textgreater{}}'
        r'{final}{FINAL}'
    )
    assert one < notice_one < two < notice_two
    # The start document (no panel of its own: the project has two) resets the notice.
    assert tex.index(r'\sphinxbriefingnotice{1}{}{}{}') < one


def test_no_notice_commands_without_notices(project: Any) -> None:
    build = project('test-twin-md').build('latex', briefing_status='')
    tex = tex_of(build)
    assert r'\sphinxbriefingnotice{1}{Chatham House Rule}{draft}{DRAFT}' in tex
    proj = project(name='plain')
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', '# Plain\n\n:::{question} q\nWhy?\n:::\n')
    assert r'\sphinxbriefingnotice' not in tex_of(proj.build('latex'))


def test_briefs_become_documents_of_their_own(project: Any) -> None:
    proj = project()
    two_panels(proj, briefing_latex_briefs='True')
    build = proj.build('latex')
    assert build.warnings() == []
    names = sorted(p.name for p in build.outdir.glob('*.tex'))
    assert 'brief-ana.tex' in names and 'brief-ben.tex' in names
    assert (build.outdir / 'sphinxbriefingbrief.cls').is_file()
    brief = tex_of(build, 'brief-ana')
    assert re.search(r'\\documentclass\[[^]]*\]\{sphinxbriefingbrief\}', brief)
    assert r'\title{Brief: ana}' in brief
    # Notice first, then the cover with the panel's facts, then the brief.
    notice = brief.index(r'\sphinxbriefingnotice{1}{Chatham House Rule}{draft}{DRAFT}')
    cover = brief.index(r'\begin{sphinxbriefingcover}{Moderator\textquotesingle{}s brief}')
    assert notice < cover
    assert r'\sphinxbriefingfield{Venue}{Room one}' in brief
    assert r'\sphinxbriefingfield{Date}{Wednesday, November 20, 2019}' in brief
    assert r'\sphinxbriefingfield{Time}{14:00\textendash{}15:00}' in brief
    # The book is still written, and does not have covers.
    assert r'sphinxbriefingcover' not in tex_of(build)


def test_briefs_are_off_by_default_and_respect_latex_documents(project: Any) -> None:
    proj = project()
    two_panels(proj)
    build = proj.build('latex')
    assert not list(build.outdir.glob('brief-*.tex'))
    own = "[('brief-ana', 'mine.tex', 'Mine', 'Me', 'howto')]"
    build = proj.build('latex', briefing_latex_briefs=True, latex_documents=eval(own))
    names = sorted(p.name for p in build.outdir.glob('*.tex'))
    # The author's own entry for brief-ana wins; brief-ben is added.
    assert 'mine.tex' in names and 'brief-ben.tex' in names and 'brief-ana.tex' not in names


def test_tables_get_wrapping_columns_and_the_matrix_centred_stances(project: Any) -> None:
    proj = project('test-twin-md')
    proj.write(
        'matrix.md',
        '# Matrix\n\n```{position-matrix}\n```\n\n```{run-of-show}\n```\n',
    )
    proj.edit('index.md', 'themes\nquestions\n', 'themes\nquestions\nmatrix\n')
    build = proj.build('latex')
    assert build.warnings() == []
    tex = tex_of(build)
    specs = re.findall(r'\\begin\{longtable\}\{([^\n]*)\}\n', tex)
    assert specs
    for spec in specs:
        assert r'\X{' in spec and r'\raggedright\arraybackslash' in spec, spec
    assert any(r'>{\centering\arraybackslash}' in spec for spec in specs)
    assert 'colwidths-given' not in tex
    # Widths: no column narrower than MIN_COLUMN hundredths.
    widths = [int(w) for spec in specs for w in re.findall(r'\\X\{(\d+)\}', spec)]
    assert min(widths) >= 7


def test_boxes_write_their_header_as_arguments(project: Any) -> None:
    build = project('test-twin-md').build('latex')
    tex = tex_of(build)
    assert r'\begin{sphinxbriefingquestion}{core}{0}' in tex
    assert r'\begin{sphinxbriefingquestion}{reserve}{1}' in tex  # Q1a, a follow-up
    assert re.search(r'\\sphinxbriefingheader\{Q1\}\{\\DUrole\{briefing-to\}\{To: ', tex)
    assert re.search(r'\\sphinxbriefingheader\{Q1a\}\{\\DUrole\{briefing-meta\}\{follow', tex)
    assert re.search(r'\\begin\{sphinxbriefingposition\}\{[0-9A-F]{6}\}', tex)
    assert r'\begin{sphinxbriefingfields}{\do{Event}' in tex
    # The domain index's entries are set as sentences: the .sty learns its name.
    assert r'\sphinxbriefingsetquestionindexname{Question Index}' in tex


def test_the_sty_declares_every_package_it_uses() -> None:
    sty = STY.read_text(encoding='ascii')  # ASCII only: read under every input encoding
    declared = set(re.findall(r'\\RequirePackage\{([^}]+)\}', sty))
    assert declared == {
        'iftex',
        'xcolor',
        'graphicx',
        'etoolbox',
        'tikz',
        'tcolorbox',
        'needspace',
        'xurl',
    }
    # Commands of those packages, used without being declared, would be a bug.
    for command, package in (
        (r'\tcbset', 'tcolorbox'),
        (r'\Needspace', 'needspace'),
        (r'\eappto', 'etoolbox'),
        (r'\rotatebox', 'graphicx'),
        (r'\definecolor', 'xcolor'),
        (r'tikzpicture', 'tikz'),
        (r'\ifpdftex', 'iftex'),
    ):
        assert command in sty and package in declared


# -- compiled ----------------------------------------------------------------------------


def test_each_page_shows_its_own_panels_notice(project: Any) -> None:
    require_tools('latexmk', 'pdflatex', 'pdftotext', 'pdfinfo')
    proj = project()
    two_panels(proj, briefing_latex_briefs='True')
    build = proj.build('latex')
    for tex in sorted(build.outdir.glob('*.tex')):
        result = latexmk(build.outdir, tex.name)
        assert result.returncode == 0, result.stdout[-2000:]
    book = next(p for p in build.outdir.glob('*.pdf') if not p.stem.startswith('brief-'))
    pages = [pdf_text(book, n) for n in range(1, page_count(book) + 1)]
    amber = 'TLP:AMBER & 100% <internal>'
    seen_one = seen_two = False
    for number, text in enumerate(pages, start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        top = lines[0] if lines else ''  # a blank page before a chapter: no notice
        if 'Paragraph 0 of panel one' in text:
            seen_one = True
        if 'Paragraph 29 of panel two' in text:
            seen_two = True
            assert amber in top and 'FINAL' in top, (number, top)
            assert HANDLING not in top, (number, top)
            assert watermark(book, number) == '', number  # final: no watermark
        if 'Paragraph 5 of panel one' in text and 'of panel two' not in text:
            assert top.strip() == f'{HANDLING} · DRAFT', (number, top)
            assert watermark(book, number) == 'DRAFT', number
    assert seen_one and seen_two
    # The page where panel two's chapter starts belongs to panel two alone.
    start = next(t for t in pages if 'Panel two' in t and 'What about two?' in t)
    assert amber in start.splitlines()[0] and HANDLING not in start
    # The title page and the contents take the first notice (the start document's: none).
    assert HANDLING not in pages[0] and amber not in pages[0]
    # Each brief has its panel's notice on every page, and its cover.
    for person, notice in (('ana', HANDLING), ('ben', amber)):
        brief = build.outdir / f'brief-{person}.pdf'
        for n in range(1, page_count(brief) + 1):
            assert notice in pdf_text(brief, n).splitlines()[0], (person, n)
        cover = pdf_text(brief, 1)
        assert f'Dr {person.title()} Müller-Émile' in cover
        assert f'Room {"one" if person == "ana" else "two"}' in cover


ENGINES = {
    # engine: (document class options, how to get a PDF)
    'pdflatex': ('', ['pdflatex']),
    'lualatex': ('', ['lualatex']),
    'xelatex': ('', ['xelatex']),
    'platex': ('dvipdfmx', ['platex', 'dvipdfmx']),
    'uplatex': ('dvipdfmx', ['uplatex', 'dvipdfmx']),
}


@pytest.mark.parametrize('engine', list(ENGINES))
def test_the_sty_loads_under_every_engine(engine: str, tmp_path: Path) -> None:
    """The .sty alone (with every box, a notice and a cover) under each engine Sphinx
    offers (the Japanese books use platex or uplatex)."""
    options, programs = ENGINES[engine]
    # .ci/run installs every engine: in CI a missing one fails rather than skips.
    require_tools(*programs)
    shutil.copy(STY, tmp_path)
    (tmp_path / 'doc.tex').write_text(
        rf"""\documentclass[{options}]{{article}}
\usepackage{{amssymb}}
\usepackage{{sphinxbriefing}}
\title{{T}}\author{{A}}\date{{D}}
\makeatletter\def\sphinxAtStartPar{{\leavevmode}}\makeatother
\begin{{document}}
\sphinxbriefingnotice{{1}}{{TLP:AMBER}}{{draft}}{{DRAFT}}
\begin{{sphinxbriefingcover}}{{Brief}}{{Name}}{{TLP:AMBER}}{{DRAFT}}{{\do{{Panel}}}}
\sphinxbriefingfield{{Panel}}{{P}}
\end{{sphinxbriefingcover}}
\begin{{sphinxbriefingpanel}}{{}}\sphinxbriefingheader{{Panel}}{{}}
\begin{{sphinxbriefingfields}}{{\do{{Date}}}}\sphinxbriefingfield{{Date}}{{today}}\end{{sphinxbriefingfields}}
\end{{sphinxbriefingpanel}}
\begin{{sphinxbriefingquestion}}{{core}}{{0}}\sphinxbriefingheader{{Q1}}{{To: A}}Why?
\begin{{sphinxbriefingquestion}}{{reserve}}{{1}}\sphinxbriefingheader{{Q1a}}{{}}And?
\begin{{sphinxbriefingmoderatornote}}{{}}\sphinxbriefingheader{{Note}}{{}}Psst.\end{{sphinxbriefingmoderatornote}}
\end{{sphinxbriefingquestion}}\sphinxbriefingfooter{{Positions}}
\end{{sphinxbriefingquestion}}
\begin{{sphinxbriefingposition}}{{1B7F3B}}\sphinxbriefingheader{{US}}{{\sphinxbriefingstance{{1B7F3B}}{{+ Supports}}}}
Yes.\begin{{sphinxbriefingcounterargument}}{{}}\sphinxbriefingheader{{But}}{{}}No.\end{{sphinxbriefingcounterargument}}
\end{{sphinxbriefingposition}}
\begin{{sphinxbriefingparticipant}}{{}}\sphinxbriefingheader{{Dr A}}{{B}}Bio.\end{{sphinxbriefingparticipant}}
\sphinxbriefingfollowuparrow\ \sphinxbriefingwhitecircle
\end{{document}}
""",
        encoding='ascii',
    )
    for program in programs:
        args = [program, '-interaction=nonstopmode', '-halt-on-error', 'doc.tex']
        if program == 'dvipdfmx':
            args = [program, 'doc.dvi']
        # Twice: the first notice goes through the .aux file.
        for _run in range(2 if program != 'dvipdfmx' else 1):
            result = subprocess.run(
                args, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300
            )
            assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / 'doc.pdf').is_file()


#: a CJK main font for XeLaTeX and LuaLaTeX (fonts-noto-cjk): it has the stance symbols
#: but no arrow with a hook
CJK_FONTS = {
    'fontpkg': r'\setmainfont{Noto Serif CJK JP}\setsansfont{Noto Sans CJK JP}'
    r'\setmonofont{Noto Sans Mono CJK JP}'
}
#: engine → (the project's settings, latexmk's options as Sphinx's Makefile gives them)
SYMBOL_ENGINES: dict[str, tuple[dict[str, Any], list[str]]] = {
    'pdflatex': ({}, ['-pdf']),
    'xelatex': ({'latex_elements': CJK_FONTS}, ['-pdfxe']),
    'lualatex': ({'latex_elements': CJK_FONTS}, ['-pdflua']),
    'platex': ({'language': 'ja'}, ['-r', 'latexmkjarc', '-pdfdvi']),
    'uplatex': ({'language': 'ja'}, ['-r', 'latexmkjarc', '-pdfdvi']),
}
#: the symbols the extension writes, and what pdftotext reads where they are drawn (the
#: follow-up mark is a turned ↱, the back-link arrow ← with a hook)
SYMBOLS = {'↳': '↳↱', '↩': '↩←', '−': '−', '±': '±', '○': '○'}


def require_font(family: str) -> None:
    """Skip without the font (fail where TeX is required: .ci/run installs it)."""
    found = ''
    if shutil.which('fc-list'):
        found = subprocess.run(
            ['fc-list', ':', 'family'], capture_output=True, text=True, check=False
        ).stdout
    if family in found:
        return
    if os.environ.get('BRIEFING_REQUIRE_LATEX'):
        pytest.fail(f'BRIEFING_REQUIRE_LATEX is set but the font {family} is missing')
    pytest.skip(f'needs the font {family}')


@pytest.mark.parametrize('engine', list(SYMBOL_ENGINES))
def test_every_symbol_is_set_under_every_engine_and_font(engine: str, project: Any) -> None:
    """The follow-up and back-link arrows and the stance symbols, in a book with every
    collection, under each engine (XeLaTeX and LuaLaTeX with a CJK main font, pLaTeX
    and upLaTeX for Japanese): none is dropped (a log's "Missing character", dvipdfmx's
    "No character mapping"), each is in the PDF, as itself or drawn."""
    settings, options = SYMBOL_ENGINES[engine]
    require_tools('latexmk', 'pdftotext', *ENGINES[engine][1])
    if settings.get('latex_elements') == CJK_FONTS:
        require_font('Noto Serif CJK JP')
    proj = project('test-differential')
    build = proj.build('latex', latex_engine=engine, **settings)
    assert build.warnings() == []
    tex = build.outdir / 'differential.tex'
    source = tex.read_text(encoding='utf-8')
    # (as Sphinx writes it for the engine: pdflatex's is ± as \(\pm\))
    written = {
        symbol: source.count(texescape.escape(symbol, engine))
        + source.count(rf'\sphinxbriefingsymbol{{{ord(symbol):04X}}}')
        for symbol in SYMBOLS
    }
    assert all(written.values()), written  # the book uses every one of them
    command = ['latexmk', *options, '-dvi-', '-ps-', '-interaction=nonstopmode', '-halt-on-error']
    result = subprocess.run(
        [*command, tex.name],
        cwd=build.outdir,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    log = tex.with_suffix('.log').read_text(errors='replace')
    assert result.returncode == 0, log[log.find('\n!') :][:2000]
    assert 'Missing character' not in log
    assert 'No character mapping' not in result.stdout + result.stderr
    text = pdf_text(tex.with_suffix('.pdf'))
    printed = {symbol: sum(text.count(form) for form in forms) for symbol, forms in SYMBOLS.items()}
    assert printed == written
