"""The headers and footers of the boxes where they are written: a question's number,
addressees and timing, a position's actor and stance, a panel's and a participant's fields."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinx_briefing import calendar
from sphinx_briefing.derive import (
    QuestionInfo,
)
from sphinx_briefing.locale import _
from sphinx_briefing.markup import NODES, Maker
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Panel, Participant
from sphinx_briefing.render.common import (
    SPLITTING_BUILDERS,
    add_field,
    clock_range,
    joined,
    long_date,
    priority_label,
    role_label,
    text,
)
from sphinx_briefing.render.page import PageRenderer


class BoxRenderer(PageRenderer):
    """Adds the boxes' headers and footers."""

    def question_header(self, info: QuestionInfo) -> nodes.Element:
        q, mk = info.record, self.lines
        header = [mk.strong([mk.text(info.number)], ['briefing-number'])]
        if info.parent:
            header.append(mk.text(' '))
            header.append(mk.text(_('follow-up to') + ' ', 'briefing-meta'))
            header.append(self.question(info.parent, mk=mk))
        meta = []
        if info.to:
            addressees = [mk.text(_('To:') + ' ')]
            addressees.extend(joined_by(mk, (self.participant(pid, mk) for pid in info.to)))
            meta.append(mk.inline(addressees, ['briefing-to']))
        if q.minutes is not None:
            meta.append(mk.text(_('%d min') % q.minutes, 'briefing-minutes'))
        meta.append(
            mk.text(priority_label(q.priority), 'briefing-priority', f'briefing-{q.priority}')
        )
        if q.tags:
            meta.append(mk.text(_('Tags:') + ' ' + ', '.join(q.tags), 'briefing-tags'))
        header.append(mk.text(' · '))
        header.extend(joined_by(mk, meta, ' · '))
        return mk.paragraph(header, ['briefing-header'])

    def question_footer(self, info: QuestionInfo) -> nodes.Element | None:
        mk = self.lines
        parts = []
        if info.positions:
            span = [mk.text(_('Positions:') + ' ')]
            span.extend(joined_by(mk, (self.position_link(pid, mk) for pid in info.positions)))
            parts.append(mk.inline(span, ['briefing-positions']))
        if info.referrers:
            span = [mk.text(_('Referred to in:') + ' ')]
            span.extend(joined_by(mk, (self.document(doc, mk) for doc in info.referrers)))
            parts.append(mk.inline(span, ['briefing-referrers']))
        if info.index_row is not None:
            docname, anchor = info.index_row
            label = mk.text(_('Question index'), 'briefing-backlink')
            page = self.derived.index_row_page.get(info.record.qid)
            if page is not None and self.builder.name in SPLITTING_BUILDERS:
                parts.append(self.page_link(page, anchor, label, mk))
            else:
                parts.append(self.link(docname, anchor, label, mk=mk))
        if not parts:
            return None
        return mk.paragraph(joined_by(mk, parts, ' · '), ['briefing-footer'])

    def question_sources(self, info: QuestionInfo, mk: Maker = NODES) -> list[Any]:
        """The sources behind a question: its positions' :sources:."""
        found = []
        for pid in info.positions:
            record = self.derived.positions[pid].record
            sources = self.sources(record.docname, record.anchor, mk)
            if sources is not None:
                found.append(sources)
        return joined_by(mk, found, '; ')

    def position_link(self, pid: str, mk: Maker = NODES) -> Any:
        info = self.derived.positions[pid]
        child = mk.inline(
            [mk.text(info.actor_name + ' '), self.stance(info.record.stance, mk=mk)],
            ['briefing-position-link'],
        )
        return self.link(info.record.docname, info.record.anchor, child, info.label, mk)

    def position_header(self, pid: str) -> nodes.Element:
        info, mk = self.derived.positions[pid], self.lines
        pos = info.record
        actor = (
            self.participant(pos.actor, mk)
            if pos.actor in self.derived.participants
            else mk.text(pos.actor or '?')
        )
        header = [mk.strong([actor]), mk.text(' · '), self.stance(pos.stance, mk=mk)]
        if info.question:
            header.append(mk.text(' · ' + _('on') + ' '))
            header.append(self.question(info.question, mk=mk))
        elif pos.topic:
            header.append(mk.text(' · ' + _('on') + ' '))
            header.append(mk.text(pos.topic, 'briefing-topic'))
        sources = self.sources(pos.docname, pos.anchor, mk)
        if sources is not None:
            header.append(mk.text(' · ' + _('Sources:') + ' '))
            header.append(sources)
        return mk.paragraph(header, ['briefing-header'])

    def panel_header(self, panel: Panel) -> list[nodes.Node]:
        title = nodes.paragraph(classes=['briefing-header'])
        title += nodes.strong(panel.title, panel.title, classes=['briefing-title'])
        fields = nodes.field_list(classes=['briefing-fields'])

        def add(name: str, *body: nodes.Node) -> None:
            add_field(fields, name, *body)

        language = self.config.language
        if panel.event:
            add(_('Event'), nodes.Text(panel.event))
        if panel.date:
            add(_('Date'), nodes.Text(long_date(panel.date, language)))
        if panel.start:
            add(_('Time'), nodes.Text(clock_range(panel.start, panel.duration)))
        if panel.timezone:
            add(_('Time zone'), nodes.Text(panel.timezone))
        if panel.venue:
            add(_('Venue'), nodes.Text(panel.venue))
        link = calendar.panel_link(self.builder, self.fromdocname, self.derived, panel.pid)
        if link is not None:
            add(_('Calendar'), link)
        if panel.duration is not None:
            add(_('Duration'), nodes.Text(_('%d minutes') % panel.duration))
        if panel.moderator:
            add(_('Moderator'), self.participant(panel.moderator))
        if panel.panellists:
            add(_('Panellists'), *joined(self.participant(pid) for pid in panel.panellists))
        if panel.handling:
            add(_('Handling'), text(panel.handling, 'briefing-handling'))
        if panel.status:
            status = _('Draft') if panel.status == 'draft' else _('Final')
            add(_('Status'), text(status, f'briefing-status-{panel.status}'))
        return [title, fields] if fields.children else [title]

    def participant_header(self, p: Participant) -> list[nodes.Node]:
        header = nodes.paragraph(classes=['briefing-header'])
        header += nodes.strong(p.name, p.name, classes=['briefing-participant-name'])
        details = [value for value in (p.affiliation, role_label(p.role)) if value]
        if details:
            header += nodes.Text(' — ' + ', '.join(str(d) for d in details))
        result: list[nodes.Node] = [header]
        if p.reading:
            reading = nodes.paragraph(classes=['briefing-reading'])
            reading += nodes.Text(_('Pronunciation:') + ' ')
            reading += nodes.emphasis(p.reading, p.reading)
            result.append(reading)
        return result

    def counter_argument_header(self) -> nodes.Element:
        mk = self.lines
        label = mk.text(_('Anticipated counter-argument'))
        return mk.paragraph([mk.strong([label])], ['briefing-header'])

    def moderator_note_header(self) -> nodes.Element:
        mk = self.lines
        return mk.paragraph([mk.strong([mk.text(_('Moderator note'))])], ['briefing-header'])
