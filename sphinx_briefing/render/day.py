"""Outputs for the day: the moderator's cue cards and a panel's one-page agenda.

Like the other collections, these read derived data only (and copies of authors' bodies:
bios and moderator's notes) and return standard docutils nodes, which every builder's
translator writes: HTML (one card a printed sheet, see the stylesheet) and LaTeX (one
card a page of the cards' own PDF, see :mod:`sphinx_briefing.day_latex`).

A question card is headed by its number and short form (:func:`card_heading`), its full
text under it; the opening card introduces the panel (:func:`opening_content`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from docutils import nodes

from sphinx_briefing import config as briefing_config
from sphinx_briefing.derive import clock
from sphinx_briefing.derive.late import LateItem, LatePlan, running_late
from sphinx_briefing.derive.short import paragraphs
from sphinx_briefing.locale import _
from sphinx_briefing.render.common import add_field, clock_range, joined, long_date, priority_label

if TYPE_CHECKING:
    from sphinx_briefing.derive import QuestionInfo, Schedule, Slot
    from sphinx_briefing.model import Panel, Placeholder
    from sphinx_briefing.render.collections import CollectionRenderer

#: class of every card: the stylesheet and the cards' LaTeX class start each on a sheet
CARD_CLASS = 'briefing-card'


def edition_label(edition: str) -> str:
    labels = {
        'moderator': _('Moderator edition'),
        'panellist': _('Panellist edition'),
        'public': _('Public edition'),
    }
    return str(labels.get(edition, edition))


# -- what other work extends -----------------------------------------------------------------


def card_heading(info: QuestionInfo) -> str:
    """The heading of a question's card, after its number: its short form (the author's
    ``:short:``, else its text shortened), what the moderator finds at a glance."""
    return info.short or info.text


def card_text(info: QuestionInfo) -> list[nodes.Node]:
    """The question's full text under the heading, a paragraph each (a question of several
    paragraphs is never run together); nothing when the heading is the whole text."""
    parts = paragraphs(info.text)
    if parts == [card_heading(info)]:
        return []
    return [nodes.paragraph(part, part, classes=['briefing-card-text']) for part in parts]


def opening_content(render: CollectionRenderer, panel: Panel) -> list[nodes.Node]:
    """What the opening card holds: the opening script, then the panel's participants,
    moderator first, each with name, affiliation, role and pronunciation, and the
    moderator's scripted introduction of them (their bio when there is none)."""
    derived = render.derived
    result: list[nodes.Node] = []
    opening = derived.pack_item(panel.pid, 'opening')
    if opening is not None:
        result.append(render.copy_of(opening, 'briefing-script'))
    for pid in derived.roster(panel.pid):
        person = derived.participants.get(pid)
        if person is None:
            continue  # an unknown participant: warned about where the panel names them
        item = nodes.container(classes=['briefing-card-person'])
        item.extend(render.participant_header(person))
        introduction = derived.pack_item(panel.pid, 'introduction', pid)
        if introduction is not None:
            item += render.copy_of(introduction, 'briefing-script')
        else:
            item.extend(render.copies.body(person.docname, person.anchor))
        result.append(item)
    return result


def closing_content(render: CollectionRenderer, panel: Panel) -> list[nodes.Node]:
    """What the closing card holds: the closing script, when there is one."""
    closing = render.derived.pack_item(panel.pid, 'closing')
    return [] if closing is None else [render.copy_of(closing, 'briefing-script')]


# -- cue cards ---------------------------------------------------------------------------


def cue_cards(render: CollectionRenderer, ph: Placeholder) -> list[nodes.Node]:
    """One card per item of the panel's run of show (opening, core questions, breaks and
    sessions, closing), then one per reserve or defensive question; numbered, each with
    the panel, its handling notice and the edition."""
    derived = render.derived
    panel_id = derived.placeholder_panel.get((ph.docname, ph.anchor))
    panel = derived.panels.get(panel_id or '')
    if panel is None:
        return []
    schedule = derived.schedules[panel.pid]
    late = briefing_config.cue_card_late(render.config)
    count = len(schedule.slots) + len(schedule.reserve)
    card_numbers = _card_numbers(schedule)
    cards: list[nodes.Node] = []
    for index, slot in enumerate(schedule.slots):
        card = _card(render, ph, panel, len(cards) + 1, count, slot.kind)
        if slot.kind == 'question':
            info = derived.questions[slot.qid]
            _question_card(render, card, info, slot, card_numbers)
        elif slot.kind in ('break', 'session'):
            _interval_card(card, slot)
        else:
            _bookend_card(render, card, panel, schedule, slot)
        if slot.kind != 'closing' and late:
            card += _late_line(render, panel, schedule, index, late)
        cards.append(card)
    for qid in schedule.reserve:
        card = _card(render, ph, panel, len(cards) + 1, count, 'reserve')
        _question_card(render, card, derived.questions[qid], None, card_numbers)
        cards.append(card)
    return cards


