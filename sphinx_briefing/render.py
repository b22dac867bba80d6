"""Derived data → standard docutils nodes, for one page being written.

Everything here reads :class:`~sphinx_briefing.derive.Derived` (through the page's
recording view, :mod:`sphinx_briefing.reads`) and writes nothing but the nodes it
returns. Output is made of standard nodes (paragraphs, tables, field lists, references
from ``make_refnode``), so every builder's own translator writes it, and themes style it
as any other table or paragraph. Header and footer lines, citations and table cells are
described once, through the node maker (:mod:`sphinx_briefing.markup`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import babel.dates
from docutils import nodes
from sphinx.errors import NoUri
from sphinx.util.osutil import relative_uri

from sphinx_briefing import calendar
from sphinx_briefing import config as briefing_config
from sphinx_briefing.citations.citeproc import capitalised, rich_markup
from sphinx_briefing.citations.compat import as_list, enumeration_start
from sphinx_briefing.citations.roles import FORMS
from sphinx_briefing.derive import BACKLINKS, Derived, IndexGroup, QuestionInfo, row_anchor
from sphinx_briefing.locale import _
from sphinx_briefing.markup import NODES, Maker, with_fragment
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Panel, Participant, Placeholder

if TYPE_CHECKING:
    from sphinx.builders import Builder


def add_field(fields: nodes.field_list, name: str, *body: nodes.Node) -> None:
    """Append ``name: body`` to a field list (nothing when there is no body)."""
    if body:
        paragraph = nodes.paragraph('', '', *body)
        fields.append(
            nodes.field('', nodes.field_name(name, name), nodes.field_body('', paragraph))
        )


def text(value: str, *classes: str) -> nodes.Node:
    """Plain text, wrapped in an inline only when it needs a class."""
    return NODES.text(value, *classes)


def joined(items: Iterable[nodes.Node], separator: str = ', ') -> list[nodes.Node]:
    return joined_by(NODES, items, separator)


def role_label(role: str) -> str:
    """A participant's role, translated when it is one of the usual ones."""
    labels = {
        'moderator': _('Moderator'),
        'panellist': _('Panellist'),
        'panelist': _('Panellist'),
        'rapporteur': _('Rapporteur'),
        'discussant': _('Discussant'),
        'host': _('Host'),
        'chair': _('Chair'),
        'speaker': _('Speaker'),
    }
    return str(labels.get(role, role.capitalize()))


def priority_label(priority: str) -> str:
    labels = {'core': _('Core'), 'reserve': _('Reserve'), 'defensive': _('Defensive')}
    return str(labels.get(priority, priority))


def long_date(iso: str, language: str | None) -> str:
    """'2019-11-20' → 'Wednesday, 20 November 2019' in the project's language."""
    try:
        day = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    try:
        return str(babel.dates.format_date(day, format='full', locale=language or 'en'))
    # A language babel does not know (warned about once, at conf.py: see config.py).
    except (ValueError, LookupError, babel.UnknownLocaleError):
        return day.isoformat()


def clock_range(start: str, minutes: int | None) -> str:
    if not start:
        return ''
    if minutes is None:
        return start
    hours, mins = (int(part) for part in start.split(':'))
    end = datetime.datetime(2000, 1, 1, hours, mins) + datetime.timedelta(minutes=minutes)
    return f'{start}–{end:%H:%M}'


#: classes of every collection table, whichever way it is written: ``longtable`` lets the
#: LaTeX builder break it across pages, ``briefing-table`` is what the stylesheet styles
TABLE_CLASSES = ('longtable', 'briefing-table')


