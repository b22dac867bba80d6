"""Event handlers: the cross-document step after reading, the write-phase filler, and
the HTML page context (banners, editions)."""

from __future__ import annotations

import gc
import html
import shutil
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_briefing import config as briefing_config
from sphinx_briefing import indexparts
from sphinx_briefing import nodes as bnodes
from sphinx_briefing.books import CollectionRenderer
from sphinx_briefing.citations.step import CitationCache, bibfiles, file_state, format_project
from sphinx_briefing.derive import derive
from sphinx_briefing.domain import StoredDerived
from sphinx_briefing.htmltables import PREWRITING_BUILDERS, TableCache, prewrite
from sphinx_briefing.locale import _, __
from sphinx_briefing.warnings_ import WARNING_TYPE, Subtype, logger, warn

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.domains import Domain
    from sphinx.environment import BuildEnvironment

    from sphinx_briefing.derive import Derived
    from sphinx_briefing.domain import BriefingDomain


def briefing_domain(env: BuildEnvironment) -> BriefingDomain:
    return cast('BriefingDomain', env.get_domain('briefing'))


#: environments that read or removed a document in the current build (see note_reading)
_reading: weakref.WeakSet[BuildEnvironment] = weakref.WeakSet()


#: environments whose step after reading was skipped in this build (nothing changed)
_unchanged: weakref.WeakSet[BuildEnvironment] = weakref.WeakSet()


#: HTML of collection tables between builds, by environment (HTML builders only)
_tables: weakref.WeakKeyDictionary[BuildEnvironment, TableCache] = weakref.WeakKeyDictionary()


def table_cache(app: Sphinx) -> TableCache | None:
    if app.builder.format != 'html':
        return None
    if app.env not in _tables:
        _tables[app.env] = TableCache(Path(app.doctreedir) / TableCache.FILE_NAME)
    return _tables[app.env]


def index_part_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the parts of split question indexes that changed."""
    tables = table_cache(app)
    if tables is None:
        return iter(())
    return indexparts.part_pages(
        app, lambda: briefing_domain(app.env).derived, tables, banner_parts
    )


def save_table_cache(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: keep the tables made for the pages written."""
    cache = _tables.pop(app.env, None)
    if cache is not None and exc is None:
        cache.save()


def derived_unchanged(env: BuildEnvironment) -> bool:
    """Whether this build skipped the step after reading: derived data is as last time."""
    return env in _unchanged


def note_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: remember whether this build reads anything."""
    if docnames:
        _reading.add(env)


def note_removed(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """``env-purge-doc``: a document removed (or about to be re-read)."""
    _reading.add(env)


def _signature(app: Sphinx) -> tuple[object, ...]:
    """Everything besides the documents that the step after reading depends on: the
    configuration it reads and the state of the .bib and style files."""
    config = app.config
    confdir = Path(app.confdir)
    style = str(config.briefing_citation_style)
    files = [confdir / name for name in bibfiles(config)]
    if style.endswith('.csl'):
        files.append(confdir / style)
    return (
        config.briefing_question_format,
        config.briefing_followup_format,
        repr(config.briefing_stances),
        config.briefing_edition,
        config.briefing_status,
        briefing_config.index_page_rows(config),
        style,
        config.briefing_pandoc,
        config.language,
        tuple(file_state(path) for path in files),
    )


def derive_and_pick_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: runs once per build in the main process, after every merge.

    Recomputes numbers, collections and checks from scratch, warns, and returns the
    documents that were not re-read but whose rendering changed (numbers, names, index
    rows …), so Sphinx rewrites them: collection pages are never stale. A build that read
    nothing and changed no setting nor .bib file changes nothing: it only repeats the
    warnings (so that ``-W`` keeps failing until they are fixed).
    """
    domain = briefing_domain(env)
    stored: StoredDerived | None = domain.data['derived']
    signature = _signature(app)
    read_something = env in _reading
    _reading.discard(env)
    unchanged = not read_something and domain.data.get('signature') == signature
    before = (
        stored.load(env.doctreedir, domain.buckets()) if stored is not None and unchanged else None
    )
    if before is not None:
        for problem in domain.data.get('citation_warnings', ()):
            warn(problem.message, problem.subtype, location=problem.location)
        for found in before.problems:
            warn(found.message, found.subtype, location=(found.docname, found.line))
        _unchanged.add(env)
        return []
    _unchanged.discard(env)
    with collector_paused():
        rewrite = _run_step(app, env, domain, signature, first=stored is None)
    return sorted(rewrite & env.all_docs.keys())


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic collector for the cross-document step.

    The step makes tens of thousands of short-lived objects (views to digest, citation
    requests, dependency sets) and what it derives. With the collector running, the
    short-lived ones outlive a few young collections and count towards the next full
    collection, which visits every object of the build (at 500 documents, a full
    collection inside the step and more afterwards). Paused, reference counting frees them
    and the first young collection afterwards looks at what is left, once. Nothing the
    step makes is cyclic garbage in bulk: the full build's peak memory at 500 documents
    stayed within 1 % (590-592 against 587-589 MiB).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run_step(
    app: Sphinx, env: BuildEnvironment, domain: BriefingDomain, signature: object, *, first: bool
) -> set[str]:
    """The step itself: format the citations, derive, warn, store the result; returns the
    documents whose rendering changed (every one with a dependency when *first*)."""
    inputs = domain.inputs(env)
    cache = CitationCache.load(env.doctreedir)
    citations = format_project(
        app,
        [cite for doc in inputs.doc_order for cite in inputs.cites.get(doc, ())],
        [ph for doc in inputs.doc_order for ph in inputs.placeholders.get(doc, ())],
        cache,
    )
    if cache.modified:
        cache.save(env.doctreedir)
    domain.data['citation_warnings'] = citations.warnings
    domain.data['signature'] = signature
    for problem in citations.warnings:
        warn(problem.message, problem.subtype, location=problem.location)
    after = derive(replace(inputs, citations=citations))
    for found in after.problems:
        warn(found.message, found.subtype, location=(found.docname, found.line))
    rewrite = after.pages_to_rewrite(None if first else domain.data['digests'])
    # What each page depends on is only needed for this comparison, and is recomputed
    # every time: not kept.
    after.deps = {}
    domain.data['digests'] = after.digests
    domain.data['derived'] = StoredDerived.save(env.doctreedir, after, domain.buckets())
    return rewrite


