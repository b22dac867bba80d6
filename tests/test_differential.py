"""Differential tests of the promise "never stale": after any edit, a plain rebuild (no
``-E``, the same output and doctree folders, a new application as ``sphinx-build`` makes)
writes exactly what a fresh build of the edited sources writes.

Every case builds the corpus in ``tests/roots/test-differential`` (two panels, every
directive, role and collection), applies one named edit, rebuilds incrementally, builds the
edited sources afresh in other folders and compares the two outputs page by page: the HTML
of every page (less Sphinx's own navigation, which Sphinx does not refresh on other pages),
every ``.tex`` file and ``briefing.json``. Also: builders sharing one doctree folder as
Sphinx's Makefile does, a seeded random sequence of edits, ``-j 2`` against ``-j 1``, and
every in-book link with a fragment landing on an element of its target page.

The corpus is built once per builder and worker; each case restores that build (sources,
output and doctrees, with their modification times) into the same folder, since an
environment read from another source folder is thrown away by Sphinx."""

from __future__ import annotations

import copy
import difflib
import json
import os
import posixpath
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import jinja2.bccache
import pytest
from bs4 import BeautifulSoup
from conftest import MYST_CONF, ROOTS, Build, Project
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.testing.util import SphinxTestApp

from sphinx_briefing.citations import citeproc

CORPUS = ROOTS / 'test-differential'
HTML_BUILDERS = ('html', 'dirhtml', 'singlehtml')
BUILDERS = (*HTML_BUILDERS, 'latex')

MakeApp = Callable[..., SphinxTestApp]
Edit = Callable[[Project], None]


class _TemplateCodeCache(jinja2.BytecodeCache):
    """Compiled HTML templates kept in memory between the many applications of this
    module (each new application compiles its theme's templates again, a fifth of a
    small build). A template's entry is keyed by its source's checksum, as on disk."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope='module', autouse=True)
def _compiled_templates() -> Iterator[None]:
    cache = _TemplateCodeCache()
    original = BuiltinTemplateLoader.init

    def init(self: BuiltinTemplateLoader, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.environment.bytecode_cache = cache

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BuiltinTemplateLoader, 'init', init)
        yield


@pytest.fixture(scope='module', autouse=True)
def _pandoc_answers() -> Iterator[None]:
    """pandoc's answers kept for this module's builds, by their exact input (the document,
    the .bib's and the style's bytes): starting pandoc is half a second, and a fresh build
    of every case would start it again for the same question. The extension's own
    citation cache, which the differential tests check, sits above this and is not shared."""
    original = citeproc._citeproc
    answers: dict[tuple[Any, ...], tuple[dict[str, Any], list[str]]] = {}

    def answer(
        pandoc: str,
        document: dict[str, Any],
        bibliography: Path | None,
        style: Path | None,
        lua: Path | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        key = (
            pandoc,
            None if lua is None else lua.read_bytes(),
            json.dumps(document, sort_keys=True),
            None if bibliography is None else bibliography.read_bytes(),
            None if style is None else style.read_bytes(),
        )
        if key not in answers:
            answers[key] = original(pandoc, document, bibliography, style, lua)
        return copy.deepcopy(answers[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(citeproc, '_citeproc', answer)
        yield


# ---------------------------------------------------------------------------- edits


def replace(name: str, old: str, new: str, *more: str) -> Edit:
    """An edit replacing *old* by *new* in *name* (and further old/new pairs in the same
    file). Every *old* is checked before the file is touched, so an edit that does not
    apply changes nothing."""
    pairs = [(old, new), *zip(more[::2], more[1::2], strict=True)]

    def apply(proj: Project) -> None:
        text = (proj.path / name).read_text(encoding='utf-8')
        for before, _ in pairs:
            if before not in text:
                raise EditNotApplicableError(f'{before!r} not in {name}')
        for before, after in pairs:
            text = text.replace(before, after)
        (proj.path / name).write_text(text, encoding='utf-8')
        proj.touch(proj.path / name)

    return apply


def every(*edits: Edit) -> Edit:
    def apply(proj: Project) -> None:
        for one in edits:
            one(proj)

    return apply


def config(line: str) -> Edit:
    def apply(proj: Project) -> None:
        target = proj.path / 'conf.py'
        target.write_text(target.read_text(encoding='utf-8') + line + '\n', encoding='utf-8')
        proj.touch(target)

    return apply


def remove_document(docname: str) -> Edit:
    def apply(proj: Project) -> None:
        every(replace('index.md', f'\n{docname}\n', '\n'))(proj)
        proj.remove(f'{docname}.md')

    return apply


def rename_document(old: str, new: str) -> Edit:
    def apply(proj: Project) -> None:
        text = (proj.path / f'{old}.md').read_text(encoding='utf-8')
        replace('index.md', f'\n{old}\n', f'\n{new}\n')(proj)
        proj.remove(f'{old}.md')
        proj.write(f'{new}.md', text)

    return apply


def add_document(after: str, docname: str, text: str) -> Edit:
    def apply(proj: Project) -> None:
        replace('index.md', f'\n{after}\n', f'\n{after}\n{docname}\n')(proj)
        proj.write(f'{docname}.md', text)

    return apply


def rename_everywhere(old: str, new: str) -> Edit:
    """Rename an id in every source file that names it (a word on its own, not part of a
    longer id such as ``q-screen`` in ``q-screening``)."""
    pattern = re.compile(rf'(?<![\w-]){re.escape(old)}(?![\w-])')

    def apply(proj: Project) -> None:
        changed = False
        for path in sorted(proj.path.glob('*.md')):
            text = path.read_text(encoding='utf-8')
            new_text = pattern.sub(new, text)
            if new_text != text:
                path.write_text(new_text, encoding='utf-8')
                proj.touch(path)
                changed = True
        if not changed:
            raise EditNotApplicableError(f'{old!r} is nowhere')

    return apply


class EditNotApplicableError(Exception):
    """The edit's text is not in the sources (an earlier edit of a sequence changed it)."""


