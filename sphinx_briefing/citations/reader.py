"""Bibliography entries as pandoc itself reads them.

A .bib file is given, whole, to pandoc's own reader (``-f biblatex``, or ``-f bibtex``
for ``.bibtex`` files, the variants pandoc's ``--bibliography`` picks), and so is a
CSL-YAML file (as Markdown metadata, with the abbreviations pandoc uses for a
bibliography): each entry comes back as a pandoc reference (a ``MetaMap`` of pandoc's
JSON), which :func:`~sphinx_briefing.citations.citeproc.format_citations` hands to
citeproc in the document's metadata. A CSL-JSON file's items are handed over as they
are, in a bibliography file. An entry is then formatted exactly as
``pandoc --citeproc --bibliography FILE`` formats it, rich text (``nocase`` spans, maths,
small caps) included; CSL-JSON written by pandoc's ``csljson`` writer would lose some.

bibtexparser still parses each .bib (:mod:`.bibtex`, which reads CSL files too): it
finds the problems, with their lines, and which entries exist. Where pandoc is wrong, the
text it is given is mended first (:func:`_mend_bibtex`), or its reference after
(:func:`_mend_reference`).

A file's references are cached on disk by its content, the language and the pandoc
executable, so a file is read by pandoc once, not once per build.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from sphinx_briefing._files import replacing
from sphinx_briefing.citations.bibtex import BibEntry

__all__ = [
    'PandocRun',
    'ReaderError',
    'file_format',
    'pandoc_references',
    'references_for',
    'start_reading',
]

#: Bump when what is cached changes meaning.
_VERSION: Final = 3

Reference = dict[str, Any]


class ReaderError(Exception):
    """pandoc could not read a bibliography file."""


class PandocMissingError(ReaderError):
    """pandoc could not be run at all: nothing about any file (and nothing to cache)."""


def file_format(path: Path | str) -> str:
    """pandoc's input format for a bibliography file, by its suffix, as ``--bibliography``
    chooses it: ``biblatex`` for .bib, ``bibtex`` for .bibtex, ``csljson`` for .json,
    ``yaml`` for .yaml/.yml."""
    suffix = Path(path).suffix.lower()
    return {
        '.bibtex': 'bibtex',
        '.json': 'csljson',
        '.yaml': 'yaml',
        '.yml': 'yaml',
    }.get(suffix, 'biblatex')


def _locale_env(lang: str | None) -> str:
    """The ``LANG`` that makes pandoc's BibTeX reader use the document's language (it
    decides, for an entry without ``langid``, whether titles are English and so stored in
    sentence case, and how localisation keys such as ``newseries`` read)."""
    tag = (lang or 'en-US').replace('-', '_')
    return f'{tag}.UTF-8'


class PandocRun:
    """pandoc reading one bibliography file: started when made, its references taken by
    :meth:`references`. Its output goes to a file, not a pipe, so nothing has to read it
    while it runs: a build starts the project's files before it reads the documents
    (:func:`start_reading`) and takes them when it formats the citations."""

    def __init__(self, data: bytes, fmt: str, *, lang: str | None, pandoc: str) -> None:
        self._fmt, self._lang = fmt, lang
        self._data = data
        self._process: subprocess.Popen[bytes] | None = None
        self._error: str | None = None
        if fmt == 'csljson':
            return  # read here, not by pandoc
        if fmt in ('biblatex', 'bibtex'):
            data = _mend_bibtex(data.decode('utf-8-sig', errors='replace')).encode('utf-8')
            args = [pandoc, '-f', fmt, '-t', 'json']
        else:
            # A YAML bibliography is what pandoc reads as a metadata block: its strings
            # are Markdown.
            data = _yaml_as_markdown(data.decode('utf-8-sig', errors='replace')).encode('utf-8')
            args = [pandoc, '-f', 'markdown', '-t', 'json']
        env = dict(os.environ, LANG=_locale_env(lang), LC_ALL=_locale_env(lang))
        self._tmp = tempfile.TemporaryDirectory(prefix='briefing-reader-')
        folder = Path(self._tmp.name)
        if fmt == 'yaml':
            # pandoc reads a bibliography's Markdown with its built-in abbreviations (a
            # no-break space after "e.g.", none after "Inc."), the command line with the
            # longer list of its data file
            abbreviations = folder / 'abbreviations'
            abbreviations.write_text('\n'.join(_BIBLIOGRAPHY_ABBREVIATIONS) + '\n', 'utf-8')
            args.append(f'--abbreviations={abbreviations}')
        (folder / 'input').write_bytes(data)
        try:
            with (
                (folder / 'input').open('rb') as stdin,
                (folder / 'output').open('wb') as stdout,
                (folder / 'errors').open('wb') as stderr,
            ):
                self._process = subprocess.Popen(
                    args, stdin=stdin, stdout=stdout, stderr=stderr, env=env
                )
        except OSError as exc:
            self._error = f'cannot run pandoc ({pandoc}): {exc}'
            self._tmp.cleanup()

    def discard(self) -> None:
        """Stops pandoc if it still runs (a file started for nothing: see
        :func:`start_reading`) and removes its files."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            self._process.wait()
        if self._fmt != 'csljson' and self._error is None:
            self._tmp.cleanup()

    def references(self) -> dict[str, Reference]:
        """Every entry of the file: key → reference. A key defined twice keeps its first
        definition (as BibTeX and biber do; pandoc alone keeps the last).

        :raises ReaderError: pandoc cannot be run or rejects the file.
        """
        if self._fmt == 'csljson':
            return _csl_json_items(self._data)
        if self._error is not None or self._process is None:
            raise PandocMissingError(self._error or 'pandoc did not start')
        try:
            self._process.wait(timeout=600)
            if self._process.returncode != 0:
                stderr = (Path(self._tmp.name) / 'errors').read_bytes()
                message = ' '.join(stderr.decode('utf-8', 'replace').split())
                raise ReaderError(message or f'pandoc exited with {self._process.returncode}')
            document = json.loads((Path(self._tmp.name) / 'output').read_bytes())
        except subprocess.SubprocessError as exc:
            self._process.kill()
            raise PandocMissingError(f'pandoc did not finish: {exc}') from None
        finally:
            self._tmp.cleanup()
        listed = document.get('meta', {}).get('references', {}).get('c', [])
        english = (self._lang or 'en').lower().startswith('en')
        references: dict[str, Reference] = {}
        for reference in listed:
            key = _meta_text(reference.get('c', {}).get('id'))
            if key and key not in references:
                reference = _kept_names(_literal_dates(_without_cites(reference)))
                references[key] = _mend_reference(reference) if english else reference
        return references


