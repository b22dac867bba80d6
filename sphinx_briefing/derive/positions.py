"""Positions: what each is on, its label, and the positions on each question and topic."""

from __future__ import annotations

from collections.abc import Mapping

from sphinx_briefing.derive.marks import resolve_citations
from sphinx_briefing.derive.result import Inputs, PositionInfo, Problem
from sphinx_briefing.locale import _, __
from sphinx_briefing.model import Participant, Position, Question
from sphinx_briefing.warnings_ import Subtype


def position_infos_of(
    positions: Mapping[str, Position],
    questions: Mapping[str, Question],
    participants: Mapping[str, Participant],
    numbers: Mapping[str, str],
    panel_of: Mapping[str, str],
    doc_panel: Mapping[str, str],
    inputs: Inputs,
    problems: list[Problem],
) -> tuple[dict[str, PositionInfo], dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """(each position's info, positions on each question, positions on each (panel,
    topic))."""
    position_infos: dict[str, PositionInfo] = {}
    positions_on: dict[str, list[str]] = {}
    topic_positions: dict[tuple[str, str], list[str]] = {}
    for pid, pos in positions.items():
        question = pos.question if pos.question in questions else ''
        if pos.question and not question:
            problems.append(
                Problem(
                    __('position of %r is on unknown question %r') % (pos.actor, pos.question),
                    Subtype.UNKNOWN_QUESTION,
                    pos.docname,
                    pos.line,
                )
            )
        elif not pos.question and not pos.topic:
            problems.append(
                Problem(
                    __(
                        'position of %r has no :question:, no :topic: and no section '
                        'to take its topic from'
                    )
                    % pos.actor,
                    Subtype.NO_TARGET,
                    pos.docname,
                    pos.line,
                )
            )
        actor = participants.get(pos.actor)
        actor_name = actor.name if actor else pos.actor
        panel = panel_of[question] if question else doc_panel[pos.docname]
        target = numbers[question] if question else (pos.topic or pos.question)
        position_infos[pid] = PositionInfo(
            record=pos,
            panel=panel,
            question=question,
            actor_name=actor_name,
            label=_('%(actor)s on %(target)s') % {'actor': actor_name, 'target': target}
            if target
            else actor_name,
            summary=resolve_citations(pos.summary, pos.docname, inputs.citations.texts),
        )
        if question:
            positions_on.setdefault(question, []).append(pid)
        elif pos.topic:
            topic_positions.setdefault((panel, pos.topic), []).append(pid)
    return position_infos, positions_on, topic_positions