RULES = """\n:::{question} q-rules\n:to: ana\n:minutes: 3\n\nWhich rules apply?\n:::\n"""

NEW_QUESTION = """
:::{question} q-new
:to: ben
:minutes: 4
:tags: new

A brand new question on {participant}`ana`?
:::

## Export controls
"""

NEW_FOLLOW_UP = """Are export controls working, compared with {question}`q-screen`?

:::{question} q-export-more
:minutes: 1
:priority: reserve

And the follow-up to the export question?
:::
"""

NEW_POSITION = """
:::{position} us-trade
:question: q-trade
:actor: United States
:stance: opposes
:sources: smith2018

The United States doubts it.
:::
"""

NEW_PARTICIPANT = """:::{participant} eve
:name: Eve Evans
:role: panellist

Eve joins.
:::

```{toctree}"""

EXTRA_DOCUMENT = """# Extra

## Sanctions

:::{question} q-sanctions
:to: ana
:minutes: 3

Do sanctions work {cite:p}`lee2017`?
:::

Compare {question}`q-export`.
"""

EDITS: dict[str, Edit] = {
    # Questions: text, options, follow-ups.
    'question-text': replace(
        'themes.md',
        'How should investment screening be strengthened',
        'How far should screening go',
    ),
    'follow-up-text': replace('notes.md', 'And licensing?', 'And what of licensing?'),
    'nested-follow-up-text': replace('themes.md', 'stop deal-shopping', 'stop forum shopping'),
    'parent-question-text': replace(
        'themes.md', 'Are export controls working', 'Do export controls work'
    ),
    'to-moved': replace('themes.md', ':to: ben\n:minutes: 10', ':to: ana\n:minutes: 10'),
    'to-widened': replace('themes.md', ':to: ana\n:minutes: 8', ':to: ana, ben\n:minutes: 8'),
    'follow-up-to-inherited': replace('notes.md', ':to: ben\n:minutes: 2', ':minutes: 2'),
    'to-widened-beta': replace('beta.md', ':to: dee', ':to: dee, ana'),
    'minutes': replace('themes.md', ':minutes: 10', ':minutes: 12'),
    'priority-to-reserve': replace(
        'themes.md', ':minutes: 8\n', ':minutes: 8\n:priority: reserve\n'
    ),
    'priority-to-core': replace('themes.md', ':minutes: 3\n:priority: reserve', ':minutes: 3'),
    'tags': replace('themes.md', ':tags: investment, screening', ':tags: investment, fdi'),
    'follow-up-added': replace(
        'themes.md',
        'Are export controls working, compared with {question}`q-screen`?\n',
        NEW_FOLLOW_UP,
    ),
    'follow-up-of-changed': replace(
        'notes.md', ':follow-up-of: q-export', ':follow-up-of: q-screen'
    ),
    'follow-up-of-removed': replace('notes.md', ':follow-up-of: q-export\n', ''),
    'question-added': replace('themes.md', '\n## Export controls\n', NEW_QUESTION),
    'question-removed': replace(
        'themes.md',
        ':::{question} q-shop\n:minutes: 3\n:priority: reserve\n\n'
        'Can regimes that differ stop deal-shopping?\n:::\n',
        '',
    ),
    'question-moved': every(
        replace('notes.md', RULES, ''),
        replace('themes.md', '## Export controls\n', '## Export controls\n' + RULES),
    ),
    'question-renamed': rename_everywhere('q-screen', 'q-screening'),
    'topic-renamed': replace('themes.md', '## Investment screening', '## Screening of investment'),
    'role-in-body-retargeted': replace(
        'themes.md', 'compared with {question}`q-screen`', 'compared with {question}`q-trade`'
    ),
    'myst-link-retargeted': replace('notes.md', 'See [](#q-screen)', 'See [](#q-export)'),
    # Citations and the .bib.
    'cite-post-note': replace('themes.md', '{sec. 1703}', '{sec. 1721}'),
    'cite-pre-note': replace('themes.md', '{see}firrma2018', '{but see}firrma2018'),
    'cite-t-notes': replace('notes.md', '{compare}lee2017{pp. 40–45}', '{contrast}lee2017{p. 50}'),
    'cite-key-changed': replace(
        'themes.md', 'after {cite:t}`smith2018`', 'after {cite:t}`lee2017`'
    ),
    'bib-title': replace('refs.bib', 'Modernization Act of 2018', 'Modernization Act'),
    'bib-year': replace(
        'refs.bib',
        'journal = {Journal of Trade},\n  year = {2018}',
        'journal = {Journal of Trade},\n  year = {2016}',
    ),
    'bib-author': replace('refs.bib', 'Lee, Anna and Park, Min', 'Lee, Anna'),
    # Positions.
    'stance': replace(
        'themes.md',
        ':actor: United States\n:stance: supports',
        ':actor: United States\n:stance: mixed',
    ),
    'position-sources': replace(
        'themes.md', ':sources: smith2018\n', ':sources: smith2018, lee2017\n'
    ),
    'position-summary': replace('themes.md', 'China objects.', 'China objects strongly.'),
    'position-actor': replace(
        'themes.md', ':actor: United States\n:stance: supports', ':actor: USA\n:stance: supports'
    ),
    'position-added': replace(
        'beta.md', 'The EU backs the WTO.\n:::\n', 'The EU backs the WTO.\n:::\n' + NEW_POSITION
    ),
    'position-removed': replace(
        'themes.md',
        ':::{position} cn-screen\n:question: q-screen\n:actor: China\n:stance: opposes\n'
        ':sources: smith2018\n\nChina objects.\n:::\n',
        '',
    ),
    'position-moved': every(
        replace('themes.md', ':::{position} jp-export\n', ':::{position} jp-export-old\n'),
        replace(
            'notes.md',
            '\nSee [](#q-screen)',
            '\n:::{position} jp-elsewhere\n:question: q-export\n:actor: Japan\n:stance: opposes\n\nJapan, seen from the notes.\n:::\n\nSee [](#q-screen)',
        ),
    ),
    'position-renamed': rename_everywhere('us-screen', 'usa-screen'),
    'counter-argument': replace(
        'themes.md', 'Screening chills investment.', 'Screening chills trade.'
    ),
    'moderator-note': replace(
        'themes.md', 'Press for the threshold.', 'Press for the 1% threshold.'
    ),
    'audience-block': replace(
        'themes.md', 'Background for panellists only', 'Background, panellists only'
    ),
    # Participants.
    'participant-name': replace('index.md', ':name: Ana Alves', ':name: Ana Almeida'),
    'participant-reading': replace('index.md', ':reading: AH-nah AL-vesh', ':reading: AH-na'),
    'participant-affiliation': replace(
        'index.md', ':affiliation: Institute B', ':affiliation: Institute C'
    ),
    'participant-added': every(
        replace('index.md', ':panellists: ana, ben', ':panellists: ana, ben, eve'),
        replace('index.md', '```{toctree}', NEW_PARTICIPANT),
        replace('beta.md', ':to: ana\n', ':to: ana, eve\n'),
        replace('beta.md', ':panellists: ana, dee', ':panellists: ana, dee, eve'),
    ),
    'participant-renamed': every(
        rename_everywhere('ana', 'anna'),
        replace('index.md', ':name: Ana Alves', ':name: Anna Alves'),
    ),
    'participant-moved': every(
        replace(
            'beta.md',
            ':::{participant} dee\n:name: Dee Dunn\n:role: panellist\n\nDee works on trade.\n:::\n',
            '',
        ),
        replace(
            'index.md',
            '```{toctree}',
            ':::{participant} dee\n:name: Dee Dunn\n:role: panellist\n\nDee works on trade.\n:::\n\n```{toctree}',
        ),
    ),
    'moderator-swapped': replace(
        'index.md',
        ':moderator: chair\n:panellists: ana, ben',
        ':moderator: ben\n:panellists: ana, chair',
    ),
    # Panels.
    'panel-title': replace('index.md', ':title: Panel Alpha', ':title: Panel Alpha Prime'),
    'panel-start': replace('index.md', ':start: 14:00', ':start: 15:30'),
    'panel-handling': replace('index.md', ':handling: Chatham House Rule', ':handling: TLP:AMBER'),
    'panel-prefix': replace('beta.md', ':prefix: B-', ':prefix: Beta-'),
    'panel-prefix-added': replace('index.md', ':duration: 60\n', ':duration: 60\n:prefix: A-\n'),
    # Short forms, breaks and sessions, pages' front matter.
    'question-short': replace(
        'themes.md', ':short: Export controls working?', ':short: Are controls working?'
    ),
    'question-short-removed': replace('themes.md', ':short: Export controls working?\n', ''),
    'question-short-added': replace(
        'themes.md',
        ':tags: investment, screening\n',
        ':tags: investment, screening\n:short: Screening?\n',
    ),
    'break-minutes': replace('themes.md', ':minutes: 10\n:session:', ':minutes: 15\n:session:'),
    'break-session': replace('themes.md', ':session: Second half', ':session: After coffee'),
    'break-removed': replace(
        'themes.md', ':::{break} Coffee\n:minutes: 10\n:session: Second half\n:::\n', ''
    ),
    'break-added': replace(
        'notes.md', '\n## Licensing\n', '\n:::{break}\n:minutes: 5\n:::\n\n## Licensing\n'
    ),
    'front-matter-panel': replace('notes.md', '  panel: alpha\n', '  panel: beta\n'),
    'front-matter-removed': replace('notes.md', '---\nbriefing:\n  panel: alpha\n---\n', ''),
    'page-left-out': every(
        replace(
            'brief-ben.md',
            '# Brief: Ben',
            '---\nbriefing:\n  audience: moderator\n---\n# Brief: Ben',
        ),
        replace('index.md', '\nbrief-ben\n', '\nBrief for Ben <brief-ben>\n'),
        config("briefing_edition = 'panellist'"),
    ),
    # What only the cue cards and the agenda show: bios, the plan's slack, the opening.
    'participant-bio': replace('index.md', 'Ana studies screening.', 'Ana studies FDI screening.'),
    'panel-duration': replace('index.md', ':duration: 60', ':duration: 50'),
    'panel-opening': replace('index.md', ':opening: 5', ':opening: 8'),
    'panel-venue': replace('index.md', ':venue: Room A', ':venue: Room B'),
    'cards-panel': replace('cards.md', ':panel: alpha', ':panel: beta'),
    'agenda-removed': remove_document('agenda'),
    # The moderator's pack: shown where written and in the briefs of their holders.
    'objectives-text': replace('index.md', 'a shared view of screening', 'a shared view of trade'),
    'logistics-text': replace('index.md', 'Arrive at 13:30', 'Arrive at 13:15'),
    'lines-part-text': replace('index.md', 'works when it is narrow', 'works when it is targeted'),
    'lines-part-added': replace(
        'index.md',
        ':::{avoid}\n',
        ':::{if-pressed}\nSay it is reviewed yearly.\n:::\n\n:::{avoid}\n',
    ),
    'lines-holder-changed': replace('index.md', ':for: ana\n', ':for: ben\n'),
    'host-lines-text': replace('index.md', 'welcomes every view', 'welcomes all views'),
    'introduction-text': replace('index.md', 'studies screening at Institute A', 'works at A'),
    'introduction-retargeted': replace('index.md', '{introduction} ana', '{introduction} ben'),
    'opening-removed': replace(
        'index.md', ':::{introduction} opening\nWelcome to panel Alpha.\n:::\n', ''
    ),
    'bio-text': replace('index.md', 'Ana studies screening.', 'Ana studies investment.'),
    'theme-context': replace('themes.md', 'Context, after', 'The context, after'),
    # Documents and the toctree.
    'document-added': add_document('themes', 'extra', EXTRA_DOCUMENT),
    'document-removed': remove_document('notes'),
    'bibliography-page-removed': remove_document('refs'),
    'document-renamed': rename_document('notes', 'remarks'),
    'document-title': replace('themes.md', '# Themes\n', '# Themes of the day\n'),
    'toctree-order': replace('index.md', 'themes\nbeta\nnotes\n', 'notes\nbeta\nthemes\n'),
    'brief-retargeted': replace('brief-ben.md', '{panellist-brief} ben', '{panellist-brief} chair'),
    'index-grouping': replace(
        'day.md', '```{question-index}\n', '```{question-index}\n:group-by: participant\n'
    ),
    'matrix-actors': replace(
        'day.md',
        ':panel: alpha\n```\n\n## Questions',
        ':panel: alpha\n:actors: Japan, United States\n```\n\n## Questions',
    ),
    # Configuration.
    'conf-question-format': config("briefing_question_format = 'N{number:02d}'"),
    'conf-followup-format': config("briefing_followup_format = '{parent}.{number}'"),
    'conf-stances': config(
        "briefing_stances = {'supports': 'For', 'opposes': 'Against', 'mixed': 'Split', "
        "'neutral': 'Silent'}"
    ),
    'conf-status': config("briefing_status = 'final'"),
    'conf-index-rows': config('briefing_index_page_rows = 3'),
    'conf-style': config("briefing_citation_style = 'apa'"),
    'conf-edition': config("briefing_edition = 'panellist'"),
    'conf-cue-card-late': config('briefing_cue_card_late = [3, 20]'),
    'conf-cue-card-size': config("briefing_cue_card_size = '5x7'"),
    'conf-cue-cards-edition': every(
        config("briefing_edition = 'panellist'"),
        config("briefing_cue_cards_edition = 'panellist'"),
    ),
}


