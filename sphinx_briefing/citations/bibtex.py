"""Loading BibTeX files and turning their entries into CSL-JSON items.

Nothing here imports Sphinx: the results are small frozen, picklable records that the
Sphinx side stores in its environment.

Parsing uses bibtexparser 2 with its own middlewares for ``@string`` interpolation and
enclosing removal; names are split with its name middlewares and LaTeX is decoded with its
LaTeX-decoding middleware (and the same decoder for every other field).  Decoding costs
about thirty times the parse, so :func:`load_bibfiles` only parses, and
:func:`entry_to_csl` decodes one entry when it is first rendered.

The BibTeX to CSL mapping mirrors pandoc's own BibTeX reader (its ``bibtex`` variant),
because pandoc's citeproc is the reference the output is measured against: titles are
converted to sentence case with braced text protected (``<span class="nocase">``), the
publisher is assembled from ``school``, ``institution``, ``organization``,
``howpublished`` and ``publisher``, and so on.  Where pandoc loses information (a
``howpublished`` that is only a URL, ``month = {November}``, ``@conference``) we map it
properly instead.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import bibtexparser
import yaml
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    RemoveEnclosingMiddleware,
    ResolveStringReferencesMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.names import NameParts, parse_single_name_into_parts
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
    String,
)
from pylatexenc import latexwalker  # type: ignore[import-untyped]
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec  # type: ignore[import-untyped]

from sphinx_briefing._files import replacing
from sphinx_briefing._pickling import pickled_as_tuple

__all__ = [
    'BibDatabase',
    'BibEntry',
    'BibProblem',
    'entry_issued',
    'entry_to_csl',
    'load_bibfiles',
]

ProblemSubtype = Literal['bib_syntax', 'csl_syntax', 'duplicate_key', 'missing_bibfile']


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class BibEntry:
    """One entry of a .bib file, parsed but not decoded."""

    key: str
    #: Lower-case BibTeX type, e.g. ``'misc'``, ``'techreport'``.
    entry_type: str
    #: ``(lower-case field name, raw value)``: ``@string`` macros are expanded, LaTeX is not
    #: decoded yet.
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


# --------------------------------------------------------------------------- LaTeX → inlines


@dataclass(slots=True)
class _Inl:
    """A pandoc-like inline: the shape pandoc's BibTeX reader works on.

    kinds: ``str``, ``space``, ``span`` (a braced group: protectable), ``nocase``,
    ``group`` (transparent container), ``emph``, ``strong``, ``sc``, ``sup``, ``sub``,
    ``dq``/``sq`` (double/single quotation), ``link`` (``text`` holds the URL), ``math``,
    and, only while converting, the quote markers ``oq2``, ``cq2``, ``oq1``, ``q1``.
    """

    kind: str
    text: str = ''
    children: list[_Inl] = field(default_factory=list)
    #: for ``span``: write it as a nocase span (cleared when a title's case was converted)
    protect: bool = True


_CONTAINER_KINDS: Final = frozenset(
    {'span', 'nocase', 'group', 'emph', 'strong', 'sc', 'sup', 'sub', 'dq', 'sq', 'link'}
)

_FONT_MACROS: Final = {
    'emph': 'emph',
    'textit': 'emph',
    'textsl': 'emph',
    'mkbibemph': 'emph',
    'mkbibitalic': 'emph',
    'textbf': 'strong',
    'mkbibbold': 'strong',
    'textsc': 'sc',
    'textsuperscript': 'sup',
    'mkbibsuperscript': 'sup',
    'textsubscript': 'sub',
    'mkbibsubscript': 'sub',
}
_FONT_SWITCHES: Final = {
    'em': 'emph',
    'it': 'emph',
    'itshape': 'emph',
    'sl': 'emph',
    'slshape': 'emph',
    'bf': 'strong',
    'bfseries': 'strong',
    'sc': 'sc',
    'scshape': 'sc',
}
_TRANSPARENT_MACROS: Final = frozenset(
    {'textrm', 'textup', 'textmd', 'textnormal', 'textsf', 'texttt', 'text', 'mbox', 'hbox'}
)
_DROPPED_MACROS: Final = frozenset({'noopsort', 'nocite', 'label', 'index'})


@lru_cache(maxsize=1)
def _decoder() -> LatexNodes2Text:
    # Built like bibtexparser's LatexDecodingMiddleware builds its default decoder (\url
    # without angle brackets), and handed to that middleware for names, so that names
    # and every other field are decoded by the same decoder.
    db = get_default_latex_context_db()
    db.add_context_category(
        'sphinx-briefing-bibtex',
        prepend=True,
        macros=[
            MacroTextSpec('url', simplify_repl='%s'),
            MacroTextSpec('TeX', simplify_repl='TeX'),
            MacroTextSpec('LaTeX', simplify_repl='LaTeX'),
            MacroTextSpec('LaTeXe', simplify_repl='LaTeX2e'),
            MacroTextSpec('BibTeX', simplify_repl='BibTeX'),
        ],
    )
    return LatexNodes2Text(latex_context=db, keep_braced_groups=False, math_mode='verbatim')


@lru_cache(maxsize=1)
def _name_decoder() -> LatexDecodingMiddleware:
    return LatexDecodingMiddleware(allow_inplace_modification=True, decoder=_decoder())


@lru_cache(maxsize=1)
def _walker_context() -> Any:
    db = latexwalker.get_default_latex_context_db()
    db.add_context_category(
        'sphinx-briefing-bibtex',
        prepend=True,
        macros=[
            MacroSpec(name, '{')
            for name in (
                'textsuperscript',
                'textsubscript',
                'mkbibquote',
                'mkbibemph',
                'mkbibitalic',
                'mkbibbold',
                'mkbibsuperscript',
                'mkbibsubscript',
                'textnormal',
                'mbox',
                'hbox',
                'noopsort',
                'nocite',
                'index',
            )
        ]
        + [MacroSpec('enquote', '*{'), MacroSpec('href', '{{')],
    )
    return db


#: anything the LaTeX walker would treat other than as plain characters
_LATEX_MARKUP = re.compile(r"[\\{}$~%&#_^]|--|``|''|!`|\?`")


def _latex_inlines(value: str) -> list[_Inl]:
    """Parse a field's LaTeX into pandoc-like inlines."""
    value = value.strip()
    if not value:
        return []
    if not _LATEX_MARKUP.search(value):
        # Plain text (most fields): what the walker would return as one run of
        # characters, without the walker, which costs about a millisecond a field.
        out: list[_Inl] = []
        _append_chars(out, value)
        return _finish(out)
    if not _BRACES_ONLY_MARKUP.search(value):
        braced = _braced_inlines(value)
        if braced is not None:
            return _finish(braced)
    try:
        walker = latexwalker.LatexWalker(
            value, latex_context=_walker_context(), tolerant_parsing=True
        )
        nodes, _, _ = walker.get_latex_nodes()
    except Exception:  # pylatexenc is tolerant, but never let bad input raise
        return _text_inlines(value)
    return _finish(_convert_nodes(nodes))


