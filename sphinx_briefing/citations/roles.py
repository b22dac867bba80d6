"""Citation roles (sphinxcontrib-bibtex's syntax) and the ``bibliography`` directive.

Roles record what is cited and where, nothing else; the citations are formatted once per
build, in reading order, by :mod:`sphinx_briefing.citations.step`, and written into the pages
at write time. No docutils ``citation`` nodes are made: Sphinx's LaTeX builder would move
them all to one bibliography at the end of the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Set
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.domains import Domain
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import make_id

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.citations.citeproc import CiteMode
from sphinx_briefing.directives import PlaceholderDirective, comma_list
from sphinx_briefing.locale import __
from sphinx_briefing.warnings_ import Subtype

if TYPE_CHECKING:
    from docutils.nodes import Node, system_message
    from sphinx.util.typing import OptionSpec

#: role name → (how pandoc formats it, every author, capitalised); as documented by
#: sphinxcontrib-bibtex: p (Jones 2018), t Jones (2018), s = all authors, c = capital
#: first letter, alp = without brackets, author(s), year, yearpar, text = whole entry,
#: empty = into the bibliography without a mark in the text.
FORMS: dict[str, tuple[CiteMode, bool, bool]] = {
    'p': ('normal', False, False),
    'ps': ('normal', True, False),
    't': ('author-in-text', False, False),
    'ts': ('author-in-text', True, False),
    'ct': ('author-in-text', False, True),
    'cts': ('author-in-text', True, True),
    'alp': ('bare', False, False),
    'alps': ('bare', True, False),
    'author': ('author', False, False),
    'authors': ('author', True, False),
    'cauthor': ('author', False, True),
    'cauthors': ('author', True, True),
    'year': ('year', False, False),
    'yearpar': ('suppress-author', False, False),
    'text': ('entry', False, False),
    'texts': ('entry', True, False),
    'ctext': ('entry', False, True),
    'ctexts': ('entry', True, True),
    'empty': ('nocite', False, False),
    # a position's :sources:, formatted like cite:p
    'sources': ('normal', False, False),
}

_ITEM = re.compile(
    r'^\s*(?:\{(?P<pre>[^{}]*)\})?\s*(?P<key>[^\s{},]+)\s*(?:\{(?P<post>[^{}]*)\})?\s*$'
)


def parse_items(text: str) -> list[tuple[str, str, str]] | None:
    """``{see}a{p. 12}, b`` → [('see', 'a', 'p. 12'), ('', 'b', '')]; None if malformed."""
    parts: list[str] = []
    depth = 0
    current = ''
    for char in text:
        depth += char == '{'
        depth -= char == '}'
        if char == ',' and depth == 0:
            parts.append(current)
            current = ''
        else:
            current += char
    parts.append(current)
    items = []
    for part in parts:
        match = _ITEM.match(part)
        if match is None:
            return None
        items.append((match['pre'] or '', match['key'], match['post'] or ''))
    return items


class CiteRole(SphinxRole):
    """``{cite:p}`key``` and the other forms: records keys and notes on a node."""

    def __init__(self, form: str) -> None:
        super().__init__()
        self.form = form

    def run(self) -> tuple[list[Node], list[system_message]]:
        items = parse_items(self.text)
        node = bnodes.briefing_citation(self.rawtext, self.text, classes=['briefing-cite'])
        # The document's name in the id: singlehtml puts every document on one page,
        # where a per-document 'cite-0' would repeat and its backlinks lead to the first.
        prefix = f'cite-{nodes.make_id(self.env.docname) or "doc"}'
        node['ids'] = [make_id(self.env, self.inliner.document, prefix)]
        node['docname'] = self.env.docname
        node['form'] = self.form
        node['line'] = self.lineno
        self.set_source_info(node)
        if not items:
            from sphinx_briefing.warnings_ import warn

            warn(
                __('cannot read the citation %r: write key, key2 or {pre}key{post}') % self.text,
                Subtype.UNKNOWN_CITATION,
                location=(self.env.docname, self.lineno),
            )
            items = []
        node['keys'] = [key for _pre, key, _post in items]
        node['prefixes'] = [pre for pre, _key, _post in items]
        node['suffixes'] = [post for _pre, _key, post in items]
        return [node], []


class BibliographyDirective(PlaceholderDirective):
    """``bibliography``: the cited works, formatted in the project's style, in place
    (also in the PDF)."""

    anchor_prefix = 'bibliography'
    node_class = bnodes.briefing_bibliography
    option_spec: ClassVar[OptionSpec] = {
        'all': directives.flag,
        'cited': directives.flag,
        'notcited': directives.flag,
        'filter': directives.unchanged,
        'keywords': directives.unchanged,
        'audience': directives.unchanged,
    }

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_note()
        node = self.new_placeholder()
        scope = 'project'
        if 'all' in self.options:
            scope = 'all'
        elif 'notcited' in self.options:
            scope = 'notcited'
        filter_ = ' '.join(str(self.options.get('filter', '')).split())
        if filter_ in ('docname in docnames', 'document'):
            scope = 'document'
        elif filter_ and filter_ not in ('cited', 'True'):
            self.warn(
                __(
                    ':filter: %r is not supported; use "docname in docnames" (cited in '
                    'this document), :cited:, :notcited:, :all: or :keywords:'
                )
                % filter_,
                Subtype.BAD_OPTION,
            )
        node['scope'] = scope
        node['keywords'] = comma_list(self.options.get('keywords'))
        return [node]


class CiteDomain(Domain):
    """The ``cite`` domain, so that ``{cite:p}`` means what it means with
    sphinxcontrib-bibtex. Its records live in the ``briefing`` domain."""

    name = 'cite'
    label = 'Citations'
    roles: ClassVar[dict[str, Any]] = {form: CiteRole(form) for form in FORMS if form != 'sources'}
    initial_data: ClassVar[dict[str, Any]] = {}

    def clear_doc(self, docname: str) -> None:
        pass  # nothing stored here

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        pass  # nothing stored here

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[tuple[str, nodes.reference]]:
        return []