# ---------------------------------------------------------------------------- outputs


@dataclass
class Base:
    """A built corpus kept aside, restored into *work* (the folder it was built in)."""

    work: Path
    snapshot: Path


_bases: dict[str, Base] = {}


def built_corpus(builder: str, make_app: MakeApp, factory: pytest.TempPathFactory) -> Project:
    """The corpus built with *builder*, in the same folder each time (built once per
    worker, then restored from a copy that keeps every file's modification time)."""
    if builder not in _bases:
        root = factory.mktemp(f'differential-{builder}')
        work = root / 'src'
        shutil.copytree(CORPUS, work)
        build = Project(work, make_app).build(builder)
        assert build.warnings() == []
        shutil.copytree(work, root / 'snapshot', symlinks=True)
        _bases[builder] = Base(work, root / 'snapshot')
    base = _bases[builder]
    shutil.rmtree(base.work)
    shutil.copytree(base.snapshot, base.work, symlinks=True)
    return Project(base.work, make_app)


def fresh_build(sources: Path, target: Path, make_app: MakeApp, builder: str) -> Build:
    shutil.copytree(sources, target, ignore=shutil.ignore_patterns('_build'))
    return Project(target, make_app).build(builder)


def docnames(sources: Path) -> set[str]:
    return {p.relative_to(sources).with_suffix('').as_posix() for p in sources.glob('*.md')}


