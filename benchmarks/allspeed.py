"""The time of a ``:all:`` bibliography of one .bib file, against pandoc alone.

Three runs, each timed by the wall clock and by the processor time of this process and
of the pandoc processes it starts (on a shared machine the second is the steadier):

* pandoc alone: ``pandoc --citeproc --bibliography FILE --csl STYLE`` with ``nocite: @*``;
* the extension, first build: bibtexparser parses the file, pandoc's reader reads it
  (:mod:`.reader`), citeproc formats every entry;
* the extension, a later build: the parse and the reading come from their caches (as
  when a citation was added or the style changed), citeproc formats every entry.

Usage::

    python benchmarks/allspeed.py FILE.bib [--style apa] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx_briefing.citations import citeproc
from sphinx_briefing.citations.bibtex import load_bibfiles
from sphinx_briefing.citations.reader import references_for


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """The best wall time and the best processor time of *repeat* runs."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, processor = time.perf_counter(), cpu()
        result = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu() - processor)
    return min(walls), min(cpus), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('file', type=Path)
    parser.add_argument('--style', default='apa')
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args(argv)
    pandoc = citeproc._pandoc_path()
    style = citeproc.resolve_style(args.style, Path.cwd())

    def alone() -> int:
        document = citeproc._document([], lang=None, include_all=True)
        output, _ = citeproc._citeproc(pandoc, document, args.file, style)
        return len(citeproc._collect_bibliography(output, citeproc._quotes(None)))

    def extension(cache_dir: Path | None) -> int:
        database = load_bibfiles([args.file], cache_dir=cache_dir)
        items, _ = references_for(
            database.entries, list(database.entries), lang=None, pandoc=pandoc, cache_dir=cache_dir
        )
        formatted = citeproc.format_citations(style, items, [], include_all=True)
        return len(formatted.bibliography)

    base_wall, base_cpu, count = timed(alone, args.repeat)
    print(f'{args.file.name}, {args.style}, {count} entries')
    print(f'  pandoc alone:      {base_wall:6.2f} s wall, {base_cpu:6.2f} s processor')
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ('extension, first build', lambda: extension(None)),
            ('extension, later build', lambda: extension(Path(tmp))),
        ]
        extension(Path(tmp))  # fills the caches for the second row
        for label, run in rows:
            wall, processor, got = timed(run, args.repeat)
            print(
                f'  {label}: {wall:6.2f} s wall, {processor:6.2f} s processor '
                f'({wall / base_wall:.2f}x, {processor / base_cpu:.2f}x); {got} entries'
            )
    return 0


if __name__ == '__main__':
    sys.exit(main())
