"""Loading .bib files (sphinx_briefing.citations.bibtex): problems, cache, macros, names, CSL mapping."""

from __future__ import annotations

import os
import pickle
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import require_tool
from pylatexenc.latex2text import LatexNodes2Text  # type: ignore[import-untyped]

from sphinx_briefing.citations import bibtex as bib
from sphinx_briefing.citations.bibtex import BibEntry, entry_issued, entry_to_csl, load_bibfiles

DATA = Path(__file__).parent / 'data' / 'bib'


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip('\n'), encoding='utf-8')
    return path


def csl_of(tmp_path: Path, text: str, key: str = 'a') -> dict[str, Any]:
    database = load_bibfiles([write(tmp_path, 'one.bib', text)])
    return entry_to_csl(database.entries[key])


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
        entry_to_csl(entry)  # decoding must not raise either
        entry_issued(entry)


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
    csl = entry_to_csl(entry)
    assert (csl['publisher'], csl['publisher-place']) == ('ACM Press', 'New York, NY')


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
    parts = [2019] if expected is None else [2019, expected]
    assert entry_to_csl(entry)['issued'] == {'date-parts': [parts]}


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
    big, small = database.entries['k'], database.entries['s']
    assert entry_to_csl(big)['issued'] == {'literal': many}
    assert entry_issued(small) == (2001, None, None)
    assert entry_to_csl(small)['issued'] == {'date-parts': [[2001]]}


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
                @online{d1, date = {2019-11-20}, urldate = {2020-01-02}}
                @online{d2, date = {2019-11/2019-12}}
                @misc{d3, year = {2019}, month = nov, day = {20}}
                @misc{d4, year = {forthcoming}}
                @misc{d5, title = {no date}}
                """,
            )
        ]
    )
    entries = database.entries
    assert entry_issued(entries['d1']) == (2019, 11, 20)
    assert entry_to_csl(entries['d1'])['accessed'] == {'date-parts': [[2020, 1, 2]]}
    assert entry_issued(entries['d2']) == (2019, 11, None)
    assert entry_to_csl(entries['d2'])['issued'] == {'date-parts': [[2019, 11], [2019, 12]]}
    assert entry_issued(entries['d3']) == (2019, 11, 20)
    assert entry_issued(entries['d4']) is None
    assert entry_to_csl(entries['d4'])['issued'] == {'literal': 'forthcoming'}
    assert entry_issued(entries['d5']) is None


def test_seed_dates_for_the_facts_as_of_check() -> None:
    entries = load_bibfiles([DATA / 'seed-panel.bib']).entries
    assert entry_issued(entries['yonhap2019gsomia']) == (2019, 11, None)
    assert entry_issued(entries['chathamhouserule']) is None
    assert entry_issued(entries['ukgscp']) == (2014, None, None)


# --------------------------------------------------------------------------- names


def test_corporate_authors_with_commas_and_and_stay_one(tmp_path: Path) -> None:
    csl = csl_of(
        tmp_path,
        r"""
        @techreport{a,
          author = {{{OECD} Directorate for Science, Technology and Innovation} and
                    {{United States Senate, Permanent Subcommittee on Investigations}} and
                    {Simon and Schuster} and {World Trade Organization}},
          title = {T}, institution = {I}, year = 2019}
        """,
    )
    assert csl['author'] == [
        {'literal': 'OECD Directorate for Science, Technology and Innovation'},
        {'literal': 'United States Senate, Permanent Subcommittee on Investigations'},
        {'literal': 'Simon and Schuster'},
        {'literal': 'World Trade Organization'},
    ]


def test_seed_corporate_authors() -> None:
    entries = load_bibfiles([DATA / 'seed-panel.bib']).entries
    assert entry_to_csl(entries['psi2019talent'])['author'] == [
        {
            'literal': 'United States Senate, Permanent Subcommittee on Investigations, '
            'Committee on Homeland Security and Governmental Affairs'
        }
    ]
    assert entry_to_csl(entries['eu2019fdi'])['author'] == [
        {'literal': 'European Parliament and Council of the European Union'}
    ]


def test_name_parts(tmp_path: Path) -> None:
    csl = csl_of(
        tmp_path,
        r"""
        @book{a, title = {T}, year = 2000, author = {de la Fontaine, Jean and
          Smith, Jr., John and Ludwig van Beethoven and Rieger, J.W. and O'Brien, Pat and
          Drummond de Andrade, Carlos and Kaya, Yoichi and others}}
        """,
    )
    assert csl['author'] == [
        {'family': 'Fontaine', 'given': 'Jean', 'dropping-particle': 'de la'},
        {'family': 'Smith', 'given': 'John', 'suffix': 'Jr.'},
        {'family': 'Beethoven', 'given': 'Ludwig', 'dropping-particle': 'van'},
        {'family': 'Rieger', 'given': 'J. W.'},
        {'family': 'O\u2019Brien', 'given': 'Pat'},
        # pandoc (and biblatex) keep capitalised words together as the family name
        {'family': 'Drummond de Andrade', 'given': 'Carlos'},
        {'family': 'Kaya', 'given': 'Yoichi'},
        {'literal': 'others'},
    ]


def test_non_ascii_names_decode(tmp_path: Path) -> None:
    csl = csl_of(
        tmp_path,
        r"""
        @article{a, title = {T}, journal = {J}, year = 2000, author = {M{\"u}ller, J{\"o}rg
          and Fontane, J{\'e}r{\^o}me and Stra{\ss}er, Hans and \'Alvarez, Jos\'e and
          De Le{\'o}n, Rub{\'e}n and {\"O}zkal, Erhan}}
        """,
    )
    assert csl['author'] == [
        {'family': 'Müller', 'given': 'Jörg'},
        {'family': 'Fontane', 'given': 'Jérôme'},
        {'family': 'Straßer', 'given': 'Hans'},
        {'family': 'Álvarez', 'given': 'José'},
        {'family': 'De León', 'given': 'Rubén'},
        {'family': 'Özkal', 'given': 'Erhan'},
    ]


#: Names whose words start with a special character (a braced group that starts with a
#: control sequence), and plain particles beside them.  The splits are BibTeX's own
#: (checked against bibtex itself below).  pandoc's reader skips every braced group, so
#: it makes particles of "{\AA}sa" and "{\'E}mile"; pybtex takes "{\o}", "{\l}" (and
#: "{\ss}", "{\i}") for upper case, where BibTeX knows them as lower-case letters.
SPECIAL_CHARACTER_NAMES: list[tuple[str, dict[str, str]]] = [
    (r'{\AA}sa L{\'o}pez', {'given': 'Åsa', 'family': 'López'}),
    (r'{\'E}mile Zola', {'given': 'Émile', 'family': 'Zola'}),
    (r'{\'{E}}douard Manet', {'given': 'Édouard', 'family': 'Manet'}),
    (r'{\v{S}}tefan Novak', {'given': 'Štefan', 'family': 'Novak'}),
    (r'{\L}ukasz Nowak', {'given': 'Łukasz', 'family': 'Nowak'}),
    (r'{\relax Ch}ristopher Smith', {'given': 'Christopher', 'family': 'Smith'}),
    (r'{\O}stergaard, Jens', {'given': 'Jens', 'family': 'Østergaard'}),
    (r'Jens {\O}stergaard', {'given': 'Jens', 'family': 'Østergaard'}),
    (r'{\"O}zt{\"u}rk, Ay{\c{s}}e', {'given': 'Ayşe', 'family': 'Öztürk'}),
    (r'{\"O}zkal {\"O}zt{\"u}rk, Ay{\c{s}}e', {'given': 'Ayşe', 'family': 'Özkal Öztürk'}),
    (
        r'de la {\'E}toile, Jean',
        {'given': 'Jean', 'dropping-particle': 'de la', 'family': 'Étoile'},
    ),
    (
        r'van {\"O}sterreich, Max',
        {'given': 'Max', 'dropping-particle': 'van', 'family': 'Österreich'},
    ),
    (
        r'Max van {\"O}sterreich',
        {'given': 'Max', 'dropping-particle': 'van', 'family': 'Österreich'},
    ),
    # lower-case special characters are lower case, and particles stay particles
    (
        r'Jean {\'e}tienne Dupont',
        {'given': 'Jean', 'dropping-particle': 'étienne', 'family': 'Dupont'},
    ),
    (r'{\"u}ber Alles, Hans', {'given': 'Hans', 'dropping-particle': 'über', 'family': 'Alles'}),
    (r'{\o}ystein Ore', {'dropping-particle': 'øystein', 'family': 'Ore'}),
    (r'{\l}ukasz Nowak', {'dropping-particle': 'łukasz', 'family': 'Nowak'}),
    ('Werner von Braun', {'given': 'Werner', 'dropping-particle': 'von', 'family': 'Braun'}),
    (
        'Johannes van der Waals',
        {'given': 'Johannes', 'dropping-particle': 'van der', 'family': 'Waals'},
    ),
    # an ordinary braced group has no case: "{de la}" is no particle
    ('Jean {de la} Fontaine', {'given': 'Jean de la', 'family': 'Fontaine'}),
]


@pytest.mark.parametrize(('name', 'expected'), SPECIAL_CHARACTER_NAMES)
def test_special_characters_take_the_case_of_their_letter(
    tmp_path: Path, name: str, expected: dict[str, str]
) -> None:
    csl = csl_of(tmp_path, f'@book{{a, title = {{T}}, year = 2000, author = {{{name}}}}}')
    assert csl['author'] == [expected]


#: A style that prints the first author's First, von and Last parts, as BibTeX splits them.
NAME_PARTS_BST = """
ENTRY { author } {} {}
FUNCTION {book}
{ cite$ write$ "|" write$
  author #1 "{ff}" format.name$ write$ "|" write$
  author #1 "{vv}" format.name$ write$ "|" write$
  author #1 "{ll}" format.name$ write$ newline$
}
READ
ITERATE {call.type$}
"""


def test_special_character_names_split_as_bibtex_splits_them(tmp_path: Path) -> None:
    require_tool('bibtex', 'BRIEFING_REQUIRE_LATEX')  # BibTeX comes with TeX Live
    (tmp_path / 'parts.bst').write_text(NAME_PARTS_BST, encoding='ascii')
    (tmp_path / 'job.aux').write_text(
        '\\citation{*}\n\\bibdata{names}\n\\bibstyle{parts}\n', encoding='ascii'
    )
    (tmp_path / 'names.bib').write_text(
        ''.join(
            f'@book{{n{i}, author = {{{name}}}}}\n'
            for i, (name, _) in enumerate(SPECIAL_CHARACTER_NAMES)
        ),
        encoding='utf-8',
    )
    subprocess.run(['bibtex', '-terse', 'job'], cwd=tmp_path, capture_output=True, check=False)
    decode = LatexNodes2Text().latex_to_text
    split: dict[int, dict[str, str]] = {}
    for line in (tmp_path / 'job.bbl').read_text(encoding='utf-8').splitlines():
        key, first, von, last = line.split('|')
        parts = {'given': first, 'dropping-particle': von, 'family': last}
        split[int(key[1:])] = {
            part: ' '.join(decode(value.replace('~', ' ')).split())
            for part, value in parts.items()
            if value
        }
    assert split == {i: expected for i, (_, expected) in enumerate(SPECIAL_CHARACTER_NAMES)}


# --------------------------------------------------------------------------- CSL mapping


def test_latex_specials_in_a_title_round_trip_as_text(tmp_path: Path) -> None:
    csl = csl_of(
        tmp_path,
        r'@misc{a, title = {{R\&D: 50\% more \$, a\_b, \#1 and \{braces\} -- ok}}, year=2000}',
    )
    assert csl['title'] == '<span class="nocase">R&D: 50% more $, a_b, #1 and {braces} – ok</span>'


def test_title_case_protection_follows_pandoc(tmp_path: Path) -> None:
    csl = csl_of(
        tmp_path,
        r"""
        @article{a, journal = {Journal f{\"u}r {IEEE} Things}, year = 2000,
          title = {The {iPhone} and {GPU} Revolution: {A} Study of \emph{Mobile} Things}}
        """,
    )
    # English titles are stored in sentence case, braced words with a lower-case letter
    # stay protected ("nocase"), all-capital ones do not need to be.
    assert csl['title'] == (
        'The <span class="nocase">iPhone</span> and GPU revolution: A study of <i>mobile</i> things'
    )
    assert csl['title-short'] == 'The <span class="nocase">iPhone</span> and GPU revolution'
    # other fields keep their case; braces protect
    assert csl['container-title'] == (
        'Journal f<span class="nocase">ü</span>r <span class="nocase">IEEE</span> Things'
    )


def test_fully_braced_title_is_protected(tmp_path: Path) -> None:
    csl = csl_of(tmp_path, "@misc{a, title = {{Japan's First Arms Fair}}, year = 2019}")
    assert csl['title'] == '<span class="nocase">Japan\u2019s First Arms Fair</span>'


def test_non_english_titles_keep_their_case(tmp_path: Path) -> None:
    text = '@misc{a, title = {Die Zukunft Der Arbeit}, year = 2019}'
    database = load_bibfiles([write(tmp_path, 'a.bib', text)])
    entry = database.entries['a']
    assert entry_to_csl(entry)['title'] == 'Die zukunft der arbeit'
    assert entry_to_csl(entry, lang='de-DE')['title'] == 'Die Zukunft Der Arbeit'
    langid = load_bibfiles(
        [write(tmp_path, 'b.bib', text.replace('year', 'langid={german}, year'))]
    )
    csl = entry_to_csl(langid.entries['a'])
    assert (csl['title'], csl['language']) == ('Die Zukunft Der Arbeit', 'de-DE')


def test_techreport_mapping(tmp_path: Path) -> None:
    csl = csl_of(
        tmp_path,
        """
        @techreport{a, author = {{Conflict Armament Research}}, title = {{Weapons}},
          institution = {Conflict Armament Research}, type = {Staff Report},
          number = {CAR-7}, address = {London}, year = 2017, month = dec,
          url = {https://example.org/r}, note = {A note}, keywords = {t6},
          verification = {VERIFIED}}
        """,
    )
    assert csl == {
        'id': 'a',
        'type': 'report',
        'author': [{'literal': 'Conflict Armament Research'}],
        'issued': {'date-parts': [[2017, 12]]},
        'title': 'Weapons',  # no lower-case word to protect: pandoc drops the protection
        'publisher': 'Conflict Armament Research',
        'publisher-place': 'London',
        'number': 'CAR-7',
        'genre': 'Staff Report',
        'URL': 'https://example.org/r',
        'note': 'A note',
    }


def test_misc_howpublished_url_or_publisher(tmp_path: Path) -> None:
    database = load_bibfiles(
        [
            write(
                tmp_path,
                'a.bib',
                r"""
                @misc{u, title = {T}, howpublished = {\url{https://example.org/x_y}}}
                @misc{p, title = {T}, howpublished = {The Mainichi (English edition)}}
                """,
            )
        ]
    )
    url = entry_to_csl(database.entries['u'])
    assert url['URL'] == 'https://example.org/x_y' and 'publisher' not in url
    assert url['type'] == ''  # pandoc's (see test_entry_types_map_as_pandoc_does)
    assert entry_to_csl(database.entries['p'])['publisher'] == 'The Mainichi (English edition)'


#: The item types of the CSL 1.0.2 schema (csl-types.rnc, csl-data.json).
CSL_TYPES = frozenset(
    {
        'article',
        'article-journal',
        'article-magazine',
        'article-newspaper',
        'bill',
        'book',
        'broadcast',
        'chapter',
        'classic',
        'collection',
        'dataset',
        'document',
        'entry',
        'entry-dictionary',
        'entry-encyclopedia',
        'event',
        'figure',
        'graphic',
        'hearing',
        'interview',
        'legal_case',
        'legislation',
        'manuscript',
        'map',
        'motion_picture',
        'musical_score',
        'pamphlet',
        'paper-conference',
        'patent',
        'performance',
        'periodical',
        'personal_communication',
        'post',
        'post-weblog',
        'regulation',
        'report',
        'review',
        'review-book',
        'software',
        'song',
        'speech',
        'standard',
        'thesis',
        'treaty',
        'webpage',
    }
)


@pytest.mark.parametrize(
    ('entry_type', 'csl_type', 'genre'),
    [
        # What pandoc 3.9's own reader makes of them (pandoc -f bibtex -t csljson).
        ('online', 'webpage', None),
        ('electronic', 'webpage', None),
        ('www', 'webpage', None),
        ('unpublished', 'manuscript', None),
        ('manual', 'book', None),
        ('booklet', 'pamphlet', None),
        ('proceedings', 'book', None),
        ('phdthesis', 'thesis', 'PhD thesis'),
        ('mastersthesis', 'thesis', 'Master\u2019s thesis'),
        ('review', 'review', None),
        ('software', 'software', None),
        ('data', 'dataset', None),  # biblatex-apa's types
        ('letters', 'personal_communication', None),
        ('newsarticle', 'article-newspaper', None),
        # No CSL type formats like pandoc's empty one in every style (see bib._UNTYPED).
        ('misc', '', None),
        ('foo', '', None),
    ],
)
def test_entry_types_map_as_pandoc_does(
    tmp_path: Path, entry_type: str, csl_type: str, genre: str | None
) -> None:
    csl = csl_of(
        tmp_path, f'@{entry_type}{{a, author = {{Doe, Jane}}, title = {{T}}, year = 2000}}'
    )
    assert csl['type'] == csl_type
    assert csl.get('genre') == genre


def test_every_mapped_type_is_a_csl_type() -> None:
    mapped = set(bib._CSL_TYPES.values()) - {bib._UNTYPED}
    assert mapped <= CSL_TYPES, mapped - CSL_TYPES


def test_an_unknown_entry_type_is_formatted_as_misc(tmp_path: Path) -> None:
    fields = 'author = {Doe, Jane}, title = {T}, howpublished = {Somewhere}, year = 2000'
    database = load_bibfiles(
        [write(tmp_path, 'a.bib', f'@misc{{m, {fields}}}\n@foo{{f, {fields}}}\n')]
    )
    misc, unknown = (entry_to_csl(database.entries[key]) for key in ('m', 'f'))
    assert unknown == misc | {'id': 'f'}


def test_chapter_and_paper_mapping(tmp_path: Path) -> None:
    database = load_bibfiles(
        [
            write(
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
        ]
    )
    chapter = entry_to_csl(database.entries['c'])
    assert chapter['type'] == 'chapter'
    # pandoc's sentence case, which the style turns back into title case where it wants it
    assert chapter['container-title'] == 'Chairman xi remakes the PLA'
    assert chapter['editor'] == [{'family': 'Saunders', 'given': 'Phillip C.'}]
    assert chapter['page'] == '10-20'  # citeproc formats the range (en dash)
    assert (chapter['chapter-number'], chapter['edition']) == ('3', '2')
    assert (chapter['collection-title'], chapter['collection-number']) == ('China studies', '5')
    assert (chapter['volume'], chapter['ISBN']) == ('4', '978-1')
    paper = entry_to_csl(database.entries['p'])
    assert (paper['type'], paper['publisher']) == ('paper-conference', 'AIAA')
    assert paper['DOI'] == '10.2514/6.2015-3187'
    article = entry_to_csl(database.entries['j'])
    assert article['type'] == 'article-journal'
    assert (article['container-title'], article['issue']) == ('Nature', '2')
    assert (article['ISSN'], article['language']) == ('0028-0836', 'en-US')
    assert article['issued'] == {'date-parts': [[2020]]}


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
    csl = entry_to_csl(database.entries['child'])
    assert csl['container-title'] == 'Proceedings of things'
    assert (csl['publisher'], csl['issued']) == ('P', {'date-parts': [[2001]]})


def test_entry_to_csl_is_memoized_and_returns_fresh_dicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = BibEntry('k', 'misc', (('title', 'A {B} c'),), 'x.bib', 1)
    builds: list[BibEntry] = []
    real = bib._CslBuilder.build

    def counting(self: Any) -> dict[str, Any]:
        builds.append(self.entry)
        return real(self)

    monkeypatch.setattr(bib._CslBuilder, 'build', counting)
    bib._entry_to_csl_cached.cache_clear()
    first = entry_to_csl(entry)
    first['title'] = 'changed'
    second = entry_to_csl(entry)
    assert second['title'] == 'A B c'
    assert len(builds) == 1


def test_keywords_and_verification_stay_out_of_csl() -> None:
    entries = load_bibfiles([DATA / 'seed-panel.bib']).entries
    for entry in entries.values():
        csl = entry_to_csl(entry)
        assert 'keyword' not in csl and 'verification' not in csl
        assert csl['id'] == entry.key