def page_docname(builder: str, page: str) -> str:
    if builder == 'dirhtml':
        return page.removesuffix('index.html').rstrip('/') or 'index'
    return page.removesuffix('.html').removesuffix('.tex')


def normalise_html(text: str) -> str:
    """The page less Sphinx's navigation: the sidebar, the related bar and footer, and
    the previous/next links (Sphinx writes those from the toctree and does not refresh
    neighbours of a moved page), and the stylesheets' checksums; one tag a line."""
    soup = BeautifulSoup(text, 'html.parser')
    for selector in (
        'div.sphinxsidebar',
        'div.related',
        'div.footer',
        'link[rel="next"]',
        'link[rel="prev"]',
    ):
        for element in soup.select(selector):
            element.decompose()
    result = re.sub(r'\?v=[0-9a-f]+', '', str(soup))
    return re.sub(r'>\s*<', '>\n<', result)


def normalise_json(text: str) -> str:
    return json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False)


def normalise_search_index(text: str) -> str:
    """Sphinx's search index less the words no page holds any more: Sphinx prunes a
    rewritten page from each word's pages but keeps the word, with an empty list."""
    index = json.loads(text)
    for key in ('terms', 'titleterms'):
        index[key] = {word: pages for word, pages in index[key].items() if pages != []}
    return json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False)