#: what the braces-only reader below cannot read
_BRACES_ONLY_MARKUP = re.compile(r"[\\$~%&#_^]|``|''|!`|\?`")
_BRACES_TOKEN = re.compile(r'---|--|[{}]|[^{}-]+|-')


def _braced_inlines(value: str) -> list[_Inl] | None:
    """What the walker makes of text whose only markup is braces (protected words such as
    ``{FDI}``) and dashes, without the walker; None if the braces do not balance."""
    stack: list[list[_Inl]] = [[]]
    for token in _BRACES_TOKEN.findall(value):
        if token == '{':
            stack.append([])
        elif token == '}':
            if len(stack) == 1:
                return None
            children = stack.pop()
            stack[-1].append(_Inl('span', children=_pair_quotes(children)))
        elif token in ('--', '---'):
            _append_text(stack[-1], '\u2013' if token == '--' else '\u2014')
        else:
            _append_chars(stack[-1], token)
    return stack[0] if len(stack) == 1 else None


def _text_inlines(text: str) -> list[_Inl]:
    out: list[_Inl] = []
    _append_text(out, text)
    return _finish(out)


def _finish(inls: list[_Inl]) -> list[_Inl]:
    inls = _pair_quotes(inls)
    while inls and inls[0].kind == 'space':
        inls.pop(0)
    while inls and inls[-1].kind == 'space':
        inls.pop()
    return inls


def _convert_nodes(nodes: Sequence[Any]) -> list[_Inl]:
    out: list[_Inl] = []
    for index, node in enumerate(nodes):
        if node is None:
            continue
        if node.isNodeType(latexwalker.LatexCharsNode):
            _append_chars(out, node.chars)
        elif node.isNodeType(latexwalker.LatexGroupNode):
            out.append(_Inl('span', children=_pair_quotes(_convert_nodes(node.nodelist))))
        elif node.isNodeType(latexwalker.LatexMacroNode):
            name = node.macroname
            if name in _FONT_SWITCHES:
                # `\em` outside a group switches the font for the rest of this list.
                rest = _pair_quotes(_convert_nodes(nodes[index + 1 :]))
                out.append(_Inl(_FONT_SWITCHES[name], children=_strip_spaces(rest)))
                break
            _append_macro(out, node)
        elif node.isNodeType(latexwalker.LatexSpecialsNode):
            chars = node.specials_chars
            if chars == '``':
                out.append(_Inl('oq2'))
            elif chars == "''":
                out.append(_Inl('cq2'))
            else:
                _append_text(out, _decode_node(node))
        elif node.isNodeType(latexwalker.LatexMathNode):
            inner = ''.join(n.latex_verbatim() for n in node.nodelist)
            out.append(_Inl('math', text=inner.strip()))
        elif node.isNodeType(latexwalker.LatexCommentNode):
            continue
        else:
            _append_text(out, _decode_node(node))
    return out


def _strip_spaces(inls: list[_Inl]) -> list[_Inl]:
    while inls and inls[0].kind == 'space':
        inls.pop(0)
    return inls


def _macro_arg(node: Any, position: int = -1) -> Any:
    args = node.nodeargd.argnlist if node.nodeargd is not None else []
    args = [arg for arg in args if arg is not None]
    if not args:
        return None
    return args[position] if -len(args) <= position < len(args) else None


def _arg_inlines(arg: Any) -> list[_Inl]:
    if arg is None:
        return []
    if arg.isNodeType(latexwalker.LatexGroupNode):
        return _pair_quotes(_convert_nodes(arg.nodelist))
    return _pair_quotes(_convert_nodes([arg]))


def _arg_verbatim(arg: Any) -> str:
    if arg is None:
        return ''
    text: str = arg.latex_verbatim()
    if arg.isNodeType(latexwalker.LatexGroupNode) and text.startswith('{'):
        text = text[1:-1]
    return text.strip()


def _append_macro(out: list[_Inl], node: Any) -> None:
    name = node.macroname
    if name in _FONT_MACROS:
        out.append(_Inl(_FONT_MACROS[name], children=_arg_inlines(_macro_arg(node))))
    elif name in _TRANSPARENT_MACROS:
        out.append(_Inl('group', children=_arg_inlines(_macro_arg(node))))
    elif name == 'url':
        url = _arg_verbatim(_macro_arg(node))
        out.append(_Inl('link', text=url, children=[_Inl('str', url)]))
    elif name == 'href':
        url = _arg_verbatim(_macro_arg(node, 0))
        out.append(_Inl('link', text=url, children=_arg_inlines(_macro_arg(node, 1))))
    elif name == 'enquote':
        out.append(_Inl('dq', children=_arg_inlines(_macro_arg(node))))
    elif name == 'mkbibquote':
        # pandoc reads it as a span around a quotation (and so protects its case)
        out.append(_Inl('span', children=[_Inl('dq', children=_arg_inlines(_macro_arg(node)))]))
    elif name == 'hyphen':
        _append_text(out, '-')
    elif name in ('\\', 'newline', 'linebreak'):
        out.append(_Inl('space'))
    elif name in _DROPPED_MACROS:
        return
    else:
        _append_text(out, _decode_node(node))


def _decode_node(node: Any) -> str:
    try:
        text: str = _decoder().nodelist_to_text([node])
    except Exception:
        text = node.latex_verbatim()
    return text