class PageRenderer:
    """Renders the extension's parts of one page (*fromdocname*) from derived data."""

    def __init__(
        self,
        builder: Builder,
        derived: Derived,
        fromdocname: str,
    ) -> None:
        self.builder = builder
        self.derived = derived
        self.fromdocname = fromdocname
        self.config = builder.config
        self.stances = briefing_config.stances(builder.config)
        self._uris: dict[str, str | None] = {}
        self._referred_indexes: dict[tuple[str, str], bool] = {}
        #: the page being made, when not *fromdocname* (a part of a split question index,
        #: which is not a document): no link is a same-page link then
        self.table_page: str | None = None
        self.lines: Maker = NODES
        self.cells: Maker = NODES

    # -- links ------------------------------------------------------------------------

    def link(
        self, docname: str, anchor: str, child: Any, title: str = '', mk: Maker = NODES
    ) -> Any:
        """What make_refnode makes, with the relative URI of each target document worked
        out once per page (a question index holds thousands of links)."""
        # A part of a split index is another page than the index's: no same-page links.
        if docname == self.fromdocname and anchor and self.table_page is None:
            return mk.link([child], refid=anchor, title=title)
        if docname not in self._uris:
            try:
                self._uris[docname] = self.builder.get_relative_uri(self.fromdocname, docname)
            except NoUri:
                self._uris[docname] = None
        uri = self._uris[docname]
        if uri is None:  # a document left out of this LaTeX book
            return mk.inline([child])
        return mk.link([child], refuri=with_fragment(uri, anchor), title=title)

    def participant(self, pid: str, mk: Maker = NODES) -> Any:
        p = self.derived.participants.get(pid)
        if p is None:
            return mk.text(pid, 'briefing-unknown')
        name = mk.text(p.name, 'briefing-participant-name')
        return self.link(p.docname, p.anchor, name, p.name, mk)

    def question(self, qid: str, *, with_text: bool = False, mk: Maker = NODES) -> Any:
        info = self.derived.questions[qid]
        label = f'{info.number} {info.short}' if with_text else info.number
        return self.link(
            info.record.docname,
            info.record.anchor,
            mk.text(label, 'briefing-number'),
            f'{info.number} {info.short}',
            mk,
        )

    def stance(self, name: str, *, label: bool = True, mk: Maker = NODES) -> Any:
        """A stance as symbol (and label), coloured where the builder has colour."""
        stance = self.stances.get(name)
        if stance is None:
            return mk.text(name or '?', 'briefing-stance')
        if label:
            return mk.stance(f'{stance.symbol} {stance.label}', name, stance.colour)
        # A symbol alone ("−") is read out as itself; the word goes with it for screen readers.
        return mk.stance(stance.symbol, name, stance.colour, word=stance.label)

    # -- citations --------------------------------------------------------------------

    def citation(
        self,
        docname: str,
        anchor: str,
        form: str,
        fallback: str,
        *,
        target: bool = True,
        mk: Maker = NODES,
    ) -> list[Any]:
        """A formatted citation; its key parts link to their bibliography entries. With
        *target*, it is preceded by its anchor."""
        rich = self.derived.cite_texts.get((docname, anchor))
        before = [mk.target(anchor)] if target and anchor else []
        if rich is None:
            # Unknown keys (already warned about) or no formatter: show what was written.
            return [*before, mk.text(f'[{fallback}]', 'briefing-cite', 'briefing-cite-missing')]
        if FORMS.get(form, FORMS['p'])[2]:
            rich = capitalised(rich)
        children = rich_markup(mk, rich, cite=lambda key, inner: self.entry_link(key, inner, mk))
        return [*before, mk.inline(children, ['briefing-cite'])]

    def entry_link(self, key: str, children: list[Any], mk: Maker = NODES) -> Any:
        home = self.derived.entry_home(key, self.fromdocname)
        child = mk.inline(children, ['briefing-cite-key'])
        if home is None:
            return child
        return self.link(home[0], home[1], child, mk=mk)

    def sources(self, docname: str, anchor: str, mk: Maker = NODES) -> Any | None:
        """A position's :sources:, formatted like a citation."""
        if (docname, anchor) not in self.derived.cite_texts:
            return None
        cite = self.citation(docname, anchor, 'sources', '', target=False, mk=mk)
        return mk.inline(cite, ['briefing-sources'])

    def entry(self, key: str, mk: Maker = NODES) -> list[Any]:
        entry = self.derived.entries.get(key, ())
        return rich_markup(mk, entry, cite=lambda key, inner: self.entry_link(key, inner, mk))

    def document(self, docname: str, mk: Maker = NODES) -> Any:
        title = self.derived.titles.get(docname, docname)
        return self.link(docname, '', mk.text(title), title, mk)

    # -- boxes ------------------------------------------------------------------------

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

    # -- collections ------------------------------------------------------------------

    def bibliography(self, ph: Placeholder) -> list[nodes.Node]:
        where = (ph.docname, ph.anchor)
        keys = self.derived.bibliographies.get(where, ())
        if not keys:
            return [nodes.paragraph(_('No sources.'), _('No sources.'), classes=['briefing-empty'])]
        result: list[nodes.Node] = []
        for key in keys:
            entry = nodes.paragraph(classes=['briefing-bib-entry'])
            entry += nodes.target('', '', ids=[self.derived.entry_anchor(where, key)])
            entry.extend(self.entry(key))
            places = self.derived.cited_in.get(key, ())
            if places:
                back = nodes.inline(classes=['briefing-cited-in'])
                back += nodes.Text(' ↩ ')
                back.extend(
                    joined(
                        self.link(doc, anchor, text(self.derived.titles.get(doc, doc)))
                        for doc, anchor in places[:BACKLINKS]
                    )
                )
                if len(places) > BACKLINKS:
                    back += nodes.Text(' ' + _('and %d more') % (len(places) - BACKLINKS))
                entry += back
            result.append(entry)
        start = enumeration_start(where, self.derived.placeholders, self.derived.bibliographies)
        return [as_list(result, ph.list_type, ph.enumtype, start)]

    def question_index(self, ph: Placeholder) -> list[nodes.Node]:
        if self.splits(ph):
            return self._index_overview(ph)
        parts = self.derived.index_parts(ph)
        result = self._index_groups([g for part in parts for g in part], ph, set())
        if not result:
            empty = _('No questions.')
            result.append(nodes.paragraph(empty, empty, classes=['briefing-empty']))
        return result

    def questions_page(self) -> list[nodes.Node]:
        """Every question of every panel (its number, text and topic), by panel: the
        Question Index page Sphinx writes for the domain."""
        derived, mk = self.derived, self.cells
        panels = derived.panel_ids()
        result: list[nodes.Node] = []
        for panel in panels:
            infos = derived.questions_of(panel)
            if not infos:
                continue
            if len(panels) > 1:
                heading = derived.panels[panel].title if panel in derived.panels else _('No panel')
                result.append(nodes.rubric(heading, heading, classes=['briefing-panel-heading']))
            rows = [
                [
                    [self.question(info.record.qid, mk=mk)],
                    [mk.text(('↳ ' if info.parent else '') + info.short)],
                    [mk.text(info.record.topic)],
                ]
                for info in infos
            ]
            headers = [
                mk.text(str(_('No.'))),
                mk.text(str(_('Question'))),
                mk.text(str(_('Topic'))),
            ]
            result.append(self.table(headers, rows, widths=[8, 62, 30], classes=[]))
        if not result:
            empty = _('No questions.')
            result.append(nodes.paragraph(empty, empty, classes=['briefing-empty']))
        return result

    def splits(self, ph: Placeholder) -> bool:
        """Whether this builder writes the question index *ph* as an overview and parts
        (see :func:`split_indexes`)."""
        return (ph.docname, ph.anchor) in split_indexes(self.builder, self.derived)

    def page_link(self, pagename: str, anchor: str, child: Any, mk: Maker = NODES) -> Any:
        """A link to a page that is not a document (a part of a split question index)."""
        uri = relative_uri(
            self.builder.get_target_uri(self.fromdocname), self.builder.get_target_uri(pagename)
        )
        return mk.link([child], refuri=f'{uri}#{anchor}' if anchor else uri)

    def _index_groups(
        self, groups: Sequence[IndexGroup], ph: Placeholder, first_rows: set[str], *, ids: int = -1
    ) -> list[nodes.Node]:
        """Headings, tables and topic positions of consecutive groups of a question index.

        *first_rows* collects the questions whose row has been shown (a question's first
        row carries its anchor); with *ids* (the number of the first group), headings
        get ids for the overview's links.
        """
        derived = self.derived
        several_panels = not ph.panel and len(derived.panel_ids()) > 1
        result: list[nodes.Node] = []
        panel: str | None = None
        for number, group in enumerate(groups, ids):
            if several_panels and group.panel != panel:
                heading = (
                    derived.panels[group.panel].title
                    if group.panel in derived.panels
                    else _('No panel')
                )
                result.append(nodes.rubric(heading, heading, classes=['briefing-panel-heading']))
            panel = group.panel
            title = self._group_title(ph.group_by, group.key)
            if title:
                rubric = nodes.rubric(title, title, classes=['briefing-group'])
                if ids >= 0:
                    rubric['ids'] = [index_group_anchor(ph, number)]
                result.append(rubric)
            result.append(self._index_table(ph, group.infos, first_rows))
            if ph.group_by == 'topic':
                topic_positions = derived.topic_positions.get((group.panel, group.key), ())
                if topic_positions:
                    mk = self.cells
                    links = (self.position_link(pid, mk) for pid in topic_positions)
                    line = [mk.text(_('Positions on this topic:') + ' '), *joined_by(mk, links)]
                    result.append(mk.paragraph(line, ['briefing-topic-positions']))
        if self.builder.format == 'html':
            return _one_table(result)
        # LaTeX keeps a table per group: its columns are set by one column spec anyway, and
        # a heading before a table can be kept with it at a page break (a row cannot).
        return result

    def _group_title(self, group_by: str, key: str) -> str:
        if group_by == 'topic':
            return key
        if group_by == 'participant':
            p = self.derived.participants.get(key)
            return p.name if p else (key or str(_('Whole panel')))
        panel = self.derived.panels.get(key)
        return panel.title if panel else ''

    def _index_overview(self, ph: Placeholder) -> list[nodes.Node]:
        """What the page of a split question index shows: its parts, each with the
        headings of its groups, linked."""
        parts = self.derived.index_outline(ph)
        intro = _('This index is in %d parts.') % len(parts)
        items = nodes.bullet_list(classes=['briefing-index-parts'])
        number = 0
        pages = split_indexes(self.builder, self.derived)[ph.docname, ph.anchor]
        for k, part in enumerate(parts, 1):
            page = pages[k - 1]
            rows = sum(count for _panel, _key, count in part)
            item = nodes.paragraph()
            item += self.page_link(page, '', nodes.strong('', _('Part %d') % k))
            item += nodes.Text(' (' + _('%d rows') % rows + ')')
            links: list[nodes.Node] = []
            for _panel, key, _count in part:
                title = self._group_title(ph.group_by, key)
                if title:
                    anchor = index_group_anchor(ph, number)
                    links.append(self.page_link(page, anchor, nodes.Text(title)))
                number += 1
            if links:
                item += nodes.Text(': ')
                item.extend(joined(links))
            items += nodes.list_item('', item)
        return [nodes.paragraph(intro, intro, classes=['briefing-index-intro']), items]

    def index_part_nodes(self, ph: Placeholder, k: int, page: str) -> list[nodes.Node]:
        """The content of part *k* (from 0) of a split question index, shown on *page*,
        which is not a document: no link is a same-page link there."""
        number, seen, groups = self.derived.index_part(ph, k)
        self.table_page = page
        try:
            return self._index_groups(groups, ph, set(seen), ids=number)
        finally:
            self.table_page = None

    def _index_table(
        self, ph: Placeholder, infos: Sequence[QuestionInfo], first_rows: set[str]
    ) -> nodes.Element:
        # The question's "Question index" link lands on its first row (derive chose it).
        anchored = [info.record.qid not in first_rows for info in infos]
        first_rows.update(info.record.qid for info in infos)
        with_positions, with_sources = self._index_columns()
        return self.table(
            *self._index_rows(
                ph, infos, anchored, with_positions, with_sources, self._referred(ph)
            ),
            classes=['briefing-question-index'],
        )

    def _referred(self, ph: Placeholder) -> bool:
        """Derived.index_referred, asked once per index and page (it looks at every row of
        the index, and an index has a table per group)."""
        key = (ph.docname, ph.anchor)
        if key not in self._referred_indexes:
            self._referred_indexes[key] = self.derived.index_referred(ph)
        return self._referred_indexes[key]

    def _index_columns(self) -> tuple[bool, bool]:
        """Whether an index table has a Positions and a Sources column: the public
        edition has no positions (no empty column either), a book without citations no
        sources."""
        with_positions = self.derived.edition != 'public'
        return with_positions, with_positions and bool(self.derived.cite_texts)

    def _index_rows(
        self,
        ph: Placeholder,
        infos: Sequence[QuestionInfo],
        anchored: Sequence[bool],
        with_positions: bool,
        with_sources: bool,
        with_referrers: bool,
    ) -> tuple[list[Any], list[list[list[Any]]], list[int]]:
        mk = self.cells
        headers = [
            _('No.'),
            _('Question'),
            _('To'),
            _('Min.'),
            _('Priority'),
            *([_('Positions')] if with_positions else []),
            *([_('Sources')] if with_sources else []),
            *([_('Referred to in')] if with_referrers else []),
        ]
        rows: list[list[list[Any]]] = []
        for info, anchor in zip(infos, anchored, strict=True):
            q = info.record
            number_cell = [mk.target(row_anchor(ph, q))] if anchor else []
            number_cell.append(self.question(q.qid, mk=mk))
            question_cell = [
                mk.text(('↳ ' if info.parent else '') + info.short, 'briefing-question-text')
            ]
            rows.append(
                [
                    number_cell,
                    question_cell,
                    joined_by(mk, (self.participant(pid, mk) for pid in info.to)),
                    [mk.text(str(q.minutes) if q.minutes is not None else '—')],
                    [mk.text(priority_label(q.priority))],
                    *(
                        [joined_by(mk, (self.position_link(pid, mk) for pid in info.positions))]
                        if with_positions
                        else []
                    ),
                    *([self.question_sources(info, mk)] if with_sources else []),
                    *(
                        [joined_by(mk, (self.document(doc, mk) for doc in info.referrers))]
                        if with_referrers
                        else []
                    ),
                ]
            )
        # Sized so that the headings and the values of the narrow columns ('Priority',
        # 'Defensive', 'Referred') fit a PDF's column without hyphenation.
        widths = [
            7,
            28 if with_sources else 33,
            12,
            6,
            11,
            *([14] if with_positions else []),
            *([12] if with_sources else []),
            *([12] if with_referrers else []),
        ]
        return [mk.text(str(h)) for h in headers], rows, widths

    def table(
        self,
        headers: Sequence[Any],
        rows: Sequence[Sequence[Sequence[Any]]],
        widths: Sequence[int],
        *,
        classes: Sequence[str] = (),
    ) -> nodes.Element:
        """A collection table of docutils nodes."""
        return table(headers, rows, widths=widths, classes=classes)


