"""Directives: they record local facts on nodes and nothing else.

A directive never looks at other documents (under ``-j`` it cannot see them). It checks
what can be checked locally (dates, times, minutes, vocabularies), warns with a typed
warning, and puts its options on the node; :mod:`sphinx_briefing.reading` turns the nodes
into records once the whole document is parsed, when section titles and nesting are known.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes
from sphinx.util.typing import OptionSpec

from sphinx_briefing import config as briefing_config
from sphinx_briefing import nodes as bnodes
from sphinx_briefing.ids import authored_id, generated_id
from sphinx_briefing.locale import _, __
from sphinx_briefing.model import (
    AUDIENCE_ALIASES,
    EDITIONS,
    GROUPINGS,
    LINE_PARTS,
    PRIORITIES,
    STATUSES,
    edition_rank,
)
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.environment import BuildEnvironment

# ASCII digits only: \d also matches other scripts' digits (١٤:٣٠), which int() reads.
_ISO_DATE = re.compile(r'^[0-9]{4}-[0-9]{2}-[0-9]{2}$')
_CLOCK = re.compile(r'^([0-9]{1,2}):([0-9]{2})$')


def known_timezone(name: str) -> bool:
    """Whether the zone database (the system's, or the tzdata package) has *name*."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: a path rather than a key ('../x', '/etc'); OSError: a folder ('Asia')
        return False
    return True


_ID = re.compile(r'^[\w.:-]+$')
_PREFIX = re.compile(r'^[\w.:-]{1,12}$')
#: the longest duration, opening, closing or question a run of show takes, in minutes (a
#: day): clock times are worked out from them, and a number of any size would overflow
MAX_MINUTES = 24 * 60


class LenientOptions(dict[str, Callable[[str], Any]]):
    """An option spec that takes unknown options too, so that docutils keeps the
    directive (it drops the whole directive, content and all, on an unknown option); the
    directive warns about them itself, as MyST does, and ignores them."""

    def __missing__(self, key: str) -> Callable[[str], Any]:
        return _unknown_option

    def __bool__(self) -> bool:
        # docutils and MyST read option lines only for a directive whose spec is true.
        return True


class _UnknownOption(str):
    """The value of an option outside the directive's spec."""

    __slots__ = ()


def _unknown_option(value: str | None) -> _UnknownOption:
    return _UnknownOption(value or '')


def comma_list(value: str | None) -> list[str]:
    """Split ``a, b c`` on commas (and spaces when there are no commas)."""
    if not value:
        return []
    parts = value.split(',') if ',' in value else value.split()
    return [part.strip() for part in parts if part.strip()]


#: the lines of the document being read, for MyST's nested directives' lines
_SOURCE_LINES = 'briefing-source-lines'
#: where a directive keeps the warnings of the document being read (see read_warning)
READ_WARNINGS = 'briefing-read-warnings'


def read_warning(env: BuildEnvironment, message: str, subtype: Subtype, line: int | None) -> None:
    """Warn while a document is read, and keep the warning with the document's records,
    so that a build that does not read it again repeats it (``-W`` fails a no-op rebuild
    as it fails a fresh one)."""
    warn(message, subtype, location=(env.docname, line))
    said = cast('list[tuple[str, str, int | None]]', env.temp_data.setdefault(READ_WARNINGS, []))
    said.append((message, str(subtype), line))


def _cut(text: str, limit: int = 60) -> str:
    """A value as a warning quotes it: a 5,000-digit number is not printed whole."""
    return text if len(text) <= limit else text[:limit] + '…'


def _is_rst(directive: Directive) -> bool:
    # MyST runs directives with states of its own (myst_parser.mocking).
    return not type(directive.state).__module__.startswith('myst_parser')


@dataclass
class ScannedDirective:
    """A briefing directive found in text that is not parsed (see scan_directives)."""

    name: str  # 'question' or 'position'
    argument: str
    index: int  # line within the text, from 0
    options: dict[str, str] = field(default_factory=dict)
    children: list[ScannedDirective] = field(default_factory=list)


_MYST_OPEN = re.compile(r'^ {0,3}(`{3,}|~{3,}|:{3,})\{(?:briefing:)?([\w-]+)\}(.*)$')
_MYST_FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,}|:{3,})\s*(\S*)')
_RST_OPEN = re.compile(r'^(\s*)\.\.\s+(?:briefing:)?([\w-]+)::(.*)$')
_OPTION_LINE = re.compile(r'^\s*:([\w-]+):(.*)$')
_SCANNED = ('question', 'position', 'break')


