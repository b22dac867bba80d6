"""Authors' bodies (a question's text, a position's summary) in a compact, picklable form.

Pages such as a panellist's brief show bodies that live in other documents. Unpickling
those documents and resolving copies of their nodes for every brief was the slowest part
of a build; instead each body is kept, at read time, as a small tree of the markup
briefs use (paragraphs, lists, tables, images, emphasis, maths, links, cross-references,
citations), and rebuilt as docutils nodes where it is shown. The tree is stored as one
JSON string: a string is a single object that Python's garbage collector never has to
visit, where tens of thousands of small tuples in the pickled environment made every
collection of a large project slower (measured: a third of an incremental build went to
the collector).
Cross-references are rebuilt as ``pending_xref`` nodes before Sphinx resolves the page's
references, so every domain's references work in a copy as in the original.
"""

from __future__ import annotations

import json
from typing import Any

from docutils import nodes
from sphinx import addnodes

from sphinx_briefing import nodes as bnodes

#: a compact body: a JSON array of blocks; see :func:`_blocks` for the shapes
Body = str
#: the body of a box with no content of its own
EMPTY_BODY: Body = ''


_SIMPLE = (str, int, bool)

#: what an image node carries from the parser and Sphinx's image collector
_IMAGE_ATTRIBUTES = ('uri', 'candidates', 'alt', 'width', 'height', 'scale', 'align', 'classes')


def compact(box: nodes.Element) -> Body:
    """The box's own content (without nested questions, positions and moderator notes;
    counter-arguments are kept) as a JSON array of blocks."""
    blocks = [
        block
        for child in box.children
        if not isinstance(
            child,
            bnodes.briefing_question
            | bnodes.briefing_position
            | bnodes.briefing_moderator_note
            | bnodes.briefing_placeholder,
        )
        for block in _blocks(child)
    ]
    if not blocks:
        return EMPTY_BODY
    return json.dumps(blocks, ensure_ascii=False, separators=(',', ':'))


def _blocks(node: nodes.Node) -> list[tuple[Any, ...]]:
    if isinstance(node, nodes.paragraph):
        return [('p', _inlines(node))]
    if isinstance(node, nodes.bullet_list | nodes.enumerated_list):
        items = tuple(
            tuple(block for child in item.children for block in _blocks(child))
            for item in node.children
            if isinstance(item, nodes.list_item)
        )
        return [('list', isinstance(node, nodes.enumerated_list), items)]
    if isinstance(node, nodes.block_quote):
        return [('quote', tuple(b for child in node.children for b in _blocks(child)))]
    if isinstance(node, bnodes.briefing_counter_argument):
        return [('counter', tuple(b for child in node.children for b in _blocks(child)))]
    if isinstance(node, nodes.literal_block):
        return [('pre', node.astext())]
    if isinstance(node, nodes.math_block):
        # Without its label and number: they belong to the equation's own page, and a
        # copy numbered again (or a second target of the label) would clash with it.
        return [('equation', node.astext(), bool(node.get('nowrap')))]
    if isinstance(node, nodes.table) and (table := _table(node)) is not None:
        return [table]
    if isinstance(node, nodes.image):
        return _image(node)
    if isinstance(node, nodes.figure):
        # The caption as a paragraph: as a figure the copy would be numbered again.
        return [
            block
            for child in node.children
            for block in (
                [('p', _inlines(child))] if isinstance(child, nodes.caption) else _blocks(child)
            )
        ]
    if isinstance(node, nodes.system_message | nodes.comment | nodes.target | nodes.Invisible):
        return []
    if (
        isinstance(node, nodes.Element)
        and node.children
        and all(isinstance(child, nodes.Body | nodes.Sequential) for child in node.children)
    ):
        # A container of blocks (a div, an admonition …): keep its blocks.
        return [b for child in node.children for b in _blocks(child)]
    text = node.astext().strip()
    return [('p', (('t', text),))] if text else []


def _image(node: nodes.image) -> list[tuple[Any, ...]]:
    """``('image', attributes)``, or its alt text where it cannot be copied."""
    attributes = _image_attributes(node)
    if attributes is not None:
        return [('image', attributes)]
    alt = str(node.get('alt', ''))
    return [('p', (('t', alt),))] if alt else []


