"""A question index of more rows than ``briefing_index_page_rows``, split into pages.

HTML builders that write a page per document write such an index as an overview (its
parts, with the headings of their groups, linked) on the index's own page, and each part
as a page of its own beside it, through ``html-collect-pages``. One page of thousands of
rows was the largest single cost of an incremental build and the build's peak of memory
(Sphinx holds several copies of a page while writing it: 13 MB of HTML for 5,000
questions); parts are made and written one at a time, and only the parts whose content
changed are written again.

A part is not a document: Sphinx rewrites it only because this module says so. When
the index's page is written, each part's digest is made from what the part is made of
(its tables' keys, headings, topic positions, title, banner, page names) and from
Sphinx's build settings and templates (what makes Sphinx rewrite every document); a part
is made and written again only when that digest changed or its file is missing. Parts
that no longer exist are removed. The parts' names and digests are kept with the table
cache.
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sphinx.util.osutil import relative_uri

from sphinx_briefing.books import CollectionRenderer
from sphinx_briefing.locale import _
from sphinx_briefing.model import Placeholder, stable_digest
from sphinx_briefing.render import SPLITTING_BUILDERS, split_indexes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.environment import BuildEnvironment

    from sphinx_briefing.derive import Derived
    from sphinx_briefing.htmltables import TableCache

#: pages with a question index resolved in this build, by environment (resolving happens
#: in the main process, also when writing in parallel): only their parts can change
_resolved: weakref.WeakKeyDictionary[BuildEnvironment, set[str]] = weakref.WeakKeyDictionary()


def note_resolved(env: BuildEnvironment, docname: str) -> None:
    """A page with a question index is being written in this build."""
    _resolved.setdefault(env, set()).add(docname)


def part_pages(
    app: Sphinx,
    load_derived: Callable[[], Derived],
    tables: TableCache,
    banner_of: Callable[[Derived, str], object],
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages``: the parts to write in this build, made one at a time.
    *load_derived* is called only when a part may have changed (a build that writes no
    index page does not load the last step's result for this); *banner_of* gives what
    the banner of a document's pages shows."""
    resolved = _resolved.pop(app.env, set())
    if app.builder.name not in SPLITTING_BUILDERS:
        return
    builder = cast('StandaloneHTMLBuilder', app.builder)
    known = tables.parts
    missing = {page for page in known if not Path(builder.get_outfilename(page)).exists()}
    gone = {doc for doc, _digest in known.values() if doc not in app.env.all_docs}
    if not resolved and not missing and not gone:
        return  # no index page written, no part missing: no part can have changed
    derived = load_derived()
    build_info = getattr(builder, 'build_info', None)
    templates = getattr(builder, 'templates', None)
    settings = (
        getattr(build_info, 'config_hash', ''),
        getattr(build_info, 'tags_hash', ''),
        templates.newest_template_mtime() if templates is not None else 0,
    )
    current: dict[str, tuple[str, bytes]] = {}
    placeholders = {(ph.docname, ph.anchor): ph for ph in derived.placeholders}
    for where, pages in split_indexes(builder, derived).items():
        ph = placeholders[where]
        if ph.docname not in resolved and not missing.intersection(pages):
            # The index's page is not written: what it shows did not change.
            current.update({page: known[page] for page in pages if page in known})
            if all(page in known for page in pages):
                continue
        renderer = CollectionRenderer(builder, derived, ph.docname, tables)
        title = derived.titles.get(ph.docname, ph.docname)
        parts = derived.index_parts(ph)
        headings = [
            _('%(title)s, part %(part)d of %(count)d')
            % {'title': title, 'part': k, 'count': len(pages)}
            for k in range(1, len(pages) + 1)
        ]
        # What a part shows, digested from what it is made of, so that only the parts
        # that changed are made; the banner is added when the page is written.
        banner = banner_of(derived, ph.docname)
        digests = [
            stable_digest(key, heading, pages, builder.name, banner, settings)
            for key, heading in zip(renderer.index_part_keys(ph, parts), headings, strict=True)
        ]
        wanted = {
            k
            for k, (page, digest) in enumerate(zip(pages, digests, strict=True), 1)
            if known.get(page) != (ph.docname, digest) or page in missing
        }
        current.update(
            {page: (ph.docname, digest) for page, digest in zip(pages, digests, strict=True)}
        )
        index_uri = builder.get_target_uri(ph.docname)
        for k, part_html in enumerate(renderer.index_part_html(ph, parts, wanted), 1):
            if part_html is None:
                continue
            page, heading = pages[k - 1], headings[k - 1]
            body = _part_body(builder, page, heading, index_uri, ph, pages, k, part_html)
            yield (
                page,
                {
                    'title': heading,
                    'body': body,
                    'sourcename': '',
                    'display_toc': False,
                    'toc': '',
                    # for the banner of the index's page (events.html_page_context)
                    'briefing_part_of': ph.docname,
                },
                'page.html',
            )
    for page in known.keys() - current.keys():
        Path(builder.get_outfilename(page)).unlink(missing_ok=True)
    if current != known:
        tables.parts = current
        tables.parts_changed = True


def _part_body(
    builder: Any,
    page: str,
    heading: str,
    index_uri: str,
    ph: Placeholder,
    pages: Sequence[str],
    k: int,
    part_html: str,
) -> str:
    here = builder.get_target_uri(page)

    def link(target_uri: str, label: str, rel: str = '', anchor: str = '') -> str:
        # relative_uri drops a fragment: added afterwards
        uri = html.escape(relative_uri(here, target_uri) + (f'#{anchor}' if anchor else ''))
        rel_attribute = f' rel="{rel}"' if rel else ''
        return f'<a class="reference internal" href="{uri}"{rel_attribute}>{html.escape(label)}</a>'

    nav = [link(index_uri, str(_('All parts')), anchor=ph.anchor)]
    if k > 1:
        nav.append(link(builder.get_target_uri(pages[k - 2]), str(_('Previous part')), 'prev'))
    if k < len(pages):
        nav.append(link(builder.get_target_uri(pages[k]), str(_('Next part')), 'next'))
    navigation = f'<p class="briefing-index-nav">{" · ".join(nav)}</p>\n'
    return (
        f'<section id="{html.escape(ph.anchor)}-part-{k}">\n'
        f'<h1>{html.escape(heading)}</h1>\n{navigation}'
        f'<div class="briefing-collection briefing-question-index">\n{part_html}</div>\n'
        f'{navigation}</section>\n'
    )
