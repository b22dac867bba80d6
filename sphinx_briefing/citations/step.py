"""The citation part of the step after reading: load the .bib files, format every
citation once, in reading order, and hand plain results to :func:`derive.derive`.

This is the only part of the cross-document step that does I/O (the .bib files and one
pandoc run), so it is kept apart from the pure derivation. Both are cached between builds
(in the doctree folder): parsed .bib files by their content, decoded entries by their raw
fields, and the formatted result by a digest of everything it depends on, so an
unchanged set of citations is neither decoded nor formatted again.
"""

from __future__ import annotations

import dataclasses
import datetime
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.util import logging

from sphinx_briefing._files import replacing
from sphinx_briefing.citations.bibtex import (
    BibDatabase,
    BibEntry,
    entry_issued,
    load_bibfiles,
)
from sphinx_briefing.citations.citeproc import (
    CitationRequest,
    CiteItem,
    CiteprocError,
    Formatted,
    Rich,
    StyleError,
    _pandoc_path,
    format_citations,
    formatting_key,
    resolve_style,
)
from sphinx_briefing.citations.compat import (
    EntryFacts,
    citation_style,
    csl_for,
    docnames_citing,
    plain_field,
    select,
)
from sphinx_briefing.citations.reader import (
    PandocMissingError,
    PandocRun,
    references_for,
    start_reading,
)
from sphinx_briefing.citations.roles import AUTHOR_IN_BRACKETS, FORMS
from sphinx_briefing.config import conf_location
from sphinx_briefing.locale import __
from sphinx_briefing.model import CiteRef, Placeholder, stable_digest
from sphinx_briefing.warnings_ import Subtype

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)

#: where parsed .bib files are cached, inside the doctree folder
CACHE_DIR_NAME = 'briefing-bib-cache'


@dataclass(frozen=True, slots=True)
class BibWarning:
    """A problem found while loading .bib files or formatting, at a file's own line or in
    the configuration."""

    message: str
    subtype: Subtype
    location: str | None  # 'path/to/file.bib:12', or None for configuration problems


@dataclass(frozen=True)
class CitationInputs:
    """What :func:`derive.derive` needs to know about citations: plain data."""

    known_keys: frozenset[str] = frozenset()
    #: (year, month, day) of each cited entry, for the "facts as of" check
    issued: Mapping[str, tuple[int, int | None, int | None]] = field(default_factory=dict)
    #: (docname, anchor) of each citation → the formatted citation
    texts: Mapping[tuple[str, str], tuple[Rich, ...]] = field(default_factory=dict)
    #: every formatted entry, in the style's order
    entries: tuple[tuple[str, tuple[Rich, ...]], ...] = ()
    #: (docname, anchor) of a bibliography with a :filter: or .bib files → the keys it may
    #: list (sphinxcontrib-bibtex's options)
    selected: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    #: the bib ``keywords`` of each entry, for ``bibliography :keywords:``
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    numeric: bool = False
    warnings: tuple[BibWarning, ...] = ()
    #: keys written with another document's bibliography :keyprefix: → the entry's key
    unprefixed: Mapping[str, str] = field(default_factory=dict)


@dataclass
class CitationCache:
    """What the last citation step loaded, decoded and formatted, kept between builds in
    its own file beside the environment (:meth:`load`, :meth:`save`).

    Not in the environment: only a build that runs the cross-document step needs it, and
    it would otherwise stay in memory through the write phase (12 MiB at 500 documents
    and 2,000 entries) and be pickled and unpickled with the environment by every build.
    Every entry is checked against what it was made from before it is used, so a file
    older or newer than the environment (a build that stopped between writing the two)
    costs time, never a wrong citation.
    """

    FILE_NAME = 'briefing-citations.pickle'
    #: bump when the fields change: a file of another version is not used
    VERSION = 2

    #: key → ((raw entry, language), its item as pandoc's reader read it)
    csl: dict[str, tuple[tuple[BibEntry, str | None], dict[str, Any]]] = field(default_factory=dict)
    formatting_key: str = ''
    formatted: Formatted | None = None
    #: what the last formatting was given, compared as is: equal inputs skip even the
    #: formatting key (a digest of every item's JSON)
    signature: bytes = b''
    #: the .bib files' (path, mtime, size), their encoding and what was loaded from them:
    #: unchanged files are not even read again
    bib_stats: tuple[tuple[str, int, int], ...] = ()
    bib_encoding: str = ''
    database: BibDatabase | None = None
    #: whether this build changed anything above, that is, whether to save it
    modified: bool = field(default=False, compare=False)

    @classmethod
    def load(cls, doctreedir: str | Path) -> CitationCache:
        """The cache the last build saved, or an empty one."""
        try:
            with (Path(doctreedir) / cls.FILE_NAME).open('rb') as stream:
                version, cache = pickle.load(stream)
        except FileNotFoundError:
            return cls()
        except Exception:
            # Unpickling a damaged or foreign file can raise almost anything; for a cache
            # every failure means the same: start again.
            return cls()
        if version != cls.VERSION or not isinstance(cache, cls):
            return cls()
        cache.modified = False
        return cache

    def save(self, doctreedir: str | Path) -> None:
        with replacing(Path(doctreedir) / self.FILE_NAME) as stream:
            pickle.dump((self.VERSION, self), stream, pickle.HIGHEST_PROTOCOL)
        self.modified = False


