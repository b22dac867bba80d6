"""Loading .bib files (sphinx_briefing.citations.bibtex): problems, cache, macros, dates; and
what their entries read as (pandoc's reader, as builds read them, then citeproc): names,
dates, titles' case, entry types."""

from __future__ import annotations

import os
import pickle
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sphinx_briefing.citations import bibtex as bib
from sphinx_briefing.citations import citeproc, reader
from sphinx_briefing.citations.bibtex import entry_issued, load_bibfiles
from sphinx_briefing.citations.citeproc import Rich
from sphinx_briefing.citations.reader import references_for, start_reading

DATA = Path(__file__).parent / 'data' / 'bib'


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip('\n'), encoding='utf-8')
    return path


def formatted(
    path: Path, style: str = 'apa', lang: str | None = None
) -> dict[str, tuple[Rich, ...]]:
    """Every entry of *path* in a bibliography, as a build reads it (pandoc's reader) and
    formats it (pandoc's citeproc)."""
    database = load_bibfiles([path])
    items, problems = references_for(
        database.entries, list(database.entries), lang=lang, pandoc=citeproc._pandoc_path()
    )
    assert problems == []
    result = citeproc.format_citations(
        citeproc.resolve_style(style, DATA), items, [], lang=lang, include_all=True
    )
    return dict(result.bibliography)


def rendered(path: Path, style: str = 'apa', lang: str | None = None) -> dict[str, str]:
    """What a reader sees of each entry of *path*: its text, whitespace folded."""
    return {
        key: ' '.join(citeproc.rich_to_text(rich).split())
        for key, rich in formatted(path, style, lang).items()
    }


def rendered_one(tmp_path: Path, text: str, style: str = 'apa', key: str = 'a') -> str:
    return rendered(write(tmp_path, f'{key}-{style}.bib', text), style)[key]


def emphasised(rich: tuple[Rich, ...]) -> list[str]:
    return [citeproc.rich_to_text(node[-1]) for node in rich if node[0] == 'emph']


# --------------------------------------------------------------------------- problems


def test_malformed_entry_is_reported_at_its_own_line_and_the_rest_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'refs.bib',
        """
        % a comment
        @article{good1,
          title = {First},
          year = 2019
        }

        @misc{broken,
          title = {never closed,
          year = 2000,

        @book{good2,
          title = {Second},
          year = {2001}
        }
        """,
    )
    database = load_bibfiles([path])
    assert set(database.entries) == {'good1', 'good2'}
    assert database.entries['good1'].line == 2
    assert database.entries['good2'].line == 11
    [problem] = database.problems
    assert problem.subtype == 'bib_syntax'
    assert problem.path == str(path)
    assert problem.line == 7
    assert '@misc{broken' in problem.message


def test_duplicate_key_across_two_files_first_wins_and_both_places_named(tmp_path: Path) -> None:
    first = write(tmp_path, 'a.bib', '@misc{same, title = {From A}}\n')
    second = tmp_path / 'b.bib'
    second.write_text('\n\n@misc{other, title={O}}\n@misc{same, title = {From B}}\n', 'utf-8')
    database = load_bibfiles([first, second])
    assert database.entries['same'].get('title') == 'From A'
    assert database.entries['same'].path == str(first)
    [problem] = database.problems
    assert problem.subtype == 'duplicate_key'
    assert (problem.path, problem.line) == (str(second), 4)
    assert f'{first}:1' in problem.message and f'{second}:4' in problem.message


def test_duplicate_key_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'a.bib', '@misc{k, title={One}}\n@misc{k, title={Two}}\n')
    database = load_bibfiles([path])
    assert database.entries['k'].get('title') == 'One'
    [problem] = database.problems
    assert (problem.subtype, problem.line) == ('duplicate_key', 2)
    assert 'line 1' in problem.message


def test_missing_file(tmp_path: Path) -> None:
    present = write(tmp_path, 'a.bib', '@misc{k, title={One}}\n')
    database = load_bibfiles([tmp_path / 'nope.bib', present])
    assert set(database.entries) == {'k'}
    [problem] = database.problems
    assert problem.subtype == 'missing_bibfile'
    assert problem.path == str(tmp_path / 'nope.bib')
    assert problem.line is None


