"""Panels: which panel each document and each collection belongs to, and the checks of
panels' members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sphinx_briefing.derive.result import Inputs, PositionInfo, Problem
from sphinx_briefing.locale import __
from sphinx_briefing.model import Panel, Participant, Placeholder, Question
from sphinx_briefing.warnings_ import Subtype


def check_panels(
    panels: Mapping[str, Panel], participants: Mapping[str, Participant], problems: list[Problem]
) -> None:
    problems.extend(
        Problem(
            __('panel %r names unknown participant %r as %s') % (panel.pid, pid, role),
            Subtype.UNKNOWN_PARTICIPANT,
            panel.docname,
            panel.line,
        )
        for panel in panels.values()
        for role, pids in (
            (__('moderator'), (panel.moderator,)),
            (__('panellist'), panel.panellists),
        )
        for pid in pids
        if pid and pid not in participants
    )


def page_panels(
    docs: Sequence[str], inputs: Inputs, panels: Mapping[str, Panel], problems: list[Problem]
) -> dict[str, str]:
    """The panels pages name in their front matter (unknown ones are problems)."""
    found: dict[str, str] = {}
    for doc in docs:
        for page in inputs.pages.get(doc, ()):
            if not page.panel:
                continue
            if page.panel in panels:
                found[doc] = page.panel
            else:
                problems.append(
                    Problem(
                        __('the page names unknown panel %r in its front matter') % page.panel,
                        Subtype.UNKNOWN_PANEL,
                        doc,
                        page.line,
                    )
                )
    return found


def check_narrow_pages(
    docs: Sequence[str],
    inputs: Inputs,
    numbered: Mapping[str, Question],
    problems: list[Problem],
) -> None:
    """Questions on a page for a narrower audience than the public: the editions that
    leave the page out number the other questions without them, so a question's number
    would differ between editions (the rule every edition keeps)."""
    for doc in docs:
        for page in inputs.pages.get(doc, ()):
            if page.audience == 'public':
                continue
            held = [q.qid for q in numbered.values() if q.docname == doc]
            if held:
                problems.append(
                    Problem(
                        __(
                            'the page is for the %s edition and up but holds questions (%s): '
                            'editions without the page would number the others differently; '
                            'put questions on a page every edition has, and give single '
                            'questions :audience:'
                        )
                        % (page.audience, ', '.join(held)),
                        Subtype.BAD_FRONT_MATTER,
                        doc,
                        page.line,
                    )
                )


def doc_panels(
    docs: Sequence[str],
    inputs: Inputs,
    panels: Mapping[str, Panel],
    named: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Each document's panel: the panel its front matter names (*named*), else the first
    panel it declares, else the first panel one of its collections names (a brief with
    ``:panel:``), else its nearest toctree ancestor's."""
    own = {
        doc: ph.panel
        for doc in reversed(docs)
        for ph in reversed(inputs.placeholders.get(doc, ()))
        if ph.panel in panels
    }
    own.update(
        (doc, records[0].pid)
        for doc, records in inputs.panels.items()
        if records and records[0].pid in panels and panels[records[0].pid].docname == doc
    )
    own.update(named or {})
    result: dict[str, str] = {}
    for doc in docs:
        seen = {doc}
        current = doc
        while current not in own and current in inputs.toctree_parent:
            current = inputs.toctree_parent[current]
            if current in seen:  # toctree cycles are Sphinx's warning; don't loop on them
                break
            seen.add(current)
        if current in own:
            result[doc] = own[current]
    return result