def bibfiles(config: Config) -> list[str]:
    """``briefing_bibfiles``, or sphinxcontrib-bibtex's ``bibtex_bibfiles``."""
    own = list(config.briefing_bibfiles or [])
    return own or list(getattr(config, 'bibtex_bibfiles', None) or [])


def bib_paths(app: Sphinx) -> list[Path]:
    """The project's bibliography files, relative to the configuration directory."""
    return [Path(app.confdir) / name for name in bibfiles(app.config)]


def bib_encoding(config: Config) -> str:
    """The .bib files' encoding: sphinxcontrib-bibtex's ``bibtex_encoding``, else UTF-8."""
    return str(getattr(config, 'bibtex_encoding', '') or 'utf-8-sig')


def start_reading_bibfiles(app: Sphinx) -> dict[str, PandocRun]:
    """pandoc started on the project's .bib files that it has not read before, so that it
    reads them while Sphinx reads the documents (``env-before-read-docs``); the step takes
    them in :func:`format_project` (*started*). Nothing is started when pandoc cannot be
    found: the step says so when it formats the citations."""
    paths = bib_paths(app)
    if not paths:
        return {}
    try:
        pandoc = app.config.briefing_pandoc or _pandoc_path()
    except CiteprocError:
        return {}
    return start_reading(
        paths,
        lang=language_tag(app.config.language),
        pandoc=pandoc,
        cache_dir=Path(app.doctreedir) / CACHE_DIR_NAME,
        encoding=bib_encoding(app.config),
    )


def load(app: Sphinx, cache: CitationCache) -> BibDatabase:
    paths = bib_paths(app)
    if not paths:
        return BibDatabase(entries={}, problems=())
    stats = tuple(file_state(path) for path in paths)
    encoding = bib_encoding(app.config)
    if cache.database is not None and stats == cache.bib_stats and encoding == cache.bib_encoding:
        return cache.database
    database = load_bibfiles(
        paths,
        cache_dir=Path(app.doctreedir) / CACHE_DIR_NAME,
        progress=lambda message: logger.info(message),
        encoding=encoding,
    )
    cache.bib_stats, cache.bib_encoding = stats, encoding
    cache.database, cache.modified = database, True
    return database


def file_state(path: Path) -> tuple[str, int, int]:
    """(path, mtime in ns, size) of a file, or (path, -1, -1) when it cannot be read:
    what decides whether a .bib or .csl file changed since the last build."""
    try:
        status = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), status.st_mtime_ns, status.st_size)


def requests_for(
    cites: Sequence[CiteRef], known: Mapping[str, object], *, dedupe: bool
) -> tuple[list[CitationRequest], dict[tuple[str, str], tuple[int, bool]]]:
    """The pandoc requests, in reading order, and which request each citation (by
    (docname, anchor)) reads its text from, and whether it reads the request's footnote
    (a note style's footnote made for a citation, at the citation's anchor + ``-note``).

    With *dedupe*, a citation identical to an earlier one reuses its request: the same
    keys and notes format the same in a style without position conditions (first,
    subsequent, ibid), and thousands of positions cite the same sources.
    """
    requests: list[CitationRequest] = []
    index_of: dict[CitationRequest, int] = {}
    texts: dict[tuple[str, str], tuple[int, bool]] = {}
    notes = any(cite.note_place for cite in cites)
    last_note: dict[str, int] = {}
    for cite in _in_note_order(cites):
        note = last_note[cite.docname] = cite.note or last_note.get(cite.docname, 0)
        mode, all_authors, _capital = FORMS.get(cite.form, FORMS['p'])
        items = tuple(
            CiteItem(key=key, prefix=prefix, suffix=suffix, mode=mode)
            for key, prefix, suffix in zip(cite.keys, cite.prefixes, cite.suffixes, strict=False)
            if key in known
        )
        if not items:
            continue
        place = cite.note_place if cite.note_place in ('own', 'inside') else ''
        request = CitationRequest(
            items=items,
            all_authors=all_authors,
            note=note,
            note_place=place,  # type: ignore[arg-type]
            group=cite.docname if notes else '',
        )
        if not dedupe or request not in index_of:
            index_of[request] = len(requests)
            requests.append(request)
        index = index_of[request] if dedupe else len(requests) - 1
        texts[cite.docname, cite.anchor] = (index, False)
        if place == 'own':
            texts[cite.docname, f'{cite.anchor}-note'] = (index, True)
    return requests, texts


