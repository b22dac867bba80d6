"""Pieces every page of ours is made of: fields, labels, dates and clock times, tables
(one path for every builder: standard docutils nodes its translator writes)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

import babel.dates
from docutils import nodes

from sphinx_briefing.locale import _
from sphinx_briefing.markup import NODES
from sphinx_briefing.markup import joined as joined_by


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
            # an empty cell is an empty entry (a matrix is mostly empty cells)
            row += nodes.entry('', nodes.paragraph('', '', *cell)) if cell else nodes.entry()
    return result


def one_table(parts: Sequence[nodes.Node]) -> list[nodes.Node]:
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


def note(message: str) -> list[nodes.Node]:
    return [nodes.paragraph(message, message, classes=['briefing-empty'])]


#: builders that split a long question index into pages of its own (see indexparts.py)
SPLITTING_BUILDERS = ('html', 'dirhtml')