@pytest.mark.parametrize(
    'content',
    [
        b'\x00\x01\xff\xfe binary junk @ { , = }',
        b'@article{x, title = {unbalanced',
        b'@misc{a, author = {Smith, John, Jr, Extra, Commas}, title = {x}}',
        b'@misc{b, author = {Unbalanced {brace}, title = {x}}',
        '@misc{c, title = {Caf\xe9}}'.encode('latin-1'),
        b'@misc{d, title = {\\unknown{x} \\"{} $unclosed math}}',
        b'@misc{e, title = x # }',
    ],
)
def test_bad_input_never_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / 'bad.bib'
    path.write_bytes(content)
    database = load_bibfiles([path])
    for entry in database.entries.values():
        entry_issued(entry)
    # nor does reading what loaded
    references_for(
        database.entries, list(database.entries), lang=None, pandoc=citeproc._pandoc_path()
    )


def test_a_file_started_early_is_taken_from_its_run_and_only_when_it_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandoc started on a .bib before the documents are read (start_reading): the step
    takes what that run read, and reads a file again when what it gives pandoc differs
    (macros of an earlier file)."""
    path = write(
        tmp_path,
        'refs.bib',
        """
        @book{a, author = {Ada Lovelace}, title = {Notes}, year = {1843}, publisher = jm}
    """,
    )
    cache = tmp_path / 'cache'
    pandoc = citeproc._pandoc_path()
    started = start_reading([path], lang=None, pandoc=pandoc, cache_dir=cache)
    assert len(started) == 1
    database = load_bibfiles([path])
    runs: list[object] = []

    class CountedRun(reader.PandocRun):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            runs.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(reader, 'PandocRun', CountedRun)
    items, problems = references_for(
        database.entries, ['a'], lang=None, pandoc=pandoc, cache_dir=cache, started=started
    )
    assert problems == []
    assert runs == []  # taken from the run started before, not started again
    assert items['a']['c']['title']['c'][0] == {'t': 'Str', 'c': 'Notes'}
    # Cached now: nothing is started for the same file again.
    assert start_reading([path], lang=None, pandoc=pandoc, cache_dir=cache) == {}
    # Given the macros of an earlier file, the file reads differently, and the run
    # started without them is not taken.
    other = tmp_path / 'other-cache'
    early = start_reading([path], lang=None, pandoc=pandoc, cache_dir=other)
    assert len(early) == 1
    runs.clear()
    items, _ = references_for(
        database.entries,
        ['a'],
        lang=None,
        pandoc=pandoc,
        cache_dir=other,
        inherited={str(path): '@string{jm = {John Murray}}\n'},
        started=early,
    )
    assert len(runs) == 1  # read again, with the macros
    publisher = items['a']['c']['publisher']['c']
    assert ''.join(part.get('c', ' ') for part in publisher) == 'John Murray'
    for run in early.values():
        run.discard()


def test_not_utf8_is_reported_and_loaded(tmp_path: Path) -> None:
    path = tmp_path / 'latin.bib'
    path.write_bytes('@misc{c, title = {Caf\xe9}}\n'.encode('latin-1'))
    database = load_bibfiles([path])
    assert 'c' in database.entries
    assert [p.subtype for p in database.problems] == ['bib_syntax']


def test_encoding_is_honoured(tmp_path: Path) -> None:
    """sphinxcontrib-bibtex's ``bibtex_encoding``: a Latin-1 file read as Latin-1."""
    path = tmp_path / 'latin.bib'
    path.write_bytes('@misc{c, title = {Caf\xe9 cr\xe8me}}\n'.encode('latin-1'))
    database = load_bibfiles([path], encoding='iso-8859-1')
    assert database.problems == ()
    assert database.entries['c'].get('title') == 'Caf\xe9 cr\xe8me'
    unknown = load_bibfiles([path], encoding='no-such-encoding')
    assert [p.subtype for p in unknown.problems] == ['bib_syntax', 'bib_syntax']
    assert 'no-such-encoding' in unknown.problems[0].message


