"""Who stands where on a question: its positions grouped by stance, and whether they
differ (what a moderator's brief shows as "views differ")."""

from __future__ import annotations

from collections.abc import Iterable

#: (stance, the actors holding it), in the order stances are first met
StanceGroups = tuple[tuple[str, tuple[str, ...]], ...]


def stance_groups(positions: Iterable[tuple[str, str]]) -> StanceGroups:
    """The (actor, stance) pairs of a question's positions, grouped by stance in reading
    order; an actor is listed once a stance however many positions say it. A position
    without a stance (warned about) belongs to no group."""
    groups: dict[str, list[str]] = {}
    for actor, stance in positions:
        if not stance or not actor:
            continue
        actors = groups.setdefault(stance, [])
        if actor not in actors:
            actors.append(actor)
    return tuple((stance, tuple(actors)) for stance, actors in groups.items())


def views_differ(groups: StanceGroups) -> bool:
    """Whether the positions on a question hold more than one stance. No ranking of
    stances is assumed (``briefing_stances`` is the author's vocabulary): any two
    different stances are a difference the moderator can draw out."""
    return len(groups) > 1


def split_actors(groups: StanceGroups) -> tuple[str, ...]:
    """Actors who hold more than one stance on the question (positions that contradict
    each other, or a change of view): listed so that the brief does not hide it."""
    seen: dict[str, int] = {}
    for _stance, actors in groups:
        for actor in actors:
            seen[actor] = seen.get(actor, 0) + 1
    return tuple(actor for actor, count in seen.items() if count > 1)
