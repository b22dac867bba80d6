"""Generate a briefing-book benchmark corpus, its bare twin and two peer twins.

``python benchmarks/generate.py --docs N --out DIR [--seed S]`` writes four Sphinx projects
with the same text:

``DIR/briefing/``
    MyST documents for sphinx-briefing: panels, participants, questions (with follow-ups),
    positions (with counter-arguments), cross-document references, citations from a
    generated 2,000-entry ``refs.bib``, and the collection pages (question index, one
    position matrix per panel, one brief per panellist, a ``:cited:`` bibliography).
``DIR/bare/``
    The same files and prose, with every briefing directive written as a plain admonition,
    every briefing or citation role written as the plain text it would show, the collection
    directives written as a plain paragraph, and no .bib file.
``DIR/bibtex/``
    The bare twin citing through sphinxcontrib-bibtex: its ``{cite:p}``/``{cite:t}`` roles
    (post-notes as ``key{p. 12}``) for the citations and the positions' sources, the same
    ``refs.bib``, and a ``{bibliography}`` page.
``DIR/needs/``
    The bare twin with questions and positions as sphinx-needs needs (types ``question``
    and ``position``, each position linked to its question), references to them as
    ``{need}`` roles, and a ``{needtable}`` of the questions as the question index.

``python benchmarks/generate.py --edit DIR [--tag T]`` changes the text of one question
in a mid-corpus document, identically in every twin (the incremental-build measurement).

``DIR/manifest.json`` records the corpus statistics and the question that ``--edit`` changes.
Everything is derived from the seed: the same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = ['EditInfo', 'apply_edit', 'generate', 'load_manifest']

DOCS_PER_PANEL = 25
QUESTIONS_PER_DOC = 10
FOLLOW_UPS_PER_DOC = 2
POSITIONS_PER_QUESTION = 2
SECTIONS_PER_DOC = 5
CITES_PER_DOC = 3
QUESTION_REFS_PER_DOC = 3
BIB_ENTRIES = 2000
PANEL_DURATION = 90
CORE_MINUTES = 3
WIDTH = 96

# --------------------------------------------------------------------------- vocabulary

# fmt: off
NOUNS = (
    'regime', 'licence', 'control', 'framework', 'threshold', 'exemption', 'review', 'screening',
    'investment', 'transfer', 'technology', 'component', 'supplier', 'partner', 'agency',
    'ministry', 'regulator', 'mechanism', 'obligation', 'standard', 'dialogue', 'consultation',
    'dispute', 'measure', 'sanction', 'embargo', 'list', 'catalogue', 'procedure', 'audit',
    'incentive', 'market', 'consortium', 'laboratory', 'university', 'programme', 'budget',
    'strategy', 'doctrine', 'capability', 'risk', 'assessment', 'network', 'platform', 'chain',
    'industry', 'exporter', 'importer', 'broker', 'customer', 'end user', 'authority', 'committee',
    'council', 'secretariat', 'treaty', 'arrangement', 'guideline', 'loophole', 'burden', 'cost',
    'delay', 'backlog', 'appeal', 'waiver', 'disclosure', 'notification', 'filing', 'inspection',
    'enforcement', 'penalty', 'fine', 'prosecution', 'compliance', 'officer', 'record', 'database',
    'dataset', 'algorithm', 'semiconductor', 'sensor', 'satellite', 'drone', 'vessel', 'reactor',
    'vaccine', 'patent', 'trade secret', 'know-how', 'joint venture', 'subsidiary', 'shareholder',
    'acquisition', 'merger', 'bid', 'contract', 'tender', 'offset', 'coalition', 'ally',
    'neighbour', 'rival', 'parliament', 'court', 'tribunal', 'panel', 'forum', 'summit',
)
ADJECTIVES = (
    'national', 'regional', 'multilateral', 'bilateral', 'sensitive', 'critical', 'emerging',
    'foundational', 'civilian', 'military', 'dual-use', 'strategic', 'commercial', 'public',
    'private', 'foreign', 'domestic', 'allied', 'proposed', 'existing', 'revised', 'narrow',
    'broad', 'uneven', 'consistent', 'costly', 'modest', 'significant', 'limited', 'formal',
    'informal', 'voluntary', 'mandatory', 'temporary', 'permanent', 'transparent', 'opaque',
    'predictable', 'fragmented', 'coordinated', 'independent', 'joint', 'early', 'late', 'recent',
    'former', 'future', 'annual', 'technical', 'legal', 'political', 'economic', 'industrial',
    'academic', 'secure', 'vulnerable', 'resilient', 'competitive', 'open',
)
# (base, third person, past, participle, gerund)
VERBS = (
    ('strengthen', 'strengthens', 'strengthened', 'strengthened', 'strengthening'),
    ('weaken', 'weakens', 'weakened', 'weakened', 'weakening'),
    ('extend', 'extends', 'extended', 'extended', 'extending'),
    ('narrow', 'narrows', 'narrowed', 'narrowed', 'narrowing'),
    ('review', 'reviews', 'reviewed', 'reviewed', 'reviewing'),
    ('require', 'requires', 'required', 'required', 'requiring'),
    ('limit', 'limits', 'limited', 'limited', 'limiting'),
    ('shape', 'shapes', 'shaped', 'shaped', 'shaping'),
    ('reduce', 'reduces', 'reduced', 'reduced', 'reducing'),
    ('raise', 'raises', 'raised', 'raised', 'raising'),
    ('align', 'aligns', 'aligned', 'aligned', 'aligning'),
    ('coordinate', 'coordinates', 'coordinated', 'coordinated', 'coordinating'),
    ('protect', 'protects', 'protected', 'protected', 'protecting'),
    ('expose', 'exposes', 'exposed', 'exposed', 'exposing'),
    ('delay', 'delays', 'delayed', 'delayed', 'delaying'),
    ('accelerate', 'accelerates', 'accelerated', 'accelerated', 'accelerating'),
    ('discourage', 'discourages', 'discouraged', 'discouraged', 'discouraging'),
    ('encourage', 'encourages', 'encouraged', 'encouraged', 'encouraging'),
    ('monitor', 'monitors', 'monitored', 'monitored', 'monitoring'),
    ('publish', 'publishes', 'published', 'published', 'publishing'),
    ('amend', 'amends', 'amended', 'amended', 'amending'),
    ('replace', 'replaces', 'replaced', 'replaced', 'replacing'),
    ('challenge', 'challenges', 'challenged', 'challenged', 'challenging'),
    ('support', 'supports', 'supported', 'supported', 'supporting'),
    ('fund', 'funds', 'funded', 'funded', 'funding'),
    ('license', 'licenses', 'licensed', 'licensed', 'licensing'),
    ('audit', 'audits', 'audited', 'audited', 'auditing'),
    ('screen', 'screens', 'screened', 'screened', 'screening'),
    ('share', 'shares', 'shared', 'shared', 'sharing'),
    ('restrict', 'restricts', 'restricted', 'restricted', 'restricting'),
    ('simplify', 'simplifies', 'simplified', 'simplified', 'simplifying'),
    ('harmonise', 'harmonises', 'harmonised', 'harmonised', 'harmonising'),
    ('undermine', 'undermines', 'undermined', 'undermined', 'undermining'),
    ('clarify', 'clarifies', 'clarified', 'clarified', 'clarifying'),
    ('enforce', 'enforces', 'enforced', 'enforced', 'enforcing'),
    ('exempt', 'exempts', 'exempted', 'exempted', 'exempting'),
    ('prioritise', 'prioritises', 'prioritised', 'prioritised', 'prioritising'),
    ('reconsider', 'reconsiders', 'reconsidered', 'reconsidered', 'reconsidering'),
    ('build', 'builds', 'built', 'built', 'building'),
    ('open', 'opens', 'opened', 'opened', 'opening'),
)
ADVERBS = (
    'In practice', 'In principle', 'So far', 'Since then', 'By contrast', 'At the same time',
    'In most cases', 'For now', 'On paper', 'Over the past decade', 'In the short term',
    'More broadly', 'Taken together', 'Unsurprisingly', 'As a result', 'In several capitals',
    'According to officials', 'Under the current rules', 'Until recently', 'Crucially',
)
PREPOSITIONS = (
    'for', 'in', 'across', 'among', 'within', 'under', 'beyond', 'through', 'against', 'between',
    'without', 'despite', 'alongside', 'towards',
)
PLACES = (
    'the region', 'allied capitals', 'the single market', 'the supply chain', 'the alliance',
    'the research system', 'the defence sector', 'the export market', 'third countries',
    'partner states', 'the national economy', 'the Indo-Pacific', 'Europe', 'North America',
    'Southeast Asia', 'the Gulf', 'the Atlantic area', 'multilateral fora',
)
ORGS = (
    'the ministry', 'the regulator', 'the licensing authority', 'the secretariat',
    'the review committee', 'parliament', 'the courts', 'industry associations',
    'university leaders', 'the trade ministry', 'the defence ministry', 'customs officials',
    'the investment agency', 'allied governments', 'the commission', 'the cabinet office',
)
CONNECTORS = ('while', 'because', 'although', 'whereas', 'so that', 'even though', 'since')
MODALS = ('may', 'could', 'should', 'would', 'must', 'might', 'will')
YEARS = tuple(range(2009, 2026))
TAGS = (
    'investment-screening', 'export-control', 'dual-use', 'research-security', 'sanctions',
    'supply-chain', 'cyber', 'space', 'semiconductors', 'artificial-intelligence', 'biotech',
    'arms-transfer', 'compliance', 'data', 'talent', 'standards', 'procurement',
)
ACTORS = (
    'United States', 'European Union', 'Japan', 'Republic of Korea', 'China', 'United Kingdom',
    'Germany', 'France', 'India', 'Australia', 'Canada', 'NATO', 'Wassenaar Arrangement',
    'World Trade Organization', 'European Commission',
)
STANCES = ('supports', 'opposes', 'mixed', 'neutral')
POSTNOTES = ('p. 12', 'pp. 4-7', 'ch. 3', 'sec. 2', 'p. 141', 'pp. 23-25', 'table 2')
# Names: (LaTeX form, Unicode form). Markdown gets the Unicode form, refs.bib the LaTeX one.
FIRST_NAMES = (
    ('Anna', 'Anna'), ('Ben', 'Ben'), ('Chloe', 'Chloe'), ('David', 'David'), ('Elena', 'Elena'),
    ('Farid', 'Farid'), ('Grace', 'Grace'), ('Hiroshi', 'Hiroshi'), ('Ines', 'Ines'),
    ('James', 'James'), ('Keiko', 'Keiko'), ('Lars', 'Lars'), ('Maya', 'Maya'),
    ('Nikhil', 'Nikhil'), ('Olga', 'Olga'), ('Pablo', 'Pablo'), ('Qing', 'Qing'),
    ('Rachel', 'Rachel'), ('Samuel', 'Samuel'), ('Tomoko', 'Tomoko'), ('Usha', 'Usha'),
    ('Victor', 'Victor'), ('Wen', 'Wen'), ('Yusuf', 'Yusuf'), ("Ren{\\'e}e", 'Renée'),
    ('J{\\"o}rg', 'Jörg'), ('Fran{\\c{c}}ois', 'François'), ("Sigr{\\'u}n", 'Sigrún'),
    ('{\\AA}sa', 'Åsa'), ('S{\\o}ren', 'Søren'), ("Tom{\\'a}{\\v{s}}", 'Tomáš'),
    ("Jos{\\'e}", 'José'), ("In{\\'e}s", 'Inés'), ('Zo{\\"e}', 'Zoë'),
    ("H{\\'e}l{\\`e}ne", 'Hélène'), ('Bj{\\"o}rn', 'Björn'),
)
LAST_NAMES = (
    ('Adams', 'Adams'), ('Baker', 'Baker'), ('Chen', 'Chen'), ('Davies', 'Davies'),
    ('Evans', 'Evans'), ('Fischer', 'Fischer'), ('Gupta', 'Gupta'), ('Hayashi', 'Hayashi'),
    ('Ivanova', 'Ivanova'), ('Jensen', 'Jensen'), ('Kim', 'Kim'), ('Larsen', 'Larsen'),
    ('Mori', 'Mori'), ('Nakamura', 'Nakamura'), ('Okafor', 'Okafor'), ('Park', 'Park'),
    ('Quinn', 'Quinn'), ('Rossi', 'Rossi'), ('Sato', 'Sato'), ('Tanaka', 'Tanaka'),
    ('Umarov', 'Umarov'), ('Vargas', 'Vargas'), ('Wright', 'Wright'), ('Yamamoto', 'Yamamoto'),
    ('Zhang', 'Zhang'), ('Hall', 'Hall'), ('Brooks', 'Brooks'), ('Moreau', 'Moreau'),
    ('Kowalski', 'Kowalski'), ('Singh', 'Singh'), ('Osei', 'Osei'), ('Lindqvist', 'Lindqvist'),
    ('M{\\"u}ller', 'Müller'), ("Cl{\\'e}ment", 'Clément'), ("Garc{\\'\\i}a", 'García'),
    ('Y{\\i}lmaz', 'Yılmaz'), ('{\\O}stergaard', 'Østergaard'), ('Ko{\\c{c}}', 'Koç'),
    ("Nov{\\'a}k", 'Novák'), ("Dvo{\\v{r}}{\\'a}k", 'Dvořák'), ('Sch{\\"o}nfeld', 'Schönfeld'),
    ("L{\\'o}pez", 'López'), ("Ib{\\'a}{\\~n}ez", 'Ibáñez'), ('Bront{\\"e}', 'Brontë'),
    ('van den Berg', 'van den Berg'), ('de la Cruz', 'de la Cruz'), ("Su{\\'a}rez", 'Suárez'),
)
CITIES = ('Tokyo', 'Brussels', 'Washington', 'Canberra', 'Seoul', 'London', 'Berlin', 'Ottawa')
TITLES = ('Dr', 'Professor', 'Ms', 'Mr', 'Ambassador', 'Dr', 'Dr')
CORPORATE = (
    'Organisation for Economic Co-operation and Development',
    'Ministry of Economy, Trade and Industry', 'Institute for Export Governance',
    'Centre for Technology and Security Policy', 'Government Accountability Office',
    'European Commission', 'Bureau of Industry and Security', 'Wassenaar Arrangement Secretariat',
    'Parliamentary Research Service', 'Committee on Foreign Investment Review',
)
JOURNALS = (
    ('jsts', 'Journal of Strategic Trade Studies'), ('sec', 'Security and Technology Review'),
    ('ipr', 'International Policy Review'), ('ejil', 'European Journal of Investment Law'),
    ('asr', 'Asian Security Quarterly'), ('nps', 'Nonproliferation Studies'),
    ('tpj', 'Trade Policy Journal'), ('rsp', 'Research Security and Policy'),
    ('dpe', 'Defence and Peace Economics Letters'), ('gov', 'Governance of Emerging Technologies'),
    ('law', 'Yearbook of Economic Security Law'), ('ia', 'Regional Affairs Bulletin'),
)
PUBLISHERS = (
    ('hap', 'Harbour Academic Press', 'Bristol'), ('nup', 'Northgate University Press', 'Boston'),
    ('lpl', 'Lindenhof Policy Library', 'Berlin'), ('kgs', 'Kaiyo Global Studies', 'Tokyo'),
    ('rcp', 'Riverside Current Publishers', 'London'),
)
PROTECTED = (
    '{EU}', '{OECD}', '{Japan}', '{Korea}', '{China}', '{Wassenaar Arrangement}', '{CFIUS}',
    '{FIRRMA}', '{WTO}', '{NATO}', '{G7}', '{Indo-Pacific}', '{Europe}', '{AI}',
)
MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
AFFILIATIONS = (
    'Institute for Strategic Technology', 'Centre for Trade and Security',
    'School of International Law', 'Economic Security Programme', 'Policy Lab on Research',
    'Forum for Allied Industry', 'Department of Political Economy', 'Export Policy Unit',
)
# fmt: on


def _slug(text: str) -> str:
    table = str.maketrans('áàäåçčéèëíıóöøšúüñřÅØ', 'aaaacceeeiiooosuunrao')
    text = text.lower().translate(table)
    return re.sub(r'[^a-z0-9]+', '-', text).strip('-')


# --------------------------------------------------------------------------- prose


def _plural(noun: str) -> str:
    if noun.endswith(('how', 'fora')):
        return noun
    if noun.endswith('y') and noun[-2] not in 'aeiou':
        return noun[:-1] + 'ies'
    if noun.endswith(('s', 'x', 'ch')):
        return noun + 'es'
    return noun + 's'


class Prose:
    """Seeded pseudo-random English-like sentences about trade and technology policy."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def noun_phrase(self, depth: int = 0) -> str:
        r = self.rng
        words = []
        det = r.choice(('the', 'the', 'a', 'this', 'each', 'every', 'their', 'its', ''))
        if det:
            words.append(det)
        words.extend(r.sample(ADJECTIVES, r.choice((0, 1, 1, 2))))
        noun = r.choice(NOUNS)
        if det in ('', 'the') and r.random() < 0.3:
            noun = _plural(noun)
        words.append(noun)
        if det == 'a' and words[1][0] in 'aeiou':
            words[0] = 'an'
        if depth < 1 and r.random() < 0.35:
            words.append('of')
            words.append(self.noun_phrase(depth + 1))
        return ' '.join(words)

    def clause(self) -> str:
        r = self.rng
        verb = r.choice(VERBS)
        form = r.random()
        if form < 0.4:
            body = f'{self.noun_phrase()} {verb[1]} {self.noun_phrase()}'
        elif form < 0.7:
            body = f'{r.choice(ORGS)} {verb[2]} {self.noun_phrase()}'
        elif form < 0.85:
            body = f'{self.noun_phrase()} {r.choice(MODALS)} {verb[0]} {self.noun_phrase()}'
        else:
            body = f'{self.noun_phrase()} was {verb[3]} in {r.choice(YEARS)}'
        if r.random() < 0.5:
            body += f' {r.choice(PREPOSITIONS)} {r.choice((*PLACES, self.noun_phrase()))}'
        return body

    def sentence(self) -> list[str]:
        """One sentence as words; the last word carries the full stop."""
        r = self.rng
        text = self.clause()
        if r.random() < 0.35:
            text = f'{r.choice(ADVERBS)}, {text}'
        if r.random() < 0.4:
            text += f', {r.choice(CONNECTORS)} {self.clause()}'
        text = text[0].upper() + text[1:]
        return (text + '.').split(' ')

    def sentences(self, count: int) -> list[str]:
        words: list[str] = []
        for _ in range(count):
            words.extend(self.sentence())
        return words

    def question(self) -> str:
        r = self.rng
        verb = r.choice(VERBS)
        np1, np2 = self.noun_phrase(), self.noun_phrase()
        forms = (
            f'How should {np1} be {verb[3]} {r.choice(PREPOSITIONS)} {r.choice(PLACES)}',
            f'What would {r.choice(ORGS)} need to {verb[0]} {np1} without {verb[4]} {np2}',
            f'Can {np1} {verb[0]} {np2}, or is closer coordination among allies needed',
            f'To what extent does {np1} {verb[0]} {np2} {r.choice(PREPOSITIONS)} '
            f'{r.choice(PLACES)}',
            f'Should {r.choice(ORGS)} {verb[0]} {np1}, and at what cost to {np2}',
            f'Which lessons from {np1} apply to {np2}',
        )
        text = r.choice(forms)
        if r.random() < 0.5:
            lead = self.clause()
            text = f'Given that {lead}, {text[0].lower()}{text[1:]}'
        return text[0].upper() + text[1:] + '?'

    def title(self, words: int = 4) -> str:
        r = self.rng
        parts = [r.choice(ADJECTIVES).capitalize(), r.choice(NOUNS).title()]
        if words > 2:
            parts += ['and', r.choice(ADJECTIVES).capitalize(), r.choice(NOUNS).title()]
        return ' '.join(parts)


