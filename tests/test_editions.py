"""Editions: what an edition leaves out is absent from every file of its output."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from conftest import MYST_CONF, Build

# One distinctive word per kind of content; search indexes stem words, so the checks
# look for a prefix, case-insensitively.
MODERATOR_ONLY = ('zanzibar', 'quokka')  # a moderator note; a moderator-only question
NOT_PUBLIC = ('xylophon', 'walrus', 'narwhal')  # a position, an internal block, a counter-argument

SOURCE = """\
# Theme

:::{panel} p1
:title: Panel one
:moderator: chair
:panellists: ana
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Alves
:::

::::{question} q1
:to: ana
:minutes: 5

Is screening enough?

:::{moderator-note}
Zanzibar: press her on the 2018 figures.
:::
::::

:::{question} q-defensive
:audience: moderator
:priority: defensive
:minutes: 4

What about the quokka affair?
:::

:::{question} q3
:to: ana
:minutes: 5

Who pays?
:::

::::{position} us-q1
:question: q1
:actor: United States
:stance: supports

Xylophone policy.

:::{counter-argument}
Narwhal objection.
:::
::::

:::{audience} internal
Walrus background for panellists.
:::

See {question}`q1`, {question}`q-defensive` and {position}`us-q1`.

```{question-index}
```

```{position-matrix}
```

```{run-of-show}
```

```{panellist-brief} ana
```

```{cue-cards}
```