def scan_directives(lines: list[str], *, myst: bool) -> list[ScannedDirective]:
    """The questions and positions in MyST or reStructuredText *lines*, nested as written
    (a question within a question is a follow-up), with their options. Read as text, so
    that content an edition leaves out is never parsed."""
    top: list[ScannedDirective] = []
    # open blocks, innermost last: a MyST fence (its mark; None for a code block, where
    # nothing counts) or an rST directive's indentation, with the question it opens
    fences: list[tuple[str, bool, ScannedDirective | None]] = []
    indents: list[tuple[int, ScannedDirective | None]] = []

    def add(item: ScannedDirective) -> None:
        blocks = [found for *_key, found in (fences if myst else indents)]
        owner = next((found for found in reversed(blocks) if found is not None), None)
        (owner.children if owner is not None else top).append(item)

    for index, line in enumerate(lines):
        if myst:
            fence = _MYST_FENCE.match(line)
            if fence is None:
                continue
            mark, bare = fence[1], not fence[2]
            if fences:
                open_mark, is_code, _item = fences[-1]
                closes = bare and mark[0] == open_mark[0] and len(mark) >= len(open_mark)
                if closes or is_code:
                    if closes:
                        fences.pop()
                    continue
            opened = _MYST_OPEN.match(line)
            if opened is None:
                if mark[0] != ':':
                    fences.append((mark, True, None))  # a code block
                continue
            item = ScannedDirective(opened[2], opened[3].strip(), index, _options(lines, index + 1))
            if item.name in _SCANNED:
                add(item)
            fences.append((mark, False, item if item.name == 'question' else None))
        elif line.strip():
            indent = len(line) - len(line.lstrip())
            while indents and indent <= indents[-1][0]:
                indents.pop()
            opened = _RST_OPEN.match(line)
            if opened is None:
                continue
            item = ScannedDirective(opened[2], opened[3].strip(), index, _options(lines, index + 1))
            if item.name in _SCANNED:
                add(item)
            indents.append((indent, item if item.name == 'question' else None))
    return top


def _options(lines: list[str], start: int) -> dict[str, str]:
    """The ``:name: value`` lines right after a directive's first line."""
    options: dict[str, str] = {}
    for line in lines[start:]:
        found = _OPTION_LINE.match(line)
        if found is None:
            break
        options.setdefault(found[1], found[2].strip())
    return options


