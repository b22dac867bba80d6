"""Citations across the project: checks against the .bib and the panel's date, and which
keys each bibliography lists and where a citation links to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from sphinx_briefing.citations.step import CitationInputs, after
from sphinx_briefing.derive.anchors import entry_anchor
from sphinx_briefing.derive.result import PositionInfo, Problem, QuestionInfo
from sphinx_briefing.locale import __
from sphinx_briefing.model import CiteRef, Panel, Placeholder
from sphinx_briefing.warnings_ import Subtype


def check_citations(
    cites: Sequence[CiteRef],
    citations: CitationInputs,
    questions: Mapping[str, QuestionInfo],
    positions: Mapping[str, PositionInfo],
    panels: Mapping[str, Panel],
    doc_panel: Mapping[str, str],
) -> list[Problem]:
    """Unknown keys, and sources dated after the panel they support."""
    problems = []
    for cite in cites:
        if cite.within in positions:
            panel = positions[cite.within].panel
        elif cite.within in questions:
            panel = questions[cite.within].panel
        else:
            panel = doc_panel.get(cite.docname, '')
        day = panels[panel].date if panel in panels else ''
        for key in cite.keys:
            if key not in citations.known_keys:
                problems.append(
                    Problem(
                        __('unknown citation key %r') % key,
                        Subtype.UNKNOWN_CITATION,
                        cite.docname,
                        cite.line,
                    )
                )
            elif day and key in citations.issued and after(citations.issued[key], day):
                year, month, dom = citations.issued[key]
                dated = '-'.join(
                    str(part).zfill(2) for part in (year, month, dom) if part is not None
                )
                problems.append(
                    Problem(
                        __(
                            'source %r is dated %s, after panel %r on %s: the brief cannot '
                            "rely on it (facts as of the panel's date)"
                        )
                        % (key, dated, panel, day),
                        Subtype.AFTER_EVENT,
                        cite.docname,
                        cite.line,
                    )
                )
    return problems


def bibliographies_of(
    placeholders: Sequence[Placeholder], cites: Sequence[CiteRef], citations: CitationInputs
) -> dict[tuple[str, str], tuple[str, ...]]:
    """The keys each bibliography lists, in the style's order."""
    cited = {key for cite in cites for key in cite.keys}
    result = {}
    for ph in placeholders:
        if ph.kind != 'bibliography':
            continue
        here = {key for cite in cites if cite.docname == ph.docname for key in cite.keys}
        keywords = set(ph.keywords)
        result[ph.docname, ph.anchor] = tuple(
            key
            for key, _entry in citations.entries
            if (
                in_scope(ph.scope, key, cited, here)
                and (not keywords or keywords & set(citations.keywords.get(key, ())))
                and (
                    (ph.docname, ph.anchor) not in citations.selected
                    or key in citations.selected[ph.docname, ph.anchor]
                )
            )
            or key in ph.listed
        )
    return result


def entry_homes(
    bibliographies: Mapping[tuple[str, str], Sequence[str]],
    entry_ids: Mapping[tuple[str, str], str],
) -> dict[tuple[str, str], tuple[str, str]]:
    homes: dict[tuple[str, str], tuple[str, str]] = {}
    for where, keys in bibliographies.items():
        for key in keys:
            anchor = (where[0], entry_anchor(where[1], key, entry_ids.get(where, '')))
            homes.setdefault(('', key), anchor)
            homes.setdefault((where[0], key), anchor)
    return homes


def in_scope(scope: str, key: str, cited: Set[str], here: Set[str]) -> bool:
    if scope == 'all':
        return True
    if scope == 'notcited':
        return key not in cited
    if scope == 'document':
        return key in here
    return key in cited  # 'project'