def table(
    headers: Sequence[nodes.Node],
    rows: Sequence[Sequence[Sequence[nodes.Node]]],
    *,
    widths: Sequence[int],
    classes: Sequence[str] = (),
) -> nodes.table:
    """A standard docutils table (Sphinx writes it as longtable in LaTeX: it may be long)."""
    result = nodes.table(classes=[*TABLE_CLASSES, *classes])
    group = nodes.tgroup(cols=len(headers))
    result += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head_row = nodes.row()
    head += head_row
    for title in headers:
        head_row += nodes.entry('', nodes.paragraph('', '', title))
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        body += row
        for cell in cells:
            row += nodes.entry('', nodes.paragraph('', '', *cell))
    return result


def _one_table(parts: Sequence[nodes.Node]) -> list[nodes.Node]:
    """An index's headings, group tables and topic-position lines as one table: the groups
    become rows spanning every column, so that all groups share their columns (one table
    per group sized its columns by its own rows) and scroll together on a narrow screen."""
    tables = [part for part in parts if isinstance(part, nodes.table)]
    if not tables or (len(tables) == 1 and len(parts) == 1):
        return list(parts)
    first = tables[0]
    columns = sum(1 for _ in first.findall(nodes.colspec))
    body = next(iter(first.findall(nodes.tbody)))
    rows: list[nodes.row] = []
    for part in parts:
        if isinstance(part, nodes.table):
            rows.extend(
                row
                for tbody in part.findall(nodes.tbody)
                for row in list(tbody.children)
                if isinstance(row, nodes.row)
            )
        elif isinstance(part, nodes.Element):
            kind = 'briefing-topic-positions-row'
            if isinstance(part, nodes.rubric):
                kind = (
                    'briefing-panel-row'
                    if 'briefing-panel-heading' in part['classes']
                    else 'briefing-group-row'
                )
            rows.append(_spanning_row(part, columns, kind))
    body.children = []
    for row in rows:
        row.parent = None
        body += row
    return [first]


