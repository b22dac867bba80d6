"""The ``briefing`` domain: the only store, keyed by document.

Per-document buckets hold plain records (purge is a ``pop``, a parallel merge copies
buckets); ``derived`` holds the result of the cross-document step and is never merged.
Cross-references resolve here, for the roles, MyST's ``[](#id)`` links and intersphinx.
"""

from __future__ import annotations

import copyreg
import pickle
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, cast

from docutils import nodes
from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_briefing._files import replacing
from sphinx_briefing.citations.step import CitationInputs
from sphinx_briefing.collect import broken_fences, collect
from sphinx_briefing.derive import Derived, Inputs
from sphinx_briefing.directives import DIRECTIVES
from sphinx_briefing.locale import _, __
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from types import FrameType

    from docutils.nodes import Element
    from sphinx.addnodes import pending_xref
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

#: the cross-document step's last result, beside the pickled environment (see StoredDerived)
DERIVED_FILE = 'briefing-derived.pickle'

#: buckets keyed by docname
PER_DOC = (
    'panels',
    'participants',
    'questions',
    'positions',
    'references',
    'placeholders',
    'withheld',
    'cites',
)


class DocumentRecords(dict[str, Sequence[object]]):
    """One of the per-document buckets: docname → that document's records.

    Sphinx's parallel reading pickles each worker's whole environment and sends it back to
    the main process, which merges only the documents that the worker read; a worker
    forked late also carries every document merged before it started. At 500 documents
    the main process unpickled 77 MB for bare Sphinx's 16 MB, the records being most of
    it, while the next chunk waited. Pickled by a reading worker, a bucket holds only the
    worker's own documents: the rest would be thrown away on arrival.
    """

    def __reduce__(self) -> tuple[type[DocumentRecords], tuple[dict[str, Sequence[object]]]]:
        chunk = _chunk_being_sent()
        if chunk is None:
            return (DocumentRecords, (dict(self),))
        return (DocumentRecords, ({doc: self[doc] for doc in chunk if doc in self},))


def _chunk_being_sent() -> frozenset[str] | None:
    """The documents of the chunk whose environment is being pickled, when that happens
    in Sphinx's parallel reading worker (``Builder._read_parallel.<locals>.read_process``,
    which pickles ``self.env`` after reading its ``docs``); None anywhere else, where every
    record is kept. Looked up on the stack, so that nothing but that one call is affected:
    if Sphinx renames or reshapes it, buckets are simply pickled whole again."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == 'read_process' and code.co_filename.endswith(
            ('sphinx/builders/__init__.py', 'sphinx\\builders\\__init__.py')
        ):
            docs = frame.f_locals.get('docs')
            if isinstance(docs, list) and all(isinstance(doc, str) for doc in docs):
                return frozenset(docs)
            return None
        frame = frame.f_back
    return None


class StoredDerived:
    """The cross-document step's result, as the pickled environment keeps it.

    The result itself is pickled to a file of its own beside the environment, and the
    environment keeps only a token naming that file's content. A build that reads
    something makes a new result and never needs the last one (what a page showed is
    compared through ``digests``, kept in the environment): at scale, loading it took a
    tenth of an incremental build. Only a build that skips the step loads it. Parallel
    reading sends the environment back from each worker: the token travels, not the
    result. The records the result holds (questions, positions …) are the environment's
    own: the file names them by where they are in the per-document buckets.
    """

    __slots__ = ('loaded', 'token')

    def __init__(self, token: str, loaded: Derived | None = None) -> None:
        self.token = token
        self.loaded = loaded

    def __reduce__(self) -> tuple[type[StoredDerived], tuple[str]]:
        return (StoredDerived, (self.token,))

    @classmethod
    def save(cls, doctreedir: str | Path, derived: Derived, buckets: Buckets) -> StoredDerived:
        """Write *derived* beside the environment (before Sphinx pickles it)."""
        token = uuid.uuid4().hex
        # Pages to rewrite are worked out from the digests kept in the environment, and
        # the dependencies are recomputed each time: neither is stored here.
        kept = replace(derived, digests={}, deps={})
        with replacing(Path(doctreedir) / DERIVED_FILE) as stream:
            pickler = _RecordPickler(stream, buckets)
            pickler.dump(token)
            pickler.dump(kept)
        return cls(token, derived)

    def load(self, doctreedir: str | Path, buckets: Buckets) -> Derived | None:
        """The stored result, or None if its file is missing, unreadable or from another
        build than the environment (a build that stopped between writing the two)."""
        if self.loaded is None:
            try:
                with (Path(doctreedir) / DERIVED_FILE).open('rb') as stream:
                    unpickler = _RecordUnpickler(stream, buckets)
                    if unpickler.load() != self.token:
                        return None
                    derived = unpickler.load()
            except Exception:  # any damage means: make it again
                return None
            if not isinstance(derived, Derived):
                return None
            self.loaded = derived
        return self.loaded


#: the per-document buckets: bucket → docname → records
Buckets = Mapping[str, Mapping[str, Sequence[object]]]


class _RecordPickler(pickle.Pickler):
    """Pickles each of the buckets' records as where it is: (bucket, docname, index,
    anchor). Only records' classes go through Python (``dispatch_table``); a
    ``persistent_id`` would be called for every string and tuple, and cost more than
    pickling the records themselves."""

    def __init__(self, stream: IO[bytes], buckets: Buckets) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        # Every record is alive while pickling, so no other object can share its id.
        self.places = {
            id(record): (bucket, docname, index, getattr(record, 'anchor', None))
            for bucket, docs in buckets.items()
            for docname, records in docs.items()
            for index, record in enumerate(records)
        }
        # The records' own classes (strings in a bucket stay strings).
        kinds = {
            type(record)
            for docs in buckets.values()
            for records in docs.values()
            for record in records
        }
        self.dispatch_table = {
            **copyreg.dispatch_table,
            **{kind: self._reduce for kind in kinds if kind.__module__.startswith(__package__)},
        }

    def _reduce(self, record: Any) -> str | tuple[Any, ...]:
        place = self.places.get(id(record))
        if place is None:  # made by the step, not read from a document
            return cast('tuple[Any, ...]', record.__reduce_ex__(pickle.HIGHEST_PROTOCOL))
        return (_record_at, place)


def _record_at(bucket: str, docname: str, index: int, anchor: str | None) -> object:
    """Stands for a record in the stored result; :class:`_RecordUnpickler` puts the
    environment's own in its place."""
    raise pickle.UnpicklingError('the stored result needs the environment to be loaded')