def _card_numbers(schedule: Schedule) -> dict[str, int]:
    """Question id → the number of its card."""
    numbers = {slot.qid: n for n, slot in enumerate(schedule.slots, 1) if slot.qid}
    numbers.update((qid, n) for n, qid in enumerate(schedule.reserve, len(schedule.slots) + 1))
    return numbers


def _card(
    render: CollectionRenderer, ph: Placeholder, panel: Panel, number: int, count: int, kind: str
) -> nodes.container:
    size = briefing_config.cue_card_size_name(render.config)
    card = nodes.container(
        classes=[CARD_CLASS, f'briefing-card-{kind}', f'briefing-card-size-{size}'],
        ids=[f'{ph.anchor}-card-{number}'],
    )
    parts = [
        _('Card %(number)d of %(count)d') % {'number': number, 'count': count},
        panel.title,
        *([panel.handling] if panel.handling else []),
        edition_label(render.derived.edition),
    ]
    top = nodes.paragraph(classes=['briefing-card-top'])
    top.extend(joined((nodes.Text(part) for part in parts), ' · '))
    card += top
    return card


def _heading(*children: nodes.Node) -> nodes.container:
    # A container, not a class on the paragraph: the LaTeX builder writes a container's
    # classes as environments (``sphinxclass…``), which the cards' class sets large.
    heading = nodes.paragraph('', '', *children)
    return nodes.container('', heading, classes=['briefing-card-heading'])


def _timing(*parts: str) -> nodes.paragraph:
    line = nodes.paragraph(classes=['briefing-card-time'])
    line.extend(joined((nodes.Text(part) for part in parts if part), ' · '))
    return line


def _bookend_card(
    render: CollectionRenderer, card: nodes.Element, panel: Panel, schedule: Schedule, slot: Slot
) -> None:
    opening = slot.kind == 'opening'
    title = _("Moderator's opening") if opening else _("Moderator's closing")
    card += _heading(nodes.strong(title, title))
    minutes = _('%d min') % slot.minutes if slot.minutes is not None else ''
    end = _('ends %s') % schedule.end if not opening else ''
    card += _timing(slot.start, minutes, end)
    if opening:
        fields = nodes.field_list(classes=['briefing-fields'])
        if panel.event:
            add_field(fields, _('Event'), nodes.Text(panel.event))
        if panel.venue:
            add_field(fields, _('Venue'), nodes.Text(panel.venue))
        if fields.children:
            card += fields
        card.extend(opening_content(render, panel))
    else:
        card.extend(closing_content(render, panel))


def _interval_card(card: nodes.Element, slot: Slot) -> None:
    """A break (its label, minutes and when the panel resumes) or the start of a session
    (its title): the moderator turns to it as to any other item of the run of show."""
    if slot.kind == 'break':
        title = slot.label or _('Break')
        card += _heading(nodes.strong(title, title))
        minutes = _('%d min') % slot.minutes if slot.minutes else ''
        resume = _('resume at %s') % clock(slot.start, slot.minutes or 0) if slot.minutes else ''
        card += _timing(slot.start, minutes, resume)
    else:
        title = _('Session: %s') % slot.label if slot.label else _('Session')
        card += _heading(nodes.strong(title, title))
        card += _timing(slot.start)


def _question_card(
    render: CollectionRenderer,
    card: nodes.Element,
    info: QuestionInfo,
    slot: Slot | None,
    card_numbers: dict[str, int],
) -> None:
    q = info.record
    number = nodes.strong(info.number, info.number, classes=['briefing-number'])
    if not info.shown:
        withheld = _('(not in this edition)')
        card += _heading(number, nodes.Text(' '), nodes.inline(withheld, withheld))
        return
    card += _heading(number, nodes.Text(' '), nodes.Text(card_heading(info)))
    card.extend(card_text(info))
    minutes = _('%d min') % q.minutes if q.minutes is not None else ''
    if slot is not None:
        card += _timing(slot.start, minutes)
    else:
        card += _timing(priority_label(q.priority), minutes)
    fields = nodes.field_list(classes=['briefing-fields'])
    if info.to:
        add_field(fields, _('To'), *joined(render.participant(pid) for pid in info.to))
    if info.parent:
        add_field(fields, _('Follow-up to'), render.question(info.parent))
    if fields.children:
        card += fields
    followups = [render.derived.questions[f] for f in info.followups]
    if followups:
        heading = _('Follow-ups')
        card += nodes.paragraph(
            heading, '', nodes.strong(heading, heading), classes=['briefing-subheading']
        )
        items = nodes.bullet_list(classes=['briefing-card-followups'])
        for follow in followups:
            item = nodes.list_item()
            line = nodes.paragraph()
            line += render.question(follow.record.qid)
            line += nodes.Text(' ' + (follow.text if follow.shown else _('(not in this edition)')))
            where = card_numbers.get(follow.record.qid)
            if where is not None:
                line += nodes.Text(' ' + _('(card %d)') % where)
            item += line
            items += item
        card += items
    for body in render.copies.notes(q.docname, q.anchor):
        note = nodes.container(classes=['briefing-card-note'])
        label = _("Moderator's note")
        note += nodes.paragraph(label, '', nodes.strong(label, label))
        note.extend(body)
        card += note


