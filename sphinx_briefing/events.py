"""Event handlers: the cross-document step after reading, the write-phase filler, and
the HTML page context (banners, editions)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sphinx
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.logging import get_node_location

from sphinx_briefing import config as briefing_config
from sphinx_briefing import nodes as bnodes
from sphinx_briefing.citations import step as citation_step
from sphinx_briefing.citations.step import CitationCache, format_project, unprefix
from sphinx_briefing.derive import derive
from sphinx_briefing.domain import briefing_domain
from sphinx_briefing.locale import _, __
from sphinx_briefing.reads import PageReads
from sphinx_briefing.render import day
from sphinx_briefing.render.collections import CollectionRenderer
from sphinx_briefing.render.pack import build_date
from sphinx_briefing.warnings_ import WARNING_TYPE, Subtype, logger, warn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.domains import Domain
    from sphinx.environment import BuildEnvironment

    from sphinx_briefing.derive import Derived


def start_reading_bibfiles(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: pandoc starts reading the .bib files it has not read
    before, in its own process, while Sphinx reads the documents; the step takes its
    references (it would otherwise wait for pandoc then). A build that reads no document
    has nothing to overlap with: it starts nothing (finding pandoc runs it once)."""
    domain = briefing_domain(env)
    for run in domain.bib_runs.values():  # of a build that stopped before its step
        run.discard()
    domain.bib_runs = citation_step.start_reading_bibfiles(app) if docnames else {}


def derive_and_pick_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: the cross-document step, once per build in the main process,
    after every parallel merge, also in a build that read nothing.

    Formats the citations (through the citation cache), numbers and checks everything
    from scratch and warns (so that ``-W`` fails every build while a problem remains);
    then returns the documents that were not re-read but whose pages read something of
    the step's result that changed since this builder wrote them (see
    :mod:`sphinx_briefing.reads`): collection pages are never stale.
    """
    domain = briefing_domain(env)
    domain.repeat_read_warnings()
    inputs = domain.inputs(env)
    cache = CitationCache.load(env.doctreedir)
    started, domain.bib_runs = domain.bib_runs, {}
    try:
        citations = format_project(
            app,
            [cite for doc in inputs.doc_order for cite in inputs.cites.get(doc, ())],
            [ph for doc in inputs.doc_order for ph in inputs.placeholders.get(doc, ())],
            cache,
            started,
        )
    finally:
        for run in started.values():
            run.discard()  # taken (nothing left to do) or started for nothing
    if cache.modified:
        cache.save(env.doctreedir)
    for problem in citations.warnings:
        warn(problem.message, problem.subtype, location=problem.location)
    if citations.unprefixed:
        cites = {doc: unprefix(refs, citations.unprefixed) for doc, refs in inputs.cites.items()}
        inputs = replace(inputs, cites=cites)
    derived = derive(replace(inputs, citations=citations))
    derived.build_date = build_date(app.config)
    for found in derived.problems:
        warn(found.message, found.subtype, location=(found.docname, found.line))
    reads = PageReads.load(app.builder.outdir, app.builder.name)
    rewrite = reads.changed(derived, env.all_docs)
    domain.set_derived(derived, reads)
    return sorted(rewrite)


def save_page_reads(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: keep what the pages written in this build read, for the next
    build of this builder (a failed build keeps none: its pages are compared with what
    they read before, and written again)."""
    if exc is None:
        reads = briefing_domain(app.env).page_reads
        reads.save(app.builder.outdir, app.builder.name, app.env.all_docs)
        # After saving: under Sphinx 7.4, -W stops the build at the first warning.
        for message, subtype, location in reads.repeat_warnings(app.env.all_docs):
            logger.warning(message, location=location, type=WARNING_TYPE, subtype=subtype)


