"""Shared test helpers: projects written into temporary folders and built like
``sphinx-build`` runs (a new application per build, the same folders between builds)."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

pytest_plugins = ('sphinx.testing.fixtures',)
collect_ignore = ['roots']

ROOTS = Path(__file__).parent / 'roots'

MYST_CONF = """\
extensions = ['myst_parser', 'sphinx_briefing']
myst_enable_extensions = ['colon_fence']
"""
RST_CONF = "extensions = ['sphinx_briefing']\n"

_WARNING = re.compile(
    r'^(?:(?P<file>[^:\n]*?):(?P<line>\d+)?:? )?WARNING: (?P<text>.*?)(?: \[(?P<type>[\w.]+)\])?$'
)


@dataclass(frozen=True)
class SeenWarning:
    """A parsed warning line: file relative to the source folder, line, text, type."""

    file: str
    line: int | None
    text: str
    type: str


@dataclass
class Build:
    """The result of one build: the app, the documents read and pages written."""

    app: SphinxTestApp
    read: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def outdir(self) -> Path:
        return Path(self.app.outdir)

    def html(self, page: str) -> str:
        return (self.outdir / f'{page}.html').read_text(encoding='utf-8')

    def warnings(self) -> list[SeenWarning]:
        return parse_warnings(self.app.warning.getvalue(), Path(self.app.srcdir))


def parse_warnings(output: str, srcdir: Path) -> list[SeenWarning]:
    result = []
    for raw in output.splitlines():
        line = re.sub(r'\x1b\[[0-9;]*m', '', raw)
        match = _WARNING.match(line)
        if not match:
            if 'WARNING' in line:
                result.append(SeenWarning('', None, line, ''))
            continue
        file = match['file'] or ''
        if file and file.startswith(str(srcdir)):
            file = Path(file).relative_to(srcdir).as_posix()
        result.append(
            SeenWarning(
                file,
                int(match['line']) if match['line'] else None,
                match['text'],
                match['type'] or '',
            )
        )
    return result


_live_apps: list[SphinxTestApp] = []


class Project:
    """A source folder in a temporary directory, with helpers to write and edit files."""

    def __init__(self, path: Path, make_app: Callable[..., SphinxTestApp]) -> None:
        self.path = path
        self.make_app = make_app
        self.last_build = 0.0
        path.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, content: str) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(content), encoding='utf-8')
        self.touch(target)
        return target

    def edit(self, name: str, old: str, new: str) -> None:
        target = self.path / name
        text = target.read_text(encoding='utf-8')
        assert old in text, f'{old!r} not in {name}'
        target.write_text(text.replace(old, new), encoding='utf-8')
        self.touch(target)

    def touch(self, target: Path) -> None:
        """Make sure the file is newer than the last build read it, even on file systems
        with coarse timestamps, but never in the future (a future mtime would make every
        later build re-read the file)."""
        stamp = max(time.time(), self.last_build + 0.01)
        while time.time() < stamp:
            time.sleep(0.005)
        os.utime(target, (stamp, stamp))

    def remove(self, name: str) -> None:
        (self.path / name).unlink()

    def build(
        self,
        buildername: str = 'html',
        *,
        parallel: int = 0,
        outdir_name: str | None = None,
        warningiserror: bool = False,
        **confoverrides: Any,
    ) -> Build:
        builddir = self.path / '_build' if outdir_name is None else self.path / outdir_name
        # Like a new sphinx-build process: the previous application unregisters its
        # nodes, roles and translators first (they live in module-level registries).
        if _live_apps:
            _live_apps.pop().cleanup()
        app = self.make_app(
            buildername,
            srcdir=self.path,
            builddir=builddir,
            parallel=parallel,
            warningiserror=warningiserror,
            # Sphinx 7.4 prints a warning's type only when asked (8.0 and later always do).
            confoverrides={'show_warning_types': True, **confoverrides},
        )
        _live_apps.append(app)
        build = Build(app)
        app.connect('env-before-read-docs', lambda app, env, docnames: build.read.extend(docnames))
        app.connect(
            'html-page-context',
            lambda app, pagename, *args: build.written.append(pagename),
        )
        app.build()
        self.last_build = time.time()
        return build


@pytest.fixture
def project(
    tmp_path: Path, make_app: Callable[..., SphinxTestApp]
) -> Iterator[Callable[..., Project]]:
    """Make a project from a root under tests/roots, or an empty one."""

    def factory(root: str | None = None, name: str = 'src') -> Project:
        path = tmp_path / name
        if root is not None:
            shutil.copytree(ROOTS / root, path)
        return Project(path, make_app)

    yield factory


def box_xml(tree: nodes.Node) -> str:
    """The extension's boxes of a doctree as pseudo-XML, without locations and source
    lines, so two parsers of the same text give the same string."""
    from sphinx_briefing import nodes as bnodes

    parts = []

    def wanted(n: nodes.Node) -> bool:
        if isinstance(n, nodes.container) and 'briefing-collection' in n['classes']:
            return True
        return isinstance(n, bnodes.briefing_box) and not isinstance(n.parent, bnodes.briefing_box)

    for node in tree.findall(wanted):
        text = node.pformat()
        text = re.sub(r' (line|source)="[^"]*"', '', text)
        parts.append(text)
    return '\n'.join(parts)


def resolved(app: SphinxTestApp, docname: str) -> nodes.document:
    """``env.get_and_resolve_doctree`` on every supported Sphinx (``tags`` is new in 8.2)."""
    import inspect

    method = app.env.get_and_resolve_doctree
    if 'tags' in inspect.signature(method).parameters:
        return method(docname, app.builder, tags=app.tags)
    return method(docname, app.builder)


def write_book(proj: Project, themes: int = 12) -> None:
    """A briefing book of *themes* theme pages (plus index, question index and a page of
    references): enough documents for Sphinx to read and write in parallel."""
    names = [f't{n:02d}' for n in range(1, themes + 1)]
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Book\n\n'
        ':::{panel} p1\n:title: Panel one\n:date: 2019-11-20\n:start: 14:00\n:duration: 60\n'
        ':moderator: chair\n:panellists: ana, ben\n:::\n\n'
        ':::{participant} chair\n:name: Chair Person\n:::\n\n'
        ':::{participant} ana\n:name: Ana Alves\n:::\n\n'
        ':::{participant} ben\n:name: Ben Brown\n:::\n\n'
        '```{toctree}\n'
        + '\n'.join([*names, 'refs', 'questions', 'matrix', 'schedule', 'brief-ana', 'brief-ben'])
        + '\n```\n',
    )
    for index, name in enumerate(names):
        previous = names[index - 1] if index else names[-1]
        proj.write(
            f'{name}.md',
            f'# Theme {name}\n\n'
            f'Context of {name}.\n\n'
            f'::::{{question}} {name}-a\n:to: ana\n:minutes: 3\n\nFirst question of {name}?\n\n'
            f':::{{question}} {name}-a-more\n:minutes: 1\n:priority: reserve\n\nFollow-up of {name}?\n:::\n'
            '::::\n\n'
            f':::{{question}} {name}-b\n:to: ben\n:minutes: 2\n\nSecond question of {name}?\n:::\n\n'
            f':::{{position}}\n:question: {name}-a\n:actor: United States\n:stance: supports\n\n'
            f'Position on {name}.\n:::\n\n'
            f'See {{question}}`{previous}-b`.\n',
        )
    proj.write(
        'refs.md', '# References\n\n' + ''.join(f'- {{question}}`{n}-a`\n' for n in names[:3])
    )
    proj.write(
        'questions.md',
        '# Questions\n\n```{question-index}\n```\n\n## By participant\n\n'
        '```{question-index}\n:group-by: participant\n```\n',
    )
    proj.write('matrix.md', '# Matrix\n\n```{position-matrix}\n```\n')
    proj.write('schedule.md', '# Run of show\n\n```{run-of-show}\n```\n')
    for pid in ('ana', 'ben'):
        proj.write(f'brief-{pid}.md', f'# Brief\n\n```{{panellist-brief}} {pid}\n```\n')


def require_tool(tool: str, env_var: str) -> None:
    """Skip when *tool* is not installed, except where *env_var* is set (``.ci/run``
    sets it, having installed the tool): there a missing tool is a failure, so CI never
    skips silently."""
    if shutil.which(tool) is not None:
        return
    if os.environ.get(env_var):
        pytest.fail(f'{env_var} is set but {tool} is not installed', pytrace=False)
    pytest.skip(f'{tool} is not installed')


#: three works, for the tests of citations in notes and in Word documents
NOTES_BIB = """\
@book{smith2018,
  author = {Smith, John},
  title = {Screening Foreign Investment},
  publisher = {Trade Press},
  address = {London},
  year = {2018}
}

@article{jones2019,
  author = {Jones, Ann},
  title = {Export Controls after Wassenaar},
  journal = {Journal of Trade},
  volume = {12},
  pages = {21--40},
  year = {2019}
}

@book{lee2020,
  author = {Lee, Min},
  title = {Sanctions and Markets},
  publisher = {Harbour Books},
  year = {2020}
}
"""