def _append_text(out: list[_Inl], text: str) -> None:
    for piece in re.split(r'([ \t\r\n]+)', text):
        if not piece:
            continue
        if piece[0] in ' \t\r\n':
            if not out or out[-1].kind != 'space':
                out.append(_Inl('space'))
        elif out and out[-1].kind == 'str':
            out[-1].text += piece
        else:
            out.append(_Inl('str', piece))


def _append_chars(out: list[_Inl], chars: str) -> None:
    """Plain characters, with LaTeX's single quotes: `` ` `` opens, ``'`` closes or elides."""
    start = 0
    for index, char in enumerate(chars):
        if char not in "`'":
            continue
        _append_text(out, chars[start:index])
        start = index + 1
        if char == '`':
            out.append(_Inl('oq1'))
        else:
            following = chars[index + 1 : index + 2]
            # An apostrophe inside a word (Japan's) can never close a quotation.
            marker = 'apos' if following.isalnum() else 'q1'
            if marker == 'apos':
                _append_text(out, '\u2019')
            else:
                out.append(_Inl('q1'))
    _append_text(out, chars[start:])


def _pair_quotes(inls: list[_Inl]) -> list[_Inl]:
    """Turn quote markers into quotations, as pandoc's smart extension does for LaTeX."""
    if not any(i.kind in ('oq2', 'cq2', 'oq1', 'q1') for i in inls):
        return inls
    result: list[_Inl] = []
    opened: list[tuple[int, str]] = []  # (index in result, marker kind)
    for inl in inls:
        if inl.kind in ('oq2', 'oq1'):
            opened.append((len(result), inl.kind))
            result.append(inl)
        elif inl.kind == 'cq2' and any(kind == 'oq2' for _, kind in opened):
            while opened[-1][1] != 'oq2':
                opened.pop()
            start, _ = opened.pop()
            quoted = _Inl('dq', children=_literal_markers(result[start + 1 :]))
            del result[start:]
            result.append(quoted)
        elif inl.kind == 'q1' and opened and opened[-1][1] == 'oq1':
            start, _ = opened.pop()
            quoted = _Inl('sq', children=_literal_markers(result[start + 1 :]))
            del result[start:]
            result.append(quoted)
        else:
            result.append(inl)
    return _literal_markers(result)


_MARKER_TEXT: Final = {'oq2': '\u201c', 'cq2': '\u201d', 'oq1': '\u2018', 'q1': '\u2019'}


def _literal_markers(inls: list[_Inl]) -> list[_Inl]:
    out: list[_Inl] = []
    for inl in inls:
        if inl.kind in _MARKER_TEXT:
            _append_text(out, _MARKER_TEXT[inl.kind])
        elif inl.kind == 'str' and out and out[-1].kind == 'str':
            out[-1].text += inl.text
        else:
            out.append(inl)
    return out


# --------------------------------------------------------------------------- case (pandoc)
#
# pandoc's BibTeX reader stores English titles in sentence case: braced groups become
# "nocase" spans, citeproc's sentence-case transform runs over the rest, and afterwards a
# span keeps "nocase" only if it contains a word that starts in lower case (so `{GPU}` goes
# back to an ordinary span that a title-case style may touch, `{iPhone}` stays protected).
# Styles then re-apply title case where they want it.  We reproduce those semantics here so
# that our CSL-JSON renders as pandoc's own reading of the same .bib.

_START, _START_SENTENCE, _AFTER_WORD_END, _AFTER_WORD_CHAR = 0, 1, 2, 3
_AFTER_SENTENCE_PUNCT, _AFTER_OTHER_PUNCT, _BEFORE_LAST_WORD = 4, 5, 6

_WORD_BREAKS: Final = frozenset('-/\u2013\u2014')


def _is_word_break(char: str) -> bool:
    return char in _WORD_BREAKS or char.isspace()


def _is_alnum(char: str) -> bool:
    return char.isalnum()


def _split_up(text: str) -> Iterator[str]:
    """Chunks: runs of ASCII alphanumerics, of other alphanumerics, of spaces; else single."""
    chunk = ''
    for char in text:
        if chunk and _same_type(chunk[0], char):
            chunk += char
            continue
        if chunk:
            yield chunk
        chunk = char
    if chunk:
        yield chunk


def _same_type(a: str, b: str) -> bool:
    if a.isascii() and a.isalnum() and b.isascii() and b.isalnum():
        return True
    if not a.isascii() and a.isalnum() and not b.isascii() and b.isalnum():
        return True
    return a.isspace() and b.isspace()


def _is_capitalized(chunk: str) -> bool:
    return bool(chunk) and chunk[0].isupper() and all(c.islower() for c in chunk[1:])


def _sentence_case(state: int, chunk: str) -> str:
    at_start = state in (_START, _START_SENTENCE)
    if _is_capitalized(chunk) and not at_start:
        return chunk.lower()
    if at_start and (_is_capitalized(chunk) or all(c.islower() for c in chunk)):
        lowered = chunk.lower()
        return lowered[:1].upper() + lowered[1:]
    return chunk


class _CaseTransformer:
    def __init__(self, transform: Callable[[int, str], str]) -> None:
        self.transform = transform
        self.state = _START

    def run(self, inls: list[_Inl]) -> None:
        last = inls[-1] if inls else None
        if (
            last is not None
            and len(inls) > 1
            and last.kind == 'str'
            and not any(_is_word_break(c) for c in last.text)
        ):
            for inl in inls[:-1]:
                self.visit(inl)
            if self.state in (_AFTER_WORD_END, _START_SENTENCE, _START):
                self.state = _BEFORE_LAST_WORD
            self.visit(last)
        else:
            for inl in inls:
                self.visit(inl)

    def visit(self, inl: _Inl) -> None:
        kind = inl.kind
        if kind == 'str':
            inl.text = ''.join(self.step(chunk) for chunk in _split_up(inl.text))
        elif kind == 'space':
            self.step(' ')
        elif kind in ('nocase', 'sc', 'sup', 'sub'):
            self.step(_str_text(inl))  # skipped, but it moves the state on
        elif kind == 'math':
            pass
        elif kind in _CONTAINER_KINDS:
            for child in inl.children:
                self.visit(child)

    def step(self, chunk: str) -> str:
        state = self.state
        if chunk:
            char = chunk[-1]
            if char in '.?!:':
                self.state = _AFTER_SENTENCE_PUNCT
            elif _is_alnum(char):
                self.state = _AFTER_WORD_CHAR
            elif char.isspace() and state == _AFTER_SENTENCE_PUNCT:
                self.state = _START_SENTENCE
            elif _is_word_break(char):
                self.state = _AFTER_WORD_END
            else:
                self.state = _AFTER_OTHER_PUNCT
        if chunk and all(_is_alnum(c) for c in chunk):
            return self.transform(state, chunk)
        return chunk