def _in_note_order(cites: Sequence[CiteRef]) -> list[CiteRef]:
    """A note style's citations of each document in the order of their footnotes (those
    inside a document's own footnotes are read after the text); other citations as
    they are. A citation without a number (a position's sources) takes the one before."""
    if not any(cite.note_place for cite in cites):
        return list(cites)
    ordered: list[CiteRef] = []
    start = 0
    while start < len(cites):
        end = start
        while end < len(cites) and cites[end].docname == cites[start].docname:
            end += 1
        numbers: list[int] = []
        last = 0
        for cite in cites[start:end]:
            last = cite.note or last
            numbers.append(last)
        ranked = sorted(range(end - start), key=numbers.__getitem__)
        ordered.extend(cites[start + i] for i in ranked)
        start = end
    return ordered


def _uses_positions(style: Path | None) -> bool:
    """Whether a style renders a citation differently by its position (note styles:
    ibid., subsequent short forms). pandoc's built-in Chicago author-date does not."""
    if style is None:
        return False
    try:
        return 'position=' in style.read_text(encoding='utf-8')
    except OSError:
        return True


def language_tag(language: str | None) -> str | None:
    """Sphinx's 'ja' or 'pt_BR' → a BCP 47 tag for the style's locale terms."""
    return language.replace('_', '-') if language else None


