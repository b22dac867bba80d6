"""Runs of show: clock times, questions, breaks and sessions, the reserve, the timing."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinx_briefing.derive import (
    QuestionInfo,
    Schedule,
    Slot,
)
from sphinx_briefing.locale import _
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Placeholder
from sphinx_briefing.render.boxes import BoxRenderer
from sphinx_briefing.render.common import priority_label


class ScheduleRenderer(BoxRenderer):
    """Adds runs of show."""

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
        # A timed question withheld from the edition keeps its row (the clock times after
        # it stay those of every edition); a reserve question withheld is left out: a
        # list of "(not in this edition)" rows would only tell readers what they lack.
        reserve = [self.derived.questions[qid] for qid in schedule.reserve]
        reserve = [info for info in reserve if info.shown]
        if reserve:
            heading = _('Reserve questions')
            result.append(nodes.rubric(heading, heading, classes=['briefing-group']))
            reserve_rows = [self.reserve_row(info) for info in reserve]
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
            [self.question(q.qid, mk=mk)],
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