def _str_text(inl: _Inl) -> str:
    """Concatenated text of the ``str`` leaves (pandoc's ``query fromStr``)."""
    if inl.kind == 'str':
        return inl.text
    return ''.join(_str_text(child) for child in inl.children)


def _walk(inls: list[_Inl]) -> Iterator[_Inl]:
    for inl in inls:
        yield inl
        if inl.children:
            yield from _walk(inl.children)


def _has_lowercase_word(children: list[_Inl]) -> bool:
    """Does a direct ``str`` child have a piece, split at punctuation, that starts lower?"""
    for child in children:
        if child.kind != 'str':
            continue
        # pandoc splits at punctuation first, so "(EU)" has no lower-case word
        at_piece_start = True
        for char in child.text:
            if unicodedata.category(char).startswith('P'):
                at_piece_start = True
            elif at_piece_start:
                if char.islower():
                    return True
                at_piece_start = False
    return False


def _untitlecase(inls: list[_Inl]) -> list[_Inl]:
    spans = [inl for inl in _walk(inls) if inl.kind == 'span']
    for span in spans:
        span.kind = 'nocase'
    _CaseTransformer(_sentence_case).run(inls)
    for span in spans:
        if not _has_lowercase_word(span.children):
            # back to an ordinary span, which case changes may touch
            span.kind = 'span'
            span.protect = False
    return inls


# --------------------------------------------------------------------------- serialising


def _markup(inls: list[_Inl]) -> str:
    """CSL-JSON rich text (the HTML subset citeproc reads).

    Braced groups that are still plain spans (fields other than titles, where pandoc does
    not convert case) are written as "nocase" spans: BibTeX protects braced text in every
    field, and pandoc's reading of them splits words at the braces, which keeps case
    changes off them in almost the same way (``Journal f{\\"u}r`` stays "für").
    """
    out: list[str] = []
    for inl in inls:
        kind = inl.kind
        if kind == 'span' and not inl.protect:
            out.append(_markup(inl.children))
        elif kind == 'str':
            out.append(inl.text)
        elif kind == 'space':
            out.append(' ')
        elif kind in ('nocase', 'span'):
            out.append(f'<span class="nocase">{_markup(inl.children)}</span>')
        elif kind == 'math':
            # pandoc keeps TeX math as math, out of reach of case changes
            out.append(f'<span class="nocase">{inl.text}</span>')
        elif kind == 'emph':
            out.append(f'<i>{_markup(inl.children)}</i>')
        elif kind == 'strong':
            out.append(f'<b>{_markup(inl.children)}</b>')
        elif kind == 'sc':
            out.append(f'<span style="font-variant:small-caps;">{_markup(inl.children)}</span>')
        elif kind == 'sup':
            out.append(f'<sup>{_markup(inl.children)}</sup>')
        elif kind == 'sub':
            out.append(f'<sub>{_markup(inl.children)}</sub>')
        elif kind == 'dq':
            out.append(f'\u201c{_markup(inl.children)}\u201d')
        elif kind == 'sq':
            out.append(f'\u2018{_markup(inl.children)}\u2019')
        else:  # span, group, link: their content
            out.append(_markup(inl.children))
    return ''.join(out)


def _plain(inls: list[_Inl]) -> str:
    out: list[str] = []
    for inl in inls:
        if inl.kind in ('str', 'math'):
            out.append(inl.text)
        elif inl.kind == 'space':
            out.append(' ')
        elif inl.kind == 'dq':
            out.append(f'\u201c{_plain(inl.children)}\u201d')
        elif inl.kind == 'sq':
            out.append(f'\u2018{_plain(inl.children)}\u2019')
        else:
            out.append(_plain(inl.children))
    return ''.join(out)


def _concat_with(sep: str, parts: Sequence[list[_Inl]]) -> list[_Inl]:
    """pandoc's ``concatWith``: join with ``sep`` + space unless punctuation ends the left."""
    result: list[_Inl] = []
    for part in parts:
        if not part:
            continue
        if result:
            last = result[-1]
            if not (last.kind == 'str' and last.text and last.text[-1] in '!?.,:;'):
                _append_text(result, sep)
            result.append(_Inl('space'))
        result.extend(part)
    return result


def _up_to_colon(inls: list[_Inl]) -> list[_Inl] | None:
    """The part of a title before its first top-level colon, or ``None`` without one."""
    result: list[_Inl] = []
    for inl in inls:
        if inl.kind == 'str' and ':' in inl.text:
            before = inl.text.split(':', 1)[0]
            if before:
                result.append(_Inl('str', before))
            return result
        result.append(inl)
    return None


# --------------------------------------------------------------------------- names


def _split_names(raw: str) -> list[tuple[str, NameParts | str]]:
    """Split a name list with bibtexparser's name middlewares.

    :return: ``(raw name, parts)`` per name; parts is a string for a literal name.
    """
    library = Library()
    entry = Entry('misc', 'names', [Field('author', raw)])
    block = SeparateCoAuthors(True).transform_entry(entry, library)
    names: list[str] = list(block.fields_dict['author'].value) if isinstance(block, Entry) else []
    names = _restore_escapes(raw, names)
    split_entry = Entry('misc', 'names', [Field('author', names)])
    split = SplitNameParts(True).transform_entry(split_entry, library)
    if isinstance(split, Entry):
        split_values: list[NameParts] = list(split.fields_dict['author'].value)
    else:
        # A malformed name (unbalanced braces, too many commas): split leniently.
        split_values = [parse_single_name_into_parts(name, strict=False) for name in names]
    result: list[tuple[str, NameParts | str]] = []
    for name, parts in zip(names, split_values, strict=True):
        name = name.strip()
        if _is_fully_braced(name):
            # BibTeX's corporate-author convention: one braced group is a literal name.
            result.append((name, name[1:-1]))
        elif name == 'others':
            result.append((name, 'others'))
        else:
            result.append((name, parts))
    return result


