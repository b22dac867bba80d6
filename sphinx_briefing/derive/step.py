"""The step itself: from every document's records to :class:`Derived`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from sphinx_briefing.derive.breaks import place_breaks, question_places
from sphinx_briefing.derive.citations import bibliographies_of, check_citations, entry_homes
from sphinx_briefing.derive.index import index_part_pages, index_rows, referrers_of
from sphinx_briefing.derive.marks import resolve_citations, resolved_topic
from sphinx_briefing.derive.numbering import (
    check_prefixes,
    follow_parents_panel,
    number_questions,
    resolve_parents,
)
from sphinx_briefing.derive.pack import pack_of
from sphinx_briefing.derive.panels import (
    assign_panels,
    check_addressees,
    check_narrow_pages,
    check_panels,
    doc_panels,
    page_panels,
    placeholder_panels,
)
from sphinx_briefing.derive.positions import position_infos_of
from sphinx_briefing.derive.result import (
    Derived,
    Inputs,
    Problem,
    QuestionInfo,
)
from sphinx_briefing.derive.schedule import overruns, schedule_of
from sphinx_briefing.derive.short import short_form
from sphinx_briefing.derive.stances import stance_groups
from sphinx_briefing.locale import __
from sphinx_briefing.model import CiteRef
from sphinx_briefing.warnings_ import Subtype


class _Located(Protocol):
    @property
    def docname(self) -> str: ...
    @property
    def line(self) -> int | None: ...


R = TypeVar('R', bound=_Located)


def first_wins(
    docs: Sequence[str],
    by_doc: Mapping[str, Sequence[R]],
    id_of: str,
    what: str,
    problems: list[Problem],
) -> dict[str, R]:
    """Index records by id in reading order; later duplicates are warned about."""
    seen: dict[str, R] = {}
    for doc in docs:
        for record in by_doc.get(doc, ()):
            rid: str = getattr(record, id_of)
            if rid not in seen:
                seen[rid] = record
            elif getattr(record, 'explicit_id', True):
                first = seen[rid]
                problems.append(
                    Problem(
                        __('duplicate %s id %r: first declared in %s, line %s (that one is used)')
                        % (what, rid, first.docname, first.line),
                        Subtype.DUPLICATE_ID,
                        doc,
                        record.line,
                    )
                )
    return seen


def derive(inputs: Inputs) -> Derived:
    """Compute numbers, collections and checks from every document's records."""
    problems: list[Problem] = []
    known_docs = set(inputs.doc_order)
    recorded = {
        *inputs.questions,
        *inputs.panels,
        *inputs.participants,
        *inputs.positions,
        *inputs.placeholders,
        *inputs.references,
        *inputs.breaks,
        *inputs.pages,
        *inputs.pack,
    }
    docs = list(inputs.doc_order) + sorted(recorded - known_docs)

    panels = first_wins(docs, inputs.panels, 'pid', __('panel'), problems)
    participants = first_wins(docs, inputs.participants, 'pid', __('participant'), problems)
    questions = first_wins(docs, inputs.questions, 'qid', __('question'), problems)
    places = question_places(docs, inputs.questions, questions)
    positions = first_wins(docs, inputs.positions, 'pid', __('position'), problems)

    check_panels(panels, participants, problems)
    own_panel = doc_panels(docs, inputs, panels, page_panels(docs, inputs, panels, problems))
    check_narrow_pages(docs, inputs, questions, problems)
    doc_panel = {
        doc: own_panel.get(doc) or (next(iter(panels)) if len(panels) == 1 else '') for doc in docs
    }

    panel_of = assign_panels(questions, panels, doc_panel, problems)

    parent_of = resolve_parents(questions, problems)
    follow_parents_panel(questions, parent_of, panel_of, problems)
    numbers, followups, panel_questions = number_questions(
        questions,
        parent_of,
        panel_of,
        inputs.question_format,
        inputs.followup_format,
        problems,
        {pid: panel.prefix for pid, panel in panels.items() if panel.prefix},
    )
    check_prefixes(panels, numbers, panel_of, problems)

    # Roles in section titles (topics) show what they name, as in the title itself.
    questions = {
        qid: resolved_topic(q, numbers, participants, panels) for qid, q in questions.items()
    }
    positions = {
        pid: resolved_topic(p, numbers, participants, panels) for pid, p in positions.items()
    }

    check_addressees(questions, panels, participants, panel_of, problems)

    position_infos, positions_on, topic_positions = position_infos_of(
        positions, questions, participants, numbers, panel_of, doc_panel, inputs, problems
    )

    referrers = referrers_of(docs, inputs.references, questions)

    # -- placeholders ---------------------------------------------------------------------
    placeholders = tuple(ph for doc in docs for ph in inputs.placeholders.get(doc, ()))
    placeholder_panel = placeholder_panels(
        placeholders, panels, participants, questions, position_infos, doc_panel, problems
    )
    index_row, row_index = index_rows(placeholders, placeholder_panel, questions, panel_of)

    texts = {
        qid: resolve_citations(q.text, q.docname, inputs.citations.texts)
        for qid, q in questions.items()
    }
    infos = {
        qid: QuestionInfo(
            record=q,
            panel=panel_of[qid],
            number=numbers[qid],
            to=q.to or (questions[parent_of[qid]].to if parent_of[qid] else ()),
            text=texts[qid],
            short=short_form(q.short, texts[qid]),
            parent=parent_of[qid],
            followups=tuple(followups[qid]),
            positions=tuple(positions_on.get(qid, ())),
            referrers=tuple(referrers.get(qid, ())),
            index_row=index_row.get(qid),
        )
        for qid, q in questions.items()
    }

    cites = tuple(cite for doc in docs for cite in inputs.cites.get(doc, ()))
    problems.extend(
        check_citations(cites, inputs.citations, infos, position_infos, panels, doc_panel)
    )
    bibliographies = bibliographies_of(placeholders, cites, inputs.citations)
    cited_in: dict[str, list[tuple[str, str]]] = {}
    citing_docs: set[tuple[str, str]] = set()
    for cite in cites:
        for key in cite.keys:
            if (key, cite.docname) not in citing_docs:
                citing_docs.add((key, cite.docname))
                cited_in.setdefault(key, []).append((cite.docname, cite.anchor))

    derived = Derived(
        doc_order=tuple(docs),
        edition=inputs.edition,
        project_status=inputs.project_status,
        index_page_rows=inputs.index_page_rows,
        panels=panels,
        participants=participants,
        questions=infos,
        positions=position_infos,
        withheld_positions=frozenset(
            w.target for doc in docs for w in inputs.withheld.get(doc, ()) if w.kind == 'position'
        ),
        panel_questions={panel: tuple(qids) for panel, qids in panel_questions.items()},
        topic_positions={key: tuple(pids) for key, pids in topic_positions.items()},
        doc_panel=doc_panel,
        placeholders=placeholders,
        placeholder_panel=placeholder_panel,
        titles={
            doc: inputs.titles.get(doc, doc)
            for doc in {
                *(d for qids in referrers.values() for d in qids),
                *(d for places in cited_in.values() for d, _a in places),
                # the title of a split question index heads its parts
                *(ph.docname for ph in placeholders if ph.kind == 'question-index'),
            }
        },
        cites=cites,
        cite_texts=dict(inputs.citations.texts),
        entries=dict(inputs.citations.entries),
        bibliographies=bibliographies,
        cited_in={key: tuple(places) for key, places in cited_in.items()},
    )
    derived.entry_ids = {(ph.docname, ph.anchor): ph.entry_id for ph in placeholders if ph.entry_id}
    derived.homes = entry_homes(bibliographies, derived.entry_ids)
    by_panel: dict[str, list[str]] = {}
    for pid, pinfo in position_infos.items():
        by_panel.setdefault(pinfo.panel, []).append(pid)
    derived.positions_by_panel = {panel: tuple(pids) for panel, pids in by_panel.items()}
    by_box: dict[str, list[CiteRef]] = {}
    for cite in cites:
        if cite.within:
            by_box.setdefault(cite.within, []).append(cite)
    derived.cites_by_box = {box: tuple(found) for box, found in by_box.items()}
    derived.panel_breaks = place_breaks(
        docs, inputs.breaks, panels, doc_panel, panel_questions, parent_of, places, problems
    )
    pack = pack_of(
        docs,
        inputs.pack,
        inputs.contexts,
        panels,
        participants,
        {panel: derived.roster(panel) for panel in panels},
        panel_of,
        {qid: q.docname for qid, q in questions.items()},
        doc_panel,
        inputs.citations.texts,
        problems,
    )
    derived.pack, derived.pack_roles, derived.pack_notes = pack.items, pack.roles, pack.notes
    derived.bios, derived.themes = pack.bios, pack.themes
    derived.stances_on = {
        qid: stance_groups(
            (position_infos[pid].record.actor, position_infos[pid].record.stance)
            for pid in info.positions
        )
        for qid, info in infos.items()
        if info.positions
    }
    derived.schedules = {panel: schedule_of(derived, panel) for panel in derived.panel_ids()}
    derived.index_pages, derived.index_row_page = index_part_pages(derived, row_index, known_docs)
    problems.extend(overruns(derived))
    derived.problems = tuple(problems)
    return derived