def test_macros_of_an_earlier_file_are_known_in_later_ones(tmp_path: Path) -> None:
    """As BibTeX given ``macros.bib,refs.bib``: a file of abbreviations named first."""
    macros = write(tmp_path, 'macros.bib', '@string{rmp = "Rev. Mod. Phys."}\n')
    refs = write(
        tmp_path,
        'refs.bib',
        '@string{aps = "APS"}\n@article{t, journal = rmp, publisher = aps, title = {T}}\n',
    )
    cache = tmp_path / 'cache'
    database = load_bibfiles([macros, refs], cache)
    assert database.problems == ()
    assert database.entries['t'].get('journal') == 'Rev. Mod. Phys.'
    assert database.entries['t'].get('publisher') == 'APS'
    # the other order: not yet defined when refs.bib is read (and its cached parse,
    # made with the macro known, is not taken)
    alone = load_bibfiles([refs, macros], cache)
    assert alone.entries['t'].get('journal') == 'rmp'
    assert [p.subtype for p in alone.problems] == ['bib_syntax']


def test_undefined_macro_is_reported_and_shown_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, 'a.bib', '@misc{k,\n  publisher = nosuchmacro,\n  title={T}}\n')
    database = load_bibfiles([path])
    assert database.entries['k'].get('publisher') == 'nosuchmacro'
    [problem] = database.problems
    assert (problem.subtype, problem.line) == ('bib_syntax', 2)
    assert 'nosuchmacro' in problem.message


# --------------------------------------------------------------------------- cache


def test_cache_hit_avoids_a_second_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = bib._parse_bibtex

    def counting(data: bytes, *args: Any) -> Any:
        calls.append(len(data))
        return real(data, *args)

    monkeypatch.setattr(bib, '_parse_bibtex', counting)
    path = write(tmp_path, 'a.bib', '@misc{k, title={One}}\n')
    cache = tmp_path / 'cache'
    first = load_bibfiles([path], cache)
    assert len(calls) == 1
    second = load_bibfiles([path], cache)
    assert len(calls) == 1, 'an unchanged .bib was parsed again'
    assert second.entries == first.entries

    # touched but unchanged: the content hash still matches
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    load_bibfiles([path], cache)
    assert len(calls) == 1

    # edited: parsed again, and the new content is seen
    path.write_text('@misc{k, title={Two}}\n', encoding='utf-8')
    third = load_bibfiles([path], cache)
    assert len(calls) == 2
    assert third.entries['k'].get('title') == 'Two'


def test_cached_entries_carry_the_path_as_given_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, 'a.bib', '@misc{k, title={One}}\n')
    cache = tmp_path / 'cache'
    load_bibfiles([path], cache)
    monkeypatch.chdir(tmp_path)
    again = load_bibfiles([Path('a.bib')], cache)
    assert again.entries['k'].path == 'a.bib'


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, 'a.bib', '@misc{k, title={One}}\n')
    cache = tmp_path / 'cache'
    load_bibfiles([path], cache)
    for file in cache.iterdir():
        file.write_bytes(b'not a pickle')
    assert set(load_bibfiles([path], cache).entries) == {'k'}


def test_database_is_picklable(tmp_path: Path) -> None:
    broken = write(tmp_path, 'broken.bib', '@misc{x, title = {oops}\n@misc{y, title={ok}}\n')
    database = load_bibfiles([DATA / 'seed-panel.bib', broken, tmp_path / 'missing.bib'])
    assert len(database.problems) == 2
    assert pickle.loads(pickle.dumps(database)) == database


def test_the_same_file_twice_is_loaded_once(tmp_path: Path) -> None:
    path = write(tmp_path, 'a.bib', '@misc{k, title={One}}\n')
    database = load_bibfiles([path, tmp_path / '.' / 'a.bib'])
    assert set(database.entries) == {'k'} and database.problems == ()


def test_progress_is_called_for_big_files(tmp_path: Path) -> None:
    entry = '@misc{{k{0}, title = {{Title number {0} of many}}, year = 2000}}\n'
    path = tmp_path / 'big.bib'
    path.write_text(''.join(entry.format(i) for i in range(9000)), encoding='utf-8')
    messages: list[str] = []
    database = load_bibfiles([path], progress=messages.append)
    assert len(database.entries) == 9000
    assert messages and all('big.bib' in m for m in messages)


