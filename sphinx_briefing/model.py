"""Plain records of what a document declares; no Sphinx imports.

Records are small, frozen and picklable: they live in the domain's data, keyed by
document, and are pickled with the environment. Rich bodies stay in the doctrees.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sphinx_briefing._pickling import pickled_as_tuple


def stable_digest(*parts: object) -> bytes:
    """A digest of values, to tell between builds whether they changed.

    repr() of str, int, tuples, None and frozen dataclasses is stable across processes,
    unlike hash(), which is salted per process.
    """
    return hashlib.blake2b(repr(parts).encode('utf-8'), digest_size=16).digest()


#: priorities of a question, in the order a moderator drops them when running late
PRIORITIES = ('core', 'reserve', 'defensive')
#: values of a panel's ``:status:``
STATUSES = ('draft', 'final')
#: ways a question index can group its rows
GROUPINGS = ('topic', 'participant', 'panel')
#: editions, from the most restricted to the complete one
EDITIONS = ('public', 'panellist', 'moderator')
#: other spellings accepted for an audience or edition
AUDIENCE_ALIASES = {'internal': 'panellist', 'panelist': 'panellist', 'all': 'public'}


def edition_rank(name: str) -> int:
    """0 public, 1 panellist, 2 moderator: content shows in editions of its rank or more."""
    return EDITIONS.index(AUDIENCE_ALIASES.get(name, name))


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Panel:
    """A panel, seminar or roundtable."""

    pid: str
    docname: str
    anchor: str
    line: int | None
    title: str
    event: str = ''
    date: str = ''  # ISO YYYY-MM-DD, validated at read time ('' when absent or bad)
    start: str = ''  # HH:MM
    venue: str = ''
    duration: int | None = None  # minutes
    moderator: str = ''  # participant id
    panellists: tuple[str, ...] = ()
    handling: str = ''
    status: str = ''
    opening: int | None = None  # minutes of the moderator's opening
    closing: int | None = None  # minutes of the moderator's closing
    timezone: str = ''  # IANA name (validated at read time), '' when absent or unknown
    #: written before each of its questions' numbers ('A-' makes A-Q1), so that the
    #: numbers of several panels shown on one page can be told apart
    prefix: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Participant:
    """A moderator, panellist, rapporteur … of one or more panels."""

    pid: str
    docname: str
    anchor: str
    line: int | None
    name: str
    affiliation: str = ''
    role: str = ''
    reading: str = ''
    #: a digest of the bio (the body), which cue cards copy from the doctree
    body: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Question:
    """A moderator question, as declared (its number is derived later)."""

    qid: str
    docname: str
    anchor: str
    line: int | None
    #: plain text of the question, without its follow-ups; paragraphs apart (see
    #: derive.short.PARAGRAPH_BREAK)
    text: str
    topic: str  # explicit :topic: or the title of the enclosing section
    panel: str = ''  # explicit :panel: ('' = decided in derive)
    to: tuple[str, ...] = ()  # participant ids
    minutes: int | None = None
    priority: str = 'core'
    tags: tuple[str, ...] = ()
    parent: str = ''  # enclosing question, or :follow-up-of:
    parent_is_explicit: bool = False  # parent came from :follow-up-of:, not from nesting
    explicit_id: bool = True  # False when the author gave no id
    #: not in this edition: it keeps its number (numbers match across editions) but its
    #: text is never read and nothing shows it
    withheld: bool = False
    #: a digest of its body, which briefs copy from the doctree (:mod:`.copies`): a
    #: page showing the copy reads it, and is written again when it changes
    body: str = ''
    #: the author's :short: form ('' = made from the text, see derive.short)
    short: str = ''
    #: a digest of its moderator's notes, which cue cards copy ('' without notes)
    note: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Position:
    """Where an actor stands on a question (or on a topic)."""

    pid: str
    docname: str
    anchor: str
    line: int | None
    actor: str  # a state, a body, or a participant id
    stance: str
    question: str = ''  # question id ('' when attached to a topic)
    topic: str = ''
    summary: str = ''  # plain text, for tooltips and exports
    sources: tuple[str, ...] = ()  # bib keys
    explicit_id: bool = True
    body: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Break:
    """A break in a run of show, between questions in reading order; it may open a new
    session."""

    docname: str
    line: int | None
    label: str  # '' = the default label ("Break")
    minutes: int | None
    session: str = ''  # the title of the session it opens ('' = none)
    panel: str = ''  # explicit :panel: ('' = its document's)
    #: how many questions (follow-ups and withheld ones included) its document declares
    #: before it: the break comes before the next of its panel's questions
    after: int = 0


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Page:
    """What a page's front matter (or top field list) says about it."""

    docname: str
    line: int | None
    panel: str = ''  # its questions' and collections' panel ('' = not said)
    audience: str = 'public'  # the narrowest edition that has the page


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Reference:
    """A cross-reference made in a document (role, MyST link or ``:any:``)."""

    kind: str  # 'question' | 'participant' | 'panel' | 'position' | 'any'
    target: str
    line: int | None


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class CiteRef:
    """A citation in a document (a ``cite:*`` role), or a position's ``:sources:``."""

    docname: str
    anchor: str  # id of the citation node (of the position, for sources)
    line: int | None
    keys: tuple[str, ...]
    prefixes: tuple[str, ...]  # one per key ('' for none): {see}key{p. 12}
    suffixes: tuple[str, ...]
    form: str  # the role's name after 'cite:' (p, t, ps …), or 'sources'
    #: the question or position whose body holds it ('' outside any), for briefs
    within: str = ''
    #: note styles: the number of the footnote it makes or is in (0: none yet) ...
    note: int = 0
    #: ... 'own' when it makes that footnote, 'inside' when it is in one or stays in the
    #: sentence, 'note' for the text in a footnote made for a citation ('' other styles)
    note_place: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Withheld:
    """An object left out of this edition, so references to it are not 'unknown'."""

    kind: str  # 'position' (questions stay in their bucket, marked withheld)
    target: str


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Placeholder:
    """A collection directive to be filled at write time."""

    #: 'question-index' | 'position-matrix' | 'run-of-show' | 'panellist-brief' |
    #: 'bibliography' | 'cue-cards' | 'agenda'
    kind: str
    docname: str
    anchor: str
    line: int | None
    panel: str = ''  # '' = every panel (index) or the document's panel (others)
    group_by: str = 'topic'
    participant: str = ''  # panellist-brief
    actors: tuple[str, ...] = ()  # position-matrix rows ('' = every actor)
    questions: tuple[str, ...] = ()  # position-matrix columns ('' = every question with positions)
    #: bibliography: 'project' (cited anywhere), 'document' (cited here), 'all', 'notcited'
    scope: str = 'project'
    keywords: tuple[str, ...] = ()  # bibliography: only entries with one of these keywords
    #: bibliography: a sphinxcontrib-bibtex :filter: expression ('' = none)
    filter: str = ''
    #: bibliography: only entries of these .bib files (absolute paths; () = every file)
    files: tuple[str, ...] = ()
    #: bibliography: 'citation' (paragraphs, the default), 'bullet' or 'enumerated' ...
    list_type: str = ''
    #: ... with this numbering (arabic, loweralpha, upperalpha, lowerroman, upperroman)
    enumtype: str = ''
    #: ... from this number (0: continue from the previous enumerated bibliography)
    start: int = 1
    #: bibliography: its :style: (a pybtex or CSL style name, '' = none)
    style: str = ''
    #: bibliography: the keys written as its content, always listed in it
    listed: tuple[str, ...] = ()
    #: bibliography: its entries' ids (``bibtex_cite_id``, with ``{key}``; '' = ours)
    entry_id: str = ''
    #: bibliography: its :keyprefix: (a key written with it, anywhere, cites the entry)
    keyprefix: str = ''


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ReadWarning:
    """A warning the extension gave while reading a document, kept with its records so
    that a build which does not read the document again can repeat it."""

    message: str
    subtype: str  # a warnings_.Subtype value
    docname: str
    line: int | None


