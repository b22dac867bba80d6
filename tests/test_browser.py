"""The example book in a real browser: Debian's headless chromium, driven by Playwright,
over the HTML built with alabaster, furo, sphinx-book-theme and pydata-sphinx-theme, in
light and dark mode, at 1280 px and on a phone (390 px).

Each theme is built once for the module and served over HTTP on localhost (not file://,
so scripts and storage behave as on a web server). Every check keeps a screenshot under
``tests/artefacts/`` (git-ignored) for a person to look at.

Without chromium, Playwright or the themes these tests skip; with
``BRIEFING_REQUIRE_BROWSER`` set (as ``.ci/run`` does) they fail instead. Playwright never
downloads a browser here: it launches ``/usr/bin/chromium`` (or ``BRIEFING_CHROMIUM``).
The printed brief is also saved as a PDF and, with ``pdftotext`` (poppler-utils), checked
for the banner on every page.
"""

from __future__ import annotations

import base64
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / 'example_docs'
ARTEFACTS = Path(__file__).parent / 'artefacts'
#: README's screenshots: the shot a test takes (theme, scheme, name) → its file in docs/.
#: With ``BRIEFING_SCREENSHOTS`` set, the tests write them there too.
README_SHOTS = {
    ('furo', 'light', 'matrix'): 'html-matrix-furo.png',
    ('alabaster', 'light', 'brief-screen'): 'html-brief-alabaster.png',
    ('pydata_sphinx_theme', 'light', 'phone-question-index'): 'html-index-phone-pydata.png',
    ('sphinx_book_theme', 'dark', 'matrix'): 'html-matrix-book-dark.png',
}
DOCS = ROOT / 'docs'
CHROMIUM = Path(os.environ.get('BRIEFING_CHROMIUM', '/usr/bin/chromium'))
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
]
THEMES = ['alabaster', 'furo', 'sphinx_book_theme', 'pydata_sphinx_theme']
SCHEMES = ['light', 'dark']
VIEWPORT = {'width': 1280, 'height': 900}

#: theme → (its navigation sidebar, its page header or None) in the built HTML
NAVIGATION = {
    'alabaster': ('div.sphinxsidebar', 'div.related'),
    'furo': ('.sidebar-drawer', None),
    'sphinx_book_theme': ('.bd-sidebar-primary', '.bd-header-article'),
    'pydata_sphinx_theme': ('.bd-sidebar-primary', '.bd-header'),
}
#: themes whose dark mode the stylesheet follows (alabaster has none and stays light)
HAS_DARK_MODE = {'furo', 'sphinx_book_theme', 'pydata_sphinx_theme'}


def _missing() -> str | None:
    if importlib.util.find_spec('playwright') is None:
        return 'the playwright package is not installed'
    if not CHROMIUM.exists():
        return f'{CHROMIUM} is missing (Debian package chromium)'
    for theme in THEMES:
        if importlib.util.find_spec(theme) is None:
            return f'the theme {theme} is not installed'
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get('BRIEFING_REQUIRE_BROWSER'):
        pytest.fail(f'BRIEFING_REQUIRE_BROWSER is set but {reason}', pytrace=False)
    pytest.skip(reason)


# -- the site: built once per theme, served on localhost ----------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        # Browsers ask every server for a favicon; the example has none, and a 404 for
        # it would be a console error that says nothing about the book.
        if self.path == '/favicon.ico':
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


@dataclass
class Site:
    theme: str
    outdir: Path
    base: str

    def url(self, page: str) -> str:
        return self.base + page


@pytest.fixture(scope='module')
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        _unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as error:  # a browser that does not start is a missing browser
            _unavailable(f'chromium does not start: {error}')
        yield instance
        instance.close()