# --------------------------------------------------------------------------- macros, dates


def test_string_macros_concatenation_and_nested_macros(tmp_path: Path) -> None:
    database = load_bibfiles(
        [
            write(
                tmp_path,
                'a.bib',
                """
                @string{acm = "ACM Press"}
                @STRING{ny = {New York}}
                @string{place = ny # ", NY"}
                @book{a, title = {T}, publisher = acm, address = place,
                      note = "See " # ny # { and } # acm, year = 2001}
                """,
            )
        ]
    )
    entry = database.entries['a']
    assert entry.get('publisher') == 'ACM Press'
    assert entry.get('address') == 'New York, NY'
    assert entry.get('note') == 'See New York and ACM Press'
    assert database.problems == ()
    # IEEE prints the place
    assert 'New York, NY: ACM Press, 2001' in rendered(tmp_path / 'a.bib', 'ieee')['a']


def test_a_macro_defined_through_itself_is_reported_not_expanded(tmp_path: Path) -> None:
    # Before: 2**20 copies, a 10 MB title, and a build that did not end.
    database = load_bibfiles(
        [
            write(
                tmp_path,
                'a.bib',
                """
                @string{a = a # a}
                @string{b = c # "x"}
                @string{c = b}
                @book{k, title = a, note = b, year = 2001}
                """,
            )
        ]
    )
    entry = database.entries['k']
    assert len(entry.get('title') or '') < 10
    assert len(entry.get('note') or '') < 10
    found = sorted((p.line, p.subtype, p.message) for p in database.problems)
    assert [(line, subtype) for line, subtype, _message in found] == [(4, 'bib_syntax')] * 2
    assert found[0][2].startswith("@string macro 'a' is defined through itself")
    # b and c name each other: the cycle is reported where it closes
    assert ' is defined through itself (' in found[1][2]


@pytest.mark.parametrize('leaf', ['"xy"', '""'])
def test_macros_that_double_at_each_step_are_cut(tmp_path: Path, leaf: str) -> None:
    lines = [f'@string{{m0 = {leaf}}}']
    lines += [f'@string{{m{i} = m{i - 1} # m{i - 1}}}' for i in range(1, 60)]
    lines.append('@book{k, title = m59 # " end", year = 2001}')
    database = load_bibfiles([write(tmp_path, 'a.bib', '\n'.join(lines) + '\n')])
    assert len(database.entries['k'].get('title') or '') <= bib.MAX_EXPANDED
    assert [(p.line, p.subtype) for p in database.problems] == [(61, 'bib_syntax')]
    assert 'through @string macros; cut there' in database.problems[0].message


@pytest.mark.parametrize(
    ('month', 'expected'),
    [('nov', 11), ('NOV', 11), ('{November}', 11), ('{11}', 11), ('{Nov.}', 11), ('{13}', None)],
)
def test_month(tmp_path: Path, month: str, expected: int | None) -> None:
    database = load_bibfiles([write(tmp_path, 'a.bib', f'@misc{{a, month = {month}, year=2019}}')])
    entry = database.entries['a']
    assert entry_issued(entry) == (2019, expected, None)


@pytest.mark.parametrize('month', ['nov', 'NOV', '{11}'])
def test_a_month_is_printed(tmp_path: Path, month: str) -> None:
    text = f'@online{{a, title = {{T}}, month = {month}, year = 2019}}'
    assert rendered_one(tmp_path, text) == 'T. (2019, November).'


def test_numbers_python_cannot_read_are_not_dates(tmp_path: Path) -> None:
    # isdigit() accepts '²', which int() refuses, and int() refuses 5,000 digits: both
    # were tracebacks.
    many = '9' * 5000
    database = load_bibfiles(
        [
            write(
                tmp_path,
                'a.bib',
                f"""
                @book{{k, title = {{T}}, year = {{{many}}}, month = {{{many}}}, day = {{{many}}}}}
                @book{{s, title = {{T}}, year = {{2001}}, month = {{²}}, day = {{²}}}}
                """,
            )
        ]
    )
    small = database.entries['s']
    assert entry_issued(small) == (2001, None, None)
    texts = rendered(tmp_path / 'a.bib')
    assert texts['s'] == 'T. (2001).'
    assert many not in texts['k']


