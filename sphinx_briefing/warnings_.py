"""One place for the extension's warnings: the type, every subtype, and a helper.

Every warning the extension emits has ``type='briefing'`` and a subtype from
:class:`Subtype`, so ``suppress_warnings = ['briefing.unknown_question']`` works and
``-W`` fails the build on any of them.
"""

from __future__ import annotations

import enum

from sphinx.util import logging

WARNING_TYPE = 'briefing'

logger = logging.getLogger('sphinx_briefing')


class Subtype(enum.StrEnum):
    """Warning subtypes; README's reference lists each with an example."""

    #: the same panel, participant, question or position id declared twice
    DUPLICATE_ID = 'duplicate_id'
    #: a role, ``:follow-up-of:`` or position names a question that does not exist
    UNKNOWN_QUESTION = 'unknown_question'
    #: ``:to:``, ``:moderator:``, ``:panellists:`` or a role names an unknown participant
    UNKNOWN_PARTICIPANT = 'unknown_participant'
    #: ``:panel:``, a role or a collection's ``:panel:`` names an unknown panel
    UNKNOWN_PANEL = 'unknown_panel'
    #: a ``{position}`` role names an unknown position
    UNKNOWN_POSITION = 'unknown_position'
    #: a stance outside ``briefing_stances``
    UNKNOWN_STANCE = 'unknown_stance'
    #: a date that is not an ISO calendar date (YYYY-MM-DD)
    BAD_DATE = 'bad_date'
    #: a start time that is not HH:MM on a 24-hour clock
    BAD_TIME = 'bad_time'
    #: a panel ``:timezone:`` that is not an IANA time zone name
    BAD_TIMEZONE = 'bad_timezone'
    #: a panel with ``:timezone:`` (it wants a calendar file) but no date or start time
    NO_CALENDAR = 'no_calendar'
    #: ``:minutes:`` that is not a non-negative whole number
    BAD_MINUTES = 'bad_minutes'
    #: a panel ``:duration:`` that is not a positive whole number of minutes
    BAD_DURATION = 'bad_duration'
    #: any other option value outside its vocabulary (priority, status, group-by …)
    BAD_OPTION = 'bad_option'
    #: a question whose panel cannot be determined in a project with several panels
    NO_PANEL = 'no_panel'
    #: a follow-up of a follow-up, a follow-up cycle, or a follow-up on another panel
    BAD_FOLLOW_UP = 'bad_follow_up'
    #: a question addressed to a participant who does not sit on its panel
    NOT_ON_PANEL = 'not_on_panel'
    #: a position with neither a question nor a topic to attach to
    NO_TARGET = 'no_target'
    #: the core questions (with opening and closing) need more minutes than the panel has
    OVERRUN = 'overrun'
    #: ``briefing_edition`` or an ``:audience:`` outside public / panellist / moderator
    UNKNOWN_EDITION = 'unknown_edition'
    #: a citation key that no .bib file defines, or a citation that cannot be read
    UNKNOWN_CITATION = 'unknown_citation'
    #: a source dated after the panel it supports ("facts as of" the panel's date)
    AFTER_EVENT = 'after_event'
    #: a malformed .bib entry (at the .bib file's own line; the rest of the file loads)
    BIB_SYNTAX = 'bib_syntax'
    #: a CSL-JSON or CSL-YAML bibliography that is not valid JSON or YAML, or not a list of
    #: items with ids (at the file's line where the parser gives one)
    CSL_SYNTAX = 'csl_syntax'
    #: a .bib file named in the configuration that does not exist
    MISSING_BIBFILE = 'missing_bibfile'
    #: a citation key defined twice (the first definition is used)
    DUPLICATE_KEY = 'duplicate_key'
    #: a citation style that cannot be found or read (the default style is used)
    UNKNOWN_STYLE = 'unknown_style'
    #: pandoc's citeproc could not format the citations (they show as their keys)
    CITEPROC = 'citeproc'
    #: a MyST backtick fence that did not become a briefing directive (a backtick in its
    #: directive line ends the fence): the item would otherwise vanish silently
    BROKEN_FENCE = 'broken_fence'
    #: a configuration value of the extension that cannot be used
    CONFIG = 'config'
    #: a question inside ``only``: numbered everywhere, listed and linked nowhere
    CONDITIONAL = 'conditional'
    #: an objectives, lines-to-take (or one of its parts), introduction or logistics
    #: directive with no content
    EMPTY = 'empty'
    #: a part of lines to take (``top-line`` …) outside ``lines-to-take``, or twice in one
    BAD_PART = 'bad_part'
    #: text the LaTeX engine cannot set (pdflatex and a script outside its fonts)
    UNSUPPORTED_TEXT = 'unsupported_text'
    #: a panel's ``:prefix:`` that is malformed, or that gives two panels' questions the
    #: same numbers
    BAD_PREFIX = 'bad_prefix'
    #: a page's front matter (or rST field list) naming an unknown panel or audience
    BAD_FRONT_MATTER = 'bad_front_matter'


def warn(
    message: str,
    subtype: Subtype,
    location: tuple[str, int | None] | str | None = None,
) -> None:
    """Emit a typed warning.

    :param message: the text, already translated where it should be
    :param subtype: one of :class:`Subtype`
    :param location: ``(docname, line)``, which Sphinx turns into ``path:line:``, or a
        ``'path:line'`` string for files that are not documents (.bib files)
    """
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=str(subtype))
