"""Authors' bodies (a question's text, a position's summary) in a compact, picklable form.

Pages such as a panellist's brief show bodies that live in other documents. Unpickling
those documents and resolving copies of their nodes for every brief was the slowest part
of a build; instead each body is kept, at read time, as a small tree of the markup
briefs use (paragraphs, lists, emphasis, maths, links, cross-references, citations),
and rebuilt as docutils nodes where it is shown. The tree is stored as one
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
    if kind == 'equation':
        # The attributes Sphinx's math translators read (mathjax, imgmath, LaTeX).
        return [
            nodes.math_block(
                block[1], block[1], nowrap=block[2], number=None, label=None, docname=page
            )
        ]
    return []


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