class BriefingDirective(SphinxDirective):
    """Shared helpers: typed warnings at the directive's line, ids, option lists, and
    the edition check."""

    #: prefix of the HTML/LaTeX anchor of the node this directive makes
    anchor_prefix: ClassVar[str] = ''
    #: who may see this kind of content when the author does not say (``:audience:``)
    default_audience: ClassVar[str] = 'public'

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get('option_spec')
        if isinstance(spec, dict) and not isinstance(spec, LenientOptions):
            cls.option_spec = LenientOptions(spec)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unknown = sorted(k for k, v in self.options.items() if isinstance(v, _UnknownOption))
        if unknown:
            known = ', '.join(sorted(dict(self.option_spec or {}))) or __('none')
            self.warn(
                __('unknown option %s of %r (it has %s); ignored')
                % (', '.join(f':{name}:' for name in unknown), self.name, known),
                Subtype.BAD_OPTION,
            )
            for name in unknown:
                del self.options[name]

    def audience(self) -> str:
        raw = str(self.options.get('audience', '')).strip().lower()
        if not raw:
            return self.default_audience
        name = AUDIENCE_ALIASES.get(raw, raw)
        if name not in EDITIONS:
            self.warn(
                __(':audience: %r is not one of %s; treated as moderator-only')
                % (raw, ', '.join(EDITIONS)),
                Subtype.UNKNOWN_EDITION,
            )
            return 'moderator'
        return name

    def in_edition(self) -> bool:
        """Whether the edition being built shows this directive's content."""
        return edition_rank(briefing_config.edition(self.config)) >= edition_rank(self.audience())

    def warn(self, message: str, subtype: Subtype, line: int | None = None) -> None:
        read_warning(self.env, message, subtype, line or self.source_lineno())

    def source_lineno(self) -> int:
        """The directive's line. MyST gives a directive nested in one whose content starts
        with it (lines to take and their parts) a line or two too far on; the source
        tells: the nearest line above that opens this directive."""
        if _is_rst(self):
            return self.lineno
        # read once per document (temp_data lives while the document is read)
        lines = cast('list[str] | None', self.env.temp_data.get(_SOURCE_LINES))
        if lines is None:
            try:
                text = Path(self.state.document['source']).read_text(encoding='utf-8-sig')
            except (OSError, KeyError, UnicodeDecodeError):
                text = ''
            lines = self.env.temp_data[_SOURCE_LINES] = text.splitlines()
        name = self.name.removeprefix('briefing:')
        for line in range(self.lineno, max(self.lineno - 3, 0), -1):
            opened = _MYST_OPEN.match(lines[line - 1]) if line <= len(lines) else None
            if opened is not None and opened[2] == name:
                return line
        return self.lineno

    def withheld_markers(self) -> list[Node]:
        """What stays of content this edition leaves out: a marker for each question in it
        (numbers and clock times are decided from the whole source, the same in every
        edition) and for each named position (references to it are not 'unknown'). The
        content is read as text, never parsed: nothing in it reaches the document."""
        lines = list(self.content)
        myst = not _is_rst(self)
        first = self.content_line(0)
        return [self._marker(item, first) for item in scan_directives(lines, myst=myst)]

    def content_line(self, index: int) -> int:
        """The source line of the content's line *index* (from 0)."""
        if not _is_rst(self):
            # MyST numbers the content's lines from 0 and gives where the content starts
            # after the directive's line (options and a blank line come between) ...
            if self._myst_first_line_is_content():
                return self.lineno + index
            return self.lineno + 1 + self.content_offset + index
        try:
            offset = self.content.info(index)[1]
            if offset is None:
                raise TypeError(index)
            return int(offset) + 1
        except (IndexError, TypeError):
            return self.lineno + 1 + index

    def parse_content_to_nodes(self, allow_section_headings: bool = False) -> list[Node]:
        """The content as nodes, with the lines they came from (MyST gives the lines of a
        content that starts on the directive's line one too far; see content_line)."""
        offset = self.content_offset
        if not _is_rst(self) and self._myst_first_line_is_content():
            offset -= 1
        return nested_parse_to_nodes(
            self.state, self.content, offset=offset, allow_section_headings=allow_section_headings
        )

    def _myst_first_line_is_content(self) -> bool:
        """... except that the text after the name of a directive that takes no arguments
        is its first content line, and the offset is then 0 as when the content follows
        the directive's line: only the source line tells them apart."""
        if self.required_arguments or self.optional_arguments or self.content_offset:
            return False
        try:
            text = Path(self.state.document['source']).read_text(encoding='utf-8-sig')
            line = text.splitlines()[self.lineno - 1]
        except (OSError, KeyError, IndexError, UnicodeDecodeError):
            return False
        opened = _MYST_OPEN.match(line)
        return opened is not None and bool(opened[3].strip())

    def _marker(self, item: ScannedDirective, first: int) -> Node:
        line = first + item.index
        if item.name == 'position':
            return bnodes.briefing_withheld(kind='position', target=item.argument)
        if item.name == 'break':
            # A break keeps the clock the same in every edition, as a question does.
            return break_node(self, item.argument, item.options, line)
        argument = item.argument.split()[0] if item.argument.split() else ''
        if argument:
            qid, explicit = argument, True
        else:
            qid = f'{self.env.docname}#q{self.env.new_serialno("briefing-question")}'
            explicit = False
        marker = bnodes.briefing_question(
            qid=qid,
            explicit_id=explicit,
            withheld=True,
            docname=self.env.docname,
            line=line,
            panel=item.options.get('panel', '').strip(),
            follow_up_of=item.options.get('follow-up-of', '').strip(),
            minutes=self.whole_number(
                item.options.get('minutes'), 'minutes', Subtype.BAD_MINUTES, False, line
            ),
            priority=self.choice(
                item.options.get('priority'), 'priority', PRIORITIES, 'core', line
            ),
            ids=[],
        )
        marker.extend(self._marker(child, first) for child in item.children)
        return marker

    def option_list(self, name: str) -> list[str]:
        return comma_list(self.options.get(name))

    def unique_list(self, name: str) -> list[str]:
        """An option's list, each entry once (a repeated one is warned about)."""
        values = self.option_list(name)
        unique = list(dict.fromkeys(values))
        if len(unique) != len(values):
            twice = sorted({value for value in values if values.count(value) > 1})
            self.warn(
                __(':%s: names %s more than once') % (name, ', '.join(map(repr, twice))),
                Subtype.BAD_OPTION,
            )
        return unique

    def checked_id(self, value: str) -> str:
        if not _ID.match(value):
            self.warn(
                __('%s id %r should be letters, digits, "-", "_", "." or ":" only')
                % (self.name, value),
                Subtype.BAD_OPTION,
            )
        return value

    def checked_choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        return self.choice(self.options.get(name), name, allowed, default)

    def choice(
        self,
        raw: object,
        name: str,
        allowed: tuple[str, ...],
        default: str,
        line: int | None = None,
    ) -> str:
        value = str(raw or '').strip().lower()
        if not value:
            return default
        if value not in allowed:
            self.warn(
                __('%s: %r is not one of %s; using %r')
                % (f':{name}:', _cut(value), ', '.join(allowed), default),
                Subtype.BAD_OPTION,
                line,
            )
            return default
        return value

    def checked_whole_number(self, name: str, subtype: Subtype, *, positive: bool) -> int | None:
        return self.whole_number(self.options.get(name), name, subtype, positive)

    def whole_number(
        self,
        raw: object,
        name: str,
        subtype: Subtype,
        positive: bool,
        line: int | None = None,
    ) -> int | None:
        """A number of minutes from 0 (1 when *positive*) to :data:`MAX_MINUTES`, written
        in ASCII digits; None, with a warning, for anything else."""
        if raw is None or not str(raw).strip():
            return None
        text = str(raw).strip()
        # isdigit() alone takes '²' and other scripts' digits; and a number of thousands
        # of digits must not even be converted.
        if text.isascii() and text.isdigit():
            if len(text) <= len(str(MAX_MINUTES)) and int(text) <= MAX_MINUTES:
                if int(text) > 0 or not positive:
                    return int(text)
            else:
                self.warn(
                    __(':%s: %r is more than %d minutes (a day); ignored')
                    % (name, _cut(text), MAX_MINUTES),
                    subtype,
                    line,
                )
                return None
        wanted = __('a positive whole number') if positive else __('a whole number')
        self.warn(__(':%s: %r is not %s of minutes') % (name, _cut(text), wanted), subtype, line)
        return None

    def new_box(
        self, box: type[bnodes.briefing_box], key: str, *, authored: bool = True
    ) -> bnodes.briefing_box:
        """A box whose id is ``<prefix>-<key>`` for a *key* the author wrote, else one
        with the document's name in it (see :mod:`sphinx_briefing.ids`)."""
        node = box()
        document = self.state.document
        if authored:
            node_id = authored_id(self.env, document, self.anchor_prefix, key)
        else:
            node_id = generated_id(self.env, document, self.anchor_prefix, key)
        node['ids'] = [node_id]
        node['docname'] = self.env.docname
        node['line'] = self.source_lineno()
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
        'opening': directives.unchanged,
        'closing': directives.unchanged,
        'timezone': directives.unchanged,
        'prefix': directives.unchanged,
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
            self.warn(__(':moderator: takes one participant id'), Subtype.BAD_OPTION)
        node['moderator'] = moderators[0] if moderators else ''
        panellists = self.unique_list('panellists')
        if node['moderator'] in panellists:
            self.warn(
                __('%r is the moderator and is also listed in :panellists:; kept as moderator')
                % node['moderator'],
                Subtype.BAD_OPTION,
            )
            panellists.remove(node['moderator'])
        node['panellists'] = panellists
        node['handling'] = self.options.get('handling', '').strip()
        node['status'] = self.checked_choice('status', STATUSES, '')
        node['opening'] = self.checked_whole_number('opening', Subtype.BAD_MINUTES, positive=False)
        node['closing'] = self.checked_whole_number('closing', Subtype.BAD_MINUTES, positive=False)
        node['timezone'] = self.checked_timezone()
        node['prefix'] = self.checked_prefix()
        node += self.parse_content_to_nodes()
        return [node]

    def checked_prefix(self) -> str:
        value = str(self.options.get('prefix', '')).strip()
        if value and not _PREFIX.match(value):
            self.warn(
                __(':prefix: %r should be letters, digits and "-", "_", "." or ":" only; ignored')
                % _cut(value),
                Subtype.BAD_PREFIX,
            )
            return ''
        return value

    def checked_timezone(self) -> str:
        """An IANA time zone name the zone database knows; a panel with one wants a
        calendar file, so it also needs a date and a start time."""
        value = str(self.options.get('timezone', '')).strip()
        if not value:
            return ''
        if not known_timezone(value):
            self.warn(
                __(
                    ':timezone: %r is not an IANA time zone name (such as Asia/Tokyo); '
                    'no calendar file is written'
                )
                % value,
                Subtype.BAD_TIMEZONE,
            )
            return ''
        # An option given but refused has had its own warning already.
        missing = [name for name in ('date', 'start') if name not in self.options]
        if missing:
            self.warn(
                __('a panel with :timezone: needs %s for its calendar file; none is written')
                % ' and '.join(f':{name}:' for name in missing),
                Subtype.NO_CALENDAR,
            )
        return value

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
                __(':%s: %r is not a date written YYYY-MM-DD') % (name, value), Subtype.BAD_DATE
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
            __(':%s: %r is not a time written HH:MM (24-hour clock)') % (name, value),
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


