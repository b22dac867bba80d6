"""sphinxcontrib-bibtex's documented syntax, all of it: its roles, ``footcite`` and
``footbibliography``, the ``bibliography`` directive's arguments and options, its
configuration values and pybtex's style names. Each test project is one of the examples
its documentation gives (written here, not copied), built with no warning, showing what
that documentation says it shows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import MYST_CONF, RST_CONF, Build, Project

from sphinx_briefing.citations.compat import (
    EntryFacts,
    FilterError,
    csl_for,
    matches,
    parse_filter,
)

BIB = """\
@book{1987:nelson,
  author = {Edward Nelson},
  title = {Radically Elementary Probability Theory},
  publisher = {Princeton University Press},
  year = {1987}
}

@article{einstein1905,
  author = {Einstein, Albert},
  title = {Zur Elektrodynamik bewegter K{\\"o}rper},
  journal = {Annalen der Physik},
  volume = {17},
  pages = {891--921},
  year = {1905}
}

@book{einstein1916,
  author = {Einstein, Albert},
  title = {Relativity: The Special and the General Theory},
  publisher = {Henry Holt},
  year = {1916}
}

@article{2001:schechter,
  author = {Schechter, Eric and Smith, Ann and Jones, Bo},
  title = {Constructivism is Difficult},
  journal = {American Mathematical Monthly},
  volume = {108},
  pages = {50--54},
  year = {2001}
}
"""

BOOKS = """\
@book{boole1854,
  author = {Boole, George},
  title = {An Investigation of the Laws of Thought},
  publisher = {Walton and Maberly},
  year = {1854}
}
"""


def rst_project(proj: Project, conf: str = '', bibfiles: str = "['refs.bib']") -> None:
    proj.write('conf.py', RST_CONF + f'bibtex_bibfiles = {bibfiles}\n' + conf)
    proj.write('refs.bib', BIB)


def page(build: Build, name: str = 'index') -> BeautifulSoup:
    return BeautifulSoup(build.html(name), 'html.parser')


def text(element: Any) -> str:
    return ' '.join(element.get_text(' ').split())


def paragraphs(build: Build, name: str = 'index') -> list[str]:
    """The body's paragraphs, footnote marks written "[n]"."""
    soup = page(build, name)
    for mark in soup.select('a.footnote-reference'):
        mark.replace_with(f'[{mark.get_text(strip=True).strip("[]")}]')
    return [
        ' '.join(p.get_text().split())
        for p in soup.select('section p')
        if not p.find_parent('aside')
        and not p.find_parent(class_='briefing-bibliography')
        and 'rubric' not in p.get('class', ())
    ]


def bibliography(build: Build, index: int = 0, name: str = 'index') -> list[str]:
    """The entries of a page's *index*-th bibliography, without the links back."""
    found = page(build, name).select('div.briefing-bibliography')[index]
    return [text(entry).split(' ↩')[0] for entry in found.select('p.briefing-bib-entry')]


def footnotes(build: Build, name: str = 'index') -> list[str]:
    return [text(aside.find('p')) for aside in page(build, name).select('aside.footnote')]


# --------------------------------------------------------------------------- quickstart


def test_minimal_example_with_our_default_style(project: Any) -> None:
    """The quickstart's page and conf.py (with our extension's name): textual and
    parenthetical citations and the bibliography, in Chicago author-date."""
    proj = project()
    rst_project(proj)
    proj.write(
        'index.rst',
        'Minimal\n=======\n\n'
        'See :cite:t:`1987:nelson` for an introduction to non-standard analysis.\n'
        'Non-standard analysis is fun :cite:p:`1987:nelson`.\n\n'
        '.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == (
        'See Nelson (1987) for an introduction to non-standard analysis. '
        'Non-standard analysis is fun (Nelson 1987).'
    )
    assert bibliography(build) == [
        'Nelson, Edward. 1987. Radically Elementary Probability Theory . '
        'Princeton University Press.'
    ]


def test_minimal_example_in_sphinxcontrib_bibtex_default_style(project: Any) -> None:
    """``bibtex_default_style = 'alpha'`` (sphinxcontrib-bibtex's default, written out):
    "See Nelson [Nel87] …" as its documentation shows, the label as CSL makes it."""
    proj = project()
    rst_project(proj, "bibtex_default_style = 'alpha'\n")
    proj.write(
        'index.rst',
        'Minimal\n=======\n\n'
        'See :cite:t:`1987:nelson` for an introduction to non-standard analysis.\n'
        'Non-standard analysis is fun :cite:p:`1987:nelson`.\n\n'
        '.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    first = paragraphs(build)[0]
    match = re.fullmatch(
        r'See Nelson \[(Nel\w*87)\] for an introduction to non-standard analysis\. '
        r'Non-standard analysis is fun \[(Nel\w*87)\]\.',
        first,
    )
    assert match is not None, first
    assert match[1] == match[2]
    assert bibliography(build)[0].startswith(f'[{match[1]}] Nelson, Edward')


@pytest.mark.parametrize(
    ('style', 'first', 'order'),
    [
        # plain: numbered, sorted by author
        ('plain', '[2]', ['Einstein', 'Nelson']),
        # unsrt: numbered in citing order
        ('unsrt', '[1]', ['Nelson', 'Einstein']),
    ],
)
def test_pybtex_styles_number_as_pybtex_does(
    project: Any, style: str, first: str, order: list[str]
) -> None:
    proj = project()
    rst_project(proj, f'bibtex_default_style = {style!r}\n')
    proj.write(
        'index.rst',
        'Styles\n======\n\nFirst :cite:p:`1987:nelson`, then :cite:p:`einstein1905`.\n\n'
        '.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0].startswith(f'First {first}')
    entries = bibliography(build)
    assert [next(name for name in order if name in entry) for entry in entries] == order


def test_reference_style_author_year(project: Any) -> None:
    proj = project()
    rst_project(proj, "bibtex_default_style = 'plain'\nbibtex_reference_style = 'author_year'\n")
    proj.write('index.rst', 'Styles\n======\n\n:cite:t:`1987:nelson`.\n\n.. bibliography::\n')
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == 'Nelson (1987).'


def test_style_mapping() -> None:
    assert csl_for('alpha') == 'american-mathematical-society-label'
    assert csl_for('unsrtalpha', 'label') == 'american-mathematical-society-label'
    assert csl_for('plain') == 'association-for-computing-machinery'
    assert csl_for('unsrt') == 'ieee'
    assert csl_for('plain', 'author_year_round') == 'chicago-author-date'
    assert csl_for('unsrt', 'super') == 'american-medical-association'
    assert csl_for('', 'foot') == 'chicago-notes-bibliography'
    assert csl_for('apa') == 'apa'  # a CSL name stays one


def test_directive_style_option(project: Any) -> None:
    """``:style: unsrt`` on the bibliography, nothing in conf.py."""
    proj = project()
    rst_project(proj)
    proj.write(
        'index.rst',
        'Styles\n======\n\n:cite:p:`1987:nelson` and :cite:p:`einstein1905`.\n\n'
        '.. bibliography::\n   :style: unsrt\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == '[1] and [2].'
    assert bibliography(build)[0].startswith('[1] E. Nelson')


# --------------------------------------------------------------------------- roles


ROLE_RESULTS = {
    # author-date (our default): what each documented role shows for 1987:nelson
    'p': '(Nelson 1987)',
    'ps': '(Nelson 1987)',
    'cp': '(Nelson 1987)',
    't': 'Nelson (1987)',
    'ct': 'Nelson (1987)',
    'alp': 'Nelson 1987',
    'calp': 'Nelson 1987',
    'alt': 'Nelson 1987',
    'author': 'Nelson',
    'cauthor': 'Nelson',
    'authorpar': '(Nelson)',
    'year': '1987',
    'yearpar': '(1987)',
    'label': 'Nelson 1987',
    'labelpar': '(Nelson 1987)',
    'text': 'Nelson, Edward. 1987. Radically Elementary Probability Theory. '
    'Princeton University Press.',
}


def test_every_documented_role(project: Any) -> None:
    proj = project()
    rst_project(proj)
    rows = ''.join(f'* {form}: :cite:{form}:`1987:nelson`\n' for form in ROLE_RESULTS)
    proj.write(
        'index.rst',
        f'Roles\n=====\n\n{rows}* short: :cite:`1987:nelson`\n* empty: :cite:empty:`einstein1905`\n'
        '* three: :cite:ts:`2001:schechter` / :cite:t:`2001:schechter` / '
        ':cite:cauthors:`2001:schechter`\n\n.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    # as read: no separator between the inline elements a citation is made of
    items = [' '.join(li.get_text().split()) for li in page(build).select('section li')]
    shown = {name: value.strip() for name, value in (item.split(':', 1) for item in items)}
    for form, expected in ROLE_RESULTS.items():
        assert shown[form] == expected, form
    assert shown['short'] == '(Nelson 1987)'  # :cite: is cite:p
    assert shown['empty'] == ''  # nothing shown ...
    assert any('Einstein' in entry for entry in bibliography(build))  # ... but listed
    assert shown['three'] == (
        'Schechter, Smith, and Jones (2001) / Schechter et al. (2001) / Schechter, Smith, and Jones'
    )


def test_pre_and_post_notes_with_en_dashes(project: Any) -> None:
    proj = project()
    rst_project(proj)
    proj.write(
        'index.rst',
        'Notes\n=====\n\n:cite:p:`{see}1987:nelson{pp. 3--5}` and :cite:t:`einstein1905{p. 891---}`.\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == '(see Nelson 1987, 3–5) and Einstein (1905, 891—).'


def test_keys_starting_with_digits_link_to_their_own_entries(project: Any) -> None:
    proj = project()
    proj.write('conf.py', RST_CONF + "bibtex_bibfiles = ['refs.bib']\n")
    proj.write(
        'refs.bib',
        '@article{10.2307/25619751, author = {Doe, Jane}, title = {One}, journal = {J},'
        ' year = {2001}}\n'
        '@article{0982mt, author = {Roe, Max}, title = {Two}, journal = {J}, year = {1982}}\n'
        '@article{1982mt, author = {Poe, Ed}, title = {Three}, journal = {J}, year = {1982}}\n',
    )
    proj.write(
        'index.rst',
        'Digits\n======\n\n:cite:p:`10.2307/25619751`, :cite:p:`0982mt`, :cite:p:`1982mt`.\n\n'
        '.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    soup = page(build)
    targets = [link['href'] for link in soup.select('span.briefing-cite a')]
    assert len(targets) == 3 and len(set(targets)) == 3
    for target, name in zip(targets, ('Doe', 'Roe', 'Poe'), strict=True):
        entry = soup.find(id=target.lstrip('#')).find_parent('p')
        assert text(entry).startswith(name)


# --------------------------------------------------------------------------- footnotes


FOOT_PAGE = (
    'Foot\n====\n\n'
    'See :footcite:t:`1987:nelson` for an introduction to non-standard analysis.\n'
    'Non-standard analysis is fun\\ :footcite:p:`1987:nelson`.\n\n'
    '.. footbibliography::\n'
)


def test_footcite_example(project: Any) -> None:
    """ "See Nelson[1] for an introduction … fun[1]." and one footnote: the entry."""
    proj = project()
    rst_project(proj)
    proj.write('index.rst', FOOT_PAGE)
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == (
        'See Nelson[1] for an introduction to non-standard analysis. '
        'Non-standard analysis is fun[1].'
    )
    assert footnotes(build) == [
        'Nelson, Edward. 1987. Radically Elementary Probability Theory . '
        'Princeton University Press.'
    ]


def test_footcite_forms_and_footbibliography_places(project: Any) -> None:
    """footcite:ts lists every author; :footcite: is footcite:p; each footbibliography
    holds the footnotes of the citations before it; the header above each."""
    proj = project()
    rst_project(proj, "bibtex_footbibliography_header = '.. rubric:: Citations'\n")
    proj.write(
        'index.rst',
        'Foot\n====\n\n'
        ':footcite:ts:`2001:schechter` and :footcite:ct:`1987:nelson,einstein1905`.\n\n'
        '.. footbibliography::\n\n'
        'Later\n-----\n\nAgain\\ :footcite:`einstein1916`.\n\n'
        '.. footbibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[:2] == [
        'Schechter, Smith, and Jones[1] and Nelson[2] and Einstein[3].',
        'Again[4].',
    ]
    soup = page(build)
    places = soup.select('div.briefing-footbibliography')
    assert [text(place.select_one('p.rubric')) for place in places] == ['Citations'] * 2
    assert [len(place.select('aside.footnote')) for place in places] == [3, 1]


def test_footcite_in_latex_is_a_footnote(project: Any) -> None:
    proj = project()
    rst_project(proj)
    proj.write('index.rst', FOOT_PAGE)
    build = proj.build('latex')
    assert build.warnings() == []
    tex = next(build.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert re.search(r'Nelson\}?%?\n\\begin\{footnote\}\[1\]', tex)
    assert 'Radically Elementary Probability Theory' in tex.split(r'\begin{footnote}[1]')[1]
    assert r'fun\sphinxfootnotemark[1].' in tex  # the second citation of the same work


def test_footcite_in_myst(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF + "bibtex_bibfiles = ['refs.bib']\n")
    proj.write('refs.bib', BIB)
    proj.write(
        'index.md',
        '# Foot\n\nSee {footcite:t}`1987:nelson` and {footcite:p}`einstein1905`.\n\n'
        '```{footbibliography}\n```\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == 'See Nelson[1] and [2].'  # the space as written
    assert len(footnotes(build)) == 2


# --------------------------------------------------------------------------- bibliography


def test_bibliographies_per_bib_file(project: Any) -> None:
    """``.. bibliography:: articles.bib`` lists the works of that file only."""
    proj = project()
    rst_project(proj, bibfiles="['refs.bib', 'books.bib']")
    proj.write('books.bib', BOOKS)
    proj.write(
        'index.rst',
        'Split\n=====\n\n:cite:p:`einstein1905` :cite:p:`boole1854`\n\n'
        '.. rubric:: Articles\n\n.. bibliography:: refs.bib\n\n'
        '.. rubric:: Books\n\n.. bibliography:: books.bib\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert [entry.split(',')[0] for entry in bibliography(build, 0)] == ['Einstein']
    assert [entry.split(',')[0] for entry in bibliography(build, 1)] == ['Boole']


def test_bib_file_argument_not_in_the_configuration_warns(project: Any) -> None:
    proj = project()
    rst_project(proj)
    proj.write(
        'index.rst', 'Split\n=====\n\n:cite:p:`einstein1905`\n\n.. bibliography:: other.bib\n'
    )
    build = proj.build()
    [warning] = build.warnings()
    assert (warning.file, warning.line, warning.type) == (
        'index.rst',
        6,
        'briefing.missing_bibfile',
    )


def test_bullet_and_enumerated_lists(project: Any) -> None:
    proj = project()
    rst_project(proj)
    proj.write(
        'index.rst',
        'Lists\n=====\n\n'
        '.. bibliography::\n   :list: bullet\n   :filter: author % "Einstein"\n\n'
        '.. bibliography::\n   :list: enumerated\n   :enumtype: upperroman\n   :start: 3\n'
        '   :filter: title % "relativity|elementary"\n\n'
        '.. bibliography::\n   :list: enumerated\n   :start: continue\n'
        '   :filter: key == "2001:schechter"\n',
    )
    build = proj.build()
    assert build.warnings() == []
    soup = page(build)
    bullet = soup.select_one('div.briefing-bibliography ul')
    assert [text(li).split(',')[0] for li in bullet.select('li')] == ['Einstein', 'Einstein']
    first, second = soup.select('div.briefing-bibliography ol')
    assert 'upperroman' in first['class'] and first['start'] == '3'
    assert len(first.select('li')) == 2
    assert second['start'] == '5'  # continues after III and IV
    assert not text(second).startswith('[')  # the list numbers it, no "[1]"


@pytest.mark.parametrize(
    ('expression', 'expected'),
    [
        ('author % "Einstein"', ['einstein1905', 'einstein1916']),
        ('title % "relativity"', ['einstein1916']),
        ('cited and year and (year <= "2003")', ['1987:nelson', '2001:schechter']),
        ('docname in docnames', ['1987:nelson']),
        ('{"index", "other"} & docnames', ['1987:nelson', '2001:schechter']),
        ('cited and ({"other"} >= docnames)', ['2001:schechter']),
        ('type == "book" and not cited', ['einstein1916']),
        ('key in {"einstein1905", "1987:nelson"} or False', ['1987:nelson', 'einstein1905']),
        ('year > "1900" and year < "1910"', ['einstein1905']),
        ('True', ['1987:nelson', '2001:schechter', 'einstein1905', 'einstein1916']),
    ],
)
def test_documented_filters(project: Any, expression: str, expected: list[str]) -> None:
    proj = project()
    rst_project(proj, "bibtex_cite_id = 'cite-{bibliography_count}-{key}'\n")
    proj.write(
        'index.rst',
        'Filter\n======\n\n:cite:p:`1987:nelson`\n\n.. toctree::\n\n   other\n\n'
        f'.. bibliography::\n   :filter: {expression}\n',
    )
    proj.write('other.rst', 'Other\n=====\n\n:cite:p:`2001:schechter`\n')
    build = proj.build()
    assert build.warnings() == []
    ids = [
        target['id'].removeprefix('cite-1-')
        for target in page(build).select('div.briefing-bibliography p.briefing-bib-entry span[id]')
    ]
    assert sorted(ids) == sorted(key.replace(':', '-') for key in expected)


def test_filter_that_cannot_be_read_warns_at_its_line(project: Any) -> None:
    proj = project()
    rst_project(proj)
    proj.write(
        'index.rst',
        'Filter\n======\n\n:cite:p:`1987:nelson`\n\n.. bibliography::\n   :filter: __import__("os")\n',
    )
    build = proj.build()
    [warning] = build.warnings()
    assert (warning.file, warning.line, warning.type) == ('index.rst', 6, 'briefing.bad_option')
    assert len(bibliography(build)) == 1  # the cited works


def test_filter_language() -> None:
    facts = EntryFacts(
        key='Key1',
        entry_type='article',
        fields={'title': 'On Relativity', 'year': '1905'},
        cited=True,
        docnames=frozenset({'a', 'b'}),
    )
    assert matches(parse_filter('title % "relativ" and key == "key1"'), facts, 'a')
    assert matches(parse_filter('docname in docnames and year != "1906"'), facts, 'a')
    assert not matches(parse_filter('docnames <= {"a"}'), facts, 'a')
    assert not matches(parse_filter('publisher'), facts, 'a')  # missing field: ''
    assert not matches(parse_filter('docnames < "a"'), facts, 'a')  # cannot compare: false
    for bad in ('open("x")', 'a.b', '1 + 1', '[1]', 'lambda: 1', 'x if y else z', '('):
        with pytest.raises(FilterError):
            parse_filter(bad)


def test_key_prefixes_repeat_entries_per_document(project: Any) -> None:
    """The documented :keyprefix:/:labelprefix: example: the same work cited in two
    documents, each with its own bibliography holding it."""
    proj = project()
    rst_project(proj, bibfiles="['books.bib']")
    proj.write('books.bib', BOOKS)
    proj.write(
        'index.rst',
        'One\n===\n\nSee :cite:`a-boole1854`\n\n'
        '.. bibliography::\n   :labelprefix: A\n   :keyprefix: a-\n\n.. toctree::\n\n   two\n',
    )
    proj.write(
        'two.rst',
        'Two\n===\n\nSee :cite:`b-boole1854`\n\n'
        '.. bibliography::\n   :labelprefix: B\n   :keyprefix: b-\n',
    )
    build = proj.build()
    assert build.warnings() == []
    for name in ('index', 'two'):
        assert [entry.split(',')[0] for entry in bibliography(build, name=name)] == ['Boole']
        link = page(build, name).select_one('span.briefing-cite a')
        assert link['href'].startswith('#')  # its own document's entry


def test_listed_keys_and_custom_ids(project: Any) -> None:
    """Keys written as the directive's content are listed; the id settings name the
    bibliographies, their entries, footnotes and footbibliographies."""
    proj = project()
    rst_project(
        proj,
        "bibtex_cite_id = 'cite-id-{bibliography_count}-{key}'\n"
        "bibtex_footcite_id = 'footcite-id-{key}'\n"
        "bibtex_bibliography_id = 'bibliography-id-{bibliography_count}'\n"
        "bibtex_footbibliography_id = 'footbibliography-id-{footbibliography_count}'\n",
    )
    proj.write(
        'index.rst',
        'Ids\n===\n\nFirst :cite:`einstein1905`. Second :cite:`1987:nelson`.\n\n'
        '.. bibliography::\n   :filter: False\n\n   einstein1905\n   1987:nelson\n\n'
        '.. bibliography::\n   :filter: False\n\n   2001:schechter\n\n'
        'Foot :footcite:`einstein1916`.\n\n.. footbibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    soup = page(build)
    for anchor in (
        'bibliography-id-1',
        'bibliography-id-2',
        'cite-id-1-einstein1905',
        'cite-id-1-1987-nelson',
        'cite-id-2-2001-schechter',
        'footcite-id-einstein1916',
        'footbibliography-id-1',
    ):
        assert soup.find(id=anchor) is not None, anchor
    assert [a['href'] for a in soup.select('span.briefing-cite a')] == [
        '#cite-id-1-einstein1905',
        '#cite-id-1-1987-nelson',
    ]


def test_bibliography_header(project: Any) -> None:
    proj = project()
    rst_project(proj, "bibtex_bibliography_header = '.. rubric:: References'\n")
    proj.write('index.rst', 'Head\n====\n\n:cite:`einstein1905`\n\n.. bibliography::\n')
    build = proj.build()
    assert build.warnings() == []
    rubric = page(build).select_one('p.rubric')
    assert text(rubric) == 'References'
    assert rubric.find_next_sibling('div')['class'][:2] == [
        'briefing-collection',
        'briefing-bibliography',
    ]


def test_other_settings_are_accepted_silently(project: Any) -> None:
    proj = project()
    rst_project(
        proj,
        "bibtex_encoding = 'utf-8-sig'\nbibtex_tooltips = False\nbibtex_tooltips_style = ''\n"
        "bibtex_foot_reference_style = 'foot'\n",
    )
    proj.write('index.rst', 'Quiet\n=====\n\n:cite:`einstein1905`\n\n.. bibliography::\n')
    assert proj.build().warnings() == []


# --------------------------------------------------------------------------- switched projects
# Small projects in the shape of sphinxcontrib-bibtex's own test projects (a conf.py that
# names that extension, .bib files, a few documents), written here; each is switched by
# its extension line alone and must build without a warning.


def switched(proj: Project, conf: str) -> None:
    """conf.py as a sphinxcontrib-bibtex project has it, with the one line changed."""
    original = "extensions = ['sphinxcontrib.bibtex']\nexclude_patterns = ['_build']\n" + conf
    proj.write('conf.py', original.replace('sphinxcontrib.bibtex', 'sphinx_briefing'))


def test_switched_project_with_a_latin_1_bib_file(project: Any) -> None:
    proj = project()
    switched(proj, "bibtex_bibfiles = ['refs.bib']\nbibtex_encoding = 'latin-1'\n")
    (proj.path / 'refs.bib').write_bytes(
        '@book{cafe, author = {Lef\xe8vre, Andr\xe9}, title = {Caf\xe9s de Paris},'
        ' publisher = {Seuil}, year = {1999}}\n'.encode('latin-1')
    )
    proj.write('index.rst', 'Cafés\n=====\n\n:cite:`cafe`\n\n.. bibliography::\n   :all:\n')
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[0] == '(Lefèvre 1999)'
    assert bibliography(build)[0].startswith('Lefèvre, André. 1999. Cafés de Paris')


def test_switched_project_with_a_file_of_macros(project: Any) -> None:
    proj = project()
    switched(proj, "bibtex_bibfiles = ['macros.bib', 'refs.bib']\n")
    proj.write('macros.bib', '@string{ajps = "American Journal of Political Science"}\n')
    proj.write(
        'refs.bib',
        '@article{vote, author = {Roe, Max}, title = {Turnout}, journal = ajps,'
        ' volume = {12}, pages = {1--9}, year = {2010}}\n',
    )
    proj.write('index.rst', 'Macros\n======\n\n:cite:t:`vote`\n\n.. bibliography::\n')
    build = proj.build()
    assert build.warnings() == []
    assert 'American Journal of Political Science' in bibliography(build)[0]


def test_switched_project_with_prefixed_keys_across_documents(project: Any) -> None:
    """A key written with the :keyprefix: of another document's bibliography cites the
    work listed there, and links to it; keys written as a bibliography's content are
    listed even when :filter: False leaves out the rest."""
    proj = project()
    switched(proj, "bibtex_bibfiles = ['refs.bib']\n")
    proj.write('refs.bib', BIB)
    proj.write('index.rst', 'Index\n=====\n\n.. toctree::\n\n   one\n   two\n')
    proj.write(
        'one.rst',
        'One\n===\n\n:cite:`x-einstein1905,1987:nelson`\n\n'
        '.. bibliography::\n   :filter: False\n\n   1987:nelson\n   einstein1916\n',
    )
    proj.write(
        'two.rst',
        'Two\n===\n\n.. bibliography::\n   :keyprefix: x-\n   :filter: False\n\n   einstein1905\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build, 'one')[0] == '(Einstein 1905; Nelson 1987)'
    links = [a['href'] for a in page(build, 'one').select('span.briefing-cite a')]
    assert links[0].startswith('two.html#') and links[1].startswith('#')
    assert [entry.split(',')[0] for entry in bibliography(build, name='one')] == [
        'Einstein',
        'Nelson',
    ]
    assert [entry.split(',')[0] for entry in bibliography(build, name='two')] == ['Einstein']


def test_any_role_cites_keys_and_still_finds_labels(project: Any) -> None:
    """``:any:`key1,key2``` cites as ``:cite:p:`` does; a target that is not a key of the
    .bib files is Sphinx's, as before."""
    proj = project()
    switched(proj, "bibtex_bibfiles = ['refs.bib']\n")
    proj.write('refs.bib', BIB)
    proj.write(
        'index.rst',
        'Any\n===\n\n:any:`einstein1905,1987:nelson`\n\n:any:`refs`\n\n'
        '.. _refs:\n\nReferences\n----------\n\n.. bibliography::\n',
    )
    build = proj.build()
    assert build.warnings() == []
    assert paragraphs(build)[:2] == ['(Einstein 1905; Nelson 1987)', 'References']
    soup = page(build)
    assert [a['href'] for a in soup.select('span.briefing-cite a')] == [
        '#bibliography-index-0-einstein1905',
        '#bibliography-index-0-key-1987-nelson',  # a key starting with a digit (derive.anchors.slug)
    ]
    assert len(bibliography(build)) == 2
    proj.edit('index.rst', ':any:`refs`', ':any:`nosuchkey`')
    [warning] = proj.build().warnings()
    assert warning.type == 'ref.any'


# --------------------------------------------------------------------------- the reference


def test_readme_documents_every_role_option_and_setting(project: Any) -> None:
    """README's reference names every citation role, bibliography option and setting
    the extension registers."""
    from pathlib import Path

    from sphinx_briefing.citations.roles import FOOT_FORMS, FORMS, BibliographyDirective

    readme = (Path(__file__).parent.parent / 'README.md').read_text(encoding='utf-8')
    proj = project()
    rst_project(proj)
    proj.write('index.rst', 'Quiet\n=====\n\nNothing.\n')
    config = proj.build().app.config
    names = [value.name for value in config]
    settings = [name for name in names if name.startswith(('bibtex_', 'briefing_'))]
    assert 'bibtex_encoding' in settings and 'bibtex_cite_id' in settings
    missing = [name for name in settings if f'`{name}`' not in readme]
    roles = [f'cite:{form}' for form in FORMS if form != 'sources' and '-' not in form]
    roles += [f'footcite:{form}' for form in FOOT_FORMS]
    missing += [role for role in roles if f'`{role}`' not in readme]
    options = [f'`:{name}:`' for name in BibliographyDirective.option_spec if name != 'audience']
    missing += [option for option in options if option not in readme]
    assert missing == []
