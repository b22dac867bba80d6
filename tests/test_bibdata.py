"""Bibliography data as real libraries export it: .bib entries shaped like the problem
entries of Zotero, BibSonomy and biblatex exports, CSL-JSON and CSL-YAML libraries, and
the styles shipped with the package, each rendered against pandoc alone on the same file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import Build, Project

from sphinx_briefing.citations import citeproc
from sphinx_briefing.citations.bibtex import load_bibfiles
from sphinx_briefing.citations.reader import references_for

STYLES = ['chicago-author-date', 'apa', 'ieee', 'chicago-notes-bibliography']

# Entries shaped like those that rendered differently from pandoc in the real exports
# measured (benchmarks/fidelity.py): Zotero's "extra" lines in note, biblatex's
# maintitle/booktitleaddon/origpublisher, localisation keys, issue, particles and
# useprefix, a bare &, TeX maths, several publishers and places.
PROBLEM_BIB = r"""
@book{zotero2019,
  author = {de Araujo, Maria and {van der Berg}, Jan},
  title = {Freight corridors in {Europe}},
  publisher = {Routledge and Taylor \& Francis},
  location = {London and New York},
  year = {2019},
  note = {Number: 07
Publisher: Somebody Else},
}
@inbook{biblatex2003,
  author = {L'Hostis, Alain},
  options = {useprefix},
  title = {Railway stations},
  maintitle = {The whole work},
  booktitle = {Volume one},
  booktitleaddon = {With a preface},
  origpublisher = {First House},
  series = {newseries},
  issue = {Spring},
  publisher = {Springer},
  langid = {english},
  date = {2003-05},
}
@article{maths2011,
  author = {Knuth, Donald E. and von Neumann, John},
  options = {useprefix=true},
  title = {On $\log n$ bounds and $a \leftrightarrow b$ & friends},
  journaltitle = {Journal of {TeX}},
  volume = {3},
  number = {2},
  pages = {1--10},
  year = {2011},
}
"""

CSL_ITEMS: list[dict[str, Any]] = [
    {
        'id': 'report2021',
        'type': 'report',
        'title': 'Screening foreign investment: the first year',
        'author': [{'family': 'Smith', 'given': 'Jane'}, {'literal': 'OECD Secretariat'}],
        'publisher': 'OECD',
        'publisher-place': 'Paris',
        'issued': {'date-parts': [[2021, 3, 4]]},
        'URL': 'https://example.org/report',
    },
    {
        'id': 'article2019',
        'type': 'article-journal',
        'title': 'Ports and <i>power</i>',
        'author': [{'family': 'Beethoven', 'given': 'Ludwig', 'non-dropping-particle': 'van'}],
        'container-title': 'Maritime Policy',
        'volume': '12',
        'issue': '3',
        'page': '5-19',
        'issued': {'date-parts': [[2019]]},
    },
    {
        # Zotero writes a date it cannot parse as a literal: it is printed as it is
        'id': 'case2018',
        'type': 'legal_case',
        'title': 'Aerotek, Inc. v. N.L.R.B., e.g. this',
        'authority': '8th Cir.',
        'container-title': 'F.3d',
        'volume': '883',
        'page': '725',
        'issued': {'literal': '2018-01-0001'},
    },
]

CSL_YAML = """---
references:
- id: report2021
  type: report
  title: 'Screening foreign investment: the first year'
  author:
    - family: Smith
      given: Jane
    - literal: OECD Secretariat
  publisher: OECD
  publisher-place: Paris
  issued: 2021-03-04
  URL: https://example.org/report
- id: article2019
  type: article-journal
  title: Ports and *power*
  author:
    - family: Beethoven
      given: Ludwig
      non-dropping-particle: van
  container-title: Maritime Policy
  volume: 12
  issue: 3
  page: 5-19
  issued:
    - year: 2019
- id: case2018
  type: legal_case
  title: Aerotek, Inc. v. N.L.R.B., e.g. this
  authority: 8th Cir.
  container-title: F.3d
  volume: '883'
  page: '725'
  issued:
    literal: 2018-01-0001
...
"""


def pandoc() -> str:
    return citeproc._pandoc_path()


def ours(path: Path, style: Path | None) -> dict[str, Any]:
    """Every entry of *path* as the extension renders it."""
    database = load_bibfiles([path])
    items, problems = references_for(
        database.entries, list(database.entries), lang=None, pandoc=pandoc()
    )
    assert problems == []
    formatted = citeproc.format_citations(style, items, [], include_all=True)
    return dict(formatted.bibliography)


def pandoc_alone(path: Path, style: Path | None) -> dict[str, Any]:
    """Every entry of *path* as ``pandoc --citeproc --bibliography path`` renders it."""
    document = citeproc._document([], lang=None, include_all=True)
    output, _ = citeproc._citeproc(pandoc(), document, path, style)
    return dict(citeproc._collect_bibliography(output, citeproc._quotes(None)))


def text(rich: Any) -> str:
    return ' '.join(citeproc.rich_to_text(rich).split())


@pytest.fixture(scope='module')
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp('bibdata')
    written = {
        'problems.bib': PROBLEM_BIB,
        'library.json': json.dumps(CSL_ITEMS, indent=2),
        'library.yaml': CSL_YAML,
    }
    for name, content in written.items():
        (folder / name).write_text(content, encoding='utf-8')
    return {name: folder / name for name in written}


# --------------------------------------------------------------------------- fidelity


@pytest.mark.parametrize('style_name', STYLES)
@pytest.mark.parametrize('name', ['problems.bib', 'library.json', 'library.yaml'])
def test_entries_render_as_pandoc_alone_renders_them(
    files: dict[str, Path], name: str, style_name: str
) -> None:
    style = citeproc.resolve_style(style_name, Path.cwd())
    mine, theirs = ours(files[name], style), pandoc_alone(files[name], style)
    assert len(theirs) == 3
    assert mine == theirs
    if name != 'problems.bib':
        case = citeproc.rich_to_text(mine['case2018'])
        assert '2018-01-0001' in case  # a literal date, printed as it is
        if name == 'library.yaml':
            # Markdown read with pandoc's bibliography abbreviations: a no-break space
            # after "e.g." but none after "Inc."
            assert 'e.g.\xa0' in case and 'Inc. ' in case


def test_problem_entries_read_as_biblatex_means_them(files: dict[str, Path]) -> None:
    """What the classes of difference were about, in the text a reader sees."""
    entries = {key: text(rich) for key, rich in ours(files['problems.bib'], None).items()}
    assert 'Routledge; Taylor & Francis' in entries['zotero2019']  # not "and"
    assert 'Somebody Else' not in entries['zotero2019']  # the real publisher wins
    assert 'newseries' not in entries['biblatex2003']  # the localisation key, read
    assert 'New Series' in entries['biblatex2003']
    assert 'L’Hostis' in entries['biblatex2003']
    assert 'log n' in entries['maths2011'] and '↔' in entries['maths2011']
    assert '\\' not in ''.join(entries.values())
    assert '& Friends' in entries['maths2011']  # a bare & is kept
    assert entries['maths2011'].startswith('Knuth, Donald E., and John von Neumann')


def test_pandoc_errors_are_mended(tmp_path: Path) -> None:
    r"""Where pandoc alone is wrong, the extension is not: it keeps ``\textemdash`` (pandoc
    drops it), writes "403rd series" (pandoc: "403th series") and uses a key's first
    definition, as BibTeX and biber do (pandoc: the last), with a warning."""
    path = tmp_path / 'errors.bib'
    path.write_text(
        '@book{dash, title = {Before\\textemdash after}, publisher = {P}, year = {2001}}\n'
        '@book{series, title = {Numbered}, series = {403}, publisher = {P}, year = {2002}}\n'
        '@book{twice, title = {First definition}, publisher = {P}, year = {2003}}\n'
        '@book{twice, title = {Second definition}, publisher = {P}, year = {2004}}\n',
        encoding='utf-8',
    )
    mine = {key: text(rich) for key, rich in ours(path, None).items()}
    theirs = {key: text(rich) for key, rich in pandoc_alone(path, None).items()}
    # no space either side, as TeX sets it (the capital is the style's title case)
    assert 'before—after' in mine['dash'].lower() and '—' not in theirs['dash']
    assert '403rd' in mine['series'] and '403th' in theirs['series']
    assert 'first definition' in mine['twice'].lower()
    assert 'second definition' in theirs['twice'].lower()
    (problem,) = load_bibfiles([path]).problems
    assert (problem.subtype, problem.line) == ('duplicate_key', 4)
    assert 'the first one is used' in problem.message


# --------------------------------------------------------------------------- CSL files


def test_csl_item_lines_and_dates(files: dict[str, Path]) -> None:
    for name in ('library.json', 'library.yaml'):
        database = load_bibfiles([files[name]])
        assert database.problems == ()
        lines = files[name].read_text(encoding='utf-8').splitlines()
        for key, entry in database.entries.items():
            # each item's line is where the item starts: its id is on it or just after
            assert key in ' '.join(lines[entry.line - 1 : entry.line + 1])
        fields = {key: dict(entry.fields) for key, entry in database.entries.items()}
        for entry_fields in fields.values():
            assert len(entry_fields.pop('csl-digest')) == 24  # the whole item, in short
        assert fields['report2021'] == {
            'year': '2021',
            'month': '3',
            'day': '4',
        }
        assert fields['article2019'] == {'year': '2019'}
        assert fields['case2018'] == {'date': '2018-01-0001'}


@pytest.mark.parametrize(
    ('name', 'content', 'expected'),
    [
        (
            'lib.json',
            '[\n {"id": "good", "type": "book", "title": "Good"},\n "stray",\n'
            ' {"type": "book", "title": "No id"}\n]\n',
            [(3, 'item 2 is not a mapping'), (4, 'item 3 has no "id"')],
        ),
        ('lib.json', '[\n {"id": "good", "title": "Good"}\n {"id": "b"}\n]\n', [(3, 'expected')]),
        ('lib.json', '{"id": "good"}\n', [(1, 'expected a list of items')]),
        (
            'lib.yaml',
            '---\nreferences:\n- id: good\n  type: book\n  title: Good\n- just text\n...\n',
            [(6, 'item 2 is not a mapping')],
        ),
        ('lib.yaml', 'references:\n- id: good\n  title: [unclosed\n', [(4, 'not valid CSL-YAML')]),
    ],
)
def test_bad_csl_input_is_a_problem_at_its_line(
    tmp_path: Path, name: str, content: str, expected: list[tuple[int, str]]
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding='utf-8')
    database = load_bibfiles([path])
    found = [(p.line, p.message) for p in database.problems]
    assert all(p.subtype == 'csl_syntax' and p.path == str(path) for p in database.problems)
    assert [line for line, _ in found] == [line for line, _ in expected]
    for (_, message), (_, part) in zip(found, expected, strict=True):
        assert part in message


def cites(build: Build, page: str) -> list[str]:
    soup = BeautifulSoup(build.html(page), 'html.parser')
    return [span.get_text() for span in soup.select('span.briefing-cite')]


def use_files(proj: Project, names: str) -> None:
    conf = (proj.path / 'conf.py').read_text(encoding='utf-8')
    proj.write('conf.py', conf.replace("['refs.bib']", names))


def test_csl_libraries_beside_bib_files(project: Any) -> None:
    proj = project('test-citations')
    proj.write('lib.json', json.dumps(CSL_ITEMS[:1], indent=1))
    proj.write('lib.yaml', CSL_YAML.replace('report2021', 'yamlreport'))
    use_files(proj, "['refs.bib', 'lib.json', 'lib.yaml']")
    proj.edit(
        'theme.md',
        'A hostile entry',
        'OECD {cite:p}`report2021`, {cite:p}`article2019` and {cite:t}`yamlreport`. '
        'A hostile entry',
    )
    build = proj.build()
    # The reports are dated 2021, after the panel (2019-11-20): their dates came from the
    # JSON's date-parts and from YAML's unquoted date.
    late = sorted(w.text for w in build.warnings() if w.type == 'briefing.after_event')
    assert len(late) == len(build.warnings()) == 2
    assert "'report2021' is dated 2021-03-04" in late[0]
    assert "'yamlreport' is dated 2021-03-04" in late[1]
    assert cites(build, 'theme')[-4:-1] == [
        '(Smith and OECD Secretariat 2021a)',  # told apart from the YAML's twin
        '(van Beethoven 2019)',
        'Smith and OECD Secretariat (2021b)',
    ]


def test_bad_csl_library_warns_with_file_and_line_and_keeps_the_good_items(
    project: Any,
) -> None:
    proj = project('test-citations')
    proj.write(
        'lib.json',
        '[\n {"id": "good", "type": "book", "title": "Good", "publisher": "P",'
        ' "issued": {"date-parts": [[2001]]}},\n "stray",\n'
        ' {"id": "smith2018a", "type": "book", "title": "Again"}\n]\n',
    )
    use_files(proj, "['refs.bib', 'lib.json']")
    proj.edit('theme.md', 'A hostile entry', 'See {cite:p}`good`. A hostile entry')
    build = proj.build()
    found = sorted((w.type, w.file, w.line) for w in build.warnings())
    assert found == [
        ('briefing.csl_syntax', 'lib.json', 3),
        ('briefing.duplicate_key', 'lib.json', 4),
    ]
    # pandoc rejects the whole file for the stray string; the good item is read alone
    assert '(Good 2001)' in cites(build, 'theme')


# --------------------------------------------------------------------------- styles


def test_built_in_styles_ship_with_their_licence() -> None:
    folder = Path(citeproc.__file__).parent.parent / 'styles'
    notice = (folder / 'NOTICE.md').read_text(encoding='utf-8')
    assert 'Creative Commons Attribution-ShareAlike 3.0' in notice
    shipped = {path.name for path in folder.glob('*.csl')}
    assert shipped == set(citeproc.BUILTIN_STYLES.values())
    ns = '{http://purl.org/net/xbiblio/csl}'
    for name, file in citeproc.BUILTIN_STYLES.items():
        path = citeproc.resolve_style(name, Path.cwd())
        assert path == folder / file
        assert file in notice
        root = ET.parse(path).getroot()
        rights = root.find(f'{ns}info/{ns}rights')
        assert rights is not None and 'by-sa/3.0' in rights.get('license', '')
        # independent: a dependent style would need its parent, which is not shipped
        assert root.find(f'{ns}citation') is not None


@pytest.mark.parametrize('name', ['harvard', 'mla', 'vancouver', 'oscola'])
def test_built_in_styles_render_as_pandoc_alone(files: dict[str, Path], name: str) -> None:
    style = citeproc.resolve_style(name, Path.cwd())
    assert ours(files['library.json'], style) == pandoc_alone(files['library.json'], style)


def test_a_built_in_style_by_its_short_name_in_a_build(project: Any) -> None:
    proj = project('test-citations')
    build = proj.build(briefing_citation_style='vancouver')
    assert build.warnings() == []
    # numeric, numbered by first citation; this style prints no locator; cite:t names
    # the author before the number, as sphinxcontrib-bibtex does
    assert cites(build, 'theme')[:3] == ['(see 1)', 'Smith (2)', '(2,3)']


def test_tex_maths_and_greek_in_titles_compile_to_pdf(project: Any) -> None:
    """TeX maths in a title is printed as the text pandoc makes of it (not its source), and
    that text, like Greek typed in UTF-8, compiles with pdflatex."""
    from test_pdf import TEX_TOOLS, compile_all, pdf_text, require_tools

    require_tools(*TEX_TOOLS)
    proj = project('test-citations')
    proj.write(
        'more.bib',
        '@article{maths, author = {Knuth, Donald}, title = {On $\\log n$ and $a \\leftrightarrow b$'
        ' for β-carotene}, journal = {J}, year = {2011}}\n',
    )
    use_files(proj, "['refs.bib', 'more.bib']")
    proj.edit('theme.md', 'A hostile entry', 'Maths {cite:p}`maths`. A hostile entry')
    build = proj.build('latex')
    assert build.warnings() == []
    tex = next(build.outdir.glob('*.tex'))
    assert '\\log' not in tex.read_text(encoding='utf-8').split('\\begin{document}')[1]
    # (compile_all fails the test with the log's error when a PDF cannot be made)
    text = pdf_text(compile_all(build.outdir)[tex.stem])
    entry = next(line for line in text.splitlines() if line.startswith('Knuth'))
    assert 'On log n and a ↔ b for' in entry
    assert '-Carotene' in entry and ('β' in entry or '𝛽' in entry)  # set as mathematics


@pytest.mark.parametrize('name', ['lib.json', 'lib.yml'])
def test_editing_a_csl_library_rewrites_what_cites_it(project: Any, name: str) -> None:
    proj = project('test-citations')
    if name.endswith('.json'):
        proj.write(name, json.dumps(CSL_ITEMS, indent=1))
    else:
        proj.write(name, CSL_YAML)
    use_files(proj, f"['refs.bib', '{name}']")
    proj.edit('theme.md', 'A hostile entry', 'Ports {cite:p}`article2019`. A hostile entry')
    first = proj.build()
    assert first.warnings() == []
    proj.edit(name, 'Maritime Policy', 'Maritime Strategy')
    build = proj.build()
    assert build.read == []  # a library is not a source: nothing is re-read
    assert 'theme' in build.written
    soup = BeautifulSoup(build.html('theme'), 'html.parser')
    listed = soup.select('div.briefing-bibliography p.briefing-bib-entry')
    assert any('Maritime Strategy' in p.get_text() for p in listed)
    assert not any('Maritime Policy' in p.get_text() for p in listed)