def normalise_tex(text: str) -> str:
    return re.sub(r'\\date\{[^}]*\}', r'\\date{}', text)


def outputs(builder: str, outdir: Path) -> dict[str, tuple[str, Callable[[str], str]]]:
    """The files compared: every page (HTML) or .tex file, briefing.json and the search
    index, each as written and with the way it is normalised."""
    pattern = '*.tex' if builder == 'latex' else '**/*.html'
    normalise = normalise_tex if builder == 'latex' else normalise_html
    found: dict[str, tuple[str, Callable[[str], str]]] = {}
    for path in sorted(outdir.glob(pattern)):
        rel = path.relative_to(outdir).as_posix()
        if rel.startswith('_'):
            continue
        found[rel] = (path.read_text(encoding='utf-8'), normalise)
    found['briefing.json'] = (
        (outdir / 'briefing.json').read_text(encoding='utf-8'),
        normalise_json,
    )
    if (outdir / 'searchindex.js').is_file():
        script = (outdir / 'searchindex.js').read_text(encoding='utf-8')
        found['searchindex.js'] = (
            script[script.index('(') + 1 : script.rindex(')')],
            normalise_search_index,
        )
    return found


def short_diff(expected: str, actual: str, lines: int = 30) -> str:
    diff = list(
        difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), 'fresh', 'incremental', n=1, lineterm=''
        )
    )
    cut = [line if len(line) < 300 else line[:300] + ' …' for line in diff[:lines]]
    more = f'\n  … {len(diff) - lines} more diff lines' if len(diff) > lines else ''
    return '\n'.join('  ' + line for line in cut) + more


def differences(
    builder: str, incremental: Build, fresh: Build, removed: AbstractSet[str] = frozenset()
) -> list[str]:
    """Every page where the incremental output differs from the fresh one, with a short
    diff; a page the fresh build does not write is allowed to remain only where Sphinx
    itself leaves it (the HTML page of a document that was removed)."""
    inc_dir, fresh_dir = incremental.outdir, fresh.outdir
    inc_srcdir, fresh_srcdir = str(incremental.app.srcdir), str(fresh.app.srcdir)
    got = {
        k: (v.replace(str(inc_dir), '<outdir>').replace(inc_srcdir, '<srcdir>'), normalise)
        for k, (v, normalise) in outputs(builder, inc_dir).items()
    }
    want = {
        k: (v.replace(str(fresh_dir), '<outdir>').replace(fresh_srcdir, '<srcdir>'), normalise)
        for k, (v, normalise) in outputs(builder, fresh_dir).items()
    }
    problems = []
    for page in sorted(want.keys() | got.keys()):
        if page not in got:
            problems.append(f'{page}: not written by the incremental build')
        elif page not in want:
            if builder == 'latex' or page_docname(builder, page) not in removed:
                problems.append(f'{page}: left over (a fresh build does not write it)')
        elif got[page][0] != want[page][0]:
            # Equal as written: equal. Otherwise compared less what may differ (parsing
            # every page would be most of this module's time).
            (raw, normalise), (fresh_raw, _) = got[page], want[page]
            actual, expected = normalise(raw), normalise(fresh_raw)
            if actual != expected:
                problems.append(f'{page}: differs\n{short_diff(expected, actual)}')
    return problems


def report(label: str, problems: list[str]) -> str:
    return f'{label}: {len(problems)} stale output(s)\n' + '\n'.join(problems)


# ---------------------------------------------------------------------------- tests


def test_the_corpus_uses_every_feature() -> None:
    """The corpus the differential tests edit holds what they are meant to exercise."""
    text = '\n'.join(p.read_text(encoding='utf-8') for p in sorted(CORPUS.glob('*.md')))
    for needle in (
        '{panel}',
        '{participant}',
        ':reading:',
        ':follow-up-of:',
        ':::{question} q-shop',  # nested follow-up
        ':priority: reserve',
        ':tags:',
        '{position}',
        ':sources:',
        '{counter-argument}',
        '{moderator-note}',
        '{audience}',
        '{cite:p}`{see}',
        '{cite:t}`{compare}',
        '{question-index}',
        '{position-matrix}',
        '{run-of-show}',
        '{panellist-brief} ana',
        '{panellist-brief} ben',
        '{cue-cards}',
        '{agenda}',
        '{bibliography}',
        '[](#q-screen)',
        'compared with {question}`q-screen`',
        '{participant}`ben`',
        '{panel}`alpha`',
        '{position}`us-screen`',
        ':short:',
        '{break} Coffee',
        ':session:',
        ':prefix:',
        '---\nbriefing:\n  panel: alpha\n---',
        '{objectives}',
        '{logistics}',
        '{lines-to-take}',
        ':for: ana',
        '{top-line}',
        '{avoid}',
        '{introduction} ana',
        '{introduction} opening',
        '{panellist-brief} chair',
    ):
        assert needle in text, needle
    assert len(EDITS) >= 40