def _image_attributes(node: nodes.image) -> dict[str, Any] | None:
    """The image's attributes, its URI relative to the source folder, so that the builder
    finds and copies the file for whichever page shows the copy; None for an image that
    cannot be found that way."""
    attributes = {key: node[key] for key in _IMAGE_ATTRIBUTES if key in node}
    if 'candidates' in attributes:
        return attributes
    # Domains read a document before Sphinx's image collector does: resolve the URI as
    # it will (images of other languages and ``name.*`` patterns excepted).
    uri = str(attributes.get('uri', ''))
    if '://' in uri or uri.startswith('data:'):
        attributes['candidates'] = {'?': uri}
        return attributes
    env = getattr(getattr(node.document, 'settings', None), 'env', None)
    if env is None or not uri or uri.endswith('.*'):
        return None
    path, _absolute = env.relfn2path(uri, env.docname)
    attributes['uri'] = path
    attributes['candidates'] = {'*': path}
    return attributes


def _table(table: nodes.table) -> tuple[Any, ...] | None:
    """``('table', classes, caption, columns, head rows, body rows)``: *columns* are
    (width, stub) pairs, a row is a tuple of cells, a cell (morerows, morecols, classes,
    blocks). None for a table of another shape than the parsers make (one tgroup)."""
    groups = [child for child in table.children if isinstance(child, nodes.tgroup)]
    if len(groups) != 1:
        return None
    group = groups[0]
    caption = next((child for child in table.children if isinstance(child, nodes.title)), None)
    columns = tuple(
        (spec.get('colwidth', 1), bool(spec.get('stub')))
        for spec in group.children
        if isinstance(spec, nodes.colspec)
    )

    def rows(part_type: type[nodes.Element]) -> tuple[Any, ...]:
        part = next((child for child in group.children if isinstance(child, part_type)), None)
        if part is None:
            return ()
        return tuple(
            tuple(
                (
                    cell.get('morerows', 0),
                    cell.get('morecols', 0),
                    tuple(cell['classes']),
                    tuple(block for child in cell.children for block in _blocks(child)),
                )
                for cell in row.children
                if isinstance(cell, nodes.entry)
            )
            for row in part.children
            if isinstance(row, nodes.row)
        )

    return (
        'table',
        tuple(table['classes']),
        _inlines(caption) if caption is not None else None,
        columns,
        rows(nodes.thead),
        rows(nodes.tbody),
    )


def _inlines(node: nodes.Element) -> tuple[Any, ...]:
    result: list[tuple[Any, ...]] = []
    for child in node.children:
        if isinstance(child, nodes.Text):
            result.append(('t', str(child)))
        elif isinstance(child, bnodes.briefing_citation):
            anchor = child['ids'][0] if child['ids'] else child.get('source_anchor', '')
            result.append(
                ('cite', child['docname'], anchor, child.get('form', 'p'), child.astext())
            )
        elif isinstance(child, addnodes.pending_xref):
            attributes = tuple(
                (key, value)
                for key, value in child.attributes.items()
                if key not in ('ids', 'classes', 'names', 'dupnames', 'backrefs', 'refdoc')
                and isinstance(value, _SIMPLE)
            )
            result.append(('xref', attributes, _inlines(child)))
        elif isinstance(child, nodes.emphasis):
            result.append(('em', _inlines(child)))
        elif isinstance(child, nodes.strong):
            result.append(('strong', _inlines(child)))
        elif isinstance(child, nodes.literal):
            result.append(('code', child.astext()))
        elif isinstance(child, nodes.math):
            result.append(('math', child.astext()))
        elif isinstance(child, nodes.image):  # Markdown's ![alt](uri)
            image = _image_attributes(child)
            if image is not None:
                result.append(('img', image))
            elif child.get('alt'):
                result.append(('t', str(child['alt'])))
        elif isinstance(child, nodes.superscript):
            result.append(('sup', _inlines(child)))
        elif isinstance(child, nodes.subscript):
            result.append(('sub', _inlines(child)))
        elif isinstance(child, nodes.reference) and child.get('refuri'):
            result.append(('link', child['refuri'], _inlines(child)))
        elif isinstance(child, nodes.inline):
            result.append(('span', tuple(child['classes']), _inlines(child)))
        elif isinstance(child, nodes.Element) and not isinstance(child, nodes.Invisible):
            result.extend(_inlines(child))
    return tuple(result)


def expand(body: Body, page: str) -> list[nodes.Node]:
    """Docutils nodes for a compact body shown on *page* (its references are made from
    there)."""
    if not body:
        return []
    return _expand_blocks(json.loads(body), page)