```{agenda}
```
"""


def build_edition(project: Any, edition: str | None) -> Build:
    proj = project(name=edition or 'default')
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', SOURCE)
    return proj.build(**({'briefing_edition': edition} if edition else {}))


def output_text(outdir: Path) -> str:
    """Every file of the output folder as text; objects.inv decompressed."""
    parts = []
    for path in sorted(outdir.rglob('*')):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name == 'objects.inv':
            header_end = 0
            for _ in range(4):
                header_end = data.index(b'\n', header_end) + 1
            data = data[:header_end] + zlib.decompress(data[header_end:])
        parts.append(data.decode('utf-8', errors='replace'))
    return '\n'.join(parts).lower()


@pytest.mark.parametrize(
    ('edition', 'present', 'absent'),
    [
        (None, MODERATOR_ONLY + NOT_PUBLIC, ()),
        ('moderator', MODERATOR_ONLY + NOT_PUBLIC, ()),
        ('panellist', NOT_PUBLIC, MODERATOR_ONLY),
        ('public', (), MODERATOR_ONLY + NOT_PUBLIC),
    ],
)
def test_editions_leave_nothing_behind(
    project: Any, edition: str | None, present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    build = build_edition(project, edition)
    assert build.warnings() == []
    everything = output_text(build.outdir)
    for word in present:
        assert word in everything, word
    for word in absent:
        assert word not in everything, word
    # And nothing in the environment either (it is pickled next to the output).
    doctrees = Path(build.app.doctreedir)
    for path in doctrees.rglob('*'):
        if path.is_file():
            data = path.read_bytes().lower()
            for word in absent:
                assert word.encode() not in data, (word, path.name)


def test_numbers_are_the_same_in_every_edition(project: Any) -> None:
    numbers = {}
    for edition in ('moderator', 'public'):
        build = build_edition(project, edition)
        soup = BeautifulSoup(build.html('index'), 'html.parser')
        numbers[edition] = [
            n.get_text()
            for n in soup.select(
                'div.briefing-question > p.briefing-header > strong.briefing-number'
            )
        ]
        see = next(p for p in soup.select('p') if p.get_text().startswith('See'))
        numbers[edition + '-refs'] = see.get_text(' ', strip=True)
    assert numbers['moderator'] == ['Q1', 'Q2', 'Q3']
    assert numbers['public'] == ['Q1', 'Q3']
    assert numbers['moderator-refs'] == 'See Q1 , Q2 and United States on Q1 .'
    assert numbers['public-refs'] == 'See Q1 , Q2 and (not in this edition) .'


def test_public_run_of_show_keeps_the_clock(project: Any) -> None:
    texts = {}
    for edition in ('moderator', 'public'):
        soup = BeautifulSoup(build_edition(project, edition).html('index'), 'html.parser')
        texts[edition] = soup.select_one('div.briefing-run-of-show').get_text(' ', strip=True)
    assert '14:' not in texts['public']  # no start time: elapsed clock
    assert '+0:05 5 Q3 Who pays?' in texts['moderator']
    assert '+0:05 5 Q3 Who pays?' in texts['public']


def test_a_withheld_reserve_question_is_left_out_of_the_run_of_show(project: Any) -> None:
    """A timed question keeps its row in every edition (the clock); an untimed one (a
    reserve or defensive question) that the edition withholds is simply not listed."""
    reserves = {}
    for edition in ('moderator', 'public'):
        soup = BeautifulSoup(build_edition(project, edition).html('index'), 'html.parser')
        run = soup.select_one('div.briefing-run-of-show')
        reserves[edition] = [
            row.get_text(' ', strip=True)
            for row in run.select('table.briefing-run-of-show-reserve tbody tr')
        ]
        reserves[edition + '-text'] = run.get_text(' ', strip=True)
    assert reserves['moderator'] == ['Q2 What about the quokka affair? 4 Defensive']
    assert reserves['public'] == []
    assert 'Reserve questions' in reserves['moderator-text']
    assert 'Reserve questions' not in reserves['public-text']
    assert 'not in this edition' not in reserves['public-text']


def test_unknown_edition_falls_back_to_public(project: Any) -> None:
    build = build_edition(project, 'panelists-and-friends')
    warnings = build.warnings()
    assert [w.type for w in warnings] == ['briefing.unknown_edition']
    everything = output_text(build.outdir)
    for word in MODERATOR_ONLY + NOT_PUBLIC:
        assert word not in everything


def test_unknown_audience_is_moderator_only(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', '# T\n\n:::{audience} friends\nOkapi text.\n:::\n')
    build = proj.build(briefing_edition='panellist')
    (warning,) = build.warnings()
    assert (warning.type, warning.line) == ('briefing.unknown_edition', 3)
    assert 'okapi' not in output_text(build.outdir)


def pages_text(outdir: Path) -> str:
    """The text of every HTML page and of briefing.json (not the stylesheet, which styles
    cards whether or not a build has them)."""
    files = [*sorted(outdir.rglob('*.html')), outdir / 'briefing.json']
    return '\n'.join(path.read_text(encoding='utf-8') for path in files).lower()


@pytest.mark.parametrize(
    ('edition', 'cards_from', 'has_cards'),
    [
        ('moderator', None, True),
        ('panellist', None, False),
        ('public', None, False),
        ('panellist', 'panellist', True),
        ('public', 'panellist', False),
    ],
)
def test_cue_cards_are_for_the_moderator_unless_configured(
    project: Any, edition: str, cards_from: str | None, has_cards: bool
) -> None:
    proj = project(name=f'{edition}-{cards_from}')
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', SOURCE)
    settings = {'briefing_edition': edition}
    if cards_from:
        settings['briefing_cue_cards_edition'] = cards_from
    build = proj.build(**settings)
    assert build.warnings() == []
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    cards = soup.select('div.briefing-card')
    text = pages_text(build.outdir)
    if not has_cards:
        # no card, and no word of them: not even a note that they were left out
        assert cards == []
        for word in ('briefing-card', 'cue-card', 'cue card', 'card 1 of'):
            assert word not in text, word
        latex = proj.build('latex', **settings)
        assert not list(latex.outdir.glob('cue-cards-*.tex'))
        return
    # q1 and q3 (the panel has no opening or closing), then the defensive question at
    # the back (withheld from the panellist edition, it keeps its card and number there)
    assert len(cards) == 3
    label = 'Moderator edition' if edition == 'moderator' else 'Panellist edition'
    for card in cards:
        top = card.select_one('p.briefing-card-top').get_text(' ', strip=True)
        assert top.startswith(f'Card {cards.index(card) + 1} of 3')
        assert 'Panel one' in top and label in top
    notes = [card for card in cards if 'Zanzibar' in card.get_text()]
    assert [cards.index(card) for card in notes] == ([0] if edition == 'moderator' else [])
    assert 'quokka' in cards[-1].get_text() if edition == 'moderator' else 'quokka' not in text


@pytest.mark.parametrize('edition', ['moderator', 'public'])
def test_the_agenda_shows_no_position_in_any_edition(project: Any, edition: str) -> None:
    build = build_edition(project, edition)
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    agenda = soup.select_one('div.briefing-agenda')
    text = agenda.get_text(' ', strip=True)
    assert 'Panel one' in text and 'Chair Person' in text and 'Ana Alves' in text
    assert [li.get_text(strip=True) for li in agenda.select('ol.briefing-agenda-themes li')] == [
        'Theme'
    ]
    for word in ('Xylophone', 'Narwhal', 'Zanzibar', 'quokka', 'Supports', 'screening'):
        assert word not in text, word