class _Filler:
    """Fills one resolved doctree; renderers are made per source document, because the
    node's own document (stamped at read time) is where its links are made from."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.app = app
        self.docname = docname
        self.derived: Derived = briefing_domain(app.env).derived
        self.renderers: dict[str, CollectionRenderer] = {}

    def renderer(self, node: nodes.Element | str) -> CollectionRenderer:
        source = node if isinstance(node, str) else (node.get('docname') or self.docname)
        if source not in self.renderers:
            self.renderers[source] = CollectionRenderer(
                self.app.builder, self.derived, source, table_cache(self.app)
            )
        return self.renderers[source]

    def boxes(self, doctree: nodes.document) -> None:
        """Headers and footers of the boxes, formatted citations; withheld nodes removed.

        One walk over the page collects every node of ours (pages such as a question
        index are large; a walk per node type was a measurable part of writing them).
        """
        for node in list(doctree.findall(_ours)):
            assert isinstance(node, nodes.Element)
            if isinstance(node, bnodes.briefing_citation):
                self.citation(node)
            elif isinstance(node, bnodes.briefing_withheld) or node.get('withheld'):
                node.parent.remove(node)
            elif isinstance(node, bnodes.briefing_question):
                self.question(node)
            elif isinstance(node, bnodes.briefing_position):
                if node['pid'] in self.derived.positions:
                    node.insert(0, self.renderer(node).position_header(node['pid']))
            elif isinstance(node, bnodes.briefing_panel):
                panel = self.derived.panels.get(node['pid'])
                if panel is not None and panel.docname == node['docname']:
                    node[0:0] = self.renderer(node).panel_header(panel)
            elif isinstance(node, bnodes.briefing_participant):
                participant = self.derived.participants.get(node['pid'])
                if participant is not None and participant.docname == node['docname']:
                    node[0:0] = self.renderer(node).participant_header(participant)
            elif isinstance(node, bnodes.briefing_counter_argument):
                node.insert(0, self.renderer(node).counter_argument_header())
            elif isinstance(node, bnodes.briefing_moderator_note):
                node.insert(0, self.renderer(node).moderator_note_header())

    def question(self, node: nodes.Element) -> None:
        info = self.derived.questions.get(node['qid'])
        if info is None or info.record.docname != node['docname']:
            return  # a duplicate: warned about; shown without a number
        render = self.renderer(node)
        node.insert(0, render.question_header(info))
        footer = render.question_footer(info)
        if footer is not None:
            node.insert(_end_of_own_content(node), footer)

    def citation(self, cite: nodes.Element) -> None:
        # A copy (in a brief) is found by its original's id, and makes its links from the
        # page it was copied to; it gets no id of its own.
        render = self.renderer(cite.get('page') or cite)
        anchor = cite['ids'][0] if cite['ids'] else ''
        formatted = render.citation(
            cite['docname'],
            anchor or cite.get('source_anchor', ''),
            cite['form'],
            cite.astext(),
            target=bool(anchor),
            mk=render.lines,
        )
        # replace_self() would give the first new node the old one's ids and classes.
        cite['ids'], cite['classes'] = [], []
        cite.replace_self(render.lines.inline_node(formatted))

    def collections(self, found: Sequence[nodes.Element]) -> None:
        """Replace the placeholders *found* on the page with their collections."""
        placeholders = {(ph.docname, ph.anchor): ph for ph in self.derived.placeholders}
        for node in found:
            ph = placeholders.get((node['docname'], node['ids'][0]))
            content: list[nodes.Node] = []
            if ph is not None:
                render = self.renderer(node)
                if ph.kind == 'question-index':
                    content = render.question_index(ph)
                    indexparts.note_resolved(self.app.env, ph.docname)
                elif ph.kind == 'position-matrix':
                    content = render.position_matrix(ph)
                elif ph.kind == 'run-of-show':
                    content = render.run_of_show(ph)
                elif ph.kind == 'panellist-brief':
                    content = render.panellist_brief(ph)
                elif ph.kind == 'bibliography':
                    content = render.bibliography(ph)
            container = nodes.container(
                # no-search: a collection repeats what its objects' own pages say; search
                # results should lead to those pages, not to every index and brief. A
                # bibliography is the only place of its entries: it stays searchable.
                classes=[
                    'briefing-collection',
                    f'briefing-{ph.kind if ph else "unknown"}',
                    *(['no-search'] if ph is None or ph.kind != 'bibliography' else []),
                ],
                ids=node['ids'],
            )
            container.extend(content)
            node.replace_self(container)


def fill_page(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: add headers and footers to the boxes and format citations,
    reading derived data only (collections were filled before references were resolved,
    by :class:`FillCollections`).

    Identity, and where links are made from, come from the ``docname`` stamped on each
    node at read time, never from *docname*: the LaTeX builder resolves the whole book as
    one tree named after its start document, and a link made "from" that document to an
    object in it would become a bare ``refid`` that LaTeX resolves in the wrong file.
    """
    _Filler(app, docname).boxes(doctree)


