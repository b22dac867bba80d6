"""Directives: they record local facts on nodes and nothing else.

A directive never looks at other documents (under ``-j`` it cannot see them). It checks
what can be checked locally (dates, times, minutes, vocabularies), warns with a typed
warning, and puts its options on the node; :mod:`sphinx_briefing.collect` turns the nodes
into records once the whole document is parsed, when section titles and nesting are known.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, ClassVar

from docutils.parsers.rst import Directive, directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_id
from sphinx.util.typing import OptionSpec

from sphinx_briefing import config as briefing_config
from sphinx_briefing import nodes as bnodes
from sphinx_briefing.locale import _
from sphinx_briefing.model import GROUPINGS, PRIORITIES, STATUSES
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from docutils.nodes import Node

_ISO_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
_CLOCK = re.compile(r'^(\d{1,2}):(\d{2})$')
_ID = re.compile(r'^[\w.:-]+$')


def comma_list(value: str | None) -> list[str]:
    """Split ``a, b c`` on commas (and spaces when there are no commas)."""
    if not value:
        return []
    parts = value.split(',') if ',' in value else value.split()
    return [part.strip() for part in parts if part.strip()]


class BriefingDirective(SphinxDirective):
    """Shared helpers: typed warnings at the directive's line, ids, option lists."""

    #: prefix of the HTML/LaTeX anchor of the node this directive makes
    anchor_prefix: ClassVar[str] = ''

    def warn(self, message: str, subtype: Subtype) -> None:
        warn(message, subtype, location=(self.env.docname, self.lineno))

    def option_list(self, name: str) -> list[str]:
        return comma_list(self.options.get(name))

    def checked_id(self, value: str) -> str:
        if not _ID.match(value):
            self.warn(
                _('%s id %r should be letters, digits, "-", "_", "." or ":" only')
                % (self.name, value),
                Subtype.BAD_OPTION,
            )
        return value

    def checked_choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = str(self.options.get(name, '')).strip().lower()
        if not value:
            return default
        if value not in allowed:
            self.warn(
                _('%s: %r is not one of %s; using %r')
                % (f':{name}:', value, ', '.join(allowed), default),
                Subtype.BAD_OPTION,
            )
            return default
        return value

    def checked_whole_number(self, name: str, subtype: Subtype, *, positive: bool) -> int | None:
        raw = self.options.get(name)
        if raw is None or not str(raw).strip():
            return None
        text = str(raw).strip()
        if text.isdigit() and (int(text) > 0 or not positive):
            return int(text)
        wanted = _('a positive whole number') if positive else _('a whole number')
        self.warn(_(':%s: %r is not %s of minutes') % (name, text, wanted), subtype)
        return None

    def new_box(self, box: type[bnodes.briefing_box], key: str) -> bnodes.briefing_box:
        node = box()
        node['ids'] = [make_id(self.env, self.state.document, self.anchor_prefix, key)]
        node['docname'] = self.env.docname
        node['line'] = self.lineno
        self.set_source_info(node)
        self.state.document.note_explicit_target(node)
        return node