class _RecordUnpickler(pickle.Unpickler):
    def __init__(self, stream: IO[bytes], buckets: Buckets) -> None:
        super().__init__(stream)
        self.buckets = buckets

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _record_at.__name__:
            return self.record_at
        return super().find_class(module, name)

    def record_at(self, bucket: str, docname: str, index: int, anchor: str | None) -> object:
        record = self.buckets[bucket][docname][index]
        if getattr(record, 'anchor', None) != anchor:
            raise pickle.UnpicklingError('the records moved since the result was stored')
        return record


class BriefingXRefRole(XRefRole):
    """A role that always targets this domain, under its bare name too (``{question}``)."""

    innernodeclass = nodes.inline

    def __init__(self, kind: str) -> None:
        # warn_dangling: an unresolved target reaches 'warn-missing-reference', where
        # events.report_missing_reference gives it its briefing.unknown_* type.
        super().__init__(warn_dangling=True)
        self.kind = kind

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        self.refdomain, self.reftype = 'briefing', self.kind
        self.classes = ['xref', 'briefing', f'briefing-{self.kind}']
        return self.create_xref_node()


ROLES = ('question', 'participant', 'panel', 'position')


class QuestionIndex(Index):
    """The domain index page: every question by panel (HTML page; PDF index section)."""

    name = 'questions'
    localname = _('Question Index')
    shortname = _('questions')

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        derived = cast('BriefingDomain', self.domain).derived
        wanted = set(docnames) if docnames is not None else None
        content: list[tuple[str, list[IndexEntry]]] = []
        for panel in derived.panel_ids():
            heading = derived.panels[panel].title if panel in derived.panels else _('No panel')
            entries: list[IndexEntry] = []
            for info in derived.questions_of(panel):  # shown questions only
                q = info.record
                if wanted is not None and q.docname not in wanted:
                    continue
                entries.append(
                    IndexEntry(
                        name=f'{info.number} {info.text}',
                        # 2 = sub-entry (follow-up), 1 = entry with sub-entries, 0 = plain
                        subtype=2 if info.parent else (1 if info.followups else 0),
                        docname=q.docname,
                        anchor=q.anchor,
                        extra=q.topic,
                        qualifier='',
                        descr='',
                    )
                )
            if entries:
                content.append((heading, entries))
        return content, False


