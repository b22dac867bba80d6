"""How many bibliography entries the extension renders exactly as pandoc alone renders them.

For each file given (.bib, .bibtex, CSL-JSON .json, CSL-YAML .yaml) and each style, every
entry is rendered twice into a bibliography:

* through the extension's path: bibtexparser parses the file, :mod:`.reader` reads the
  entries with pandoc's reader, :func:`.citeproc.format_citations` formats them;
* through pandoc alone: ``pandoc --citeproc --bibliography FILE --csl STYLE`` with
  ``nocite: @*``;

and both results are collected by the same code, so that a difference is a difference
in what a reader would see. Entries that differ are listed by class. Where the
extension differs on purpose, because pandoc is wrong (a key defined twice: pandoc keeps
the last definition; ``\\textemdash`` dropped; "403th series"), the entry is counted
apart and left out of the share.

Usage::

    python benchmarks/fidelity.py FILE [FILE ...] [--style NAME ...] [--show N]

The real files measured for the README are not in the repository (see README, section
Citations, for their public repositories and paths).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sphinx_briefing.citations import citeproc
from sphinx_briefing.citations.bibtex import BibDatabase, load_bibfiles
from sphinx_briefing.citations.reader import references_for

STYLES = (
    'chicago-author-date',
    'apa',
    'ieee',
    'chicago-notes-bibliography',
)


def pandoc_alone(
    path: Path, style: Path | None, pandoc: str, lang: str | None
) -> dict[str, tuple[Any, ...]]:
    """Every entry of *path* as ``pandoc --citeproc --bibliography path`` renders it."""
    document = citeproc._document([], lang=lang, include_all=True)
    output, _ = citeproc._citeproc(pandoc, document, path, style)
    return dict(citeproc._collect_bibliography(output, citeproc._quotes(lang)))


def extension(
    database: BibDatabase, style: Path | None, pandoc: str, lang: str | None
) -> tuple[dict[str, tuple[Any, ...]], list[tuple[str, str]]]:
    """Every entry as the extension renders it (a ``:all:`` bibliography)."""
    items, problems = references_for(
        database.entries, list(database.entries), lang=lang, pandoc=pandoc
    )
    formatted = citeproc.format_citations(style, items, [], lang=lang, include_all=True)
    return dict(formatted.bibliography), problems


def pandoc_error(database: BibDatabase, key: str) -> str | None:
    """Why the extension renders *key* differently from pandoc on purpose, if it does."""
    if any(p.subtype == 'duplicate_key' and repr(key) in p.message for p in database.problems):
        return 'key defined twice: pandoc keeps the last definition, BibTeX and biber the first'
    entry = database.entries.get(key)
    if entry is None:
        return None
    raw = ' '.join(value for _, value in entry.fields)
    if re.search(r'\\text(em|en)dash(?![A-Za-z])', raw):
        return 'pandoc drops \\textemdash and \\textendash'
    series = entry.get('series')
    if series is not None and re.fullmatch(r'\s*\{?\s*\d+\s*\}?\s*', series):
        return 'pandoc writes a numeric series as "403th series"'
    return None


def difference_class(ours: tuple[Any, ...] | None, theirs: tuple[Any, ...] | None) -> str:
    if ours is None:
        return 'missing from the extension'
    if theirs is None:
        return 'missing from pandoc'
    a, b = citeproc.rich_to_text(ours), citeproc.rich_to_text(theirs)
    if a == b:
        return 'same text, other markup'
    if a.casefold() == b.casefold():
        return 'letter case'
    if sorted(a.split()) == sorted(b.split()):
        return 'word order'
    if re.sub(r'\W', '', a) == re.sub(r'\W', '', b):
        return 'punctuation or spacing'
    return 'text'


def measure(
    path: Path, styles: Sequence[str], pandoc: str, lang: str | None, show: int
) -> list[dict[str, Any]]:
    database = load_bibfiles([path])
    rows = []
    for name in styles:
        style = citeproc.resolve_style(name, Path.cwd())
        started = time.perf_counter()
        ours, problems = extension(database, style, pandoc, lang)
        ours_time = time.perf_counter() - started
        started = time.perf_counter()
        try:
            theirs = pandoc_alone(path, style, pandoc, lang)
        except citeproc.CiteprocError as exc:
            print(f'{path.name} / {name}: pandoc alone fails: {exc}', file=sys.stderr)
            theirs = {}
        theirs_time = time.perf_counter() - started
        keys = list(dict.fromkeys([*theirs, *ours]))
        same = 0
        errors: Counter[str] = Counter()
        classes: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for key in keys:
            a, b = ours.get(key), theirs.get(key)
            if a == b:
                same += 1
                continue
            why = pandoc_error(database, key)
            if why is not None:
                errors[why] += 1
                continue
            kind = difference_class(a, b)
            classes[kind] += 1
            examples.setdefault(kind, [])
            if len(examples[kind]) < show:
                examples[kind].append(
                    f'    {key}\n      ext:    {citeproc.rich_to_text(a or ())}\n'
                    f'      pandoc: {citeproc.rich_to_text(b or ())}'
                )
        counted = len(keys) - sum(errors.values())
        share = same / counted if counted else 1.0
        rows.append(
            {
                'file': path.name,
                'style': name,
                'entries': len(keys),
                'identical': same,
                'share': share,
                'pandoc_errors': dict(errors),
                'classes': dict(classes),
                'seconds': (ours_time, theirs_time),
            }
        )
        print(
            f'{path.name:40} {name:28} {same:5}/{counted:<5} {share:7.2%}  '
            f'pandoc errors: {sum(errors.values())}  '
            f'({ours_time:.2f} s, pandoc alone {theirs_time:.2f} s)'
        )
        for problem in problems:
            print(f'    reader: {problem}')
        for why, count in errors.items():
            print(f'    pandoc error, {count}: {why}')
        for kind, count in classes.most_common():
            print(f'    differ, {count}: {kind}')
            for example in examples.get(kind, []):
                print(example)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('files', nargs='+', type=Path)
    parser.add_argument('--style', action='append', help='a style name (default: four)')
    parser.add_argument('--lang', default=None, help="the document language, e.g. 'de'")
    parser.add_argument('--show', type=int, default=3, help='examples shown per class')
    args = parser.parse_args(argv)
    pandoc = citeproc._pandoc_path()
    worst = 1.0
    for path in args.files:
        for row in measure(path, args.style or STYLES, pandoc, args.lang, args.show):
            worst = min(worst, row['share'])
    print(f'lowest share identical: {worst:.2%}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