@pytest.fixture(scope='module', params=THEMES)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    theme = request.param
    reason = _missing()
    if reason:
        _unavailable(reason)
    work = tmp_path_factory.mktemp(f'browser-{theme}')
    src, out = work / 'src', work / 'html'
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns('_build'))
    result = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-q', '-b', 'html', '-D', f'html_theme={theme}', src, out],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(_Handler, directory=str(out))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(theme, out, f'http://127.0.0.1:{server.server_address[1]}/')
    finally:
        server.shutdown()
        server.server_close()


# -- a browser tab that records every error ------------------------------------------------


@dataclass
class Tab:
    """A page in a fresh browser context, with the errors it saw."""

    page: Any
    site: Site
    scheme: str
    errors: list[str] = field(default_factory=list)

    def open(self, page: str) -> None:
        self.page.goto(self.site.url(page), wait_until='load')

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / f'{self.site.theme}-{self.scheme}-{name}.png'
        self.page.screenshot(path=str(path), full_page=full_page)
        readme = README_SHOTS.get((self.site.theme, self.scheme, name))
        if readme is not None and os.environ.get('BRIEFING_SCREENSHOTS'):
            shutil.copyfile(path, DOCS / readme)
        return path

    def assert_clean(self) -> None:
        assert self.errors == [], '\n'.join(self.errors)


def new_tab(browser: Any, site: Site, scheme: str = 'light', **context: Any) -> Tab:
    options = {'viewport': VIEWPORT, 'color_scheme': scheme, **context}
    ctx = browser.new_context(**options)
    # The reader's choice of scheme, as furo ('theme') and pydata ('mode', 'theme') store
    # it. It also spares pydata's first visit its "Got invalid theme mode" console error
    # (an empty stored mode in pydata-sphinx-theme, not something this extension does).
    ctx.add_init_script(
        'try { for (const key of ["theme", "mode"]) localStorage.setItem(key, '
        + json.dumps(scheme)
        + '); } catch (e) {}'
    )
    page = ctx.new_page()
    tab = Tab(page, site, scheme)

    def on_console(message: Any) -> None:
        if message.type == 'error':
            tab.errors.append(f'console error on {page.url}: {message.text}')

    def on_response(response: Any) -> None:
        if response.status >= 400:
            tab.errors.append(f'HTTP {response.status} for {response.url}')

    page.on('console', on_console)
    page.on('pageerror', lambda error: tab.errors.append(f'page error on {page.url}: {error}'))
    page.on('requestfailed', lambda request: tab.errors.append(f'failed: {request.url}'))
    page.on('response', on_response)
    return tab


@pytest.fixture
def tabs(browser: Any) -> Iterator[list[Tab]]:
    """Tabs opened by a test, closed after it."""
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.page.context.close()


def open_tab(tabs: list[Tab], browser: Any, site: Site, scheme: str = 'light', **kw: Any) -> Tab:
    tab = new_tab(browser, site, scheme, **kw)
    tabs.append(tab)
    return tab


# -- colours as the reader sees them -------------------------------------------------------

#: Composites the backgrounds from the root down to the element on a 1×1 canvas (the
#: browser does the alpha blending and converts any colour syntax, oklch included), then
#: the element's text colour over them; returns both as [r, g, b] in sRGB. (Background
#: images and opacity are left out: the stylesheet tints with background colours.)
SEEN_COLOURS = """
(element) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const pixel = () => Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
  const chain = [];
  for (let e = element; e; e = e.parentElement) chain.unshift(e);
  ctx.fillStyle = '#ffffff';          // the canvas of a page without a background
  ctx.fillRect(0, 0, 1, 1);
  for (const e of chain) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') {
      ctx.fillStyle = bg;
      ctx.fillRect(0, 0, 1, 1);
    }
  }
  const background = pixel();
  ctx.fillStyle = getComputedStyle(element).color;
  ctx.fillRect(0, 0, 1, 1);
  return {background, text: pixel()};
}
"""