#: who sees a defensive question when its :audience: does not say
DEFENSIVE_AUDIENCE = 'panellist'


def _is_defensive(options: dict[str, Any]) -> bool:
    return str(options.get('priority') or '').strip().lower() == 'defensive'


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
        'audience': directives.unchanged,
        'short': directives.unchanged,
    }

    def audience(self) -> str:
        if not str(self.options.get('audience', '')).strip() and _is_defensive(self.options):
            # "If asked from the floor …": for the panel's side only, unless the author
            # says otherwise with :audience: public.
            return DEFENSIVE_AUDIENCE
        return super().audience()

    def run(self) -> list[Node]:
        if self.arguments:
            qid, explicit = self.checked_id(self.arguments[0]), True
        else:
            # Unnamed questions are numbered and indexed but cannot be referenced.
            qid = f'{self.env.docname}#q{self.env.new_serialno("briefing-question")}'
            explicit = False
        if not self.in_edition():
            # Keep its place in the numbering (Q3 is Q3 in every edition) and nothing
            # else: the content is not even parsed.
            withheld = bnodes.briefing_question(
                qid=qid,
                explicit_id=explicit,
                withheld=True,
                docname=self.env.docname,
                line=self.lineno,
                panel=str(self.options.get('panel', '')).strip(),
                follow_up_of=str(self.options.get('follow-up-of', '')).strip(),
                # Minutes and priority keep the run of show's clock the same in every
                # edition.
                minutes=self.checked_whole_number('minutes', Subtype.BAD_MINUTES, positive=False),
                priority=self.checked_choice('priority', PRIORITIES, 'core'),
                ids=[],
            )
            withheld.extend(self.withheld_markers())  # its follow-ups keep their places
            return [withheld]
        node = self.new_box(bnodes.briefing_question, qid if explicit else '')
        node['qid'] = qid
        node['explicit_id'] = explicit
        node['to'] = self.unique_list('to')
        node['minutes'] = self.checked_whole_number('minutes', Subtype.BAD_MINUTES, positive=False)
        node['priority'] = self.checked_choice('priority', PRIORITIES, 'core')
        node['tags'] = self.option_list('tags')
        node['topic'] = self.options.get('topic', '').strip()
        node['panel'] = self.options.get('panel', '').strip()
        node['follow_up_of'] = self.options.get('follow-up-of', '').strip()
        node['short'] = ' '.join(str(self.options.get('short', '')).split())
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
        'audience': directives.unchanged,
    }
    default_audience = 'panellist'

    def run(self) -> list[Node]:
        if not self.in_edition():
            kept: list[Node] = []
            if self.arguments:  # so that {position} roles to it are not 'unknown'
                kept.append(bnodes.briefing_withheld(kind='position', target=self.arguments[0]))
            return kept + self.withheld_markers()
        actor = self.options.get('actor', '').strip()
        if not actor:
            self.warn(__('a position needs an :actor:'), Subtype.BAD_OPTION)
        question = self.options.get('question', '').strip()
        if self.arguments:
            pid, explicit = self.checked_id(self.arguments[0]), True
        else:
            serial = self.env.new_serialno('briefing-position')
            pid, explicit = f'{self.env.docname}#p{serial}', False
        node = self.new_box(
            bnodes.briefing_position,
            pid if explicit else '-'.join(filter(None, (actor, question))),
            authored=explicit,
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
            self.warn(__('a position needs a :stance:'), Subtype.UNKNOWN_STANCE)
        else:
            self.warn(
                __('unknown stance %r (briefing_stances has %s)') % (value, ', '.join(vocabulary)),
                Subtype.UNKNOWN_STANCE,
            )
        return ''


class CounterArgumentDirective(BriefingDirective):
    """``counter-argument``: an anticipated counter-argument, usually inside a position."""

    has_content = True
    anchor_prefix = 'counter-argument'
    option_spec: ClassVar[OptionSpec] = {'audience': directives.unchanged}
    default_audience = 'panellist'

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        node = self.new_box(bnodes.briefing_counter_argument, '')
        node += self.parse_content_to_nodes()
        return [node]


class ModeratorNoteDirective(BriefingDirective):
    """``moderator-note``: for the moderator's eyes only (moderator edition)."""

    has_content = True
    anchor_prefix = 'moderator-note'
    default_audience = 'moderator'
    # No options: but a ``:name:`` line is an (unknown) option, warned about, not content.
    option_spec: ClassVar[OptionSpec] = {}

    def audience(self) -> str:
        return self.default_audience  # no :audience: widens a moderator's note

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        node = self.new_box(bnodes.briefing_moderator_note, '')
        node += self.parse_content_to_nodes()
        return [node]


class AudienceDirective(BriefingDirective):
    """``audience <edition>``: any content, shown only in that edition and fuller ones."""

    # Optional, with whitespace: a missing or odd argument must not make docutils drop the
    # directive with an error that copies its (restricted) content.
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[OptionSpec] = {}

    def audience(self) -> str:
        if not self.arguments:
            self.warn(
                __('audience needs an edition (%s); treated as moderator-only')
                % ', '.join(EDITIONS),
                Subtype.UNKNOWN_EDITION,
            )
            return 'moderator'
        self.options['audience'] = self.arguments[0]
        return super().audience()

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        return self.parse_content_to_nodes(allow_section_headings=True)


class PlaceholderDirective(BriefingDirective):
    """Base of the collection directives: a placeholder node filled at write time."""

    has_content = False
    node_class: ClassVar[type[bnodes.briefing_placeholder]]

    def new_placeholder(self) -> bnodes.briefing_placeholder:
        node = self.node_class()
        node['ids'] = [generated_id(self.env, self.state.document, self.anchor_prefix)]
        node['docname'] = self.env.docname
        node['line'] = self.lineno
        node['panel'] = str(self.options.get('panel', '')).strip()
        self.set_source_info(node)
        self.state.document.note_explicit_target(node)
        return node

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_note()
        node = self.new_placeholder()
        self.set_options(node)
        return [node]

    def set_options(self, node: bnodes.briefing_placeholder) -> None:
        """Puts the directive's own options on its placeholder."""

    def withheld_note(self) -> list[Node]:
        text = _('Not part of this edition.')
        return [nodes.paragraph(text, text, classes=['briefing-withheld'])]


class QuestionIndexDirective(PlaceholderDirective):
    """``question-index``: every question (of one panel), grouped, linked both ways."""

    anchor_prefix = 'question-index'
    node_class = bnodes.briefing_question_index
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'group-by': directives.unchanged,
        'audience': directives.unchanged,
    }

    def set_options(self, node: bnodes.briefing_placeholder) -> None:
        node['group_by'] = self.checked_choice('group-by', GROUPINGS, 'topic')


