"""Question indexes: the part pages of an index that HTML builders split."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set

from sphinx_briefing.derive.anchors import row_anchor
from sphinx_briefing.derive.result import Derived
from sphinx_briefing.ids import local_anchor
from sphinx_briefing.model import Placeholder, Question, Reference


def index_part_pages(
    derived: Derived, row_index: Mapping[str, Placeholder], docs: Set[str]
) -> tuple[dict[tuple[str, str], tuple[str, ...]], dict[str, str]]:
    """The parts' page names of every question index that HTML builders split, and the
    part page that holds each question's first row.

    A part is beside the index's page, so that the links made for the index are valid in
    its parts: ``questions-2`` is the second part of the index in ``questions``, or
    ``questions-question-index-1-2`` when that page has more than one question index. An
    index whose part names are taken by documents is not split.
    """
    pages_of: dict[tuple[str, str], tuple[str, ...]] = {}
    row_page: dict[str, str] = {}
    if derived.index_page_rows <= 0:
        return pages_of, row_page
    indexes_on = Counter(ph.docname for ph in derived.placeholders if ph.kind == 'question-index')
    for ph in derived.placeholders:
        if ph.kind != 'question-index' or (ph.docname, ph.anchor) not in derived.placeholder_panel:
            continue
        parts = derived.index_parts(ph)
        if indexes_on[ph.docname] == 1:
            stem = ph.docname
        else:  # the page's name is there already: the index's number in it is enough
            stem = f'{ph.docname}-{local_anchor(ph.anchor, "question-index", ph.docname)}'
        pages = tuple(f'{stem}-{k}' for k in range(1, len(parts) + 1))
        if len(parts) < 2 or any(page in docs for page in pages):
            continue
        pages_of[ph.docname, ph.anchor] = pages
        for page, part in zip(pages, parts, strict=True):
            for group in part:
                for info in group.infos:
                    if row_index.get(info.record.qid) is ph:
                        row_page.setdefault(info.record.qid, page)
    return pages_of, row_page


def referrers_of(
    docs: Sequence[str],
    references: Mapping[str, Sequence[Reference]],
    questions: Mapping[str, Question],
) -> dict[str, list[str]]:
    """Question id → the other documents that refer to it by id, in reading order (an
    index's "Referred to in"). Unknown targets are reported at write time, after
    intersphinx had its say."""
    referrers: dict[str, list[str]] = {}
    referable = {qid for qid, q in questions.items() if q.explicit_id and not q.withheld}
    for doc in docs:
        for ref in references.get(doc, ()):
            wanted = ref.kind in ('question', 'any') and ref.target in referable
            if wanted and doc not in (
                questions[ref.target].docname,
                *referrers.get(ref.target, ()),
            ):
                referrers.setdefault(ref.target, []).append(doc)
    return referrers


def index_rows(
    placeholders: Sequence[Placeholder],
    placeholder_panel: Mapping[tuple[str, str], str],
    questions: Mapping[str, Question],
    panel_of: Mapping[str, str],
) -> tuple[dict[str, tuple[str, str]], dict[str, Placeholder]]:
    """Each question's first row in a question index (document, anchor), and that
    index."""
    index_row: dict[str, tuple[str, str]] = {}
    #: the question index that index_row is in
    row_index: dict[str, Placeholder] = {}
    for ph in placeholders:
        if ph.kind != 'question-index' or (ph.docname, ph.anchor) not in placeholder_panel:
            continue
        panel = placeholder_panel[ph.docname, ph.anchor]
        for qid, q in questions.items():
            if not q.withheld and (not panel or panel_of[qid] == panel) and qid not in index_row:
                index_row[qid] = (ph.docname, row_anchor(ph, q))
                row_index[qid] = ph
    return index_row, row_index
