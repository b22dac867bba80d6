"""Collections written straight to HTML, into one node (``briefing_html``).

A question index of thousands of rows is hundreds of thousands of docutils nodes; every
post-transform walks them and the HTML translator visits each, which made rewriting that
one page the largest part of an incremental build. For HTML builders, collection tables
are therefore written here (:func:`table_html`) from cells that
:mod:`sphinx_briefing.markup` made as HTML, and the headings of a split question index's
parts (:func:`rubric_html`): the markup matches what Sphinx's HTML translator writes
(the stylesheet and the browser tests rely on it). A filled collection (a brief, a
matrix) is written by Sphinx's own translator when its page is resolved
(:func:`prewrite`).
"""

from __future__ import annotations

import pickle
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from sphinx_briefing import nodes as bnodes
from sphinx_briefing._files import replacing

if TYPE_CHECKING:
    from sphinx.builders import Builder


_ATTRIBUTE_SPACE = re.compile('[\n\r\t\v\f]')


def encode(text: str) -> str:
    """Text as docutils' HTML writers encode it (``&``, ``<``, ``"``, ``>`` and ``@``)."""
    if '&' in text:
        text = text.replace('&', '&amp;')
    if '<' in text:
        text = text.replace('<', '&lt;')
    if '"' in text:
        text = text.replace('"', '&quot;')
    if '>' in text:
        text = text.replace('>', '&gt;')
    if '@' in text:
        text = text.replace('@', '&#64;')
    return text


def attribute(value: str) -> str:
    """An attribute's value as docutils' ``starttag`` writes it."""
    return encode(_ATTRIBUTE_SPACE.sub(' ', value))


def rubric_html(rubric: nodes.rubric) -> str:
    """A rubric (a heading outside the section structure; its text only), as the parts of
    a split question index have always written it."""
    ids = f' id="{attribute(rubric["ids"][0])}"' if rubric['ids'] else ''
    classes = attribute(' '.join(['rubric', *rubric['classes']]))
    return f'<p class="{classes}"{ids}>{encode(rubric.astext())}</p>\n'


#: Builders whose pages are written exactly as their translator writes the doctree (EPUB
#: rewrites ids and links first, and other builders are not HTML).
PREWRITING_BUILDERS = frozenset({'html', 'dirhtml', 'singlehtml'})


def written(html: str, text: str) -> bnodes.briefing_html:
    """A node the HTML translator writes as *html*; *text*, what a reader sees of it, is
    what search indexes."""
    return bnodes.briefing_html('', *([nodes.Text(text)] if text else []), html=html)


#: Nodes that Sphinx's HTML translator writes the same whether it meets them while
#: writing the page or in :func:`prewrite`: no images to copy, no maths to load MathJax
#: for, no footnotes, sections or code.  Exact types: a subclass may be written otherwise.
PREWRITABLE: frozenset[type[nodes.Node]] = frozenset(
    {
        nodes.Text,
        nodes.paragraph,
        nodes.emphasis,
        nodes.strong,
        nodes.literal,
        nodes.reference,
        nodes.target,
        nodes.inline,
        nodes.subscript,
        nodes.superscript,
        nodes.title_reference,
        nodes.bullet_list,
        nodes.enumerated_list,
        nodes.list_item,
        nodes.definition_list,
        nodes.definition_list_item,
        nodes.term,
        nodes.definition,
        nodes.field_list,
        nodes.field,
        nodes.field_name,
        nodes.field_body,
        nodes.rubric,
        nodes.container,
        nodes.block_quote,
        nodes.line_block,
        nodes.line,
        nodes.comment,
        bnodes.briefing_html,
        bnodes.briefing_stance,
        *bnodes.BOXES,
    }
)


def prewrite(builder: Builder, doctree: nodes.document, container: nodes.Element) -> None:
    """Write a filled collection's parts as HTML now, with the builder's own translator.

    A brief is the bodies of every question and position put to a panellist: thousands
    of nodes that would otherwise live until the page is written, under ``-j 2`` until
    a worker writes the page, each full pass of the collector visiting them.  Written
    when the page is resolved (its references are), each part of the collection becomes
    one node; a part holding anything not in :data:`PREWRITABLE` stays as it is.
    """
    settings = getattr(builder, 'docsettings', None)
    if settings is None:
        return  # not a builder that prepared for writing
    # Sphinx 8 leaves a no-search container out of its index, 7.4 does not: without text,
    # what is written here is left out on both.
    searched = 'no-search' not in container['classes']
    # The settings the page will be written with (Sphinx puts them on the doctree only
    # then); the document is the page's, for anything that looks at it.
    saved, doctree.settings = doctree.settings, settings
    try:
        translator: Any = None
        for index, child in enumerate(container.children):
            if isinstance(child, bnodes.briefing_html):
                continue
            if any(type(node) not in PREWRITABLE for node in child.findall()):
                continue
            if translator is None:
                translator = builder.create_translator(doctree, builder)
            translator.body = []
            child.walkabout(translator)
            html = ''.join(translator.body)
            node = written(html, child.astext() if searched else '')
            container.children[index] = node
            node.parent = container
    finally:
        doctree.settings = saved