def luminance(rgb: list[int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[int], b: list[int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def seen(locator: Any) -> tuple[float, dict[str, list[int]]]:
    colours = locator.evaluate(SEEN_COLOURS)
    return contrast(colours['text'], colours['background']), colours


# -- the checks ----------------------------------------------------------------------------


def test_question_index_links_land_on_the_question(
    browser: Any, site: Site, tabs: list[Tab]
) -> None:
    tab = open_tab(tabs, browser, site)
    tab.open('question-index.html')
    links = tab.page.locator(
        'table.briefing-question-index tbody td:first-child a[href*="#question-"]'
    )
    count = links.count()
    assert count >= 8
    hrefs = [links.nth(i).get_attribute('href') for i in range(count)]
    # the first question, the first follow-up, and the last question of the index
    follow_up = next(i for i in range(count) if re.search(r'Q\d+[a-z]', links.nth(i).inner_text()))
    for index in dict.fromkeys([0, follow_up, count - 1]):
        tab.open('question-index.html')
        link = links.nth(index)
        number = link.inner_text().strip()
        link.click()
        tab.page.wait_for_url(re.compile('#question-'))
        anchor = tab.page.evaluate('decodeURIComponent(location.hash.slice(1))')
        assert hrefs[index].endswith('#' + anchor)
        target = tab.page.locator(f'[id="{anchor}"]')
        assert target.count() == 1
        assert target.evaluate('e => e.matches("div.briefing.briefing-question")'), (
            f'{anchor} is not a question box'
        )
        assert target.locator('> p.briefing-header > .briefing-number').inner_text() == number
        box = target.bounding_box()
        assert box and box['width'] > 0 and box['height'] > 0
        # The browser scrolls to the fragment once the layout has settled (furo's
        # scripts run first): wait for it, then the box's top is in the upper half.
        landed = tab.page.wait_for_function(
            'id => { const r = document.getElementById(id).getBoundingClientRect();'
            ' return r.top >= -2 && r.top < innerHeight / 2; }',
            arg=anchor,
            timeout=5000,
        )
        assert landed, f'{anchor} is not in the viewport'
        # Not hidden under a sticky theme header: the point at the number's centre
        # belongs to the question box.
        badge = target.locator('> p.briefing-header > .briefing-number').bounding_box()
        assert badge is not None
        hit = tab.page.evaluate(
            '([x, y, id]) => { const e = document.elementFromPoint(x, y);'
            ' return !!e && !!e.closest(`[id="${id}"]`); }',
            [badge['x'] + badge['width'] / 2, badge['y'] + badge['height'] / 2, anchor],
        )
        assert hit, f'{number} is covered by something else after following the link'
        tab.shot(f'question-link-{number}')
    tab.assert_clean()


@pytest.mark.parametrize('scheme', SCHEMES)
def test_matrix_and_legend_are_readable(
    browser: Any, site: Site, tabs: list[Tab], scheme: str
) -> None:
    tab = open_tab(tabs, browser, site, scheme)
    tab.open('position-matrix.html')
    page = tab.page
    dark_page = page.locator('body').evaluate(SEEN_COLOURS)['background']
    if scheme == 'dark' and site.theme in HAS_DARK_MODE:
        assert luminance(dark_page) < 0.1, f'{site.theme} did not switch to dark mode'
    else:
        assert luminance(dark_page) > 0.8

    table = page.locator('table.briefing-position-matrix')
    legend = page.locator('p.briefing-legend')
    for element in (table, legend):
        assert element.is_visible()
        box = element.bounding_box()
        assert box and box['width'] > 50 and box['height'] > 10
    text = legend.inner_text()
    for label in ('Legend', 'Supports', 'Opposes', 'Mixed', 'Neutral'):
        assert label in text
    assert table.locator('tbody tr').count() >= 10

    # stance symbols: coloured from the vocabulary, at least 4.5:1 against their cell
    symbols = page.locator(
        'table.briefing-position-matrix .briefing-stance, p.briefing-legend .briefing-stance'
    )
    assert symbols.count() >= 20
    worst = min(
        (seen(symbols.nth(i))[0], symbols.nth(i).inner_text()) for i in range(symbols.count())
    )
    assert worst[0] >= 4.5, f'stance {worst[1]!r} has a contrast of {worst[0]:.2f}:1'
    # the configured colour is used (not the theme's text colour)
    first = symbols.first.evaluate('e => getComputedStyle(e).color')
    body = page.evaluate('getComputedStyle(document.body).color')
    assert first != body

    # body text, headings, actors and sources: at least 4.5:1
    for selector in (
        'section > p',
        'table.briefing-position-matrix thead th',
        'table.briefing-position-matrix tbody td:first-child',
        'table.briefing-position-matrix .briefing-matrix-cell sup',
        'ol.briefing-matrix-sources .briefing-sources',
        'ol.briefing-matrix-sources .briefing-sources a',
        'p.briefing-legend',
        'p.briefing-legend .briefing-legend-empty',
        'div.briefing-banner',
        'div.briefing-banner .briefing-banner-draft',
    ):
        items = page.locator(selector)
        assert items.count() > 0, selector
        for i in range(min(items.count(), 12)):
            ratio, colours = seen(items.nth(i))
            assert ratio >= 4.5, f'{selector}: {ratio:.2f}:1 ({colours})'

    tab.shot('matrix')
    table.screenshot(path=str(ARTEFACTS / f'{site.theme}-{scheme}-matrix-table.png'))
    tab.assert_clean()


@pytest.mark.parametrize('scheme', SCHEMES)
def test_question_and_position_boxes_are_readable(
    browser: Any, site: Site, tabs: list[Tab], scheme: str
) -> None:
    """A theme page: question numbers, headers, stance labels, footers and
    counter-arguments at 4.5:1 or more, in light and dark mode."""
    tab = open_tab(tabs, browser, site, scheme)
    tab.open('themes/1-military-civil-fusion.html')
    page = tab.page
    checked = 0
    for selector in (
        'div.briefing-question > p.briefing-header > .briefing-number',
        'div.briefing-question > p.briefing-header .briefing-minutes',
        'div.briefing-question > p.briefing-header .briefing-tags',
        'div.briefing-question > p:not([class])',
        'div.briefing-question p.briefing-footer',
        'div.briefing-question p.briefing-footer a',
        'div.briefing .briefing-stance',
        'div.briefing-position > p:not([class])',
        'div.briefing-position > p.briefing-header strong',
        'div.briefing-counterargument > p',
        'section > p',
    ):
        items = page.locator(selector)
        assert items.count() > 0, selector
        for i in range(min(items.count(), 8)):
            ratio, colours = seen(items.nth(i))
            assert ratio >= 4.5, f'{selector}: {ratio:.2f}:1 ({colours})'
            checked += 1
    assert checked > 40
    page.locator('div.briefing-position').first.scroll_into_view_if_needed()
    tab.shot('position')
    page.locator('div.briefing-question').first.scroll_into_view_if_needed()
    tab.shot('question')
    tab.assert_clean()


#: the screens the layout is checked on: a laptop and a phone
SCREENS = {'laptop': {'width': 1280, 'height': 900}, 'phone': {'width': 390, 'height': 844}}
#: the pages with wide tables
WIDE_PAGES = ('position-matrix', 'question-index', 'run-of-show')

#: the nearest ancestor of an element that scrolls sideways (or null)
SCROLLER = """e => { for (let a = e.parentElement; a; a = a.parentElement)
    if (a.scrollWidth > a.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(a).overflowX))
      return a;
  return null; }"""

#: where to read a scrolling box's edges: in its own space under the table (the table's
#: bottom margin), left and right, inside its scrollbar
EDGES = """(e, t) => { const b = e.getBoundingClientRect(), r = t.getBoundingClientRect();
  return {left: b.left + 1, right: b.left + e.clientWidth - 2, y: r.bottom + 4}; }"""

#: the colour of the one pixel of a screenshot, read back on a canvas
PIXEL = """async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width; canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
}"""


def pixel(page: Any, x: float, y: float) -> list[int]:
    """The colour of a pixel of the page as shown."""
    png = page.screenshot(clip={'x': x, 'y': y, 'width': 1, 'height': 1})
    return list(page.evaluate(PIXEL, base64.b64encode(png).decode()))


@pytest.mark.parametrize('scheme', SCHEMES)
@pytest.mark.parametrize('screen', list(SCREENS))
def test_no_page_scrolls_sideways(
    browser: Any, site: Site, tabs: list[Tab], screen: str, scheme: str
) -> None:
    """On a laptop and on a phone, light and dark, no page of ours makes the page itself
    scroll sideways, and every collection stays inside the theme's page column (what does
    not fit scrolls inside it)."""
    width = SCREENS[screen]['width']
    tab = open_tab(tabs, browser, site, scheme, viewport=SCREENS[screen])
    page = tab.page
    for name in (*WIDE_PAGES, 'briefs/mori', 'bibliography', 'participants', 'index'):
        tab.open(f'{name}.html')
        wide = page.evaluate('document.documentElement.scrollWidth')
        assert wide <= width + 1, f'{name} is {wide}px wide on a {width}px screen'
        spill = page.evaluate(
            """() => [...document.querySelectorAll('div.briefing-collection')].map(c => {
                   const column = c.parentElement.getBoundingClientRect();
                   const box = c.getBoundingClientRect();
                   return box.right - column.right;
               }).filter(d => d > 1)"""
        )
        assert spill == [], f'{name}: a collection spills out of its column by {spill} px'
    if screen == 'phone':
        tab.shot('phone-brief')
        tab.open('question-index.html')
        tab.page.locator('table.briefing-question-index').first.evaluate(
            't => t.scrollIntoView({block: "start", behavior: "instant"})'
        )
        tab.page.evaluate('window.scrollBy({top: -160, behavior: "instant"})')
        tab.shot('phone-question-index')
    tab.assert_clean()


def test_wide_tables_scroll_in_a_box_of_their_own(
    browser: Any, site: Site, tabs: list[Tab]
) -> None:
    """On a phone each table wider than the screen scrolls inside one box of ours (not a
    theme's wrapper, not the page), which shows a shadow on the side where more is
    hidden; its first column (actor, number, time) stays in place, opaque."""
    tab = open_tab(tabs, browser, site, viewport=SCREENS['phone'])
    page = tab.page
    scrolled = 0
    for name in WIDE_PAGES:
        tab.open(f'{name}.html')
        tables = page.locator('table.briefing-table')
        for index in range(tables.count()):
            table = tables.nth(index)
            scroller = table.evaluate_handle(SCROLLER)
            if scroller.evaluate('e => e === null'):
                continue  # it fits
            scrolled += 1
            where = f'{name}, table {index + 1}'
            assert scroller.evaluate('e => e.matches("div.briefing-collection")'), (
                f'{where}: scrolls in {scroller.evaluate("e => e.className")}, not in ours'
            )
            # the bottom of the table in view, with the space under it (at once: furo
            # scrolls smoothly)
            table.evaluate('t => t.scrollIntoView({block: "end", behavior: "instant"})')
            page.evaluate('window.scrollBy({top: 40, behavior: "instant"})')
            edges = scroller.evaluate(EDGES, table.element_handle())
            right, left = (edges['right'], edges['y']), (edges['left'], edges['y'])
            at_start = pixel(page, *right), pixel(page, *left)
            first = table.locator('xpath=(./tbody/tr[not(td[@colspan])])[1]/*[1]')
            before = first.bounding_box()
            scroller.evaluate('e => { e.scrollLeft = e.scrollWidth; }')
            at_end = pixel(page, *right), pixel(page, *left)
            # the cue: a shadow on the side where the table goes on, none where it ends
            assert luminance(at_start[0]) < luminance(at_end[0]) - 0.02, (
                f'{where}: no shadow on the right while the table goes on ({at_start}, {at_end})'
            )
            assert luminance(at_end[1]) < luminance(at_start[1]) - 0.02, (
                f'{where}: no shadow on the left once scrolled ({at_start}, {at_end})'
            )
            after = first.bounding_box()
            assert before and after and abs(after['x'] - before['x']) <= 2, (
                f'{where}: the first column moved'
            )
            backgrounds = table.locator('tr > :first-child:not([colspan])').evaluate_all(
                'cells => cells.map(c => getComputedStyle(c).backgroundColor)'
            )
            see_through = [b for b in backgrounds if b.startswith('rgba') or b == 'transparent']
            assert see_through == [], f'{where}: transparent first-column cells: {see_through}'
            table.evaluate('t => t.scrollIntoView({block: "start", behavior: "instant"})')
            tab.shot(f'phone-{name}-{index + 1}-scrolled')
            scroller.evaluate('e => { e.scrollLeft = 0; }')
    assert scrolled >= len(WIDE_PAGES), f'only {scrolled} tables are wider than a phone'
    tab.assert_clean()


def test_no_line_of_a_cell_starts_with_a_comma(browser: Any, site: Site, tabs: list[Tab]) -> None:
    """A list in a table cell wraps after its commas ("Supports / , China" was a line
    starting with the comma)."""
    tab = open_tab(tabs, browser, site, viewport=SCREENS['laptop'])
    page = tab.page
    # no line of a table cell starts with the comma of a list ("Supports / , China")
    tab.open('question-index.html')
    stranded = page.evaluate(
        """() => { let found = 0;
            for (const p of document.querySelectorAll('table.briefing-table td p'))
              for (const t of p.childNodes) {
                if (t.nodeType !== 3 || !/^[,;]/.test(t.textContent)) continue;
                const r = document.createRange(); r.setStart(t, 0); r.setEnd(t, 1);
                if (r.getBoundingClientRect().left - p.getBoundingClientRect().left < 2) found++;
              }
            return found; }"""
    )
    assert stranded == 0, f'{stranded} lines start with a comma'
    tab.assert_clean()


#: the pages of ours an audit covers: every collection, a page of boxes, the Question
#: Index page Sphinx writes
AUDITED = (
    'position-matrix',
    'question-index',
    'run-of-show',
    'briefs/mori',
    'bibliography',
    'participants',
    'themes/1-military-civil-fusion',
    'briefing-questions',
)

#: for a node axe found, whether it is in markup of ours (a theme's own problems, such as
#: Sphinx's toctree caption without aria-level, are not this extension's to fix)
OURS = """(selector) => {
  const element = document.querySelector(selector);
  return !!(element && element.closest('[class*="briefing"]'));
}"""


@pytest.mark.parametrize('scheme', SCHEMES)
@pytest.mark.parametrize('screen', list(SCREENS))
def test_no_serious_accessibility_violation_in_our_markup(
    browser: Any, site: Site, tabs: list[Tab], screen: str, scheme: str
) -> None:
    """axe-core's audit of every collection page and a page of boxes, light and dark, on
    a laptop (and of the pages with wide tables and a brief on a phone, where their
    first columns stick): no serious or critical violation (contrast, names, roles,
    ARIA) in what we write."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    tab = open_tab(tabs, browser, site, scheme, viewport=SCREENS[screen])
    found: list[str] = []
    for name in AUDITED if screen == 'laptop' else (*WIDE_PAGES, 'briefs/mori'):
        tab.open(f'{name}.html')
        result = axe.run(tab.page, options={'resultTypes': ['violations']})
        for violation in result.response['violations']:
            if violation['impact'] not in ('serious', 'critical'):
                continue
            for node in violation['nodes']:
                selector = node['target'][-1]
                if isinstance(selector, str) and tab.page.evaluate(OURS, selector):
                    summary = node.get('failureSummary', '').replace('\n', ' ')
                    found.append(f'{name}: {violation["id"]} at {node["html"][:120]}: {summary}')
    # (No check of the tab's errors here: axe itself asks for files the pages never load,
    # such as a theme's @import resolved from the site's root; the other tests check
    # that every page loads cleanly.)
    assert found == [], '\n'.join(found)


def test_keyboard_focus_is_visible_on_our_links(browser: Any, site: Site, tabs: list[Tab]) -> None:
    """Moving through a page with Tab, each link of ours that takes the focus shows a
    visible outline (2 px at least) in a colour that stands out from its background."""
    tab = open_tab(tabs, browser, site)
    page = tab.page
    for name in ('position-matrix', 'question-index', 'themes/1-military-civil-fusion'):
        tab.open(f'{name}.html')
        seen_links = 0
        for _ in range(300):
            page.keyboard.press('Tab')
            focused = page.evaluate(
                """() => { const e = document.activeElement;
                    if (!e || e.tagName !== 'A' || !e.closest('.briefing-collection, div.briefing'))
                      return null;
                    const s = getComputedStyle(e);
                    return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                            colour: s.outlineColor, text: e.textContent.trim().slice(0, 30)}; }"""
            )
            if focused is None:
                continue
            seen_links += 1
            assert focused['style'] not in ('none', 'hidden'), (name, focused)
            assert focused['width'] >= 2, (name, focused)
            if seen_links >= 8:
                break
        assert seen_links >= 8, f'{name}: only {seen_links} of our links took the focus'
    tab.assert_clean()


def test_every_page_loads_without_errors(browser: Any, site: Site, tabs: list[Tab]) -> None:
    """Every page in light mode, the collection pages in dark mode too: no console
    error, no page error, no failed request, the stylesheet linked once."""
    pages = sorted(
        path.relative_to(site.outdir).as_posix()
        for path in site.outdir.rglob('*.html')
        if '_static' not in path.parts and '_sources' not in path.parts
    )
    assert len(pages) >= 20
    collections = [
        'index.html',
        'question-index.html',
        'briefing-questions.html',
        'position-matrix.html',
        'run-of-show.html',
        'briefs/mori.html',
        'bibliography.html',
    ]
    assert set(collections) <= set(pages)
    for scheme, names in (('light', pages), ('dark', collections)):
        tab = open_tab(tabs, browser, site, scheme)
        for name in names:
            tab.open(name)
            assert tab.page.locator('link[href*="sphinx-briefing.css"]').count() == 1, name
            if scheme == 'dark' or name in collections:
                tab.shot('page-' + name.replace('/', '-').removesuffix('.html'))
        tab.assert_clean()


def test_a_brief_prints_cleanly(browser: Any, site: Site, tabs: list[Tab]) -> None:
    tab = open_tab(tabs, browser, site)
    tab.open('briefs/ishikawa.html')
    page = tab.page
    sidebar, header = NAVIGATION[site.theme]
    banner = page.locator('div.briefing-banner')
    # on screen: the theme's navigation is there (so the selectors are the right ones)
    assert page.locator(sidebar).first.is_visible()
    assert banner.is_visible()
    tab.shot('brief-screen')

    page.emulate_media(media='print')
    assert not page.locator(sidebar).first.is_visible(), 'the sidebar prints'
    if header is not None:
        assert not page.locator(header).first.is_visible(), 'the theme header prints'
    for selector in ('.headerlink', 'input[type="search"]', '[role="search"]'):
        items = page.locator(selector)
        for i in range(items.count()):
            assert not items.nth(i).is_visible(), f'{selector} prints'
    assert banner.is_visible()
    assert 'Chatham House Rule' in (banner.text_content() or '')
    # the banner is fixed, so that print repeats it at the top of every page
    assert banner.evaluate('e => getComputedStyle(e).position') == 'fixed'
    box = banner.bounding_box()
    assert box and box['y'] < 5 and box['height'] > 5
    # the text column uses the page: it starts near the left edge
    body_left = page.locator('div.briefing-panellist-brief').bounding_box()
    assert body_left and body_left['x'] < 120, 'the content is still beside a sidebar'
    # external links print their address, except in bibliography entries (it is the text)
    after = page.evaluate(
        """() => { const a = document.querySelector('p.briefing-bib-entry a.reference.external');
                   return a ? getComputedStyle(a, '::after').content : 'none'; }"""
    )
    assert after in ('none', 'normal')
    tab.shot('brief-print', full_page=True)

    printed = printed_pages(page, f'{site.theme}-brief-print.pdf')
    if printed is not None:
        assert len(printed) >= 2
        for number, content in enumerate(printed, 1):
            assert 'CHATHAM HOUSE RULE' in content, f'page {number} has no banner'
    tab.assert_clean()


def test_collections_print_from_their_first_page(browser: Any, site: Site, tabs: list[Tab]) -> None:
    """A scrolling wrapper or a table kept whole would push the table to the next page
    (and leave the first one blank); printed, they break across pages instead."""
    tab = open_tab(tabs, browser, site)
    for name, first_heading in (('position-matrix', 'Actor'), ('question-index', 'Priority')):
        tab.open(f'{name}.html')
        tab.page.emulate_media(media='print')
        printed = printed_pages(tab.page, f'{site.theme}-{name}-print.pdf')
        if printed is None:
            continue
        assert first_heading in printed[0], f'{name}: the table does not start on page 1'
        assert all('CHATHAM HOUSE RULE' in content for content in printed)
    tab.assert_clean()


def printed_pages(page: Any, name: str) -> list[str] | None:
    """Print the page to a PDF artefact; its pages' text (None without pdftotext)."""
    ARTEFACTS.mkdir(exist_ok=True)
    pdf = ARTEFACTS / name
    page.pdf(path=str(pdf), format='A4', prefer_css_page_size=True)
    if shutil.which('pdftotext') is None:
        if os.environ.get('BRIEFING_REQUIRE_BROWSER'):
            pytest.fail('pdftotext (Debian package poppler-utils) is missing', pytrace=False)
        return None
    text = subprocess.run(
        ['pdftotext', '-layout', str(pdf), '-'], capture_output=True, text=True, check=True
    ).stdout
    return [content for content in text.split('\f') if content.strip()]


def test_cue_cards_print_one_card_a_sheet(browser: Any, site: Site, tabs: list[Tab]) -> None:
    """Printed from the browser, the cue-card page is on A6 sheets, a card a sheet (the
    opening card, with five bios, runs on to a second one), in order, and no empty sheet."""
    tab = open_tab(tabs, browser, site)
    tab.open('cue-cards.html')
    tab.page.emulate_media(media='print')
    printed = printed_pages(tab.page, f'{site.theme}-cue-cards-print.pdf')
    if printed is None:
        return
    pdf = ARTEFACTS / f'{site.theme}-cue-cards-print.pdf'
    info = subprocess.run(
        ['pdfinfo', '-f', '1', '-l', '999', str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r'^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)', info, re.MULTILINE)
    assert len(sizes) == len(printed), 'an empty sheet was printed'
    tops = [re.findall(r'Card (\d+) of (\d+)', content) for content in printed]
    assert all(len(found) <= 1 for found in tops), 'two cards on one sheet'
    numbers = [int(found[0][0]) for found in tops if found]
    (count,) = {found[0][1] for found in tops if found}
    assert numbers == list(range(1, int(count) + 1))
    for index in range(len(printed)):
        width, height = (float(value) for value in sizes[index])
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148), index
    tab.assert_clean()
