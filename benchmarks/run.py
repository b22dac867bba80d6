"""Build the benchmark corpus with sphinx-briefing, as bare Sphinx and (with ``--peers``) with
sphinxcontrib-bibtex and sphinx-needs, and compare.

``python benchmarks/run.py --docs 500 --rounds 3 [--sizes 100,500] [--peers] [--json out.json]``

For each size the corpus is generated (``generate.py``), then every round builds both twins
in the same run, interleaved (briefing, bare, briefing, bare …), each build a
``python -m sphinx -b html -q`` subprocess:

* full build ``-j 1`` and ``-j 2``, into fresh output folders;
* incremental build ``-j 1`` after editing one question (in every twin), in the ``-j 1``
  output folder of that round;
* no-op build ``-j 1`` right after it, nothing changed;
* with ``floor``: the floor twin (``floor.py``: the bare twin with every collection page
  holding the text that round's briefing build wrote on it), full build ``-j 1``, so the
  cost of the collection pages' text alone, built by bare Sphinx, is measured too;
* with ``--peers``: the same text citing through sphinxcontrib-bibtex, and with questions
  and positions as sphinx-needs needs, in the ``-j 1`` builds (full, incremental, no-op) of
  every round, each right after sphinx-briefing and bare;

and it records wall time, peak memory (the child's maximum resident set size, from
``os.wait4``), the pages written and the documents re-read (files newer than the build's
start).  After each incremental build it checks that the collection pages showing the edited
question (question index, the panel's position matrix, the addressees' briefs) show its new
text, and, with ``--peers``, whether sphinx-needs' needtable does and sphinxcontrib-bibtex's
bibliography still lists the works it listed.  It also times loading ``refs.bib`` with
``citations.bibtex.load_bibfiles`` (no cache) against ``pybtex.database.parse_file``, in
this process.

A failed build is reported (exit status and the first 30 lines of its output) and the run
carries on; the exit status of the runner is 1 if any build failed.
"""

from __future__ import annotations

import argparse
import html
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from floor import make_floor
from generate import PEER_TWINS, EditInfo, apply_edit, generate

from sphinx_briefing.citations.citeproc import CiteprocError

TWINS = ('briefing', 'bare')
#: With ``--peers``: the twins that cite through sphinxcontrib-bibtex and hold questions and
#: positions as sphinx-needs needs (``generate.py``), built in the same rounds.
PEERS = PEER_TWINS
PEER_NAMES = {'bibtex': 'sphinxcontrib-bibtex', 'needs': 'sphinx-needs'}
PEER_MODULES = {'bibtex': 'sphinxcontrib.bibtex', 'needs': 'sphinx_needs'}
#: The measurements the peers take part in.
PEER_MEASUREMENTS = frozenset({'full1', 'incremental', 'noop'})
#: The page each peer fills from the records of other documents, and the directive filling it.
PEER_PAGES = {'bibtex': ('bibliography', 'bibliography'), 'needs': ('question-index', 'needtable')}
REPO = Path(__file__).resolve().parent.parent
MEASUREMENTS = ('full1', 'full2', 'incremental', 'noop', 'bib', 'floor')
#: The floor twin is asked for by name: a third full build a round, and its memory grows
#: with the collection pages' text (1.5 GiB at N = 500).
DEFAULT_MEASUREMENTS = tuple(m for m in MEASUREMENTS if m != 'floor')
#: Targets from issue 6: ratio limits (briefing ÷ bare) for the build measurements.
TARGETS = {'full1': 1.10, 'full2': 1.10, 'rss1': 1.20, 'incremental': 2.0}
#: Pages Sphinx writes on every build besides those bare Sphinx writes (genindex, search):
#: the extension's domain index, which Sphinx regenerates like every domain index.
DOMAIN_INDEX_PAGES = frozenset({'briefing-questions.html'})


# --------------------------------------------------------------------------- machine


def machine_details() -> dict[str, Any]:
    cpu = 'unknown'
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib: float | None = None
    try:
        for line in Path('/proc/meminfo').read_text().splitlines():
            if line.startswith('MemTotal:'):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions: dict[str, str] = {}
    for dist in (
        'sphinx',
        'myst-parser',
        'docutils',
        'alabaster',
        'sphinx-briefing',
        'bibtexparser',
        'pybtex',
        'pylatexenc',
        *PEER_NAMES.values(),
    ):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = 'not installed'
    return {
        'date': datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'),
        'cpu': cpu,
        'cores': os.cpu_count(),
        'usable_cores': len(os.sched_getaffinity(0)),
        'ram_gib': ram_gib,
        'os': platform.platform(),
        'python': platform.python_version(),
        'versions': versions,
        'sphinx_briefing_commit': _git_commit(),
    }


