"""What each page read of the cross-document step's result, recorded as it was rendered.

A page shows numbers, names, index rows, matrix cells, briefs and citations that other
documents decide. Which pages must be written again after an edit is not worked out by a
second description of what each renderer shows (such a description drifts from the
renderers, and a page goes stale); instead, everything that renders a page reads
:class:`~sphinx_briefing.derive.Derived` through a :class:`PageView`, which records each
read (an attribute, one item of a mapping, a method's answer) with a digest of the value
it returned. After the next step, every recorded read is made again on the new result:
the pages whose reads give another value are the pages to rewrite, and no others.

The record is the builder's, kept in its output folder (:data:`FILE_NAME`), because what
a page read depends on the builder (links, split indexes) and one doctree folder may serve
several builders (``make html`` then ``make dirhtml``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import pickle
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_briefing._files import replacing

if TYPE_CHECKING:
    from sphinx_briefing.derive import Derived

#: in the builder's output folder, beside Sphinx's own ``.buildinfo``
FILE_NAME = '.briefing-reads.pickle'
#: raise when the form of a key changes: an older record is then not trusted
FORMAT = 3

#: a warning given while a page was written: (message, subtype, location 'source:line')
PageWarning = tuple[str, str, str]

#: a read: ('attr', name) | ('item', name, key) | ('all', name) | ('call', name, args)
Key = tuple[Any, ...]


class _Absent:
    """What a read of a missing item gives: the same text in every process (an
    ``object()``'s repr holds its address, so the page would be rewritten every build)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return '<absent>'


_ABSENT = _Absent()

#: fields of records that no page shows: where a thing stands in its source (warnings and
#: ``briefing.json``, made in every build, say it), so text moved around rewrites nothing
NOT_SHOWN = frozenset({'line'})


def canonical(value: object) -> str:
    """A text that stands for *value*, the same in every process for equal values.

    ``repr`` would do for strings, numbers and tuples, but not for sets (their order
    follows the process's salted hash) nor for objects without a value repr.
    """
    out: list[str] = []
    _write(value, out)
    return ''.join(out)


#: types written as their repr: the same text in every process
_ATOMS = frozenset({type(None), bool, int, float, str, bytes})


def _write(value: object, out: list[str]) -> None:
    kind: Any = type(value)
    if kind in _ATOMS:
        out.append(repr(value))
    elif kind is tuple or kind is list:
        out.append('(' if kind is tuple else '[')
        for item in value:  # type: ignore[attr-defined]
            _write(item, out)
            out.append(',')
        out.append(')' if kind is tuple else ']')
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(kind.__name__ + '(')
        for name in _shown_fields(kind):
            if name is not None:
                _write(getattr(value, name), out)
            out.append(',')
        out.append(')')
    elif isinstance(value, bool | int | float | str | bytes):  # a subclass of one
        out.append(repr(value))
    elif isinstance(value, enum.Enum):
        out.append(f'{type(value).__name__}.{value.name}')
    elif isinstance(value, tuple | list):
        _write(tuple(value) if isinstance(value, tuple) else list(value), out)
    elif isinstance(value, frozenset | set):
        out.append('{' + ','.join(sorted(canonical(item) for item in value)) + '}')
    elif isinstance(value, Mapping):
        out.append('{')
        for key, item in value.items():  # insertion order: the order pages show
            _write(key, out)
            out.append(':')
            _write(item, out)
            out.append(',')
        out.append('}')
    else:
        # Anything else is compared by its repr: an object without a value repr makes
        # every page that read it be written again, never a stale one.
        out.append(repr(value))


@functools.cache
def _shown_fields(kind: Any) -> tuple[str | None, ...]:
    """A dataclass's fields in order, None for those no page shows (:data:`NOT_SHOWN`):
    asked once per class, not once per record."""
    return tuple(
        None if field.name in NOT_SHOWN else field.name for field in dataclasses.fields(kind)
    )


def digest(value: object) -> bytes:
    return hashlib.blake2b(canonical(value).encode('utf-8'), digest_size=16).digest()


def _frozen(value: object) -> object:
    """An argument as it can be kept in a key (an iterator is read once, into a tuple)."""
    if isinstance(value, list | Iterator):
        return tuple(value)
    return value


def evaluate(derived: Derived, key: Key) -> object:
    """The value a read gives on *derived*: how a recorded read is made again."""
    kind, name = key[0], key[1]
    value = getattr(derived, name)
    if kind == 'attr' or kind == 'all':
        return value
    if kind == 'item':
        return value.get(key[2], _ABSENT)
    if kind == 'call':
        return value(*key[2])
    raise ValueError(key)


class Log:
    """The reads of one page in one build: key → digest.

    A key is kept as it is when it can be hashed (nearly always), else by its text
    (:func:`canonical`); either way equal reads are one entry. Only values are made into
    text, for their digests.
    """

    __slots__ = ('_known', 'reads')

    def __init__(self, known: dict[Hashable, bytes] | None = None) -> None:
        self.reads: dict[Hashable, tuple[Key, bytes]] = {}
        #: key → digest of its value, shared by every page of the build: the result does
        #: not change while pages are written, so one key has one value
        self._known = {} if known is None else known

    def note(self, key: Key, value: object) -> None:
        ident = identity(key)
        if ident in self.reads:
            return
        found = self._known.get(ident)
        if found is None:
            found = self._known[ident] = digest(value)
        self.reads[ident] = (key, found)


def identity(key: Key) -> Hashable:
    """What a read is told apart by: the key itself, or its text if it cannot be hashed."""
    try:
        hash(key)
    except TypeError:  # an unhashable argument
        return canonical(key)
    return key


class _MappingView(Mapping[Any, Any]):
    """A mapping of the result, read through: each item looked up is a read of its own;
    going over the whole mapping is a read of all of it."""

    __slots__ = ('_log', '_mapping', '_name')

    def __init__(self, name: str, mapping: Mapping[Any, Any], log: Log) -> None:
        self._name, self._mapping, self._log = name, mapping, log

    def __getitem__(self, key: Any) -> Any:
        value = self._mapping.get(key, _ABSENT)
        self._log.note(('item', self._name, key), value)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._mapping.get(key, _ABSENT)
        self._log.note(('item', self._name, key), value)
        return default if value is _ABSENT else value

    def __contains__(self, key: object) -> bool:
        return self.get(key, _ABSENT) is not _ABSENT

    def _all(self) -> Mapping[Any, Any]:
        self._log.note(('all', self._name), self._mapping)
        return self._mapping

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:
        return bool(self._all())


class PageView:
    """:class:`~sphinx_briefing.derive.Derived` as one page reads it: the same attributes
    and methods, every read noted in the page's :class:`Log`."""

    __slots__ = ('_derived', '_log')

    def __init__(self, derived: Derived, log: Log) -> None:
        self._derived = derived
        self._log = log

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._derived, name)
        if isinstance(value, Mapping):
            return _MappingView(name, value, self._log)
        if callable(value):
            return self._method(name, value)
        self._log.note(('attr', name), value)
        return value

    def _method(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any) -> Any:
            frozen = tuple(_frozen(arg) for arg in args)
            result = method(*frozen)
            self._log.note(('call', name, frozen), result)
            return result

        return read


