"""``python -m sphinx_briefing new DIR``: a complete briefing book to start from.

It writes conf.py, a panel, its participants, a theme with questions (one with a short
form, one defensive), positions with sources, a break, every collection page (question
index, position matrix, run of show, bibliography), a brief per panellist and the
toctrees, in MyST or reStructuredText. The book builds with ``-W -n`` in every edition,
as HTML and as LaTeX; every text in it says what to replace.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: the participants of a new book: (id, name, affiliation, role)
MODERATOR = ('moderator', 'Moderator Name', 'Your organisation', 'moderator')
PANELLISTS = (
    ('panellist-a', 'Panellist A', 'Affiliation A', 'panellist'),
    ('panellist-b', 'Panellist B', 'Affiliation B', 'panellist'),
    ('panellist-c', 'Panellist C', 'Affiliation C', 'panellist'),
    ('panellist-d', 'Panellist D', 'Affiliation D', 'panellist'),
)


@dataclass(frozen=True)
class Syntax:
    """How one source syntax writes the few constructs a new book uses."""

    myst: bool

    @property
    def suffix(self) -> str:
        return '.md' if self.myst else '.rst'

    def title(self, text: str) -> str:
        return f'# {text}\n' if self.myst else f'{text}\n{"=" * len(text)}\n'

    def section(self, text: str) -> str:
        return f'## {text}\n' if self.myst else f'{text}\n{"-" * len(text)}\n'

    def directive(
        self, name: str, argument: str = '', options: Sequence[tuple[str, str]] = (), body: str = ''
    ) -> str:
        head = f' {argument}' if argument else ''
        if self.myst:
            # a colon fence for content (it may hold backticks), a backtick fence otherwise
            fence = ':::' if body else '```'
            lines = [f'{fence}{{{name}}}{head}', *(f':{k}: {v}' for k, v in options)]
            if body:
                lines += ['', body.rstrip('\n')] if options else [body.rstrip('\n')]
            return '\n'.join([*lines, fence]) + '\n'
        lines = [f'.. {name}::{head}', *(f'   :{k}: {v}' for k, v in options)]
        if body:
            lines.append('')
            lines += [f'   {line}' if line else '' for line in body.rstrip('\n').splitlines()]
        return '\n'.join(lines) + '\n'

    def toctree(self, entries: Sequence[str], caption: str = '', *, glob: bool = False) -> str:
        options = [('caption', caption)] if caption else []
        if glob:
            options.append(('glob', ''))
        if self.myst:
            lines = ['```{toctree}', *(f':{k}: {v}'.rstrip() for k, v in options)]
            return '\n'.join([*lines, '', *entries, '```']) + '\n'
        lines = ['.. toctree::', *(f'   :{k}: {v}'.rstrip() for k, v in options)]
        return '\n'.join([*lines, '', *(f'   {entry}' for entry in entries)]) + '\n'

    def head(self, **keys: str) -> str:
        """A page's front matter (MyST) or top field list (rST)."""
        if self.myst:
            lines = ['---', 'briefing:', *(f'  {k}: {v}' for k, v in keys.items()), '---']
        else:
            lines = [f':briefing-{k}: {v}' for k, v in keys.items()]
        return '\n'.join(lines) + '\n\n'

    def cite(self, key: str) -> str:
        return f'{{cite:t}}`{key}`' if self.myst else f':cite:t:`{key}`'

    def role(self, kind: str, target: str) -> str:
        return f'{{{kind}}}`{target}`' if self.myst else f':{kind}:`{target}`'


def slug(text: str) -> str:
    """A panel id from a title: lower-case ASCII words joined by '-'."""
    words = re.findall(r'[a-z0-9]+', text.lower())
    return '-'.join(words[:4]) or 'panel'