#: kinds of the moderator's-pack items (:class:`PackItem`)
PACK_KINDS = ('objectives', 'lines-to-take', 'introduction', 'opening', 'closing', 'logistics')
#: the parts of lines to take, in the order a brief shows them
LINE_PARTS = ('top-line', 'supporting-points', 'if-pressed', 'avoid')


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class PackItem:
    """What a briefing pack is built around: a panel's objectives, lines to take, a
    scripted introduction (or the opening and closing scripts), logistics; and the
    moderator's notes, which the moderator's brief gathers.

    Only the items this edition shows are recorded (the directive makes nothing else), so
    that the export and the briefs hold what the edition holds and no more.
    """

    kind: str  # one of PACK_KINDS, or 'moderator-note'
    docname: str
    anchor: str
    line: int | None
    panel: str = ''  # explicit :panel: ('' = decided in derive)
    #: lines to take: the participant they are for ('' = the host); introduction: the
    #: participant introduced
    holder: str = ''
    text: str = ''  # plain text of the body (parts apart), citations marked
    #: lines to take: (part, plain text) in the order written
    parts: tuple[tuple[str, str], ...] = ()
    #: a moderator's note: the question it is written in ('' = none)
    within: str = ''
    body: str = ''  # digest of the body a brief copies (see Question.body)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ThemeContext:
    """The paragraphs of a section that holds questions (the theme's context), which a
    brief shows with the questions."""

    docname: str
    anchor: str  # the section's id
    line: int | None
    title: str
    text: str  # its paragraphs' plain text, citations marked, paragraphs apart by '\n\n'
    questions: tuple[str, ...]  # the question ids written directly in the section
