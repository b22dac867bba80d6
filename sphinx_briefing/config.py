"""The ``briefing_*`` configuration values, their defaults and their validation.

Values read while parsing documents are registered with ``rebuild='env'`` so a change
re-reads the project. Values read only by the cross-document step after reading (number
formats) use ``rebuild=''``: that step runs on every build and rewrites exactly the pages
whose rendering changed.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_briefing.locale import _, __
from sphinx_briefing.model import AUDIENCE_ALIASES, EDITIONS, STATUSES
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config

DEFAULT_QUESTION_FORMAT = 'Q{number}'
DEFAULT_FOLLOWUP_FORMAT = '{parent}{letter}'
#: rows of a question index beyond which HTML builders split it into parts: a part of
#: 300 rows of eight columns is about 700 kB of HTML, which a phone still opens quickly,
#: and an edit rewrites only the part that shows it
DEFAULT_INDEX_PAGE_ROWS = 300
#: minutes behind for which each cue card says what to drop
DEFAULT_LATE = (5, 10)
#: cue-card sizes: name → (width, height) as LaTeX dimensions
CARD_SIZES = {'a6': ('105mm', '148mm'), '5x7': ('5in', '7in')}


@dataclass(frozen=True, slots=True)
class Stance:
    """One value of the stance vocabulary: shown as symbol and label, never colour alone."""

    name: str
    label: str
    symbol: str
    colour: str


def _default_stances() -> dict[str, dict[str, str]]:
    # Symbols are plain characters every builder (and pdflatex) can print.
    return {
        'supports': {'label': 'Supports', 'symbol': '+', 'colour': '#1b7f3b'},
        'opposes': {'label': 'Opposes', 'symbol': '−', 'colour': '#b3261e'},
        'mixed': {'label': 'Mixed', 'symbol': '±', 'colour': '#9a5b00'},
        'neutral': {'label': 'Neutral', 'symbol': '○', 'colour': '#5f6368'},
    }


_DEFAULT_LABELS = {
    # Listed here so that the message catalogue carries them; the defaults above are
    # translated through these when the user has not given labels of their own.
    'Supports': lambda: _('Supports'),
    'Opposes': lambda: _('Opposes'),
    'Mixed': lambda: _('Mixed'),
    'Neutral': lambda: _('Neutral'),
}


#: widest number a format may make (a width of millions would fill pages with spaces)
MAX_NUMBER_LENGTH = 40
#: the fields a number format may use; attribute and index access are not allowed
FORMAT_FIELDS = frozenset({'number', 'letter', 'parent', 'panel'})


def register(app: Sphinx) -> None:
    """Declare every value and connect validation to ``config-inited``."""
    # Types are checked by :func:`validate` (with conf.py as the place, and a fallback),
    # before Sphinx's own type check, which then finds nothing to say.
    app.add_config_value('briefing_question_format', DEFAULT_QUESTION_FORMAT, '', types=(str,))
    app.add_config_value('briefing_followup_format', DEFAULT_FOLLOWUP_FORMAT, '', types=(str,))
    app.add_config_value('briefing_stances', _default_stances(), 'env', types=(dict, list, tuple))
    # The edition decides what is parsed at all: anything it drops never reaches the
    # environment, so no output of the build can show it.
    app.add_config_value('briefing_edition', 'moderator', 'env', types=(str,))
    # Read only when pages are written (banners): a change rewrites the pages that show it.
    app.add_config_value('briefing_status', '', '', types=(str,))
    # Citations are loaded and formatted after reading, on every build (cached): a change
    # of these values reformats and rewrites exactly the pages that show citations.
    app.add_config_value('briefing_bibfiles', [], '', types=(list, tuple))
    if 'bibtex_bibfiles' not in app.config:
        # sphinxcontrib-bibtex's name, so that a project switches by changing one line.
        app.add_config_value('bibtex_bibfiles', [], '', types=(list, tuple))
    # The rest of sphinxcontrib-bibtex's settings (see citations/compat.py): the styles and
    # what is made when a document is read (headers, ids) reread the documents.
    for name in (
        'bibtex_default_style',
        'bibtex_reference_style',
        'bibtex_foot_reference_style',
        'bibtex_bibliography_header',
        'bibtex_footbibliography_header',
        'bibtex_cite_id',
        'bibtex_footcite_id',
        'bibtex_bibliography_id',
        'bibtex_footbibliography_id',
    ):
        if name not in app.config:
            app.add_config_value(name, '', 'env', types=(str,))
    # The .bib files' encoding (citations/step.py); tooltips are accepted and not made.
    if 'bibtex_encoding' not in app.config:
        app.add_config_value('bibtex_encoding', 'utf-8-sig', '', types=(str,))
    for name, default in (
        ('bibtex_tooltips', True),
        ('bibtex_tooltips_style', ''),
    ):
        if name not in app.config:
            app.add_config_value(name, default, '')
    app.add_config_value('briefing_citation_style', 'chicago-author-date', '', types=(str,))
    app.add_config_value('briefing_pandoc', '', '', types=(str,))
    # LaTeX: one PDF per panellist's brief beside the book (read when writing starts).
    app.add_config_value('briefing_latex_briefs', False, '', types=(bool,))
    # Read by the step after reading (which part holds each question's row).
    app.add_config_value('briefing_index_page_rows', DEFAULT_INDEX_PAGE_ROWS, '', types=(int,))
    # Cue cards: the least edition whose build has them (read when documents are parsed:
    # a fuller edition's cards never reach a narrower build); how late the "running late"
    # line plans for (read when the cards are written: a change rereads, so every card is
    # written again); the paper (HTML cards carry it as a class for print: a change
    # rereads too).
    app.add_config_value('briefing_cue_cards_edition', 'moderator', 'env', types=(str,))
    app.add_config_value('briefing_cue_card_late', list(DEFAULT_LATE), 'env', types=(list, tuple))
    app.add_config_value('briefing_cue_card_size', 'a6', 'env', types=(str,))
    # Before Sphinx's type check (800): a value is replaced by its default here.
    app.connect('config-inited', validate, priority=400)


def conf_location(app: Sphinx | Builder | None, name: str = '') -> str | None:
    """Where a configuration warning points: the line of conf.py that sets *name*, or
    conf.py itself (a value given with ``-D``, or set in a way that cannot be read).
    *app* is the application or a builder (either knows the configuration folder)."""
    confdir = getattr(app, 'confdir', None)
    if not confdir:
        return None
    path = Path(confdir) / 'conf.py'
    line = _assignments(str(path)).get(name)
    # Sphinx reads a location without ':' as a document name.
    return f'{path}:{line}' if line else f'{path}:'


@functools.lru_cache(maxsize=8)
def _assignments(path: str) -> dict[str, int]:
    """Top-level names assigned in a conf.py → the line of the last assignment."""
    try:
        tree = ast.parse(Path(path).read_text(encoding='utf-8'))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return {}
    lines: dict[str, int] = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Name):
                lines[target.id] = statement.lineno
    return lines


def validate(app: Sphinx, config: Config) -> None:
    """Warn about values the extension cannot use, at conf.py; a value of the wrong type
    is replaced by its default, so that nothing later meets it."""
    _assignments.cache_clear()  # conf.py may have changed since the last build

    def bad(message: str, subtype: Subtype = Subtype.CONFIG, name: str = '') -> None:
        warn(message, subtype, location=conf_location(app, name))

    def fallback(name: str, default: Any, wanted: str) -> None:
        bad(
            __('%s = %r is not %s; using %r')
            % (name, _short(getattr(config, name)), wanted, default),
            name=name,
        )
        setattr(config, name, default)

    for name, default in (
        ('briefing_question_format', DEFAULT_QUESTION_FORMAT),
        ('briefing_followup_format', DEFAULT_FOLLOWUP_FORMAT),
    ):
        value = getattr(config, name)
        problem = format_problem(value, followup=name == 'briefing_followup_format')
        if problem is not None:
            bad(
                __('%s = %r cannot be used (%s); using %r')
                % (name, _short(value), problem, default),
                name=name,
            )
            setattr(config, name, default)

    if not isinstance(config.briefing_stances, dict | list | tuple):
        fallback('briefing_stances', _default_stances(), __('a list or a dict of stances'))
    stances_from(config.briefing_stances, report=lambda text: bad(text, name='briefing_stances'))

    for name in ('briefing_edition', 'briefing_status', 'briefing_pandoc'):
        if not isinstance(getattr(config, name), str):
            default = 'moderator' if name == 'briefing_edition' else ''
            fallback(name, default, __('a string'))
    raw = config.briefing_edition.strip().lower()
    if AUDIENCE_ALIASES.get(raw, raw) not in EDITIONS:
        bad(
            __(
                'briefing_edition = %r is not one of %s; building the public edition, '
                'which leaves out everything that is not public'
            )
            % (_short(config.briefing_edition), ', '.join(EDITIONS)),
            Subtype.UNKNOWN_EDITION,
            'briefing_edition',
        )
    status = config.briefing_status.strip().lower()
    if status and status not in STATUSES:
        bad(
            __('briefing_status = %r is not one of %s; ignored')
            % (_short(config.briefing_status), ', '.join(STATUSES)),
            name='briefing_status',
        )

    style = config.briefing_citation_style
    if not isinstance(style, str) or not style.strip():
        fallback('briefing_citation_style', 'chicago-author-date', __('the name of a style'))

    for name in ('briefing_bibfiles', 'bibtex_bibfiles'):
        _check_bibfiles(config, name, functools.partial(bad, name=name))

    if not isinstance(config.briefing_latex_briefs, bool):
        fallback('briefing_latex_briefs', False, __('True or False'))

    rows = config.briefing_index_page_rows
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        fallback(
            'briefing_index_page_rows',
            DEFAULT_INDEX_PAGE_ROWS,
            __('a whole number of rows (0 or more)'),
        )

    _validate_cue_cards(config, bad, fallback)

    language = config.language
    if language and isinstance(language, str) and not _babel_knows(language):
        bad(
            __('language = %r is not a language babel knows: dates are written YYYY-MM-DD')
            % _short(language),
            name='language',
        )


def _validate_cue_cards(
    config: Config, bad: Callable[..., None], fallback: Callable[[str, Any, str], None]
) -> None:
    value = config.briefing_cue_cards_edition
    raw = value.strip().lower() if isinstance(value, str) else ''
    if AUDIENCE_ALIASES.get(raw, raw) not in EDITIONS:
        fallback('briefing_cue_cards_edition', 'moderator', __('one of %s') % ', '.join(EDITIONS))
    late = config.briefing_cue_card_late
    if not isinstance(late, list | tuple) or not all(
        isinstance(m, int) and not isinstance(m, bool) and 0 < m <= 24 * 60 for m in late
    ):
        fallback(
            'briefing_cue_card_late',
            list(DEFAULT_LATE),
            __('a list of whole numbers of minutes (1 to 1440)'),
        )
    size = config.briefing_cue_card_size
    if not isinstance(size, str) or size.strip().lower() not in CARD_SIZES:
        fallback('briefing_cue_card_size', 'a6', __('one of %s') % ', '.join(CARD_SIZES))


def cue_cards_edition(config: Config) -> str:
    """The least edition whose build has cue cards."""
    raw = str(config.briefing_cue_cards_edition).strip().lower()
    name = AUDIENCE_ALIASES.get(raw, raw)
    return name if name in EDITIONS else 'moderator'


def cue_card_late(config: Config) -> tuple[int, ...]:
    """Minutes behind for which each card says what to drop (sorted, once each)."""
    late = config.briefing_cue_card_late
    if not isinstance(late, list | tuple):
        return DEFAULT_LATE
    kept = {m for m in late if isinstance(m, int) and not isinstance(m, bool) and 0 < m <= 1440}
    return tuple(sorted(kept))


def cue_card_size_name(config: Config) -> str:
    """'a6' or '5x7'."""
    size = config.briefing_cue_card_size
    name = size.strip().lower() if isinstance(size, str) else 'a6'
    return name if name in CARD_SIZES else 'a6'


def cue_card_size(config: Config) -> tuple[str, str]:
    """(width, height) of a cue card, as LaTeX dimensions."""
    return CARD_SIZES[cue_card_size_name(config)]


def _check_bibfiles(config: Config, name: str, bad: Callable[[str], None]) -> None:
    if name not in config:
        return
    value = getattr(config, name)
    if isinstance(value, str | os.PathLike):
        # One file named without a list: read as the file, not letter by letter.
        bad(__('%s = %r should be a list of files; using [%r]') % (name, value, value))
        setattr(config, name, [os.fspath(value)])
        return
    if not isinstance(value, list | tuple):
        bad(__('%s = %r is not a list of files; using []') % (name, _short(value)))
        setattr(config, name, [])
        return
    kept = [os.fspath(item) for item in value if isinstance(item, str | os.PathLike)]
    if len(kept) != len(value):
        wrong = [item for item in value if not isinstance(item, str | os.PathLike)]
        bad(
            __('%s holds %s, which are not file names; ignored')
            % (name, ', '.join(repr(_short(item)) for item in wrong))
        )
        setattr(config, name, kept)


def _babel_knows(language: str) -> bool:
    import babel

    try:
        babel.Locale.parse(language.replace('-', '_'))
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return False
    return True


def _short(value: object, limit: int = 60) -> object:
    """A value as a warning quotes it: a long one is cut (a 5,000-character format must
    not fill the console)."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + '…'
    text = repr(value)
    if len(text) > limit:
        return f'{type(value).__name__} {text[:limit]}…'
    return value


