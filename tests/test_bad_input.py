"""Bad input never breaks the build, never leaks, never goes quiet.

A table of bad inputs, each written once and built as MyST and as reStructuredText
where both apply, each in a document of its own in one shared project (so that one build
checks many rows), with the ``briefing.<subtype>`` and the place (document:line or
conf.py) expected. Every build must finish (no traceback) within a time limit; every row's
warning must be there (``-W`` would fail the build); rows holding restricted content are
built in every edition, and nothing restricted may reach any file of a narrower edition.

Cases tried beyond issue 19's list (each is a row or a test here, or in test_bib.py):
minutes and durations in hexadecimal, with an exponent, as a fraction, in full-width or
Arabic-Indic digits, negative, zero, in words, over a day, in the opening and closing;
start times 25:00, 14:60, 2pm, 14.30, 14:3 and in full-width digits; dates in words, with a
time, 30 February; ids with spaces; an unknown option on every directive (and, in rST, a
position on the question docutils used to drop); two moderators; a matrix naming unknown
actors or questions; a run of show or index of an unknown panel; questions held at every
depth inside containers an edition drops, with bad values of their own; an `audience`
with no edition, an unknown one, a misspelt one or an unknown option; a moderator's note
with an argument or with options; the broken fence of every briefing directive and an
unclosed one; a value of the wrong type for every ``briefing_*`` setting; .bib macros
undefined, defined through each other, or doubling at each of 60 steps (also with empty
values); a failing ``{ref}`` inside a body copied into a brief; warnings given while
writing a page, repeated when the page is not written again.
"""

from __future__ import annotations

import contextlib
import re
import signal
import types
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import MYST_CONF, RST_CONF, Build, Project, SeenWarning

#: seconds a build of a test project may take before it counts as a hang
BUILD_TIMEOUT = 240


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(signum: int, frame: types.FrameType | None) -> None:
        raise TimeoutError(f'build took more than {seconds} s')

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def build(proj: Project, *args: Any, **kwargs: Any) -> Build:
    """A build that must end (no hang) without an exception (no traceback)."""
    with time_limit(BUILD_TIMEOUT):
        return proj.build(*args, **kwargs)


# -- the inputs, written once for both syntaxes ----------------------------------------------


@dataclass(frozen=True)
class D:
    """A directive: name, argument, options, text, nested directives. ``mark`` is where
    the row's warning is expected. In ids, arguments, options and text, '@' stands for the
    row's name (ids are unique in the shared project) and ``R(kind,target)`` for a role."""

    name: str
    arg: str = ''
    opts: tuple[tuple[str, str], ...] = ()
    text: str = ''
    children: tuple[D, ...] = ()
    mark: bool = False
    #: the warning is this many lines below the directive's first line (roles in the text)
    offset: int = 0


_ROLE = re.compile(r'R\((\w+),([^)]*)\)')


def _height(d: D) -> int:
    return 1 + max((_height(c) for c in d.children), default=0)


def to_myst(d: D, lines: list[str], marks: list[int]) -> None:
    fence = ':' * (2 + _height(d))
    if d.mark:
        marks.append(len(lines) + 1 + d.offset)
    lines.append(f'{fence}{{{d.name}}} {d.arg}'.rstrip())
    lines.extend(f':{key}: {value}'.rstrip() for key, value in d.opts)
    if d.text or d.children:
        lines.append('')
    if d.text:
        lines.extend([*_ROLE.sub(r'{\1}`\2`', d.text).splitlines(), ''])
    for child in d.children:
        to_myst(child, lines, marks)
        lines.append('')
    lines.append(fence)


def to_rst(d: D, lines: list[str], marks: list[int], indent: str = '') -> None:
    if d.mark:
        marks.append(len(lines) + 1 + d.offset)
    lines.append(f'{indent}.. {d.name}:: {d.arg}'.rstrip())
    inner = indent + '   '
    lines.extend(f'{inner}:{key}: {value}'.rstrip() for key, value in d.opts)
    if d.text or d.children:
        lines.append('')
    if d.text:
        lines.extend(
            inner + line if line else '' for line in _ROLE.sub(r':\1:`\2`', d.text).splitlines()
        )
        lines.append('')
    for child in d.children:
        to_rst(child, lines, marks, inner)
        lines.append('')


@dataclass(frozen=True)
class Row:
    """One bad input and what it must give."""

    name: str
    syntax: str  # 'md' | 'rst'
    source: str  # the document, '@' standing for the row's name
    subtype: str | None  # expected 'briefing.<subtype>' (None: the row expects no warning)
    line: int | None  # expected line in the document
    #: text that only fuller editions may show: (token, the narrowest edition showing it)
    secret: tuple[str, str] | None = None
    #: question ids (without the '@' prefix) that must survive the bad input
    survives: tuple[str, ...] = ()
    #: the narrowest edition that reads the input (and warns about it)
    audience: str = 'public'

    @property
    def docname(self) -> str:
        return self.name

    @property
    def filename(self) -> str:
        return f'{self.name}.{self.syntax}'


def _prefixed(text: str, name: str) -> str:
    return text.replace('@', f'{name}-')


def twins(
    key: str,
    directives: Sequence[D],
    subtype: str | None,
    *,
    syntaxes: Sequence[str] = ('md', 'rst'),
    secret: str | None = None,
    survives: tuple[str, ...] = (),
    audience: str = 'public',
) -> list[Row]:
    """The rows of one input, as MyST and as reStructuredText."""
    rows = []
    for syntax in syntaxes:
        name = f'{key}-{syntax}'
        lines: list[str] = []
        marks: list[int] = []
        if syntax == 'md':
            lines += [f'# Row {name}', '']
            for d in directives:
                to_myst(d, lines, marks)
                lines.append('')
        else:
            lines += [f'Row {name}', '=' * (4 + len(name)), '']
            for d in directives:
                to_rst(d, lines, marks)
                lines.append('')
        assert len(marks) <= 1, key
        source = _prefixed('\n'.join(lines), name)
        token = (f'SECRET{name.replace("-", "")}', secret) if secret else None
        if token:
            source = source.replace('SECRET', token[0])
        rows.append(
            Row(
                name,
                syntax,
                source,
                subtype,
                marks[0] if marks else None,
                secret=token,
                survives=tuple(_prefixed(q, name) for q in survives),
                audience=audience,
            )
        )
    return rows


def myst(
    key: str, body: str, subtype: str | None, line: int | None, *, secret: str | None = None
) -> Row:
    """A MyST-only row written out: *line* counts from the first line of *body*."""
    name = f'{key}-md'
    token = (f'SECRET{name.replace("-", "")}', secret) if secret else None
    source = f'# Row {name}\n\n' + _prefixed(body, name)
    if token:
        source = source.replace('SECRET', token[0])
    return Row(name, 'md', source, subtype, None if line is None else line + 2, secret=token)