def extension_fingerprint() -> str:
    """A hash of the installed sphinx_briefing sources, to notice edits during a run."""
    import hashlib
    import importlib.util

    spec = importlib.util.find_spec('sphinx_briefing')
    if spec is None or not spec.submodule_search_locations:
        return 'not installed'
    digest = hashlib.sha256()
    for location in spec.submodule_search_locations:
        for path in sorted(Path(location).rglob('*.py')):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _git_commit() -> str:
    try:
        head = subprocess.run(
            ['git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD'],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ['git', '-C', str(REPO), 'status', '--porcelain', '--', 'sphinx_briefing'],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return head + (' + uncommitted changes in sphinx_briefing/' if dirty else '')


# --------------------------------------------------------------------------- one build


@dataclass
class Build:
    """One ``sphinx-build`` run."""

    size: int
    round: int
    twin: str
    kind: str  # full1, full2, incremental, noop
    jobs: int
    seconds: float
    max_rss_mib: float
    returncode: int
    log: str
    warnings: int
    pages_written: int
    docs_read: int
    #: For incremental and no-op builds: the pages written (paths relative to the output).
    written: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _newer_than(root: Path, pattern: str, start_ns: int) -> list[str]:
    found: list[str] = []
    if not root.exists():
        return found
    for path in root.rglob(pattern):
        try:
            if path.stat().st_mtime_ns >= start_ns:
                found.append(path.relative_to(root).as_posix())
        except OSError:
            pass
    return sorted(found)


def run_sphinx(
    src: Path, out: Path, jobs: int, log: Path, label: tuple[int, int, str, str]
) -> Build:
    """Build *src* into *out* in a child process; time it and read its peak memory."""
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-q', '-j', str(jobs), str(src), str(out)]
    log.parent.mkdir(parents=True, exist_ok=True)
    # Timestamps of written files are compared with this; step back a little for coarse clocks.
    start_ns = time.time_ns() - 5_000_000
    with log.open('wb') as stream:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stream, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding='utf-8', errors='replace')
    size, rnd, twin, kind = label
    written = _newer_than(out, '*.html', start_ns)
    return Build(
        size=size,
        round=rnd,
        twin=twin,
        kind=kind,
        jobs=jobs,
        seconds=seconds,
        # Linux reports ru_maxrss in KiB; for -j 2 it is the largest single process.
        max_rss_mib=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        log=str(log),
        warnings=sum('WARNING:' in line for line in text.splitlines()),
        pages_written=len(written),
        docs_read=len(_newer_than(out / '.doctrees', '*.doctree', start_ns)),
        written=written if kind in ('incremental', 'noop') else [],
    )


def report_failure(build: Build) -> None:
    lines = Path(build.log).read_text(encoding='utf-8', errors='replace').splitlines()
    print(
        f'!! FAILED: {build.twin} {build.kind} (N={build.size}, round {build.round}, '
        f'-j {build.jobs}): exit status {build.returncode}; first 30 lines of its output '
        f'({build.log}):'
    )
    for line in lines[:30]:
        print(f'!!   {line}')
    if len(lines) > 30:
        print(f'!!   … ({len(lines) - 30} more lines; the last ones:)')
        for line in lines[max(30, len(lines) - 8) :]:
            print(f'!!   {line}')
    if not lines:
        print('!!   (no output)')


# --------------------------------------------------------------------------- correctness


@dataclass
class PageCheck:
    round: int
    page: str
    status: str  # refreshed / STALE / not checked: …
    detail: str = ''
    twin: str = 'briefing'
    #: What was checked: the edited question's text, or (sphinxcontrib-bibtex's
    #: bibliography) the works the page lists.
    aspect: str = 'question text'


def _page_text(path: Path) -> str:
    """The page's HTML with entities decoded and whitespace collapsed (attributes kept)."""
    return re.sub(r'\s+', ' ', html.unescape(path.read_text(encoding='utf-8', errors='replace')))


def index_part_showing(pages: dict[str, str], edit: dict[str, Any], out: Path) -> dict[str, str]:
    """*pages*, with the question index replaced by the part that holds the edited
    question's row when the index is split into parts (found through the question's
    "Question index" link on its own page)."""
    theme = out / f'{edit["docname"]}.html'
    if not theme.exists():
        return pages
    found = re.search(
        # the anchor of the question's row: '…-question-<id>' (its prefix names the index)
        r'href="([^"#]*question-index[^"#]*)#[^"]*-question-' + re.escape(edit['question']) + '"',
        theme.read_text(encoding='utf-8', errors='replace'),
    )
    if found is None:
        return pages
    part = (theme.parent / found.group(1)).resolve().relative_to(out.resolve())
    name = part.as_posix().removesuffix('.html')
    index = next((p for p, d in pages.items() if d == 'question-index'), None)
    if index is None or name == index:
        return pages
    return {(name if p == index else p): d for p, d in pages.items()}


def _unknown_directives(log: str) -> set[str]:
    text = Path(log).read_text(encoding='utf-8', errors='replace')
    return set(re.findall(r"Unknown directive type:? '?\"?([\w:-]+)", text))


def check_pages(
    rnd: int,
    edit: EditInfo,
    pages: dict[str, str],
    full: Build | None,
    incremental: Build | None,
    full_out: Path,
    baseline: dict[str, bool],
    twin: str = 'briefing',
) -> list[PageCheck]:
    """Do the collection pages show the edited question's new text after the incremental
    build?  *pages* maps page name → the directive that fills it; *baseline* says which
    pages showed the question's text after the full build."""
    checks = _check_texts(rnd, edit, pages, full, incremental, full_out, baseline, twin)
    for check in checks:
        check.twin = twin
    return checks