def _restore_escapes(raw: str, names: list[str]) -> list[str]:
    """Give back the LaTeX escape bibtexparser 2.1 drops from a name that starts with one
    after " and " (``A and \\'Alvarez, J.`` comes back as ``Alvarez, J.``)."""
    fixed: list[str] = []
    position = 0
    for name in names:
        start = raw.find(name, position)
        if start < 0:
            fixed.append(name)
            continue
        while start >= 2 and raw[start - 2] == '\\' and not raw[start - 1].isspace():
            start -= 2
            name = raw[start : start + 2] + name
        fixed.append(name)
        position = start + len(name)
    return fixed


def _is_fully_braced(text: str) -> bool:
    if not (text.startswith('{') and text.endswith('}')):
        return False
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == '\\':
            i += 2
            continue
        if char == '{':
            depth += 1
        elif char == '}':
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
        i += 1
    return depth == 0


def _decode_name_parts(parts: list[NameParts]) -> list[NameParts]:
    """Decode every word of every name as bibtexparser's LaTeX-decoding middleware does.

    The middleware decodes ``NameParts`` values but skips the *list* of them that name
    splitting produces; it decodes each word with its decoder's ``latex_to_text`` and
    keeps a word it cannot decode. We do the same word by word, remembering words already
    decoded: a bibliography repeats its authors' names, and decoding is the slow part.
    """
    return [
        NameParts(
            first=[_decode_word(word) for word in part.first],
            von=[_decode_word(word) for word in part.von],
            last=[_decode_word(word) for word in part.last],
            jr=[_decode_word(word) for word in part.jr],
        )
        for part in parts
    ]


@lru_cache(maxsize=65536)
def _decode_word(word: str) -> str:
    if not _LATEX_MARKUP.search(word):
        return word
    try:
        decoded: str = _decoder().latex_to_text(word)
    except Exception:
        return word
    return decoded


def _space_after_initials(text: str) -> str:
    """pandoc's rule that "J.W." and "J. W." are the same: a space between initials."""
    pieces = re.split(r'(\.)', text)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        out.append(pieces[i])
        if (
            i + 2 < len(pieces)
            and pieces[i + 1] == '.'
            and re.fullmatch(r'(?:.*\s)?[A-Z]', pieces[i]) is not None
            and re.fullmatch(r'[^\W\d_]', pieces[i + 2]) is not None
            and pieces[i + 2].isupper()
        ):
            out.append('. ')
            i += 2
            continue
        i += 1
    return ''.join(out)


def _csl_names(raw: str) -> list[dict[str, str]]:
    split = _split_names(raw)
    structured = [parts for _, parts in split if isinstance(parts, NameParts)]
    # Copies, since decoding works in place and the raw words decide the von part below.
    raw_parts = [NameParts(p.first[:], p.von[:], p.last[:], p.jr[:]) for p in structured]
    decoded = iter(zip(raw_parts, _decode_name_parts(structured), strict=True))
    names: list[dict[str, str]] = []
    for raw_name, parts in split:
        if isinstance(parts, str):
            literal = parts if parts == 'others' else _plain(_latex_inlines(parts))
            if literal:
                names.append({'literal': literal})
            continue
        raw_part, decoded_part = next(decoded)
        name = _pandoc_name(raw_name, raw_part, decoded_part)
        if name:
            names.append(name)
    return names


#: BibTeX's foreign letters: a special character made of one of these commands has the
#: command's case (``{\\AA}sa`` is upper case, ``{\\ss}`` and ``{\\i}`` are lower case).
_FOREIGN_LETTER_IS_UPPER: Final = {
    'AA': True,
    'AE': True,
    'L': True,
    'O': True,
    'OE': True,
    'aa': False,
    'ae': False,
    'i': False,
    'j': False,
    'l': False,
    'o': False,
    'oe': False,
    'ss': False,
}


def _is_capitalized_word(word: str) -> bool:
    """Whether a name word is *not* lower case, by BibTeX's rule (so not part of "von").

    The first cased letter at brace level 0 decides; other characters are skipped, and so
    are braced groups (``{OECD}``, ``{de la}``), except a *special character*: a group that
    starts with a control sequence (``{\\AA}``, ``{\\"O}``, ``{\\v{S}}``), which decides
    by itself, with the case of the letter it makes.  pandoc skips those groups too, and so
    makes a particle of ``{\\AA}sa`` and ``{\\'E}mile``; BibTeX and biblatex do not.

    Letters are Unicode letters (BibTeX only knows ASCII, so "Óscar" would be lower case),
    and an unbraced command is decoded first (``\\v{S}koda`` is "Škoda", where BibTeX
    reads the command's name, "v"), as pandoc does.  A word without letters counts as
    capitalized, as in BibTeX and pandoc.
    """
    return _word_is_upper(word) is not False


@lru_cache(maxsize=65536)
def _word_is_upper(word: str) -> bool | None:
    """The case of the word's first cased letter (BibTeX's rule), ``None`` without one.

    Remembered per word: a bibliography repeats its authors' names.
    """
    if not _LATEX_MARKUP.search(word):
        return _first_letter_is_upper(word)
    try:
        walker = latexwalker.LatexWalker(
            word, latex_context=_walker_context(), tolerant_parsing=True
        )
        nodes, _, _ = walker.get_latex_nodes()
    except Exception:  # pylatexenc is tolerant, but never let bad input raise
        return _first_letter_is_upper(re.sub(r'\{[^{}]*\}', '', word))
    for node in nodes:
        if node is None or node.isNodeType(latexwalker.LatexCommentNode):
            continue
        if node.isNodeType(latexwalker.LatexGroupNode):
            verbatim: str = node.latex_verbatim()
            if verbatim.startswith('{\\'):
                inner = verbatim[1:-1] if verbatim.endswith('}') else verbatim[1:]
                return _special_char_is_upper(inner)
            continue  # an ordinary braced group does not count
        if node.isNodeType(latexwalker.LatexCharsNode):
            text: str = node.chars
        else:
            text = _decode_node(node)
        upper = _first_letter_is_upper(text)
        if upper is not None:
            return upper
    return None