def _late_line(
    render: CollectionRenderer,
    panel: Panel,
    schedule: Schedule,
    index: int,
    late: Sequence[int],
) -> nodes.paragraph:
    """What to drop at this card if the clock is behind by each of *late* minutes."""
    derived = render.derived
    later = [
        LateItem(
            slot.qid,
            derived.questions[slot.qid].number,
            slot.minutes or 0,
            derived.questions[slot.qid].parent,
        )
        for slot in schedule.slots[index + 1 :]
        if slot.kind == 'question'
    ]
    slack = panel.duration - schedule.needed if panel.duration is not None else 0
    reserve = [derived.questions[qid].number for qid in schedule.reserve]
    line = nodes.paragraph(classes=['briefing-card-late'])
    label = _('Running late:')
    line += nodes.strong(label, label)
    line += nodes.Text(' ')
    plans = [running_late(later, behind, slack, reserve) for behind in late]
    labels = {item.key: item.label for item in later}
    line.extend(joined((nodes.Text(late_text(plan, labels)) for plan in plans), '; '))
    return line


def late_text(plan: LatePlan, labels: dict[str, str]) -> str:
    """One plan in words: '5 min behind: no reserve questions, drop Q6 (4 min)'."""
    parts: list[str] = []
    if plan.reserve:
        parts.append(_('no reserve questions'))
    if plan.absorbed and not plan.drop and not plan.short:
        parts.append(_('the spare minutes cover it'))
    if plan.drop:
        parts.append(
            _('drop %(items)s (%(minutes)d min)')
            % {'items': ', '.join(labels[key] for key in plan.drop), 'minutes': plan.freed}
        )
    if plan.short:
        parts.append(_('still %d min over') % plan.short)
    if not parts:
        parts.append(_('nothing to drop'))
    return _('%(behind)d min behind: %(plan)s') % {'behind': plan.behind, 'plan': ', '.join(parts)}


# -- agenda -------------------------------------------------------------------------------


def agenda(render: CollectionRenderer, ph: Placeholder) -> list[nodes.Node]:
    """A panel on one page, for the audience: what, when, where, who and the themes.
    Reads no position and no note, so every edition may show it."""
    derived = render.derived
    panel = derived.panels.get(derived.placeholder_panel.get((ph.docname, ph.anchor)) or '')
    if panel is None:
        return []
    result: list[nodes.Node] = []
    # containers, so that the agenda's LaTeX class can set them large (see _heading)
    if panel.event:
        event = nodes.paragraph(panel.event, panel.event)
        result.append(nodes.container('', event, classes=['briefing-agenda-event']))
    title = nodes.paragraph('', '', nodes.strong(panel.title, panel.title))
    result.append(nodes.container('', title, classes=['briefing-agenda-title']))
    fields = nodes.field_list(classes=['briefing-fields'])
    if panel.date:
        add_field(fields, _('Date'), nodes.Text(long_date(panel.date, render.config.language)))
    if panel.start:
        add_field(fields, _('Time'), nodes.Text(clock_range(panel.start, panel.duration)))
    if panel.venue:
        add_field(fields, _('Venue'), nodes.Text(panel.venue))
    if panel.handling:
        add_field(fields, _('Handling'), nodes.Text(panel.handling))
    if fields.children:
        result.append(fields)

    people = [pid for pid in derived.roster(panel.pid) if pid in derived.participants]
    if people:
        heading = _('Participants')
        result.append(nodes.rubric(heading, heading, classes=['briefing-group']))
        names = nodes.bullet_list(classes=['briefing-agenda-participants'])
        for pid in people:
            person = derived.participants[pid]
            line = nodes.paragraph()
            line += nodes.strong(person.name, person.name)
            if person.affiliation:
                line += nodes.Text(f' — {person.affiliation}')
            if pid == panel.moderator:
                line += nodes.Text(' ' + _('(moderator)'))
            item = nodes.list_item()
            item += line
            names += item
        result.append(names)

    themes = themes_of(render, panel.pid)
    if themes:
        heading = _('Themes')
        result.append(nodes.rubric(heading, heading, classes=['briefing-group']))
        listed = nodes.enumerated_list(enumtype='arabic', classes=['briefing-agenda-themes'])
        for theme in themes:
            item = nodes.list_item()
            item += nodes.paragraph(theme, theme)
            listed += item
        result.append(listed)
    return [nodes.container('', *result, classes=['briefing-agenda'])]


def themes_of(render: CollectionRenderer, panel: str) -> list[str]:
    """The titles of the sections a panel's questions sit under, in numbering order."""
    seen: dict[str, None] = {}
    for info in render.derived.questions_of(panel):
        if info.record.topic:
            seen.setdefault(info.record.topic, None)
    return list(seen)