class PositionMatrixDirective(PlaceholderDirective):
    """``position-matrix``: actors × questions, one cell per stance, with a legend."""

    anchor_prefix = 'position-matrix'
    node_class = bnodes.briefing_position_matrix
    default_audience = 'panellist'
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'actors': directives.unchanged,
        'questions': directives.unchanged,
        'audience': directives.unchanged,
    }

    def set_options(self, node: bnodes.briefing_placeholder) -> None:
        node['actors'] = self.option_list('actors')
        node['questions'] = self.option_list('questions')


class RunOfShowDirective(PlaceholderDirective):
    """``run-of-show``: a panel's questions in order, with minutes and clock times."""

    anchor_prefix = 'run-of-show'
    node_class = bnodes.briefing_run_of_show
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'audience': directives.unchanged,
    }


class PanellistBriefDirective(PlaceholderDirective):
    """``panellist-brief <participant id>``: everything one participant needs."""

    required_arguments = 1
    anchor_prefix = 'panellist-brief'
    node_class = bnodes.briefing_panellist_brief
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'audience': directives.unchanged,
    }

    def set_options(self, node: bnodes.briefing_placeholder) -> None:
        node['participant'] = self.arguments[0].strip()


def break_node(
    directive: BriefingDirective, label: str, options: dict[str, Any], line: int
) -> bnodes.briefing_break:
    """The marker of a break: where it is, its label, minutes, session and panel."""
    return bnodes.briefing_break(
        docname=directive.env.docname,
        line=line,
        label=' '.join(str(label or '').split()),
        minutes=directive.whole_number(
            options.get('minutes'), 'minutes', Subtype.BAD_MINUTES, False, line
        ),
        session=' '.join(str(options.get('session') or '').split()),
        panel=str(options.get('panel') or '').strip(),
    )