# --------------------------------------------------------------------------- text pieces

#: Every twin the generator writes. ``bare`` is the reference text; the others differ from it
#: only where their tool gives the text a structure (a directive, a role, a need).
TWIN_NAMES = ('briefing', 'bare', 'bibtex', 'needs')
#: The twins measured against sphinx-briefing and bare Sphinx when the runner asks for peers.
PEER_TWINS = ('bibtex', 'needs')


def _peers(peers: dict[str, str]) -> dict[str, str]:
    """*peers*, checked: a misspelt twin would otherwise silently get bare's text."""
    if unknown := set(peers) - set(PEER_TWINS):
        raise ValueError(f'no such peer twin: {", ".join(sorted(unknown))}')
    return peers


class Variant:
    """One unbreakable unit of a paragraph that reads differently in some twins: its
    briefing text, its bare text, and the peers' texts where they differ from bare."""

    __slots__ = ('bare', 'briefing', 'peers')

    def __init__(self, briefing: str, bare: str, **peers: str) -> None:
        self.briefing = briefing
        self.bare = bare
        self.peers = _peers(peers)

    def text(self, twin: str) -> str:
        if twin == 'briefing':
            return self.briefing
        return self.peers.get(twin, self.bare)

    def suffixed(self, stop: str) -> Variant:
        peers = {twin: text + stop for twin, text in self.peers.items()}
        return Variant(self.briefing + stop, self.bare + stop, **peers)


