"""The LaTeX builder's side of the outputs for the day: a PDF of cue cards and a one-page
agenda PDF beside the book, made like the panellists' briefs (:mod:`sphinx_briefing.latex`):
entries added to the builder's documents, each with a LaTeX theme of its own.

- cue cards: ``cue-cards-<panel>.tex``, class ``sphinxbriefingcards`` (a card a page, on A6
  or 5 x 7 in paper, ``briefing_cue_card_size``);
- agenda: ``agenda-<panel>.tex``, class ``sphinxbriefingagenda`` (the project's paper, no
  running heads).

Each of these PDFs shows its collection only: the document's title and its other text
belong to the web page and the book.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, cast

from docutils import nodes
from sphinx.util import texescape

from sphinx_briefing import config as briefing_config
from sphinx_briefing.domain import briefing_domain
from sphinx_briefing.latex import DocumentEntry, _is_latex, add_documents

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders.latex import LaTeXBuilder
    from sphinx.environment import BuildEnvironment

#: LaTeX themes (registered with the builder) and their classes, by collection kind
THEMES = {'cue-cards': 'sphinxbriefing-cards', 'agenda': 'sphinxbriefing-agenda'}
CLASSES = {'cue-cards': 'sphinxbriefingcards', 'agenda': 'sphinxbriefingagenda'}
#: the class option that chooses a card's paper, by ``briefing_cue_card_size``
CARD_PAPER = {'a6': 'briefingcarda6', '5x7': 'briefingcardfivebyseven'}

#: in the LaTeX output folder: the .tex files of cards and agendas the last build wrote
DAY_FILE = '.briefing-day'


def register_themes(app: Sphinx) -> None:
    """``builder-inited``: the themes of the cards and the agenda: Sphinx's 'howto' with a
    class of their own; the cards' paper is theirs, whatever the project's is."""
    if not _is_latex(app) or not hasattr(app.builder, 'themes'):
        return
    from sphinx.builders.latex.theming import BuiltInTheme

    class DayTheme(BuiltInTheme):
        own_paper = ''

        def update(self, config: object) -> None:
            super().update(config)  # type: ignore[arg-type]
            if self.own_paper:
                self.papersize = self.own_paper

    builder = cast('LaTeXBuilder', app.builder)
    for kind, name in THEMES.items():
        theme = DayTheme('howto', app.config)
        theme.wrapperclass = CLASSES[kind]
        if kind == 'cue-cards':
            theme.own_paper = CARD_PAPER[briefing_config.cue_card_size_name(app.config)]
            theme.papersize = theme.own_paper
        builder.themes.themes[name] = theme


def day_documents(app: Sphinx) -> list[DocumentEntry]:
    """The ``latex_documents`` entries of the cards and agendas: one per document that
    holds a ``cue-cards`` or ``agenda`` directive (and is not already a start document
    of the project's own ``latex_documents``), named after the panel it shows."""
    derived = briefing_domain(app.env).derived
    taken = {entry[0] for entry in app.config.latex_documents}
    engine = app.config.latex_engine
    author = texescape.escape(str(app.config.author), engine)
    entries: list[DocumentEntry] = []
    for ph in derived.placeholders:
        if ph.kind not in THEMES or ph.docname in taken:
            continue
        panel = derived.placeholder_panel.get((ph.docname, ph.anchor))
        if not panel:
            continue  # no panel: warned about, nothing to print
        taken.add(ph.docname)
        title = derived.titles.get(ph.docname) or derived.panels[panel].title
        target = f'{ph.kind}-{_file_safe(panel)}.tex'
        if any(entry[1] == target for entry in entries):
            target = f'{ph.kind}-{_file_safe(panel)}-{_file_safe(ph.docname)}.tex'
        entries.append(
            (ph.docname, target, texescape.escape(title, engine), author, THEMES[ph.kind], False)
        )
    return entries


def add_day_documents(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated`` (after the derived data): add the cards and agendas to the LaTeX
    builder's documents (as :func:`sphinx_briefing.latex.add_brief_documents` does for
    briefs), and remove the .tex files of earlier builds that this one does not write."""
    if not _is_latex(app) or not hasattr(app.builder, 'document_data'):
        return
    add_documents(cast('LaTeXBuilder', app.builder), day_documents(app), DAY_FILE)


def keep_collections_only(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (after the notices are set): the PDF of cards or of an agenda
    holds its collections and the handling notice, and nothing else of its document."""
    if not _is_latex(app):
        return
    entry = next((e for e in day_documents(app) if e[0] == docname), None)
    if entry is None or doctree.get('docname', docname) != docname:
        return
    kind = next(kind for kind, theme in THEMES.items() if theme == entry[4])
    wanted = f'briefing-{kind}'
    notices = (
        node
        for node in doctree.findall(nodes.raw)
        if node.astext().startswith(r'\sphinxbriefingnotice{')
    )
    kept: list[nodes.Element] = []
    kept.extend(itertools.islice(notices, 1))
    kept += [
        node
        for node in doctree.findall(nodes.container)
        if wanted in node['classes'] and 'briefing-collection' in node['classes']
    ]
    for node in kept:
        node.parent.remove(node)
    del doctree[:]
    doctree.extend(kept)


def _file_safe(name: str) -> str:
    return re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-.') or 'panel'
