"""Question indexes: one table, groups as rows spanning it; the parts of a split index; the
Question Index page of the domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from docutils import nodes

from sphinx_briefing.derive import (
    Derived,
    IndexGroup,
    QuestionInfo,
    row_anchor,
)
from sphinx_briefing.locale import _
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Placeholder
from sphinx_briefing.render.boxes import BoxRenderer
from sphinx_briefing.render.common import SPLITTING_BUILDERS, joined, one_table, priority_label

if TYPE_CHECKING:
    from sphinx.builders import Builder


class IndexRenderer(BoxRenderer):
    """Adds question indexes."""

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
            return one_table(result)
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


#: builders that write a split question index as an overview and parts


def split_indexes(builder: Builder, derived: Derived) -> dict[tuple[str, str], tuple[str, ...]]:
    """The question indexes that *builder* writes as an overview and parts, by (docname,
    anchor), with their parts' page names: every index the step found too long
    (``Derived.index_pages``), for an HTML builder that writes a page per document."""
    return derived.index_pages if builder.name in SPLITTING_BUILDERS else {}


def index_group_anchor(ph: Placeholder, number: int) -> str:
    """The anchor of a group's heading in a part of a split question index."""
    return f'{ph.anchor}-group-{number}'