def q(qid: str = '@q', *opts: tuple[str, str], text: str = 'A question?', **kw: Any) -> D:
    return D('question', qid, tuple(opts), text, **kw)


def panel(pid: str, *opts: tuple[str, str], mark: bool = True) -> D:
    return D('panel', pid, (('title', f'Panel {pid}'), *opts), mark=mark)


def minutes_rows() -> list[Row]:
    rows: list[Row] = []
    bad_minutes = {
        'superscript': '²',
        'digits5000': '9' * 5000,
        'fraction': '7.5',
        'negative': '-3',
        'arabic': '٣',
        'fullwidth': '５',
        'overday': '1441',
        'hex': '0x10',
        'exponent': '1e3',
        'words': 'five',
        'huge': '5000000000',
    }
    for key, value in bad_minutes.items():
        rows += twins(f'min-{key}', [q('@q', ('minutes', value), mark=True)], 'bad_minutes')
    bad_durations = {
        'overflow': '5000000000',
        'zero': '0',
        'words': 'sixty',
        'superscript': '²',
        'digits5000': '9' * 5000,
        'overday': '1441',
        'negative': '-5',
        'arabic': '٦٠',
    }
    for key, value in bad_durations.items():
        rows += twins(
            f'dur-{key}',
            [panel('@p', ('start', '14:00'), ('duration', value))],
            'bad_duration',
        )
    for key, value in {'opening': '²', 'closing': '99999999999'}.items():
        rows += twins(
            f'panel-{key}', [panel('@p', ('start', '14:00'), (key, value))], 'bad_minutes'
        )
    return rows


def panel_rows() -> list[Row]:
    rows: list[Row] = []
    bad_times = {
        'arabic': '١٤:٣٠',
        'fullwidth': '１４:３０',
        'hour25': '25:00',
        'minute60': '14:60',
        'pm': '2pm',
        'short': '14:3',
        'dot': '14.30',
    }
    for key, value in bad_times.items():
        rows += twins(f'start-{key}', [panel('@p', ('start', value))], 'bad_time')
    bad_dates = {
        'feb30': '2019-02-30',
        'arabic': '٢٠١٩-١١-٢٠',
        'words': '20 Nov 2019',
        'datetime': '2019-11-20T10:00',
    }
    for key, value in bad_dates.items():
        rows += twins(f'date-{key}', [panel('@p', ('date', value))], 'bad_date')
    bad_zones = {
        'unknown': 'Mars/Olympus_Mons',
        'folder': 'Asia',
        'path': '../../etc/passwd',
        'offset': '+09:00',
        'abbreviation': 'JST',
    }
    for key, value in bad_zones.items():
        rows += twins(
            f'tz-{key}',
            [panel('@p', ('date', '2019-11-20'), ('start', '14:00'), ('timezone', value))],
            'bad_timezone',
        )
    # A panel with a time zone wants a calendar file, which needs a date and a start.
    rows += twins(
        'tz-no-date', [panel('@p', ('start', '14:00'), ('timezone', 'UTC'))], 'no_calendar'
    )
    rows += twins(
        'tz-no-start', [panel('@p', ('date', '2019-11-20'), ('timezone', 'UTC'))], 'no_calendar'
    )
    rows += twins('status', [panel('@p', ('status', 'maybe'))], 'bad_option')
    rows += twins('two-mods', [panel('@p', ('moderator', 'chair, ana'))], 'bad_option')
    rows += twins(
        'mod-also-panellist',
        [panel('@p', ('moderator', 'chair'), ('panellists', 'ana, chair'))],
        'bad_option',
    )
    rows += twins(
        'panellist-twice',
        [panel('@p', ('moderator', 'chair'), ('panellists', 'ana, ana'))],
        'bad_option',
    )
    rows += twins('panel-unknown-option', [panel('@p', ('minuts', '5'))], 'bad_option')
    rows += twins('panel-bad-id', [panel('@p x')], 'bad_option')
    rows += twins(
        'panel-unknown-moderator', [panel('@p', ('moderator', 'nobody'))], 'unknown_participant'
    )
    rows += twins(
        'empty-panel',
        [panel('@p', mark=False), q('@q', ('panel', '@p'), ('to', 'ana'), mark=True)],
        'not_on_panel',
    )
    rows += twins(
        'participant-unknown-option',
        [D('participant', '@x', (('name', 'X'), ('affilation', 'Y')), mark=True)],
        'bad_option',
    )
    rows += twins(
        'participant-twice',
        [D('participant', '@x', (('name', 'X'),)), D('participant', '@x', mark=True)],
        'duplicate_id',
    )
    return rows


def question_rows() -> list[Row]:
    rows: list[Row] = []
    rows += twins('priority', [q('@q', ('priority', 'urgent'), mark=True)], 'bad_option')
    rows += twins('to-twice', [q('@q', ('to', 'ana, ana'), mark=True)], 'bad_option')
    rows += twins('to-unknown', [q('@q', ('to', 'nobody'), mark=True)], 'unknown_participant')
    rows += twins('to-outsider', [q('@q', ('to', 'outsider'), mark=True)], 'not_on_panel')
    rows += twins('panel-unknown', [q('@q', ('panel', 'p9'), mark=True)], 'unknown_panel')
    rows += twins(
        'follow-up-unknown', [q('@q', ('follow-up-of', 'zz'), mark=True)], 'unknown_question'
    )
    rows += twins(
        'follow-up-disagrees',
        [
            q('@a'),
            q('@b', children=(q('@c', ('follow-up-of', '@a'), text='Which?', mark=True),)),
        ],
        'bad_follow_up',
    )
    rows += twins(
        'follow-up-of-follow-up',
        [q('@a', children=(q('@b', children=(q('@c', text='Deeper?', mark=True),)),))],
        'bad_follow_up',
    )
    rows += twins(
        'follow-up-cycle',
        [q('@a', ('follow-up-of', '@b'), mark=True), q('@b', ('follow-up-of', '@a'))],
        'bad_follow_up',
    )
    rows += twins(
        'question-unknown-option',
        [q('@q', ('minuts', '5'), mark=True)],
        'bad_option',
        survives=('@q',),
    )
    rows += twins(
        'question-unknown-option-then-position',
        [
            q('@q', ('minuts', '5'), mark=True),
            D('position', '', (('question', '@q'), ('actor', 'US'), ('stance', 'supports'))),
        ],
        'bad_option',
        survives=('@q',),
    )
    rows += twins(
        'audience-unknown', [q('@q', ('audience', 'everyone'), mark=True)], 'unknown_edition'
    )
    rows += twins('question-bad-id', [q('@q x', mark=True)], 'bad_option')
    rows += twins('question-twice', [q('@q'), q('@q', mark=True)], 'duplicate_id')
    rows += twins('only-latex', [D('only', 'latex', children=(q('@q', mark=True),))], 'conditional')
    rows += twins(
        'position-stance',
        [
            q('@q'),
            D(
                'position',
                '',
                (('question', '@q'), ('actor', 'US'), ('stance', 'adores')),
                mark=True,
            ),
        ],
        'unknown_stance',
        audience='panellist',
    )
    rows += twins(
        'position-no-stance',
        [q('@q'), D('position', '', (('question', '@q'), ('actor', 'US')), mark=True)],
        'unknown_stance',
        audience='panellist',
    )
    rows += twins(
        'position-no-actor',
        [q('@q'), D('position', '', (('question', '@q'), ('stance', 'mixed')), mark=True)],
        'bad_option',
        audience='panellist',
    )
    rows += twins(
        'position-unknown-question',
        [D('position', '', (('question', 'zz'), ('actor', 'US'), ('stance', 'mixed')), mark=True)],
        'unknown_question',
        audience='panellist',
    )
    rows += twins(
        'position-unknown-option',
        [
            D(
                'position',
                '',
                (('topic', 'T'), ('actor', 'US'), ('stance', 'mixed'), ('sorce', 'x')),
                mark=True,
            )
        ],
        'bad_option',
        audience='panellist',
    )
    rows += twins(
        'position-audience',
        [
            D(
                'position',
                '',
                (('topic', 'T'), ('actor', 'US'), ('stance', 'mixed'), ('audience', 'press')),
                mark=True,
            )
        ],
        'unknown_edition',
        audience='panellist',
    )
    rows += twins(
        'counter-unknown-option',
        [D('counter-argument', '', (('audence', 'public'),), 'A reply.', mark=True)],
        'bad_option',
        audience='panellist',
    )
    rows += twins(
        'audience-bogus',
        [D('audience', 'press', text='For the press.', mark=True)],
        'unknown_edition',
    )
    return rows