def table_html(
    headers: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Sequence[tuple[str, str]]]],
    classes: Sequence[str],
) -> str:
    """A table whose headers and cells ``markup.HTML`` made, as Sphinx's HTML5 translator
    writes a docutils table (without column widths)."""
    out = [f'<table class="{attribute(" ".join([*classes, "docutils", "align-default"]))}">\n']
    out.append('<thead>\n<tr class="row-odd">')
    for header in headers:
        out.append(f'<th class="head"><p>{header[0]}</p></th>\n')
    out.append('</tr>\n</thead>\n<tbody>\n')
    for number, cells in enumerate(rows):
        out.append(f'<tr class="row-{"even" if number % 2 == 0 else "odd"}">')
        out.extend(f'<td><p>{"".join([part[0] for part in cell])}</p></td>\n' for cell in cells)
        out.append('</tr>\n')
    out.append('</tbody>\n</table>\n')
    return ''.join(out)


class TableCache:
    """HTML of collection tables kept between builds, by page and by a key that digests
    everything a table shows (see ``PageRenderer._index_table``): when one question of a
    question index changes, only its group's table is made again.

    Kept in the doctree folder; per page, only the tables used when that page was last
    written are kept (none for a page written without tables, such as an index now split
    into parts), so the file does not grow with edits. The tables are kept
    compressed, in memory too: they live from the page that uses them to the end of the
    build, and a question index of 5,000 questions is 13 MB of HTML (26 MB as a Python
    string with one character beyond Latin-1), which compresses about tenfold. That was
    over a quarter of what the extension added to a build's memory while theme pages
    were written; compressing and expanding cost a few tens of milliseconds.
    """

    FILE_NAME = 'briefing-html-tables.pickle'
    FORMAT = 'tables+parts'

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pages: dict[str, dict[bytes, bytes]] = {}
        self.used: dict[str, dict[bytes, bytes]] = {}
        #: the parts of split question indexes written so far: page name → (the index's
        #: document, a digest of what the page shows); see :mod:`indexparts`
        self.parts: dict[str, tuple[str, bytes]] = {}
        self.parts_changed = False
        #: pages made in this build (their tables are the ones in ``used``, if any);
        #: noted where they are resolved, in the main process also under ``-j 2``
        self.made: set[str] = set()
        try:
            with path.open('rb') as stream:
                loaded = pickle.load(stream)
            if isinstance(loaded, tuple) and len(loaded) == 3 and loaded[0] == self.FORMAT:
                self.pages, self.parts = loaded[1], loaded[2]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            pass  # no cache, or an unreadable one: tables are made again

    def get(self, page: str, key: bytes, make: Callable[[], str]) -> str:
        cached = self.pages.get(page, {}).get(key)
        html = _expanded(cached) if cached is not None else None
        if html is None or cached is None:
            html = make()
            cached = zlib.compress(html.encode('utf-8'), 1)
        self.used.setdefault(page, {})[key] = cached
        return html

    def note_page(self, page: str) -> None:
        self.made.add(page)

    def save(self) -> None:
        unused = (self.made & self.pages.keys()) - self.used.keys()
        if not self.used and not self.parts_changed and not unused:
            return
        for page in unused:
            del self.pages[page]
        self.pages.update(self.used)
        self.used = {}
        self.made = set()
        self.parts_changed = False
        with replacing(self.path) as stream:
            pickle.dump((self.FORMAT, self.pages, self.parts), stream, pickle.HIGHEST_PROTOCOL)


def _expanded(compressed: object) -> str | None:
    """A cached table's HTML, or None when the entry is not one (a cache written by an
    older version, or damaged): the table is then made again."""
    if not isinstance(compressed, bytes):
        return None
    try:
        return zlib.decompress(compressed).decode('utf-8')
    except (zlib.error, UnicodeDecodeError):
        return None