class _Filler:
    """Fills one resolved doctree; renderers are made per source document, because the
    node's own document (stamped at read time) is where its links are made from."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.app = app
        self.docname = docname
        # Every read of the step's result is recorded for the page being written.
        self.derived = cast('Derived', briefing_domain(app.env).view(docname))
        self.renderers: dict[str, CollectionRenderer] = {}

    def renderer(self, node: nodes.Element | str) -> CollectionRenderer:
        source = node if isinstance(node, str) else (node.get('docname') or self.docname)
        if source not in self.renderers:
            self.renderers[source] = CollectionRenderer(self.app.builder, self.derived, source)
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
            elif isinstance(node, (*bnodes.PACK_BOXES, bnodes.briefing_line_part)):
                node.insert(0, self.renderer(node).pack_header(node))

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
                elif ph.kind == 'position-matrix':
                    content = render.position_matrix(ph)
                elif ph.kind == 'run-of-show':
                    content = render.run_of_show(ph)
                elif ph.kind == 'panellist-brief':
                    content = render.panellist_brief(ph)
                elif ph.kind == 'bibliography':
                    content = render.bibliography(ph)
                elif ph.kind == 'cue-cards':
                    content = day.cue_cards(render, ph)
                elif ph.kind == 'agenda':
                    content = day.agenda(render, ph)
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
    the bodies copied into briefs keep working cross-references of every domain.

    The first thing done to a page being written: what it read before is forgotten here,
    and everything read from now on (here, in reference resolution, in
    :func:`fill_page`) is recorded for it."""

    # Before ReferencesResolver (10) and MyST's resolver (9).
    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        # Sphinx 9 deprecates SphinxPostTransform.app; 7.4 has no env._app.
        app = getattr(self.env, '_app', None) or self.app
        briefing_domain(self.env).page_reads.start_page(self.env.docname)
        found = list(self.document.findall(bnodes.briefing_placeholder))
        _Filler(app, self.env.docname).collections(found)


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


def banner(derived: Derived, pagename: str) -> bnodes.briefing_banner | None:
    """The handling banner of a page, as a node (HTML builders; see banner_parts)."""
    parts = banner_parts(derived, pagename)
    if not parts:
        return None
    node = bnodes.briefing_banner(classes=['no-search'])
    for index, (css, label) in enumerate(parts):
        if index:
            node += nodes.Text(' · ')
        node += nodes.inline(label, label, classes=[css])
    return node


def add_banner(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: HTML pages open with their handling banner (the page per
    document; singlehtml's one page has its root document's)."""
    if app.builder.format != 'html':
        return
    node = banner(cast('Derived', briefing_domain(app.env).view(docname)), docname)
    if node is not None:
        doctree.insert(0, node)


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
    """``html-page-context``: no copied source in editions that leave things out (the
    source holds everything)."""
    if briefing_config.edition(app.config) != 'moderator':
        context['sourcename'] = ''


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
    text = briefing_domain(env).withheld_text(
        kind, node['reftarget'].lstrip('#'), node.get('refdoc', '')
    )
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
    message = __('unknown %s %r') % (node['reftype'], node['reftarget'])
    subtype = str(_UNKNOWN[node['reftype']])
    logger.warning(message, location=node, type=WARNING_TYPE, subtype=subtype)
    # Kept with the page: a build that does not write it again says it again.
    location = get_node_location(node)
    page = app.env.temp_data.get('docname') or node.get('refdoc', '')
    if page and location:
        briefing_domain(app.env).page_reads.note_warning(page, (message, subtype, location))
    return True


# -- search --------------------------------------------------------------------------------


def keep_no_search_out_of_search(app: Sphinx) -> None:
    """``builder-inited``: on Sphinx 7.4, whose search indexer does not know the
    ``no-search`` class (Sphinx 8 skips such nodes itself), this builder indexes each page
    without them: collections stay out of search on every supported Sphinx.

    Only this builder's own method is wrapped, for this build; the nodes are put back
    before the page is written.
    """
    if sphinx.version_info >= (8,) or not hasattr(app.builder, 'index_page'):
        return
    builder: Any = app.builder
    index_page = builder.index_page

    def without_no_search(pagename: str, doctree: nodes.document, title: str) -> None:
        taken: list[tuple[nodes.Element, int, nodes.Element]] = []
        for node in list(doctree.findall(nodes.Element)):
            if 'no-search' not in node['classes'] or node.parent is None:
                continue
            # (a node inside one already taken out goes with it)
            if any(node is taken_node or _inside(node, taken_node) for _p, _i, taken_node in taken):
                continue
            parent = node.parent
            taken.append((parent, parent.index(node), node))
            parent.remove(node)
        try:
            index_page(pagename, doctree, title)
        finally:
            for parent, position, node in reversed(taken):
                parent.insert(position, node)

    builder.index_page = without_no_search


def _inside(node: nodes.Node, container: nodes.Element) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is container:
            return True
        parent = parent.parent
    return False