def lines(*opts: tuple[str, str], parts: tuple[D, ...] = (), mark: bool = False) -> D:
    """Lines to take on the row's own panel (so that rows do not collide)."""
    return D('lines-to-take', '', (('panel', '@p'), *opts), children=parts, mark=mark)


def part(name: str = 'top-line', text: str = 'Say this.', mark: bool = False) -> D:
    return D(name, '', (), text, mark=mark)


def pack_rows() -> list[Row]:
    """Objectives, lines to take and their parts, introductions and logistics: each on a
    panel of the row's own (@p, moderated by chair, with ana), so that rows never see
    each other's items."""
    own = panel('@p', ('moderator', 'chair'), ('panellists', 'ana'), mark=False)
    rows: list[Row] = []
    for name in ('objectives', 'logistics'):
        rows += twins(f'{name}-empty', [own, D(name, mark=True)], 'empty', audience='panellist')
        rows += twins(
            f'{name}-unknown-panel',
            [own, D(name, '', (('panel', 'p9'),), 'Text.', mark=True)],
            'unknown_panel',
            audience='panellist',
        )
        rows += twins(
            f'{name}-unknown-option',
            [own, D(name, '', (('pannel', '@p'),), 'Text.', mark=True)],
            'bad_option',
            audience='panellist',
        )
        rows += twins(
            f'{name}-secret',
            [own, D(name, '', (('panel', '@p'),), 'SECRET words.')],
            None,
            secret='panellist',
        )
    rows += twins(
        'logistics-moderator-secret',
        [own, D('logistics', '', (('audience', 'moderator'),), 'SECRET words.')],
        None,
        secret='moderator',
    )
    rows += twins(
        'lines-unknown-for',
        [own, lines(('for', 'nobody'), parts=(part(),), mark=True)],
        'unknown_participant',
        audience='panellist',
    )
    rows += twins(
        'lines-for-outsider',
        [own, lines(('for', 'outsider'), parts=(part(),), mark=True)],
        'not_on_panel',
        audience='panellist',
    )
    rows += twins(
        'lines-for-two',
        [own, lines(('for', 'ana, chair'), parts=(part(),), mark=True)],
        'bad_option',
        audience='panellist',
    )
    rows += twins(
        'lines-empty', [own, lines(('for', 'ana'), mark=True)], 'empty', audience='panellist'
    )
    rows += twins(
        'lines-twice',
        [
            own,
            lines(('for', 'ana'), parts=(part(),)),
            lines(('for', 'ana'), parts=(part(),), mark=True),
        ],
        'duplicate_id',
        audience='panellist',
    )
    rows += twins(
        'lines-host-twice',
        [own, lines(parts=(part(),)), lines(parts=(part(),), mark=True)],
        'duplicate_id',
        audience='moderator',
    )
    rows += twins(
        'lines-public',
        [own, lines(('audience', 'public'), parts=(part(),), mark=True)],
        'bad_option',
    )
    rows += twins(
        'lines-unknown-option',
        [own, lines(('four', 'ana'), parts=(part(),), mark=True)],
        'bad_option',
        audience='moderator',
    )
    rows += twins(
        'lines-host-secret',
        [own, lines(parts=(part(text='SECRET words.'),))],
        None,
        secret='moderator',
    )
    rows += twins(
        'lines-own-secret',
        [own, lines(('for', 'ana'), parts=(part('if-pressed', 'SECRET words.'),))],
        None,
        secret='panellist',
    )
    rows += twins(
        'part-outside',
        [own, part('avoid', 'SECRET words.', mark=True)],
        'bad_part',
        audience='panellist',
        secret='panellist',
    )
    rows += twins(
        'part-twice',
        [own, lines(('for', 'ana'), parts=(part(), part(mark=True)))],
        'bad_part',
        audience='panellist',
    )
    rows += twins(
        'part-empty',
        [own, lines(('for', 'ana'), parts=(part(), D('avoid', mark=True)))],
        'empty',
        audience='panellist',
    )
    rows += twins(
        'part-option',
        [own, lines(('for', 'ana'), parts=(D('avoid', '', (('for', 'ana'),), 'X.', mark=True),))],
        'bad_option',
        audience='panellist',
    )
    intro = 'Our guest.'
    rows += twins(
        'intro-unknown',
        [own, D('introduction', 'nobody', (('panel', '@p'),), intro, mark=True)],
        'unknown_participant',
        audience='moderator',
    )
    rows += twins(
        'intro-outsider',
        [own, D('introduction', 'outsider', (('panel', '@p'),), intro, mark=True)],
        'not_on_panel',
        audience='moderator',
    )
    rows += twins(
        'intro-no-argument',
        [own, D('introduction', '', (('panel', '@p'),), intro, mark=True)],
        'bad_option',
        audience='moderator',
    )
    rows += twins(
        'intro-empty',
        [own, D('introduction', 'ana', (('panel', '@p'),), mark=True)],
        'empty',
        audience='moderator',
    )
    rows += twins(
        'intro-twice',
        [
            own,
            D('introduction', 'ana', (('panel', '@p'),), intro),
            D('introduction', 'ana', (('panel', '@p'),), intro, mark=True),
        ],
        'duplicate_id',
        audience='moderator',
    )
    rows += twins(
        'opening-twice',
        [
            own,
            D('introduction', 'opening', (('panel', '@p'),), intro),
            D('introduction', 'opening', (('panel', '@p'),), intro, mark=True),
        ],
        'duplicate_id',
        audience='moderator',
    )
    rows += twins(
        'intro-public',
        [own, D('introduction', 'ana', (('audience', 'all'),), intro, mark=True)],
        'bad_option',
    )
    rows += twins(
        'intro-secret',
        [own, D('introduction', 'closing', (('panel', '@p'),), 'SECRET words.')],
        None,
        secret='moderator',
    )
    rows += twins(
        'intro-panellist-secret',
        [own, D('introduction', 'ana', (('audience', 'panellist'),), 'SECRET words.')],
        None,
        secret='panellist',
    )
    return rows