class FillCollections(SphinxPostTransform):
    """Replace collection placeholders (question index, matrix, run of show, briefs,
    bibliographies) with their content, before Sphinx resolves the page's references:
    the bodies copied into briefs keep working cross-references of every domain."""

    # Before ReferencesResolver (10) and MyST's resolver (9).
    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        # Sphinx 9 deprecates SphinxPostTransform.app; 7.4 has no env._app.
        app = getattr(self.env, '_app', None) or self.app
        tables = table_cache(app)
        if tables is not None:
            tables.note_page(self.env.docname)
        found = list(self.document.findall(bnodes.briefing_placeholder))
        if found and app.builder.name in PREWRITING_BUILDERS:
            collections_in_making.begin(self.env.docname)
        _Filler(app, self.env.docname).collections(found)


class _CollectionsInMaking:
    """The page with collections that an HTML builder is resolving, from
    :class:`FillCollections` to :func:`write_collections`, with Python's cyclic collector
    paused meanwhile.

    A brief or a matrix is tens of thousands of nodes, made and resolved for one page:
    with the collector running, they outlive the young collections made meanwhile, are
    promoted to the oldest generation and bring forward full collections over a heap of
    every doctree Sphinx holds (at 500 documents: six while the briefs were resolved,
    three for the matrices).  Paused, they stay young, and once they are written as HTML
    (:func:`write_collections`) the first young collection frees them.
    """

    def __init__(self) -> None:
        self.docname: str | None = None
        self.paused = False

    def begin(self, docname: str) -> None:
        self.end()  # a page whose resolving failed before its end
        self.docname = docname
        if gc.isenabled():
            gc.disable()
            self.paused = True

    def end(self) -> None:
        self.docname = None
        if self.paused:
            self.paused = False
            gc.enable()


#: One per process, as the collector it pauses.
collections_in_making = _CollectionsInMaking()


