"""Event handlers: the cross-document step after reading, and the write-phase filler."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from docutils import nodes

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.derive import derive
from sphinx_briefing.locale import _
from sphinx_briefing.render import PageRenderer
from sphinx_briefing.warnings_ import WARNING_TYPE, Subtype, logger, warn

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.domains import Domain
    from sphinx.environment import BuildEnvironment

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
    after = derive(domain.inputs(env))
    for problem in after.problems:
        warn(problem.message, problem.subtype, location=(problem.docname, problem.line))
    domain.data['derived'] = after
    return sorted(after.pages_to_rewrite(before) & env.all_docs.keys())


def fill_page(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: add headers and footers to the boxes and replace collection
    placeholders, reading derived data only.

    Identity, and where links are made from, come from the ``docname`` stamped on each
    node at read time, never from *docname*: the LaTeX builder resolves the whole book as
    one tree named after its start document, and a link made "from" that document to an
    object in it would become a bare ``refid`` that LaTeX resolves in the wrong file.
    """
    derived = briefing_domain(app.env).derived
    renderers: dict[str, PageRenderer] = {}

    def renderer(node: nodes.Element) -> PageRenderer:
        source = node.get('docname') or docname
        if source not in renderers:
            renderers[source] = PageRenderer(app.builder, derived, source)
        return renderers[source]

    for question in list(doctree.findall(bnodes.briefing_question)):
        info = derived.questions.get(question['qid'])
        if info is None or info.record.docname != question['docname']:
            continue  # a duplicate: warned about; shown without a number
        render = renderer(question)
        question.insert(0, render.question_header(info))
        footer = render.question_footer(info)
        if footer is not None:
            question.insert(_end_of_own_content(question), footer)

    for position in list(doctree.findall(bnodes.briefing_position)):
        if position['pid'] in derived.positions:
            position.insert(0, renderer(position).position_header(position['pid']))

    for panel_node in list(doctree.findall(bnodes.briefing_panel)):
        panel = derived.panels.get(panel_node['pid'])
        if panel is not None and panel.docname == panel_node['docname']:
            panel_node[0:0] = renderer(panel_node).panel_header(panel)

    for person in list(doctree.findall(bnodes.briefing_participant)):
        participant = derived.participants.get(person['pid'])
        if participant is not None and participant.docname == person['docname']:
            person[0:0] = renderer(person).participant_header(participant)

    for counter in list(doctree.findall(bnodes.briefing_counter_argument)):
        counter.insert(0, renderer(counter).counter_argument_header())

    placeholders = {(ph.docname, ph.anchor): ph for ph in derived.placeholders}
    for node in list(doctree.findall(bnodes.briefing_question_index)):
        ph = placeholders.get((node['docname'], node['ids'][0]))
        content = renderer(node).question_index(ph) if ph is not None else []
        container = nodes.container(classes=['briefing-collection'], ids=node['ids'])
        container.extend(content)
        node.replace_self(container)


def _end_of_own_content(box: nodes.Element) -> int:
    """Index after the box's own content, before nested follow-ups and positions."""
    for index, child in enumerate(box.children):
        if isinstance(child, bnodes.briefing_box):
            return index
    return len(box.children)


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