def pandoc_references(
    data: bytes, fmt: str, *, lang: str | None, pandoc: str
) -> dict[str, Reference]:
    """Every entry of one bibliography file's *data*, read by pandoc: key → reference.

    :raises ReaderError: pandoc cannot be run or rejects the file.
    """
    return PandocRun(data, fmt, lang=lang, pandoc=pandoc).references()


#: The abbreviations pandoc's readers know when no data file is read, as when pandoc
#: reads a bibliography file.
_BIBLIOGRAPHY_ABBREVIATIONS: Final = (
    'Mr.', 'Mrs.', 'Ms.', 'Capt.', 'Dr.', 'Prof.', 'Gen.', 'Gov.', 'e.g.', 'i.e.', 'Sgt.',
    'St.', 'vol.', 'vs.', 'Sen.', 'Rep.', 'Pres.', 'Hon.', 'Rev.', 'Ph.D.', 'M.D.', 'M.A.',
    'p.', 'pp.', 'ch.', 'sec.', 'cf.', 'cp.',
)  # fmt: skip


def _csl_json_items(data: bytes) -> dict[str, Reference]:
    """A CSL-JSON file's items as they are: citeproc reads them as ``--bibliography
    FILE.json`` does (read into pandoc's metadata instead, a literal date such as
    ``{"literal": "1995-01-0001"}`` would be parsed as a date, fail, and print "n.d.").

    Items that are not mappings or have no id are left out (:mod:`.bibtex` warns of them).

    :raises ReaderError: the file is not JSON, or not a list.
    """
    try:
        items = json.loads(data.decode('utf-8-sig', errors='replace'))
    except ValueError as exc:
        raise ReaderError(f'not valid CSL-JSON: {exc}') from None
    if not isinstance(items, list):
        raise ReaderError('not CSL-JSON: expected a list of items')
    references: dict[str, Reference] = {}
    for item in items:
        key = item.get('id') if isinstance(item, dict) else None
        if isinstance(key, str | int) and not isinstance(key, bool) and str(key).strip():
            references.setdefault(str(key), {k: v for k, v in item.items() if k != 'id'})
    return references


