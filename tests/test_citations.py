"""Citations in Sphinx: roles as in sphinxcontrib-bibtex, bibliographies in place, both
ways links, styles, the "facts as of" check, bad and hostile input, caching."""

from __future__ import annotations

import json
import pickle
import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import ROOTS, Build, Project


def line_of(proj: Project, name: str, text: str) -> int:
    lines = (proj.path / name).read_text(encoding='utf-8').splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def soup(build: Build, page: str) -> BeautifulSoup:
    return BeautifulSoup(build.html(page), 'html.parser')


def cites(build: Build, page: str) -> list[str]:
    return [span.get_text() for span in soup(build, page).select('span.briefing-cite')]


def entries(build: Build, page: str, index: int = 0) -> list[str]:
    bibliography = soup(build, page).select('div.briefing-bibliography')[index]
    return [
        p.get_text(' ', strip=True).split(' ↩')[0]
        for p in bibliography.select('p.briefing-bib-entry')
    ]


@pytest.fixture
def cited(project: Any) -> tuple[Project, Build]:
    proj = project('test-citations')
    build = proj.build()
    assert build.warnings() == []
    return proj, build


def test_roles_render_in_chicago_author_date(cited: tuple[Project, Build]) -> None:
    _proj, build = cited
    assert cites(build, 'theme') == [
        '(see United States Congress 2018, sec. 1703)',
        'Smith (2018b)',
        '(Smith 2018b, 2018a)',  # the same author's two 2018 papers are told apart
        'Müller et al. (2019)',  # cite:ct, capitalised
        '(Müller, Dupont, and Neumann 2019)',  # cite:ps lists every author
        '(Smith 2018a)',
        '(World Trade Organization 2019)',  # a position's :sources:
        '(Evil 2017)',
    ]


def test_citations_link_to_entries_and_entries_link_back(cited: tuple[Project, Build]) -> None:
    _proj, build = cited
    page = soup(build, 'theme')
    first = page.select_one('span.briefing-cite a')
    # The theme page has its own bibliography (filter: docname in docnames): links stay here.
    assert first['href'] == '#bibliography-theme-0-firrma2018'
    entry = page.select_one('#bibliography-theme-0-firrma2018').parent
    assert entry.select_one('span.briefing-cited-in a')['href'] == '#cite-theme-0'
    # On a page without its own bibliography, a citation links to the first one.
    proj, _ = cited
    proj.write('other.md', '---\norphan: true\n---\n# Other\n\nSee {cite:p}`smith2018b`.\n')
    build = proj.build()
    link = soup(build, 'other').select_one('span.briefing-cite a')['href']
    assert link == 'theme.html#bibliography-theme-0-smith2018b'


def test_bibliographies_in_place_with_their_scopes(cited: tuple[Project, Build]) -> None:
    _proj, build = cited
    cited_keys = [
        'Evil, Eve. 2017.',
        'Müller, Jörg, Émile Dupont, and John von Neumann. 2019.',
        'Smith, John. 2018a.',
        'Smith, John. 2018b.',
        'United States Congress. 2018.',
        'World Trade Organization. 2019.',
    ]

    def starts(texts: list[str]) -> list[str]:
        return [
            next(k for k in [*cited_keys, 'European Commission. 2020.'] if t.startswith(k))
            for t in texts
        ]

    assert starts(entries(build, 'sources', 0)) == cited_keys
    assert starts(entries(build, 'sources', 1)) == ['European Commission. 2020.', *cited_keys]
    assert starts(entries(build, 'sources', 2)) == [
        'Smith, John. 2018a.',
        'World Trade Organization. 2019.',
    ]
    assert starts(entries(build, 'theme')) == cited_keys
    # Several bibliographies: each entry has its own anchor, no duplicate ids, no warnings.
    ids = [tag['id'] for tag in soup(build, 'sources').select('[id]')]
    assert len(ids) == len(set(ids))
    full = entries(build, 'sources', 0)[3]
    assert (
        full
        == 'Smith, John. 2018b. “Screening Foreign Investment: FDI and the EU.” Journal of Trade 12: 1–20.'
    )