def _special_char_is_upper(inner: str) -> bool | None:
    """The case of a special character, given what is inside its braces (``\\'E``)."""
    match = re.match(r'\\([A-Za-z]*)', inner)
    if match is None:
        return None
    command = match.group(1)
    if command in _FOREIGN_LETTER_IS_UPPER:
        return _FOREIGN_LETTER_IS_UPPER[command]
    # Any other command (an accent, \relax): the first letter after the command's name.
    return _first_letter_is_upper(inner[match.end() :])


def _first_letter_is_upper(text: str) -> bool | None:
    for char in text:
        if char.isupper():
            return True
        if char.islower():
            return False
    return None


def _has_top_level_comma(name: str) -> bool:
    depth = 0
    for char in name:
        if char == '{':
            depth += 1
        elif char == '}':
            depth -= 1
        elif char == ',' and depth == 0:
            return True
    return False


def _pandoc_name(raw_name: str, raw: NameParts, decoded: NameParts) -> dict[str, str]:
    """Assign the words bibtexparser split to name parts the way pandoc does.

    bibtexparser follows BibTeX ("Drummond de Andrade": von "Drummond de"); pandoc follows
    biblatex (family "Drummond de Andrade"), and we match pandoc.
    """

    def pairs(raw_words: list[str], decoded_words: list[str]) -> list[tuple[str, str]]:
        return list(zip(raw_words, decoded_words, strict=True))

    first: list[tuple[str, str]]
    vonlast: list[tuple[str, str]]
    if _has_top_level_comma(raw_name):
        # "von Last, First" or "von Last, Jr, First": bibtexparser's first and jr are
        # pandoc's too; its von and last are the words before the first comma.
        first = pairs(raw.first, decoded.first)
        vonlast = pairs(raw.von + raw.last, decoded.von + decoded.last)
    else:
        # "First von Last": First is the longest run of capitalized words, but not all.
        words = pairs(raw.first + raw.von + raw.last, decoded.first + decoded.von + decoded.last)
        count = 0
        while count < len(words) and _is_capitalized_word(words[count][0]):
            count += 1
        if count == len(words) and count:
            first, vonlast = words[:-1], words[-1:]
        else:
            first, vonlast = words[:count], words[count:]
    split_at = 0
    while split_at < len(vonlast) and not _is_capitalized_word(vonlast[split_at][0]):
        split_at += 1
    if split_at == len(vonlast) and vonlast:
        split_at -= 1
    von, last = vonlast[:split_at], vonlast[split_at:]

    def text(words: Sequence[tuple[str, str]]) -> str:
        # pandoc reads names with its smart extension: ' is an apostrophe
        joined = ' '.join(d for _, d in words).replace("'", '\u2019')
        return ' '.join(_space_after_initials(joined).split())

    name: dict[str, str] = {}
    family = text(last)
    particle = text(von)
    match = re.match(r'^([^\W\d_]+\u2019)(\w.*)$', family)
    if not particle and match and match.group(1)[:-1].islower() and match.group(2)[0].isupper():
        # d'Arcy: pandoc splits the elided particle off as a non-dropping one
        name['non-dropping-particle'], family = match.group(1), match.group(2)
    if family:
        name['family'] = family
    given = text(first)
    if given:
        name['given'] = given
    if particle:
        name['dropping-particle'] = particle
    suffix = text(pairs(raw.jr, decoded.jr))
    if suffix:
        name['suffix'] = suffix
    return name


# --------------------------------------------------------------------------- CSL mapping

_CHAPTERLIKE: Final = frozenset(
    {'inbook', 'incollection', 'inproceedings', 'conference', 'inreference', 'bookinbook'}
)
_ARTICLELIKE: Final = frozenset({'article', 'periodical', 'suppperiodical', 'review'})
_COLLECTION_NUMBER_TYPES: Final = frozenset(
    {
        'book',
        'collection',
        'proceedings',
        'reference',
        'mvbook',
        'mvcollection',
        'mvproceedings',
        'mvreference',
        'bookinbook',
        'inbook',
        'incollection',
        'inproceedings',
        'conference',
        'inreference',
        'suppbook',
        'suppcollection',
    }
)
#: The CSL type of ``@misc``, and of every entry type without a mapping (BibTeX's standard
#: styles and biblatex format an unknown type as ``@misc``): pandoc's, which is empty.  An
#: empty type matches no ``type="..."`` test, so every style formats the item in its
#: catch-all branch, and no valid CSL type does that in every style: "document", CSL
#: 1.0.2's type for what fits no other, is a kind of its own to Chicago (quoted title,
#: month after the publisher) and to APA (month in the date).  The items only go to
#: pandoc's citeproc, which reads an empty type as its own BibTeX reader writes it.
_UNTYPED: Final = ''
_CSL_TYPES: Final = {
    'article': 'article-journal',
    'book': 'book',
    'booklet': 'pamphlet',
    'bookinbook': 'chapter',
    'collection': 'book',
    'conference': 'paper-conference',  # BibTeX's alias of inproceedings
    'dataset': 'dataset',
    'electronic': 'webpage',
    'inbook': 'chapter',
    'incollection': 'chapter',
    'inreference': 'entry-encyclopedia',
    'inproceedings': 'paper-conference',
    'manual': 'book',
    'mastersthesis': 'thesis',
    'misc': _UNTYPED,
    'mvbook': 'book',
    'mvcollection': 'book',
    'mvproceedings': 'book',
    'mvreference': 'book',
    'online': 'webpage',
    'patent': 'patent',
    'periodical': 'article-journal',
    'phdthesis': 'thesis',
    'proceedings': 'book',
    'reference': 'book',
    'report': 'report',
    'software': 'software',  # CSL 1.0.2 (pandoc 3 too)
    'suppbook': 'chapter',
    'suppcollection': 'chapter',
    'suppperiodical': 'article-journal',
    'techreport': 'report',
    'thesis': 'thesis',
    'www': 'webpage',
    'artwork': 'graphic',
    'audio': 'song',
    'commentary': 'book',
    'image': 'graphic',
    'jurisdiction': 'legal_case',
    'legislation': 'legislation',
    'legal': 'treaty',
    'letter': 'personal_communication',
    'movie': 'motion_picture',
    'music': 'song',
    'performance': 'speech',
    'standard': 'legislation',
    'video': 'motion_picture',
    'review': 'review',
    # biblatex-apa
    'data': 'dataset',
    'letters': 'personal_communication',
    'newsarticle': 'article-newspaper',
}
# biblatex localisation keys that turn up in `type` fields (English strings, as pandoc).
_TYPE_KEYS: Final = {
    'mathesis': 'Master\u2019s thesis',
    'phdthesis': 'PhD thesis',
    'candthesis': 'Candidate thesis',
    'techreport': 'technical report',
    'resreport': 'research report',
    'software': 'computer software',
    'datacd': 'CD-ROM',
    'audiocd': 'audio CD',
    'patent': 'patent',
    'patentus': 'U.S. patent',
}
_LANGUAGES: Final = {
    'american': 'en-US',
    'english': 'en-US',
    'usenglish': 'en-US',
    'british': 'en-GB',
    'ukenglish': 'en-GB',
    'canadian': 'en-CA',
    'australian': 'en-AU',
    'newzealand': 'en-NZ',
    'german': 'de-DE',
    'ngerman': 'de-DE',
    'austrian': 'de-AT',
    'naustrian': 'de-AT',
    'swissgerman': 'de-CH',
    'french': 'fr-FR',
    'spanish': 'es-ES',
    'italian': 'it-IT',
    'portuguese': 'pt-PT',
    'brazilian': 'pt-BR',
    'dutch': 'nl-NL',
    'swedish': 'sv-SE',
    'norsk': 'nb-NO',
    'danish': 'da-DK',
    'finnish': 'fi-FI',
    'polish': 'pl-PL',
    'russian': 'ru-RU',
    'japanese': 'ja-JP',
    'chinese': 'zh-CN',
    'korean': 'ko-KR',
    'turkish': 'tr-TR',
    'greek': 'el-GR',
    'czech': 'cs-CZ',
    'hungarian': 'hu-HU',
}


