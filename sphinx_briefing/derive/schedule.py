"""Runs of show: each panel's slots and clock times, and overruns."""

from __future__ import annotations

from sphinx_briefing.derive.result import Derived, Problem, Schedule, Slot
from sphinx_briefing.locale import __
from sphinx_briefing.model import Break
from sphinx_briefing.warnings_ import Subtype


def clock(start: str, elapsed: int) -> str:
    """'14:00' + 67 → '15:07'; without a start, the elapsed time '+1:07'."""
    if not start:
        return f'+{elapsed // 60}:{elapsed % 60:02d}'
    hours, minutes = (int(part) for part in start.split(':'))
    total = hours * 60 + minutes + elapsed
    return f'{total // 60 % 24:02d}:{total % 60:02d}'


def schedule_of(derived: Derived, panel: str) -> Schedule:
    record = derived.panels.get(panel)
    start = record.start if record else ''
    slots: list[Slot] = []
    reserve: list[str] = []
    elapsed = 0

    def add(kind: str, minutes: int | None, qid: str = '', label: str = '') -> None:
        nonlocal elapsed
        slot = Slot(kind=kind, start=clock(start, elapsed), minutes=minutes, qid=qid, label=label)
        slots.append(slot)
        elapsed += minutes or 0

    breaks_before: dict[str, list[Break]] = {}
    for before, found in derived.panel_breaks.get(panel, ()):
        breaks_before.setdefault(before, []).append(found)
    # A break before a reserve question waits for the next core item: reserve questions
    # have no place in the timed part.
    waiting: list[Break] = []

    def add_breaks() -> None:
        for found in waiting:
            if found.minutes:
                add('break', found.minutes, label=found.label)
            if found.session:
                add('session', None, label=found.session)
        waiting.clear()

    if record is not None and record.opening:
        add('opening', record.opening)
    for info in derived.questions_of(panel, shown_only=False):
        waiting.extend(breaks_before.get(info.record.qid, ()))
        if info.record.priority == 'core':
            add_breaks()
            add('question', info.record.minutes, info.record.qid)
        else:
            reserve.append(info.record.qid)
    waiting.extend(breaks_before.get('', ()))
    add_breaks()
    if record is not None and record.closing:
        add('closing', record.closing)
    return Schedule(
        slots=tuple(slots), reserve=tuple(reserve), needed=elapsed, end=clock(start, elapsed)
    )


def overruns(derived: Derived) -> list[Problem]:
    problems = []
    for pid, panel in derived.panels.items():
        schedule = derived.schedules.get(pid)
        if schedule is None or panel.duration is None or schedule.needed <= panel.duration:
            continue
        problems.append(
            Problem(
                __(
                    'the run of show of panel %r needs %d minutes (core questions, breaks, '
                    'opening and closing) but the panel lasts %d minutes'
                )
                % (pid, schedule.needed, panel.duration),
                Subtype.OVERRUN,
                panel.docname,
                panel.line,
            )
        )
    return problems