def test_month_macro_becomes_november(tmp_path: Path) -> None:
    database = load_bibfiles([write(tmp_path, 'a.bib', '@misc{a, month = nov, year = 2019}')])
    assert database.entries['a'].get('month') == 'November'


def test_dates(tmp_path: Path) -> None:
    database = load_bibfiles(
        [
            write(
                tmp_path,
                'a.bib',
                """
                @online{d1, title = {One}, date = {2019-11-20}, urldate = {2020-01-02},
                  url = {https://example.org}}
                @online{d2, title = {Two}, date = {2019-11/2019-12}}
                @misc{d3, year = {2019}, month = nov, day = {20}}
                @misc{d4, title = {Four}, year = {forthcoming}}
                @misc{d5, title = {no date}}
                """,
            )
        ]
    )
    entries = database.entries
    assert entry_issued(entries['d1']) == (2019, 11, 20)
    assert entry_issued(entries['d2']) == (2019, 11, None)
    assert entry_issued(entries['d3']) == (2019, 11, 20)
    assert entry_issued(entries['d4']) is None
    assert entry_issued(entries['d5']) is None
    apa = rendered(tmp_path / 'a.bib')
    assert apa['d1'].startswith('One. (2019, November 20).')
    assert apa['d2'] == 'Two. (2019, November–December).'
    assert apa['d4'] == 'Four. (forthcoming).'
    # IEEE prints the date a web page was read
    assert 'Accessed: Jan. 02, 2020' in rendered(tmp_path / 'a.bib', 'ieee')['d1']


def test_seed_dates_for_the_facts_as_of_check() -> None:
    entries = load_bibfiles([DATA / 'seed-panel.bib']).entries
    assert entry_issued(entries['yonhap2019gsomia']) == (2019, 11, None)
    assert entry_issued(entries['chathamhouserule']) is None
    assert entry_issued(entries['ukgscp']) == (2014, None, None)


# --------------------------------------------------------------------------- names


def test_corporate_authors_with_commas_and_and_stay_one(tmp_path: Path) -> None:
    text = rendered_one(
        tmp_path,
        r"""
        @techreport{a,
          author = {{{OECD} Directorate for Science, Technology and Innovation} and
                    {{United States Senate, Permanent Subcommittee on Investigations}} and
                    {Simon and Schuster} and {World Trade Organization}},
          title = {T}, institution = {I}, year = 2019}
        """,
    )
    assert text.startswith(
        'OECD Directorate for Science, Technology and Innovation, '
        'United States Senate, Permanent Subcommittee on Investigations, '
        'Simon and Schuster, & World Trade Organization. (2019).'
    )


def test_seed_corporate_authors() -> None:
    texts = rendered(DATA / 'seed-panel.bib')
    assert texts['psi2019talent'].startswith(
        'United States Senate, Permanent Subcommittee on Investigations, '
        'Committee on Homeland Security and Governmental Affairs. (2019).'
    )
    assert texts['eu2019fdi'].startswith(
        'European Parliament and Council of the European Union. (2019).'
    )


def test_name_parts(tmp_path: Path) -> None:
    text = rendered_one(
        tmp_path,
        r"""
        @book{a, title = {T}, year = 2000, author = {de la Fontaine, Jean and
          Smith, Jr., John and Ludwig van Beethoven and Rieger, J.W. and O'Brien, Pat and
          Drummond de Andrade, Carlos and Kaya, Yoichi and others}}
        """,
    )
    # APA: family name, initials, particle after them, suffix last; "others" is et al.;
    # capitalised words stay together as the family name (Drummond de Andrade)
    assert text == (
        'Fontaine, J. de la, Smith, J., Jr., Beethoven, L. van, Rieger, J. W., O\u2019Brien, P., '
        'Drummond de Andrade, C., Kaya, Y., et al. (2000). T.'
    )