#: A word (the same in every twin) or a :class:`Variant`.
Piece = str | Variant


def _plain(words: list[str]) -> list[Piece]:
    return list(words)


def _piece_text(piece: Piece, twin: str) -> str:
    return piece if isinstance(piece, str) else piece.text(twin)


def _wrap(pieces: list[Piece], twin: str, indent: str = '') -> str:
    lines: list[str] = []
    line = indent
    for piece in pieces:
        text = _piece_text(piece, twin)
        if line.strip() and len(line) + 1 + len(text) > WIDTH:
            lines.append(line)
            line = indent + text
        elif line.strip():
            line += ' ' + text
        else:
            line += text
    if line.strip():
        lines.append(line)
    return '\n'.join(lines)


def _attach(pieces: list[Piece], piece: Piece) -> list[Piece]:
    """Append *piece* to a run of words, before its closing punctuation if it has one."""
    last = pieces[-1]
    last_briefing = _piece_text(last, 'briefing')
    if last_briefing[-1] not in '.?!,;:':
        return [*pieces, piece]
    stop = last_briefing[-1]
    if isinstance(last, str):
        trimmed: Piece = last[:-1]
    else:
        peers = {twin: text[:-1] for twin, text in last.peers.items()}
        trimmed = Variant(last.briefing[:-1], last.bare[:-1], **peers)
    moved = piece + stop if isinstance(piece, str) else piece.suffixed(stop)
    return [*pieces[:-1], trimmed, moved]