def collection_rows() -> list[Row]:
    rows: list[Row] = []
    rows += twins(
        'index-group', [D('question-index', '', (('group-by', 'colour'),), mark=True)], 'bad_option'
    )
    rows += twins(
        'index-panel', [D('question-index', '', (('panel', 'p9'),), mark=True)], 'unknown_panel'
    )
    rows += twins(
        'ros-panel', [D('run-of-show', '', (('panel', 'p9'),), mark=True)], 'unknown_panel'
    )
    rows += twins(
        'brief-unknown', [D('panellist-brief', 'nobody', mark=True)], 'unknown_participant'
    )
    rows += twins(
        'cards-panel',
        [D('cue-cards', '', (('panel', 'p9'),), mark=True)],
        'unknown_panel',
        audience='moderator',
    )
    rows += twins('agenda-panel', [D('agenda', '', (('panel', 'p9'),), mark=True)], 'unknown_panel')
    rows += twins(
        'matrix-questions',
        [D('position-matrix', '', (('questions', 'zz'),), mark=True)],
        'unknown_question',
        audience='panellist',
    )
    rows += twins(
        'matrix-actors',
        [D('position-matrix', '', (('actors', 'Atlantis'),), mark=True)],
        'bad_option',
        audience='panellist',
    )
    rows += twins(
        'matrix-option',
        [D('position-matrix', '', (('actor', 'US'),), mark=True)],
        'bad_option',
        audience='panellist',
    )
    for kind, subtype in (
        ('question', 'unknown_question'),
        ('participant', 'unknown_participant'),
        ('panel', 'unknown_panel'),
        ('position', 'unknown_position'),
    ):
        rows += twins(
            f'role-{kind}',
            [D('question', '@q', (), f'See R({kind},nope).', mark=True, offset=2)],
            subtype,
        )
    return rows


#: restricted containers: (directive, argument, options, narrowest edition that shows it)
RESTRICTED = (
    ('moderator-note', '', (), 'moderator'),
    ('audience', 'moderator', (), 'moderator'),
    ('audience', 'panellist', (), 'panellist'),
    ('position', '', (('topic', 'T'), ('actor', 'US'), ('stance', 'mixed')), 'panellist'),
    ('counter-argument', '', (), 'panellist'),
    ('question', '@hidden', (('audience', 'moderator'),), 'moderator'),
)


def odd_restricted_rows() -> list[Row]:
    """Restricted directives written wrongly: they fail safe, with a warning."""
    rows: list[Row] = []
    rows += twins(
        'audience-no-edition',
        [D('audience', '', text='SECRET words.', mark=True)],
        'unknown_edition',
        secret='moderator',
    )
    rows += twins(
        'audience-unknown-option',
        [D('audience', 'moderator', (('foo', 'bar'),), 'SECRET words.', mark=True)],
        'bad_option',
        secret='moderator',
    )
    rows += twins(
        'note-with-option',
        [D('moderator-note', '', (('audience', 'public'),), 'SECRET words.', mark=True)],
        'bad_option',
        secret='moderator',
    )
    rows += twins(
        'note-with-argument',
        [D('moderator-note', 'Press on SECRET', (), 'More words.')],
        None,
        secret='moderator',
    )
    # What a dropped container's questions say is said in every edition, at the same line.
    rows += twins(
        'hold-bad-minutes',
        [D('moderator-note', '', (), 'Words.', (q('@in', ('minutes', '²'), mark=True),))],
        'bad_minutes',
    )
    rows += twins(
        'hold-after-first-line',
        [D('moderator-note', 'Remember', (), 'Words.', (q('@in', ('minutes', '²'), mark=True),))],
        'bad_minutes',
    )
    rows += twins(
        'hold-bad-priority',
        [
            D(
                'audience',
                'panellist',
                (),
                'Words.',
                (q('@a'), q('@in', ('priority', 'soon'), mark=True)),
            )
        ],
        'bad_option',
    )
    rows += twins(
        'panellist-audience-spelling',
        [D('audience', 'internal', text='SECRET words.')],
        None,
        secret='panellist',
    )
    return rows


def restricted_rows() -> list[Row]:
    """Questions inside containers that narrower editions drop: numbers and clock times
    must not move, and nothing of the container may show."""
    rows: list[Row] = []
    for index, (name, arg, opts, audience) in enumerate(RESTRICTED):
        inner = q('@in', ('minutes', '4'), text='SECRET inner question?')
        if name == 'question':
            container = D(name, arg, opts, 'SECRET words.', (inner,))
        else:
            container = D(name, arg, opts, 'SECRET words.', (inner,))
        rows += twins(
            f'hold-{index}',
            [q('@before', ('minutes', '3')), container, q('@after', ('minutes', '2'))],
            None,
            secret=audience,
            survives=('@before', '@after'),
        )
        # The same inside a question: the inner question is its follow-up everywhere.
        rows += twins(
            f'hold-nested-{index}',
            [q('@outer', ('minutes', '3'), children=(container,)), q('@after', ('minutes', '1'))],
            None,
            secret=audience,
        )
    return rows


#: MyST fences broken by a backtick in the directive line
BROKEN = (
    ('moderator-note', '', 'moderator'),
    ('audience', 'moderator', 'moderator'),
    ('audience', 'panellist', 'panellist'),
    ('audience', 'press', 'moderator'),
    ('panellist-brief', 'ana', 'public'),
    ('position', '', 'panellist'),
    ('counter-argument', '', 'panellist'),
    ('question', '', 'public'),
    ('panel', 'px', 'public'),
    ('participant', 'px', 'public'),
    ('question-index', '', 'public'),
    ('position-matrix', '', 'panellist'),
    ('run-of-show', '', 'public'),
    ('bibliography', '', 'public'),
    ('break', '', 'public'),
    ('cue-cards', '', 'moderator'),
    ('agenda', '', 'public'),
    ('objectives', '', 'panellist'),
    ('logistics', '', 'panellist'),
    ('lines-to-take', '', 'moderator'),
    ('if-pressed', '', 'panellist'),
    ('introduction', 'ana', 'moderator'),
)


