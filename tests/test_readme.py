"""README's pictures are the ones the tests take: every image it shows is in docs/, every
PNG there is shown, and each is one that tests/test_browser.py or tests/test_pdf.py writes
(``BRIEFING_SCREENSHOTS=1 python -m pytest tests/test_browser.py tests/test_pdf.py``
redraws them from the pages as they are)."""

from __future__ import annotations

import re
from pathlib import Path

from test_browser import README_SHOTS
from test_pdf import README_DAY_PAGES, README_PAGES

ROOT = Path(__file__).parent.parent


def test_readme_shows_the_screenshots_the_tests_take() -> None:
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    shown = set(re.findall(r'!\[[^\]]*\]\((docs/[^)\s]+)\)', readme))
    on_disk = {path.relative_to(ROOT).as_posix() for path in (ROOT / 'docs').glob('*.png')}
    taken = {f'docs/{name}' for name in [*README_SHOTS.values(), *README_PAGES, *README_DAY_PAGES]}
    assert shown == on_disk == taken
