"""The one cross-document step: from every document's records to numbers, checks and
collections.

Pure functions of plain data: no Sphinx application, no nodes. It runs once per build in
the main process after all (parallel) reads are merged, so its result and its warnings do
not depend on how documents were split between processes.

One module a concern: ``result`` (what the step hands the write phase), ``step`` (the
order of the work), ``panels``, ``numbering``, ``positions``, ``citations``, ``index``,
``schedule``, ``marks`` (marks left in plain text by reading) and ``anchors``.
"""

from sphinx_briefing.derive.anchors import row_anchor
from sphinx_briefing.derive.marks import resolve_citations, resolve_roles
from sphinx_briefing.derive.numbering import letters
from sphinx_briefing.derive.result import (
    BACKLINKS,
    Derived,
    IndexGroup,
    Inputs,
    PositionInfo,
    Problem,
    QuestionInfo,
    Schedule,
    Slot,
)
from sphinx_briefing.derive.schedule import clock
from sphinx_briefing.derive.step import derive

__all__ = [
    'BACKLINKS',
    'Derived',
    'IndexGroup',
    'Inputs',
    'PositionInfo',
    'Problem',
    'QuestionInfo',
    'Schedule',
    'Slot',
    'clock',
    'derive',
    'letters',
    'resolve_citations',
    'resolve_roles',
    'row_anchor',
]