#: CSL's date variables
_DATES: Final = ('accessed', 'available-date', 'event-date', 'issued', 'original-date', 'submitted')


def _kept_names(reference: Reference) -> Reference:
    """A reference whose family names stay as pandoc's reader split them.

    Read from the metadata, a family name with a lower-case word (``{de Araujo}``,
    braced so that BibTeX keeps it whole) would be split again into particle and family
    name; an empty particle tells citeproc the name is already split.
    """
    fields = reference.get('c', {})
    changed = {}
    for name, value in fields.items():
        if not isinstance(value, dict) or value.get('t') != 'MetaList':
            continue
        people = value.get('c', [])
        if not any(_splittable(person) for person in people):
            continue
        changed[name] = {
            't': 'MetaList',
            'c': [
                {
                    't': 'MetaMap',
                    'c': {**person['c'], 'non-dropping-particle': {'t': 'MetaString', 'c': ''}},
                }
                if _splittable(person)
                else person
                for person in people
            ],
        }
    if not changed:
        return reference
    return {'t': 'MetaMap', 'c': {**fields, **changed}}


def _splittable(person: Any) -> bool:
    if not isinstance(person, dict) or person.get('t') != 'MetaMap':
        return False
    parts = person.get('c', {})
    family = parts.get('family')
    if not isinstance(family, dict) or family.get('t') != 'MetaString':
        return False
    if 'non-dropping-particle' in parts or 'dropping-particle' in parts:
        return False
    return any(word[:1].islower() for word in family.get('c', '').split()[:-1])


def _literal_dates(reference: Reference) -> Reference:
    """A reference whose dates that are TeX, not dates (``year = {{\\noopsort{1973a}}1968}``),
    are literal: pandoc's reader prints those as they are, but the same string in the
    metadata is parsed as a date, fails, and prints as "n.d."."""
    fields = reference.get('c', {})
    changed = {}
    for name in _DATES:
        value = fields.get(name)
        if (
            isinstance(value, dict)
            and value.get('t') == 'MetaString'
            and any(char in value.get('c', '') for char in '\\{}')
        ):
            changed[name] = {'t': 'MetaMap', 'c': {'literal': value}}
    if not changed:
        return reference
    return {'t': 'MetaMap', 'c': {**fields, **changed}}