def _spanning_row(part: nodes.Element, columns: int, kind: str) -> nodes.row:
    """A row of one cell across every column, holding *part* (a heading: as a paragraph
    of its classes, its ids on a target, which every builder writes)."""
    if isinstance(part, nodes.rubric):
        paragraph = nodes.paragraph('', '', classes=list(part['classes']))
        if part['ids']:
            paragraph += nodes.target('', '', ids=list(part['ids']))
        paragraph += nodes.strong('', '', *part.children)
        part = paragraph
    row = nodes.row(classes=[kind])
    row += nodes.entry('', part, morecols=columns - 1)
    return row


#: builders that write a split question index as an overview and parts
SPLITTING_BUILDERS = ('html', 'dirhtml')


def split_indexes(builder: Builder, derived: Derived) -> dict[tuple[str, str], tuple[str, ...]]:
    """The question indexes that *builder* writes as an overview and parts, by (docname,
    anchor), with their parts' page names: every index the step found too long
    (``Derived.index_pages``), for an HTML builder that writes a page per document."""
    return derived.index_pages if builder.name in SPLITTING_BUILDERS else {}


def index_group_anchor(ph: Placeholder, number: int) -> str:
    """The anchor of a group's heading in a part of a split question index."""
    return f'{ph.anchor}-group-{number}'
