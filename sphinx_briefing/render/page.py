"""The page renderer: links, names, numbers, stances and citations as one page shows them.

Everything here reads :class:`~sphinx_briefing.derive.Derived` through the page's
recording view (:mod:`sphinx_briefing.reads`) and returns standard docutils nodes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.errors import NoUri
from sphinx.util.osutil import relative_uri

from sphinx_briefing import config as briefing_config
from sphinx_briefing.citations.citeproc import capitalised, rich_markup
from sphinx_briefing.citations.roles import FORMS
from sphinx_briefing.derive import (
    Derived,
)
from sphinx_briefing.markup import NODES, Maker, with_fragment
from sphinx_briefing.render.common import table

if TYPE_CHECKING:
    from sphinx.builders import Builder


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

    def page_link(self, pagename: str, anchor: str, child: Any, mk: Maker = NODES) -> Any:
        """A link to a page that is not a document (a part of a split question index)."""
        uri = relative_uri(
            self.builder.get_target_uri(self.fromdocname), self.builder.get_target_uri(pagename)
        )
        return mk.link([child], refuri=f'{uri}#{anchor}' if anchor else uri)

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