class PanelDirective(BriefingDirective):
    """``panel <id>``: a panel, seminar or roundtable, with its logistics."""

    required_arguments = 1
    final_argument_whitespace = True  # a bad id gets our warning, not a lost directive
    has_content = True
    anchor_prefix = 'panel'
    option_spec: ClassVar[OptionSpec] = {
        'title': directives.unchanged,
        'event': directives.unchanged,
        'date': directives.unchanged,
        'start': directives.unchanged,
        'venue': directives.unchanged,
        'duration': directives.unchanged,
        'moderator': directives.unchanged,
        'panellists': directives.unchanged,
        'handling': directives.unchanged,
        'status': directives.unchanged,
    }

    def run(self) -> list[Node]:
        pid = self.checked_id(self.arguments[0])
        node = self.new_box(bnodes.briefing_panel, pid)
        node['pid'] = pid
        node['title'] = self.options.get('title', '').strip() or pid
        node['event'] = self.options.get('event', '').strip()
        node['date'] = self.checked_date('date')
        node['start'] = self.checked_clock('start')
        node['venue'] = self.options.get('venue', '').strip()
        node['duration'] = self.checked_whole_number(
            'duration', Subtype.BAD_DURATION, positive=True
        )
        moderators = self.option_list('moderator')
        if len(moderators) > 1:
            self.warn(_(':moderator: takes one participant id'), Subtype.BAD_OPTION)
        node['moderator'] = moderators[0] if moderators else ''
        node['panellists'] = self.option_list('panellists')
        node['handling'] = self.options.get('handling', '').strip()
        node['status'] = self.checked_choice('status', STATUSES, '')
        node += self.parse_content_to_nodes()
        return [node]

    def checked_date(self, name: str) -> str:
        value = str(self.options.get(name, '')).strip()
        if not value:
            return ''
        try:
            if not _ISO_DATE.match(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError:
            self.warn(
                _(':%s: %r is not a date written YYYY-MM-DD') % (name, value), Subtype.BAD_DATE
            )
            return ''
        return value

    def checked_clock(self, name: str) -> str:
        value = str(self.options.get(name, '')).strip()
        if not value:
            return ''
        match = _CLOCK.match(value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return f'{int(match[1]):02d}:{match[2]}'
        self.warn(
            _(':%s: %r is not a time written HH:MM (24-hour clock)') % (name, value),
            Subtype.BAD_TIME,
        )
        return ''


class ParticipantDirective(BriefingDirective):
    """``participant <id>``: a person on a panel, with a short bio as content."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    anchor_prefix = 'participant'
    option_spec: ClassVar[OptionSpec] = {
        'name': directives.unchanged,
        'affiliation': directives.unchanged,
        'role': directives.unchanged,
        'reading': directives.unchanged,
    }

    def run(self) -> list[Node]:
        pid = self.checked_id(self.arguments[0])
        node = self.new_box(bnodes.briefing_participant, pid)
        node['pid'] = pid
        node['name'] = self.options.get('name', '').strip() or pid
        node['affiliation'] = self.options.get('affiliation', '').strip()
        node['role'] = self.options.get('role', '').strip().lower()
        node['reading'] = self.options.get('reading', '').strip()
        node += self.parse_content_to_nodes()
        return [node]


class QuestionDirective(BriefingDirective):
    """``question [<id>]``: a moderator question; a question inside it is a follow-up."""

    optional_arguments = 1
    # Authors who write the question text on the directive line get a warning about the
    # id and keep their question, instead of a docutils error that drops it.
    final_argument_whitespace = True
    has_content = True
    anchor_prefix = 'question'
    option_spec: ClassVar[OptionSpec] = {
        'to': directives.unchanged,
        'minutes': directives.unchanged,
        'priority': directives.unchanged,
        'tags': directives.unchanged,
        'topic': directives.unchanged,
        'panel': directives.unchanged,
        'follow-up-of': directives.unchanged,
    }

    def run(self) -> list[Node]:
        if self.arguments:
            qid, explicit = self.checked_id(self.arguments[0]), True
        else:
            # Unnamed questions are numbered and indexed but cannot be referenced.
            qid = f'{self.env.docname}#q{self.env.new_serialno("briefing-question")}'
            explicit = False
        node = self.new_box(bnodes.briefing_question, qid if explicit else '')
        node['qid'] = qid
        node['explicit_id'] = explicit
        node['to'] = self.option_list('to')
        node['minutes'] = self.checked_whole_number('minutes', Subtype.BAD_MINUTES, positive=False)
        node['priority'] = self.checked_choice('priority', PRIORITIES, 'core')
        node['tags'] = self.option_list('tags')
        node['topic'] = self.options.get('topic', '').strip()
        node['panel'] = self.options.get('panel', '').strip()
        node['follow_up_of'] = self.options.get('follow-up-of', '').strip()
        node += self.parse_content_to_nodes()
        return [node]


class PositionDirective(BriefingDirective):
    """``position [<id>]``: an actor's stance on a question (or a topic)."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    anchor_prefix = 'position'
    option_spec: ClassVar[OptionSpec] = {
        'question': directives.unchanged,
        'topic': directives.unchanged,
        'actor': directives.unchanged,
        'stance': directives.unchanged,
        'sources': directives.unchanged,
    }

    def run(self) -> list[Node]:
        actor = self.options.get('actor', '').strip()
        if not actor:
            self.warn(_('a position needs an :actor:'), Subtype.BAD_OPTION)
        question = self.options.get('question', '').strip()
        if self.arguments:
            pid, explicit = self.checked_id(self.arguments[0]), True
        else:
            serial = self.env.new_serialno('briefing-position')
            pid, explicit = f'{self.env.docname}#p{serial}', False
        node = self.new_box(
            bnodes.briefing_position,
            pid if explicit else '-'.join(filter(None, (actor, question))),
        )
        node['pid'] = pid
        node['explicit_id'] = explicit
        node['actor'] = actor
        node['stance'] = self.checked_stance()
        node['question'] = question
        node['topic'] = self.options.get('topic', '').strip()
        node['sources'] = self.option_list('sources')
        node += self.parse_content_to_nodes()
        return [node]

    def checked_stance(self) -> str:
        value = str(self.options.get('stance', '')).strip().lower()
        vocabulary = briefing_config.stances(self.config)
        if value in vocabulary:
            return value
        if not value:
            self.warn(_('a position needs a :stance:'), Subtype.UNKNOWN_STANCE)
        else:
            self.warn(
                _('unknown stance %r (briefing_stances has %s)') % (value, ', '.join(vocabulary)),
                Subtype.UNKNOWN_STANCE,
            )
        return ''


class CounterArgumentDirective(BriefingDirective):
    """``counter-argument``: an anticipated counter-argument, usually inside a position."""

    has_content = True
    anchor_prefix = 'counter-argument'

    def run(self) -> list[Node]:
        node = self.new_box(bnodes.briefing_counter_argument, '')
        node += self.parse_content_to_nodes()
        return [node]


class QuestionIndexDirective(BriefingDirective):
    """``question-index``: every question (of one panel), grouped, linked both ways."""

    has_content = False
    anchor_prefix = 'question-index'
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'group-by': directives.unchanged,
    }

    def run(self) -> list[Node]:
        node = bnodes.briefing_question_index()
        node['ids'] = [make_id(self.env, self.state.document, self.anchor_prefix)]
        node['docname'] = self.env.docname
        node['line'] = self.lineno
        node['panel'] = self.options.get('panel', '').strip()
        node['group_by'] = self.checked_choice('group-by', GROUPINGS, 'topic')
        self.set_source_info(node)
        self.state.document.note_explicit_target(node)
        return [node]


#: directive name → class; registered on the domain and, bare, on the application
DIRECTIVES: dict[str, type[Directive]] = {
    'panel': PanelDirective,
    'participant': ParticipantDirective,
    'question': QuestionDirective,
    'position': PositionDirective,
    'counter-argument': CounterArgumentDirective,
    'question-index': QuestionIndexDirective,
}

__all__ = ['DIRECTIVES', 'comma_list']
