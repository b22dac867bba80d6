"""Questions' numbers: follow-ups under their question, numbers per panel."""

from __future__ import annotations

from collections.abc import Mapping

from sphinx_briefing.config import DEFAULT_FOLLOWUP_FORMAT, DEFAULT_QUESTION_FORMAT
from sphinx_briefing.derive.result import Problem
from sphinx_briefing.locale import __
from sphinx_briefing.model import Panel, Question
from sphinx_briefing.warnings_ import Subtype


def format_number(fmt: str, default: str, **fields: str | int) -> str:
    """A question's number; configuration checks formats (config.format_problem), so
    the default is used only for a format that fails on a value no check could try."""
    try:
        return fmt.format(**fields)
    except Exception:  # any failure of str.format: the number must still be made
        return default.format(**fields)


def check_numbers(
    questions: Mapping[str, Question],
    numbers: Mapping[str, str],
    panel_of: Mapping[str, str],
    problems: list[Problem],
) -> None:
    """Two questions of one panel with one number are told apart by nothing (formats
    are checked with sample values; this catches what samples could not)."""
    first: dict[tuple[str, str], str] = {}
    for qid, number in numbers.items():
        key = (panel_of[qid], number)
        if key not in first:
            first[key] = qid
            continue
        q = questions[qid]
        if q.withheld:
            continue
        problems.append(
            Problem(
                __('question %r has the number %s, as question %r has: check the number formats')
                % (qid, number, first[key]),
                Subtype.DUPLICATE_ID,
                q.docname,
                q.line,
            )
        )


def letters(index: int) -> str:
    """0 → a, 25 → z, 26 → aa: follow-up letters that never run out."""
    result = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(ord('a') + rest) + result
    return result


def resolve_parents(questions: Mapping[str, Question], problems: list[Problem]) -> dict[str, str]:
    """Parent of each question; follow-ups of follow-ups hang on the top question."""
    parent_of: dict[str, str] = {}
    for qid, q in questions.items():
        parent = q.parent
        if parent and parent not in questions:
            problems.append(
                Problem(
                    __('question %r is a follow-up of unknown question %r') % (qid, parent),
                    Subtype.UNKNOWN_QUESTION,
                    q.docname,
                    q.line,
                )
            )
            parent = ''
        parent_of[qid] = parent
    for qid, q in questions.items():
        chain = [qid]
        current = parent_of[qid]
        while current and parent_of[current]:
            if current in chain:
                break
            chain.append(current)
            current = parent_of[current]
        if not parent_of[qid]:
            continue
        if current in chain:
            problems.append(
                Problem(
                    __('follow-up cycle: %s') % ' → '.join([*chain, current]),
                    Subtype.BAD_FOLLOW_UP,
                    q.docname,
                    q.line,
                )
            )
            parent_of[qid] = ''
        elif current != parent_of[qid]:
            problems.append(
                Problem(
                    __('question %r is a follow-up of a follow-up; it is numbered under %r')
                    % (qid, current),
                    Subtype.BAD_FOLLOW_UP,
                    q.docname,
                    q.line,
                )
            )
            parent_of[qid] = current
    return parent_of


def follow_parents_panel(
    questions: Mapping[str, Question],
    parent_of: Mapping[str, str],
    panel_of: dict[str, str],
    problems: list[Problem],
) -> None:
    """A follow-up sits on its question's panel (a different ``:panel:`` is warned about)."""
    for qid, parent in parent_of.items():
        if parent and panel_of[qid] != panel_of[parent]:
            q = questions[qid]
            if q.panel and q.panel != panel_of[parent]:
                problems.append(
                    Problem(
                        __('follow-up %r is on panel %r but its question %r is on %r')
                        % (qid, q.panel, parent, panel_of[parent]),
                        Subtype.BAD_FOLLOW_UP,
                        q.docname,
                        q.line,
                    )
                )
            panel_of[qid] = panel_of[parent]


def number_questions(
    questions: Mapping[str, Question],
    parent_of: Mapping[str, str],
    panel_of: Mapping[str, str],
    question_format: str,
    followup_format: str,
    problems: list[Problem],
    prefixes: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """Numbers per panel in reading order, follow-ups lettered under their question:
    (numbers, each question's follow-ups, each panel's questions in numbering order).
    A panel's prefix (*prefixes*) comes before its questions' numbers; a follow-up's
    number has it through its parent's."""
    prefixes = prefixes or {}
    numbers: dict[str, str] = {}
    followups: dict[str, list[str]] = {qid: [] for qid in questions}
    panel_questions: dict[str, list[str]] = {}
    counters: dict[str, int] = {}
    for qid in questions:
        if parent_of[qid]:
            followups[parent_of[qid]].append(qid)
            continue
        panel = panel_of[qid]
        counters[panel] = counters.get(panel, 0) + 1
        numbers[qid] = prefixes.get(panel, '') + format_number(
            question_format,
            DEFAULT_QUESTION_FORMAT,
            number=counters[panel],
            panel=panel,
            letter='',
            parent='',
        )
    for qid in questions:
        if parent_of[qid]:
            continue
        panel_questions.setdefault(panel_of[qid], []).append(qid)
        for index, child in enumerate(followups[qid]):
            numbers[child] = format_number(
                followup_format,
                DEFAULT_FOLLOWUP_FORMAT,
                parent=numbers[qid],
                letter=letters(index),
                number=index + 1,
                panel=panel_of[qid],
            )
            panel_questions[panel_of[qid]].append(child)
    check_numbers(questions, numbers, panel_of, problems)
    return numbers, followups, panel_questions


def check_prefixes(
    panels: Mapping[str, Panel],
    numbers: Mapping[str, str],
    panel_of: Mapping[str, str],
    problems: list[Problem],
) -> None:
    """When panels have prefixes, a number names one question in the whole book: two
    panels with one prefix, or a prefix that makes another panel's numbers ('Q' before
    '1' where the format is '{number}'), are warned about once per pair of panels, at
    the later panel."""
    if not any(panel.prefix for panel in panels.values()):
        return
    order = list(panels)
    owner: dict[str, str] = {}
    told: set[tuple[str, str]] = set()
    for qid, number in numbers.items():
        panel = panel_of.get(qid, '')
        first = owner.setdefault(number, panel)
        if first == panel or (first, panel) in told:
            continue
        told.add((first, panel))
        later = max(first, panel, key=lambda p: order.index(p) if p in order else len(order))
        record = panels.get(later)
        problems.append(
            Problem(
                __('panels %r and %r both number a question %s: give each panel its own :prefix:')
                % (first or '-', panel or '-', number),
                Subtype.BAD_PREFIX,
                record.docname if record else '',
                record.line if record else None,
            )
        )
