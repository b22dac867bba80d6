"""Every builder Sphinx ships writes the extension's nodes: LaTeX (escaped, labelled,
hyperref'd), text, man, texinfo, singlehtml."""

from __future__ import annotations

import re
from typing import Any

import pytest


def test_latex_output_has_boxes_labels_and_links(project: Any) -> None:
    proj = project('test-twin-md')
    proj.edit(
        'themes.md', 'Context paragraph', 'Context with 100% of $ & _ # { } ~ ^ \\\\ specials'
    )
    build = proj.build('latex')
    assert build.warnings() == []
    tex = next(build.outdir.glob('*.tex')).read_text(encoding='utf-8')
    assert r'\usepackage{sphinxbriefing}' in tex
    assert (build.outdir / 'sphinxbriefing.sty').is_file()
    assert tex.count(r'\begin{sphinxbriefingquestion}') == 4
    assert tex.count(r'\begin{sphinxbriefingquestion}') == tex.count(
        r'\end{sphinxbriefingquestion}'
    )
    # Every \hyperref made by the extension reaches a \label in the same scheme.
    labels = set(re.findall(r'\\label\{\\detokenize\{([^}]*)\}\}', tex))
    targets = set(re.findall(r'\\hyperref\[\\detokenize\{([^}]*)\}\]', tex))
    assert r'themes:question-fdi-screening' in labels
    assert r'themes:question-fdi-screening' in targets
    assert targets <= labels, targets - labels
    # Escaped, not raw, specials.
    assert r'100\% of \$ \& \_ \# \{ \}' in tex
    # The question index is a long table; the domain index is an index section.
    assert r'\begin{longtable}' in tex
    assert 'Question Index' in tex


def test_text_builder(project: Any) -> None:
    build = project('test-twin-rst').build('text')
    assert build.warnings() == []
    text = (build.outdir / 'themes.txt').read_text(encoding='utf-8')
    assert '**Q1** · To: Dr Hiro Tanaka, Mr John Smith · 8 min · Core' in text
    assert '**Q1a** follow-up to Q1' in text
    index = (build.outdir / 'questions.txt').read_text(encoding='utf-8')
    # The index shows the question's plain text (wrapped in table cells).
    assert '*foreign' not in index
    assert 'How should regulations' in index
    assert '| Q1a' in index


@pytest.mark.parametrize('builder', ['man', 'texinfo', 'singlehtml', 'epub', 'xml'])
def test_other_builders_write_without_warnings(project: Any, builder: str) -> None:
    # EPUB wants metadata a test project has no reason to carry.
    metadata = {'copyright': '2019, Example', 'version': '1'} if builder == 'epub' else {}
    build = project('test-twin-md').build(builder, **metadata)
    assert build.warnings() == []