class BriefingDomain(Domain):
    """Panels, participants, questions and positions of a briefing book."""

    name = 'briefing'
    label = 'Briefing'
    #: bump whenever a record's fields change: stale pickled environments are discarded
    data_version = 14
    object_types: ClassVar[dict[str, ObjType]] = {
        'question': ObjType(_('question'), 'question'),
        'participant': ObjType(_('participant'), 'participant'),
        'panel': ObjType(_('panel'), 'panel'),
        'position': ObjType(_('position'), 'position'),
    }
    directives = DIRECTIVES
    roles: ClassVar[dict[str, Any]] = {kind: BriefingXRefRole(kind) for kind in ROLES}
    indices: ClassVar[list[type[Index]]] = [QuestionIndex]
    initial_data: ClassVar[dict[str, Any]] = {
        **{bucket: DocumentRecords() for bucket in PER_DOC},
        # a StoredDerived, and the digests of what each page showed (see Derived.digests)
        'derived': None,
        'digests': None,
        # the last build's settings and .bib state, and its citation warnings: a build
        # that reads nothing and changes none of them skips the cross-document step
        'signature': None,
        'citation_warnings': (),
    }

    # -- storage -----------------------------------------------------------------------

    @property
    def derived(self) -> Derived:
        """The result of the last cross-document step (empty before the first one)."""
        stored: StoredDerived | None = self.data['derived']
        if stored is None:
            return Derived()
        # Read for every cross-reference: the buckets are looked up only to load.
        derived = stored.loaded
        if derived is None:
            derived = stored.load(self.env.doctreedir, self.buckets())
            if derived is None:
                return Derived()
        # The file leaves the digests out (the environment keeps them); the table cache
        # keys tables by them, also in a build that skips the step.
        if not derived.digests and self.data['digests']:
            derived.digests = self.data['digests']
        return derived

    def buckets(self) -> Buckets:
        """The per-document buckets (:data:`PER_DOC`)."""
        return {bucket: self.data[bucket] for bucket in PER_DOC}

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        records = collect(docname, document)
        for name, line in broken_fences(document):
            warn(
                __(
                    'this looks like a %r directive that MyST did not recognise: a backtick '
                    'in the directive line ends a backtick fence; use a colon fence (:::{%s})'
                )
                % (name, name),
                Subtype.BROKEN_FENCE,
                location=(docname, line),
            )
        for bucket in PER_DOC:
            values = tuple(getattr(records, bucket))
            if values:
                self.data[bucket][docname] = values

    def clear_doc(self, docname: str) -> None:
        for bucket in PER_DOC:
            self.data[bucket].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for bucket in PER_DOC:
            theirs = otherdata[bucket]
            self.data[bucket].update({doc: theirs[doc] for doc in docnames if doc in theirs})
        # 'derived' is not merged: env-updated recomputes it after the last merge.

    def inputs(self, env: BuildEnvironment, citations: CitationInputs | None = None) -> Inputs:
        """The records and reading order :func:`derive` needs, as plain data."""
        order, parent = reading_order(env)
        config = env.config
        from sphinx_briefing import config as briefing_config

        return Inputs(
            citations=citations or CitationInputs(),
            **{bucket: self.data[bucket] for bucket in PER_DOC},
            doc_order=order,
            toctree_parent=parent,
            titles={doc: title.astext() for doc, title in env.titles.items()},
            question_format=briefing_config.question_format(config),
            followup_format=briefing_config.followup_format(config),
            edition=briefing_config.edition(config),
            project_status=briefing_config.project_status(config),
            index_page_rows=briefing_config.index_page_rows(config),
        )

    # -- cross-references --------------------------------------------------------------

    def _target(self, kind: str, target: str) -> tuple[str, str, str, str] | None:
        """(docname, anchor, link text, tooltip) of an object, or None."""
        derived = self.derived
        if kind == 'question':
            info = derived.questions.get(target)
            if info and info.record.explicit_id and info.shown:
                q = info.record
                return q.docname, q.anchor, info.number, f'{info.number} {info.text}'
        elif kind == 'participant':
            p = derived.participants.get(target)
            if p:
                return p.docname, p.anchor, p.name, p.name
        elif kind == 'panel':
            panel = derived.panels.get(target)
            if panel:
                return panel.docname, panel.anchor, panel.title, panel.title
        elif kind == 'position':
            pos = derived.positions.get(target)
            if pos and pos.record.explicit_id:
                return pos.record.docname, pos.record.anchor, pos.label, pos.label
        return None

    def _refnode(
        self,
        builder: Builder,
        fromdocname: str,
        kind: str,
        found: tuple[str, str, str, str],
        node: pending_xref,
        contnode: Element,
    ) -> nodes.reference:
        docname, anchor, text, tooltip = found
        if not node.get('refexplicit'):
            contnode = nodes.inline(text, text, classes=['briefing', f'briefing-{kind}'])
        return make_refnode(builder, fromdocname, docname, anchor, contnode, tooltip)

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> nodes.reference | None:
        found = self._target(typ, target)
        if found is None:
            return None  # intersphinx gets its chance; then a typed warning
        return self._refnode(builder, fromdocname, typ, found, node, contnode)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        results = []
        for kind in ROLES:
            found = self._target(kind, target.lstrip('#'))
            if found is not None:
                ref = self._refnode(builder, fromdocname, kind, found, node, contnode)
                results.append((f'briefing:{kind}', ref))
        return results

    def citation_export(self, builder: Builder) -> Iterator[dict[str, Any]]:
        """Every citation of the project (``cite:*`` roles; positions' sources are in
        their positions), in reading order, for ``briefing.json``; made one at a time."""
        from sphinx_briefing.citations.citeproc import rich_to_text
        from sphinx_briefing.export import Locator

        derived = self.derived
        location = Locator(builder)
        for cite in derived.cites:
            if cite.form == 'sources':
                continue
            rich = derived.cite_texts.get((cite.docname, cite.anchor))
            entry: dict[str, Any] = {'keys': list(cite.keys), 'mode': cite.form}
            if any(cite.prefixes):
                entry['prefix'] = '; '.join(p for p in cite.prefixes if p)
            if any(cite.suffixes):
                entry['suffix'] = '; '.join(s for s in cite.suffixes if s)
            entry['text'] = rich_to_text(rich) if rich is not None else ''
            entry['location'] = location(cite.docname, cite.anchor, cite.line)
            yield entry

    def withheld_text(self, kind: str, target: str) -> str | None:
        """What a reference to an object this edition leaves out shows, or None if the
        object is simply unknown."""
        derived = self.derived
        if kind in ('question', 'any'):
            info = derived.questions.get(target)
            if info is not None and not info.shown:
                return info.number  # numbers are the same in every edition
        if kind in ('position', 'any') and target in derived.withheld_positions:
            return str(_('(not in this edition)'))
        return None

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        derived = self.derived
        for qid, info in derived.questions.items():
            if info.record.explicit_id and info.shown:
                yield qid, info.number, 'question', info.record.docname, info.record.anchor, 1
        for pid, p in derived.participants.items():
            yield pid, p.name, 'participant', p.docname, p.anchor, 1
        for pid, panel in derived.panels.items():
            yield pid, panel.title, 'panel', panel.docname, panel.anchor, 1
        for pid, pos in derived.positions.items():
            if pos.record.explicit_id:
                yield pid, pos.label, 'position', pos.record.docname, pos.record.anchor, 1


def reading_order(env: BuildEnvironment) -> tuple[list[str], dict[str, str]]:
    """Documents in toctree order from the root document, orphans last (sorted), and the
    document whose toctree first includes each one."""
    order: list[str] = []
    parent: dict[str, str] = {}
    seen: set[str] = set()
    includes = env.toctree_includes
    stack = [env.config.root_doc]
    # Iterative depth-first walk: deep books must not hit the recursion limit.
    while stack:
        doc = stack.pop()
        if doc in seen or doc not in env.all_docs:
            continue
        seen.add(doc)
        order.append(doc)
        children = [child for child in includes.get(doc, ()) if child not in seen]
        for child in children:
            parent.setdefault(child, doc)
        stack.extend(reversed(children))
    order.extend(sorted(set(env.all_docs) - seen))
    return order, parent