def broken_fence_rows() -> list[Row]:
    rows = []
    for index, (name, arg, audience) in enumerate(BROKEN):
        body = (
            f'```{{{name}}} {arg} Press on `x`\nSECRET first line.\n\nSECRET second.\n```\n\n'
            'After the fence.\n'
        )
        secret = audience if audience != 'public' else None
        rows.append(myst(f'broken-{index}', body, 'broken_fence', 1, secret=secret))
    # A question with its own audience, broken: fails safe by what it claims.
    rows.append(
        myst(
            'broken-question-audience',
            '```{question} Is `x` fine?\n:audience: moderator\nSECRET text.\n```\n',
            'broken_fence',
            1,
            secret='moderator',
        )
    )
    # Never closed: to the end of the document.
    rows.append(
        myst(
            'broken-unclosed',
            '```{moderator-note} `x`\nSECRET text.\n',
            'broken_fence',
            1,
            secret='moderator',
        )
    )
    return rows


def structure_rows() -> list[Row]:
    """Breaks, prefixes and pages' front matter (issue 21)."""
    rows: list[Row] = []
    rows += twins(
        'break-negative', [D('break', 'Tea', (('minutes', '-5'),), mark=True)], 'bad_minutes'
    )
    rows += twins('break-words', [D('break', '', (('minutes', 'ten'),), mark=True)], 'bad_minutes')
    rows += twins('break-empty', [D('break', 'Tea', mark=True)], 'bad_minutes')
    rows += twins(
        'break-panel',
        [D('break', 'Tea', (('minutes', '5'), ('panel', 'p9')), mark=True)],
        'unknown_panel',
    )
    rows += twins(
        'break-option',
        [D('break', 'Tea', (('minutes', '5'), ('lenght', '3')), mark=True)],
        'bad_option',
    )
    # in content an edition leaves out: the break still keeps the clock, and is checked
    rows += twins(
        'break-withheld',
        [
            D(
                'audience',
                'moderator',
                text='SECRET behind the break.',
                children=(D('break', '', (('minutes', '²'),), mark=True),),
            )
        ],
        'bad_minutes',
        secret='moderator',
    )
    rows += twins('prefix-space', [panel('@p', ('prefix', 'A B'))], 'bad_prefix')
    rows += twins('prefix-long', [panel('@p', ('prefix', 'X' * 40))], 'bad_prefix')
    rows += front_matter_rows()
    return rows


def front_matter_rows() -> list[Row]:
    """A page's front matter (MyST) or top field list (rST): (key, MyST front matter, rST
    fields, subtype, line in MyST, line in rST, narrowest edition showing the page)."""
    cases = (
        (
            'fm-panel',
            'briefing:\n  panel: p9',
            ':briefing-panel: p9',
            'unknown_panel',
            2,
            1,
            'public',
        ),
        (
            'fm-audience',
            'briefing:\n  audience: press',
            ':briefing-audience: press',
            'unknown_edition',
            2,
            1,
            'moderator',
        ),
        ('fm-list', 'briefing: [p1]', None, 'bad_front_matter', 2, 0, 'public'),
        ('fm-key', 'briefing:\n  panle: p1', None, 'bad_front_matter', 2, 0, 'public'),
    )
    rows = []
    for key, yaml_text, fields, subtype, md_line, rst_line, audience in cases:
        name = f'{key}-md'
        token = f'SECRET{name.replace("-", "")}'
        rows.append(
            Row(
                name,
                'md',
                f'---\n{yaml_text}\n---\n# Row {name}\n\n{token} text.\n',
                subtype,
                md_line,
                secret=(token, audience) if audience != 'public' else None,
            )
        )
        if fields is None:
            continue
        name = f'{key}-rst'
        token = f'SECRET{name.replace("-", "")}'
        title = f'Row {name}'
        rows.append(
            Row(
                name,
                'rst',
                f'{fields}\n\n{title}\n{"=" * len(title)}\n\n{token} text.\n',
                subtype,
                rst_line,
                secret=(token, audience) if audience != 'public' else None,
            )
        )
    return rows


def document_rows() -> list[Row]:
    return [
        *minutes_rows(),
        *structure_rows(),
        *panel_rows(),
        *question_rows(),
        *collection_rows(),
        *pack_rows(),
        *restricted_rows(),
        *odd_restricted_rows(),
        *broken_fence_rows(),
    ]


INDEX_MD = """\
# Book

:::{panel} p1
:title: Panel one
:date: 2019-11-20
:start: 14:00
:duration: 600
:moderator: chair
:panellists: ana, ben
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Alves
:::

:::{participant} ben
:name: Ben Brown
:::

:::{participant} outsider
:name: Out Sider
:::

```{toctree}
:glob:

*
```
"""

QUESTIONS_MD = """\
# Questions

```{question-index}
```

```{run-of-show}
```
"""


def write_project(proj: Project, rows: Sequence[Row], conf: str = MYST_CONF) -> None:
    proj.write('conf.py', conf)
    proj.write('index.md', INDEX_MD)
    proj.write('questions.md', QUESTIONS_MD)
    for row in rows:
        (proj.path / row.filename).write_text(row.source, encoding='utf-8')


def files_holding(root: Path, token: str) -> list[str]:
    needle = token.encode()
    return [
        path.relative_to(root).as_posix()
        for path in root.rglob('*')
        if path.is_file() and needle in path.read_bytes()
    ]


def derived_of(build: Build) -> Any:
    return build.app.env.get_domain('briefing').derived  # type: ignore[attr-defined]


ROWS = document_rows()
EDITION_RANK = {'public': 0, 'panellist': 1, 'moderator': 2}


def test_the_table_is_large_and_distinct() -> None:
    names = [row.name for row in ROWS] + [row.name for row in CONFIG_ROWS]
    assert len(names) == len(set(names))
    assert len(names) >= 200, len(names)


def _expected_warning(row: Row, warnings: list[SeenWarning]) -> None:
    here = [w for w in warnings if w.file == row.filename]
    wanted = f'briefing.{row.subtype}'
    assert any(w.type == wanted and w.line == row.line for w in here), (
        f'{row.name}: no {wanted} at line {row.line}:\n'
        + '\n'.join(f'  {w.line}: {w.text} [{w.type}]' for w in here)
    )