def test_hostile_bib_text_is_escaped_and_never_a_javascript_link(
    cited: tuple[Project, Build],
) -> None:
    _proj, build = cited
    html = build.html('sources')
    assert 'href="javascript' not in html
    assert 'javascript:alert(1)' in BeautifulSoup(html, 'html.parser').get_text()
    links = [
        a['href']
        for a in soup(build, 'sources').select('div.briefing-bibliography a.reference.external')
    ]
    assert links and all(re.match(r'https?://', href) for href in links)
    assert 'https://doi.org/10.1000/xyz123' in links


def test_style_switches_with_one_line(project: Any) -> None:
    proj = project('test-citations')
    build = proj.build(briefing_citation_style='ieee')
    assert build.warnings() == []
    # Numeric: numbered by first citation, in the text and in the bibliography; cite:t
    # names the author before the number, as sphinxcontrib-bibtex does.
    assert cites(build, 'theme')[:3] == ['see [1, Sec. 1703]', 'Smith [2]', '[2], [3]']
    assert entries(build, 'sources', 0)[0].startswith('[1] United States Congress')
    build = proj.build(briefing_citation_style='apa')
    assert cites(build, 'theme')[0] == '(see United States Congress, 2018, Section 1703)'


def test_unknown_style_warns_and_falls_back(project: Any) -> None:
    build = project('test-citations').build(briefing_citation_style='no-such-style')
    (warning,) = build.warnings()
    assert warning.type == 'briefing.unknown_style'
    assert warning.file == 'conf.py'  # given with -D: no line of conf.py sets it
    assert cites(build, 'theme')[1] == 'Smith (2018b)'


def test_source_after_the_panel_date_warns(project: Any) -> None:
    proj = project('test-citations')
    proj.edit(
        'theme.md', 'A hostile entry', 'The 2020 toolbox {cite:p}`later2020`. A hostile entry'
    )
    (warning,) = proj.build().warnings()
    line = line_of(proj, 'theme.md', 'The 2020 toolbox')
    assert (warning.type, warning.file, warning.line) == ('briefing.after_event', 'theme.md', line)
    assert "'later2020' is dated 2020-01-29, after panel 'p1' on 2019-11-20" in warning.text


def test_bad_bib_input(project: Any) -> None:
    proj = project('test-citations')
    proj.write(
        'more.bib',
        '@misc{broken,\n  title = {Unclosed\n\n@misc{fine, title = {Fine}, year = {2001}}\n@misc{smith2018b, title = {Again}}\n',
    )
    proj.write(
        'conf.py',
        (proj.path / 'conf.py')
        .read_text()
        .replace("['refs.bib']", "['refs.bib', 'more.bib', 'missing.bib']"),
    )
    proj.edit(
        'theme.md', 'A hostile entry', 'See {cite:p}`fine` and {cite:p}`nokey`. A hostile entry'
    )
    build = proj.build()
    found = sorted((w.type, w.file, w.line) for w in build.warnings())
    assert found == [
        ('briefing.bib_syntax', 'more.bib', 1),
        ('briefing.duplicate_key', 'more.bib', 5),
        ('briefing.missing_bibfile', 'conf.py', line_of(proj, 'conf.py', 'bibtex_bibfiles')),
        ('briefing.unknown_citation', 'theme.md', line_of(proj, 'theme.md', '`nokey`')),
    ]
    missing = next(w for w in build.warnings() if w.type == 'briefing.missing_bibfile')
    assert 'missing.bib' in missing.text
    assert '(Fine 2001)' in ''.join(cites(build, 'theme')) or '(“Fine” 2001)' in ''.join(
        cites(build, 'theme')
    )
    assert '[nokey]' in cites(build, 'theme')


def test_sphinxcontrib_bibtex_pages_build_unchanged(project: Any) -> None:
    """A page written for sphinxcontrib-bibtex: its roles, pre/post notes, the
    bibliography directive with its options."""
    proj = project('test-citations')
    proj.write(
        'bibtex.md',
        '---\norphan: true\n---\n# Bibtex\n\n'
        'As {cite:t}`smith2018a` shows {cite:p}`{see}smith2018b{p. 12}`; also {cite:alp}`firrma2018`,\n'
        '{cite:author}`smith2018a`, {cite:year}`smith2018a`, {cite:yearpar}`smith2018a`{cite:empty}`wto2019`.\n\n'
        '```{bibliography}\n:filter: docname in docnames\n```\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert cites(build, 'bibtex') == [
        'Smith (2018b)',
        '(see Smith 2018a, 12)',
        'United States Congress 2018',
        'Smith',
        '2018b',
        '(2018b)',
        '',
    ]
    assert len(entries(build, 'bibtex')) == 4  # the :empty: citation is listed too