def _without_cites(value: Any) -> Any:
    """*value* with each citation (a ``\\cite`` in a note) replaced by its text: in the
    document's metadata citeproc would count it as cited, before every real citation."""
    if isinstance(value, list):
        return [_without_cites(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get('t') == 'Cite':
        return {'t': 'Span', 'c': [['', [], []], _without_cites(value['c'][1])]}
    return {name: _without_cites(item) for name, item in value.items()}


def _meta_text(value: Any) -> str:
    if not isinstance(value, dict):
        return ''
    if value.get('t') == 'MetaString':
        return str(value.get('c', ''))
    if value.get('t') == 'MetaInlines':
        return ''.join(
            inline.get('c', '') if inline.get('t') == 'Str' else ' '
            for inline in value.get('c', [])
            if isinstance(inline, dict)
        )
    return ''


def _yaml_as_markdown(text: str) -> str:
    lines = text.strip('\n').splitlines()
    if lines and lines[0].strip() == '---':
        lines = lines[1:]
    if lines and lines[-1].strip() in ('---', '...'):
        lines = lines[:-1]
    return '---\n' + '\n'.join(lines) + '\n...\n'


# --------------------------------------------------------------------------- pandoc's errors

#: ``\textemdash`` and ``\textendash``: pandoc's reader drops them (and the space after
#: would be the only thing left between two words). As in TeX, the spaces after the
#: command end it and are dropped with it, unless ``{}`` ends it.
_DASH_COMMANDS: Final = re.compile(r'\\text(em|en)dash(?![A-Za-z])(?:\{\}|[ \t]*)')


def _mend_bibtex(text: str) -> str:
    """The .bib text with what pandoc's reader gets wrong written as it reads it right."""
    return _DASH_COMMANDS.sub(lambda m: '---' if m.group(1) == 'em' else '--', text)


_BAD_ORDINAL: Final = re.compile(r'^(\d*?)(\d)th$')


def _ordinal(number: str) -> str:
    value = int(number)
    if value % 100 in (11, 12, 13):
        return f'{number}th'
    return number + {1: 'st', 2: 'nd', 3: 'rd'}.get(value % 10, 'th')


def _mend_reference(reference: Reference) -> Reference:
    """A reference with pandoc's English ordinals put right: a numeric biblatex
    ``series`` (``series = {403}``) becomes "403th series" in pandoc's reader."""
    fields = reference.get('c', {})
    title = fields.get('collection-title')
    if not isinstance(title, dict) or title.get('t') != 'MetaInlines':
        return reference
    inlines = title.get('c', [])
    if not inlines or not isinstance(inlines[0], dict) or inlines[0].get('t') != 'Str':
        return reference
    match = _BAD_ORDINAL.match(inlines[0].get('c', ''))
    if match is None:
        return reference
    fixed = _ordinal(match.group(1) + match.group(2))
    if fixed == inlines[0]['c']:
        return reference
    new_inlines = [{'t': 'Str', 'c': fixed}, *inlines[1:]]
    new_fields = dict(fields, **{'collection-title': {'t': 'MetaInlines', 'c': new_inlines}})
    return {'t': 'MetaMap', 'c': new_fields}


# --------------------------------------------------------------------------- cache


@dataclass(frozen=True, slots=True)
class _FileResult:
    references: dict[str, Reference]
    error: str | None


def _executable_state(pandoc: str) -> str:
    try:
        status = Path(pandoc).stat()
    except OSError:
        return pandoc
    return f'{pandoc}:{status.st_mtime_ns}:{status.st_size}'


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace('_', '-') in ('utf-8', 'utf8', 'utf-8-sig')


def _file_input(
    path: Path, *, lang: str | None, pandoc: str, encoding: str, inherited: str
) -> tuple[bytes, str, str] | None:
    """What pandoc is given for a file (its bytes and format) and the digest of everything
    its references depend on, or None when the file cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    fmt = file_format(path)
    if fmt in ('biblatex', 'bibtex') and (inherited or not _is_utf8(encoding)):
        # pandoc reads UTF-8 only, and one file knows nothing of the macros of the files
        # before it (BibTeX's own rule, which bibtexparser follows here)
        text = data.decode(encoding, errors='replace')
        data = (inherited + text).encode('utf-8')
    identity = repr((_VERSION, fmt, lang, _executable_state(pandoc)))
    digest = hashlib.sha256(identity.encode() + b'\0' + data).hexdigest()[:32]
    return data, fmt, digest


def start_reading(
    paths: Iterable[Path],
    *,
    lang: str | None,
    pandoc: str,
    cache_dir: Path,
    encoding: str = 'utf-8-sig',
) -> dict[str, PandocRun]:
    """pandoc started on each file whose references are not cached yet, by digest, to be
    handed to :func:`references_for` as *started*: pandoc reads the files while Sphinx
    reads the documents. A file is started as if no file before it defined macros; when
    one did, its digest differs, and :func:`references_for` reads it again."""
    started: dict[str, PandocRun] = {}
    for path in paths:
        found = _file_input(path, lang=lang, pandoc=pandoc, encoding=encoding, inherited='')
        if found is None or found[1] == 'csljson':
            continue
        data, fmt, digest = found
        if not (cache_dir / f'refs-{digest}.pickle').exists():
            started[digest] = PandocRun(data, fmt, lang=lang, pandoc=pandoc)
    return started


def _read_file(
    path: Path,
    *,
    lang: str | None,
    pandoc: str,
    cache_dir: Path | None,
    encoding: str = 'utf-8-sig',
    inherited: str = '',
    started: Mapping[str, PandocRun] | None = None,
) -> _FileResult | None:
    found = _file_input(path, lang=lang, pandoc=pandoc, encoding=encoding, inherited=inherited)
    if found is None:
        return None
    data, fmt, digest = found
    cache_file = cache_dir / f'refs-{digest}.pickle' if cache_dir is not None else None
    if cache_file is not None:
        try:
            with cache_file.open('rb') as stream:
                cached = pickle.load(stream)
            if isinstance(cached, _FileResult):
                return cached
        except Exception:  # missing or damaged: read the file again
            pass
    run = (started or {}).get(digest) or PandocRun(data, fmt, lang=lang, pandoc=pandoc)
    try:
        result = _FileResult(run.references(), None)
    except PandocMissingError:
        raise
    except ReaderError as exc:
        result = _FileResult({}, str(exc))
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            with replacing(cache_file) as stream:
                pickle.dump(result, stream, pickle.HIGHEST_PROTOCOL)
        except OSError:
            pass  # the cache is an optimisation only
    return result


# --------------------------------------------------------------------------- entries


def references_for(
    entries: Mapping[str, BibEntry],
    keys: Iterable[str],
    *,
    lang: str | None,
    pandoc: str,
    cache_dir: Path | None = None,
    encoding: str = 'utf-8-sig',
    inherited: Mapping[str, str] | None = None,
    started: Mapping[str, PandocRun] | None = None,
) -> tuple[dict[str, Reference], list[tuple[str, str]]]:
    """The pandoc references of *keys*, each read from the file its entry came from.

    A .bib file that pandoc rejects as a whole (its reader stops at the first syntax
    error, which bibtexparser has already reported at its line) is not lost: the entries
    wanted from it are written out again, as bibtexparser read them, and read alone.

    :return: the references by key, and (path, message) for each file pandoc could not
        read.
    """
    by_path: dict[str, list[str]] = {}
    for key in keys:
        entry = entries.get(key)
        if entry is not None:
            by_path.setdefault(entry.path, []).append(key)
    found: dict[str, Reference] = {}
    problems: list[tuple[str, str]] = []
    for path, wanted in by_path.items():
        result = _read_file(
            Path(path),
            lang=lang,
            pandoc=pandoc,
            cache_dir=cache_dir,
            encoding=encoding,
            inherited=(inherited or {}).get(path, ''),
            started=started,
        )
        references = result.references if result is not None else {}
        missing = [key for key in wanted if key not in references]
        if missing and file_format(path) in ('biblatex', 'bibtex'):
            references = {**references, **_read_entries(entries, missing, path, lang, pandoc)}
        elif missing and result is not None and result.error:
            references = {**references, **_read_csl_items(Path(path), missing, lang, pandoc)}
        if result is not None and result.error and missing:
            problems.append((path, f'pandoc could not read the file as a whole: {result.error}'))
        found.update((key, references[key]) for key in wanted if key in references)
    return found, problems


def _read_entries(
    entries: Mapping[str, BibEntry], keys: Sequence[str], path: str, lang: str | None, pandoc: str
) -> dict[str, Reference]:
    fmt = file_format(path)
    text = ''.join(_bibtex_text(entries[key]) for key in keys)
    try:
        return pandoc_references(text.encode('utf-8'), fmt, lang=lang, pandoc=pandoc)
    except ReaderError:
        pass
    # One entry pandoc cannot read must not take the others with it.
    references: dict[str, Reference] = {}
    for key in keys:
        try:
            one = pandoc_references(
                _bibtex_text(entries[key]).encode('utf-8'), fmt, lang=lang, pandoc=pandoc
            )
        except ReaderError:
            continue
        references.update(one)
    return references


def _read_csl_items(
    path: Path, keys: Sequence[str], lang: str | None, pandoc: str
) -> dict[str, Reference]:
    """The items *keys* of a CSL-JSON or CSL-YAML file that pandoc rejects as a whole (one
    item that is not a mapping is enough; :mod:`.bibtex` has warned at its line): the
    good items are given to pandoc again, alone, as CSL-JSON."""
    wanted = set(keys)
    fmt = file_format(path)
    try:
        text = path.read_text(encoding='utf-8-sig', errors='replace')
        if fmt == 'csljson':
            items = json.loads(text)
        else:
            items = next((doc for doc in yaml.safe_load_all(text) if doc is not None), None)
            if isinstance(items, dict):
                items = items.get('references')
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    chosen = [
        item
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and str(item.get('id', '')) in wanted
    ]
    if fmt == 'csljson':
        data = json.dumps(chosen, ensure_ascii=False)
    else:
        # written back as YAML, so that its strings are still read as Markdown
        data = yaml.safe_dump({'references': chosen}, allow_unicode=True, sort_keys=False)
    try:
        return pandoc_references(data.encode('utf-8'), fmt, lang=lang, pandoc=pandoc)
    except ReaderError:
        return {}


def _bibtex_text(entry: BibEntry) -> str:
    """An entry written out again from its fields (macros expanded, crossref inherited)."""
    fields = ''.join(
        f'  {name} = {{{value}}},\n' for name, value in entry.fields if name != 'crossref'
    )
    return f'@{entry.entry_type}{{{entry.key},\n{fields}}}\n'
