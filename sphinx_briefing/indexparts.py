"""A question index of more rows than ``briefing_index_page_rows``, split into pages.

HTML builders that write a page per document write such an index as an overview (its
parts, with the headings of their groups, linked) on the index's own page, and each part
as a page of its own beside it, through ``html-collect-pages``: one page of thousands of
rows is slow to open and to write.

A part is not a document, but is treated as one: it is made as nodes, like every other
collection, written by the builder's own translator (``render_partial``), and what it
reads of the step's result is recorded (:mod:`sphinx_briefing.reads`), so a part is
written again when, and only when, what it shows changed or its file is missing. Parts
no longer there are removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from docutils import nodes
from sphinx.util.osutil import relative_uri

from sphinx_briefing.locale import _
from sphinx_briefing.render.collections import CollectionRenderer
from sphinx_briefing.render.index import split_indexes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders.html import StandaloneHTMLBuilder

    from sphinx_briefing.derive import Derived
    from sphinx_briefing.domain import BriefingDomain
    from sphinx_briefing.model import Placeholder


def part_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the parts to write in this build, made one at a time."""
    from sphinx_briefing.events import banner

    domain = cast('BriefingDomain', app.env.get_domain('briefing'))
    builder = cast('StandaloneHTMLBuilder', app.builder)
    reads = domain.page_reads
    split = split_indexes(builder, domain.derived)
    current = {page for pages in split.values() for page in pages}
    for gone in reads.kept_extras - current:
        Path(builder.get_outfilename(gone)).unlink(missing_ok=True)
    reads.set_extras(current)
    for (docname, anchor), pages in split.items():
        ph = next(
            p for p in domain.derived.placeholders if (p.docname, p.anchor) == (docname, anchor)
        )
        index_uri = builder.get_target_uri(docname)
        for k, page in enumerate(pages):
            exists = Path(builder.get_outfilename(page)).exists()
            if exists and not reads.page_changed(domain.derived, page):
                continue
            reads.start_page(page)
            derived = cast('Derived', domain.view(page))
            renderer = CollectionRenderer(builder, derived, docname)
            heading = _('%(title)s, part %(part)d of %(count)d') % {
                'title': derived.titles.get(docname, docname),
                'part': k + 1,
                'count': len(pages),
            }
            section = nodes.section(ids=[f'{anchor}-part-{k + 1}'])
            section += nodes.title(heading, heading)
            navigation = _navigation(builder, page, index_uri, ph, pages, k + 1)
            section += navigation
            collection = nodes.container(
                classes=['briefing-collection', 'briefing-question-index', 'no-search']
            )
            collection.extend(renderer.index_part_nodes(ph, k, page))
            section += collection
            section += navigation.deepcopy()
            notice = banner(derived, docname)
            body = [*([notice] if notice is not None else []), section]
            yield (
                page,
                {
                    'title': heading,
                    'body': _html(builder, body),
                    'sourcename': '',
                    'display_toc': False,
                    'toc': '',
                },
                'page.html',
            )


def _navigation(
    builder: StandaloneHTMLBuilder,
    page: str,
    index_uri: str,
    ph: Placeholder,
    pages: Sequence[str],
    k: int,
) -> nodes.paragraph:
    here = builder.get_target_uri(page)

    def link(target_uri: str, label: str, anchor: str = '') -> nodes.reference:
        # relative_uri drops a fragment: added afterwards
        uri = relative_uri(here, target_uri) + (f'#{anchor}' if anchor else '')
        return nodes.reference(label, label, internal=True, refuri=uri)

    links = [link(index_uri, str(_('All parts')), ph.anchor)]
    if k > 1:
        links.append(link(builder.get_target_uri(pages[k - 2]), str(_('Previous part'))))
    if k < len(pages):
        links.append(link(builder.get_target_uri(pages[k]), str(_('Next part'))))
    navigation = nodes.paragraph(classes=['briefing-index-nav'])
    for index, node in enumerate(links):
        if index:
            navigation += nodes.Text(' · ')
        navigation += node
    return navigation


def domain_index_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> str | None:
    """``html-page-context``: the Question Index page Sphinx writes for the domain
    (``briefing-questions``) laid out as the book's question index, every question of
    every panel with its number, text and topic, under the handling banner, instead of
    Sphinx's generic domain index (entries in bold monospace, no banner).

    Made as nodes (:meth:`~sphinx_briefing.render.index.IndexRenderer.questions_page`) and
    written by the builder's translator. Sphinx writes this page in every build, so it is
    never stale, and it is kept to three columns: a build that changed nothing still
    writes it."""
    from sphinx_briefing.domain import QuestionIndex
    from sphinx_briefing.events import banner

    if templatename != 'domainindex.html' or pagename != f'briefing-{QuestionIndex.name}':
        return None
    domain = cast('BriefingDomain', app.env.get_domain('briefing'))
    builder = cast('StandaloneHTMLBuilder', app.builder)
    renderer = CollectionRenderer(builder, domain.derived, pagename)
    title = str(QuestionIndex.localname)
    section = nodes.section(ids=[pagename])
    section += nodes.title(title, title)
    collection = nodes.container(
        classes=['briefing-collection', 'briefing-questions-page', 'no-search']
    )
    collection.extend(renderer.questions_page())
    section += collection
    notice = banner(domain.derived, app.config.root_doc)
    body = [*([notice] if notice is not None else []), section]
    context.update(
        title=title,
        body=_html(builder, body),
        sourcename='',
        display_toc=False,
        toc='',
    )
    return 'page.html'


def _html(builder: StandaloneHTMLBuilder, body: Sequence[nodes.Node]) -> str:
    """*body* written by the builder's own translator.

    These pages are not documents: they have no section or figure numbers of their own,
    and in a build that wrote no document the builder has none set at all (Sphinx sets
    them per document written).
    """
    builder.secnumbers = {}
    builder.fignumbers = {}
    return ''.join(builder.render_partial(node)['fragment'] for node in body)
