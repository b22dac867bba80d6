"""Where one Sphinx build spends its time, its garbage collector and its memory.

``python benchmarks/phases.py SOURCEDIR OUTDIR [sphinx-build options]``

Runs ``sphinx-build -b html -q SOURCEDIR OUTDIR`` in this process and prints, per phase,
the wall time, the time spent in Python's cyclic garbage collector, the number of full
(generation 2) and young collections, and the largest resident set size sampled during
the phase (every 5 ms). The phases are start-up (loading the environment), Sphinx's
reading (which includes ``env-updated``, where sphinx-briefing's cross-document step and
its pandoc run happen), pickling the environment, and, in the write phase,
resolving each page (``get_and_resolve_doctree``: post-transforms, where collections are
filled, and ``doctree-resolved``, where boxes get their headers) and writing it (the
translator and the template), grouped by the kind of page the benchmark corpus has
(``themes``, ``brief``, ``matrix`` …). Run it on both twins of a corpus made by
``generate.py`` to see where the difference between them lies; RESULTS.md shows one such
pair. Like cProfile, it is a diagnosis, not a measurement for the ratios: ``run.py`` makes
those.
"""

from __future__ import annotations

import atexit
import gc
import re
import runpy
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment

PAGE_KINDS = re.compile(r'(themes|brief|matrix|question-index|bibliography|participants|index)')


class Phases:
    def __init__(self) -> None:
        self.current = 'start-up'
        self.started = time.perf_counter()
        self.wall: Counter[str] = Counter()
        self.gc_time: Counter[str] = Counter()
        self.full: Counter[str] = Counter()
        self.young: Counter[str] = Counter()
        self.rss: Counter[str] = Counter()
        self._gc_started = 0.0
        # Sampled, not read when a phase ends: a phase may free what it peaked with.
        threading.Thread(target=self._sample_rss, daemon=True).start()

    def _sample_rss(self) -> None:
        while True:
            phase = self.current
            self.rss[phase] = max(self.rss[phase], _rss_mib())
            time.sleep(0.005)

    def switch(self, phase: str) -> str:
        now = time.perf_counter()
        self.wall[self.current] += now - self.started
        self.started = now
        previous, self.current = self.current, phase
        return previous

    def on_gc(self, event: str, info: dict[str, int]) -> None:
        if event == 'start':
            self._gc_started = time.perf_counter()
            return
        self.gc_time[self.current] += time.perf_counter() - self._gc_started
        (self.full if info['generation'] == 2 else self.young)[self.current] += 1

    def report(self) -> None:
        self.switch('end')
        print(
            f'{"phase":26s} {"wall s":>8s} {"GC s":>8s} {"full GCs":>9s} {"young GCs":>10s}'
            f' {"peak RSS MiB":>12s}',
            file=sys.stderr,
        )
        for phase in sorted(self.wall, key=lambda p: -self.wall[p]):
            print(
                f'{phase:26s} {self.wall[phase]:8.2f} {self.gc_time[phase]:8.2f}'
                f' {self.full[phase]:9d} {self.young[phase]:10d} {self.rss[phase]:12d}',
                file=sys.stderr,
            )
        print(
            f'{"total":26s} {sum(self.wall.values()):8.2f} {sum(self.gc_time.values()):8.2f}'
            f' {sum(self.full.values()):9d} {sum(self.young.values()):10d}'
            f' {max(self.rss.values()):12d}',
            file=sys.stderr,
        )


def _rss_mib() -> int:
    with Path('/proc/self/status').open(encoding='ascii') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) // 1024
    return 0


def _page_kind(docname: str) -> str:
    found = PAGE_KINDS.match(docname)
    return found.group(1) if found else 'other'


def _timed(
    phases: Phases,
    cls: type,
    name: str,
    label: Callable[[tuple[Any, ...]], str],
    then: str | None = None,
) -> None:
    """Count calls of ``cls.name`` as the phase *label* names; afterwards, go back to the
    phase that was current, or on to the phase *then*."""
    original = getattr(cls, name)

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        previous = phases.switch(label(args))
        try:
            return original(self, *args, **kwargs)
        finally:
            phases.switch(then or previous)

    setattr(cls, name, timed)


def main() -> None:
    phases = Phases()
    gc.callbacks.append(phases.on_gc)
    # Between reading and writing, Sphinx checks and pickles the environment.
    _timed(
        phases, Builder, 'read', lambda args: 'read (and env-updated)', then='pickle environment'
    )
    _timed(phases, Builder, 'write', lambda args: 'write: other', then='after writing')
    _timed(
        phases,
        BuildEnvironment,
        'get_and_resolve_doctree',
        lambda args: f'resolve: {_page_kind(args[0])}',
    )
    _timed(phases, StandaloneHTMLBuilder, 'write_doc', lambda args: f'write: {_page_kind(args[0])}')
    _timed(phases, StandaloneHTMLBuilder, 'finish', lambda args: 'finish')
    atexit.register(phases.report)
    sys.argv = ['sphinx', '-b', 'html', '-q', *sys.argv[1:]]
    runpy.run_module('sphinx', run_name='__main__')


if __name__ == '__main__':
    main()