class Twins:
    """Accumulates every twin's rendering of one file side by side."""

    def __init__(self) -> None:
        self.parts: dict[str, list[str]] = {twin: [] for twin in TWIN_NAMES}

    def both(self, text: str) -> None:
        """The same text in every twin."""
        for parts in self.parts.values():
            parts.append(text)

    def each(self, briefing: str, bare: str, **peers: str) -> None:
        """One text for sphinx-briefing, one for bare Sphinx, which is also each peer's
        unless *peers* gives it its own."""
        _peers(peers)
        for twin, parts in self.parts.items():
            if twin == 'briefing':
                parts.append(briefing)
            else:
                parts.append(peers.get(twin, bare))

    def para(self, pieces: list[Piece]) -> None:
        if all(isinstance(piece, str) for piece in pieces):
            self.both(_wrap(pieces, 'bare'))
            return
        for twin, parts in self.parts.items():
            parts.append(_wrap(pieces, twin))

    def text(self, twin: str) -> str:
        return '\n\n'.join(self.parts[twin]).rstrip('\n') + '\n'

    def texts(self) -> dict[str, str]:
        return {twin: self.text(twin) for twin in TWIN_NAMES}


# --------------------------------------------------------------------------- the plan


@dataclass
class Person:
    pid: str
    name: str
    affiliation: str
    role: str
    bio: str


@dataclass
class Panel:
    panel_id: str
    title: str
    event: str
    day: date
    start: str
    venue: str
    moderator: Person
    panellists: list[Person]
    docs: list[int] = field(default_factory=list)


@dataclass
class Question:
    qid: str
    doc: int
    section: int
    parent: str | None
    number: str = ''
    to: list[str] = field(default_factory=list)


@dataclass
class BibRecord:
    key: str
    entry_type: str
    bibtex: str
    short_authors: str
    year: int


@dataclass
class Plan:
    docs: int
    seed: int
    panels: list[Panel]
    doc_panel: list[Panel]
    doc_titles: list[str]
    doc_files: list[str]
    questions: dict[str, Question]
    doc_questions: list[list[Question]]
    people: dict[str, Person]
    bib: list[BibRecord]


def _people(rng: random.Random, count: int) -> list[Person]:
    people: list[Person] = []
    used: set[str] = set()
    prose = Prose(rng)
    for i in range(count):
        first = rng.choice(FIRST_NAMES)[1]
        last = rng.choice(LAST_NAMES)[1]
        pid = _slug(last)
        n = 2
        while pid in used:
            pid = f'{_slug(last)}-{n}'
            n += 1
        used.add(pid)
        role = 'moderator' if i % 5 == 0 else 'panellist'
        bio = ' '.join(prose.sentences(2)) + ' Fictional participant for this benchmark.'
        people.append(
            Person(
                pid,
                f'{rng.choice(TITLES)} {first} {last}',
                f'(fictional) {rng.choice(AFFILIATIONS)}, {rng.choice(CITIES)}',
                role,
                bio,
            )
        )
    return people