def _check_texts(
    rnd: int,
    edit: EditInfo,
    pages: dict[str, str],
    full: Build | None,
    incremental: Build | None,
    full_out: Path,
    baseline: dict[str, bool],
    twin: str,
) -> list[PageCheck]:
    checks: list[PageCheck] = []
    if full is None or incremental is None or not full.ok or not incremental.ok:
        return [PageCheck(rnd, p, f'not checked: the {twin} build failed') for p in pages]
    unknown = _unknown_directives(full.log)
    # The whole old text: the generator's questions share openings, and a 40-character
    # probe matched two other questions at N = 1,000 (a false "STALE").
    old_probe = edit.old_text
    for page, directive in pages.items():
        path = full_out / f'{page}.html'
        if directive in unknown:
            checks.append(
                PageCheck(
                    rnd,
                    page,
                    f'not checked: the extension has no {directive!r} directive yet',
                )
            )
            continue
        if not path.exists():
            checks.append(PageCheck(rnd, page, 'not checked: page not built'))
            continue
        text = _page_text(path)
        has_new = edit.marker in text
        has_old = old_probe in text
        if has_new and not has_old:
            checks.append(PageCheck(rnd, page, 'refreshed'))
        elif has_old and not has_new:
            checks.append(PageCheck(rnd, page, 'STALE', 'still shows the old question text'))
        elif has_old and has_new:
            checks.append(PageCheck(rnd, page, 'STALE', 'shows both the old and the new text'))
        elif baseline.get(page):
            checks.append(
                PageCheck(rnd, page, 'LOST', 'showed the question after the full build, not now')
            )
        else:
            checks.append(
                PageCheck(rnd, page, 'not checked: the page does not show question texts')
            )
    return checks


_BIB_LABEL = re.compile(
    r'role="doc-biblioentry">\s*<span class="label"><span class="fn-bracket">\[</span>(.*?)'
    r'<span class="fn-bracket">\]'
)


def listed_works(path: Path) -> list[str] | None:
    """The labels of the works a sphinxcontrib-bibtex bibliography page lists, or None
    when there is no such page."""
    if not path.exists():
        return None
    return _BIB_LABEL.findall(path.read_text(encoding='utf-8', errors='replace'))


def check_works(rnd: int, page: str, before: list[str] | None, out: Path) -> PageCheck:
    """The edit cites nothing new, so the bibliography must list the works it listed after
    the full build, no fewer and no more."""
    after = listed_works(out / f'{page}.html')
    check = PageCheck(rnd, page, '', twin='bibtex', aspect='cited works')
    if before is None or after is None:
        check.status = 'not checked: page not built'
    elif not before:
        check.status = 'not checked: the full build listed no works'
    elif before == after:
        check.status = 'unchanged'
        check.detail = f'lists the {len(after)} works it listed after the full build'
    else:
        lost, gained = set(before) - set(after), set(after) - set(before)
        check.status = 'CHANGED'
        check.detail = (
            f'{len(before)} works after the full build, {len(after)} now'
            f' ({len(lost)} lost, {len(gained)} gained)'
        )
    return check


def check_baseline(edit_text: str, pages: dict[str, str], out: Path) -> dict[str, bool]:
    """After the full build: which collection pages show the question's text at all."""
    probe = edit_text
    return {
        page: (out / f'{page}.html').exists() and probe in _page_text(out / f'{page}.html')
        for page in pages
    }


# --------------------------------------------------------------------------- .bib loading


def bench_bib(path: Path, rounds: int) -> dict[str, Any]:
    """Time sphinx_briefing's loader (no cache) against pybtex on the same file."""
    result: dict[str, Any] = {'file': str(path), 'rounds': rounds}
    loaders: dict[str, Callable[[], int]] = {}
    try:
        from sphinx_briefing.citations.bibtex import load_bibfiles

        def briefing() -> int:
            return len(load_bibfiles([path], None).entries)

        loaders['sphinx_briefing.citations.bibtex.load_bibfiles'] = briefing
    except Exception as exc:  # the extension side is still being built
        result['error_briefing'] = f'{type(exc).__name__}: {exc}'
    try:
        from pybtex.database import parse_file

        def pybtex() -> int:
            return len(parse_file(str(path), bib_format='bibtex').entries)

        loaders['pybtex.database.parse_file'] = pybtex
    except Exception as exc:
        result['error_pybtex'] = f'{type(exc).__name__}: {exc}'
    times: dict[str, list[float]] = {name: [] for name in loaders}
    entries: dict[str, int] = {}
    for name, load in loaders.items():  # warm-up: imports, regex compilation
        try:
            entries[name] = load()
        except Exception as exc:
            result[f'error {name}'] = f'{type(exc).__name__}: {exc}'
    for _ in range(rounds):
        for name, load in loaders.items():
            if name not in entries:
                continue
            began = time.perf_counter()
            load()
            times[name].append(time.perf_counter() - began)
    result['entries'] = entries
    result['seconds'] = {name: t for name, t in times.items() if t}
    return result


# --------------------------------------------------------------------------- statistics