def format_project(
    app: Sphinx,
    cites_in_order: Sequence[CiteRef],
    placeholders: Sequence[Placeholder],
    cache: CitationCache,
    started: Mapping[str, PandocRun] | None = None,
) -> CitationInputs:
    """Load, check and format every citation of the project (cached). *started*: pandoc
    reading .bib files since before the documents were read (:func:`start_reading_bibfiles`)."""
    has_bibliography = any(ph.kind == 'bibliography' for ph in placeholders)
    if not cites_in_order and not has_bibliography and not bibfiles(app.config):
        return CitationInputs()
    warnings: list[BibWarning] = []
    database = load(app, cache)
    for problem in database.problems:
        subtype = {
            'bib_syntax': Subtype.BIB_SYNTAX,
            'csl_syntax': Subtype.CSL_SYNTAX,
            'duplicate_key': Subtype.DUPLICATE_KEY,
            'missing_bibfile': Subtype.MISSING_BIBFILE,
        }.get(problem.subtype, Subtype.BIB_SYNTAX)
        if problem.line:
            warnings.append(BibWarning(problem.message, subtype, f'{problem.path}:{problem.line}'))
        elif subtype == Subtype.MISSING_BIBFILE:
            # The file is named in conf.py: that is the line to fix (sphinxcontrib-bibtex's
            # name for the setting is read too).
            location = conf_location(app, 'briefing_bibfiles')
            if location is not None and location.endswith(':'):
                location = conf_location(app, 'bibtex_bibfiles')
            warnings.append(BibWarning(problem.message, subtype, location))
        else:
            # The file as a whole (it cannot be read); with its ':' Sphinx takes the
            # location as a path, not a document name.
            warnings.append(BibWarning(problem.message, subtype, f'{problem.path}:'))

    style: Path | None = None
    bibliographies = [ph for ph in placeholders if ph.kind == 'bibliography']
    name = citation_style(app.config, next((ph.style for ph in bibliographies if ph.style), ''))
    reference = str(getattr(app.config, 'bibtex_reference_style', '') or '')
    for ph in bibliographies:
        if ph.style and csl_for(ph.style, reference) != name:
            warnings.append(
                BibWarning(
                    __(
                        '%s:%s: bibliography :style: %r is not the citation style of the '
                        'project (%r), which formats every citation and bibliography'
                    )
                    % (ph.docname, ph.line, ph.style, name),
                    Subtype.BAD_OPTION,
                    None,
                )
            )
    try:
        style = resolve_style(name, Path(app.confdir))
    except StyleError as exc:
        warnings.append(
            BibWarning(
                __('%s; using chicago-author-date') % exc,
                Subtype.UNKNOWN_STYLE,
                conf_location(app, 'briefing_citation_style'),
            )
        )

    entries = database.entries
    unprefixed = _unprefixed(cites_in_order, bibliographies, entries)
    if unprefixed:
        cites_in_order = unprefix(cites_in_order, unprefixed)
    requests, text_of = requests_for(cites_in_order, entries, dedupe=not _uses_positions(style))
    include_all = any(ph.scope in ('all', 'notcited') or ph.filter for ph in bibliographies)
    lang = language_tag(app.config.language)
    wanted = list(entries) if include_all else _cited_keys(requests)
    items = _items(app, database, wanted, cache, lang, warnings, started)
    for key in list(cache.csl):
        if key not in entries:
            del cache.csl[key]
            cache.modified = True

    # A digest, not the inputs themselves: they would double the pickled environment.
    signature = stable_digest(
        file_state(style) if style is not None else None,
        lang,
        include_all,
        requests,
        [(key, entries[key]) for key in wanted],
    )
    if signature == cache.signature:
        key, formatted = cache.formatting_key, cache.formatted
    else:
        key = formatting_key(style, items, requests, lang=lang, include_all=include_all)
        formatted = cache.formatted if key == cache.formatting_key else None
        cache.signature, cache.modified = signature, True
    if formatted is None and (requests or include_all):
        try:
            formatted = format_citations(
                style,
                items,
                requests,
                lang=lang,
                include_all=include_all,
                pandoc=app.config.briefing_pandoc or None,
                name_in_text=True,
            )
        except CiteprocError as exc:
            # pandoc missing or failing: the setting that names it is the place to fix
            warnings.append(
                BibWarning(
                    __('citations could not be formatted: %s') % exc,
                    Subtype.CITEPROC,
                    conf_location(app, 'briefing_pandoc'),
                )
            )
            formatted = None
        cache.formatting_key, cache.formatted, cache.modified = key, formatted, True
    if formatted is not None:
        # What pandoc (or the style's use) reported while formatting with the style.
        style_line = conf_location(app, 'briefing_citation_style')
        warnings.extend(
            BibWarning(text, Subtype.CITEPROC, style_line) for text in formatted.warnings
        )

    issued = {}
    for cited in {k for request in requests for item in request.items for k in [item.key]}:
        date = entry_issued(entries[cited])
        if date is not None:
            issued[cited] = date
    return CitationInputs(
        known_keys=frozenset(entries),
        issued=issued,
        texts=_bracketed(
            {
                where: (formatted.notes if note else formatted.citations)[index]
                for where, (index, note) in text_of.items()
            },
            cites_in_order,
        )
        if formatted
        else {},
        entries=formatted.bibliography if formatted else (),
        selected=_selected(bibliographies, entries, cites_in_order),
        keywords={key: _keywords(entry) for key, entry in entries.items()},
        numeric=formatted.numeric if formatted else False,
        warnings=tuple(warnings),
        unprefixed=unprefixed,
    )


def _unprefixed(
    cites: Sequence[CiteRef], bibliographies: Sequence[Placeholder], entries: Mapping[str, object]
) -> dict[str, str]:
    """sphinxcontrib-bibtex's :keyprefix: holds across documents: ``x-key`` cited in one
    document cites ``key`` when another document's bibliography has ``:keyprefix: x-``
    (within a document, the prefix is taken off when it is read). A key of the .bib
    itself is never renamed."""
    prefixes = sorted({ph.keyprefix for ph in bibliographies if ph.keyprefix}, key=len)[::-1]
    if not prefixes:
        return {}
    renamed: dict[str, str] = {}
    for cite in cites:
        for key in cite.keys:
            if key in entries or key in renamed:
                continue
            for prefix in prefixes:
                if key.startswith(prefix) and key[len(prefix) :] in entries:
                    renamed[key] = key[len(prefix) :]
                    break
    return renamed


def unprefix(cites: Sequence[CiteRef], renamed: Mapping[str, str]) -> list[CiteRef]:
    """*cites* with the keys :func:`_unprefixed` found renamed."""
    return [
        dataclasses.replace(cite, keys=tuple(renamed.get(key, key) for key in cite.keys))
        if any(key in renamed for key in cite.keys)
        else cite
        for cite in cites
    ]