def edition(config: Config) -> str:
    """The edition being built; an unknown name falls back to the most restricted one."""
    raw = str(config.briefing_edition).strip().lower()
    name = AUDIENCE_ALIASES.get(raw, raw)
    return name if name in EDITIONS else 'public'


def index_page_rows(config: Config) -> int:
    """Rows of a question index per part (0: never split); the default when unusable."""
    rows = config.briefing_index_page_rows
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        return DEFAULT_INDEX_PAGE_ROWS
    return rows


def project_status(config: Config) -> str:
    status = str(config.briefing_status).strip().lower()
    return status if status in STATUSES else ''


def format_problem(fmt: object, *, followup: bool = False) -> str | None:
    """Return why *fmt* is not a usable number format, or None if it is.

    A usable format uses only the four fields, without attribute or index access (which
    could fail on one panel id and not another), makes numbers of at most
    :data:`MAX_NUMBER_LENGTH` characters, and tells questions apart: two questions (two
    follow-ups of one question, follow-ups of two questions) never get the same number.
    """
    if not isinstance(fmt, str):
        return __('not a string')
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        return str(exc)
    for _literal, name, spec, _conversion in fields:
        if name is None:
            continue
        if name not in FORMAT_FIELDS:
            return __('unknown field {%s}: use {number}, {letter}, {parent} or {panel}') % name
        if spec and '{' in spec:
            return __('a field inside a format spec')
    samples = (
        [
            {'parent': 'Q1', 'letter': 'a', 'number': 1, 'panel': 'p'},
            {'parent': 'Q1', 'letter': 'b', 'number': 2, 'panel': 'p'},
            {'parent': 'Q2', 'letter': 'a', 'number': 1, 'panel': 'p'},
            {'parent': 'Q20', 'letter': 'zz', 'number': 702, 'panel': ''},
        ]
        if followup
        else [
            {'number': 1, 'letter': '', 'parent': '', 'panel': 'p'},
            {'number': 2, 'letter': '', 'parent': '', 'panel': 'p'},
            {'number': 1000, 'letter': '', 'parent': '', 'panel': ''},
        ]
    )
    made = []
    for sample in samples:
        width = max((_spec_width(spec) for _l, name, spec, _c in fields if name), default=0)
        if width > MAX_NUMBER_LENGTH:
            return __('numbers longer than %d characters') % MAX_NUMBER_LENGTH
        try:
            made.append(fmt.format(**sample))
        except Exception as exc:  # any failure of str.format means: not usable
            return f'{type(exc).__name__}: {exc}'
    if any(len(number) > MAX_NUMBER_LENGTH for number in made):
        return __('numbers longer than %d characters') % MAX_NUMBER_LENGTH
    distinct = 3 if followup else 2
    if len(set(made[:distinct])) < distinct:
        return __('it gives different questions the same number')
    if not all(number.strip() for number in made):
        return __('it gives empty numbers')
    return None


