"""The moderator's pack on the page: the boxes' headers (objectives, lines to take and their
parts, scripts, logistics) and what a brief holds for the person it is prepared for (the
objectives, logistics and their lines to take; the other participants; per question who is
asked, where the positions stand and the theme's context; the moderator's notes and
scripts; and, at its top, whom, which edition and status, and when).

Like :mod:`sphinx_briefing.render.brief`, it reads derived data (and copies of bodies) only."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.i18n import format_date

from sphinx_briefing.derive import (
    Derived,
    QuestionInfo,
)
from sphinx_briefing.derive.stances import split_actors, views_differ
from sphinx_briefing.domain import briefing_domain
from sphinx_briefing.locale import _
from sphinx_briefing.model import Participant, Placeholder
from sphinx_briefing.render.boxes import BoxRenderer
from sphinx_briefing.render.common import joined, role_label, text
from sphinx_briefing.render.copies import Copier

if TYPE_CHECKING:
    from sphinx.config import Config

    from sphinx_briefing.derive.pack import PackInfo


def part_label(part: str) -> str:
    labels = {
        'top-line': _('Top line'),
        'supporting-points': _('Supporting points'),
        'if-pressed': _('If pressed'),
        'avoid': _('Avoid'),
    }
    return str(labels.get(part, part))


def edition_label(edition: str) -> str:
    labels = {
        'public': _('Public edition'),
        'panellist': _('Panellist edition'),
        'moderator': _('Moderator edition'),
    }
    return str(labels.get(edition, edition))


def _subheading(label: str, *classes: str) -> nodes.paragraph:
    return nodes.paragraph(
        label, '', nodes.strong(label, label), classes=['briefing-subheading', *classes]
    )


class PackRenderer(BoxRenderer):
    """Adds the pack to the page renderer (a base of the collections' renderer)."""

    @cached_property
    def copies(self) -> Copier:
        """Copies of bodies shown on this page (briefs)."""
        return Copier(briefing_domain(self.builder.env).source_boxes, self.fromdocname)

    def pack_header(self, node: nodes.Element) -> nodes.Element:
        """The first line of an objectives, lines-to-take, part, script or logistics box."""
        mk = self.lines
        kind = node.get('kind', '')
        holder = str(node.get('holder', ''))
        rest: list[object] = []
        box = node.tagname
        if box == 'briefing_objectives':
            label = _('Objectives')
        elif box == 'briefing_logistics':
            label = _('Logistics')
        elif box == 'briefing_line_part':
            label = part_label(str(node.get('part', '')))
        elif box == 'briefing_lines_to_take':
            label = _('Lines to take')
            rest = [mk.text(_('for') + ' '), self.participant(holder, mk)] if holder else []
            if not holder:
                rest = [mk.text(_('for the host'))]
        elif kind == 'opening':
            label = _('Opening script')
        elif kind == 'closing':
            label = _('Closing script')
        else:
            label = _('Introduction')
            rest = [mk.text(_('of') + ' '), self.participant(holder, mk)]
        header = [mk.strong([mk.text(str(label))])]
        if rest:
            header += [mk.text(' · '), *rest]
        return mk.paragraph(header, ['briefing-header'])

    def stamp(self, ph: Placeholder) -> tuple[str, str, str, str]:
        return brief_stamp(self.derived, self.config, ph)

    def stamp_line(self, ph: Placeholder) -> nodes.paragraph:
        name, edition, status, date = self.stamp(ph)
        line = nodes.paragraph(classes=['briefing-prepared-for'])
        line += nodes.Text(_('Prepared for') + ' ')
        line += nodes.strong(name, name)
        line += nodes.Text(' · ' + stamp_rest(edition, status, date))
        return line

    def copy_of(self, info: PackInfo, *classes: str) -> nodes.container:
        box = nodes.container(classes=['briefing-pack-copy', *classes])
        box.extend(self.copies.body(info.record.docname, info.record.anchor))
        return box

    def pack_before_questions(self, pid: str, panel: str) -> list[nodes.Node]:
        """Objectives, logistics, the holder's lines to take; for the moderator, the
        notes on the whole panel and the opening script; the other participants."""
        derived = self.derived
        record = derived.panels[panel]
        moderates = record.moderator == pid
        result: list[nodes.Node] = []
        for kind, title in (('objectives', _('Objectives')), ('logistics', _('Logistics'))):
            blocks = derived.pack_items(panel, kind)
            if blocks:
                result.append(_heading(str(title)))
                result.extend(self.copy_of(info, f'briefing-pack-{kind}') for info in blocks)
        own = derived.pack_item(panel, 'lines-to-take', pid)
        if own is not None:
            result.append(_heading(_('Your lines to take')))
            result.append(self.copy_of(own, 'briefing-pack-lines-to-take'))
        host = derived.pack_item(panel, 'lines-to-take', '') if moderates else None
        if host is not None:
            # the host's lines are the moderator's to speak to, unless they have their own
            title = _("The host's lines to take") if own is not None else _('Your lines to take')
            result.append(_heading(str(title)))
            result.append(self.copy_of(host, 'briefing-pack-lines-to-take'))
        if moderates:
            notes = derived.pack_notes.get(f'panel:{panel}', ())
            if notes:
                result.append(_heading(_("Moderator's notes")))
                result.extend(
                    self.copy_of(derived.pack[key], 'briefing-note-copy') for key in notes
                )
            opening = derived.pack_item(panel, 'opening')
            if opening is not None:
                result.append(_heading(_('Opening script')))
                result.append(self.copy_of(opening, 'briefing-script'))
        result.extend(self.people(pid, panel, moderates))
        return result

    def people(self, pid: str, panel: str, moderates: bool) -> list[nodes.Node]:
        """The other participants: for the moderator, each one's affiliation, how to say
        their name, the scripted introduction and the whole bio; for a panellist, the
        names, how to say them and the bio's first paragraph."""
        others = [p for p in self.derived.roster(panel) if p != pid]
        if not others:
            return []
        title = _('The panellists') if moderates else _('The others on the panel')
        result: list[nodes.Node] = [_heading(str(title))]
        for other in others:
            person = self.derived.participants.get(other)
            if person is None:
                continue
            entry = nodes.container(classes=['briefing-brief-person'])
            entry += self.person_line(person)
            introduction = self.derived.pack_item(panel, 'introduction', other)
            if moderates and introduction is not None:
                entry += _subheading(_('Introduction (script)'))
                entry += self.copy_of(introduction, 'briefing-script')
            bio = self.bio(other, whole=moderates)
            if bio:
                if moderates:
                    entry += _subheading(_('Bio'))
                entry.extend(bio)
            result.append(entry)
        return result

    def person_line(self, person: Participant) -> nodes.paragraph:
        line = nodes.paragraph(classes=['briefing-person'])
        line += nodes.strong('', '', self.participant(person.pid))
        details = [value for value in (person.affiliation, role_label(person.role)) if value]
        if details:
            line += nodes.Text(' — ' + ', '.join(str(d) for d in details))
        if person.reading:
            line += nodes.Text(' · ' + _('Say:') + ' ')
            line += nodes.emphasis(person.reading, person.reading, classes=['briefing-reading'])
        return line

    def bio(self, pid: str, *, whole: bool) -> list[nodes.Node]:
        key = self.derived.bios.get(pid)
        if key is None:
            return []
        info = self.derived.pack[key]
        body = self.copies.body(info.record.docname, info.record.anchor)
        if not whole:
            body = (
                [next(n for n in body if isinstance(n, nodes.paragraph))]
                if any(isinstance(n, nodes.paragraph) for n in body)
                else []
            )
        if not body:
            return []
        box = nodes.container(classes=['briefing-bio'])
        box.extend(body)
        return [box]

    def theme_context(self, info: QuestionInfo, shown: set[tuple[str, str]]) -> list[nodes.Node]:
        """The context of the question's theme, before its first question in the brief."""
        context = self.derived.themes.get(info.record.qid)
        if context is None or (context.docname, context.anchor) in shown:
            return []
        shown.add((context.docname, context.anchor))
        box = nodes.container(classes=['briefing-theme-context'])
        label = _('Theme: %s') % context.title if context.title else _('Theme')
        heading = nodes.paragraph(classes=['briefing-subheading'])
        heading += nodes.strong('', '', self.link(context.docname, context.anchor, text(label)))
        box += heading
        for paragraph in context.text.split('\n\n'):
            box += nodes.paragraph(paragraph, paragraph)
        return [box]

    def question_pack(self, info: QuestionInfo, pid: str, moderates: bool) -> list[nodes.Node]:
        """Who else is asked; for the moderator, who is asked, where the positions stand
        and whether they differ, and the moderator's notes on it."""
        mk = self.lines
        result: list[nodes.Node] = []
        others = [p for p in info.to if p != pid]
        if moderates and info.to:
            line = [mk.strong([mk.text(_('Asked:'))]), mk.text(' ')]
            line.extend(joined(self.participant(p) for p in info.to))
            result.append(mk.paragraph(line, ['briefing-asked']))
        elif others:
            line = [mk.strong([mk.text(_('Also asked:'))]), mk.text(' ')]
            line.extend(joined(self.participant(p) for p in others))
            result.append(mk.paragraph(line, ['briefing-also-asked']))
        if moderates:
            result.extend(self.where_they_stand(info))
            for key in self.derived.pack_notes.get(info.record.qid, ()):
                result.append(_subheading(_('Moderator note'), 'briefing-note-heading'))
                result.append(self.copy_of(self.derived.pack[key], 'briefing-note-copy'))
        return result

    def where_they_stand(self, info: QuestionInfo) -> list[nodes.Node]:
        groups = self.derived.stances_on.get(info.record.qid, ())
        if not groups:
            return []
        line = nodes.paragraph(classes=['briefing-stances'])
        line += nodes.strong(_('Where they stand:'), _('Where they stand:'))
        line += nodes.Text(' ')
        items: list[nodes.Node] = []
        for stance, actors in groups:
            item = nodes.inline()
            item += self.stance(stance)
            item += nodes.Text(': ')
            item.extend(joined(self.actor(actor) for actor in actors))
            items.append(item)
        line.extend(joined(items, '; '))
        if views_differ(groups):
            line += nodes.Text(' — ')
            line += nodes.strong(_('views differ'), _('views differ'), classes=['briefing-differ'])
        split = split_actors(groups)
        if split:
            line += nodes.Text(' (' + _('more than one stance: %s') % ', '.join(split) + ')')
        return [line]

    def actor(self, actor: str) -> nodes.Node:
        if actor in self.derived.participants:
            found: nodes.Node = self.participant(actor)
            return found
        return nodes.Text(actor)

    def pack_after_questions(self, pid: str, panel: str) -> list[nodes.Node]:
        record = self.derived.panels[panel]
        if record.moderator != pid:
            return []
        closing = self.derived.pack_item(panel, 'closing')
        if closing is None:
            return []
        return [_heading(_('Closing script')), self.copy_of(closing, 'briefing-script')]


def build_date(config: Config) -> str:
    """The day of the build as Sphinx gives ``|today|`` (``today``, else ``today_fmt`` in
    the project's language; SOURCE_DATE_EPOCH is honoured)."""
    if config.today:
        return str(config.today)
    return format_date(config.today_fmt or str(_('%b %d, %Y')), language=config.language or 'en')


def brief_stamp(derived: Derived, config: Config, ph: Placeholder) -> tuple[str, str, str, str]:
    """(prepared for, edition, status, build date) of a brief: what tells whom a leaked
    copy was made for. The status is its (first) panel's, else the project's."""
    person = derived.participants[ph.participant]
    panels = [ph.panel] if ph.panel else derived.panels_of(ph.participant)
    status = next((derived.panels[p].status for p in panels if p in derived.panels), '')
    status = status or derived.project_status
    status_label = {'draft': _('Draft'), 'final': _('Final')}.get(status, '')
    date = derived.build_date or build_date(config)
    return person.name, edition_label(derived.edition), str(status_label), date


def stamp_rest(edition: str, status: str, date: str) -> str:
    """'Moderator edition · Draft · built 7 Dec 2026'."""
    parts = [edition, *([status] if status else []), str(_('built %s') % date)]
    return ' · '.join(parts)


def _heading(title: str) -> nodes.rubric:
    return nodes.rubric(title, title, classes=['briefing-group'])
