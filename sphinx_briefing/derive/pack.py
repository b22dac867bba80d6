"""The moderator's pack: objectives, lines to take, scripts, logistics, moderators' notes,
participants' bios and themes' context, each placed on its panel and checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from sphinx_briefing._pickling import pickled_as_tuple
from sphinx_briefing.citations.citeproc import Rich
from sphinx_briefing.derive.marks import resolve_citations
from sphinx_briefing.derive.result import Problem
from sphinx_briefing.locale import __
from sphinx_briefing.model import PackItem, Panel, Participant, ThemeContext
from sphinx_briefing.warnings_ import Subtype

#: kinds that belong to a panel (a bio belongs to its participant; a note to its question)
PANEL_KINDS = ('objectives', 'lines-to-take', 'introduction', 'opening', 'closing', 'logistics')
#: kinds whose ``holder`` is a participant id
HELD_KINDS = ('lines-to-take', 'introduction')
#: kinds of which a panel may have several blocks, shown in order (a public part of the
#: logistics and a restricted one); of the others, the first is shown and a second warned
#: about
MANY_KINDS = ('objectives', 'logistics')


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class PackInfo:
    """A pack item placed on its panel, its text's citations formatted."""

    record: PackItem
    panel: str  # '' when it has none (a bio; a note outside any question)
    text: str = ''
    parts: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return item_key(self.record)


def item_key(item: PackItem) -> str:
    return f'{item.docname}#{item.anchor}'


@dataclass
class Pack:
    """The pack's items and their lookups (see :class:`~.result.Derived`)."""

    items: dict[str, PackInfo] = field(default_factory=dict)
    #: (panel, kind, holder) → the keys of the items briefs show; holder '' for the host,
    #: objectives, logistics, opening, closing
    roles: dict[tuple[str, str, str], tuple[str, ...]] = field(default_factory=dict)
    #: question id → keys of the moderator's notes written in it; (panel id) → keys of
    #: the notes written outside any question, under 'panel:' + its id
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: participant id → the key of their bio
    bios: dict[str, str] = field(default_factory=dict)
    #: question id → the context of the theme it is written in
    themes: dict[str, ThemeContext] = field(default_factory=dict)


def pack_of(
    docs: Sequence[str],
    items: Mapping[str, Sequence[PackItem]],
    contexts: Mapping[str, Sequence[ThemeContext]],
    panels: Mapping[str, Panel],
    participants: Mapping[str, Participant],
    roster: Mapping[str, Sequence[str]],
    question_panel: Mapping[str, str],
    question_doc: Mapping[str, str],
    doc_panel: Mapping[str, str],
    cite_texts: Mapping[tuple[str, str], tuple[Rich, ...]],
    problems: list[Problem],
) -> Pack:
    """Every document's pack items in reading order, each on its panel: the ``:panel:``
    written, else the question a note is in, else the page's panel, else (lines to take,
    introductions) the first panel the participant sits on. Unknown and misplaced
    participants, items with no panel and a second item for the same place are warned
    about; the first in reading order is the one briefs show."""
    pack = Pack()
    notes: dict[str, list[str]] = {}
    for doc in docs:
        for item in items.get(doc, ()):
            panel = _panel_of(item, panels, participants, roster, question_panel, doc_panel)
            _check(item, panel, panels, participants, roster, problems)
            info = PackInfo(
                record=item,
                panel=panel,
                text=resolve_citations(item.text, item.docname, cite_texts),
                parts=tuple(
                    (part, resolve_citations(text, item.docname, cite_texts))
                    for part, text in item.parts
                ),
            )
            pack.items[info.key] = info
            if item.kind == 'bio':
                pack.bios.setdefault(item.holder, info.key)
            elif item.kind == 'moderator-note':
                notes.setdefault(item.within or f'panel:{panel}', []).append(info.key)
            elif panel:
                _take_role(pack, info, problems)
    pack.notes = {key: tuple(keys) for key, keys in notes.items()}
    for doc in docs:
        for context in contexts.get(doc, ()):
            resolved = replace(context, text=resolve_citations(context.text, doc, cite_texts))
            for qid in context.questions:
                if question_doc.get(qid) == doc:  # not a duplicate's
                    pack.themes.setdefault(qid, resolved)
    return pack


def _panel_of(
    item: PackItem,
    panels: Mapping[str, Panel],
    participants: Mapping[str, Participant],
    roster: Mapping[str, Sequence[str]],
    question_panel: Mapping[str, str],
    doc_panel: Mapping[str, str],
) -> str:
    if item.kind == 'bio':
        return ''
    if item.panel:
        return item.panel if item.panel in panels else ''
    if item.within:
        return question_panel.get(item.within, '')
    panel = doc_panel.get(item.docname, '')
    if panel or item.kind not in HELD_KINDS:
        return panel
    return next((p for p, people in roster.items() if item.holder in people), '')


def _check(
    item: PackItem,
    panel: str,
    panels: Mapping[str, Panel],
    participants: Mapping[str, Participant],
    roster: Mapping[str, Sequence[str]],
    problems: list[Problem],
) -> None:
    def problem(message: str, subtype: Subtype) -> None:
        problems.append(Problem(message, subtype, item.docname, item.line))

    if item.kind not in PANEL_KINDS:
        return
    if item.panel and item.panel not in panels:
        problem(__('unknown panel %r') % item.panel, Subtype.UNKNOWN_PANEL)
        return
    if item.kind in HELD_KINDS and item.holder:
        if item.holder not in participants:
            problem(__('unknown participant %r') % item.holder, Subtype.UNKNOWN_PARTICIPANT)
            return
        if panel and item.holder not in roster.get(panel, ()):
            problem(
                __('%r does not sit on panel %r: no brief shows this %s')
                % (item.holder, panel, item.kind),
                Subtype.NOT_ON_PANEL,
            )
    if not panel and panels:
        problem(
            __('no panel for this %s: give it a :panel: (the project has several)') % item.kind,
            Subtype.NO_PANEL,
        )


def _take_role(pack: Pack, info: PackInfo, problems: list[Problem]) -> None:
    item = info.record
    role = (info.panel, item.kind, item.holder)
    keys = pack.roles.get(role, ())
    if not keys or item.kind in MANY_KINDS:
        pack.roles[role] = (*keys, info.key)
        return
    first = pack.items[keys[0]].record
    whose = f' ({item.holder})' if item.holder else ''
    problems.append(
        Problem(
            __('a second %s%s for panel %r: the first, in %s at line %s, is the one briefs show')
            % (item.kind, whose, info.panel, first.docname, first.line),
            Subtype.DUPLICATE_ID,
            item.docname,
            item.line,
        )
    )
