"""Inline markup described once, made either as docutils nodes or straight as HTML.

The renderers describe a box's header line, a citation or a link through a *maker*:
:data:`NODES` makes the docutils nodes every builder can write; :data:`HTML` makes the
markup Sphinx's HTML translator would write for those nodes, as ``(html, text)`` pairs,
without making the nodes at all.  At 500 documents a build has some 40,000 header lines
and 16,000 citations; as nodes, each was a dozen objects with a dict and five lists,
made only to be written once.  They were a large share of what the extension added to
resolving theme pages, mostly in the garbage collector (strings are not tracked by it).

Both makers must give the same page: a test builds the example book with :data:`NODES`
for every builder and compares each HTML page, byte for byte, with the pages made with
:data:`HTML`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from docutils import nodes

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.htmltables import attribute, encode, written


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

    def stance(self, shown: str, name: str, colour: str) -> Any: ...

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

    def stance(self, shown: str, name: str, colour: str) -> nodes.Node:
        return bnodes.briefing_stance(
            shown, shown, classes=[f'briefing-stance-{name}'], colour=colour, stance=name
        )

    def target(self, anchor: str) -> nodes.Node:
        return nodes.target('', '', ids=[anchor])

    def paragraph(self, children: Sequence[nodes.Node], classes: Sequence[str]) -> nodes.Element:
        return nodes.paragraph('', '', *children, classes=list(classes))

    def inline_node(self, children: Sequence[nodes.Node]) -> list[nodes.Node]:
        return list(children)


#: HTML fragment and the text a reader sees of it (what search indexes)
Fragment = tuple[str, str]


def _class(classes: Sequence[str]) -> str:
    return f' class="{attribute(" ".join(classes))}"' if classes else ''


def _join(children: Sequence[Fragment]) -> Fragment:
    if len(children) == 1:
        return children[0]
    return ''.join([c[0] for c in children]), ''.join([c[1] for c in children])


class HtmlMaker:
    """The markup Sphinx's HTML5 translator writes for what :class:`NodeMaker` makes."""

    def text(self, value: str, *classes: str) -> Fragment:
        if classes:
            return f'<span{_class(classes)}>{encode(value)}</span>', value
        return encode(value), value

    def _element(
        self, tag: str, children: Sequence[Fragment], classes: Sequence[str] = ()
    ) -> Fragment:
        html, text = _join(children)
        return f'<{tag}{_class(classes)}>{html}</{tag}>', text

    def inline(self, children: Sequence[Fragment], classes: Sequence[str] = ()) -> Fragment:
        return self._element('span', children, classes)

    def strong(self, children: Sequence[Fragment], classes: Sequence[str] = ()) -> Fragment:
        return self._element('strong', children, classes)

    def emphasis(self, children: Sequence[Fragment]) -> Fragment:
        return self._element('em', children)

    def superscript(self, children: Sequence[Fragment]) -> Fragment:
        return self._element('sup', children)

    def subscript(self, children: Sequence[Fragment]) -> Fragment:
        return self._element('sub', children)

    def link(
        self,
        children: Sequence[Fragment],
        *,
        refuri: str = '',
        refid: str = '',
        title: str = '',
    ) -> Fragment:
        html, text = _join(children)
        href = attribute('#' + refid if refid else refuri or '#')
        titled = f' title="{attribute(title)}"' if title else ''
        return f'<a class="reference internal" href="{href}"{titled}>{html}</a>', text

    def external(self, children: Sequence[Fragment], url: str) -> Fragment:
        html, text = _join(children)
        return f'<a class="reference external" href="{attribute(url or "#")}">{html}</a>', text

    def stance(self, shown: str, name: str, colour: str) -> Fragment:
        # as nodes.html_visit_stance writes the stance node
        style = (
            f' style="{attribute("--briefing-stance-colour: " + colour)}"'
            if bnodes.is_colour(colour)
            else ''
        )
        classes = attribute(f'briefing-stance-{name} briefing-stance')
        return f'<span class="{classes}"{style}>{encode(shown)}</span>', shown

    def target(self, anchor: str) -> Fragment:
        return f'<span class="target" id="{attribute(anchor)}"></span>', ''

    def paragraph(self, children: Sequence[Fragment], classes: Sequence[str]) -> nodes.Element:
        html, text = _join(children)
        return written(f'<p{_class(classes)}>{html}</p>\n', text)

    def inline_node(self, children: Sequence[Fragment]) -> list[nodes.Node]:
        html, text = _join(children)
        return [written(html, text)]


NODES = NodeMaker()
HTML = HtmlMaker()
