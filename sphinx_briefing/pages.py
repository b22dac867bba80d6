"""Pages that say which panel they belong to and who may read them.

A MyST page says it in its front matter::

    ---
    briefing:
      panel: p2
      audience: panellist
    ---

(or with the top-level keys ``briefing-panel`` and ``briefing-audience``); a
reStructuredText page in a field list at its top::

    :briefing-panel: p2
    :briefing-audience: panellist

Its questions (and collections) take that panel. A page for a narrower audience than the
edition being built is left out of the build before any document is read: its file is
added to ``exclude_patterns`` (so nothing of it is parsed, pickled or written), and the
toctree entries naming it are dropped before Sphinx's toctree looks at them (so no
"excluded document" warning fails ``-W``). Both are read from the source text, the same
way before reading (:func:`leave_out_pages`) and while reading (:func:`page_record`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml
from docutils.statemachine import StringList
from sphinx.directives.other import TocTree
from sphinx.util import docname_join

from sphinx_briefing import config as briefing_config
from sphinx_briefing.locale import __
from sphinx_briefing.model import AUDIENCE_ALIASES, EDITIONS, edition_rank
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from sphinx import addnodes
    from sphinx.application import Sphinx
    from sphinx.config import Config

#: the attribute of the configuration holding the documents this edition leaves out
LEFT_OUT = '_briefing_left_out'
#: keys of the ``briefing:`` mapping of a page's front matter
KEYS = ('panel', 'audience')
#: lines at a page's top searched for its field list or front matter
_HEAD = 200


@dataclass
class FrontMatter:
    """What a page's head says (empty values when it says nothing)."""

    panel: str = ''
    audience: str = ''  # as written, not yet checked
    line: int | None = None  # of the first briefing key
    problems: list[tuple[str, Subtype, int | None]] = field(default_factory=list)

    @property
    def checked_audience(self) -> str:
        """The audience as an edition name; an unknown one counts as the moderator's
        (content that cannot be read as what it claims fails safe)."""
        raw = self.audience.strip().lower()
        if not raw:
            return 'public'
        name = AUDIENCE_ALIASES.get(raw, raw)
        return name if name in EDITIONS else 'moderator'


def front_matter(lines: Sequence[str], *, myst: bool) -> FrontMatter:
    """The briefing keys of a page's YAML front matter (MyST) or top field list (rST)."""
    found = _myst_head(lines) if myst else _rst_head(lines)
    raw = found.audience.strip().lower()
    if raw and AUDIENCE_ALIASES.get(raw, raw) not in EDITIONS:
        found.problems.append(
            (
                __('the page audience %r is not one of %s; treated as moderator-only')
                % (found.audience, ', '.join(EDITIONS)),
                Subtype.UNKNOWN_EDITION,
                found.line,
            )
        )
    return found


def _myst_head(lines: Sequence[str]) -> FrontMatter:
    result = FrontMatter()
    if not lines or lines[0].rstrip() != '---':
        return result
    end = next((i for i in range(1, min(len(lines), _HEAD)) if lines[i].rstrip() == '---'), None)
    if end is None:
        return result
    try:
        data = yaml.safe_load('\n'.join(lines[1:end]))
    except yaml.YAMLError:
        return result  # MyST warns about YAML it cannot read
    if not isinstance(data, dict):
        return result
    key_lines = {
        line.split(':', 1)[0].strip(): index + 2 for index, line in enumerate(lines[1:end])
    }
    values: dict[str, Any] = {}
    if 'briefing' in data:
        result.line = key_lines.get('briefing')
        mapping = data['briefing']
        if not isinstance(mapping, dict):
            result.problems.append(
                (
                    __('front matter "briefing" should be a mapping with %s')
                    % ', '.join(map(repr, KEYS)),
                    Subtype.BAD_FRONT_MATTER,
                    result.line,
                )
            )
            mapping = {}
        for key, value in mapping.items():
            if key not in KEYS:
                result.problems.append(
                    (
                        __('unknown key %r in front matter "briefing" (it has %s); ignored')
                        % (key, ', '.join(KEYS)),
                        Subtype.BAD_FRONT_MATTER,
                        result.line,
                    )
                )
                continue
            values[key] = value
    for key in KEYS:
        name = f'briefing-{key}'
        if name in data:
            values.setdefault(key, data[name])
            result.line = result.line or key_lines.get(name)
    result.panel = _scalar(values.get('panel'))
    result.audience = _scalar(values.get('audience'))
    return result