def test_question_index_and_matrix_show_sources(cited: tuple[Project, Build]) -> None:
    proj, _build = cited
    proj.write(
        'index2.md',
        '---\norphan: true\n---\n# I\n\n```{question-index}\n```\n\n```{position-matrix}\n:panel: p1\n```\n',
    )
    build = proj.build()
    page = soup(build, 'index2')
    row = page.select_one(
        'table.briefing-question-index tbody tr:not(.briefing-group-row, .briefing-panel-row, .briefing-topic-positions-row)'
    )
    assert '(World Trade Organization 2019)' in row.get_text()
    # the matrix: a marker in the cell, the sources under the table
    assert page.select_one('table.briefing-position-matrix sup').get_text() == '1'
    assert (
        '(World Trade Organization 2019)'
        in page.select_one('ol.briefing-matrix-sources').get_text()
    )


def test_export_lists_citations(cited: tuple[Project, Build]) -> None:
    _proj, build = cited
    data = json.loads((build.outdir / 'briefing.json').read_text(encoding='utf-8'))
    first = data['citations'][0]
    assert first == {
        'keys': ['firrma2018'],
        'mode': 'p',
        'prefix': 'see',
        'suffix': 'sec. 1703',
        'text': '(see United States Congress 2018, sec. 1703)',
        'location': {
            'document': 'theme',
            'anchor': 'cite-theme-0',
            'line': 3,
            'uri': 'theme.html#cite-theme-0',
        },
    }
    assert len(data['citations']) == 7  # the roles; a position's sources are in the position


