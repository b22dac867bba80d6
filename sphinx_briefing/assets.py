"""Builder-specific assets: the stylesheet for HTML, the .sty and the briefs' class for LaTeX.

Files are copied into the output folder rather than added to ``html_static_path``: the
user's configuration is never mutated. The stylesheet is copied before any page is
written, because Sphinx links a stylesheet with a checksum of the file it finds in the
output folder (``?v=…``): copied after the pages, a clean build would link it without one
and the next build with one, and the same page would differ.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

PACKAGE_DIR = Path(__file__).parent
STATIC_DIR = PACKAGE_DIR / 'static'
TEXINPUTS_DIR = PACKAGE_DIR / 'texinputs'
CSS_FILE = 'sphinx-briefing.css'
LATEX_PACKAGE = 'sphinxbriefing'
#: the class of a panellist's brief (see :mod:`sphinx_briefing.latex`)
LATEX_BRIEF_CLASS = 'sphinxbriefingbrief'
#: the classes of the cue cards and the agenda (see :mod:`sphinx_briefing.day_latex`)
LATEX_DAY_CLASSES = ('sphinxbriefingcards', 'sphinxbriefingagenda')


def declare_for_builder(app: Sphinx) -> None:
    """``builder-inited``: declare only what the current builder uses."""
    # The Word builder writes HTML only for pandoc, which takes no stylesheet.
    if app.builder.format == 'html' and app.builder.name != 'briefingdocx':
        static = Path(app.builder.outdir) / '_static'
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC_DIR / CSS_FILE, static / CSS_FILE)
        app.add_css_file(CSS_FILE)
    elif app.builder.format == 'latex':
        app.add_latex_package(LATEX_PACKAGE)


def copy_for_builder(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: put the declared files where the output expects them."""
    if exc is not None:
        return
    outdir = Path(app.builder.outdir)
    if app.builder.format == 'latex':
        shutil.copyfile(TEXINPUTS_DIR / f'{LATEX_PACKAGE}.sty', outdir / f'{LATEX_PACKAGE}.sty')
        for name in (LATEX_BRIEF_CLASS, *LATEX_DAY_CLASSES):
            shutil.copyfile(TEXINPUTS_DIR / f'{name}.cls', outdir / f'{name}.cls')
