"""The ``briefing_*`` configuration values, their defaults and their validation.

Values read while parsing documents are registered with ``rebuild='env'`` so a change
re-reads the project. Values read only by the cross-document step after reading (number
formats) use ``rebuild=''``: that step runs on every build and rewrites exactly the pages
whose rendering changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sphinx_briefing.locale import _, __
from sphinx_briefing.model import AUDIENCE_ALIASES, EDITIONS, STATUSES
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

DEFAULT_QUESTION_FORMAT = 'Q{number}'
DEFAULT_FOLLOWUP_FORMAT = '{parent}{letter}'
#: rows of a question index beyond which HTML builders split it into parts
DEFAULT_INDEX_PAGE_ROWS = 1000


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


def register(app: Sphinx) -> None:
    """Declare every value and connect validation to ``config-inited``."""
    app.add_config_value('briefing_question_format', DEFAULT_QUESTION_FORMAT, '', types=(str,))
    app.add_config_value('briefing_followup_format', DEFAULT_FOLLOWUP_FORMAT, '', types=(str,))
    app.add_config_value('briefing_stances', _default_stances(), 'env', types=(dict, list))
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
    app.connect('config-inited', validate, priority=800)


def validate(app: Sphinx, config: Config) -> None:
    """Warn about values the extension cannot use; the fallbacks are used instead."""
    for name, default in (
        ('briefing_question_format', DEFAULT_QUESTION_FORMAT),
        ('briefing_followup_format', DEFAULT_FOLLOWUP_FORMAT),
    ):
        if format_problem(getattr(config, name)) is not None:
            warn(
                __('%s = %r cannot be used (%s); using %r')
                % (name, getattr(config, name), format_problem(getattr(config, name)), default),
                Subtype.CONFIG,
            )
    stances_from(config.briefing_stances, report=True)
    raw = str(config.briefing_edition).strip().lower()
    if AUDIENCE_ALIASES.get(raw, raw) not in EDITIONS:
        warn(
            __(
                'briefing_edition = %r is not one of %s; building the public edition, '
                'which leaves out everything that is not public'
            )
            % (config.briefing_edition, ', '.join(EDITIONS)),
            Subtype.UNKNOWN_EDITION,
        )
    rows = config.briefing_index_page_rows
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        warn(
            __('briefing_index_page_rows = %r is not a whole number of rows (0 or more); using %d')
            % (rows, DEFAULT_INDEX_PAGE_ROWS),
            Subtype.CONFIG,
        )
    status = str(config.briefing_status).strip().lower()
    if status and status not in STATUSES:
        warn(
            __('briefing_status = %r is not one of %s; ignored')
            % (config.briefing_status, ', '.join(STATUSES)),
            Subtype.CONFIG,
        )


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


def format_problem(fmt: str) -> str | None:
    """Return why *fmt* is not a usable number format, or None if it is."""
    try:
        fmt.format(number=1, letter='a', parent='Q1', panel='panel')
    except (KeyError, IndexError, ValueError) as exc:
        return f'{type(exc).__name__}: {exc}'
    return None


def question_format(config: Config) -> str:
    fmt: str = config.briefing_question_format
    return DEFAULT_QUESTION_FORMAT if format_problem(fmt) else fmt


def followup_format(config: Config) -> str:
    fmt: str = config.briefing_followup_format
    return DEFAULT_FOLLOWUP_FORMAT if format_problem(fmt) else fmt


def stances(config: Config) -> dict[str, Stance]:
    """The stance vocabulary, normalised (computed on use; the config is never mutated)."""
    return stances_from(config.briefing_stances, report=False)


def stances_from(value: Any, *, report: bool) -> dict[str, Stance]:
    """Normalise ``briefing_stances``: a list of names, or a dict of name → label or
    name → {label, symbol, colour}."""
    defaults = _default_stances()
    entries: dict[str, Any]
    if isinstance(value, list | tuple):
        entries = {str(name): {} for name in value}
    elif isinstance(value, dict):
        entries = dict(value)
    else:
        entries = {}
    result: dict[str, Stance] = {}
    for name, spec in entries.items():
        if isinstance(spec, str):
            spec = {'label': spec}
        if not isinstance(spec, dict):
            if report:
                warn(
                    __('briefing_stances[%r] must be a label or a dict; ignored') % name,
                    Subtype.CONFIG,
                )
            continue
        base = defaults.get(name, {})
        label = str(spec.get('label') or base.get('label') or name.capitalize())
        if label == base.get('label') and label in _DEFAULT_LABELS:
            # The default English label (given or not): translated into the language.
            label = str(_DEFAULT_LABELS[label]())
        result[name] = Stance(
            name=name,
            label=label,
            symbol=str(spec.get('symbol') or base.get('symbol') or label[:1]),
            colour=str(spec.get('colour') or spec.get('color') or base.get('colour') or '#5f6368'),
        )
    if not result:
        if report:
            warn(__('briefing_stances is empty or unusable; using the defaults'), Subtype.CONFIG)
        return stances_from(defaults, report=False)
    return result
