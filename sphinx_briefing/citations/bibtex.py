"""Loading bibliography files: which entries exist, where, and what is wrong with them.

Nothing here imports Sphinx: the results are small frozen, picklable records that the
Sphinx side stores in its environment.

What an entry says is read by pandoc's own reader (:mod:`.reader`). This module parses
each .bib with bibtexparser 2 (its middlewares for ``@string`` interpolation and
enclosing removal) for what pandoc does not tell: each problem at its line, the keys and
where they are defined, the ``@string`` macros later files inherit, and the raw fields
the Sphinx side reads itself (the date for the "facts as of" check, ``keywords``, the
fields a sphinxcontrib-bibtex ``:filter:`` compares, ``crossref`` inheritance). CSL-JSON
and CSL-YAML files are checked and read for the same.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import pickle
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import bibtexparser
import yaml
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    RemoveEnclosingMiddleware,
    ResolveStringReferencesMiddleware,
)
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
    String,
)

from sphinx_briefing._files import replacing
from sphinx_briefing._pickling import pickled_as_tuple

__all__ = [
    'BibDatabase',
    'BibEntry',
    'BibProblem',
    'entry_issued',
    'load_bibfiles',
]

ProblemSubtype = Literal['bib_syntax', 'csl_syntax', 'duplicate_key', 'missing_bibfile']


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class BibEntry:
    """One entry of a bibliography file, parsed (its LaTeX is left to pandoc's reader)."""

    key: str
    #: Lower-case BibTeX type, e.g. ``'misc'``, ``'techreport'``.
    entry_type: str
    #: ``(lower-case field name, raw value)``: ``@string`` macros are expanded, LaTeX is not
    #: decoded.
    fields: tuple[tuple[str, str], ...]
    #: The .bib path as given to :func:`load_bibfiles`.
    path: str
    #: 1-based line where the entry starts in that file.
    line: int

    def get(self, name: str) -> str | None:
        """Return the raw value of field *name* (lower case), or ``None``."""
        for key, value in self.fields:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class BibProblem:
    """Something wrong in the .bib input; the Sphinx side turns it into a warning."""

    path: str
    line: int | None
    #: ``'bib_syntax'`` (malformed entry; the rest of the file still loads),
    #: ``'duplicate_key'`` (first definition wins) or ``'missing_bibfile'``.
    subtype: ProblemSubtype
    message: str


@dataclass(frozen=True)
class BibDatabase:
    """Every entry of the loaded .bib files, and what was wrong with them."""

    entries: Mapping[str, BibEntry]
    problems: tuple[BibProblem, ...]
    #: the files' encoding, and for each file the ``@string`` macros of the files before
    #: it, as BibTeX: what pandoc's reader, given one file at a time, must be given too
    encoding: str = 'utf-8-sig'
    inherited: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- loading

#: Bump when the cached data or the parse changes meaning; old cache files are ignored.
_CACHE_VERSION: Final = f'4-bibtexparser-{bibtexparser.__version__}'

#: Files above this size get progress messages (parsing runs at ~15,000 entries/s).
_BIG_FILE_BYTES: Final = 512 * 1024

_MONTH_NAMES: Final = (
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
)
_MONTH_MACROS: Final = {name[:3].lower(): name for name in _MONTH_NAMES}

# Plain tuples, not BibEntry: the cache must not depend on the path the file was given as.
_RawEntry = tuple[str, str, tuple[tuple[str, str], ...], int]
_RawProblem = tuple[int | None, ProblemSubtype, str]


@dataclass(frozen=True, slots=True)
class _ParsedFile:
    entries: tuple[_RawEntry, ...]
    problems: tuple[_RawProblem, ...]
    #: the file's own ``@string`` macros: (lower-case name, value, whether an expression)
    strings: tuple[tuple[str, str, bool], ...] = ()


def load_bibfiles(
    paths: Sequence[Path],
    cache_dir: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    encoding: str = 'utf-8-sig',
) -> BibDatabase:
    """Load .bib files into one database; never raises for bad input.

    As with BibTeX and pybtex given several files, an ``@string`` macro defined in one file
    is known in the files after it (a file of journal abbreviations named first).

    An unchanged file (same modification time and size, or else the same content hash) is
    taken from the pickle cache in *cache_dir* instead of being parsed again.

    :param paths: the .bib files, in priority order: when a key is defined twice, the first
        definition wins and a ``duplicate_key`` problem names both places.
    :param cache_dir: directory for the parse cache (created if needed); ``None`` disables it.
    :param progress: called with short status messages while big files are parsed.
    :param encoding: the files' encoding (sphinxcontrib-bibtex's ``bibtex_encoding``).
    :return: the entries by key, and the problems found (missing files, malformed entries,
        duplicate keys, undefined ``@string`` macros).
    """
    entries: dict[str, BibEntry] = {}
    problems: list[BibProblem] = []
    seen: set[Path] = set()
    macros: dict[str, tuple[str, bool]] = {}
    inherited: dict[str, str] = {}
    for path in paths:
        shown = str(path)
        resolved = Path(path).resolve()
        if resolved in seen:
            continue  # the same file named twice is one file, not a clash of every key
        seen.add(resolved)
        if macros:
            inherited[shown] = ''.join(
                f'@string{{{name} = {value}}}\n'
                if expression
                else f'@string{{{name} = {{{value}}}}}\n'
                for name, (value, expression) in macros.items()
            )
        parsed = _load_one(Path(path), cache_dir, progress, encoding, macros)
        if parsed is None:
            problems.append(
                BibProblem(shown, None, 'missing_bibfile', f'bibliography file not found: {shown}')
            )
            continue
        macros.update((name, (value, expression)) for name, value, expression in parsed.strings)
        problems.extend(BibProblem(shown, line, sub, msg) for line, sub, msg in parsed.problems)
        for key, entry_type, fields, line in parsed.entries:
            first = entries.get(key)
            if first is not None:
                problems.append(
                    BibProblem(
                        shown,
                        line,
                        'duplicate_key',
                        f'duplicate bibliography key {key!r}: defined at {first.path}:'
                        f'{first.line} and again at {shown}:{line}; the first one is used',
                    )
                )
                continue
            entries[key] = BibEntry(key, entry_type, fields, shown, line)
    _resolve_crossrefs(entries)
    # a plain dict: a database stored in Sphinx's environment must pickle
    return BibDatabase(entries, tuple(problems), encoding, inherited)


def _load_one(
    path: Path,
    cache_dir: Path | None,
    progress: Callable[[str], None] | None,
    encoding: str = 'utf-8-sig',
    inherited: Mapping[str, tuple[str, bool]] | None = None,
) -> _ParsedFile | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    cache_file = None
    cached: dict[str, Any] | None = None
    # what else the parse depends on: a cached parse made with other macros or another
    # encoding is not this file's parse
    context = (encoding, sorted((inherited or {}).items()))
    if cache_dir is not None:
        name = hashlib.sha256(str(path.resolve()).encode('utf-8')).hexdigest()[:24]
        cache_file = cache_dir / f'bib-{name}.pickle'
        cached = _read_cache(cache_file)
        if cached is not None and cached.get('context') != context:
            cached = None
        # Cheap check first: an untouched file is not even read.
        if cached is not None and (cached['mtime_ns'], cached['size']) == (
            stat.st_mtime_ns,
            stat.st_size,
        ):
            return cached['parsed']  # type: ignore[no-any-return]
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(data).hexdigest()
    if cached is not None and cached['digest'] == digest:
        parsed: _ParsedFile = cached['parsed']
    else:
        big = len(data) >= _BIG_FILE_BYTES
        if big and progress is not None:
            progress(f'parsing {path.name} ({len(data) // 1024} KiB)')
        parsed = (
            _parse_csl(data, path.suffix.lower())
            if _is_csl(path)
            else _parse_bibtex(data, encoding, inherited)
        )
        if big and progress is not None:
            progress(f'parsed {path.name}: {len(parsed.entries)} entries')
    if cache_file is not None:
        _write_cache(
            cache_file,
            {
                'version': _CACHE_VERSION,
                'mtime_ns': stat.st_mtime_ns,
                'size': stat.st_size,
                'digest': digest,
                'context': context,
                'parsed': parsed,
            },
        )
    return parsed


def _is_csl(path: Path) -> bool:
    return path.suffix.lower() in ('.json', '.yaml', '.yml')


def _parse_csl(data: bytes, suffix: str) -> _ParsedFile:
    """A CSL-JSON or CSL-YAML file's entries: their keys, where they start, and what the
    Sphinx side reads itself (the date, for the "facts as of" check, and keywords).

    What is rendered is read by pandoc (:mod:`.reader`): only the file's structure is
    checked here, each problem at its line.
    """
    text, problems = _decode_bytes(data)
    parsed = _csl_json_items(text) if suffix == '.json' else _csl_yaml_items(text)
    if isinstance(parsed, tuple):
        problems.append((parsed[0], 'csl_syntax', parsed[1]))
        return _ParsedFile((), tuple(problems))
    entries: list[_RawEntry] = []
    for number, (line, item) in enumerate(parsed, 1):
        key = item.get('id') if isinstance(item, dict) else None
        if not isinstance(item, dict):
            problems.append((line, 'csl_syntax', f'item {number} is not a mapping: skipped'))
        elif not isinstance(key, str | int) or isinstance(key, bool) or str(key).strip() == '':
            problems.append((line, 'csl_syntax', f'item {number} has no "id": skipped'))
        else:
            fields = (*_csl_fields(item), ('csl-digest', _csl_digest(item)))
            entries.append((str(key), str(item.get('type', '')), fields, line))
    return _ParsedFile(tuple(entries), tuple(problems))


_CslItems = list[tuple[int, Any]] | tuple[int | None, str]


def _csl_json_items(text: str) -> _CslItems:
    """Each item of a CSL-JSON array with the line it starts on; or the problem's line and
    message. The array is walked item by item because :func:`json.loads` keeps no lines."""
    decoder = json.JSONDecoder()
    whitespace = re.compile(r'[ \t\n\r]*')

    def line_at(position: int) -> int:
        return text.count('\n', 0, position) + 1

    position = whitespace.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith('[', position):
        return (line_at(position), 'not CSL-JSON: expected a list of items ("[" first)')
    items: list[tuple[int, Any]] = []
    position = whitespace.match(text, position + 1).end()  # type: ignore[union-attr]
    if text.startswith(']', position):
        return items
    while True:
        try:
            item, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            return (exc.lineno, f'not valid CSL-JSON: {exc.msg}')
        items.append((line_at(position), item))
        position = whitespace.match(text, end).end()  # type: ignore[union-attr]
        if text.startswith(',', position):
            position = whitespace.match(text, position + 1).end()  # type: ignore[union-attr]
        elif text.startswith(']', position):
            return items
        else:
            return (line_at(position), 'not valid CSL-JSON: expected "," or "]" after an item')


def _csl_yaml_items(text: str) -> _CslItems:
    """Each item of a CSL-YAML file (a list, or a mapping with ``references``, as pandoc
    writes it) with the line it starts on; or the problem's line and message."""
    # libyaml, where installed, is about ten times faster
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)(text)
    try:
        # A metadata block may end with '---', which YAML reads as a second document.
        node = None
        while node is None and loader.check_node():
            node = loader.get_node()
        if node is None:
            return (None, 'not CSL-YAML: the file is empty')
        listed = node
        if isinstance(node, yaml.MappingNode):
            listed = next((value for name, value in node.value if name.value == 'references'), None)
        if not isinstance(listed, yaml.SequenceNode):
            return (node.start_mark.line + 1, 'not CSL-YAML: expected a list of items')
        return [
            (child.start_mark.line + 1, loader.construct_document(child)) for child in listed.value
        ]
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, 'problem', None) or str(exc)
        return (line, f'not valid CSL-YAML: {reason}')
    finally:
        loader.dispose()