def _expand_blocks(blocks: list[Any], page: str) -> list[nodes.Node]:
    return [node for block in blocks for node in _expand_block(block, page)]


def _expand_block(block: list[Any], page: str) -> list[nodes.Node]:
    kind = block[0]
    if kind == 'p':
        return [nodes.paragraph('', '', *_expand_inlines(block[1], page))]
    if kind == 'list':
        listing: nodes.Element = nodes.enumerated_list() if block[1] else nodes.bullet_list()
        for item in block[2]:
            listing += nodes.list_item('', *_expand_blocks(item, page))
        return [listing]
    if kind == 'quote':
        return [nodes.block_quote('', *_expand_blocks(block[1], page))]
    if kind == 'counter':
        return [bnodes.briefing_counter_argument('', *_expand_blocks(block[1], page), docname=page)]
    if kind == 'pre':
        return [nodes.literal_block(block[1], block[1])]
    if kind == 'table':
        return _expand_table(block, page)
    if kind == 'image':
        return [nodes.image('', **block[1])]
    if kind == 'equation':
        # The attributes Sphinx's math translators read (mathjax, imgmath, LaTeX).
        return [
            nodes.math_block(
                block[1], block[1], nowrap=block[2], number=None, label=None, docname=page
            )
        ]
    return []


def _expand_table(block: list[Any], page: str) -> list[nodes.Node]:
    """A table as docutils' parsers make one, which every writer (LaTeX too) knows.

    Its caption is a rubric above it: as a table's title it would make the copy a
    numbered table, which needs an id of its own on the page, and its number belongs to
    the original, as an equation's does."""
    _kind, classes, caption, columns, head, body = block
    shown: list[nodes.Node] = []
    if caption is not None:
        shown.append(nodes.rubric('', '', *_expand_inlines(caption, page)))
    table = nodes.table(classes=list(classes))
    shown.append(table)
    group = nodes.tgroup(cols=len(columns))
    table += group
    for width, stub in columns:
        spec = nodes.colspec(colwidth=width)
        if stub:
            spec['stub'] = 1
        group += spec
    parts: tuple[tuple[nodes.Element, list[Any]], ...] = (
        (nodes.thead(), head),
        (nodes.tbody(), body),
    )
    for part, rows in parts:
        if not rows and isinstance(part, nodes.thead):
            continue
        for cells in rows:
            row = nodes.row()
            for morerows, morecols, cell_classes, blocks in cells:
                cell = nodes.entry('', *_expand_blocks(blocks, page), classes=list(cell_classes))
                if morerows:
                    cell['morerows'] = morerows
                if morecols:
                    cell['morecols'] = morecols
                row += cell
            part += row
        group += part
    return shown


def _expand_inlines(inlines: list[Any], page: str) -> list[nodes.Node]:
    result: list[nodes.Node] = []
    for inline in inlines:
        kind = inline[0]
        if kind == 't':
            result.append(nodes.Text(inline[1]))
        elif kind == 'cite':
            _kind, source, anchor, form, raw = inline
            # Found by its original's id; links are made from the page it is copied to.
            result.append(
                bnodes.briefing_citation(
                    raw, raw, docname=source, source_anchor=anchor, form=form, page=page
                )
            )
        elif kind == 'xref':
            xref = addnodes.pending_xref('', *_expand_inlines(inline[2], page))
            xref.attributes.update(dict(inline[1]))
            xref['refdoc'] = page
            xref['briefing_copy'] = True  # no second warning if it cannot be resolved
            result.append(xref)
        elif kind == 'em':
            result.append(nodes.emphasis('', '', *_expand_inlines(inline[1], page)))
        elif kind == 'strong':
            result.append(nodes.strong('', '', *_expand_inlines(inline[1], page)))
        elif kind == 'code':
            result.append(nodes.literal(inline[1], inline[1]))
        elif kind == 'math':
            result.append(nodes.math(inline[1], inline[1]))
        elif kind == 'img':
            result.append(nodes.image('', **inline[1]))
        elif kind == 'sup':
            result.append(nodes.superscript('', '', *_expand_inlines(inline[1], page)))
        elif kind == 'sub':
            result.append(nodes.subscript('', '', *_expand_inlines(inline[1], page)))
        elif kind == 'link':
            result.append(
                nodes.reference('', '', *_expand_inlines(inline[2], page), refuri=inline[1])
            )
        elif kind == 'span':
            result.append(
                nodes.inline('', '', *_expand_inlines(inline[2], page), classes=list(inline[1]))
            )
    return result
