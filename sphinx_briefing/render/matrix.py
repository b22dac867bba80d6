"""Position matrices: actors down the side, questions across, a stance and numbered source
markers in each cell, the sources listed under the table."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinx_briefing.locale import _
from sphinx_briefing.markup import joined as joined_by
from sphinx_briefing.model import Placeholder
from sphinx_briefing.render.boxes import BoxRenderer
from sphinx_briefing.render.common import joined, note, text


class MatrixRenderer(BoxRenderer):
    """Adds position matrices."""

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