@pytest.fixture(scope='module')
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The shared project built in each edition, and again (the moderator's) without a
    change."""
    from sphinx.testing.util import SphinxTestApp

    def make_app(*args: Any, **kwargs: Any) -> SphinxTestApp:
        return SphinxTestApp(*args, **kwargs)

    proj = Project(tmp_path_factory.mktemp('bad') / 'src', make_app)
    conf = MYST_CONF + 'html_copy_source = True\nhtml_show_sourcelink = True\n'
    write_project(proj, ROWS, conf)
    builds = {}
    for edition in ('moderator', 'panellist', 'public'):
        result = build(proj, outdir_name=f'_build_{edition}', briefing_edition=edition)
        builds[edition] = types.SimpleNamespace(
            warnings=result.warnings(),
            derived=derived_of(result),
            root=proj.path / f'_build_{edition}',
        )
    again = build(proj, outdir_name='_build_moderator', briefing_edition='moderator')
    builds['again'] = types.SimpleNamespace(
        warnings=again.warnings(), read=again.read, written=again.written
    )
    return builds


@pytest.mark.parametrize('row', [row for row in ROWS if row.subtype], ids=lambda row: row.name)
def test_row_is_warned_at_its_place_in_every_edition(row: Row, editions: dict[str, Any]) -> None:
    for edition in ('moderator', 'panellist', 'public'):
        if EDITION_RANK[edition] >= EDITION_RANK[row.audience]:
            _expected_warning(row, editions[edition].warnings)


@pytest.mark.parametrize('row', [row for row in ROWS if row.secret], ids=lambda row: row.name)
def test_row_leaves_nothing_restricted_behind(row: Row, editions: dict[str, Any]) -> None:
    assert row.secret is not None
    token, audience = row.secret
    # The token is real: the moderator's edition shows it.
    assert files_holding(editions['moderator'].root / 'html', token)
    for edition in ('panellist', 'public'):
        found = files_holding(editions[edition].root, token)
        if EDITION_RANK[edition] < EDITION_RANK[audience]:
            assert not found, f'{edition} edition: {token} in {found}'


@pytest.mark.parametrize('row', [row for row in ROWS if row.survives], ids=lambda row: row.name)
def test_row_keeps_its_questions(row: Row, editions: dict[str, Any]) -> None:
    for edition in ('moderator', 'panellist', 'public'):
        questions = editions[edition].derived.questions
        missing = [qid for qid in row.survives if qid not in questions]
        assert not missing, (edition, missing)


def test_numbers_and_clock_times_are_the_same_in_every_edition(editions: dict[str, Any]) -> None:
    full = editions['moderator'].derived
    assert len(full.questions) > 100
    for edition in ('panellist', 'public'):
        derived = editions[edition].derived
        numbers = {qid: info.number for qid, info in derived.questions.items()}
        # every question counts in every edition: the same ids, the same numbers
        assert numbers == {qid: info.number for qid, info in full.questions.items()}, edition
        assert derived.schedules['p1'] == full.schedules['p1'], edition


def test_every_warning_has_a_place_and_a_type(editions: dict[str, Any]) -> None:
    for edition in ('moderator', 'panellist', 'public'):
        for warning in editions[edition].warnings:
            assert warning.file, warning
            if warning.type.startswith('briefing.'):
                continue
            # MyST's and docutils' own warnings about the same inputs come with ours
            assert warning.type.startswith(('myst.', 'docutils')) or not warning.type, warning


def test_a_rebuild_without_changes_warns_as_the_first_build(editions: dict[str, Any]) -> None:
    def ours(warnings: list[SeenWarning]) -> list[tuple[object, ...]]:
        return sorted(
            {(w.file, w.line, w.type, w.text) for w in warnings if w.type.startswith('briefing.')}
        )

    again = editions['again']
    assert again.read == []
    # no page of a document is written again: the warnings given while writing them
    # (roles whose target is unknown) are repeated from the last build
    rows = {row.filename.rsplit('.', 1)[0] for row in ROWS}
    assert not rows & set(again.written)
    first = ours(editions['moderator'].warnings)
    assert len(first) > 150
    assert any(text.startswith('unknown question') for *_place, text in first)
    assert ours(again.warnings) == first


# -- configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigRow:
    name: str  # row name
    value: str  # Python source of the value
    setting: str
    subtype: str = 'config'


def _config_rows() -> list[ConfigRow]:
    cases: dict[str, list[str]] = {
        'briefing_question_format': [
            "'Q'",
            "'{letter}'",
            "'{number[0]}'",
            "'{panel.nope}'",
            "'{number:>5000000}'",
            "'{nope}'",
            '42',
            "'{'",
            "'{panel:d}{number}'",
            "'{panel[3]}{number}'",
            "'{number!x}'",
            "'{number:{panel}}'",
            "''",
        ],
        'briefing_followup_format': [
            "'{parent}'",
            "'{letter}'",
            "'x'",
            "'{parent}{letter:>999}'",
            'None',
            "'{parent.x}{letter}'",
            "'{parent}{number:c}{letter:d}'",
        ],
        'briefing_stances': [
            '42',
            "'supports'",
            "{'supports': 3}",
            "{'agrees': {'colour': 'red'}}",
            "{'supports': {}, 'Supports': {}}",
            "{'agrees': {'lable': 'Agrees'}}",
            '[1, 2]',
            '{}',
            "{'': 'Empty'}",
        ],
        'briefing_bibfiles': ["'refs.bib'", '42', "['refs.bib', 3]", "{'refs.bib': 1}"],
        'briefing_citation_style': ['42', "''", "['apa']"],
        'briefing_pandoc': ['42', "['pandoc']"],
        'briefing_latex_briefs': ["'no'", '1', "'yes'"],
        'briefing_index_page_rows': ['-1', "'ten'", 'True', '2.5'],
        'briefing_edition': ['42', "['public']"],
        'briefing_status': ["'maybe'", '42'],
        # a file that is missing, not a zip file, or a zip file that is not a Word document
        'briefing_docx_reference': [
            "'missing.docx'",
            '42',
            "'refs.bib'",
            "['house.docx']",
            "'fake.docx'",  # a zip file with word/document.xml that is not a Word document
        ],
        'briefing_cue_cards_edition': ['42', "'everyone'"],
        'briefing_cue_card_late': ["'5'", '[0]', '[5, True]', '[2000]'],
        'briefing_cue_card_size': ["'a4'", '42'],
    }
    rows = []
    for setting, values in cases.items():
        for index, value in enumerate(values):
            rows.append(ConfigRow(f'conf-{setting}-{index}', value, setting))
    rows.append(
        ConfigRow('conf-edition-unknown', "'everyone'", 'briefing_edition', 'unknown_edition')
    )
    return rows


CONFIG_ROWS = _config_rows()


def _config_builds() -> list[list[ConfigRow]]:
    """Rows grouped into builds: one value of each setting per build."""
    by_setting: dict[str, list[ConfigRow]] = {}
    for row in CONFIG_ROWS:
        by_setting.setdefault(row.setting, []).append(row)
    groups: list[list[ConfigRow]] = []
    for rows in by_setting.values():
        for index, row in enumerate(rows):
            if index == len(groups):
                groups.append([])
            groups[index].append(row)
    return groups


CONFIG_GROUP_BODY = """\
# Config

:::{panel} p1
:title: Panel one
:date: 2019-11-20
:start: 14:00
:duration: 60
:moderator: chair
:::

:::{participant} chair
:name: Chair
:::

:::{question} a
:minutes: 3

First?

::::{question} a-more
Follow-up?
::::
:::

:::{question} b
Second?
:::

:::{position}
:question: a
:actor: US
:stance: supports

Yes.
:::

```{question-index}
```

```{run-of-show}
```
"""


@pytest.mark.parametrize(
    'group', _config_builds(), ids=lambda rows: '+'.join(r.name.split('-')[-1] for r in rows)
)
def test_config_values(project: Any, group: list[ConfigRow]) -> None:
    proj = project()
    lines = MYST_CONF.splitlines()
    where: dict[str, int] = {}
    for row in group:
        lines.append(f'{row.setting} = {row.value}')
        where[row.name] = len(lines)
    proj.write('conf.py', '\n'.join(lines) + '\n')
    proj.write('refs.bib', '@book{k, title = {T}, year = {2019}}\n')
    with zipfile.ZipFile(proj.path / 'fake.docx', 'w') as fake:
        fake.writestr('word/document.xml', '<not-word/>')
    proj.write('index.md', CONFIG_GROUP_BODY.replace(':::{question} b', ':::{question} b'))
    result = build(proj, 'html')
    warnings = result.warnings()
    for row in group:
        wanted = f'briefing.{row.subtype}'
        assert any(
            w.type == wanted and w.file == 'conf.py' and w.line == where[row.name] for w in warnings
        ), (row, [(w.file, w.line, w.type, w.text) for w in warnings])
    for warning in warnings:
        assert warning.file, warning  # every warning has a place
    # numbers stay told apart, whatever the formats were
    derived = derived_of(result)
    numbers = [info.number for info in derived.questions.values()]
    assert len(set(numbers)) == len(numbers) == 3, numbers
    assert all(len(number) <= 40 for number in numbers)


def test_unknown_language_with_a_panel_date(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF + "language = 'xx'\n")
    proj.write('index.md', CONFIG_GROUP_BODY)
    result = build(proj)
    warnings = result.warnings()
    assert any(
        w.type == 'briefing.config' and w.file == 'conf.py' and w.line == 3 for w in warnings
    ), warnings
    # the date is written as it was given, not in a language babel cannot name
    assert '2019-11-20' in result.html('index')


def test_stance_names_match_in_any_case(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF + "briefing_stances = {'Agrees': 'Agrees', 'Doubts': 'D'}\n")
    proj.write(
        'index.md',
        '# P\n\n:::{question} a\nQ?\n:::\n\n:::{position}\n:question: a\n:actor: US\n'
        ':stance: agrees\n:::\n',
    )
    result = build(proj)
    assert not [w for w in result.warnings() if w.type == 'briefing.unknown_stance']
    assert derived_of(result).positions[next(iter(derived_of(result).positions))].record.stance == (
        'agrees'
    )


# -- escaping ------------------------------------------------------------------------------------


def test_panel_title_is_escaped_in_the_domain_index(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# P\n\n:::{panel} p1\n:title: <img src=x onerror=alert(1)> & "q"\n:::\n\n'
        ':::{question} a\nQ?\n:::\n\n'
        # a second panel: the page then heads each panel's questions with its title
        ':::{panel} p2\n:title: Other\n:::\n\n:::{question} b\n:panel: p2\n\nR?\n:::\n',
    )
    result = build(proj)
    page = result.html('briefing-questions')
    assert '<img src=x' not in page
    assert '&lt;img src=x onerror=alert(1)&gt;' in page


def test_backslash_escapes_leave_no_nul_in_latex(project: Any) -> None:
    proj = project()
    proj.write('conf.py', RST_CONF)
    proj.write(
        'index.rst',
        'Escapes\n=======\n\n'
        'Under C:\\\\temp\n---------------\n\n'
        '.. question:: a\n\n   Is C:\\\\temp safe for \\*args and \\`ticks\\`?\n',
    )
    result = build(proj, 'latex')
    derived = derived_of(result)
    assert derived.questions['a'].text == 'Is C:\\temp safe for *args and `ticks`?'
    assert derived.questions['a'].record.topic == 'Under C:\\temp'
    for tex in result.outdir.glob('*.tex'):
        assert '\x00' not in tex.read_text(encoding='utf-8'), tex


def test_pdflatex_cannot_set_vietnamese(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# P\n\n:::{panel} p1\n:title: Panel\n:moderator: chair\n:::\n\n'
        ':::{participant} chair\n:name: Nguyễn Thị Minh Khai\n:::\n',
    )
    warnings = build(proj, 'latex').warnings()
    found = [w for w in warnings if w.type == 'briefing.unsupported_text']
    assert found and found[0].file == 'index.md' and found[0].line == 8, warnings
    assert 'xelatex' in found[0].text
    # the same project with an engine that can set it: no warning
    warnings = build(proj, 'latex', latex_engine='xelatex').warnings()
    assert not [w for w in warnings if w.type == 'briefing.unsupported_text']


def test_question_in_only_is_not_indexed_with_a_dead_link(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# P\n\n:::{question} a\nFirst?\n:::\n\n'
        '::::{only} latex\n:::{question} b\nSecond?\n:::\n::::\n\n'
        ':::{question} c\nThird?\n:::\n\n```{question-index}\n```\n',
    )
    result = build(proj)
    derived = derived_of(result)
    assert [derived.questions[x].number for x in 'abc'] == ['Q1', 'Q2', 'Q3']
    page = result.html('index')
    assert 'Second?' not in page
    assert 'question-b' not in page  # no link to an anchor this builder does not write


@pytest.mark.parametrize('syntax', ['md', 'rst'])
def test_roles_in_a_section_title_show_what_they_name(project: Any, syntax: str) -> None:
    proj = project()
    if syntax == 'md':
        proj.write('conf.py', MYST_CONF)
        proj.write(
            'index.md',
            '# P\n\n:::{participant} ana\n:name: Ana Alves\n:::\n\n'
            ':::{question} a\nFirst?\n:::\n\n'
            '## After {question}`a`, for {participant}`ana`\n\n:::{question} b\nSecond?\n:::\n\n'
            '```{question-index}\n```\n',
        )
    else:
        proj.write('conf.py', RST_CONF)
        proj.write(
            'index.rst',
            'P\n=\n\n.. participant:: ana\n   :name: Ana Alves\n\n.. question:: a\n\n   First?\n\n'
            'After :question:`a`, for :participant:`ana`\n'
            '-------------------------------------------\n\n'
            '.. question:: b\n\n   Second?\n\n.. question-index::\n',
        )
    result = build(proj)
    derived = derived_of(result)
    assert derived.questions['b'].record.topic == 'After Q1, for Ana Alves'
    assert [key for key, _infos in derived.index_groups('topic', '')] == [
        'P',
        'After Q1, for Ana Alves',
    ]
    assert '\x1b' not in result.html('index')


def test_unknown_language_is_warned_at_conf_py(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF + "language = 'xx'\n")
    proj.write('index.md', '# P\n\n:::{question} a\nFirst?\n:::\n')
    warnings = build(proj).warnings()
    ours = [(w.file, w.line, w.type) for w in warnings if w.type.startswith('briefing')]
    assert ours == [('conf.py', 3, 'briefing.config')]


# -- -W on every build, warnings said once, .bib places ---------------------------------------


def fails_under_w(proj: Project) -> bool:
    """Whether ``sphinx-build -W`` fails this build of *proj* (Sphinx 7.4 stops at the
    first warning; later versions finish the build and report the failure)."""
    from sphinx.errors import SphinxWarning

    try:
        result = build(proj, warningiserror=True)
    except SphinxWarning:
        return True
    return bool(result.app.statuscode)


#: (name, bad MyST, its fix): causes found while reading, in the step, and while writing
W_CASES = [
    ('bad-minutes', ':minutes: ²', ':minutes: 2'),
    ('unknown-stance', ':stance: maybe', ':stance: supports'),
    ('bad-date', ':date: 2019-02-30', ':date: 2019-02-28'),
    ('broken-fence', '```{moderator-note} Press on `x`\nSecret.\n```', 'Plain.'),
    ('unknown-question-role', 'See {question}`nope`.', 'See {question}`a`.'),
]


def _w_source(bad: str) -> str:
    text = '# P\n\n:::{panel} p1\n:date: 2019-02-28\n:::\n\n'
    text += ':::{question} a\n:minutes: 2\nQ?\n:::\n\n'
    text += ':::{position}\n:question: a\n:actor: US\n:stance: supports\n:::\n\n'
    if bad.startswith(':date:'):
        return text.replace(':date: 2019-02-28', bad)
    if bad.startswith(':minutes:'):
        return text.replace(':minutes: 2', bad)
    if bad.startswith(':stance:'):
        return text.replace(':stance: supports', bad)
    return text + bad + '\n\n```{toctree}\nother\n```\n'


@pytest.mark.parametrize(('name', 'bad', 'fixed'), W_CASES, ids=[case[0] for case in W_CASES])
def test_w_fails_every_build_while_the_cause_remains(
    project: Any, name: str, bad: str, fixed: str
) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('other.md', '# Other\n\nText.\n')
    source = _w_source(bad)
    if 'toctree' not in source:
        source += '\n```{toctree}\nother\n```\n'
    proj.write('index.md', source)
    assert fails_under_w(proj), 'first build'
    assert fails_under_w(proj), 'rebuild without changes'
    proj.edit('other.md', 'Text.', 'Other text.')
    assert fails_under_w(proj), 'rebuild after editing another page'
    proj.edit('index.md', bad, fixed)
    assert not fails_under_w(proj), 'the cause fixed'


@pytest.mark.parametrize('syntax', ['md', 'rst'])
def test_a_failing_reference_in_a_copied_body_is_warned_once(project: Any, syntax: str) -> None:
    # The question's body is copied into Ana's brief: its references are warned about at
    # the original only, Sphinx's own ({ref}) as well as ours.
    proj = project()
    if syntax == 'md':
        proj.write('conf.py', MYST_CONF)
        proj.write(
            'index.md',
            '# P\n\n:::{participant} ana\n:name: Ana\n:::\n\n:::{panel} p1\n:panellists: ana\n'
            ':::\n\n:::{question} a\n:to: ana\nSee {question}`nope`, {participant}`zed`, '
            '{ref}`nowhere` and [a link](#nowhere-else).\n:::\n\n:::{panellist-brief} ana\n:::\n',
        )
        line = 13
        theirs = [('index.md', line, 'myst.xref_missing')]
    else:
        proj.write('conf.py', RST_CONF)
        proj.write(
            'index.rst',
            'P\n=\n\n.. participant:: ana\n   :name: Ana\n\n.. panel:: p1\n   :panellists: ana\n\n'
            '.. question:: a\n   :to: ana\n\n   See :question:`nope`, :participant:`zed` and '
            ':ref:`nowhere`.\n\n.. panellist-brief:: ana\n',
        )
        line = 13
        theirs = []
    result = build(proj)
    assert result.html('index').count('nowhere') >= 2  # the body is shown twice
    said = [(w.file, w.line, w.type) for w in result.warnings()]
    page = f'index.{syntax}'
    assert sorted(said) == sorted(
        [
            (page, line, 'briefing.unknown_participant'),
            (page, line, 'briefing.unknown_question'),
            (page, line, 'ref.ref'),
            *theirs,
        ]
    )


def test_bib_problems_are_warned_at_their_line_in_a_build(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF + "briefing_bibfiles = ['refs.bib']\n")
    proj.write(
        'refs.bib',
        '@string{a = a # a}\n'
        '@book{k1, title = a, author = {Ann Bee}, year = 2001}\n'
        '@book{k1, title = {Again}, year = 2002}\n'
        '@book{k2, title = nope # {x}, year = 2003}\n',
    )
    proj.write('index.md', '# P\n\nSee {cite:p}`k1` and {cite:p}`k2`.\n')
    result = build(proj)
    said = sorted((w.file, w.line, w.type) for w in result.warnings())
    assert said == [
        ('refs.bib', 2, 'briefing.bib_syntax'),
        ('refs.bib', 3, 'briefing.duplicate_key'),
        ('refs.bib', 4, 'briefing.bib_syntax'),
    ]


def test_readme_lists_every_warning_type_with_its_place() -> None:
    from sphinx_briefing.warnings_ import Subtype

    readme = (Path(__file__).parent.parent / 'README.md').read_text(encoding='utf-8')
    rows = dict(re.findall(r'^\| `briefing\.(\w+)` \| ([^|]+) \|', readme, re.MULTILINE))
    assert set(rows) == {subtype.value for subtype in Subtype}
    places = ('document:line', '.bib line', '.json/.yaml line', 'conf.py')
    assert all(any(place in where for place in places) for where in rows.values()), rows


def test_a_warning_kept_with_a_page_goes_when_its_cause_is_fixed_elsewhere(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('other.md', '# Other\n\nText.\n')
    proj.write('index.md', '# P\n\nSee {question}`later`.\n\n```{toctree}\nother\n```\n')
    assert fails_under_w(proj)
    assert fails_under_w(proj)
    # The question appears in the other document: the page that names it is written again
    # and the warning kept with it is not repeated.
    proj.edit('other.md', 'Text.', ':::{question} later\nNow?\n:::\n')
    assert not fails_under_w(proj)


def test_pandoc_that_cannot_run_is_warned_at_its_setting(project: Any) -> None:
    proj = project()
    proj.write(
        'conf.py',
        MYST_CONF + "briefing_bibfiles = ['refs.bib']\nbriefing_pandoc = '/no/such/pandoc'\n",
    )
    proj.write('refs.bib', '@book{k, title = {T}, author = {Ann Bee}, year = 2001}\n')
    proj.write('index.md', '# P\n\nSee {cite:p}`k`.\n')
    said = [(w.file, w.line, w.type) for w in build(proj).warnings()]
    assert said == [('conf.py', 4, 'briefing.citeproc')]