def test_non_ascii_names_decode(tmp_path: Path) -> None:
    text = rendered_one(
        tmp_path,
        r"""
        @article{a, title = {T}, journal = {J}, year = 2000, author = {M{\"u}ller, J{\"o}rg
          and Fontane, J{\'e}r{\^o}me and Stra{\ss}er, Hans and \'Alvarez, Jos\'e and
          De Le{\'o}n, Rub{\'e}n and {\"O}zkal, Erhan}}
        """,
        style='chicago-author-date',
    )
    assert text.startswith(
        'Müller, Jörg, Jérôme Fontane, Hans Straßer, José Álvarez, Rubén De León, '
        'and Erhan Özkal. 2000.'
    )


# --------------------------------------------------------------------------- fields


def test_latex_specials_in_a_title_round_trip_as_text(tmp_path: Path) -> None:
    text = rendered_one(
        tmp_path,
        r'@misc{a, title = {{R\&D: 50\% more \$, a\_b, \#1 and \{braces\} -- ok}}, year=2000}',
    )
    assert text == 'R&D: 50% more $, a_b, #1 and {braces} – ok. (2000).'


def test_title_case_protection_follows_pandoc(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'a.bib',
        r"""
        @article{a, journal = {Journal f{\"u}r {IEEE} Things}, year = 2000,
          title = {The {iPhone} and {GPU} Revolution: {A} Study of \emph{Mobile} Things}}
        """,
    )
    # English titles are stored in sentence case, braced words stay as they are: a
    # sentence-case style prints them so, a title-case style capitalises the others
    apa = formatted(path)['a']
    assert citeproc.rich_to_text(apa).startswith(
        'The iPhone and GPU revolution: A study of mobile things.'
    )
    # other fields keep their case; \emph is emphasis
    assert emphasised(apa) == ['mobile', 'Journal für IEEE Things']
    chicago = rendered(path, 'chicago-author-date')['a']
    assert chicago.startswith(
        '\u201cThe iPhone and GPU Revolution: A Study of Mobile Things.\u201d'
    )


def test_fully_braced_title_is_protected(tmp_path: Path) -> None:
    text = rendered_one(tmp_path, "@misc{a, title = {{Japan's First Arms Fair}}, year = 2019}")
    assert text == 'Japan\u2019s First Arms Fair. (2019).'


def test_non_english_titles_keep_their_case(tmp_path: Path) -> None:
    text = '@misc{a, title = {Die Zukunft Der Arbeit}, year = 2019}'
    path = write(tmp_path, 'a.bib', text)
    assert rendered(path)['a'] == 'Die zukunft der arbeit. (2019).'
    assert rendered(path, lang='de-DE')['a'] == 'Die Zukunft Der Arbeit. (2019).'
    langid = write(tmp_path, 'b.bib', text.replace('year', 'langid={german}, year'))
    assert rendered(langid)['a'] == 'Die Zukunft Der Arbeit. (2019).'


TECHREPORT = """
@techreport{a, author = {{Conflict Armament Research}}, title = {{Weapons}},
  institution = {Conflict Armament Research}, type = {Staff Report},
  number = {CAR-7}, address = {London}, year = 2017, month = dec,
  url = {https://example.org/r}, note = {A note}, keywords = {t6},
  verification = {VERIFIED}}
"""


@pytest.mark.parametrize(
    ('style', 'expected'),
    [
        (
            'apa',
            'Conflict Armament Research. (2017). Weapons (Staff Report CAR-7). '
            'Conflict Armament Research. https://example.org/r',
        ),
        (
            'ieee',
            '[1] Conflict Armament Research, \u201cWeapons,\u201d Conflict Armament Research, '
            'London, Staff Report CAR-7, Dec. 2017. Available: https://example.org/r',
        ),
    ],
)
def test_techreport(tmp_path: Path, style: str, expected: str) -> None:
    # keywords and verification notes are never printed
    assert rendered_one(tmp_path, TECHREPORT, style) == expected


def test_misc_howpublished_is_printed(tmp_path: Path) -> None:
    text = '@misc{a, title = {T}, howpublished = {The Mainichi (English edition)}}'
    assert rendered_one(tmp_path, text) == 'T. (n.d.). The Mainichi (English edition).'