def placeholder_panels(
    placeholders: Sequence[Placeholder],
    panels: Mapping[str, Panel],
    participants: Mapping[str, Participant],
    questions: Mapping[str, Question],
    positions: Mapping[str, PositionInfo],
    doc_panel: Mapping[str, str],
    problems: list[Problem],
) -> dict[tuple[str, str], str]:
    """Check each collection directive and decide the panel it shows."""
    result: dict[tuple[str, str], str] = {}
    actors: set[str] | None = None  # every actor, worked out for the first matrix
    for ph in placeholders:
        where = (ph.docname, ph.line)
        if ph.panel and ph.panel not in panels:
            problems.append(
                Problem(
                    __('%s names unknown panel %r') % (ph.kind, ph.panel),
                    Subtype.UNKNOWN_PANEL,
                    *where,
                )
            )
            continue
        if ph.kind in ('question-index', 'bibliography'):
            result[ph.docname, ph.anchor] = ph.panel  # '' = every panel
            continue
        if ph.kind == 'panellist-brief':
            if ph.participant not in participants:
                problems.append(
                    Problem(
                        __('panellist-brief for unknown participant %r') % ph.participant,
                        Subtype.UNKNOWN_PARTICIPANT,
                        *where,
                    )
                )
                continue
            result[ph.docname, ph.anchor] = ph.panel  # '' = every panel they are on
            continue
        panel = ph.panel or doc_panel.get(ph.docname, '')
        if not panel:
            problems.append(
                Problem(
                    __('%s has no panel: give it :panel:') % ph.kind,
                    Subtype.NO_PANEL,
                    *where,
                )
            )
            continue
        result[ph.docname, ph.anchor] = panel
        if ph.kind == 'position-matrix':
            if actors is None:
                actors = {p.record.actor for p in positions.values()}
            for actor in ph.actors:
                if actor not in actors:
                    problems.append(
                        Problem(
                            __('position-matrix :actors: names %r, who holds no position') % actor,
                            Subtype.BAD_OPTION,
                            *where,
                        )
                    )
            for qid in ph.questions:
                if qid not in questions:
                    problems.append(
                        Problem(
                            __('position-matrix :questions: names unknown question %r') % qid,
                            Subtype.UNKNOWN_QUESTION,
                            *where,
                        )
                    )
    return result


def assign_panels(
    questions: Mapping[str, Question],
    panels: Mapping[str, Panel],
    doc_panel: Mapping[str, str],
    problems: list[Problem],
) -> dict[str, str]:
    """Each question's panel: its own ``:panel:``, else its document's."""
    panel_of: dict[str, str] = {}
    for qid, q in questions.items():
        if q.panel and q.panel not in panels:
            problems.append(
                Problem(
                    __('question %r names unknown panel %r') % (qid, q.panel),
                    Subtype.UNKNOWN_PANEL,
                    q.docname,
                    q.line,
                )
            )
        panel_of[qid] = q.panel if q.panel in panels else doc_panel[q.docname]
        if not panel_of[qid] and len(panels) > 1:
            problems.append(
                Problem(
                    __(
                        'question %r has no panel: give it :panel:, or declare the panel in '
                        'its document or in a document whose toctree includes it'
                    )
                    % qid,
                    Subtype.NO_PANEL,
                    q.docname,
                    q.line,
                )
            )
    return panel_of


def check_addressees(
    questions: Mapping[str, Question],
    panels: Mapping[str, Panel],
    participants: Mapping[str, Participant],
    panel_of: Mapping[str, str],
    problems: list[Problem],
) -> None:
    """A question is addressed to known participants who sit on its panel."""
    for qid, q in questions.items():
        panel_record = panels.get(panel_of[qid])
        roster = (
            {panel_record.moderator, *panel_record.panellists} - {''} if panel_record else set()
        )
        for pid in q.to:
            if pid in participants and panel_record is not None and not roster:
                # A panel without members has no one to address: not silently allowed.
                problems.append(
                    Problem(
                        __(
                            'question %r is addressed to %r, but panel %r has no moderator '
                            'and no panellists'
                        )
                        % (qid, pid, panel_of[qid]),
                        Subtype.NOT_ON_PANEL,
                        q.docname,
                        q.line,
                    )
                )
                continue
            if pid not in participants:
                problems.append(
                    Problem(
                        __('question %r is addressed to unknown participant %r') % (qid, pid),
                        Subtype.UNKNOWN_PARTICIPANT,
                        q.docname,
                        q.line,
                    )
                )
            elif roster and pid not in roster:
                problems.append(
                    Problem(
                        __('question %r is addressed to %r, who is not on panel %r')
                        % (qid, pid, panel_of[qid]),
                        Subtype.NOT_ON_PANEL,
                        q.docname,
                        q.line,
                    )
                )