def _stats(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {'median': statistics.median(values), 'min': min(values), 'max': max(values)}


def _fmt(st: dict[str, float] | None, unit: str, digits: int = 2) -> str:
    if st is None:
        return 'failed'
    return f'{st["median"]:.{digits}f} {unit} ({st["min"]:.{digits}f}–{st["max"]:.{digits}f})'


@dataclass
class SizeResult:
    size: int
    corpus: dict[str, Any]
    builds: list[Build] = field(default_factory=list)
    checks: list[PageCheck] = field(default_factory=list)
    baseline: list[dict[str, bool]] = field(default_factory=list)
    edits: list[dict[str, str]] = field(default_factory=list)
    #: What each round's floor twin held (``floor.make_floor``).
    floor: list[dict[str, int]] = field(default_factory=list)

    def values(self, twin: str, kind: str, attr: str = 'seconds') -> list[float]:
        return [
            float(getattr(b, attr))
            for b in self.builds
            if b.twin == twin and b.kind == kind and b.ok
        ]

    def paired(
        self, kind: str, attr: str = 'seconds', twins: tuple[str, str] = ('briefing', 'bare')
    ) -> list[float]:
        """Ratios twins[0] ÷ twins[1], one per round in which both builds succeeded."""
        ratios = []
        rounds = sorted({b.round for b in self.builds})
        for rnd in rounds:
            pair = {
                b.twin: float(getattr(b, attr))
                for b in self.builds
                if b.kind == kind and b.round == rnd and b.ok and b.twin in twins
            }
            if len(pair) == 2 and pair[twins[1]] > 0:
                ratios.append(pair[twins[0]] / pair[twins[1]])
        return ratios

    def extra_pages(self, kind: str) -> list[str]:
        """Pages the briefing build wrote that bare Sphinx did not in the same round,
        other than the extension's domain index."""
        extra: set[str] = set()
        for rnd in sorted({b.round for b in self.builds}):
            pair = {
                b.twin: b
                for b in self.builds
                if b.kind == kind and b.round == rnd and b.ok and b.twin in TWINS
            }
            if len(pair) == 2:
                extra |= set(pair['briefing'].written) - set(pair['bare'].written)
        return sorted(extra - DOMAIN_INDEX_PAGES)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kind in ('full1', 'full2', 'incremental', 'noop'):
            for attr, key in (('seconds', kind), ('max_rss_mib', f'rss_{kind}')):
                if attr == 'max_rss_mib' and kind not in ('full1', 'full2'):
                    continue
                b, a = self.values('briefing', kind, attr), self.values('bare', kind, attr)
                if not b and not a:
                    continue
                entry: dict[str, Any] = {'briefing': _stats(b), 'bare': _stats(a)}
                entry['paired_ratios'] = None
                if b and a:
                    entry['ratio'] = statistics.median(b) / statistics.median(a)
                    entry['paired_ratios'] = _stats(self.paired(kind, attr))
                out[key] = entry
        for twin in TWINS:
            j1, j2 = self.values(twin, 'full1'), self.values(twin, 'full2')
            if j1 and j2:
                out.setdefault('j2_gain', {})[twin] = statistics.median(j1) / statistics.median(j2)
        for kind in ('incremental', 'noop'):
            for attr in ('pages_written', 'docs_read'):
                for twin in TWINS:
                    vals = self.values(twin, kind, attr)
                    if vals:
                        out.setdefault(f'{attr}_{kind}', {})[twin] = _stats(vals)
        if peers := self.peer_summary():
            out['peers'] = peers
        return out

    def peers(self) -> list[str]:
        """The peers built in this run."""
        return [peer for peer in PEERS if any(b.twin == peer for b in self.builds)]

    def peer_summary(self) -> dict[str, Any]:
        """Each measurement of every twin, and the paired ratios of each peer against bare
        and of sphinx-briefing against each peer (below 1: sphinx-briefing is ahead)."""
        peers = self.peers()
        out: dict[str, Any] = {}
        if not peers:
            return out
        for key, (kind, attr) in PEER_ROWS.items():
            entry: dict[str, Any] = {
                twin: _stats(self.values(twin, kind, attr)) for twin in (*TWINS, *peers)
            }
            ratios: dict[str, Any] = {}
            for peer in peers:
                for pair in ((peer, 'bare'), ('briefing', peer)):
                    first, second = (
                        self.values(pair[0], kind, attr),
                        self.values(pair[1], kind, attr),
                    )
                    if first and second and statistics.median(second) > 0:
                        ratios[f'{pair[0]}/{pair[1]}'] = {
                            'ratio': statistics.median(first) / statistics.median(second),
                            'paired': _stats(self.paired(kind, attr, pair)),
                        }
            entry['ratios'] = ratios
            out[key] = entry
        return out


#: The measurements the peers take part in, as (build kind, attribute).
PEER_ROWS = {
    'full1': ('full1', 'seconds'),
    'incremental': ('incremental', 'seconds'),
    'noop': ('noop', 'seconds'),
    'rss_full1': ('full1', 'max_rss_mib'),
    'pages_written_incremental': ('incremental', 'pages_written'),
    'docs_read_incremental': ('incremental', 'docs_read'),
    'pages_written_noop': ('noop', 'pages_written'),
    'docs_read_noop': ('noop', 'docs_read'),
}


# --------------------------------------------------------------------------- printing


def _target(ok: bool | None, text: str) -> str:
    if ok is None:
        return f'{text} –'
    return f'{text} {"✓" if ok else "✗"}'


def print_size(res: SizeResult, rounds: int) -> None:
    s = res.summary()
    st = res.corpus['stats']
    print()
    plural = 's' if rounds != 1 else ''
    print(f'## N = {res.size} documents ({rounds} round{plural}; median, min–max in brackets)')
    print()
    print(
        f'Corpus: {st["theme_documents"]} theme documents, {st["pages"]} pages, '
        f'{st["words_in_theme_documents"]:,} words ({st["words_per_document"]:,} per document), '
        f'{st["questions"]:,} questions ({st["follow_ups"]:,} follow-ups), '
        f'{st["positions"]:,} positions, {st["cite_roles"]:,} citations '
        f'({st.get("cite_postnote", 0):,} with a post-note) + '
        f'{st["position_sources"]:,} position sources ({st["distinct_works_cited"]:,} works), '
        f'{st["bib_entries"]:,} .bib entries, {st["panels"]} panel(s), '
        f'{st["brief_pages"]} briefs.'
    )
    print()
    print('| measurement | sphinx-briefing | bare Sphinx | ratio (paired) | Δ | target |')
    print('| --- | --- | --- | --- | --- | --- |')
    rows = (
        ('full1', 'full build `-j 1`', 's', 'full1'),
        ('full2', 'full build `-j 2`', 's', None),
        ('incremental', 'incremental `-j 1` (one question edited)', 's', 'incremental'),
        ('noop', 'no-op `-j 1`', 's', None),
        ('rss_full1', 'peak memory, full `-j 1`', 'MiB', 'rss1'),
        ('rss_full2', 'peak memory, full `-j 2` (largest process)', 'MiB', None),
    )
    for key, label, unit, target_key in rows:
        entry = s.get(key)
        if entry is None:
            continue
        digits = 0 if unit == 'MiB' else 2
        ratio = entry.get('ratio')
        paired = entry.get('paired_ratios')
        ratio_text = '–'
        delta = '–'
        target = '–'
        if ratio is not None:
            ratio_text = f'{ratio:.2f}×'
            if paired:
                ratio_text += f' ({paired["min"]:.2f}–{paired["max"]:.2f})'
            d = entry['briefing']['median'] - entry['bare']['median']
            delta = f'{d:+.{digits}f} {unit}'
            if target_key:
                limit = TARGETS[target_key]
                target = _target(ratio <= limit, f'≤ {limit:.2f}×')
        elif target_key:
            target = f'≤ {TARGETS[target_key]:.2f}× –'
        print(
            f'| {label} | {_fmt(entry["briefing"], unit, digits)} | '
            f'{_fmt(entry["bare"], unit, digits)} | {ratio_text} | {delta} | {target} |'
        )
    gain = s.get('j2_gain', {})
    if gain:
        b, a = gain.get('briefing'), gain.get('bare')
        ok = None if b is None or a is None else b >= a
        b_text = 'failed' if b is None else f'{b:.2f}×'
        a_text = 'failed' if a is None else f'{a:.2f}×'
        print(
            f'| `-j 2` gain (`-j 1` ÷ `-j 2`) | {b_text} | {a_text} | – | – | '
            f'{_target(ok, "≥ bare")} |'
        )
    for kind, label in (('incremental', 'incremental'), ('noop', 'no-op')):
        for attr, what in (('pages_written', 'pages written'), ('docs_read', 'documents re-read')):
            vals = s.get(f'{attr}_{kind}')
            if not vals:
                continue
            b, a = vals.get('briefing'), vals.get('bare')
            target = '–'
            if kind == 'noop' and b is not None and attr == 'docs_read':
                target = _target(b['max'] == 0, '0')
            elif kind == 'noop' and b is not None:
                extra = res.extra_pages('noop')
                target = _target(not extra, 'none beyond bare')
            print(
                f'| {what}, {label} | {_fmt(b, "", 0).strip()} | {_fmt(a, "", 0).strip()} '
                f'| – | – | {target} |'
            )
    print()
    for kind, label in (('incremental', 'incremental'), ('noop', 'no-op')):
        for twin in (*TWINS, *res.peers()):
            first = next((b for b in res.builds if b.twin == twin and b.kind == kind), None)
            if first is not None:
                shown = ', '.join(first.written[:20]) + (' …' if len(first.written) > 20 else '')
                print(f'Pages written by the {label} build, {twin} (round 1): {shown or "none"}')
        if extra := res.extra_pages(kind):
            shown = ', '.join(extra[:20]) + (f' … ({len(extra)} in all)' if len(extra) > 20 else '')
            print(f'  written by sphinx-briefing only ({label}, any round): {shown}')
    print()
    # Warnings of the first full build of each twin.
    for twin in (*TWINS, *res.peers(), 'floor'):
        first = next((b for b in res.builds if b.twin == twin and b.kind == 'full1'), None)
        if first is None:
            continue
        kinds = _warning_kinds(first.log)
        top = ', '.join(f'{n} × {k}' for k, n in kinds.most_common(6))
        print(
            f'Warnings in the first full `-j 1` build, {twin}: {first.warnings}'
            + (f' ({top})' if top else '')
            + (f'; log {first.log}' if first.warnings else '')
        )
    failed = [b for b in res.builds if not b.ok]
    if failed:
        print(
            'Failed builds: '
            + ', '.join(f'{b.twin} {b.kind} round {b.round}' for b in failed)
            + ' (their output is above)'
        )
    print()
    print_floor(res)
    print_peers(res)
    print_checks(res)


def _ratio_text(ratio: dict[str, Any] | None, ahead: bool = False) -> str:
    if ratio is None:
        return '–'
    text = f'{ratio["ratio"]:.2f}×'
    if paired := ratio['paired']:
        text += f' ({paired["min"]:.2f}–{paired["max"]:.2f})'
    if ahead:
        text += ' ✓' if ratio['ratio'] < 1 else ' ✗'
    return text


def print_peers(res: SizeResult) -> None:
    """The peers beside sphinx-briefing and bare Sphinx: their times, memory and pages,
    their ratios against bare, and sphinx-briefing's against each of them."""
    peers = res.peers()
    if not peers:
        return
    summary = res.peer_summary()
    names = [PEER_NAMES[peer] for peer in peers]
    print(
        'Against the peers (the same text citing through sphinxcontrib-bibtex, or with '
        'questions and positions as sphinx-needs needs), built in the same rounds:'
    )
    print()
    header = ['measurement', 'sphinx-briefing', 'bare Sphinx', *names]
    print('| ' + ' | '.join(header) + ' |')
    print('|' + ' --- |' * len(header))
    rows = (
        ('full1', 'full build `-j 1`', 's'),
        ('incremental', 'incremental `-j 1` (one question edited)', 's'),
        ('noop', 'no-op `-j 1`', 's'),
        ('rss_full1', 'peak memory, full `-j 1`', 'MiB'),
        ('pages_written_incremental', 'pages written, incremental', ''),
        ('docs_read_incremental', 'documents re-read, incremental', ''),
        ('pages_written_noop', 'pages written, no-op', ''),
        ('docs_read_noop', 'documents re-read, no-op', ''),
    )
    for key, label, unit in rows:
        entry = summary.get(key)
        twins = (*TWINS, *peers)
        if entry is None or all(entry[twin] is None for twin in twins):
            continue
        digits = 2 if unit == 's' else 0
        cells = [_fmt(entry[twin], unit, digits).strip() for twin in twins]
        print(f'| {label} | ' + ' | '.join(cells) + ' |')
    print()
    header = [
        'ratio (paired range)',
        *(f'{name} ÷ bare' for name in names),
        *(f'sphinx-briefing ÷ {name} (ahead: < 1)' for name in names),
    ]
    print('| ' + ' | '.join(header) + ' |')
    print('|' + ' --- |' * len(header))
    for key, label, _unit in rows[:4]:
        ratios = summary.get(key, {}).get('ratios')
        if not ratios:
            continue
        # Issue 18: ahead of both peers on full build, incremental build and peak memory.
        ahead = key != 'noop'
        cells = [_ratio_text(ratios.get(f'{peer}/bare')) for peer in peers]
        cells += [_ratio_text(ratios.get(f'briefing/{peer}'), ahead) for peer in peers]
        print(f'| {label} | ' + ' | '.join(cells) + ' |')
    print()


def print_floor(res: SizeResult) -> None:
    """The floor twin against both others: what the collection pages' text costs bare
    Sphinx, and what sphinx-briefing costs beyond it."""
    floor = res.values('floor', 'full1')
    if not floor or not res.floor:
        return
    held = res.floor[0]
    words = res.corpus['stats']['words_in_theme_documents']
    print(
        'Floor twin (the bare twin with the text of the collection pages that sphinx-briefing '
        f'wrote: {held["pages"]} pages, {held["html_words"]:,} words, against '
        f'{words:,} in the theme documents), full build `-j 1`:'
    )
    print()
    print('| build | time | peak memory |')
    print('| --- | --- | --- |')
    for twin, label in (('briefing', 'sphinx-briefing'), ('floor', 'floor twin'), ('bare', 'bare')):
        seconds = _stats(res.values(twin, 'full1'))
        rss = _stats(res.values(twin, 'full1', 'max_rss_mib'))
        print(f'| {label} | {_fmt(seconds, "s")} | {_fmt(rss, "MiB", 0)} |')
    for twins, label in (
        (('floor', 'bare'), 'floor ÷ bare'),
        (('briefing', 'floor'), 'sphinx-briefing ÷ floor'),
    ):
        parts = []
        for attr, what in (('seconds', 'time'), ('max_rss_mib', 'memory')):
            ratios = res.paired('full1', attr, twins)
            if ratios:
                st = _stats(ratios)
                assert st is not None
                parts.append(f'{what} {st["median"]:.2f}× ({st["min"]:.2f}–{st["max"]:.2f})')
        print(f'- {label} (paired): {", ".join(parts)}')
    print()


def _warning_kinds(log: str) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for line in Path(log).read_text(encoding='utf-8', errors='replace').splitlines():
        if 'WARNING:' not in line:
            continue
        m = re.search(r'\[([\w.-]+)\]\s*$', line)
        if m:
            kinds[m.group(1)] += 1
        else:
            text = line.split('WARNING:', 1)[1].strip()
            kinds[re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", '…', text)[:60]] += 1
    return kinds


def print_checks(res: SizeResult) -> None:
    ours = [c for c in res.checks if c.twin == 'briefing']
    if ours:
        print('Incremental correctness (the edited question on the collection pages that show it):')
        _print_page_checks(ours, lambda c: f'`{c.page}.html`')
        print()
    theirs = [c for c in res.checks if c.twin != 'briefing']
    if theirs:
        print("Incremental correctness of the peers' collection pages:")
        _print_page_checks(
            theirs, lambda c: f'{PEER_NAMES.get(c.twin, c.twin)}, `{c.page}.html`, {c.aspect}'
        )
        print()


def _print_page_checks(checks: list[PageCheck], name: Callable[[PageCheck], str]) -> None:
    by_page: dict[str, list[PageCheck]] = {}
    for check in checks:
        by_page.setdefault(name(check), []).append(check)
    for page, group in by_page.items():
        statuses = Counter(c.status for c in group)
        text = ', '.join(f'{status} ({n}/{len(group)} rounds)' for status, n in statuses.items())
        details = {c.detail for c in group if c.detail}
        print(f'- {page}: {text}' + (f' — {"; ".join(details)}' if details else ''))


def print_bib(bib: dict[str, Any]) -> None:
    print()
    print(f'## Loading `refs.bib` in-process ({bib["rounds"]} rounds; median, min–max)')
    print()
    for key in ('error_briefing', 'error_pybtex'):
        if key in bib:
            print(f'- could not load: {bib[key]}')
    for key, value in bib.items():
        if key.startswith('error '):
            print(f'- {key[6:]} failed: {value}')
    seconds = bib.get('seconds', {})
    if not seconds:
        return
    print('| loader | time | entries/s |')
    print('| --- | --- | --- |')
    for name, times in seconds.items():
        st = _stats(times)
        assert st is not None
        rate = bib['entries'][name] / st['median']
        print(f'| `{name}` | {_fmt(st, "s", 3)} | {rate:,.0f} |')
    names = list(seconds)
    if len(names) == 2:
        ratio = statistics.median(seconds[names[0]]) / statistics.median(seconds[names[1]])
        print()
        print(f'Ratio sphinx-briefing ÷ pybtex: {ratio:.2f}× (below 1 means faster than pybtex).')


def print_machine(machine: dict[str, Any]) -> None:
    v = machine['versions']
    print('## Machine')
    print()
    print(
        f'{machine["cpu"]}, {machine["cores"]} cores ({machine["usable_cores"]} usable), '
        f'{machine["ram_gib"]} GiB RAM; {machine["os"]}; Python {machine["python"]}; '
        f'Sphinx {v["sphinx"]}, myst-parser {v["myst-parser"]}, docutils {v["docutils"]}, '
        f'alabaster {v["alabaster"]}; sphinx-briefing {v["sphinx-briefing"]} '
        f'({machine["sphinx_briefing_commit"]}); bibtexparser {v["bibtexparser"]}, '
        f'pybtex {v["pybtex"]}; '
        + ''.join(f'{PEER_NAMES[p]} {v[PEER_NAMES[p]]}, ' for p in machine.get('peers', ()))
        + f'{machine["date"]}.'
    )


# --------------------------------------------------------------------------- the run


def run_size(
    size: int,
    rounds: int,
    workdir: Path,
    seed: int,
    measurements: set[str],
    keep: bool,
    peers: Sequence[str] = (),
) -> SizeResult:
    corpus_dir = workdir / f'corpus-{size}'
    builds_dir = workdir / f'builds-{size}'
    logs = workdir / f'logs-{size}'
    print(f'# N = {size}: generating the corpus in {corpus_dir} …', flush=True)
    manifest = generate(size, corpus_dir, seed)
    res = SizeResult(size, manifest)
    edit = manifest['edit']
    pages = {edit['pages_showing_it']['question_index']: 'question-index'}
    pages[edit['pages_showing_it']['matrix']] = 'position-matrix'
    for brief in edit['pages_showing_it']['briefs']:
        pages[brief] = 'panellist-brief'

    def build(twin: str, kind: str, jobs: int, out: Path, rnd: int) -> Build:
        log = logs / f'r{rnd}-{twin}-{kind}.log'
        b = run_sphinx(corpus_dir / twin, out, jobs, log, (size, rnd, twin, kind))
        res.builds.append(b)
        extra = ''
        if kind in ('incremental', 'noop'):
            extra = f', {b.pages_written} pages written, {b.docs_read} documents re-read'
        state = 'ok' if b.ok else f'FAILED (exit {b.returncode})'
        print(
            f'  [N={size} round {rnd}] {twin:8} {kind:11} -j {jobs}: {b.seconds:7.2f} s, '
            f'{b.max_rss_mib:6.0f} MiB, {b.warnings} warnings{extra} — {state}',
            flush=True,
        )
        if not b.ok:
            report_failure(b)
        return b

    # The peers take part in the -j 1 measurements, each built right after sphinx-briefing
    # and bare Sphinx in the same round, so that all four meet the same machine conditions.
    if not measurements & PEER_MEASUREMENTS:
        peers = ()
    j1_twins = (*TWINS, *peers)
    for rnd in range(1, rounds + 1):
        j1_out = {twin: builds_dir / f'r{rnd}-{twin}-j1' for twin in j1_twins}
        full: dict[str, Build] = {}
        needs_j1 = measurements & {'full1', 'incremental', 'noop', 'floor'}
        if needs_j1:
            for twin in TWINS:
                shutil.rmtree(j1_out[twin], ignore_errors=True)
                full[twin] = build(twin, 'full1', 1, j1_out[twin], rnd)
            for twin in peers:
                shutil.rmtree(j1_out[twin], ignore_errors=True)
                full[twin] = build(twin, 'full1', 1, j1_out[twin], rnd)
        if 'floor' in measurements and full.get('briefing') and full['briefing'].ok:
            # Made from this round's full build, before the incremental build changes it.
            try:
                held = make_floor(corpus_dir, j1_out['briefing'], corpus_dir / 'floor')
            except (CiteprocError, OSError, ValueError, subprocess.CalledProcessError) as exc:
                print(f'  [N={size} round {rnd}] floor twin: not made ({exc})', flush=True)
            else:
                res.floor.append(held)
                out = builds_dir / f'r{rnd}-floor-j1'
                shutil.rmtree(out, ignore_errors=True)
                build('floor', 'full1', 1, out, rnd)
                shutil.rmtree(out, ignore_errors=True)
        if 'full2' in measurements:
            for twin in TWINS:
                out = builds_dir / f'r{rnd}-{twin}-j2'
                shutil.rmtree(out, ignore_errors=True)
                build(twin, 'full2', 2, out, rnd)
                if not keep:
                    shutil.rmtree(out, ignore_errors=True)
        if 'incremental' in measurements:
            edit_state = json.loads((corpus_dir / 'manifest.json').read_text())['edit']
            baseline: dict[str, bool] = {}
            if full['briefing'].ok:
                pages = index_part_showing(pages, edit_state, j1_out['briefing'])
                baseline = check_baseline(edit_state['current_text'], pages, j1_out['briefing'])
                res.baseline.append(baseline)
            peer_baseline: dict[str, dict[str, bool]] = {}
            works: list[str] | None = None
            for peer in peers:
                page, directive = PEER_PAGES[peer]
                if full[peer].ok:
                    peer_baseline[peer] = check_baseline(
                        edit_state['current_text'], {page: directive}, j1_out[peer]
                    )
                if peer == 'bibtex':
                    works = listed_works(j1_out[peer] / f'{page}.html')
            info = apply_edit(corpus_dir, f'r{rnd}')
            res.edits.append({'round': str(rnd), 'old': info.old_text, 'new': info.new_text})
            incremental: dict[str, Build] = {}
            for twin in j1_twins:
                if full[twin].ok:
                    incremental[twin] = build(twin, 'incremental', 1, j1_out[twin], rnd)
                else:
                    print(
                        f'  [N={size} round {rnd}] {twin} incremental: skipped (full build failed)'
                    )
            res.checks.extend(
                check_pages(
                    rnd,
                    info,
                    pages,
                    full.get('briefing'),
                    incremental.get('briefing'),
                    j1_out['briefing'],
                    baseline,
                )
            )
            for peer in peers:
                page, directive = PEER_PAGES[peer]
                res.checks.extend(
                    check_pages(
                        rnd,
                        info,
                        {page: directive},
                        full.get(peer),
                        incremental.get(peer),
                        j1_out[peer],
                        peer_baseline.get(peer, {}),
                        peer,
                    )
                )
                if peer == 'bibtex' and peer in incremental and incremental[peer].ok:
                    res.checks.append(check_works(rnd, page, works, j1_out[peer]))
            if 'noop' in measurements:
                for twin in j1_twins:
                    if twin in incremental and incremental[twin].ok:
                        build(twin, 'noop', 1, j1_out[twin], rnd)
        elif 'noop' in measurements:
            for twin in j1_twins:
                if full[twin].ok:
                    build(twin, 'noop', 1, j1_out[twin], rnd)
        if not keep or rnd < rounds:
            for out in j1_out.values():
                shutil.rmtree(out, ignore_errors=True)
    if not keep:
        shutil.rmtree(builds_dir, ignore_errors=True)
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description='Benchmark sphinx-briefing against bare Sphinx on a generated corpus.'
    )
    parser.add_argument('--docs', type=int, default=500, help='documents (default 500)')
    parser.add_argument(
        '--sizes', help='comma-separated sizes, e.g. 100,500,1000 (overrides --docs)'
    )
    parser.add_argument('--rounds', type=int, default=3, help='rounds per size (default 3)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--json', type=Path, help='write every sample and the summary here')
    parser.add_argument(
        '--workdir',
        type=Path,
        help='folder for corpora, builds and logs (default: a temporary folder, removed '
        'afterwards unless --keep)',
    )
    parser.add_argument('--keep', action='store_true', help="keep the last round's builds")
    parser.add_argument(
        '--only',
        default=','.join(DEFAULT_MEASUREMENTS),
        help=f'comma-separated subset of {",".join(MEASUREMENTS)} '
        f'(default: {",".join(DEFAULT_MEASUREMENTS)})',
    )
    parser.add_argument('--bib-rounds', type=int, default=5, help='rounds of .bib loading')
    parser.add_argument(
        '--peers',
        action='store_true',
        help='also build the peer twins (sphinxcontrib-bibtex, sphinx-needs) in the same '
        'rounds: full build, incremental and no-op builds `-j 1`, and peak memory',
    )
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(',')] if args.sizes else [args.docs]
    measurements = {m.strip() for m in args.only.split(',') if m.strip()}
    if unknown := measurements - set(MEASUREMENTS):
        parser.error(f'unknown measurement(s): {", ".join(sorted(unknown))}')
    peers: tuple[str, ...] = PEERS if args.peers else ()
    if missing := [
        PEER_NAMES[p] for p in peers if importlib.util.find_spec(PEER_MODULES[p]) is None
    ]:
        parser.error(f'--peers needs {" and ".join(missing)} installed (see benchmarks/README.md)')

    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix='briefing-bench-')) if temporary else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    machine = machine_details()
    machine['sphinx_briefing_sources'] = extension_fingerprint()
    machine['peers'] = list(peers)
    print_machine(machine)
    print(flush=True)
    results: list[SizeResult] = []
    bib: dict[str, Any] | None = None
    try:
        for size in sizes:
            res = run_size(size, args.rounds, workdir, args.seed, measurements, args.keep, peers)
            results.append(res)
            print_size(res, args.rounds)
        if 'bib' in measurements:
            bib_path = workdir / f'corpus-{sizes[0]}' / 'briefing' / 'refs.bib'
            if not bib_path.exists():
                generate(max(sizes[0], 2), workdir / f'corpus-{sizes[0]}', args.seed)
            bib = bench_bib(bib_path, args.bib_rounds)
        # The complete report, once more, after the progress lines.
        print('\n' + '=' * 100)
        print_machine(machine)
        if extension_fingerprint() != machine['sphinx_briefing_sources']:
            machine['sources_changed_during_run'] = True
            print()
            print(
                '**WARNING: the sphinx_briefing sources changed during this run; its builds '
                'are not comparable with each other. Run again.**'
            )
        for res in results:
            print_size(res, args.rounds)
        if bib is not None:
            print_bib(bib)
        if args.json:
            data = {
                'machine': machine,
                'arguments': {k: str(v) for k, v in vars(args).items()},
                'sizes': [
                    {
                        'size': r.size,
                        'corpus': r.corpus['stats'],
                        'summary': r.summary(),
                        'builds': [asdict(b) for b in r.builds],
                        'checks': [asdict(c) for c in r.checks],
                        'baseline': r.baseline,
                        'edits': r.edits,
                        'floor': r.floor,
                    }
                    for r in results
                ],
                'bib': bib,
            }
            args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + '\n')
            print(f'\nWrote {args.json}')
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f'Corpora, builds and logs are in {workdir}')
    return 1 if any(not b.ok for r in results for b in r.builds) else 0


if __name__ == '__main__':
    sys.exit(main())
