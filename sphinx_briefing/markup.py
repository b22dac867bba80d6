"""Inline markup for the header and footer lines of boxes, citations and table cells.

Renderers describe a line through a *maker*, so that the citation formatter
(:func:`sphinx_briefing.citations.citeproc.rich_markup`) and the renderers share one
vocabulary; :data:`NODES` makes standard docutils nodes (and the extension's stance
node), which each builder's own translator writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from docutils import nodes

from sphinx_briefing import nodes as bnodes


def with_fragment(uri: str, anchor: str) -> str:
    """*uri* of a page (``builder.get_relative_uri``) with *anchor* added. singlehtml's
    URI of a document is already a fragment (``#document-x``) of the one page: a second
    fragment there would lead nowhere, so the anchor (an id on that page) stands alone."""
    if not anchor:
        return uri
    if uri.startswith('#'):
        return f'#{anchor}'
    return f'{uri}#{anchor}'


class Maker(Protocol):
    """Makes inline markup; what it makes (a node, an HTML fragment) is opaque to callers,
    who only pass it back to the same maker."""

    def text(self, value: str, *classes: str) -> Any:
        """Text, wrapped in an inline only when it needs a class."""

    def inline(self, children: Sequence[Any], classes: Sequence[str] = ()) -> Any: ...

    def strong(self, children: Sequence[Any], classes: Sequence[str] = ()) -> Any: ...

    def emphasis(self, children: Sequence[Any]) -> Any: ...

    def superscript(self, children: Sequence[Any]) -> Any: ...

    def subscript(self, children: Sequence[Any]) -> Any: ...

    def link(
        self, children: Sequence[Any], *, refuri: str = '', refid: str = '', title: str = ''
    ) -> Any:
        """A link within the book (*refid* on the same page, else *refuri*)."""

    def external(self, children: Sequence[Any], url: str) -> Any:
        """A link out of the book."""

    def stance(self, shown: str, name: str, colour: str, word: str = '') -> Any: ...

    def target(self, anchor: str) -> Any: ...

    def paragraph(self, children: Sequence[Any], classes: Sequence[str]) -> nodes.Element:
        """The finished line, as a node that any page can hold."""

    def inline_node(self, children: Sequence[Any]) -> list[nodes.Node]:
        """Finished inline markup, as nodes that a paragraph can hold."""


def joined(maker: Maker, items: Iterable[Any], separator: str = ', ') -> list[Any]:
    result: list[Any] = []
    for item in items:
        if result:
            result.append(maker.text(separator))
        result.append(item)
    return result


class NodeMaker:
    """Standard docutils nodes (and the extension's stance node), for every builder."""

    def text(self, value: str, *classes: str) -> nodes.Node:
        if classes:
            return nodes.inline(value, value, classes=list(classes))
        return nodes.Text(value)

    def inline(self, children: Sequence[nodes.Node], classes: Sequence[str] = ()) -> nodes.Node:
        return nodes.inline('', '', *children, classes=list(classes))

    def strong(self, children: Sequence[nodes.Node], classes: Sequence[str] = ()) -> nodes.Node:
        return nodes.strong('', '', *children, classes=list(classes))

    def emphasis(self, children: Sequence[nodes.Node]) -> nodes.Node:
        return nodes.emphasis('', '', *children)

    def superscript(self, children: Sequence[nodes.Node]) -> nodes.Node:
        return nodes.superscript('', '', *children)

    def subscript(self, children: Sequence[nodes.Node]) -> nodes.Node:
        return nodes.subscript('', '', *children)

    def link(
        self,
        children: Sequence[nodes.Node],
        *,
        refuri: str = '',
        refid: str = '',
        title: str = '',
    ) -> nodes.Node:
        reference = (
            nodes.reference('', '', *children, internal=True, refid=refid)
            if refid
            else nodes.reference('', '', *children, internal=True, refuri=refuri)
        )
        if title:
            reference['reftitle'] = title
        return reference

    def external(self, children: Sequence[nodes.Node], url: str) -> nodes.Node:
        return nodes.reference('', '', *children, refuri=url)

    def stance(self, shown: str, name: str, colour: str, word: str = '') -> nodes.Node:
        return bnodes.briefing_stance(
            shown,
            shown,
            classes=[f'briefing-stance-{name}'],
            colour=colour,
            stance=name,
            word=word,
        )

    def target(self, anchor: str) -> nodes.Node:
        return nodes.target('', '', ids=[anchor])

    def paragraph(self, children: Sequence[nodes.Node], classes: Sequence[str]) -> nodes.Element:
        return nodes.paragraph('', '', *children, classes=list(classes))

    def inline_node(self, children: Sequence[nodes.Node]) -> list[nodes.Node]:
        return list(children)


NODES = NodeMaker()
