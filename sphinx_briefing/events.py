"""Event handlers: the cross-document step after reading, the write-phase filler, and
the HTML page context (banners, editions)."""

from __future__ import annotations

import html
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docutils import nodes

from sphinx_briefing import config as briefing_config
from sphinx_briefing import nodes as bnodes
from sphinx_briefing.books import CollectionRenderer
from sphinx_briefing.citestep import CitationCache, format_project
from sphinx_briefing.derive import derive
from sphinx_briefing.fragments import FRAGMENT_FLAG, Fragments
from sphinx_briefing.locale import _
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


def derive_and_pick_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-updated``: runs once per build in the main process, after every merge.

    Recomputes numbers, collections and checks from scratch, warns, and returns the
    documents that were not re-read but whose rendering changed (numbers, names, index
    rows …), so Sphinx rewrites them: collection pages are never stale.
    """
    domain = briefing_domain(env)
    before = domain.data['derived']
    inputs = domain.inputs(env)
    cache = domain.data.get('citation_cache') or CitationCache()
    citations = format_project(
        app,
        [cite for doc in inputs.doc_order for cite in inputs.cites.get(doc, ())],
        [ph for doc in inputs.doc_order for ph in inputs.placeholders.get(doc, ())],
        cache,
    )
    domain.data['citation_cache'] = cache
    for problem in citations.warnings:
        warn(problem.message, problem.subtype, location=problem.location)
    after = derive(replace(inputs, citations=citations))
    for found in after.problems:
        warn(found.message, found.subtype, location=(found.docname, found.line))
    domain.data['derived'] = after
    return sorted(after.pages_to_rewrite(before) & env.all_docs.keys())


class _Filler:
    """Fills one resolved doctree; renderers are made per source document, because the
    node's own document (stamped at read time) is where its links are made from."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.app = app
        self.docname = docname
        self.derived: Derived = briefing_domain(app.env).derived
        self.renderers: dict[str, CollectionRenderer] = {}
        self.fragments: dict[str, Fragments] = {}

    def renderer(self, node: nodes.Element | str) -> CollectionRenderer:
        source = node if isinstance(node, str) else (node.get('docname') or self.docname)
        if source not in self.renderers:
            self.renderers[source] = CollectionRenderer(self.app.builder, self.derived, source)
        return self.renderers[source]

    def boxes(self, doctree: nodes.document, docname: str = '') -> None:
        """Headers and footers of the boxes; withheld nodes removed."""
        derived = self.derived
        for question in list(doctree.findall(bnodes.briefing_question)):
            info = derived.questions.get(question['qid'])
            if question.get('withheld'):
                question.parent.remove(question)
                continue
            if info is None or info.record.docname != question['docname']:
                continue  # a duplicate: warned about; shown without a number
            render = self.renderer(docname or question)
            question.insert(0, render.question_header(info))
            footer = render.question_footer(info)
            if footer is not None:
                question.insert(_end_of_own_content(question), footer)
        for position in list(doctree.findall(bnodes.briefing_position)):
            if position['pid'] in derived.positions:
                position.insert(
                    0, self.renderer(docname or position).position_header(position['pid'])
                )
        for panel_node in list(doctree.findall(bnodes.briefing_panel)):
            panel = derived.panels.get(panel_node['pid'])
            if panel is not None and panel.docname == panel_node['docname']:
                panel_node[0:0] = self.renderer(docname or panel_node).panel_header(panel)
        for person in list(doctree.findall(bnodes.briefing_participant)):
            participant = derived.participants.get(person['pid'])
            if participant is not None and participant.docname == person['docname']:
                person[0:0] = self.renderer(docname or person).participant_header(participant)
        for counter in list(doctree.findall(bnodes.briefing_counter_argument)):
            counter.insert(0, self.renderer(docname or counter).counter_argument_header())
        for moderator_note in list(doctree.findall(bnodes.briefing_moderator_note)):
            moderator_note.insert(
                0, self.renderer(docname or moderator_note).moderator_note_header()
            )
        for withheld in list(doctree.findall(bnodes.briefing_withheld)):
            withheld.parent.remove(withheld)
        for cite in list(doctree.findall(bnodes.briefing_citation)):
            render = self.renderer(docname or cite)
            # In a copy (a brief), the citation keeps its formatted text but not its id.
            anchor = cite['ids'][0] if cite['ids'] else ''
            formatted = render.citation(
                cite['docname'],
                anchor or cite.get('source_anchor', ''),
                cite['form'],
                cite.astext(),
            )
            if not anchor:
                formatted = [n for n in formatted if not isinstance(n, nodes.target)]
            # replace_self() would give the first new node the old one's ids and classes.
            cite['ids'], cite['classes'] = [], []
            cite.replace_self(formatted)

    def collections(self, doctree: nodes.document) -> None:
        placeholders = {(ph.docname, ph.anchor): ph for ph in self.derived.placeholders}
        for node in list(doctree.findall(bnodes.briefing_placeholder)):
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
                    content = render.panellist_brief(ph, self.body_of(node['docname']))
                elif ph.kind == 'bibliography':
                    content = render.bibliography(ph)
            container = nodes.container(
                classes=['briefing-collection', f'briefing-{ph.kind if ph else "unknown"}'],
                ids=node['ids'],
            )
            container.extend(content)
            node.replace_self(container)

    def body_of(self, pagename: str) -> Any:
        if pagename not in self.fragments:
            self.fragments[pagename] = Fragments(self.app, pagename, self.boxes)
        return self.fragments[pagename].body


def fill_page(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: add headers and footers to the boxes and replace collection
    placeholders, reading derived data only.

    Identity, and where links are made from, come from the ``docname`` stamped on each
    node at read time, never from *docname*: the LaTeX builder resolves the whole book as
    one tree named after its start document, and a link made "from" that document to an
    object in it would become a bare ``refid`` that LaTeX resolves in the wrong file.
    """
    if doctree.get(FRAGMENT_FLAG):
        return  # a copied body being resolved for another page: its page fills it
    filler = _Filler(app, docname)
    filler.boxes(doctree)
    filler.collections(doctree)


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


def html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """``html-page-context``: the handling banner above the body; and no copied source in
    editions that leave things out (the source holds everything)."""
    if briefing_config.edition(app.config) != 'moderator':
        context['sourcename'] = ''
    if 'body' not in context:
        return
    parts = banner_parts(briefing_domain(app.env).derived, pagename)
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
    if domain is None or domain.name != 'briefing' or node['reftype'] not in _UNKNOWN:
        return None
    logger.warning(
        _('unknown %s %r') % (node['reftype'], node['reftarget']),
        location=node,
        type=WARNING_TYPE,
        subtype=str(_UNKNOWN[node['reftype']]),
    )
    return True