@pytest.mark.parametrize('builder', BUILDERS)
@pytest.mark.parametrize('edit', list(EDITS))
def test_incremental_build_equals_fresh_build(
    edit: str,
    builder: str,
    make_app: MakeApp,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    proj = built_corpus(builder, make_app, tmp_path_factory)
    before = docnames(proj.path)
    EDITS[edit](proj)
    incremental = proj.build(builder)
    fresh = fresh_build(proj.path, tmp_path / 'fresh', make_app, builder)
    assert sorted(map(repr, incremental.warnings())) == sorted(map(repr, fresh.warnings()))
    problems = differences(builder, incremental, fresh, before - docnames(proj.path))
    assert not problems, report(f'edit {edit!r}, builder {builder}', problems)


MAKE_EDITS = (
    'no-edit',
    'question-text',
    'to-moved',
    'participant-name',
    'participant-renamed',
    'stance',
    'bibliography-page-removed',
)


@pytest.mark.parametrize('edit', MAKE_EDITS)
def test_builders_sharing_one_doctree_folder(
    edit: str, make_app: MakeApp, tmp_path: Path, project: Any
) -> None:
    """As ``make html``, ``make dirhtml``, ``make singlehtml``, ``make latex`` do: one
    doctree folder (``_build/doctrees``) for every builder, each builder's output beside
    it; then an edit and each builder again (only the first reads the edited sources).
    Each output must equal a fresh build's."""
    proj = project('test-differential')
    for builder in BUILDERS:
        proj.build(builder)
    before = docnames(proj.path)
    if edit != 'no-edit':
        EDITS[edit](proj)
    problems = []
    for n, builder in enumerate(BUILDERS):
        incremental = proj.build(builder)
        fresh = fresh_build(proj.path, tmp_path / f'fresh-{n}', make_app, builder)
        problems += [
            f'[{builder}] {p}'
            for p in differences(builder, incremental, fresh, before - docnames(proj.path))
        ]
    assert not problems, report(f'shared doctrees, edit {edit!r}', problems)


def test_a_seeded_sequence_of_edits(make_app: MakeApp, tmp_path: Path, project: Any) -> None:
    """Ten edits drawn from the table with a seed, applied one after another, a rebuild
    after each: every step equals a fresh build of the sources at that step. The seed is
    fixed, so that CI is repeatable; set BRIEFING_DIFFERENTIAL_SEED to try others (a
    failure names the seed, to run it again)."""
    seed = int(os.environ.get('BRIEFING_DIFFERENTIAL_SEED', '20191120'))
    proj = project('test-differential')
    proj.build('html')
    order = list(EDITS)
    random.Random(seed).shuffle(order)
    applied: list[str] = []
    ever = docnames(proj.path)
    for name in order:
        if len(applied) == 10:
            break
        backup = tmp_path / f'backup-{name}'
        shutil.copytree(proj.path, backup, ignore=shutil.ignore_patterns('_build'))
        try:
            EDITS[name](proj)
        except EditNotApplicableError:
            # Undo what a compound edit did before its failing part (times kept).
            for path in proj.path.iterdir():
                if path.is_file():
                    path.unlink()
            shutil.copytree(backup, proj.path, dirs_exist_ok=True)
            continue
        applied.append(name)
        ever |= docnames(proj.path)
        incremental = proj.build('html')
        fresh = fresh_build(proj.path, tmp_path / f'fresh-{len(applied)}', make_app, 'html')
        problems = differences('html', incremental, fresh, ever - docnames(proj.path))
        assert not problems, report(f'seed {seed}, step {len(applied)} of {applied}', problems)
    assert len(applied) == 10, (seed, applied)


PARALLEL_EDITS = ('question-moved', 'participant-name', 'document-removed')


def test_parallel_build_equals_serial_build(
    make_app: MakeApp, tmp_path: Path, project: Any
) -> None:
    """``-j 2`` against ``-j 1``: a full build, then edits rebuilt with ``-j 2`` (Sphinx
    reads even one changed document in a process of its own, and merges what it found)
    against fresh serial builds of the edited sources."""
    serial_proj = project('test-differential', name='serial')
    parallel_proj = project('test-differential', name='parallel')
    serial = serial_proj.build('html', parallel=0)
    parallel = parallel_proj.build('html', parallel=2)
    status = re.sub(r'\x1b\[[0-9;]*m', '', parallel.app.status.getvalue())
    # Sphinx names chunks ('beta .. notes') only when it reads in parallel.
    assert re.search(r'reading sources\.\.\. \[\s*\d+%\] \S+ \.\. \S+', status), status
    assert serial.warnings() == parallel.warnings() == []
    problems = differences('html', parallel, serial)
    assert not problems, report('-j 2 against -j 1', problems)
    ever = docnames(parallel_proj.path)
    for n, edit in enumerate(PARALLEL_EDITS):
        EDITS[edit](parallel_proj)
        incremental = parallel_proj.build('html', parallel=2)
        fresh = fresh_build(parallel_proj.path, tmp_path / f'fresh-{n}', make_app, 'html')
        assert incremental.warnings() == fresh.warnings()
        problems = differences('html', incremental, fresh, ever - docnames(parallel_proj.path))
        assert not problems, report(f'-j 2 after {edit!r} against -j 1', problems)


def in_book_fragment_links(builder: str, outdir: Path) -> tuple[int, list[str]]:
    """Every link with a fragment from a page of *outdir* to a page of the book whose
    target has no element with that id."""
    pages = {
        p.relative_to(outdir).as_posix(): BeautifulSoup(
            p.read_text(encoding='utf-8'), 'html.parser'
        )
        for p in outdir.glob('**/*.html')
        if not p.relative_to(outdir).as_posix().startswith('_')
    }
    ids = {page: [str(e['id']) for e in soup.select('[id]')] for page, soup in pages.items()}
    broken = []
    checked = 0
    for page, soup in pages.items():
        for anchor in soup.select('a[href]'):
            href = str(anchor['href'])
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or '#' not in href:
                continue
            if parts.path:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(page), unquote(parts.path))
                )
                if href.split('#')[0].endswith('/') or target == '.' or (outdir / target).is_dir():
                    target = posixpath.join(target, 'index.html') if target != '.' else 'index.html'
            else:
                target = page
            fragment = unquote(href.split('#', 1)[1])
            if target not in ids or not fragment:
                continue  # _static, _sources: not pages of the book; '#': the page's top
            checked += 1
            if '#' in fragment or fragment not in ids[target]:
                broken.append(f'{page}: {href} (no id {fragment!r} on {target})')
            elif ids[target].count(fragment) > 1:
                # singlehtml puts every document on one page: a browser goes to the first
                broken.append(f'{page}: {href} (id {fragment!r} is not unique on {target})')
    return checked, sorted(set(broken))


