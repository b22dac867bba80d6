"""Running late: what a moderator drops from the rest of the plan when the clock is behind.

A pure function of a run of show's remaining items, so that each cue card can say, for a
few amounts of lateness, which questions go. The rule, in the order a moderator applies
it:

1. Reserve and defensive questions are asked only in time the plan leaves free: any
   lateness gives them up first.
2. The plan's slack (the panel's minutes less what the core items need) absorbs the
   lateness next; only what is left must be recovered from later core items.
3. Follow-ups go before the questions they follow, and later items before earlier ones
   (the start of the plan is already prepared for, and the closing is never dropped). A
   question dropped takes its follow-ups with it.
4. Nothing is dropped that the lateness does not need: after the first pass, any item
   whose minutes are not needed any more is put back, the earliest chosen first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LateItem:
    """A core item still to come after the current card."""

    key: str  # question id
    label: str  # its number, 'Q3a'
    minutes: int
    parent: str = ''  # the key of the question it follows up, '' for a main question


@dataclass(frozen=True, slots=True)
class LatePlan:
    """What to do when *behind* minutes late at one card."""

    behind: int
    #: reserve and defensive questions given up (their labels, in numbering order)
    reserve: tuple[str, ...]
    #: minutes of the plan's slack that absorb the lateness
    absorbed: int
    #: keys of later core items to drop, in the run of show's order
    drop: tuple[str, ...]
    #: minutes the dropped items free
    freed: int
    #: minutes still behind after dropping everything that may be dropped (0: on time)
    short: int


def running_late(
    later: Sequence[LateItem], behind: int, slack: int, reserve: Sequence[str] = ()
) -> LatePlan:
    """The plan for being *behind* minutes late with the core items *later* still to come
    (in run-of-show order), *slack* minutes the plan leaves free, and the *reserve*
    questions not yet asked."""
    behind = max(0, behind)
    absorbed = min(behind, max(0, slack))
    needed = behind - absorbed
    given_up = tuple(reserve) if behind else ()
    if needed <= 0:
        return LatePlan(behind, given_up, absorbed, (), 0, 0)

    position = {item.key: index for index, item in enumerate(later)}
    children: dict[str, list[LateItem]] = {}
    for item in later:
        if item.parent:
            children.setdefault(item.parent, []).append(item)

    def group(item: LateItem) -> list[LateItem]:
        """The item and the follow-ups (still to come) that go with it."""
        found = [item]
        for child in children.get(item.key, ()):
            found.extend(group(child))
        return found

    # Follow-ups first, then main questions; later before earlier within each.
    order = sorted(later, key=lambda item: (not item.parent, -position[item.key]))
    chosen: list[str] = []  # in the order chosen
    dropped: set[str] = set()
    freed = 0
    for item in order:
        if freed >= needed:
            break
        if item.key in dropped:
            continue
        fresh = [one for one in group(item) if one.key not in dropped]
        gain = sum(one.minutes for one in fresh)
        if gain <= 0:
            continue
        chosen.append(item.key)
        dropped.update(one.key for one in fresh)
        freed += gain

    # Put back what is not needed: a main question chosen last may cover the follow-ups
    # chosen before it, or one long item may have been enough.
    for key in list(chosen):
        item = later[position[key]]
        if item.parent and item.parent in dropped:
            continue  # goes with its question
        own = [one for one in group(item) if one.key in dropped]
        gain = sum(one.minutes for one in own)
        if freed - gain >= needed:
            chosen.remove(key)
            dropped.difference_update(one.key for one in own)
            freed -= gain
    drop = tuple(item.key for item in later if item.key in dropped)
    return LatePlan(behind, given_up, absorbed, drop, freed, max(0, needed - freed))