class BreakDirective(BriefingDirective):
    """``break [<label>]``: a break in the run of show, between the questions before
    and after it in reading order; ``:session:`` names the session it opens."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[OptionSpec] = {
        'minutes': directives.unchanged,
        'session': directives.unchanged,
        'panel': directives.unchanged,
    }

    def run(self) -> list[Node]:
        label = self.arguments[0] if self.arguments else ''
        node = break_node(self, label, dict(self.options), self.lineno)
        self.set_source_info(node)
        if not node['session'] and 'minutes' not in self.options:
            self.warn(
                __('a break needs :minutes: (more than 0) or a :session: to open'),
                Subtype.BAD_MINUTES,
            )
        shown: list[Node] = [node]
        if node['minutes']:
            words = f'{label or _("Break")} · ' + _('%d min') % node['minutes']
            shown.append(nodes.paragraph(words, words, classes=['briefing-break']))
        if node['session']:
            shown.append(
                nodes.rubric(node['session'], node['session'], classes=['briefing-session'])
            )
        return shown


class CueCardsDirective(PlaceholderDirective):
    """``cue-cards``: the moderator's cards, one per item of a panel's run of show."""

    anchor_prefix = 'cue-cards'
    node_class = bnodes.briefing_cue_cards
    option_spec: ClassVar[OptionSpec] = {'panel': directives.unchanged}
    # What a broken fence of it claims (its text is dropped from narrower editions).
    default_audience = 'moderator'

    def audience(self) -> str:
        # Set for the project, not per directive: a build has cards or it has none.
        return briefing_config.cue_cards_edition(self.config)

    def withheld_note(self) -> list[Node]:
        return []  # an edition without cards says nothing of them


class AgendaDirective(PlaceholderDirective):
    """``agenda``: a panel on one page, for the audience: no positions, no notes."""

    anchor_prefix = 'agenda'
    node_class = bnodes.briefing_agenda
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'audience': directives.unchanged,
    }


class PackDirective(BriefingDirective):
    """Base of the pack's directives (objectives, lines to take, introductions, logistics):
    a box for a panel (``:panel:``, else the page's), whose body briefs copy. Some never
    reach the public edition, whatever ``:audience:`` says (:attr:`lowest_audience`)."""

    has_content = True
    node_class: ClassVar[type[bnodes.briefing_box]]
    #: the narrowest edition that may ever show it
    lowest_audience: ClassVar[str] = 'public'
    default_audience = 'panellist'
    option_spec: ClassVar[OptionSpec] = {
        'panel': directives.unchanged,
        'audience': directives.unchanged,
    }

    def audience(self) -> str:
        name = super().audience()
        if edition_rank(name) < edition_rank(self.lowest_audience):
            self.warn(
                __(':audience: %r: %s is never in the %s edition; shown from the %s edition up')
                % (name, self.name, name, self.lowest_audience),
                Subtype.BAD_OPTION,
            )
            return self.lowest_audience
        return name

    def new_item(self, key: str = '') -> bnodes.briefing_box | None:
        """The box, with its panel and body; None (with a warning) when it has no
        content."""
        if not any(line.strip() for line in self.content):
            self.warn(__('%s has no content; ignored') % self.name, Subtype.EMPTY)
            return None
        node = self.new_box(self.node_class, key, authored=False)
        node['panel'] = str(self.options.get('panel', '')).strip()
        node += self.parse_content_to_nodes()
        return node

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        node = self.new_item()
        return [node] if node is not None else []


class ObjectivesDirective(PackDirective):
    """``objectives``: why a panel is held and what a good outcome is."""

    anchor_prefix = 'objectives'
    node_class = bnodes.briefing_objectives


class LogisticsDirective(PackDirective):
    """``logistics``: contacts, arrival, room, interpretation. Not public unless marked so:
    names, telephone numbers and arrival times are for the people taking part."""

    anchor_prefix = 'logistics'
    node_class = bnodes.briefing_logistics


class LinesToTakeDirective(PackDirective):
    """``lines-to-take``: what the host (no ``:for:``) or a participant (``:for: <id>``)
    should say, in parts (``top-line``, ``supporting-points``, ``if-pressed``,
    ``avoid``). Never public; the host's lines are the moderator's only by default."""

    anchor_prefix = 'lines-to-take'
    node_class = bnodes.briefing_lines_to_take
    lowest_audience = 'panellist'
    # What a fence MyST could not read claims: the narrower of the two defaults.
    default_audience = 'moderator'
    option_spec: ClassVar[OptionSpec] = {
        'for': directives.unchanged,
        'panel': directives.unchanged,
        'audience': directives.unchanged,
    }

    def audience(self) -> str:
        if not str(self.options.get('audience', '')).strip() and self.holder():
            return 'panellist'  # a participant's own lines reach their brief
        return super().audience()

    def holder(self) -> str:
        holders = self.option_list('for')
        return holders[0] if holders else ''

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        holders = self.option_list('for')
        if len(holders) > 1:
            self.warn(
                __(":for: takes one participant id (lines to take are one person's); %r used")
                % holders[0],
                Subtype.BAD_OPTION,
            )
        node = self.new_item(holders[0] if holders else 'host')
        if node is None:
            return []
        node['holder'] = holders[0] if holders else ''
        return [node]


class LinePartDirective(BriefingDirective):
    """A part of lines to take: ``top-line``, ``supporting-points``, ``if-pressed`` or
    ``avoid``, written inside ``lines-to-take``."""

    has_content = True
    anchor_prefix = 'line'
    # Outside lines to take (warned about), it still fails safe: never public.
    default_audience = 'panellist'
    option_spec: ClassVar[OptionSpec] = {}

    def audience(self) -> str:
        return self.default_audience

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        if not any(line.strip() for line in self.content):
            self.warn(__('%s has no content; ignored') % self.name, Subtype.EMPTY)
            return []
        node = self.new_box(bnodes.briefing_line_part, self.name, authored=False)
        node['part'] = self.name.removeprefix('briefing:')
        node += self.parse_content_to_nodes()
        return [node]


class IntroductionDirective(PackDirective):
    """``introduction <participant id>``: the moderator's scripted introduction of a
    participant; ``introduction opening`` and ``introduction closing``: the panel's
    opening and closing scripts. The moderator's only by default; never public."""

    optional_arguments = 1
    final_argument_whitespace = True
    anchor_prefix = 'introduction'
    node_class = bnodes.briefing_introduction
    lowest_audience = 'panellist'
    default_audience = 'moderator'

    def run(self) -> list[Node]:
        if not self.in_edition():
            return self.withheld_markers()
        target = self.arguments[0].strip() if self.arguments else ''
        if not target:
            self.warn(
                __('introduction needs a participant id, or opening or closing'),
                Subtype.BAD_OPTION,
            )
            return []
        target = self.checked_id(target)
        node = self.new_item(target)
        if node is None:
            return []
        if target in ('opening', 'closing'):
            node['kind'], node['holder'] = target, ''
        else:
            node['kind'], node['holder'] = 'introduction', target
        return [node]


#: directive name → class; registered on the domain and, bare, on the application
DIRECTIVES: dict[str, type[Directive]] = {
    'panel': PanelDirective,
    'participant': ParticipantDirective,
    'question': QuestionDirective,
    'position': PositionDirective,
    'counter-argument': CounterArgumentDirective,
    'moderator-note': ModeratorNoteDirective,
    'audience': AudienceDirective,
    'question-index': QuestionIndexDirective,
    'position-matrix': PositionMatrixDirective,
    'run-of-show': RunOfShowDirective,
    'panellist-brief': PanellistBriefDirective,
    'break': BreakDirective,
    'cue-cards': CueCardsDirective,
    'agenda': AgendaDirective,
    'objectives': ObjectivesDirective,
    'lines-to-take': LinesToTakeDirective,
    **dict.fromkeys(LINE_PARTS, LinePartDirective),
    'introduction': IntroductionDirective,
    'logistics': LogisticsDirective,
}

__all__ = ['DIRECTIVES', 'comma_list']