def book_files(
    title: str, *, myst: bool, panellists: int = 2, date: str = '', start: str = '14:00'
) -> dict[str, str]:
    """The files of a new book, by path relative to its folder."""
    s = Syntax(myst)
    x = s.suffix
    people = PANELLISTS[: max(1, min(panellists, len(PANELLISTS)))]
    pid = slug(title)
    date = date or datetime.date.today().isoformat()
    ids = [p[0] for p in people]
    files: dict[str, str] = {}

    files['conf.py'] = CONF.format(
        title=title.replace("'", "\\'"),
        extensions="['myst_parser', 'sphinx_briefing']" if myst else "['sphinx_briefing']",
        myst="myst_enable_extensions = ['colon_fence']\n" if myst else '',
    )
    files['references.bib'] = BIB
    files[f'index{x}'] = (
        s.title(title)
        + '\nThe briefing book of one panel. Replace every text in it with your own; build '
        'each edition into its own folder (see README).\n\n'
        + s.toctree(['panel', 'participants'], 'The panel')
        + '\n'
        + s.toctree(['themes/first-theme'], 'Themes')
        + '\n'
        + s.toctree(
            ['question-index', 'position-matrix', 'run-of-show', 'bibliography'], 'Collections'
        )
        + '\n'
        + s.toctree([f'briefs/{p}' for p in ids], 'Briefs')
    )
    panel_options = [
        ('title', title),
        ('date', date),
        ('start', start),
        ('venue', 'Room to be confirmed'),
        ('duration', '60'),
        ('opening', '5'),
        ('closing', '5'),
        ('moderator', MODERATOR[0]),
        ('panellists', ', '.join(ids)),
        ('status', 'draft'),
    ]
    files[f'panel{x}'] = (
        s.head(panel=pid)
        + s.title('The panel')
        + '\n'
        + s.directive(
            'panel',
            pid,
            panel_options,
            'Why the panel is held, and what a good outcome would be.',
        )
    )
    participants = [s.title('Participants'), '']
    for person, name, affiliation, role in (MODERATOR, *people):
        participants.append(
            s.directive(
                'participant',
                person,
                [('name', name), ('affiliation', affiliation), ('role', role)],
                f'A short biography of {name}.',
            )
        )
        participants.append('')
    files[f'participants{x}'] = '\n'.join(participants)

    first, second = ids[0], ids[-1]
    questions = [
        s.title('First theme'),
        '',
        'Context of the theme: what the audience should know before the questions.',
        '',
        s.directive(
            'question',
            'q-opening',
            [('to', first), ('minutes', '10'), ('short', 'The opening question, in a line')],
            'The opening question, as the moderator will ask it. It may be long: the run of '
            'show and the question index show its short form.\n\nA second paragraph of the '
            'question stays a paragraph of its own.',
        ),
        s.directive(
            'moderator-note',
            body='What the moderator should remember when asking it (moderator edition only).',
        ),
        s.directive(
            'position',
            'pos-opening-a',
            [
                ('question', 'q-opening'),
                ('actor', first),
                ('stance', 'supports'),
                ('sources', 'example2019'),
            ],
            f'Where {first} stands, as {s.cite("example2019")} reports.',
        ),
        s.directive(
            'position',
            'pos-opening-b',
            [('question', 'q-opening'), ('actor', second), ('stance', 'opposes')],
            f'Where {second} stands on it.',
        ),
        s.directive('break', 'Coffee', [('minutes', '10'), ('session', 'Second half')]),
        s.directive(
            'question',
            'q-second',
            [('to', ', '.join(ids)), ('minutes', '15')],
            f'A question to every panellist, following up {s.role("question", "q-opening")}.',
        ),
        s.directive(
            'question',
            'q-reserve',
            [('to', second), ('minutes', '5'), ('priority', 'reserve')],
            'A question kept in reserve, for when there is time.',
        ),
        s.directive(
            'question',
            'q-floor',
            [('to', first), ('priority', 'defensive')],
            'If asked from the floor: a defensive line (not in the public edition).',
        ),
    ]
    files[f'themes/first-theme{x}'] = '\n'.join(questions)
    files[f'question-index{x}'] = s.title('Question index') + '\n' + s.directive('question-index')
    files[f'position-matrix{x}'] = (
        s.head(audience='panellist')
        + s.title('Position matrix')
        + '\n'
        + s.directive('position-matrix')
    )
    files[f'run-of-show{x}'] = s.title('Run of show') + '\n' + s.directive('run-of-show')
    files[f'bibliography{x}'] = s.title('Sources') + '\n' + s.directive('bibliography')
    for person, name, *_rest in people:
        files[f'briefs/{person}{x}'] = (
            s.head(audience='panellist')
            + s.title(f'Brief: {name}')
            + '\n'
            + s.directive('panellist-brief', person)
        )
    return files


CONF = """\
\"\"\"A briefing book made by ``python -m sphinx_briefing new``; see sphinx-briefing's README.\"\"\"

project = '{title}'
author = 'Your organisation'
language = 'en'

extensions = {extensions}
{myst}exclude_patterns = ['_build']

html_theme = 'alabaster'

# the .bib files of the book's sources (BibLaTeX or BibTeX)
briefing_bibfiles = ['references.bib']
# public, panellist or moderator (the default): build each into its own folder
# briefing_edition = 'moderator'
# draft or final: a banner on every page
briefing_status = 'draft'
# one PDF per panellist's brief beside the book (sphinx-build -M latexpdf)
briefing_latex_briefs = True
"""

BIB = """\
@report{example2019,
  author = {{Example Institute}},
  title = {An Example Report to Replace},
  year = {2019},
  institution = {Example Institute},
  url = {https://example.org/report},
}
"""


def write_book(target: Path, files: dict[str, str]) -> list[Path]:
    written = []
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding='utf-8')
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog='python -m sphinx_briefing',
        description='Tools of sphinx-briefing.',
    )
    commands = parser.add_subparsers(dest='command', required=True)
    new = commands.add_parser('new', help='write a new briefing book into DIR')
    new.add_argument('directory', metavar='DIR', type=Path)
    new.add_argument('--title', default='A panel', help='the panel and book title')
    syntax = new.add_mutually_exclusive_group()
    syntax.add_argument('--myst', dest='myst', action='store_true', default=True, help='MyST')
    syntax.add_argument('--rst', dest='myst', action='store_false', help='reStructuredText')
    new.add_argument(
        '--panellists',
        type=int,
        default=2,
        choices=range(1, len(PANELLISTS) + 1),
        help='how many panellists (one brief each)',
    )
    new.add_argument('--date', default='', help='the panel date, YYYY-MM-DD (default: today)')
    new.add_argument('--force', action='store_true', help='write into a folder that has files')
    args = parser.parse_args(argv)

    target: Path = args.directory
    if args.date:
        try:
            datetime.date.fromisoformat(args.date)
        except ValueError:
            parser.error(f'--date {args.date!r} is not YYYY-MM-DD')
    if target.exists() and any(target.iterdir()) and not args.force:
        parser.error(f'{target} is not empty (use --force to write into it)')
    files = book_files(args.title, myst=args.myst, panellists=args.panellists, date=args.date)
    write_book(target, files)
    print(f'A briefing book is in {target}. Build it with:')
    print(f'  python -m sphinx -W -n -b html {target} {target / "_build" / "html"}')
    return 0


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