def _csl_digest(item: dict[str, Any]) -> str:
    """The item's whole content, in short: its entry compares unequal when any field is
    edited, not only those :func:`_csl_fields` keeps (the citation cache is keyed by
    entry)."""
    text = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]


def _csl_fields(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The BibTeX-like fields the Sphinx side reads from an entry: date and keywords."""
    fields: list[tuple[str, str]] = []
    issued = item.get('issued')
    parts: Any = None
    if isinstance(issued, dict):
        listed = issued.get('date-parts')
        parts = listed[0] if isinstance(listed, list) and listed else None
        text = issued.get('raw') or issued.get('literal')
        if parts is None and isinstance(text, str):
            fields.append(('date', text))
    elif isinstance(issued, list) and issued and isinstance(issued[0], dict):
        first = issued[0]  # CSL-YAML's form: [{year: 2003, month: 1, day: 24}]
        parts = [first.get('year'), first.get('month'), first.get('day')]
    elif isinstance(issued, datetime.date):
        # YAML reads an unquoted 2003-01-24 as a date
        parts = [issued.year, issued.month, issued.day]
    elif isinstance(issued, str | int):
        fields.append(('date', str(issued)))
    if isinstance(parts, list):
        for name, part in zip(('year', 'month', 'day'), parts, strict=False):
            if isinstance(part, int | str) and str(part).strip().lstrip('-').isdigit():
                fields.append((name, str(part).strip()))
    keywords = item.get('keyword')
    if isinstance(keywords, str):
        fields.append(('keywords', keywords))
    return tuple(fields)


def _read_cache(cache_file: Path) -> dict[str, Any] | None:
    try:
        with cache_file.open('rb') as stream:
            data = pickle.load(stream)
    except Exception:  # a missing, truncated or foreign cache file is simply a miss
        return None
    if not isinstance(data, dict) or data.get('version') != _CACHE_VERSION:
        return None
    return data


def _write_cache(cache_file: Path, data: dict[str, Any]) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with replacing(cache_file) as stream:
            pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass  # the cache is an optimisation only


def _decode_bytes(data: bytes, encoding: str = 'utf-8-sig') -> tuple[str, list[_RawProblem]]:
    try:
        return data.decode(encoding), []
    except LookupError:
        text, problems = _decode_bytes(data)
        return text, [(None, 'bib_syntax', f'unknown encoding {encoding!r}'), *problems]
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b'\n') + 1
        text = data.decode(encoding, errors='replace')
        shown = 'UTF-8' if encoding.lower().startswith('utf') else encoding
        message = f'file is not valid {shown}; undecodable bytes replaced'
        return text, [(line, 'bib_syntax', message)]


def _parse_bibtex(
    data: bytes,
    encoding: str = 'utf-8-sig',
    inherited: Mapping[str, tuple[str, bool]] | None = None,
) -> _ParsedFile:
    """Parse one file's bytes (no LaTeX decoding); module-level so tests can count calls.
    *inherited*: the macros of the files before it."""
    text, problems = _decode_bytes(data, encoding)
    # BibTeX predefines the month macros; seeding them as @string blocks lets bibtexparser's
    # own interpolation middleware expand `month = nov` (a file may still redefine them).
    library = Library()
    library.add([String(abbr, '{' + name + '}') for abbr, name in _MONTH_MACROS.items()])
    try:
        with _quiet_bibtexparser():
            library = parse_string(
                text,
                parse_stack=[
                    ResolveStringReferencesMiddleware(True),
                    RemoveEnclosingMiddleware(True),
                ],
                library=library,
            )
    except Exception as exc:  # a parser bug must not take the build down
        problems.append((None, 'bib_syntax', f'cannot parse the file: {exc}'))
        return _ParsedFile((), tuple(problems))
    # name -> (value, whether the value is itself an expression such as `a # " (NY)"`)
    macros: dict[str, tuple[str, bool]] = {k: (v, False) for k, v in _MONTH_MACROS.items()}
    macros.update(inherited or {})
    own: list[tuple[str, str, bool]] = []
    for block in library.blocks:
        string: Block | None = block
        if isinstance(block, DuplicateBlockKeyBlock) and _redefines_month(block):
            string = block.ignore_error_block  # the file's own definition is the one used
        if isinstance(string, String) and string.start_line is not None:
            macros[string.key.lower()] = (string.value, string.enclosing == 'no-enclosing')
            own.append((string.key.lower(), *macros[string.key.lower()]))

    entries: list[_RawEntry] = []
    for block in library.blocks:
        if isinstance(block, Entry):
            entries.append(_raw_entry(block, macros, problems))
        elif isinstance(block, ParsingFailedBlock):
            _failed_block(block, macros, problems, entries)
    return _ParsedFile(tuple(entries), tuple(problems), tuple(own))


@contextmanager
def _quiet_bibtexparser() -> Iterator[None]:
    """Drop the splitter's log records while parsing: every failed block becomes a
    :class:`BibProblem`, and a second, unlocated message would only confuse."""
    # A logger's filters see only records logged on that very logger, hence the name.
    logger = logging.getLogger('bibtexparser.splitter')
    drop = _DropAll()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _raw_entry(
    entry: Entry, macros: Mapping[str, tuple[str, bool]], problems: list[_RawProblem]
) -> _RawEntry:
    fields: list[tuple[str, str]] = []
    seen: set[str] = set()
    for fld in entry.fields:
        name = fld.key.lower()
        if name in seen:  # BibTeX keeps the first of repeated fields
            continue
        seen.add(name)
        value = fld.value
        if not isinstance(value, str):
            value = str(value)
        if fld.enclosing == 'no-enclosing':
            # bibtexparser leaves `#` concatenations (and undefined macros) alone.
            value = _expand_expression(value, macros, fld, problems)
        fields.append((name, value))
    line = (entry.start_line or 0) + 1
    return (entry.key, entry.entry_type.lower(), tuple(fields), line)


#: the longest value a field may reach through @string macros, and the most macro uses
#: followed for one field: a macro used twice in its own definition, or chains of such,
#: double at each step (``@string{a = a # a}``), also when their values are empty
MAX_EXPANDED = 10_000
MAX_MACRO_USES = 10_000


def _expand_expression(
    expression: str,
    macros: Mapping[str, tuple[str, bool]],
    fld: Field,
    problems: list[_RawProblem],
) -> str:
    line = fld.start_line + 1 if fld.start_line is not None else None
    said: set[str] = set()
    uses = 0

    def problem(key: str, message: str) -> None:
        if key not in said:  # one warning per field and kind, however often it happens
            said.add(key)
            problems.append((line, 'bib_syntax', message))

    def expand(text: str, inside: tuple[str, ...], room: int) -> str:
        nonlocal uses
        parts: list[str] = []
        for part, kind in _split_concatenation(text):
            uses += 1
            if room <= 0 or uses > MAX_MACRO_USES:
                problem(
                    'long',
                    f'field {fld.key!r} grows past {MAX_EXPANDED} characters or '
                    f'{MAX_MACRO_USES} macro uses through @string macros; cut there',
                )
                break
            name = part.lower()
            macro = macros.get(name)
            if kind == 'literal' or part.isdigit():
                value = part
            elif macro is None:
                problem(
                    'undefined ' + name,
                    f'undefined @string macro {part!r} in field {fld.key!r}',
                )
                # pandoc prints the macro's name; an empty field would hide the mistake.
                value = part
            elif name in inside:
                problem(
                    'cycle ' + name,
                    f'@string macro {part!r} is defined through itself '
                    f'({" -> ".join((*inside, name))}); field {fld.key!r} shows its name',
                )
                value = part
            elif macro[1]:
                # A macro defined by concatenation, e.g. @string{a = b # " (NY)"}.
                value = expand(macro[0], (*inside, name), room)
            else:
                value = macro[0]
            parts.append(value[:room])
            room -= len(value)
        return ''.join(parts)

    return expand(expression, (), MAX_EXPANDED)


def _split_concatenation(expression: str) -> list[tuple[str, str]]:
    """Split ``a # "b" # {c}`` into ``[('a', 'macro'), ('b', 'literal'), ('c', 'literal')]``."""
    result: list[tuple[str, str]] = []
    i, n = 0, len(expression)
    while i < n:
        char = expression[i]
        if char.isspace() or char == '#':
            i += 1
        elif char == '{':
            depth, j = 0, i
            while j < n:
                if expression[j] == '\\':
                    j += 2
                    continue
                if expression[j] == '{':
                    depth += 1
                elif expression[j] == '}':
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            result.append((expression[i + 1 : j], 'literal'))
            i = j + 1
        elif char == '"':
            depth, j = 0, i + 1
            while j < n and not (expression[j] == '"' and depth == 0):
                if expression[j] == '\\':
                    j += 1
                elif expression[j] == '{':
                    depth += 1
                elif expression[j] == '}':
                    depth -= 1
                j += 1
            result.append((expression[i + 1 : j], 'literal'))
            i = j + 1
        else:
            j = i
            while j < n and not expression[j].isspace() and expression[j] not in '#{"':
                j += 1
            result.append((expression[i:j], 'macro'))
            i = j
    return result


def _failed_block(
    block: ParsingFailedBlock,
    macros: Mapping[str, tuple[str, bool]],
    problems: list[_RawProblem],
    entries: list[_RawEntry],
) -> None:
    line = block.start_line + 1 if block.start_line is not None else None
    if isinstance(block, DuplicateBlockKeyBlock):
        previous = block.previous_block
        if _redefines_month(block):
            return  # a file may redefine the month macros we seeded
        where = f'line {previous.start_line + 1}' if previous.start_line is not None else 'above'
        subtype: ProblemSubtype = 'duplicate_key'
        if isinstance(block.ignore_error_block, String):
            subtype = 'bib_syntax'
        problems.append(
            (
                line,
                subtype,
                f'duplicate key {block.key!r} (first defined at {where}); the first one is used',
            )
        )
        return
    if isinstance(block, DuplicateFieldKeyBlock):
        names = ', '.join(sorted(block.duplicate_keys))
        problems.append((line, 'bib_syntax', f'repeated field(s) {names}; the first is used'))
        faulty = block.ignore_error_block
        if isinstance(faulty, Entry):
            # The splitter flags the entry before the middlewares run; do their work here.
            faulty = RemoveEnclosingMiddleware(True).transform_entry(faulty, Library())
            entries.append(_raw_entry(faulty, macros, problems))
        return
    raw = block.raw or ''
    match = re.match(r'\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)', raw)
    what = f'@{match.group(1)}{{{match.group(2)}' if match else 'entry'
    reason = getattr(block.error, 'abort_reason', None) or str(block.error) or 'syntax error'
    reason = ' '.join(str(reason).split())
    problems.append((line, 'bib_syntax', f'malformed {what} (skipped): {reason}'))


def _redefines_month(block: DuplicateBlockKeyBlock) -> bool:
    previous = block.previous_block
    return (
        isinstance(previous, String)
        and previous.start_line is None
        and isinstance(block.ignore_error_block, String)
    )


#: the entry types that take their parent's title as their container (``booktitle``)
_CHAPTERLIKE: Final = frozenset(
    {'inbook', 'incollection', 'inproceedings', 'conference', 'inreference', 'bookinbook'}
)


def _resolve_crossrefs(entries: dict[str, BibEntry]) -> None:
    """Let entries inherit the fields they lack from the entry named in ``crossref``."""
    for key, entry in list(entries.items()):
        parent_key = entry.get('crossref')
        if not parent_key:
            continue
        parent = entries.get(parent_key.strip())
        if parent is None or parent is entry:
            continue
        have = {name for name, _ in entry.fields}
        inherited = [(n, v) for n, v in parent.fields if n not in have and n != 'crossref']
        if entry.entry_type in _CHAPTERLIKE and 'booktitle' not in have:
            title = parent.get('title')
            if title is not None and parent.get('booktitle') is None:
                # biblatex's rule: the parent's title is the child's container.
                inherited.append(('booktitle', title))
        if inherited:
            entries[key] = BibEntry(
                key, entry.entry_type, entry.fields + tuple(inherited), entry.path, entry.line
            )


# --------------------------------------------------------------------------- dates


def entry_issued(entry: BibEntry) -> tuple[int, int | None, int | None] | None:
    """Return ``(year, month, day)`` of the entry's publication date, for "facts as of" checks.

    Reads a biblatex ``date`` (``2019-11-20``, ``2019-11``, a range's start) or else
    ``year``/``month``/``day``; months may be macros (``nov``), names or numbers.

    :return: ``None`` when the entry has no usable year.
    """
    date = entry.get('date')
    if date:
        parsed = _parse_edtf(_strip_braces(date))
        if parsed:
            first = parsed[0]
            month = first[1] if len(first) > 1 else None
            day = first[2] if len(first) > 2 else None
            return (first[0], month, day)
    year_text = entry.get('year')
    if not year_text:
        return None
    match = re.match(r'\s*(\d{1,4})', _strip_braces(year_text))
    if match is None:
        return None
    month = _parse_month(entry.get('month'))
    day = _parse_int(entry.get('day'), 1, 31) if month is not None else None
    return (int(match.group(1)), month, day)


def _strip_braces(text: str) -> str:
    return text.replace('{', '').replace('}', '').strip()


def _parse_month(raw: str | None) -> int | None:
    if raw is None:
        return None
    text = _strip_braces(raw).rstrip('.').strip().lower()
    if _is_number(text):
        value = int(text)
        return value if 1 <= value <= 12 else None
    for number, name in enumerate(_MONTH_NAMES, start=1):
        if text in (name.lower(), name[:3].lower()):
            return number
    if text == 'sept':
        return 9
    return None


def _parse_int(raw: str | None, low: int, high: int) -> int | None:
    if raw is None:
        return None
    text = _strip_braces(raw)
    if not _is_number(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _is_number(text: str) -> bool:
    """ASCII digits, not too many to be a day or a month: ``isdigit()`` alone accepts
    ``²`` (which ``int`` refuses) and thousands of digits (past Python's limit)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


_EDTF_PART = re.compile(r'^\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?[~?%]?\s*$')


def _parse_edtf(text: str) -> list[list[int]] | None:
    """Parse the EDTF subset biblatex uses; ``None`` when it is something else."""
    result: list[list[int]] = []
    for part in text.split('/'):
        if part.strip() in ('', '..'):
            continue
        match = _EDTF_PART.match(part)
        if match is None:
            return None
        parts = [int(match.group(1))]
        for group in match.group(2, 3):
            if group is None:
                break
            parts.append(int(group))
        if len(parts) > 1 and not 1 <= parts[1] <= 12:
            parts = parts[:1]  # seasons (21-24) and nonsense: keep the year
        result.append(parts)
    return result or None