_WIDTH = re.compile(r'(\d+)')


def _spec_width(spec: str | None) -> int:
    """The largest number in a format spec (its width or precision), without running it."""
    if not spec:
        return 0
    return max((int(d) if len(d) < 6 else 10**6 for d in _WIDTH.findall(spec)), default=0)


def question_format(config: Config) -> str:
    fmt = config.briefing_question_format
    return fmt if isinstance(fmt, str) and format_problem(fmt) is None else DEFAULT_QUESTION_FORMAT


def followup_format(config: Config) -> str:
    fmt = config.briefing_followup_format
    if isinstance(fmt, str) and format_problem(fmt, followup=True) is None:
        return fmt
    return DEFAULT_FOLLOWUP_FORMAT


def stances(config: Config) -> dict[str, Stance]:
    """The stance vocabulary, normalised (computed on use; the config is never mutated)."""
    return stances_from(config.briefing_stances, report=None)


def stances_from(value: Any, *, report: Callable[[str], None] | None) -> dict[str, Stance]:
    """Normalise ``briefing_stances``: a list of names, or a dict of name → label or
    name → {label, symbol, colour}. Names are matched in lower case, as ``:stance:``
    values are. *report* gets a message for each part that cannot be used."""

    def bad(message: str) -> None:
        if report is not None:
            report(message)

    defaults = _default_stances()
    entries: dict[object, Any]
    if isinstance(value, list | tuple):
        entries = {name: {} for name in value}
    elif isinstance(value, dict):
        entries = dict(value)
    else:
        entries = {}
    result: dict[str, Stance] = {}
    for raw_name, given in entries.items():
        if not isinstance(raw_name, str) or not raw_name.strip():
            bad(__('briefing_stances: %r is not a stance name; ignored') % (_short(raw_name),))
            continue
        name = raw_name.strip().lower()
        if name in result:
            bad(__('briefing_stances names %r twice (names are matched in lower case)') % name)
            continue
        spec = {'label': given} if isinstance(given, str) else given
        if not isinstance(spec, dict):
            bad(__('briefing_stances[%r] must be a label or a dict; ignored') % raw_name)
            continue
        for key in spec.keys() - {'label', 'symbol', 'colour', 'color'}:
            bad(__('briefing_stances[%r] has unknown key %r; ignored') % (raw_name, key))
        base = defaults.get(name, {})
        label = str(spec.get('label') or base.get('label') or name.capitalize())
        if label == base.get('label') and label in _DEFAULT_LABELS:
            # The default English label (given or not): translated into the language.
            label = str(_DEFAULT_LABELS[label]())
        colour = spec.get('colour') or spec.get('color')
        if colour and not is_colour(colour):
            bad(
                __('briefing_stances[%r]: colour %r is not written #rrggbb or #rgb; using %r')
                % (raw_name, _short(colour), base.get('colour') or '#5f6368')
            )
            colour = None
        result[name] = Stance(
            name=name,
            label=label,
            symbol=str(spec.get('symbol') or base.get('symbol') or label[:1]),
            colour=str(colour or base.get('colour') or '#5f6368'),
        )
    if not result:
        bad(__('briefing_stances is empty or unusable; using the defaults'))
        return stances_from(defaults, report=None)
    return result


def is_colour(value: object) -> bool:
    """'#rrggbb' or '#rgb': what a stance colour is written as (see nodes.is_colour)."""
    return (
        isinstance(value, str)
        and len(value) in (4, 7)
        and value.startswith('#')
        and all(c in '0123456789abcdefABCDEF' for c in value[1:])
    )