def _bracketed(
    texts: dict[tuple[str, str], tuple[Rich, ...]], cites: Sequence[CiteRef]
) -> dict[tuple[str, str], tuple[Rich, ...]]:
    """cite:authorpar and friends: the author in brackets."""
    for cite in cites:
        where = (cite.docname, cite.anchor)
        if cite.form in AUTHOR_IN_BRACKETS and where in texts:
            texts[where] = (('text', '('), *texts[where], ('text', ')'))
    return texts


def _selected(
    bibliographies: Sequence[Placeholder],
    entries: Mapping[str, BibEntry],
    cites: Sequence[CiteRef],
) -> dict[tuple[str, str], frozenset[str]]:
    """The keys each bibliography with .bib files or a :filter: may list."""
    result: dict[tuple[str, str], frozenset[str]] = {}
    facts: list[EntryFacts] | None = None
    for ph in bibliographies:
        allowed: frozenset[str] | None = None
        if ph.files:
            files = set(ph.files)
            allowed = frozenset(
                key for key, entry in entries.items() if str(Path(entry.path).resolve()) in files
            )
        if ph.filter:
            if facts is None:
                citing = docnames_citing(cites)
                facts = [
                    EntryFacts(
                        key=key,
                        entry_type=entry.entry_type,
                        fields={name: plain_field(value) for name, value in entry.fields},
                        cited=key in citing,
                        docnames=frozenset(citing.get(key, ())),
                    )
                    for key, entry in entries.items()
                ]
            passed = select(ph.filter, facts, ph.docname)
            allowed = passed if allowed is None else allowed & passed
        if allowed is not None:
            result[ph.docname, ph.anchor] = allowed
    return result


def _cited_keys(requests: Sequence[CitationRequest]) -> list[str]:
    seen: dict[str, None] = {}
    for request in requests:
        for item in request.items:
            seen.setdefault(item.key, None)
    return list(seen)


def _items(
    app: Sphinx,
    database: BibDatabase,
    wanted: Sequence[str],
    cache: CitationCache,
    lang: str | None,
    warnings: list[BibWarning],
    started: Mapping[str, PandocRun] | None = None,
) -> dict[str, dict[str, Any]]:
    """The entries *wanted*, as pandoc's own reader reads them (cached), in that order."""
    entries = database.entries
    missing = [
        key
        for key in wanted
        if (cached := cache.csl.get(key)) is None or cached[0] != (entries[key], lang)
    ]
    if missing:
        try:
            pandoc = app.config.briefing_pandoc or _pandoc_path()
        except CiteprocError as exc:
            warnings.append(BibWarning(str(exc), Subtype.CITEPROC, None))
            return {}
        try:
            found, problems = references_for(
                entries,
                missing,
                lang=lang,
                pandoc=pandoc,
                cache_dir=Path(app.doctreedir) / CACHE_DIR_NAME,
                encoding=database.encoding,
                inherited=database.inherited,
                started=started,
            )
        except PandocMissingError:
            # said once, at briefing_pandoc, when the citations are formatted
            return {}
        # A file pandoc rejects because of a syntax error already reported at its line
        # needs no second, vaguer warning.
        reported = {p.path for p in database.problems if p.subtype in ('bib_syntax', 'csl_syntax')}
        warnings.extend(
            BibWarning(message, Subtype.BIB_SYNTAX, path)
            for path, message in problems
            if path not in reported
        )
        for key, item in found.items():
            cache.csl[key] = ((entries[key], lang), item)
        cache.modified = True
    return {key: cache.csl[key][1] for key in wanted if key in cache.csl}


def _keywords(entry: BibEntry) -> tuple[str, ...]:
    for name, value in entry.fields:
        if name == 'keywords':
            return tuple(
                part.strip() for part in value.replace(';', ',').split(',') if part.strip()
            )
    return ()


def after(issued: tuple[int, int | None, int | None], day: str) -> bool:
    """Whether a source dated *issued* (year, month?, day?) is certainly after *day*
    (ISO): a year-only date of the same year is not."""
    event = datetime.date.fromisoformat(day)
    year, month, dom = issued
    if year != event.year:
        return year > event.year
    if month is None or (month == event.month and dom is None):
        return False
    if month != event.month:
        return month > event.month
    return dom is not None and dom > event.day
