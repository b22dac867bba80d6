"""Marks that reading leaves in plain text (roles in section titles, citations in hover
texts), replaced once numbers and formatted citations are known."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TypeVar

from sphinx_briefing.citations.citeproc import Rich, rich_to_text
from sphinx_briefing.model import Panel, Participant, Position, Question

_ROLE_MARK = re.compile('\x1b([^\x1b\x02]*)\x02([^\x1b]*)\x1b')
T = TypeVar('T', Question, Position)


def resolve_roles(
    text: str,
    numbers: Mapping[str, str],
    participants: Mapping[str, Participant],
    panels: Mapping[str, Panel],
) -> str:
    """A title's text with its roles' marks replaced by what the roles show: a question's
    number, a participant's name, a panel's title (anything else: what the author wrote)."""

    def shown(match: re.Match[str]) -> str:
        kind, target = match[1], match[2]
        if kind == 'question' and target in numbers:
            return numbers[target]
        if kind == 'participant' and target in participants:
            return participants[target].name
        if kind == 'panel' and target in panels:
            return panels[target].title
        return target

    return _ROLE_MARK.sub(shown, text)


def resolved_topic(
    record: T,
    numbers: Mapping[str, str],
    participants: Mapping[str, Participant],
    panels: Mapping[str, Panel],
) -> T:
    if '\x1b' not in record.topic:
        return record  # nearly always: the record stays the environment's own
    return replace(record, topic=resolve_roles(record.topic, numbers, participants, panels))


_CITATION_MARK = re.compile('\x1a([^\x1a\x02]*)\x02([^\x1a]*)\x1a')


def resolve_citations(
    text: str, docname: str, cite_texts: Mapping[tuple[str, str], tuple[Rich, ...]]
) -> str:
    """Plain text with its citation marks replaced by the formatted citations (or, when
    a citation could not be formatted, by what the author wrote)."""
    if '\x1a' not in text:
        return text

    def formatted(match: re.Match[str]) -> str:
        rich = cite_texts.get((docname, match[1]))
        return rich_to_text(rich) if rich is not None else f'[{match[2]}]'

    return _CITATION_MARK.sub(formatted, text)
