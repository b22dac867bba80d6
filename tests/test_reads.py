"""Unit tests of the recorded reads' value texts (reads.canonical): the text decides
whether a page is written again, so equal values must give one text in every process, and
values a page shows differently must give different texts."""

from __future__ import annotations

import dataclasses
import enum
import os
import subprocess
import sys
from typing import NamedTuple

import pytest

from sphinx_briefing.reads import Log, canonical, digest


@dataclasses.dataclass(frozen=True)
class Record:
    qid: str
    line: int  # where it stands in its source: no page shows it
    tags: frozenset[str] = frozenset()


class Pair(NamedTuple):
    left: str
    right: int


class Kind(enum.StrEnum):
    CORE = 'core'


class Colour(enum.Enum):
    RED = 1


@pytest.mark.parametrize(
    ('one', 'other'),
    [
        ('1', 1),  # a number and its text
        ((1, 2), [1, 2]),  # a tuple and a list
        ((1, 2), (2, 1)),  # order of a sequence
        ({'a': 1, 'b': 2}, {'b': 2, 'a': 1}),  # order of a mapping: the order pages show
        (True, 1),
        (None, 'None'),
        (Record('q1', 3), Record('q2', 3)),
        (Record('q1', 3, frozenset({'a'})), Record('q1', 3, frozenset({'b'}))),
        (Kind.CORE, 'core'),
        (Colour.RED, 1),
        ((('a',),), ('a',)),
    ],
)
def test_values_a_page_shows_differently_have_different_texts(one: object, other: object) -> None:
    assert canonical(one) != canonical(other)
    assert digest(one) != digest(other)


def test_equal_values_have_one_text() -> None:
    assert canonical(Record('q1', 3)) == canonical(Record('q1', 99))  # moved, not changed
    assert canonical(Pair('x', 1)) == canonical(('x', 1))
    assert canonical({'b', 'a'}) == canonical(frozenset({'a', 'b'}))
    assert canonical([Record('q', 1, frozenset({'x', 'y'}))]) == canonical(
        [Record('q', 2, frozenset({'y', 'x'}))]
    )


def test_a_set_has_the_same_text_in_another_process() -> None:
    """A set's order follows the process's string hashing; its text must not."""
    value = ('q', frozenset(f'key-{n}' for n in range(40)), {'a': {'z', 'y', 'x'}})
    code = (
        'from sphinx_briefing.reads import canonical\n'
        "value = ('q', frozenset(f'key-{n}' for n in range(40)), {'a': {'z', 'y', 'x'}})\n"
        'print(canonical(value))\n'
    )
    texts = {
        subprocess.run(
            [sys.executable, '-c', code],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        ).stdout.strip()
        for seed in ('1', '2', '3')
    }
    assert texts == {canonical(value)}


def test_a_log_notes_a_read_once_and_shares_digests_between_pages() -> None:
    known: dict[object, bytes] = {}
    first, second = Log(known), Log(known)
    first.note(('item', 'questions', 'q1'), Record('q1', 1))
    first.note(('item', 'questions', 'q1'), Record('q1', 1))
    second.note(('item', 'questions', 'q1'), Record('changed', 1))  # one build, one value
    assert len(first.reads) == 1
    assert first.reads == second.reads
    # an argument that cannot be hashed is kept by its text
    first.note(('call', 'keys_within', ([1, 2],)), ('k',))
    assert len(first.reads) == 2