def _plan(docs: int, seed: int) -> Plan:
    rng = random.Random(f'plan-{seed}')
    prose = Prose(rng)
    n_panels = (docs + DOCS_PER_PANEL - 1) // DOCS_PER_PANEL
    people = _people(rng, 5 * n_panels)
    panels: list[Panel] = []
    for p in range(n_panels):
        group = people[5 * p : 5 * p + 5]
        panels.append(
            Panel(
                f'panel-{p + 1:02d}',
                f'{prose.title()}: Panel {p + 1}',
                f'Economic Security Briefing Series {2025 + (p + 4) // 26}',
                date(2025, 3, 5) + timedelta(days=14 * p),
                rng.choice(('09:30', '11:00', '14:00', '16:00')),
                f'Seminar Room {rng.choice("ABCDEF")}, Conference Centre',
                group[0],
                group[1:],
            )
        )
    doc_panel = [panels[d // DOCS_PER_PANEL] for d in range(docs)]
    doc_titles: list[str] = []
    doc_files: list[str] = []
    questions: dict[str, Question] = {}
    doc_questions: list[list[Question]] = []
    for d in range(docs):
        doc_panel[d].docs.append(d)
        title = prose.title()
        doc_titles.append(title)
        doc_files.append(f'themes/{d + 1:04d}-{_slug(title)}')
        tops = QUESTIONS_PER_DOC - FOLLOW_UPS_PER_DOC
        # Eight top-level questions over five sections: 2, 2, 2, 1, 1.
        sections = [s for s in range(SECTIONS_PER_DOC) for _ in range(2 if s < 3 else 1)]
        with_follow_up = set(rng.sample(range(tops), FOLLOW_UPS_PER_DOC))
        qs: list[Question] = []
        for j in range(tops):
            q = Question(f't{d + 1:04d}-q{j + 1:02d}', d, sections[j], None)
            panellists = [p.pid for p in doc_panel[d].panellists]
            q.to = rng.sample(panellists, rng.choice((1, 1, 2)))
            if j == 0:  # the edited question has two addressees: both briefs are checked
                q.to = rng.sample(panellists, 2)
            qs.append(q)
            if j in with_follow_up:
                f = Question(f'{q.qid}a', d, q.section, q.qid)
                f.to = q.to[:1]
                qs.append(f)
        for q in qs:
            questions[q.qid] = q
        doc_questions.append(qs)
    # Numbering per panel in reading order (Q1, Q2 …; follow-ups Q2a …), for the bare twin.
    for panel in panels:
        n = 0
        for d in panel.docs:
            letter = 0
            for q in doc_questions[d]:
                if q.parent is None:
                    n += 1
                    letter = 0
                    q.number = f'Q{n}'
                else:
                    q.number = f'Q{n}{"abcdefghij"[letter]}'
                    letter += 1
    bib = _bib_records(random.Random(f'bib-{seed}'), BIB_ENTRIES)
    return Plan(
        docs,
        seed,
        panels,
        doc_panel,
        doc_titles,
        doc_files,
        questions,
        doc_questions,
        {p.pid: p for p in people},
        bib,
    )


# --------------------------------------------------------------------------- refs.bib


def _bib_title(rng: random.Random, prose: Prose) -> str:
    words = prose.title(rng.choice((2, 4))).split(' ')
    if rng.random() < 0.6:
        words.insert(rng.randrange(len(words) + 1), rng.choice(PROTECTED))
    title = ' '.join(words)
    extra = rng.random()
    if extra < 0.25:
        title += f': {rng.choice(("Lessons from", "Evidence from", "The Case of"))} '
        title += rng.choice(PROTECTED)
    elif extra < 0.35:
        title += f', {rng.choice(YEARS)}--{rng.choice(YEARS)}'
    elif extra < 0.45:
        title = f'The \\emph{{{rng.choice(NOUNS).title()}}} Clause in {title}'
    elif extra < 0.55:
        title += ' \\& ' + rng.choice(NOUNS).title()
    return title


def _bib_people(rng: random.Random) -> tuple[str, str]:
    """Return (BibTeX name list without the field's delimiters, author-year text)."""
    if rng.random() < 0.18:
        if rng.random() < 0.25:  # braces inside a corporate name with a comma and "and"
            return (
                '{{OECD} Directorate for Science, Technology and Innovation}',
                'OECD Directorate for Science, Technology and Innovation',
            )
        body = rng.choice(CORPORATE)
        return '{' + body + '}', body
    names: list[str] = []
    lasts: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        first_tex, _first = rng.choice(FIRST_NAMES)
        last_tex, last = rng.choice(LAST_NAMES)
        lasts.append(last)
        if ' ' in last and last[0].islower():  # "van den Berg": a von part
            names.append(f'{first_tex} {last_tex}')
        elif rng.random() < 0.6:
            names.append(f'{last_tex}, {first_tex}')
        else:
            names.append(f'{first_tex} {last_tex}')
    if len(lasts) == 1:
        short = lasts[0]
    elif len(lasts) == 2:
        short = f'{lasts[0]} and {lasts[1]}'
    else:
        short = f'{lasts[0]} et al.'
    return ' and '.join(names), short


def _bib_records(rng: random.Random, count: int) -> list[BibRecord]:
    prose = Prose(rng)
    records: list[BibRecord] = []
    keys: set[str] = set()
    types = (('article',) * 8 + ('book',) * 3 + ('techreport',) * 4 + ('misc',) * 3) + (
        'incollection',
    ) * 2
    for i in range(count):
        entry_type = types[i % len(types)] if i < len(types) else rng.choice(types)
        authors, short = _bib_people(rng)
        year = rng.choice(YEARS[:-1])
        stem = _slug(next(w for w in short.split(' ') if w[0].isupper()))
        base = f'{stem}{year}{rng.choice(NOUNS).split(" ")[0].replace("-", "")}'
        key, n = base, 0
        while key in keys:
            n += 1
            key = f'{base}{"abcdefghijklmnopqrstuvwxyz"[n % 26]}{n // 26 or ""}'
        keys.add(key)
        title = _bib_title(rng, prose)
        fields: list[tuple[str, str]] = []
        role = 'editor' if entry_type == 'book' and rng.random() < 0.3 else 'author'
        fields.append((role, '{' + authors + '}'))
        fields.append(('title', '{' + title + '}'))
        doi = f'10.{rng.randrange(1000, 9999)}/bench.{year}.{rng.randrange(100, 9999)}'
        if entry_type == 'article':
            macro, _journal = rng.choice(JOURNALS)
            fields += [
                ('journal', macro),
                ('year', str(year) if rng.random() < 0.5 else '{' + str(year) + '}'),
                ('volume', '{' + str(rng.randrange(1, 40)) + '}'),
                ('number', '{' + str(rng.randrange(1, 6)) + '}'),
                ('pages', '{' + _page_range(rng) + '}'),
            ]
            if rng.random() < 0.5:
                fields.append(('month', rng.choice(MONTHS)))
            fields.append(('doi', '{' + doi + '}'))
        elif entry_type == 'book':
            macro, _name, city = rng.choice(PUBLISHERS)
            fields += [
                ('publisher', macro),
                ('address', '{' + city + '}'),
                ('year', '{' + str(year) + '}'),
                ('isbn', '{978-' + '-'.join(str(rng.randrange(10, 99)) for _ in range(4)) + '}'),
            ]
            if rng.random() < 0.3:
                fields.append(('edition', '{' + rng.choice(('2nd', 'Second', '3rd')) + '}'))
        elif entry_type == 'techreport':
            fields += [
                ('institution', '{' + rng.choice(CORPORATE) + '}'),
                ('number', '{' + f'WP-{year}-{rng.randrange(1, 60):02d}' + '}'),
                ('year', '{' + str(year) + '}'),
                ('month', rng.choice(MONTHS)),
                ('url', '{https://reports.example.org/' + key + '.pdf}'),
            ]
        elif entry_type == 'misc':
            month = rng.randrange(12)
            fields += [
                ('howpublished', '{\\url{https://www.example.org/news/' + key + '}}'),
                ('year', '{' + str(year) + '}'),
                ('month', MONTHS[month]),
                ('note', '"Accessed " # ' + MONTHS[month] + ' # " ' + str(year + 1) + '"'),
            ]
        else:  # incollection
            macro, _name, city = rng.choice(PUBLISHERS)
            ed_tex, _ed = rng.choice(LAST_NAMES)
            ed_first, _ = rng.choice(FIRST_NAMES)
            fields += [
                ('booktitle', '{' + _bib_title(rng, prose) + '}'),
                ('editor', '{' + f'{ed_tex}, {ed_first}' + '}'),
                ('publisher', macro),
                ('address', '{' + city + '}'),
                ('year', '{' + str(year) + '}'),
                ('pages', '{' + _page_range(rng) + '}'),
                ('doi', '{' + doi + '}'),
            ]
        body = ',\n'.join(f'  {name} = {value}' for name, value in fields)
        records.append(
            BibRecord(key, entry_type, f'@{entry_type}{{{key},\n{body}\n}}', short, year)
        )
    return records


def _page_range(rng: random.Random) -> str:
    start = rng.randrange(1, 400)
    return f'{start}--{start + rng.randrange(5, 40)}'


def _bib_file(records: list[BibRecord]) -> str:
    head = [
        '% Generated by benchmarks/generate.py: fictional entries for the build benchmark.',
        '@comment{Journal and publisher macros}',
    ]
    head += [f'@string{{{macro} = {{{name}}}}}' for macro, name in JOURNALS]
    head += [f'@string{{{macro} = {{{name}}}}}' for macro, name, _city in PUBLISHERS]
    return '\n'.join(head) + '\n\n' + '\n\n'.join(r.bibtex for r in records) + '\n'


# --------------------------------------------------------------------------- documents


def _need_id(ident: str) -> str:
    """A question's or position's id as sphinx-needs accepts it (``needs_id_regex``,
    ``^[A-Z0-9_]{5,}``): ``t0012-q03a`` becomes ``Q_T0012_Q03A``, ``t0012-p07`` ``P_T0012_P07``."""
    kind = 'Q' if '-q' in ident else 'P'
    return f'{kind}_' + ident.upper().replace('-', '_')


def _names(plan: Plan, pids: list[str]) -> str:
    return ', '.join(plan.people[p].name for p in pids)


class DocWriter:
    def __init__(self, plan: Plan, d: int, cite_pool: list[int], stats: dict[str, int]) -> None:
        self.plan = plan
        self.d = d
        self.rng = random.Random(f'doc-{plan.seed}-{d}')
        self.prose = Prose(self.rng)
        self.panel = plan.doc_panel[d]
        self.cite_pool = cite_pool
        self.stats = stats
        self.out = Twins()
        self.positions: list[tuple[str, str, Question]] = []

    # ---- inline roles
    def cite_piece(self, kind: str, postnote: str | None) -> Piece:
        rec = self.plan.bib[self.rng.choice(self.cite_pool)]
        self.stats['cite_roles'] += 1
        self.stats[f'cite_{kind}'] += 1
        self.stats['cite_postnote'] += postnote is not None
        target = f'{rec.key}{{{postnote}}}' if postnote else rec.key
        note = f', {postnote}' if postnote else ''
        if kind == 't':
            bare = f'{rec.short_authors} ({rec.year}{note})'
        else:
            bare = f'({rec.short_authors} {rec.year}{note})'
        # sphinxcontrib-bibtex reads the same role and post-note syntax (``key{post}``).
        role = f'{{cite:{kind}}}`{target}`'
        return Variant(role, bare, bibtex=role)

    def question_piece(self, q: Question, explicit: str | None = None) -> Variant:
        shown = explicit or q.number
        need = f'{{need}}`{shown} <{_need_id(q.qid)}>`'
        if explicit:
            return Variant(f'{{question}}`{explicit} <{q.qid}>`', explicit, needs=need)
        return Variant(f'{{question}}`{q.qid}`', q.number, needs=need)

    def para_with_cite(self, sentences: int) -> list[Piece]:
        pieces = _plain(self.prose.sentences(sentences))
        r = self.rng.random()
        postnote = self.rng.choice(POSTNOTES) if self.rng.random() < 0.3 else None
        if r < 0.25:
            first = _plain(['As'])
            rest = self.prose.sentence()
            rest[0] = rest[0][0].lower() + rest[0][1:]
            cite = self.cite_piece('t', postnote)
            verb = self.rng.choice(('argues,', 'notes,', 'shows,', 'reports,'))
            return [*first, cite, verb, *_plain(rest), *pieces]
        return _attach(pieces, self.cite_piece('p', postnote))

    def other_question(self) -> Question:
        others = [d for d in range(self.plan.docs) if d != self.d] or [self.d]
        d = self.rng.choice(others)
        return self.rng.choice(self.plan.doc_questions[d])

    def crossref_sentence(self) -> list[Piece]:
        q = self.other_question()
        self.stats['question_refs'] += 1
        explicit = 'a related question' if self.rng.random() < 0.25 else None
        piece = self.question_piece(q, explicit)
        verb = self.rng.choice(VERBS)
        if self.rng.random() < 0.5:
            words = ['Compare']
            tail = f'which {verb[1]} {self.prose.noun_phrase()}.'.split(' ')
            return [*_plain(words), piece.suffixed(','), *_plain(tail)]
        lead = f'The {self.rng.choice(NOUNS)} discussed under'.split(' ')
        tail = f'{verb[1]} the same {self.rng.choice(NOUNS)}.'.split(' ')
        return [*_plain(lead), piece, *_plain(tail)]

    # ---- directives
    def fence(self, colons: int, name: str, arg: str, options: list[tuple[str, str]]) -> str:
        lines = [':' * colons + '{' + name + '}' + (f' {arg}' if arg else '')]
        lines += [f':{k}: {v}' for k, v in options]
        return '\n'.join(lines)

    def question_block(self, q: Question, follow_ups: list[Question]) -> None:
        r = self.rng
        outer = 4 if follow_ups else 3
        for item in [q, *follow_ups]:
            if item.qid.endswith('-q01'):  # one core question per document: the plan fits
                priority, minutes = 'core', CORE_MINUTES
            else:
                priority = r.choice(('reserve', 'reserve', 'reserve', 'defensive'))
                minutes = r.choice((2, 2, 3, 4, 5))
            tags = r.sample(TAGS, r.choice((1, 2, 3)))
            options = [('panel', self.panel.panel_id)]
            if item.parent is None or r.random() < 0.5:  # a follow-up may inherit :to:
                options.append(('to', ', '.join(item.to)))
            options += [
                ('minutes', str(minutes)),
                ('priority', priority),
                ('tags', ', '.join(tags)),
            ]
            text = self.prose.question()
            self.stats['questions'] += 1
            self.stats['follow_ups'] += item.parent is not None
            colons = outer if item is q else 3
            summary = (
                f'To: {_names(self.plan, item.to)} · {minutes} min · {priority} · '
                f'tags: {", ".join(tags)} · {self.panel.title}'
            )
            # The need's title is its first line, the question, so that the needtable shows
            # it and apply_edit finds the text on a line of its own in every twin.
            need_options = [
                ('id', _need_id(item.qid)),
                ('status', priority),
                ('tags', ';'.join(tags)),
                ('title_from_content', 'true'),
            ]
            self.out.each(
                self.fence(colons, 'question', item.qid, options) + '\n\n' + text,
                ':' * colons + f'{{admonition}} Q: {item.number}\n{summary}\n\n{text}',
                needs=self.fence(colons, 'question', '', need_options)
                + f'\n\n{text}\n\nQ: {item.number} · {summary}',
            )
            if item is not q:
                self.out.both(':::')
        self.out.both(':' * outer)

    def position_block(self, pos_id: str, q: Question, actor: str) -> None:
        r = self.rng
        stance = r.choice(STANCES)
        sources = [self.plan.bib[r.choice(self.cite_pool)] for _ in range(r.choice((1, 2)))]
        if len(sources) == 2 and sources[0].key == sources[1].key:
            sources = sources[:1]
        self.stats['positions'] += 1
        self.stats['position_sources'] += len(sources)
        counter = r.random() < 0.25
        colons = 4 if counter else 3
        options = [
            ('question', q.qid),
            ('actor', actor),
            ('stance', stance),
            ('sources', ', '.join(s.key for s in sources)),
        ]
        body = _plain(self.prose.sentences(r.choice((3, 3, 4))))
        summary = 'Sources: ' + '; '.join(f'{s.short_authors} {s.year}' for s in sources)
        title = f'{actor} ({stance}) on {q.number}'
        text = _wrap(body, 'bare')
        bare = f'{":" * colons}{{admonition}} Position: {title}\n{summary}\n\n{text}'
        cited = 'Sources: {cite:p}`' + ','.join(s.key for s in sources) + '`'
        need_options = [('id', _need_id(pos_id)), ('status', stance), ('links', _need_id(q.qid))]
        self.out.each(
            self.fence(colons, 'position', pos_id, options) + '\n\n' + text,
            bare,
            bibtex=f'{":" * colons}{{admonition}} Position: {title}\n{cited}\n\n{text}',
            needs=self.fence(colons, 'position', title, need_options) + f'\n\n{summary}\n\n{text}',
        )
        if counter:
            self.stats['counter_arguments'] += 1
            text = _wrap(_plain(self.prose.sentences(r.choice((1, 2)))), 'bare')
            self.out.each(
                ':::{counter-argument}\n' + text + '\n:::',
                ':::{admonition} Counter-argument\n' + text + '\n:::',
            )
        self.out.both(':' * colons)

    def panel_block(self) -> None:
        p = self.panel
        options = [
            ('title', p.title),
            ('event', p.event),
            ('date', p.day.isoformat()),
            ('start', p.start),
            ('venue', p.venue),
            ('duration', str(PANEL_DURATION)),
            ('moderator', p.moderator.pid),
            ('panellists', ', '.join(x.pid for x in p.panellists)),
            ('handling', 'Chatham House Rule'),
            ('status', 'draft'),
        ]
        text = _wrap(_plain(self.prose.sentences(4)), 'bare')
        line = (
            f'{p.event} · {p.day.isoformat()} · {p.start} · {PANEL_DURATION} minutes · '
            f'{p.venue} · moderator: {p.moderator.name} · panellists: '
            f'{", ".join(x.name for x in p.panellists)} · Chatham House Rule · draft'
        )
        self.out.each(
            self.fence(3, 'panel', p.panel_id, options) + '\n\n' + text + '\n:::',
            f':::{{admonition}} Panel: {p.title}\n{line}\n\n{text}\n:::',
        )

    # ---- the document
    def write(self) -> Twins:
        r = self.rng
        plan, d = self.plan, self.d
        title = plan.doc_titles[d]
        self.out.both(f'# {title}')
        if d == self.panel.docs[0]:
            self.panel_block()
        intro = _plain(self.prose.sentences(4))
        panel_piece = Variant(f'{{panel}}`{self.panel.panel_id}`', self.panel.title)
        intro = _attach(_plain(['This', 'theme', 'belongs', 'to.']), panel_piece) + intro
        self.out.para(intro)
        self.out.para(_plain(self.prose.sentences(4)))
        qs = plan.doc_questions[d]
        cite_sections = set(r.sample(range(SECTIONS_PER_DOC), CITES_PER_DOC))
        ref_sections = r.sample(range(SECTIONS_PER_DOC), QUESTION_REFS_PER_DOC)
        position_ref_section = r.randrange(1, SECTIONS_PER_DOC)
        pos_n = 0
        for s in range(SECTIONS_PER_DOC):
            self.out.both(f'## {self.prose.title()}')
            for k in range(2):
                if k == 0 and s in cite_sections:
                    self.out.para(self.para_with_cite(r.choice((3, 4))))
                else:
                    self.out.para(_plain(self.prose.sentences(r.choice((3, 4, 5)))))
            section_qs = [q for q in qs if q.section == s]
            for q in section_qs:
                if q.parent is None:
                    self.question_block(q, [f for f in section_qs if f.parent == q.qid])
            self.out.both('### Background')
            pieces = _plain(self.prose.sentences(r.choice((3, 4))))
            if s in ref_sections:
                pieces += self.crossref_sentence()
            self.out.para(pieces)
            if r.random() < 0.5:
                items = [
                    '- ' + _wrap(_plain(self.prose.sentences(1)), 'bare', '  ').lstrip()
                    for _ in range(r.choice((2, 3, 4)))
                ]
                self.out.both('\n'.join(items))
            self.out.para(_plain(self.prose.sentences(r.choice((3, 4, 5)))))
            if s == 0:
                who = r.choice(section_qs[0].to)
                person = plan.people[who]
                self.stats['participant_refs'] += 1
                sentence = self.prose.sentence()
                sentence[0] = sentence[0][0].lower() + sentence[0][1:]
                self.out.para(
                    [
                        *_plain(['On', 'this', 'point,']),
                        Variant(f'{{participant}}`{who}`', person.name),
                        *_plain(['notes', 'that', *sentence]),
                    ]
                )
            self.out.both('### Positions')
            if s == position_ref_section and self.positions:
                pid, actor, pq = self.positions[0]
                self.stats['position_refs'] += 1
                self.out.para(
                    _attach(
                        _plain(['The', 'earlier', 'position', 'is', 'restated', 'in.']),
                        Variant(
                            f'{{position}}`{pid}`',
                            f'{actor} on {pq.number}',
                            needs=f'{{need}}`{actor} on {pq.number} <{_need_id(pid)}>`',
                        ),
                    )
                    + _plain(self.prose.sentences(1))
                )
            for q in section_qs:
                actors = r.sample(ACTORS, POSITIONS_PER_QUESTION)
                for actor in actors:
                    pos_n += 1
                    pos_id = f't{d + 1:04d}-p{pos_n:02d}'
                    self.position_block(pos_id, q, actor)
                    self.positions.append((pos_id, actor, q))
        return self.out


# --------------------------------------------------------------------------- pages


#: Each twin's Sphinx extensions.
EXTENSIONS = {
    'briefing': ['myst_parser', 'sphinx_briefing'],
    'bare': ['myst_parser'],
    'bibtex': ['myst_parser', 'sphinxcontrib.bibtex'],
    'needs': ['myst_parser', 'sphinx_needs'],
}
#: Each twin's settings beyond those every twin shares.
SETTINGS = {
    'briefing': ['', "briefing_bibfiles = ['refs.bib']"],
    'bare': [],
    'bibtex': [
        '',
        "bibtex_bibfiles = ['refs.bib']",
        '# Author and year, as the other twins show a citation.',
        "bibtex_reference_style = 'author_year'",
    ],
    'needs': [
        '',
        'needs_types = [',
        "    {'directive': 'question', 'title': 'Question', 'prefix': 'Q_', 'color': '#BFD8D2',",
        "     'style': 'node'},",
        "    {'directive': 'position', 'title': 'Position', 'prefix': 'P_', 'color': '#FEDCD2',",
        "     'style': 'node'},",
        ']',
        'needs_id_required = True',
        '# A reference shows the text written in it (Q17), as in the other twins, not the id.',
        "needs_role_need_template = '{{ title }}'",
    ],
}


def _conf(plan: Plan, twin: str) -> str:
    extensions = repr(EXTENSIONS[twin])
    lines = [
        f'"""Benchmark corpus ({twin} twin): {plan.docs} documents, seed {plan.seed}."""',
        '',
        f"project = 'Briefing benchmark ({plan.docs} documents)'",
        "author = 'sphinx-briefing benchmarks'",
        "copyright = '2024, sphinx-briefing benchmarks'",
        "language = 'en'",
        '',
        f'extensions = {extensions}',
        "myst_enable_extensions = ['colon_fence']",
        "exclude_patterns = ['_build']",
        '',
        "html_theme = 'alabaster'",
        *SETTINGS[twin],
    ]
    return '\n'.join(lines) + '\n'


def _collection(title: str, intro: str, directive: str, bare: str, **peers: str) -> dict[str, str]:
    """A collection page: the same heading and introduction in every twin, then
    sphinx-briefing's directive, or bare Sphinx's paragraph (or a peer's own markup)."""
    page = Twins()
    page.both(f'# {title}\n\n{intro}')
    page.each(directive, bare, **peers)
    return page.texts()


def _pages(plan: Plan, prose: Prose) -> dict[str, dict[str, str]]:
    pages: dict[str, dict[str, str]] = {}
    people = Twins()
    people.both('# Participants')
    people.both(
        'Every moderator and panellist of the series. All of them are fictional, generated '
        'for the build benchmark.'
    )
    for panel in plan.panels:
        people.both(f'## {panel.title}')
        for person in [panel.moderator, *panel.panellists]:
            options = f':name: {person.name}\n:affiliation: {person.affiliation}\n'
            options += f':role: {person.role}'
            bio = _wrap(_plain(person.bio.split(' ')), 'bare')
            people.each(
                f':::{{participant}} {person.pid}\n{options}\n\n{bio}\n:::',
                f':::{{admonition}} Participant: {person.name}\n'
                f'{person.affiliation} · {person.role}\n\n{bio}\n:::',
            )
    pages['participants'] = people.texts()
    pages['question-index'] = _collection(
        'Question index',
        'Every question of every panel, numbered in running order, with its addressees, '
        'minutes, priority and the positions recorded on it.',
        '```{question-index}\n```',
        'Question index: every question of every panel, grouped by topic.',
        needs='```{needtable}\n:types: question\n:columns: id;title;status;tags;incoming\n```',
    )
    for panel in plan.panels:
        pages[f'matrix-{panel.panel_id}'] = _collection(
            f'Position matrix: {panel.title}',
            'Where each state and body stands on the questions of this panel.',
            f'```{{position-matrix}}\n:panel: {panel.panel_id}\n```',
            f'Position matrix of {panel.title}: actors by questions, one cell per stance.',
        )
    for panel in plan.panels:
        for person in panel.panellists:
            pages[f'brief-{person.pid}'] = _collection(
                f'Brief: {person.name}',
                f'Everything {person.name} needs for {panel.title}: the questions addressed '
                'to them, the positions on those questions, the run of show and the sources.',
                f'```{{panellist-brief}} {person.pid}\n```',
                f'Panellist brief for {person.name}: their questions, positions and sources.',
            )
    pages['bibliography'] = _collection(
        'Bibliography',
        'The works cited in this book.',
        '```{bibliography}\n:cited:\n```',
        'Bibliography: every cited work, formatted in the chosen citation style.',
        # sphinxcontrib-bibtex lists the cited works unless told otherwise.
        bibtex='```{bibliography}\n```',
    )
    index = Twins()
    index.both('# Briefing benchmark')
    index.para(_plain(prose.sentences(5)))
    index.both('```{toctree}\n:caption: Participants\n:maxdepth: 1\n\nparticipants\n```')
    for panel in plan.panels:
        docs = '\n'.join(plan.doc_files[d] for d in panel.docs)
        index.both(f'```{{toctree}}\n:caption: {panel.title}\n:maxdepth: 2\n\n{docs}\n```')
    collections = ['question-index', *(f'matrix-{p.panel_id}' for p in plan.panels)]
    collections.append('bibliography')
    index.both(
        '```{toctree}\n:caption: Indexes\n:maxdepth: 1\n\n' + '\n'.join(collections) + '\n```'
    )
    briefs = [f'brief-{x.pid}' for p in plan.panels for x in p.panellists]
    index.both(
        '```{toctree}\n:caption: Panellist briefs\n:maxdepth: 1\n\n' + '\n'.join(briefs) + '\n```'
    )
    pages['index'] = index.texts()
    return pages


# --------------------------------------------------------------------------- main entry points

_WORD = re.compile(r"[A-Za-zÀ-ɏ][\w'’-]*")


def _count_words(markdown: str) -> int:
    """Words a reader sees: fence and option lines and heading marks are not counted."""
    count = 0
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith((':::', '```')) or re.match(r'^:[\w-]+:', stripped):
            continue
        count += len(_WORD.findall(stripped.lstrip('#')))
    return count


def generate(docs: int, out: Path, seed: int = 1) -> dict[str, Any]:
    """Write a folder a twin (``out/briefing``, ``out/bare``, ``out/bibtex``, ``out/needs``)
    and ``out/manifest.json``; return the manifest."""
    if docs < 2:
        raise ValueError('need at least 2 documents')
    plan = _plan(docs, seed)
    # Cited works: a skewed pool (some works are cited often), the same for every document.
    pool_rng = random.Random(f'cite-{seed}')
    weights = [1.0 / (rank + 20) for rank in range(len(plan.bib))]
    cite_pool = pool_rng.choices(range(len(plan.bib)), weights=weights, k=4000)
    stats: dict[str, int] = dict.fromkeys(
        (
            'questions',
            'follow_ups',
            'positions',
            'counter_arguments',
            'position_sources',
            'cite_roles',
            'cite_p',
            'cite_t',
            'cite_postnote',
            'question_refs',
            'participant_refs',
            'position_refs',
        ),
        0,
    )
    files: dict[str, dict[str, str]] = {}
    for d in range(docs):
        files[plan.doc_files[d]] = DocWriter(plan, d, cite_pool, stats).write().texts()
    theme_words = sum(_count_words(files[f]['bare']) for f in plan.doc_files)
    files.update(_pages(plan, Prose(random.Random(f'pages-{seed}'))))
    for twin in TWIN_NAMES:
        root = out / twin
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        for name, texts in files.items():
            path = root / f'{name}.md'
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(texts[twin], encoding='utf-8')
        (root / 'conf.py').write_text(_conf(plan, twin), encoding='utf-8')
    bib = _bib_file(plan.bib)
    for twin in ('briefing', 'bibtex'):
        (out / twin / 'refs.bib').write_text(bib, encoding='utf-8')

    target = plan.doc_questions[docs // 2][0]
    target_text = _question_text(out / 'briefing' / f'{plan.doc_files[target.doc]}.md', target.qid)
    briefing_text = ''.join(f['briefing'] for f in files.values())
    cited = set(re.findall(r'\{cite:[pt]\}`([^`{]+)', briefing_text))
    cited |= {
        k.strip()
        for f in files.values()
        for line in re.findall(r'^:sources: (.*)$', f['briefing'], re.MULTILINE)
        for k in line.split(',')
    }
    entry_types: dict[str, int] = {}
    for rec in plan.bib:
        entry_types[rec.entry_type] = entry_types.get(rec.entry_type, 0) + 1
    manifest: dict[str, Any] = {
        'docs': docs,
        'seed': seed,
        'twins': list(TWIN_NAMES),
        'stats': {
            'theme_documents': docs,
            'pages': len(files),
            'words_in_theme_documents': theme_words,
            'words_per_document': round(theme_words / docs),
            **stats,
            'distinct_works_cited': len(cited),
            'bib_entries': len(plan.bib),
            'bib_entry_types': entry_types,
            'panels': len(plan.panels),
            'participants': len(plan.people),
            'matrix_pages': len(plan.panels),
            'brief_pages': sum(len(p.panellists) for p in plan.panels),
        },
        'edit': {
            'file': f'{plan.doc_files[target.doc]}.md',
            'docname': plan.doc_files[target.doc],
            'question': target.qid,
            'number': target.number,
            'panel': plan.doc_panel[target.doc].panel_id,
            'to': target.to,
            'original_text': target_text,
            'current_text': target_text,
            'pages_showing_it': {
                'question_index': 'question-index',
                'matrix': f'matrix-{plan.doc_panel[target.doc].panel_id}',
                'briefs': [f'brief-{pid}' for pid in target.to],
            },
        },
    }
    (out / 'manifest.json').write_text(json.dumps(manifest, indent=2) + '\n', encoding='utf-8')
    return manifest


def _question_text(path: Path, qid: str) -> str:
    lines = path.read_text(encoding='utf-8').splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf'^:+\{{question\}} {qid}$', line))
    i = start + 1
    while lines[i].startswith(':'):
        i += 1
    return lines[i + 1]


def load_manifest(out: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((out / 'manifest.json').read_text(encoding='utf-8'))
    return manifest


@dataclass(frozen=True)
class EditInfo:
    """What :func:`apply_edit` changed."""

    docname: str
    question: str
    panel: str
    to: tuple[str, ...]
    old_text: str
    new_text: str
    #: The start of the new text, which occurs nowhere else in the corpus.
    marker: str


def apply_edit(out: Path, tag: str) -> EditInfo:
    """Rewrite the text of the manifest's question in every twin, identically.

    *tag* (letters and digits) makes the new text unique, so each round's edit is a real
    change and can be found in the built pages.
    """
    if not re.fullmatch(r'[A-Za-z0-9]+', tag):
        raise ValueError('the edit tag must be letters and digits')
    manifest = load_manifest(out)
    edit = manifest['edit']
    old = edit['current_text']
    new = f'Revised in edit {tag}: {old[0].lower()}{old[1:]}'
    if old.startswith('Revised in edit '):
        new = f'Revised in edit {tag}: ' + old.split(': ', 1)[1]
    for twin in manifest.get('twins', ('briefing', 'bare')):
        path = out / twin / edit['file']
        text = path.read_text(encoding='utf-8')
        if text.count(f'\n{old}\n') != 1:
            raise RuntimeError(f'{path}: the question text to edit was not found exactly once')
        path.write_text(text.replace(f'\n{old}\n', f'\n{new}\n'), encoding='utf-8')
    edit['current_text'] = new
    (out / 'manifest.json').write_text(json.dumps(manifest, indent=2) + '\n', encoding='utf-8')
    return EditInfo(
        edit['docname'],
        edit['question'],
        edit['panel'],
        tuple(edit['to']),
        old,
        new,
        f'Revised in edit {tag}:',
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--docs', type=int, default=500, help='theme documents (default 500)')
    parser.add_argument('--out', type=Path, help='output folder (one folder a twin inside)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--edit', type=Path, metavar='DIR', help='edit one question in DIR')
    parser.add_argument('--tag', default='1', help='with --edit: letters/digits for the new text')
    args = parser.parse_args(argv)
    if args.edit:
        info = apply_edit(args.edit, args.tag)
        print(f'edited {info.question} in {info.docname}.md (every twin): {info.new_text}')
        return 0
    if args.out is None:
        parser.error('--out is required (or --edit DIR)')
    manifest = generate(args.docs, args.out, args.seed)
    for name, value in manifest['stats'].items():
        print(f'{name:28} {value}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
