"""The book's collection pages: position matrix, run of show and panellist brief.

Like :mod:`sphinx_briefing.render`, this only reads derived data (and, for briefs, copies
of authors' bodies) and returns standard docutils nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docutils import nodes

from sphinx_briefing import calendar
from sphinx_briefing.derive import QuestionInfo, Schedule, Slot
from sphinx_briefing.locale import _
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Placeholder
from sphinx_briefing.packrender import PackRenderer
from sphinx_briefing.render import (
    add_field,
    joined,
    long_date,
    priority_label,
    text,
)


def note(message: str) -> list[nodes.Node]:
    return [nodes.paragraph(message, message, classes=['briefing-empty'])]


class CollectionRenderer(PackRenderer):
    """Adds the book's collections to the page renderer (and the pack's parts)."""

    # -- position matrix --------------------------------------------------------------

    def position_matrix(self, ph: Placeholder) -> list[nodes.Node]:
        derived = self.derived
        panel = derived.placeholder_panel.get((ph.docname, ph.anchor))
        if panel is None:
            return []
        qids, actors, cells = derived.matrix_layout(panel, ph.questions, ph.actors)
        if not qids or not actors:
            return note(_('No positions recorded.'))

        mk = self.cells
        headers = [mk.text(_('Actor')), *(self.question(qid, mk=mk) for qid in qids)]
        # A cell shows its stance and a numbered marker per sourced position; the sources
        # themselves are listed under the table (in every cell, long corporate authors made
        # the cells tall and narrow).
        sourced: list[str] = []
        rows = []
        for actor in actors:
            if actor in derived.participants:
                actor_cell = [self.participant(actor, mk)]
            else:
                actor_cell = [mk.strong([mk.text(actor)])]
            row = [actor_cell]
            for qid in qids:
                in_cell = (
                    self.matrix_cell(pid, ph, sourced) for pid in cells.get((actor, qid), ())
                )
                row.append(joined_by(mk, in_cell, ' '))
            rows.append(row)
        actor_width = 22
        widths = [actor_width, *[max(6, (100 - actor_width) // len(qids))] * len(qids)]
        matrix = self.table(headers, rows, widths=widths, classes=['briefing-position-matrix'])
        return [matrix, self.legend(), *self.matrix_sources(ph, sourced)]

    def matrix_cell(self, pid: str, ph: Placeholder, sourced: list[str]) -> Any:
        info, mk = self.derived.positions[pid], self.cells
        stance = mk.inline(
            [self.stance(info.record.stance, label=False, mk=mk)], ['briefing-matrix-stance']
        )
        cell = [self.link(info.record.docname, info.record.anchor, stance, info.label, mk)]
        if (info.record.docname, info.record.anchor) in self.derived.cite_texts:
            sourced.append(pid)
            number = str(len(sourced))
            title = _('Sources of %s') % info.label
            marker = mk.superscript([mk.text(number)])
            target = f'{ph.anchor}-source-{number}'
            cell.append(self.link(self.fromdocname, target, marker, title, mk))
        return mk.inline(cell, ['briefing-matrix-cell'])

    def matrix_sources(self, ph: Placeholder, sourced: list[str]) -> list[nodes.Node]:
        """The sources of the matrix's positions, numbered as the markers in its cells."""
        if not sourced:
            return []
        mk = self.cells
        heading = _('Sources')
        items = nodes.enumerated_list(enumtype='arabic', classes=['briefing-matrix-sources'])
        for number, pid in enumerate(sourced, 1):
            info = self.derived.positions[pid]
            line = [
                # a target node rather than the item's ids: LaTeX labels targets only
                mk.target(f'{ph.anchor}-source-{number}'),
                self.link(info.record.docname, info.record.anchor, mk.text(info.label), '', mk),
                mk.text(': '),
            ]
            sources = self.sources(info.record.docname, info.record.anchor, mk)
            if sources is not None:
                line.append(sources)
            item = nodes.list_item()
            item += mk.paragraph(line, [])
            items += item
        title = nodes.paragraph(heading, '', classes=['briefing-subheading'])
        title += nodes.strong(heading, heading)
        return [title, items]

    def legend(self) -> nodes.paragraph:
        legend = nodes.paragraph(classes=['briefing-legend'])
        legend += nodes.strong(_('Legend:'), _('Legend:'))
        legend += nodes.Text(' ')
        items = [self.stance(name) for name in self.stances]
        items.append(text(_('empty: no position recorded'), 'briefing-legend-empty'))
        legend.extend(joined(items, ' · '))
        return legend

    # -- run of show ------------------------------------------------------------------

    def run_of_show(self, ph: Placeholder) -> list[nodes.Node]:
        panel = self.derived.placeholder_panel.get((ph.docname, ph.anchor))
        if panel is None:
            return []
        schedule = self.derived.schedules[panel]
        result: list[nodes.Node] = []
        mk = self.cells
        if schedule.slots:
            rows = [self.slot_row(panel, slot) for slot in schedule.slots]
            end = [mk.text(schedule.end, 'briefing-clock')], [mk.text(_('End'), 'briefing-meta')]
            rows.append([end[0], [], end[1], []])
            result.append(
                self.table(
                    [mk.text(h) for h in (_('Time'), _('Min.'), _('Item'), _('To'))],
                    rows,
                    widths=[10, 7, 63, 20],
                    classes=['briefing-run-of-show'],
                )
            )
        result.append(self.timing_summary(panel, schedule))
        if schedule.reserve:
            heading = _('Reserve questions')
            result.append(nodes.rubric(heading, heading, classes=['briefing-group']))
            reserve_rows = [
                self.reserve_row(self.derived.questions[qid]) for qid in schedule.reserve
            ]
            result.append(
                self.table(
                    [
                        mk.text(h)
                        for h in (_('No.'), _('Question'), _('Min.'), _('Priority'), _('To'))
                    ],
                    reserve_rows,
                    widths=[8, 54, 7, 11, 20],
                    classes=['briefing-run-of-show-reserve'],
                )
            )
        return result

    def slot_row(self, panel: str, slot: Slot) -> list[list[Any]]:
        mk = self.cells
        minutes = [mk.text(str(slot.minutes) if slot.minutes is not None else '—')]
        clock = [mk.text(slot.start, 'briefing-clock')]
        record = self.derived.panels.get(panel)
        moderator = [self.participant(record.moderator, mk)] if record and record.moderator else []
        if slot.kind == 'opening':
            return [clock, minutes, [mk.text(_("Moderator's opening"))], moderator]
        if slot.kind == 'closing':
            return [clock, minutes, [mk.text(_("Moderator's closing"))], moderator]
        if slot.kind == 'break':
            label = mk.text(slot.label or _('Break'), 'briefing-break')
            return [clock, minutes, [mk.emphasis([label])], []]
        if slot.kind == 'session':
            return [clock, [], [mk.strong([mk.text(slot.label, 'briefing-session')])], []]
        info = self.derived.questions[slot.qid]
        return [clock, minutes, self.question_item(info), self.addressees(info)]

    def reserve_row(self, info: QuestionInfo) -> list[list[Any]]:
        q, mk = info.record, self.cells
        return [
            [self.question(q.qid, mk=mk) if info.shown else mk.text(info.number)],
            self.question_text(info),
            [mk.text(str(q.minutes) if q.minutes is not None else '—')],
            [mk.text(priority_label(q.priority))],
            self.addressees(info),
        ]

    def question_item(self, info: QuestionInfo) -> list[Any]:
        mk = self.cells
        if not info.shown:
            number = mk.text(info.number, 'briefing-number')
            return [number, mk.text(' '), *self.question_text(info)]
        return [self.question(info.record.qid, mk=mk), mk.text(' '), *self.question_text(info)]

    def question_text(self, info: QuestionInfo) -> list[Any]:
        mk = self.cells
        if not info.shown:
            return [mk.text(_('(not in this edition)'), 'briefing-withheld')]
        prefix = '↳ ' if info.parent else ''
        return [mk.text(prefix + info.short, 'briefing-question-text')]

    def addressees(self, info: QuestionInfo) -> list[Any]:
        mk = self.cells
        return joined_by(mk, (self.participant(pid, mk) for pid in info.to)) if info.shown else []

    def timing_summary(self, panel: str, schedule: Schedule) -> nodes.paragraph:
        record = self.derived.panels.get(panel)
        summary = nodes.paragraph(classes=['briefing-timing'])
        if record is not None and record.duration is not None:
            if schedule.needed > record.duration:
                message = _(
                    'Over time: the core items need %(needed)d minutes; the panel has %(duration)d.'
                )
                summary['classes'].append('briefing-overrun')
            else:
                message = _("The core items need %(needed)d of the panel's %(duration)d minutes.")
            summary += nodes.Text(
                message % {'needed': schedule.needed, 'duration': record.duration}
            )
        else:
            summary += nodes.Text(_('The core items need %d minutes.') % schedule.needed)
        return summary

    # -- panellist brief --------------------------------------------------------------

    def panellist_brief(self, ph: Placeholder) -> list[nodes.Node]:
        derived = self.derived
        if (ph.docname, ph.anchor) not in derived.placeholder_panel:
            return []
        pid = ph.participant
        person = derived.participants[pid]
        result: list[nodes.Node] = [self.stamp_line(ph), *self.participant_header(person)]
        link = calendar.participant_link(self.builder, self.fromdocname, derived, pid)
        if link is not None:
            result.append(nodes.paragraph('', '', link, classes=['briefing-calendar']))
        panels = [ph.panel] if ph.panel else derived.panels_of(pid)
        if not panels:
            return [*result, *note(_('%s is on no panel and is asked no question.') % person.name)]
        for panel in panels:
            result.extend(self.brief_for_panel(pid, panel))
        return result

    def brief_for_panel(self, pid: str, panel: str) -> list[nodes.Node]:
        derived = self.derived
        record = derived.panels[panel]
        heading = nodes.rubric('', '', classes=['briefing-brief-panel'])
        heading += self.link(record.docname, record.anchor, text(record.title), record.title)
        result: list[nodes.Node] = [heading]

        fields = nodes.field_list(classes=['briefing-fields'])

        def add(name: str, *body: nodes.Node) -> None:
            add_field(fields, name, *body)

        role = _('Moderator') if record.moderator == pid else _('Panellist')
        add(_('Your role'), nodes.Text(role if pid in derived.roster(panel) else _('Addressee')))
        if record.event:
            add(_('Event'), nodes.Text(record.event))
        if record.date:
            add(_('Date'), nodes.Text(long_date(record.date, self.config.language)))
        schedule = derived.schedules[panel]
        if record.start:
            end = schedule.end if record.duration is None else _end(record.start, record.duration)
            add(_('Time'), nodes.Text(f'{record.start}–{end}'))
        if record.timezone:
            add(_('Time zone'), nodes.Text(record.timezone))
        if record.venue:
            add(_('Venue'), nodes.Text(record.venue))
        if record.handling:
            add(_('Handling'), text(record.handling, 'briefing-handling'))
        others = [p for p in derived.roster(panel) if p != pid]
        if others:
            add(
                _('With'),
                # "Name — affiliation", as on the participants' page: an affiliation has
                # commas of its own and may be in brackets ("(fictional) Fellow, …")
                *joined(
                    (
                        nodes.inline('', '', self.participant(p), *self.affiliation(p))
                        for p in others
                    ),
                    '; ',
                ),
            )
        result.append(fields)
        result.extend(self.pack_before_questions(pid, panel))

        questions = derived.questions_for(pid, panel)
        title = _('Your questions') if record.moderator != pid else _('Questions of the panel')
        result.append(nodes.rubric(title, title, classes=['briefing-group']))
        if not questions:
            result.extend(note(_('No question is addressed to you on this panel.')))
            return [*result, *self.pack_after_questions(pid, panel)]
        slots = {slot.qid: slot for slot in schedule.slots if slot.qid}
        result.append(self.slots_line(questions, slots))
        themes: set[tuple[str, str]] = set()
        for info in questions:
            result.extend(self.theme_context(info, themes))
            result.append(self.brief_question(info, slots.get(info.record.qid), pid))
        result.extend(self.pack_after_questions(pid, panel))
        keys = derived.keys_within(
            id_ for info in questions for id_ in (info.record.qid, *info.positions)
        )
        if keys:
            sources_heading = _('Sources cited here')
            result.append(
                nodes.rubric(sources_heading, sources_heading, classes=['briefing-group'])
            )
            result.append(
                nodes.container(
                    '',
                    *(
                        self.lines.paragraph(self.entry(key, self.lines), ['briefing-bib-entry'])
                        for key in keys
                    ),
                    classes=['briefing-bib-entries'],
                )
            )
        return result

    def affiliation(self, pid: str) -> list[nodes.Node]:
        p = self.derived.participants.get(pid)
        return [nodes.Text(f' — {p.affiliation}')] if p and p.affiliation else []

    def slots_line(
        self, questions: Sequence[QuestionInfo], slots: dict[str, Slot]
    ) -> nodes.Element:
        mk = self.lines
        line = [mk.strong([mk.text(_('Your slots:'))]), mk.text(' ')]
        timed = [
            mk.inline(
                [
                    mk.text(slots[i.record.qid].start, 'briefing-clock'),
                    mk.text(' '),
                    self.question(i.record.qid, mk=mk),
                    mk.text(' ' + i.short, 'briefing-question-short'),
                ]
            )
            for i in questions
            if i.record.qid in slots
        ]
        if not timed:
            timed = [mk.text(_('reserve questions only'))]
        line.extend(joined_by(mk, timed, ' · '))
        return mk.paragraph(line, ['briefing-slots'])

    def brief_question(
        self, info: QuestionInfo, slot: Slot | None, holder: str = ''
    ) -> nodes.Element:
        q, mk = info.record, self.lines
        item = nodes.container(classes=['briefing-brief-question'])
        header = [self.question(q.qid, mk=mk)]
        meta = []
        if slot is not None:
            meta.append(mk.text(slot.start, 'briefing-clock'))
        if q.minutes is not None:
            meta.append(mk.text(_('%d min') % q.minutes, 'briefing-minutes'))
        meta.append(mk.text(priority_label(q.priority), 'briefing-priority'))
        if info.parent:
            meta.append(
                mk.inline([mk.text(_('follow-up to') + ' '), self.question(info.parent, mk=mk)])
            )
        header.append(mk.text(' · '))
        header.extend(joined_by(mk, meta, ' · '))
        item += mk.paragraph(header, ['briefing-header'])
        item.extend(self.copies.body(q.docname, q.anchor))
        if holder:
            panel = self.derived.panels.get(info.panel)
            moderates = panel is not None and panel.moderator == holder
            item.extend(self.question_pack(info, holder, moderates))
        if info.positions:
            label = _('Positions on %s') % info.number
            item += nodes.paragraph(
                label, '', nodes.strong(label, label), classes=['briefing-subheading']
            )
            positions = nodes.bullet_list(classes=['briefing-brief-positions'])
            for pid in info.positions:
                position = self.derived.positions[pid]
                entry = nodes.list_item()
                entry += self.position_header(pid)
                entry.extend(self.copies.body(position.record.docname, position.record.anchor))
                positions += entry
            item += positions
        return item


def _end(start: str, minutes: int) -> str:
    from sphinx_briefing.derive import clock

    return clock(start, minutes)
