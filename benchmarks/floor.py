"""The floor twin: what bare Sphinx costs to build the pages sphinx-briefing adds.

The bare twin's collection pages (briefs, matrices, the question index, the bibliography)
are one plain paragraph each, while sphinx-briefing fills them: at N = 500 the 80 briefs
alone hold about as many words as the 500 theme documents, because a brief copies every
question put to its panellist and every position on them. So the full-build ratio against
the bare twin includes writing a second book's worth of text that the bare twin never has.

The floor twin measures that part on its own: it is the bare twin with each collection
page replaced by the text sphinx-briefing wrote on it, converted from the briefing build's
HTML to Markdown by pandoc (tables stay pipe tables; boxes become plain paragraphs, and
links external links, which Sphinx writes more cheaply than the cross-references and
admonitions they were). Built by bare Sphinx, it is a lower bound of what producing those
pages costs through Sphinx: an implementation that made them with Sphinx's own reader and
writer could not be cheaper than this, only as cheap.

Pages that exist only in the briefing build (the parts of a split question index, Sphinx's
domain index of questions) become orphan pages of the floor twin. Pages that sphinx-briefing
leaves out of the search index (every collection but bibliographies) are left out of the
floor twin's too (``nosearch``), so neither twin pays for indexing words the other does not.

Run on its own (``run.py --only full1,floor`` does it in every round)::

    python benchmarks/floor.py CORPUS_DIR BRIEFING_HTML_DIR
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sphinx_briefing.citations.citeproc import _pandoc_path

#: The briefing build's pages that the bare twin has only as a stub, or not at all.
COLLECTION_PAGE = re.compile(
    r'^(brief-.+|matrix-.+|question-index(-\d+)?|bibliography|briefing-questions)\.html$'
)

_BODY = re.compile(r'<div class="body" role="main">(.*?)<div class="sphinxsidebar"', re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
#: The domain index's toggle buttons: their image files are the theme's, not the twin's.
_IMAGE = re.compile(r'<img [^>]*>')
_TAG = re.compile(r'<[^>]+>')


def page_body(html: str) -> str:
    """The page's main text as the theme wrote it, without the ¶ links of headings and
    the images of the domain index's toggles."""
    found = _BODY.search(html)
    if found is None:
        raise ValueError('no <div class="body" role="main"> (is the theme alabaster?)')
    return _IMAGE.sub('', _HEADERLINK.sub('', found.group(1)))


def visible_words(html: str) -> int:
    return len(_TAG.sub(' ', html).split())


def to_markdown(body: str, pandoc: str) -> str:
    """GitHub Markdown without raw HTML: MyST reads its pipe tables and links."""
    result = subprocess.run(
        [pandoc, '-f', 'html', '-t', 'gfm-raw_html', '--wrap=none'],
        input=body.encode('utf-8'),
        capture_output=True,
        check=True,
    )
    return result.stdout.decode('utf-8')


def make_floor(corpus: Path, briefing_html: Path, out: Path) -> dict[str, int]:
    """Write the floor twin into *out*; return what it holds (pages, words)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(corpus / 'bare', out)
    with (out / 'conf.py').open('a', encoding='utf-8') as conf:
        conf.write(
            '\n# The floor twin: links copied from the briefing build are plain URLs.\n'
            'myst_all_links_external = True\n'
        )
    pages = sorted(p for p in briefing_html.glob('*.html') if COLLECTION_PAGE.match(p.name))
    if not pages:
        raise ValueError(f'no collection pages in {briefing_html}')
    pandoc = _pandoc_path()  # the pandoc sphinx-briefing's citations run
    bodies = [page_body(p.read_text(encoding='utf-8')) for p in pages]
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(lambda body: to_markdown(body, pandoc), bodies))
    stats = {'pages': 0, 'new_pages': 0, 'html_words': 0, 'markdown_bytes': 0}
    for page, body, text in zip(pages, bodies, texts, strict=True):
        target = out / f'{page.stem}.md'
        metadata = []
        if not target.exists():
            # Not a source document of the bare twin: not in any toctree either.
            metadata.append('orphan: true')
            stats['new_pages'] += 1
        if page.stem != 'bibliography':
            metadata.append('nosearch: true')
        front = '---\n' + '\n'.join(metadata) + '\n---\n\n' if metadata else ''
        target.write_text(front + text, encoding='utf-8')
        stats['pages'] += 1
        stats['html_words'] += visible_words(body)
        stats['markdown_bytes'] += len(text.encode('utf-8'))
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('corpus', type=Path, help='a folder written by generate.py')
    parser.add_argument('html', type=Path, help="the briefing twin's HTML output")
    parser.add_argument('--out', type=Path, help='default: CORPUS/floor')
    args = parser.parse_args(argv)
    out = args.out or args.corpus / 'floor'
    stats = make_floor(args.corpus, args.html, out)
    print(
        f'{out}: {stats["pages"]} collection pages ({stats["new_pages"]} new), '
        f'{stats["html_words"]:,} words'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