def _rst_head(lines: Sequence[str]) -> FrontMatter:
    result = FrontMatter()
    for index, line in enumerate(lines[:_HEAD]):
        stripped = line.strip()
        if not stripped or (stripped.startswith('..') and '::' not in stripped):
            continue  # blank lines and comments may come before the field list
        if not stripped.startswith(':'):
            break
        name, _sep, value = stripped[1:].partition(':')
        for key in KEYS:
            if name.strip().lower() == f'briefing-{key}':
                setattr(result, key, value.strip())
                result.line = result.line or index + 1
    return result


def _scalar(value: object) -> str:
    return '' if value is None else ' '.join(str(value).split())


def source_lines(path: Path) -> list[str]:
    try:
        with path.open(encoding='utf-8-sig') as stream:
            return [line.rstrip('\n') for _n, line in zip(range(_HEAD), stream, strict=False)]
    except (OSError, UnicodeDecodeError):
        return []


def is_myst(path: Path | str) -> bool:
    return str(path).endswith('.md')


# -- before reading: the pages this edition leaves out ------------------------------------------


def leave_out_pages(app: Sphinx, config: Config) -> None:
    """``config-inited``: exclude the pages whose audience is narrower than the edition,
    and keep their names for the toctrees (:class:`EditionTocTree`)."""
    from sphinx.project import Project

    edition = briefing_config.edition(config)
    left_out: set[str] = set()
    excluded: list[str] = []
    if edition != 'moderator':
        project = Project(app.srcdir, config.source_suffix)
        docnames = project.discover(config.exclude_patterns, config.include_patterns)
        for docname in sorted(docnames):
            path = Path(project.doc2path(docname, absolute=True))
            head = front_matter(source_lines(path), myst=is_myst(path))
            if edition_rank(edition) >= edition_rank(head.checked_audience):
                continue
            left_out.add(docname)
            excluded.append(Path(path).relative_to(app.srcdir).as_posix())
            for message, subtype, line in head.problems:
                # The page is not read in this edition: say it here, or not at all.
                warn(message, subtype, location=f'{path}:{line}' if line else str(path))
    if excluded:
        config.exclude_patterns = [*config.exclude_patterns, *excluded]
    setattr(config, LEFT_OUT, frozenset(left_out))


def left_out(config: Config) -> frozenset[str]:
    found: frozenset[str] = getattr(config, LEFT_OUT, frozenset())
    return found


class EditionTocTree(TocTree):
    """Sphinx's toctree, without the entries naming a page this edition leaves out."""

    def parse_content(self, toctree: addnodes.toctree) -> Any:
        gone = left_out(self.config)
        if gone:
            keep = [i for i, entry in enumerate(self.content) if not self._names(entry, gone)]
            if len(keep) != len(self.content):
                self.content = StringList(
                    [self.content[i] for i in keep], items=[self.content.items[i] for i in keep]
                )
        # Sphinx 7 returns the nodes to put before the toctree, Sphinx 8 and later None.
        return cast('Any', super().parse_content)(toctree)

    def _names(self, entry: str, gone: frozenset[str]) -> bool:
        entry = entry.strip()
        if not entry:
            return False
        if entry.endswith('>') and '<' in entry:
            entry = entry[entry.rindex('<') + 1 : -1].strip()
        for suffix in self.config.source_suffix:
            entry = entry.removesuffix(suffix)
        return docname_join(self.env.docname, entry) in gone


def remove_left_out_outputs(app: Sphinx) -> None:
    """``builder-inited``: a page this edition leaves out may have been written by an
    earlier build into the same folders (before its audience narrowed): its page, its
    copied source and its doctree go, as they never were in this edition. Sphinx leaves a
    removed document's files in place; a page of restricted content must not stay."""
    builder = app.builder
    outdir = Path(builder.outdir)
    found = False
    for docname in sorted(left_out(app.config)):
        stale = [Path(app.doctreedir) / f'{docname}.doctree']
        outfile = getattr(builder, 'get_outfilename', None)
        if builder.format == 'html' and outfile is not None:
            stale.append(Path(outfile(docname)))
            sources = outdir / '_sources'
            stale.extend(sources.glob(f'{docname}.*.txt'))
        for path in stale:
            if path.is_file():
                path.unlink()
                found = True
    if found:
        # Sphinx's search index keeps the words of a removed page (with no page): it is
        # made again. The page's exclusion changed exclude_patterns, so this build reads
        # and writes every document, and the new index is complete.
        (outdir / 'searchindex.js').unlink(missing_ok=True)
