"""Panellist briefs: what a brief holds for the person it is prepared for, their slots and
their questions with the bodies copied from where they are written."""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes

from sphinx_briefing import calendar
from sphinx_briefing.derive import (
    QuestionInfo,
    Slot,
    clock,
)
from sphinx_briefing.locale import _
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Placeholder
from sphinx_briefing.render.common import add_field, joined, long_date, note, priority_label, text
from sphinx_briefing.render.pack import PackRenderer
from sphinx_briefing.render.schedule import ScheduleRenderer


class BriefRenderer(ScheduleRenderer, PackRenderer):
    """Adds panellist briefs."""

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
            end = schedule.end if record.duration is None else clock(record.start, record.duration)
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
