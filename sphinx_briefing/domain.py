"""The ``briefing`` domain: the only store, keyed by document.

Per-document buckets hold plain records (purge is a ``pop``, a parallel merge copies
buckets); ``derived`` holds the result of the cross-document step and is never merged.
Cross-references resolve here, for the roles, MyST's ``[](#id)`` links and intersphinx.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from typing import TYPE_CHECKING, Any, ClassVar, cast

from docutils import nodes
from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.errors import NoUri
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_briefing.citations.reader import PandocRun
from sphinx_briefing.citations.step import CitationInputs
from sphinx_briefing.derive import Derived, Inputs
from sphinx_briefing.directives import DIRECTIVES, READ_WARNINGS, read_warning
from sphinx_briefing.locale import _, __
from sphinx_briefing.markup import with_fragment
from sphinx_briefing.model import ReadWarning
from sphinx_briefing.reading import broken_fences, collect, drop_echoed_sources
from sphinx_briefing.reads import PageReads, PageView
from sphinx_briefing.render.copies import SourceBoxes
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from docutils.nodes import Element
    from sphinx.addnodes import pending_xref
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

#: the bucket of the warnings given while reading each document (model.ReadWarning)
WARNINGS_BUCKET = 'read_warnings'

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
    'breaks',
    'pages',
    'pack',
    'contexts',
)


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
        # Sphinx's HTML template writes group headings as they are (into attributes too),
        # unlike entries: a panel's title is escaped here, for HTML builders only.
        escape = _html_escape if _writes_html(self.domain.env) else str
        content: list[tuple[str, list[IndexEntry]]] = []
        for panel in derived.panel_ids():
            heading = escape(
                derived.panels[panel].title if panel in derived.panels else _('No panel')
            )
            entries: list[IndexEntry] = []
            for info in derived.questions_of(panel):  # shown questions only
                q = info.record
                if wanted is not None and q.docname not in wanted:
                    continue
                entries.append(
                    IndexEntry(
                        name=f'{info.number} {info.short}',
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


def _html_escape(text: str) -> str:
    return html.escape(text, quote=True)


def _writes_html(env: BuildEnvironment) -> bool:
    """Whether the builder of this build writes HTML (the Sphinx application is
    ``env._app`` from Sphinx 8, ``env.app`` before)."""
    app = getattr(env, '_app', None) or vars(env).get('app')
    return getattr(getattr(app, 'builder', None), 'format', 'html') == 'html'


class BriefingDomain(Domain):
    """Panels, participants, questions and positions of a briefing book."""

    name = 'briefing'
    label = 'Briefing'
    #: bump whenever a record's fields change: stale pickled environments are discarded
    data_version = 22
    object_types: ClassVar[dict[str, ObjType]] = {
        'question': ObjType(_('question'), 'question'),
        'participant': ObjType(_('participant'), 'participant'),
        'panel': ObjType(_('panel'), 'panel'),
        'position': ObjType(_('position'), 'position'),
    }
    directives = DIRECTIVES
    roles: ClassVar[dict[str, Any]] = {kind: BriefingXRefRole(kind) for kind in ROLES}
    indices: ClassVar[list[type[Index]]] = [QuestionIndex]
    initial_data: ClassVar[dict[str, Any]] = {bucket: {} for bucket in (*PER_DOC, WARNINGS_BUCKET)}

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # Neither is part of the environment: the step's result is made again in every
        # build (env-updated), and what pages read is the builder's (see reads.py).
        self._derived = Derived()
        self.page_reads = PageReads(None)
        self.source_boxes = SourceBoxes(env)
        #: pandoc reading .bib files while the documents are read, until the step takes
        #: them (events.start_reading_bibfiles)
        self.bib_runs: dict[str, PandocRun] = {}
        # the documents read (or merged from a reading process) since the last step
        self._read_now: set[str] = set()

    # -- storage -----------------------------------------------------------------------

    @property
    def derived(self) -> Derived:
        """The result of this build's cross-document step (empty before it ran)."""
        return self._derived

    def set_derived(self, derived: Derived, page_reads: PageReads) -> None:
        self._derived = derived
        self.page_reads = page_reads
        self.source_boxes = SourceBoxes(self.env)  # documents may have been read again

    def view(self, page: str) -> PageView:
        """The step's result as *page* reads it: every read is recorded for that page."""
        return self.page_reads.view(self._derived, page)

    def _page_view(self, fromdocname: str) -> PageView:
        """The view of the page being written: a reference is resolved from the document
        it was written in (*fromdocname*), which is another than the page for a body
        copied into a brief or for the documents LaTeX and singlehtml merge."""
        return self.view(self.env.temp_data.get('docname') or fromdocname)

    def process_doc(self, env: BuildEnvironment, docname: str, document: nodes.document) -> None:
        from sphinx_briefing import config as briefing_config

        edition = briefing_config.edition(env.config)
        if edition != 'moderator':
            drop_echoed_sources(document)
        for broken in broken_fences(document, edition):
            message = __(
                'this looks like a %r directive that MyST did not recognise: a backtick '
                'in the directive line ends a backtick fence; use a colon fence (:::{%s})'
            ) % (broken.name, broken.name)
            if broken.dropped:
                message += __('; left out of this edition, up to its closing fence')
            read_warning(env, message, Subtype.BROKEN_FENCE, broken.line)
        records = collect(docname, document)
        for message, subtype, line in records.problems:
            read_warning(env, message, subtype, line)
        for bucket in PER_DOC:
            values = tuple(getattr(records, bucket))
            if values:
                self.data[bucket][docname] = values
        said = env.temp_data.pop(READ_WARNINGS, ())
        if said:
            self.data[WARNINGS_BUCKET][docname] = tuple(
                ReadWarning(message, subtype, docname, line) for message, subtype, line in said
            )
        self._read_now.add(docname)

    def clear_doc(self, docname: str) -> None:
        for bucket in (*PER_DOC, WARNINGS_BUCKET):
            self.data[bucket].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for bucket in (*PER_DOC, WARNINGS_BUCKET):
            theirs = otherdata[bucket]
            self.data[bucket].update({doc: theirs[doc] for doc in docnames if doc in theirs})
        self._read_now.update(docnames)

    def repeat_read_warnings(self) -> None:
        """Warn again what reading said about each document not read since the last
        step, as it was said then: ``-W`` fails a build that reads nothing exactly as a
        fresh build. Called by the step, which runs in every build."""
        read, self._read_now = self._read_now, set()
        said: Mapping[str, Sequence[ReadWarning]] = self.data[WARNINGS_BUCKET]
        for docname in sorted(said.keys() - read):
            if docname not in self.env.all_docs:
                continue
            for found in said[docname]:
                warn(found.message, Subtype(found.subtype), location=(found.docname, found.line))

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

    def _target(self, kind: str, target: str, fromdocname: str) -> tuple[str, str, str, str] | None:
        """(docname, anchor, link text, tooltip) of an object, or None; read for the page
        *fromdocname*, which shows them."""
        derived = cast('Derived', self._page_view(fromdocname))
        if kind == 'question':
            info = derived.questions.get(target)
            if info and info.record.explicit_id and info.shown:
                q = info.record
                return q.docname, q.anchor, info.number, f'{info.number} {info.short}'
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
        if fromdocname == docname and anchor:
            return make_refnode(builder, fromdocname, docname, anchor, contnode, tooltip)
        refnode = nodes.reference('', '', contnode, internal=True)
        try:
            uri = builder.get_relative_uri(fromdocname, docname)
        except NoUri:
            # A document outside this LaTeX document (a brief's PDF shows a body copied from
            # the book): what the role names, unlinked (a reference without a target is
            # written as its text), rather than the raw target Sphinx would leave.
            return refnode
        if tooltip:
            refnode['reftitle'] = tooltip
        # make_refnode would give singlehtml a double fragment (#document-x#anchor)
        refnode['refuri'] = with_fragment(uri, anchor)
        return refnode

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
        found = self._target(typ, target, fromdocname)
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
            found = self._target(kind, target.lstrip('#'), fromdocname)
            if found is not None:
                ref = self._refnode(builder, fromdocname, kind, found, node, contnode)
                results.append((f'briefing:{kind}', ref))
        return results

    def withheld_text(self, kind: str, target: str, fromdocname: str) -> str | None:
        """What a reference to an object this edition leaves out shows, or None if the
        object is simply unknown."""
        derived = cast('Derived', self._page_view(fromdocname))
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


def briefing_domain(env: BuildEnvironment) -> BriefingDomain:
    return cast('BriefingDomain', env.get_domain('briefing'))


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