def write_collections(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, after the other handlers: a page with collections, resolved
    for a builder that prewrites, gets them written as HTML (see
    :func:`htmltables.prewrite`), and the collector resumes. Other pages are not walked."""
    if collections_in_making.docname != docname:
        return
    try:
        for container in doctree.findall(nodes.container):
            if 'briefing-collection' in container['classes']:
                prewrite(app.builder, doctree, container)
    finally:
        collections_in_making.end()


def build_finished(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: the collector runs again, whatever happened."""
    collections_in_making.end()


def _ours(node: nodes.Node) -> bool:
    return isinstance(
        node, bnodes.briefing_box | bnodes.briefing_citation | bnodes.briefing_withheld
    )


def _end_of_own_content(box: nodes.Element) -> int:
    """Index after the box's own content, before nested follow-ups and positions."""
    for index, child in enumerate(box.children):
        if isinstance(child, bnodes.briefing_box):
            return index
    return len(box.children)


# -- HTML page context: banners and editions ------------------------------------------------


def banner_parts(derived: Derived, pagename: str) -> list[tuple[str, str]]:
    """(css class, text) of the handling banner of a page: the handling notice of its
    panel and the draft/final status (the panel's, else the project's)."""
    panel = derived.panels.get(derived.doc_panel.get(pagename, ''))
    parts: list[tuple[str, str]] = []
    if panel is not None and panel.handling:
        parts.append(('briefing-banner-handling', panel.handling))
    status = (panel.status if panel is not None else '') or derived.project_status
    if status:
        label = _('DRAFT') if status == 'draft' else _('FINAL')
        parts.append((f'briefing-banner-{status}', str(label)))
    return parts


def load_maths_for_copies(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``, before MathJax's handler: on Sphinx 7.4, which loads MathJax
    only on pages whose source has maths, a page that shows maths copied from elsewhere
    (a brief) is counted as one. Sphinx 8 and later see the maths as they write it
    (``has_maths_elements``) and need nothing. Only the running build's copy of the math
    domain's data changes; the environment was saved before writing."""
    if 'has_maths_elements' in context or 'class="math' not in context.get('body', ''):
        return
    equations = app.env.domaindata.get('math', {}).get('has_equations')
    if isinstance(equations, dict):
        equations[pagename] = True


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: the handling banner above the body; and no copied source in
    editions that leave things out (the source holds everything)."""
    if briefing_config.edition(app.config) != 'moderator':
        context['sourcename'] = ''
    if 'body' not in context:
        return
    # A part of a split question index has its index's banner.
    page = context.get('briefing_part_of') or pagename
    parts = banner_parts(briefing_domain(app.env).derived, page)
    if not parts:
        return
    spans = ' · '.join(f'<span class="{css}">{html.escape(label)}</span>' for css, label in parts)
    banner = f'<div class="briefing-banner" role="note">{spans}</div>\n'
    context['body'] = banner + context['body']


def remove_copied_sources(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: an edition that leaves things out must not leave the sources of
    an earlier, fuller build in its output folder either."""
    if exc is not None or app.builder.format != 'html':
        return
    if briefing_config.edition(app.config) == 'moderator':
        return
    sources = Path(app.builder.outdir) / '_sources'
    if sources.is_dir():
        shutil.rmtree(sources)


# -- references ----------------------------------------------------------------------------


def show_withheld_reference(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """``missing-reference``: a reference to something this edition leaves out shows
    its number (questions) or a neutral note, without a link and without a warning."""
    if node.get('refdomain') not in ('briefing', '', None):
        return None
    kind = node['reftype'] if node.get('refdomain') == 'briefing' else 'any'
    if kind not in ('question', 'position', 'any'):
        return None
    text = briefing_domain(env).withheld_text(kind, node['reftarget'].lstrip('#'))
    if text is None:
        return None
    if node.get('refexplicit'):
        return nodes.inline('', '', *contnode.children, classes=['briefing-withheld'])
    return nodes.inline(text, text, classes=['briefing-withheld'])


_UNKNOWN = {
    'question': Subtype.UNKNOWN_QUESTION,
    'participant': Subtype.UNKNOWN_PARTICIPANT,
    'panel': Subtype.UNKNOWN_PANEL,
    'position': Subtype.UNKNOWN_POSITION,
}


def report_missing_reference(app: Sphinx, domain: Domain | None, node: pending_xref) -> bool | None:
    """``warn-missing-reference``: give our roles' unresolved targets a typed warning
    (after intersphinx had its chance), instead of Sphinx's generic one."""
    if node.get('briefing_copy'):
        return True  # a body copied into a brief: its original was warned about already
    if domain is None or domain.name != 'briefing' or node['reftype'] not in _UNKNOWN:
        return None
    logger.warning(
        __('unknown %s %r') % (node['reftype'], node['reftarget']),
        location=node,
        type=WARNING_TYPE,
        subtype=str(_UNKNOWN[node['reftype']]),
    )
    return True