@pytest.mark.parametrize(
    ('entry_type', 'genre'),
    [('phdthesis', '[PhD thesis]'), ('mastersthesis', '[Master\u2019s thesis]')],
)
def test_theses_name_their_kind(tmp_path: Path, entry_type: str, genre: str) -> None:
    text = f'@{entry_type}{{a, author = {{Doe, Jane}}, title = {{T}}, school = {{S}}, year = 2000}}'
    assert rendered_one(tmp_path, text) == f'Doe, J. (2000). T {genre}. S.'


def test_an_unknown_entry_type_is_formatted_as_misc(tmp_path: Path) -> None:
    fields = 'author = {Doe, Jane}, title = {T}, howpublished = {Somewhere}, year = 2000'
    misc = rendered_one(tmp_path, f'@misc{{a, {fields}}}')
    assert rendered_one(tmp_path, f'@foo{{a, {fields}}}', 'apa', 'a') == misc
    assert misc == 'Doe, J. (2000). T. Somewhere.'


def test_chapter_and_paper_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'a.bib',
        r"""
        @incollection{c, author = {Lafferty, Brian}, title = {Reforms},
          booktitle = {Chairman Xi Remakes the {PLA}}, editor = {Saunders, Phillip C.},
          publisher = {NDU Press}, pages = {10--20}, chapter = {3}, edition = {2},
          series = {China Studies}, volume = {4}, number = {5}, isbn = {978-1},
          year = 2019}
        @inproceedings{p, author = {Hassan, M.}, title = {Framework},
          booktitle = {15th AIAA Conference}, organization = {AIAA}, year = 2015,
          doi = {10.2514/6.2015-3187}}
        @article{j, author = {A, B}, title = {T}, journaltitle = {Nature}, date = {2020},
          volume = {1}, number = {2}, issn = {0028-0836}, language = {english}}
        """,
    )
    apa = rendered(path)
    # the book's title in sentence case (as the style wants it), braces protecting PLA;
    # the page range with an en dash
    assert apa['c'] == (
        'Lafferty, B. (2019). Reforms. In P. C. Saunders (Ed.), Chairman xi remakes the PLA '
        '(2nd ed., Vol. 4, pp. 10–20). NDU Press.'
    )
    assert apa['p'] == (
        'Hassan, M. (2015). Framework. 15th AIAA Conference. https://doi.org/10.2514/6.2015-3187'
    )
    assert apa['j'] == 'A, B. (2020). T. Nature, 1(2).'
    chicago = rendered(path, 'chicago-author-date')
    assert chicago['c'] == (
        'Lafferty, Brian. 2019. \u201cReforms.\u201d Chap. 3 in Chairman Xi Remakes the PLA, '
        '2nd ed., edited by Phillip C. Saunders, vol. 4. China Studies 5. NDU Press.'
    )


def test_crossref_inherits_fields(tmp_path: Path) -> None:
    database = load_bibfiles(
        [
            write(
                tmp_path,
                'a.bib',
                """
                @inproceedings{child, author = {A, B}, title = {Paper}, crossref = {parent},
                  pages = {1--2}}
                @proceedings{parent, title = {Proceedings of Things}, year = 2001,
                  publisher = {P}}
                """,
            )
        ]
    )
    child = database.entries['child']
    assert (child.get('booktitle'), child.get('year')) == ('Proceedings of Things', '2001')
    assert entry_issued(child) == (2001, None, None)
    apa = rendered(tmp_path / 'a.bib')
    assert apa['child'] == 'A, B. (2001). Paper. Proceedings of Things, 1–2.'


def test_keywords_and_verification_are_never_printed() -> None:
    path = DATA / 'seed-panel.bib'
    entries = load_bibfiles([path]).entries
    for style in ('chicago-author-date', 'apa'):
        texts = rendered(path, style)
        assert set(texts) == set(entries)
        for key, text in texts.items():
            assert 'VERIFIED' not in text
            keywords = (entries[key].get('keywords') or '').split(',')
            words = [word.strip() for word in keywords if word.strip()]
            assert not any(re.search(rf'\b{re.escape(word)}\b', text) for word in words)
        assert sum(bool(entries[key].get('keywords')) for key in texts) >= 30
