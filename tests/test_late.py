"""The running-late rule of the cue cards as the pure function it is: hand-built remaining
items in, what to drop out. No Sphinx application."""

from __future__ import annotations

from sphinx_briefing.derive.late import LateItem, running_late


def items(*specs: tuple[str, int] | tuple[str, int, str]) -> list[LateItem]:
    """('q3', 8) or ('q3a', 2, 'q3'): key, minutes and parent; the label is the key."""
    return [LateItem(spec[0], spec[0].upper(), spec[1], *spec[2:]) for spec in specs]


def test_on_time_drops_nothing_and_keeps_the_reserve() -> None:
    plan = running_late(items(('q1', 8), ('q2', 8)), 0, slack=0, reserve=('Q9',))
    assert plan.drop == ()
    assert plan.reserve == ()
    assert plan.short == 0


def test_any_lateness_gives_up_the_reserve_first() -> None:
    plan = running_late(items(('q1', 8)), 1, slack=10, reserve=('Q8', 'Q9'))
    assert plan.reserve == ('Q8', 'Q9')
    assert plan.drop == ()


def test_slack_absorbs_lateness_before_any_core_item_goes() -> None:
    plan = running_late(items(('q1', 8), ('q2', 8)), 5, slack=12)
    assert (plan.absorbed, plan.drop, plan.freed) == (5, (), 0)
    plan = running_late(items(('q1', 8), ('q2', 8)), 15, slack=12)
    assert plan.absorbed == 12
    assert plan.drop == ('q2',)  # 3 minutes to find: the later question goes
    assert plan.freed == 8


def test_follow_ups_go_before_main_questions() -> None:
    later = items(('q1', 8), ('q1a', 2, 'q1'), ('q2', 8), ('q2a', 3, 'q2'))
    plan = running_late(later, 4, slack=0)
    # the later follow-up (3) then the earlier one (2): 5 minutes, no main question
    assert plan.drop == ('q1a', 'q2a')
    assert plan.freed == 5


def test_one_follow_up_is_enough_when_it_covers_the_lateness() -> None:
    later = items(('q1', 8), ('q1a', 2, 'q1'), ('q2', 8), ('q2a', 3, 'q2'))
    assert running_late(later, 3, slack=0).drop == ('q2a',)


def test_a_dropped_question_takes_its_follow_ups_and_extras_are_put_back() -> None:
    later = items(('q1', 6), ('q1a', 1, 'q1'), ('q2', 10), ('q2a', 1, 'q2'))
    plan = running_late(later, 9, slack=0)
    # Follow-ups (2 min) are not enough; q2 goes with q2a (11 min), and q1a, chosen
    # first, is not needed any more: it is put back.
    assert plan.drop == ('q2', 'q2a')
    assert plan.freed == 11
    assert plan.short == 0


def test_more_lateness_than_the_rest_of_the_plan_says_how_short() -> None:
    plan = running_late(items(('q1', 4), ('q2', 3)), 10, slack=1)
    assert plan.drop == ('q1', 'q2')
    assert plan.short == 10 - 1 - 7


def test_items_without_minutes_free_nothing_and_are_kept() -> None:
    plan = running_late(items(('q1', 0), ('q2', 5)), 3, slack=0)
    assert plan.drop == ('q2',)


def test_nothing_left_to_drop() -> None:
    plan = running_late([], 6, slack=2, reserve=('Q5',))
    assert (plan.drop, plan.short, plan.reserve) == ((), 4, ('Q5',))