class PageReads:
    """The reads of every page written by one builder: those of this build's pages, over
    those kept from earlier builds."""

    def __init__(
        self,
        kept: dict[str, dict[Hashable, tuple[Key, bytes]]] | None,
        kept_extras: frozenset[str] = frozenset(),
        kept_warnings: dict[str, tuple[PageWarning, ...]] | None = None,
    ) -> None:
        #: None: no record (a first build, or one this version cannot read)
        self.kept = kept
        self.logs: dict[str, Log] = {}
        #: the warnings given while each page was written, in an earlier build and in this
        #: one: a page that is not written again gives them again (see repeat_warnings)
        self.kept_warnings = dict(kept_warnings or {})
        self.warnings: dict[str, list[PageWarning]] = {}
        self.written: set[str] = set()
        #: pages that are not documents (parts of split indexes): those of the last build
        #: and, once :meth:`set_extras` is called, this build's
        self.kept_extras = kept_extras
        self.extras: frozenset[str] | None = None
        #: digests of this build's values by key (see :class:`Log`)
        self.known: dict[Hashable, bytes] = {}

    def view(self, derived: Derived, page: str) -> PageView:
        log = self.logs.get(page)
        if log is None:
            log = self.logs[page] = Log(self.known)
        return PageView(derived, log)

    def start_page(self, page: str) -> None:
        """A page is being written again: what it read before no longer counts."""
        self.logs[page] = Log(self.known)
        self.written.add(page)
        self.warnings[page] = []

    def note_warning(self, page: str, warning: PageWarning) -> None:
        """A warning given while *page* was being written."""
        self.warnings.setdefault(page, []).append(warning)

    def repeat_warnings(self, documents: Iterable[str]) -> list[PageWarning]:
        """The warnings of the pages of *documents* not written in this build, given when
        they last were: a rebuild that writes nothing fails under ``-W`` as the first."""
        return [
            warning
            for page in sorted(set(documents) - self.written)
            for warning in self.kept_warnings.get(page, ())
        ]

    def set_extras(self, pages: Iterable[str]) -> None:
        """The pages besides documents that this build's output has."""
        self.extras = frozenset(pages)

    @classmethod
    def load(cls, outdir: str | Path, builder: str) -> PageReads:
        try:
            with (Path(outdir) / FILE_NAME).open('rb') as stream:
                header, pages, extras, warnings = pickle.load(stream)
        except Exception:  # missing, damaged or of another format: as if there were none
            return cls(None)
        if header != (FORMAT, builder) or not isinstance(pages, dict):
            return cls(None)
        return cls(pages, frozenset(extras), warnings)

    def save(self, outdir: str | Path, builder: str, documents: Iterable[str]) -> None:
        """Keep the reads of every page of *documents* (pages of removed documents go)."""
        extras = self.kept_extras if self.extras is None else self.extras
        wanted = set(documents) | extras
        pages = {page: reads for page, reads in (self.kept or {}).items() if page in wanted}
        pages.update({page: log.reads for page, log in self.logs.items() if page in wanted})
        warnings = {page: said for page, said in self.kept_warnings.items() if page in wanted}
        warnings.update({page: tuple(said) for page, said in self.warnings.items()})
        with replacing(Path(outdir) / FILE_NAME) as stream:
            pickle.dump(
                ((FORMAT, builder), pages, sorted(extras), warnings),
                stream,
                protocol=pickle.HIGHEST_PROTOCOL,
            )

    def changed(self, derived: Derived, documents: Iterable[str]) -> set[str]:
        """The pages of *documents* whose recorded reads give another value on *derived*
        (every page when nothing is recorded)."""
        # Digests made here are the ones this build's pages will read (one result a build).
        return {page for page in documents if self._changed(derived, page, self.known)}

    def _changed(self, derived: Derived, page: str, values: dict[Hashable, bytes]) -> bool:
        reads = self.kept.get(page) if self.kept is not None else None
        if reads is None:
            return True  # never written by this builder, as far as we know
        for ident, (key, before) in reads.items():
            now = values.get(ident)
            if now is None:
                try:
                    now = values[ident] = digest(evaluate(derived, key))
                except Exception:  # a read that no longer makes sense: rewrite
                    now = b''
            if now != before:
                return True
        return False

    def page_changed(self, derived: Derived, page: str) -> bool:
        """Whether one page reads something else on *derived* than when it was written."""
        return self._changed(derived, page, self.known)