@pytest.mark.parametrize('builder', HTML_BUILDERS)
def test_every_fragment_link_lands_on_an_element(
    builder: str, make_app: MakeApp, tmp_path_factory: pytest.TempPathFactory
) -> None:
    proj = built_corpus(builder, make_app, tmp_path_factory)
    outdir = proj.path / '_build' / builder
    checked, broken = in_book_fragment_links(builder, outdir)
    assert checked >= 50  # the check saw the book's cross-references, not only '#'
    assert not broken, f'{builder}: {len(broken)} broken link(s)\n' + '\n'.join(broken[:20])


SECOND_COLLECTIONS = """
## More

```{question-index}
:panel: beta
```

```{bibliography}
```
"""


@pytest.mark.parametrize('builder', HTML_BUILDERS)
def test_fragment_links_with_two_of_each_collection(
    builder: str, make_app: MakeApp, tmp_path: Path
) -> None:
    """A second question index and bibliography, in another document: each link to a row
    or an entry still lands on one element."""
    proj = Project(tmp_path / 'src', make_app)
    shutil.copytree(CORPUS, proj.path, dirs_exist_ok=True)
    notes = proj.path / 'notes.md'
    notes.write_text(notes.read_text(encoding='utf-8') + SECOND_COLLECTIONS, encoding='utf-8')
    build = proj.build(builder)
    assert build.warnings() == []
    checked, broken = in_book_fragment_links(builder, build.outdir)
    assert checked >= 50
    assert not broken, f'{builder}: {len(broken)} broken link(s)\n' + '\n'.join(broken[:20])


def test_the_link_check_sees_a_broken_link(tmp_path: Path) -> None:
    """The link check is not vacuous: a fragment with no element, a double fragment."""
    (tmp_path / 'a.html').write_text(
        '<p id="x"><a href="b.html#y">ok</a><a href="b.html#z">bad</a>'
        '<a href="#x">self</a><a href="#document-b#y">double</a>'
        '<a href="b.html#w">twice</a></p>',
        encoding='utf-8',
    )
    (tmp_path / 'b.html').write_text(
        '<h1 id="y">B</h1><p id="w">one</p><p id="w">two</p>', encoding='utf-8'
    )
    checked, broken = in_book_fragment_links('html', tmp_path)
    assert checked == 5
    assert broken == [
        "a.html: #document-b#y (no id 'document-b#y' on a.html)",
        "a.html: b.html#w (id 'w' is not unique on b.html)",
        "a.html: b.html#z (no id 'z' on b.html)",
    ]


TWIN_BIB = """
@article{smith2018,
  author = {Smith, John},
  title = {Screening Foreign Investment},
  journal = {Journal of Trade},
  year = {2018}
}

@article{lee2017,
  author = {Lee, Anna},
  title = {Export Controls in Asia},
  journal = {Review of Trade},
  year = {2017}
}
"""


def twin_document(name: str) -> str:
    """A document with one of each collection and of each generated id: unnamed question
    and position, counter-argument, moderator note, citations and a footnote citation,
    a brief (its copies of bodies) and the three collections."""
    return (
        f'# Part {name}\n\n'
        f':::{{question}} q-{name}\n:to: ana\n:minutes: 2\n\n'
        f'Question {name}? {{cite:p}}`smith2018`\n:::\n\n'
        f':::{{question}}\n:to: ben\n:minutes: 1\n\nAn unnamed question of {name}?\n:::\n\n'
        f'::::{{position}}\n:question: q-{name}\n:actor: Japan\n:stance: supports\n'
        f':sources: lee2017\n\nJapan on {name}.\n\n'
        f':::{{counter-argument}}\nBut {name}.\n:::\n'
        '::::\n\n'
        f':::{{moderator-note}}\nA note on {name}.\n:::\n\n'
        f'As {{cite:t}}`lee2017` says{{footcite:p}}`smith2018`.\n\n'
        '```{question-index}\n```\n\n'
        '```{position-matrix}\n```\n\n'
        '```{panellist-brief} ana\n```\n\n'
        '```{bibliography}\n```\n'
    )


