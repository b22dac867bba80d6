"""Breaks and sessions: which panel each break belongs to and which question it comes
before, in reading order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sphinx_briefing.derive.result import Problem
from sphinx_briefing.locale import __
from sphinx_briefing.model import Break, Panel, Question
from sphinx_briefing.warnings_ import Subtype

#: where a record is in reading order: (its document's place, its place in the document)
Place = tuple[int, int]


def question_places(
    docs: Sequence[str],
    by_doc: Mapping[str, Sequence[Question]],
    questions: Mapping[str, Question],
) -> dict[str, Place]:
    """Each question's place in reading order (the record that won its id)."""
    places: dict[str, Place] = {}
    for doc_index, doc in enumerate(docs):
        for index, record in enumerate(by_doc.get(doc, ())):
            if questions.get(record.qid) is record:
                places[record.qid] = (doc_index, index)
    return places


def place_breaks(
    docs: Sequence[str],
    by_doc: Mapping[str, Sequence[Break]],
    panels: Mapping[str, Panel],
    doc_panel: Mapping[str, str],
    panel_questions: Mapping[str, Sequence[str]],
    parent_of: Mapping[str, str],
    places: Mapping[str, Place],
    problems: list[Problem],
) -> dict[str, tuple[tuple[str, Break], ...]]:
    """Panel → its breaks, each with the top-level question it comes before ('' for
    after the last one), in reading order."""
    result: dict[str, list[tuple[str, Break]]] = {}
    for doc_index, doc in enumerate(docs):
        for record in by_doc.get(doc, ()):
            if record.panel and record.panel not in panels:
                problems.append(
                    Problem(
                        __('break names unknown panel %r') % record.panel,
                        Subtype.UNKNOWN_PANEL,
                        record.docname,
                        record.line,
                    )
                )
                continue
            panel = record.panel or doc_panel.get(doc, '')
            if not panel:
                if panels:
                    problems.append(
                        Problem(
                            __(
                                'break has no panel: give it :panel:, or declare the panel in '
                                'its document or in a document whose toctree includes it'
                            ),
                            Subtype.NO_PANEL,
                            record.docname,
                            record.line,
                        )
                    )
                continue
            where = (doc_index, record.after)
            before = next(
                (
                    qid
                    for qid in panel_questions.get(panel, ())
                    if not parent_of.get(qid) and places.get(qid, (len(docs), 0)) >= where
                ),
                '',
            )
            result.setdefault(panel, []).append((before, record))
    return {panel: tuple(found) for panel, found in result.items()}