def test_latex_bibliography_stays_in_place(project: Any) -> None:
    build = project('test-citations').build('latex')
    assert build.warnings() == []
    tex = next(build.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert r'\begin{thebibliography}' not in tex
    # The theme's reading list comes before the Sources chapter, where it was written.
    assert tex.index('Reading for this theme') < tex.index('Everything compiled')
    labels = set(re.findall(r'\\label\{\\detokenize\{([^}]*)\}\}', tex))
    targets = set(re.findall(r'\\hyperref\[\\detokenize\{([^}]*)\}\]', tex))
    assert 'theme:bibliography-theme-0-firrma2018' in targets
    assert targets <= labels, targets - labels
    assert r'100\% \& More' in tex
    assert (
        'javascript' not in tex.split('javascript:alert(1)')[0][-200:]
        or r'\url{javascript' not in tex
    )
    assert r'\href{javascript' not in tex and r'\url{javascript' not in tex


def test_no_op_build_neither_parses_nor_formats(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sphinx_briefing.citations import bibtex as bib
    from sphinx_briefing.citations import step as citestep

    proj = project('test-citations')
    proj.build()
    calls = {'parse': 0, 'format': 0, 'find pandoc': 0}
    real_parse, real_format = bib._parse_bibtex, citestep.format_citations
    real_pandoc_path = citestep._pandoc_path

    def counting_pandoc_path() -> str:
        calls['find pandoc'] += 1
        return real_pandoc_path()

    monkeypatch.setattr(citestep, '_pandoc_path', counting_pandoc_path)

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        calls['parse'] += 1
        return real_parse(*args, **kwargs)

    def counting_format(*args: Any, **kwargs: Any) -> Any:
        calls['format'] += 1
        return real_format(*args, **kwargs)

    monkeypatch.setattr(bib, '_parse_bibtex', counting_parse)
    monkeypatch.setattr(citestep, 'format_citations', counting_format)
    build = proj.build()
    assert build.read == []
    # nothing read: no pandoc started early either, nor looked for
    assert calls == {'parse': 0, 'format': 0, 'find pandoc': 0}
    # Editing a question's text leaves the citations alone: still no formatting.
    proj.edit('theme.md', 'Does screening work', 'Does screening really work')
    build = proj.build()
    assert build.read == ['theme']
    assert calls['parse'] == calls['format'] == 0


def test_the_citation_cache_is_a_file_of_its_own_and_only_a_cache(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sphinx_briefing.citations import step as citestep

    proj = project('test-citations')
    first = proj.build()
    expected = cites(first, 'theme')
    assert 'citation_cache' not in first.app.env.domaindata['briefing']
    cache_file = proj.path / '_build' / 'doctrees' / citestep.CitationCache.FILE_NAME
    assert citestep.CitationCache.load(cache_file.parent).formatted is not None
    # A build whose citations did not change does not write it again.
    saved = cache_file.stat().st_mtime_ns
    proj.edit('theme.md', 'Does screening work', 'Does screening really work')
    proj.build()
    assert cache_file.stat().st_mtime_ns == saved

    formatted: list[int] = []
    real_format = citestep.format_citations
    monkeypatch.setattr(
        citestep,
        'format_citations',
        lambda *args, **kwargs: formatted.append(1) or real_format(*args, **kwargs),
    )
    # Damaged, of another version, missing: the citations are formatted again, the same.
    for damage in (b'not a pickle', pickle.dumps((0, citestep.CitationCache())), None):
        if damage is None:
            cache_file.unlink()
        else:
            cache_file.write_bytes(damage)
        proj.edit('theme.md', 'Does screening', 'Does screening')  # read again
        build = proj.build()
        assert build.warnings() == []
        assert cites(build, 'theme') == expected
        assert citestep.CitationCache.load(cache_file.parent).formatted is not None
    assert len(formatted) == 3


def test_editing_the_bib_rewrites_what_cites_it(project: Any) -> None:
    proj = project('test-citations')
    proj.build()
    proj.edit(
        'refs.bib',
        'Export Controls after {Wassenaar}',
        'Export Controls after the {Wassenaar} Arrangement',
    )
    build = proj.build()
    assert build.read == []  # nothing is re-read: the .bib is not a source
    assert {'theme', 'sources'} <= set(build.written)
    assert any('Wassenaar Arrangement' in e for e in entries(build, 'sources'))


def test_numeric_renumbering_rewrites_other_pages(project: Any) -> None:
    proj = project('test-citations')
    proj.write(
        'conf.py', (proj.path / 'conf.py').read_text() + "briefing_citation_style = 'ieee'\n"
    )
    proj.build()
    # A new first citation, in a page read before the theme: every number shifts.
    proj.edit(
        'index.md', ':::\n\n```{toctree}', ':::\n\nSee {cite:p}`mueller2019`.\n\n```{toctree}'
    )
    build = proj.build()
    assert build.read == ['index']
    assert 'theme' in build.written
    assert cites(build, 'theme')[0] == 'see [2, Sec. 1703]'


def test_citations_in_restructuredtext(project: Any) -> None:
    proj = project()
    (proj.path / 'refs.bib').write_text(
        (ROOTS / 'test-citations' / 'refs.bib').read_text(encoding='utf-8'), encoding='utf-8'
    )
    proj.write('conf.py', "extensions = ['sphinx_briefing']\nbriefing_bibfiles = ['refs.bib']\n")
    proj.write(
        'index.rst',
        'Sources\n=======\n\nAs :cite:t:`smith2018a` shows :cite:p:`{see}smith2018b{p. 12}`.\n\n'
        '.. position:: p\n   :actor: EU\n   :stance: mixed\n   :sources: wto2019\n\n   Mixed.\n\n'
        '.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert cites(build, 'index') == [
        'Smith (2018b)',
        '(see Smith 2018a, 12)',
        '(World Trade Organization 2019)',
    ]
    assert len(entries(build, 'index')) == 3


def test_hostile_bib_fields_compile_to_pdf(project: Any) -> None:
    """LaTeX specials in every field of a .bib entry ($, _, #, %, &, ~, ^, braces, a
    backslash) must never break the PDF."""
    from conftest import require_tool

    for tool in ('latexmk', 'pdflatex', 'pdftotext'):
        require_tool(tool, 'BRIEFING_REQUIRE_LATEX')
    import subprocess

    proj = project('test-citations')
    proj.write(
        'more.bib',
        "@misc{evil2,\n  author = {{R\\&D} {\\#}1 Team and O'Neil, Ann_e},\n"
        '  title = {50\\% off: a ~ b ^ c {\\textbackslash}d $\\alpha$ 1_2 {#}x [y] <z> "q"},\n'
        '  howpublished = {\\url{https://example.org/a_b%20c#frag~x}},\n  year = {2019},\n'
        '  note = {See {\\&} also: \\_\\{\\}}\n}\n',
    )
    proj.write(
        'conf.py',
        (proj.path / 'conf.py').read_text().replace("['refs.bib']", "['refs.bib', 'more.bib']"),
    )
    proj.edit('theme.md', 'A hostile entry', 'Another {cite:p}`evil2`. A hostile entry')
    build = proj.build('latex')
    assert build.warnings() == []
    tex = next(build.outdir.glob('*.tex'))
    result = subprocess.run(
        ['latexmk', '-pdf', '-interaction=nonstopmode', '-halt-on-error', tex.name],
        cwd=build.outdir,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, tex.with_suffix('.log').read_text(errors='replace')[-2000:]
    text = subprocess.run(
        ['pdftotext', str(tex.with_suffix('.pdf')), '-'], capture_output=True, text=True, check=True
    ).stdout
    assert '50% Off' in text or '50% off' in text
    assert 'javascript' in text  # the hostile url of refs.bib, as text


BRIEF_BIB = """\
@book{zed2018, author = {Zed, Zoe}, title = {Last by Name}, publisher = {P}, year = {2018}}
@book{adams2017, author = {Adams, Abe}, title = {First by Name}, publisher = {P},
  year = {2017}}
@book{moss2016, author = {Moss, Max}, title = {Between}, publisher = {P}, year = {2016}}
"""


@pytest.mark.parametrize(
    ('style', 'expected'),
    [
        # author-date: the bibliography sorted by author
        ('chicago-author-date', ['Adams', 'Moss', 'Zed']),
        # numeric: in citing order, as numbered
        ('ieee', ['Zed', 'Adams', 'Moss']),
    ],
)
def test_brief_lists_its_sources_in_the_style_order(
    project: Any, style: str, expected: list[str]
) -> None:
    proj = project()
    proj.write(
        'conf.py',
        "extensions = ['myst_parser', 'sphinx_briefing']\nmyst_enable_extensions = ['colon_fence']\n"
        f"briefing_bibfiles = ['refs.bib']\nbriefing_citation_style = {style!r}\n",
    )
    proj.write('refs.bib', BRIEF_BIB)
    proj.write(
        'index.md',
        '# Book\n\n:::{panel} p1\n:title: Panel one\n:date: 2019-11-20\n:panellists: ana\n:::\n\n'
        ':::{participant} ana\n:name: Ana\n:::\n\n'
        ':::{question} q1\n:to: ana\n\nWhy {cite:p}`zed2018`, then {cite:p}`adams2017`?\n:::\n\n'
        ':::{position}\n:question: q1\n:actor: EU\n:stance: mixed\n:sources: moss2016, zed2018\n\n'
        'Hesitant.\n:::\n\n```{panellist-brief} ana\n```\n',
    )
    build = proj.build()
    assert build.warnings() == []
    brief = soup(build, 'index').select_one('div.briefing-panellist-brief')
    listed = [p.get_text(' ', strip=True) for p in brief.select('p.briefing-bib-entry')]
    assert [next(name for name in expected if name in entry) for entry in listed] == expected


def test_pandoc_reads_the_bib_while_the_documents_are_read_and_only_once(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The .bib's pandoc process starts before the first document is read and the step
    takes its references; a later build whose .bib did not change starts none."""
    from sphinx_briefing.citations import reader

    events: list[str] = []

    class CountedRun(reader.PandocRun):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            events.append('pandoc')
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(reader, 'PandocRun', CountedRun)
    proj = project('test-citations')
    real_build = proj.make_app

    def make_app(*args: Any, **kwargs: Any) -> Any:
        app = real_build(*args, **kwargs)
        app.connect('source-read', lambda app, docname, source: events.append(docname))
        return app

    proj.make_app = make_app
    first = proj.build()
    assert events[0] == 'pandoc' and events.count('pandoc') == 1, events
    assert sorted(events[1:]) == sorted(first.read)
    assert 'Müller et al. (2019)' in cites(first, 'theme')  # its references reached the page
    events.clear()
    proj.edit('theme.md', 'Does screening work', 'Does screening really work')
    assert proj.build().read == ['theme']
    assert events == ['theme']