def test_two_documents_of_collections_on_one_page(make_app: MakeApp, tmp_path: Path) -> None:
    """Two documents holding the same collections, on singlehtml's one page: no id twice,
    each link to a document's generated ids lands in that document's part of the page, and
    those ids do not change when another document comes before them."""
    proj = Project(tmp_path / 'src', make_app)
    proj.write(
        'conf.py',
        MYST_CONF + "briefing_bibfiles = ['refs.bib']\nbriefing_status = 'draft'\n",
    )
    proj.write('refs.bib', TWIN_BIB)
    proj.write(
        'index.md',
        '# Book\n\n'
        ':::{panel} p1\n:title: Panel one\n:date: 2019-11-20\n:start: 14:00\n:duration: 60\n'
        ':moderator: chair\n:panellists: ana, ben\n:::\n\n'
        ':::{participant} chair\n:name: Chair Person\n:::\n\n'
        ':::{participant} ana\n:name: Ana Alves\n:::\n\n'
        ':::{participant} ben\n:name: Ben Brown\n:::\n\n'
        '```{toctree}\nfirst\nsecond\n```\n',
    )
    proj.write('first.md', twin_document('first'))
    proj.write('second.md', twin_document('second'))
    build = proj.build('singlehtml')
    assert build.warnings() == []
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    counts = Counter(str(element['id']) for element in soup.select('[id]'))
    assert sorted(id_ for id_, n in counts.items() if n > 1) == []

    part = document_parts(soup)

    def part_of(element: Any) -> str:
        return part[id(element)]

    # An id made for a document is in that document's part; links to a document's
    # bibliography entries, matrix sources and footnotes come from that document (a
    # question's link to its row leads to the first index, citations are listed by
    # entries of both bibliographies).
    own = {'entry', 'source', 'footnote'}
    kinds: dict[str, set[str]] = {'first': set(), 'second': set()}
    for link in soup.select('a[href^="#"]'):
        fragment = unquote(str(link['href'])[1:])
        if not fragment:
            continue
        target = soup.find(id=fragment)
        assert target is not None, f'{link} leads to no element'
        for kind, pattern in (
            ('row', r'question-index-(first|second)-0-question-'),
            ('entry', r'bibliography-(first|second)-0-'),
            ('source', r'position-matrix-(first|second)-0-source-'),
            ('footnote', r'footcite-(first|second)-0$'),
            ('citation', r'cite-(first|second)-\d+$'),
        ):
            match = re.match(pattern, fragment)
            if match:
                assert part_of(target) == match[1], str(link)
                if kind in own:
                    assert part_of(link) == match[1], str(link)
                kinds[match[1]].add(kind)
    assert kinds == {
        'first': {'row', 'entry', 'source', 'footnote', 'citation'},
        'second': {'entry', 'source', 'footnote', 'citation'},  # rows: only the first index
    }
    # the second document's question has its row in the first document's index
    back = soup.select_one('#question-q-second a[href="#question-index-first-0-question-q-second"]')
    assert back is not None
    checked, broken = in_book_fragment_links('singlehtml', build.outdir)
    assert checked >= 30
    assert broken == []

    # Numbered within their document: a document read and shown before them, with
    # collections of its own and questions in the briefs, changes none of their ids.
    before = ids_by_document(soup)
    proj.write('zero.md', twin_document('zero'))
    proj.edit('index.md', 'first\nsecond', 'zero\nfirst\nsecond')
    after = ids_by_document(BeautifulSoup(proj.build('singlehtml').html('index'), 'html.parser'))
    for name in ('first', 'second'):
        assert before[name] <= after[name], sorted(before[name] - after[name])
    assert after['zero'] and not after['zero'] & (after['first'] | after['second'])


def document_parts(soup: BeautifulSoup) -> dict[int, str]:
    """Which document's part of singlehtml's page holds each element (by ``id()``): a
    part starts at the page's ``document-<name>`` marker and ends at the next one."""
    part = 'index'
    result = {}
    for element in soup.find_all(True):
        marker = str(element.get('id', ''))
        if marker.startswith('document-'):
            part = marker.removeprefix('document-')
        result[id(element)] = part
    return result


def ids_by_document(soup: BeautifulSoup) -> dict[str, set[str]]:
    part = document_parts(soup)
    result: dict[str, set[str]] = {}
    for element in soup.select('[id]'):
        result.setdefault(part[id(element)], set()).add(str(element['id']))
    return result


def test_document_names_in_ids_stay_apart() -> None:
    """The document's part of a generated id: readable for ASCII names, and names whose
    letters would be transliterated or dropped still give different, valid ids."""
    from docutils.nodes import make_id

    from sphinx_briefing.ids import doc_slug, local_anchor

    assert doc_slug('themes/trade') == 'themes-trade'
    assert doc_slug('01_Intro') == '01-intro'
    slugs = [doc_slug(name) for name in ('日本', '中国', 'café', 'cafe', 'themes/日本')]
    assert len(set(slugs)) == len(slugs)
    assert all(make_id(f'x-{slug}') == f'x-{slug}' for slug in slugs)
    assert local_anchor('question-index-themes-trade-1', 'question-index', 'themes/trade') == (
        'question-index-1'
    )