def _ietf(language: str) -> str:
    key = re.sub(r'[^a-z]', '', language.lower())
    return _LANGUAGES.get(key, language.strip())


def entry_to_csl(entry: BibEntry, *, lang: str | None = None) -> dict[str, Any]:
    """Convert one entry to a CSL-JSON item (``id`` = the key), decoding its LaTeX.

    Decoding happens here, not at load time, and the result is memoized per entry, so only
    cited entries pay for it, once per process.

    :param entry: the entry.
    :param lang: the document language (as given to :func:`format_citations`); titles are
        stored in sentence case only for English, as pandoc does.
    :return: a fresh dict; CSL rich-text fields use the CSL-JSON HTML subset
        (``<i>``, ``<span class="nocase">`` …).
    """
    english = lang is None or lang.lower().startswith('en')
    item: dict[str, Any] = _deep_copy(_entry_to_csl_cached(entry, english))
    return item


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


@lru_cache(maxsize=8192)
def _entry_to_csl_cached(entry: BibEntry, english_locale: bool) -> dict[str, Any]:
    return _CslBuilder(entry, english_locale).build()


class _CslBuilder:
    def __init__(self, entry: BibEntry, english_locale: bool) -> None:
        self.entry = entry
        self.fields = dict(reversed(entry.fields))  # first occurrence wins
        language = self.fields.get('langid') or self.fields.get('hyphenation')
        language = language or self.fields.get('language')
        self.language = _ietf(_strip_braces(language)) if language else None
        self.untitlecase = english_locale and (
            self.language is None or self.language.lower().startswith('en')
        )

    def raw(self, name: str) -> str | None:
        value = self.fields.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def inlines(self, name: str) -> list[_Inl] | None:
        value = self.raw(name)
        if value is None:
            return None
        return _latex_inlines(value) or None

    def title(self, name: str) -> list[_Inl] | None:
        inls = self.inlines(name)
        if inls is not None and self.untitlecase:
            inls = _untitlecase(inls)
        return inls

    def build(self) -> dict[str, Any]:
        et = self.entry.entry_type
        csl: dict[str, Any] = {'id': self.entry.key}
        subtype = (self.raw('entrysubtype') or '').lower()
        csl_type = _CSL_TYPES.get(et, _UNTYPED)
        if et in ('article', 'periodical', 'suppperiodical') and subtype in (
            'magazine',
            'newspaper',
        ):
            csl_type = f'article-{subtype}'
        if et == 'unpublished':
            is_event = any(self.raw(f) for f in ('eventdate', 'eventtitle', 'venue'))
            csl_type = 'speech' if is_event else 'manuscript'
        csl['type'] = csl_type

        self.add_names(csl)
        self.add_dates(csl)
        self.add_titles(csl)
        self.add_numbers(csl)
        self.add_publisher(csl)
        self.add_links(csl)

        genre = self.raw('type')
        if genre is not None:
            genre_text = _TYPE_KEYS.get(genre.lower(), _plain(_latex_inlines(genre)))
            csl['genre'] = genre_text
        elif et == 'mastersthesis':
            csl['genre'] = _TYPE_KEYS['mathesis']
        elif et == 'phdthesis':
            csl['genre'] = _TYPE_KEYS['phdthesis']
        if self.language is not None:
            csl['language'] = self.language
        note = self.inlines('note')
        if note is not None and et != 'periodical':
            csl['note'] = _markup(note)
        pubstate = self.raw('pubstate')
        if pubstate is not None:
            csl['status'] = _plain(_latex_inlines(pubstate))
        return {k: v for k, v in csl.items() if v not in (None, '', [])} | {'type': csl_type}

    def add_names(self, csl: dict[str, Any]) -> None:
        for bib_name, csl_name in (
            ('author', 'author'),
            ('bookauthor', 'container-author'),
            ('translator', 'translator'),
        ):
            raw = self.raw(bib_name)
            if raw is not None:
                csl[csl_name] = _csl_names(raw)
        editor = self.raw('editor')
        if editor is not None:
            role = 'director' if (self.raw('editortype') or '') == 'director' else 'editor'
            csl[role] = _csl_names(editor)

    def add_dates(self, csl: dict[str, Any]) -> None:
        for prefix, csl_name in (
            ('', 'issued'),
            ('url', 'accessed'),
            ('event', 'event-date'),
            ('orig', 'original-date'),
        ):
            value = self.date(f'{prefix}date') or self.old_date(prefix)
            if value is not None:
                csl[csl_name] = value

    def date(self, name: str) -> dict[str, Any] | None:
        raw = self.raw(name)
        if raw is None:
            return None
        text = _strip_braces(raw)
        parts = _parse_edtf(text)
        if parts is None:
            return {'literal': _plain(_latex_inlines(raw))}
        return {'date-parts': parts}

    def old_date(self, prefix: str) -> dict[str, Any] | None:
        year_raw = self.raw(f'{prefix}year')
        if year_raw is None:
            return None
        year_text = _plain(_latex_inlines(year_raw)).strip()
        year_text = re.sub(r'^[\u2013\u2014]', '-', year_text)
        if not re.fullmatch(r'-?[0-9]{1,9}', year_text):
            # pandoc keeps what it cannot read as a literal date ("forthcoming", "2019a")
            return {'literal': year_text}
        parts = [int(year_text)]
        month = _parse_month(self.raw(f'{prefix}month'))
        if month is not None:
            parts.append(month)
            day = _parse_int(self.raw(f'{prefix}day'), 1, 31)
            if day is not None:
                parts.append(day)
        return {'date-parts': [parts]}

    def add_titles(self, csl: dict[str, Any]) -> None:
        et = self.entry.entry_type
        chapterlike = et in _CHAPTERLIKE
        periodical = et == 'periodical'
        has_main = self.raw('maintitle') is not None

        title = None
        if periodical:
            title = self.title('issuetitle')
        if title is None and has_main and not chapterlike:
            title = self.title('maintitle')
        if title is None:
            title = self.title('title')
        subtitle = self.title('subtitle') or []
        addon = self.title('titleaddon') or []
        if title is not None:
            full = _concat_with('.', [_concat_with(':', [title, subtitle]), addon])
            csl['title'] = _markup(full)
            short = self.title('shorttitle')
            if short is None:
                # pandoc: the title up to its first colon, or the bare title if a subtitle
                # was given separately
                short = _up_to_colon(title)
                if short is None and (subtitle or addon):
                    short = title
            if short:
                csl['title-short'] = _markup(short)

        container = None
        if periodical:
            container = self.inlines('title')
        if container is None and chapterlike:
            container = self.title('maintitle') or self.title('booktitle')
        if container is None:
            container = self.inlines('journaltitle') or self.inlines('journal')
        if container is not None:
            sub = self.title('booksubtitle') if chapterlike else self.inlines('journalsubtitle')
            csl['container-title'] = _markup(_concat_with(':', [container, sub or []]))
        short_journal = self.inlines('shortjournal')
        if short_journal is not None:
            csl['container-title-short'] = _markup(short_journal)
        series = self.title('series')
        if series is not None:
            csl['collection-title'] = _markup(series)
        for bib_name, csl_name in (
            ('eventtitle', 'event'),
            ('origtitle', 'original-title'),
        ):
            value = self.title(bib_name)
            if value is not None:
                csl[csl_name] = _markup(value)

    def add_numbers(self, csl: dict[str, Any]) -> None:
        et = self.entry.entry_type
        pages = self.inlines('pages')
        if pages is not None:
            # pandoc keeps ASCII hyphens in CSL data; citeproc then renders page ranges
            csl['page'] = _markup(pages).replace('\u2013', '-')
        volume, part = self.inlines('volume'), self.inlines('part')
        if volume and part:
            csl['volume'] = _markup(volume) + '.' + _markup(part)
        elif volume or part:
            csl['volume'] = _markup(volume or part or [])
        for bib_name, csl_name in (
            ('pagetotal', 'number-of-pages'),
            ('volumes', 'number-of-volumes'),
            ('chapter', 'chapter-number'),
            ('edition', 'edition'),
            ('version', 'version'),
        ):
            value = self.inlines(bib_name)
            if value is not None:
                csl[csl_name] = _markup(value)
        number = self.inlines('number')
        if number is not None:
            if et in _COLLECTION_NUMBER_TYPES:
                csl['collection-number'] = _markup(number)
            elif et in _ARTICLELIKE:
                issue = self.inlines('issue')
                csl['issue'] = _markup(_concat_with(',', [number, issue or []]))
            else:
                csl['number'] = _markup(number)
        elif et in _ARTICLELIKE and self.inlines('issue') is not None:
            csl['issue'] = _markup(self.inlines('issue') or [])

    def add_publisher(self, csl: dict[str, Any]) -> None:
        howpublished = self.raw('howpublished')
        url_only = howpublished is not None and _url_only(howpublished)
        parts: list[list[_Inl]] = []
        for name in ('school', 'institution', 'organization', 'howpublished', 'publisher'):
            if name == 'howpublished' and url_only:
                continue  # a bare \url{} is where the item is, not who published it
            value = self.inlines(name)
            if value is not None:
                parts.append(value)
        if parts:
            csl['publisher'] = _markup(_concat_with(';', parts))
        place = self.inlines('address') or self.inlines('location')
        if place is not None:
            csl['publisher-place'] = _markup(place)
        venue = self.inlines('venue')
        if venue is not None:
            csl['event-place'] = _markup(venue)

    def add_links(self, csl: dict[str, Any]) -> None:
        url = self.raw('url')
        if url is None:
            howpublished = self.raw('howpublished')
            if howpublished is not None and _url_only(howpublished):
                url = _url_only(howpublished)
        if url is None:
            eprint, eprint_type = self.raw('eprint'), (self.raw('eprinttype') or '').lower()
            if eprint_type == '':
                eprint_type = (self.raw('archiveprefix') or '').lower()
            base = {
                'arxiv': 'https://arxiv.org/abs/',
                'jstor': 'https://www.jstor.org/stable/',
                'pubmed': 'https://www.ncbi.nlm.nih.gov/pubmed/',
                'googlebooks': 'https://books.google.com?id=',
            }.get(eprint_type)
            if eprint and base:
                url = base + eprint
        if url is not None:
            csl['URL'] = url
        for bib_name, csl_name in (
            ('doi', 'DOI'),
            ('isbn', 'ISBN'),
            ('issn', 'ISSN'),
            ('pmid', 'PMID'),
            ('pmcid', 'PMCID'),
        ):
            value = self.raw(bib_name)
            if value is not None:
                csl[csl_name] = value


def _url_only(value: str) -> str | None:
    match = re.fullmatch(r'\s*\\url\s*\{([^{}]*)\}\s*', value)
    return match.group(1).strip() if match else None
