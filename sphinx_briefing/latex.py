"""The LaTeX builder's side: handling notices on every page, table layouts, and one PDF
per panellist.

Everything here runs only for the LaTeX builder and reads derived data; the page-level
work (notices, column specs, a brief's cover) is done on the book's resolved doctree,
after :func:`sphinx_briefing.events.fill_page` has replaced the placeholders. The LaTeX
itself lives in ``texinputs/sphinxbriefing.sty`` and ``sphinxbriefingbrief.cls``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from docutils import nodes
from sphinx import addnodes
from sphinx.util import texescape

from sphinx_briefing import nodes as bnodes
from sphinx_briefing._files import replacing
from sphinx_briefing.domain import QuestionIndex, briefing_domain
from sphinx_briefing.events import banner_parts
from sphinx_briefing.locale import _, __
from sphinx_briefing.render.common import clock_range, long_date
from sphinx_briefing.render.pack import brief_stamp, stamp_rest
from sphinx_briefing.warnings_ import Subtype, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders.latex import LaTeXBuilder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

    from sphinx_briefing.derive import Derived

#: the LaTeX theme of a panellist's brief (registered with the builder) and its class
BRIEF_THEME = 'sphinxbriefing-brief'
BRIEF_CLASS = 'sphinxbriefingbrief'

#: in the LaTeX output folder: the .tex files of the briefs written by the last build
BRIEFS_FILE = '.briefing-briefs'

#: the narrowest column of the extension's tables, in hundredths of the line
MIN_COLUMN = 7

#: a ``latex_documents`` entry: start document, .tex file, title, author, theme, toctree only
DocumentEntry = tuple[str, str, str, str, str, bool]


def _is_latex(app: Sphinx) -> bool:
    return app.builder is not None and app.builder.format == 'latex'


# -- One PDF per panellist -------------------------------------------------------------------


def register_brief_theme(app: Sphinx) -> None:
    """``builder-inited``: the briefs' LaTeX theme, a 'howto' whose class draws no title
    block and no table of contents (the brief's cover comes first in its body)."""
    if not _is_latex(app) or not hasattr(app.builder, 'themes'):
        return
    from sphinx.builders.latex.theming import BuiltInTheme

    theme = BuiltInTheme('howto', app.config)
    theme.wrapperclass = BRIEF_CLASS
    builder = cast('LaTeXBuilder', app.builder)
    builder.themes.themes[BRIEF_THEME] = theme


def brief_documents(app: Sphinx) -> list[DocumentEntry]:
    """The ``latex_documents`` entries of the panellists' briefs: one per document that
    holds a ``panellist-brief`` (and is not already a start document of the project's
    own ``latex_documents``), written to ``brief-<participant>.tex``."""
    if not app.config.briefing_latex_briefs:
        return []
    derived = briefing_domain(app.env).derived
    taken = {entry[0] for entry in app.config.latex_documents}
    engine = app.config.latex_engine
    author = texescape.escape(str(app.config.author), engine)
    entries: list[DocumentEntry] = []
    targets: set[str] = set()
    for ph in derived.placeholders:
        if ph.kind != 'panellist-brief' or ph.docname in taken:
            continue
        if (ph.docname, ph.anchor) not in derived.placeholder_panel:
            continue  # an unknown participant: warned about, nothing to print
        taken.add(ph.docname)
        target = f'brief-{_file_safe(ph.participant)}'
        number = 1
        while target in targets:
            number += 1
            target = f'brief-{_file_safe(ph.participant)}-{number}'
        targets.add(target)
        own = app.env.titles.get(ph.docname)
        title = own.astext() if own is not None else ''
        title = title or derived.participants[ph.participant].name
        entries.append(
            (
                ph.docname,
                f'{target}.tex',
                texescape.escape(title, engine),
                author,
                BRIEF_THEME,
                False,
            )
        )
    return entries


def add_brief_documents(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated`` (after the derived data): add the briefs to the LaTeX builder's
    documents. The builder reads ``latex_documents`` later, when it starts writing, and
    appends them to the same list; the project's configuration is not changed."""
    if not _is_latex(app):
        return
    warn_unsettable(app)
    if not hasattr(app.builder, 'document_data'):
        return
    add_documents(cast('LaTeXBuilder', app.builder), brief_documents(app), BRIEFS_FILE)


def add_documents(builder: LaTeXBuilder, entries: list[DocumentEntry], record: str) -> None:
    """Add *entries* to the LaTeX builder's documents (those not there already), and
    remove the .tex files that an earlier build wrote for such entries and this one does
    not (a participant renamed, a brief removed): Sphinx's Makefile makes a PDF of every
    .tex in the folder, so a stale one would still be printed. *record* names the file in
    the output folder that lists what was written."""
    present = {entry[0] for entry in builder.document_data}
    for entry in entries:
        if entry[0] not in present:
            builder.document_data.append(entry)
    outdir = Path(builder.outdir)
    current = {entry[1] for entry in entries}
    path = outdir / record
    try:
        written = set(path.read_text(encoding='utf-8').split())
    except OSError:
        written = set()
    for name in sorted(written - current):
        (outdir / name).unlink(missing_ok=True)
    if written != current:
        outdir.mkdir(parents=True, exist_ok=True)
        with replacing(path, text=True) as stream:
            stream.write(''.join(f'{name}\n' for name in sorted(current)))


# -- Text the engine cannot set ---------------------------------------------------------------

#: scripts pdflatex sets only with a font encoding of their own: (first, last code point,
#: font encodings or languages that bring it)
_PDFLATEX_SCRIPTS = (
    (0x0370, 0x03FF, ('LGR',), ('el',)),
    (0x0400, 0x04FF, ('T2A', 'T2B', 'T2C', 'X2'), ('ru', 'uk', 'bg', 'sr', 'mk', 'be')),
)


@functools.cache
def _declared_characters() -> frozenset[str]:
    """Characters the extension's .sty declares for pdflatex."""
    sty = Path(__file__).parent / 'texinputs' / 'sphinxbriefing.sty'
    found = re.findall(r'DeclareUnicodeCharacter\{([0-9A-Fa-f]+)\}', sty.read_text('utf-8'))
    return frozenset(chr(int(code, 16)) for code in found)


def pdflatex_cannot_set(char: str, config: Config) -> bool:
    """Whether pdflatex, with Sphinx's set-up and this project's font encodings, stops on
    *char* ("Unicode character … not set up for use with LaTeX"). Latin-1 and Latin
    Extended-A are covered by T1; letters and marks beyond them (Vietnamese, most other
    scripts) are not, nor are Greek and Cyrillic without their encodings."""
    code = ord(char)
    if code < 0x180 or char in _declared_characters():
        return False
    if code in texescape.tex_replace_map:  # Sphinx writes it as a LaTeX command
        return False
    category = unicodedata.category(char)
    if not category.startswith(('L', 'M')):
        return False  # punctuation and symbols: Sphinx maps or drops what it must
    fontenc = str(dict(config.latex_elements).get('fontenc', ''))
    language = str(config.language or '').split('_')[0].split('-')[0]
    for first, last, encodings, languages in _PDFLATEX_SCRIPTS:
        if first <= code <= last:
            return not (language in languages or any(enc in fontenc for enc in encodings))
    return True


def warn_unsettable(app: Sphinx) -> None:
    """Warn, at its place, about every item whose text the LaTeX engine cannot set (a
    Vietnamese name under pdflatex), naming the fix, instead of a raw LaTeX error."""
    config = app.config
    if config.latex_engine != 'pdflatex':
        return
    derived = briefing_domain(app.env).derived
    items: list[tuple[str, str, str, int | None, tuple[str, ...]]] = [
        (_('panel'), p.pid, p.docname, p.line, (p.title, p.event, p.venue))
        for p in derived.panels.values()
    ]
    items += [
        (_('participant'), p.pid, p.docname, p.line, (p.name, p.affiliation, p.role))
        for p in derived.participants.values()
    ]
    items += [
        (_('question'), qid, i.record.docname, i.record.line, (i.text, i.record.topic))
        for qid, i in derived.questions.items()
        if i.shown
    ]
    items += [
        (_('position'), pid, i.record.docname, i.record.line, (i.record.actor, i.summary))
        for pid, i in derived.positions.items()
    ]
    for kind, ident, docname, line, texts in items:
        bad = next((c for text in texts for c in text if pdflatex_cannot_set(c, config)), None)
        if bad is None:
            continue
        warn(
            __(
                "pdflatex cannot set %r (U+%04X) in %s %r: set latex_engine = 'xelatex' "
                "(or 'lualatex') in conf.py"
            )
            % (bad, ord(bad), kind, ident),
            Subtype.UNSUPPORTED_TEXT,
            location=(docname, line),
        )


def _file_safe(name: str) -> str:
    return re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-.') or 'participant'


# -- The book's doctree --------------------------------------------------------------------


def prepare_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` (after the filler): for the LaTeX builder only, set the
    handling notice at the start of every document, lay out the extension's tables, and
    put the cover first in a panellist's brief."""
    if not _is_latex(app):
        return
    derived = briefing_domain(app.env).derived
    set_notices(app.config, derived, doctree, docname)
    if app.config.latex_engine == 'uplatex':
        symbols_as_commands(doctree, UPLATEX_SYMBOLS)
    lay_out_tables(app.config, doctree)
    wrap_field_lists(doctree)
    keep_headings_with_what_follows(doctree)
    # The domain index of questions comes after the body: tell the .sty its name, so
    # that it sets its entries as sentences (Sphinx sets index entries as code).
    name = texescape.escape(str(QuestionIndex.localname), app.config.latex_engine)
    doctree.append(_raw(rf'\sphinxbriefingsetquestionindexname{{{name}}}'))
    brief = next((e for e in brief_documents(app) if e[0] == docname), None)
    if brief is not None and docname == doctree.get('docname', docname):
        page = cover(app.config, derived, docname)
        _insert_after_title(doctree, page, after_notice=True)
        _drop_fields_on_cover(doctree, page.get('briefing_fields', ()))


#: the room a heading of ours asks for below itself: its own lines and a few of what it
#: heads (a group of a brief: a script, a participant, a question's first lines)
HEADING_ROOM = r'\Needspace{7\baselineskip}'


def keep_headings_with_what_follows(doctree: nodes.document) -> None:
    """A heading of ours (the rubrics of briefs and the pack) is never the last line of a
    page: it asks for room below itself first. (Index and run-of-show headings measure
    the table they head instead, see the .sty.)"""
    for rubric in list(doctree.findall(nodes.rubric)):
        parent = rubric.parent
        if parent is None or not any(c.startswith('briefing-') for c in rubric['classes']):
            continue
        parent.insert(parent.index(rubric), _raw(HEADING_ROOM))


#: the symbols we write that upLaTeX's Japanese fonts lack (Adobe-Japan1 has no arrow
#: with a hook): written as commands of the .sty, which draws them
UPLATEX_SYMBOLS = '\u21b3\u21a9'


def symbols_as_commands(doctree: nodes.document, symbols: str) -> None:
    """Each of *symbols* in the text of *doctree* as ``\\sphinxbriefingsymbol{<hex>}``
    (upLaTeX takes every character as Japanese text, set from the Japanese font, and
    dvipdfmx drops one the font does not have with a warning only)."""
    pattern = re.compile(f'([{re.escape(symbols)}])')
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or not pattern.search(text):
            continue
        if isinstance(parent, nodes.FixedTextElement | nodes.raw | nodes.literal):
            continue  # code keeps its characters
        pieces: list[nodes.Node] = []
        for piece in pattern.split(str(text)):
            if len(piece) == 1 and piece in symbols:
                command = rf'\sphinxbriefingsymbol{{{ord(piece):04X}}}'
                pieces.append(nodes.raw('', command, format='latex'))
            elif piece:
                pieces.append(nodes.Text(piece))
        parent.replace(text, pieces)


def _drop_fields_on_cover(doctree: nodes.document, on_cover: Sequence[str]) -> None:
    """A brief's PDF opens with its cover: the panel fields that the cover shows (event,
    date, time, venue, role) are not repeated on the next page."""
    for fields in doctree.findall(nodes.field_list):
        if 'briefing-fields' not in fields['classes']:
            continue
        for field in list(fields.children):
            if isinstance(field, nodes.field) and field[0].astext() in on_cover:
                fields.remove(field)
        return  # only the brief's first panel details: the cover shows those


def set_title_date(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated`` (after the derived data): the book's title page gives the panel's
    event, date and venue instead of the day of the build, unless the project set a date
    of its own (``today`` or ``latex_elements['date']``). Only for a book of one panel."""
    if not _is_latex(app) or app.config.today or 'date' in app.config.latex_elements:
        return
    derived = briefing_domain(env).derived
    panels = [p for p in derived.panel_ids() if p in derived.panels]
    if len(panels) != 1:
        return
    panel = derived.panels[panels[0]]
    parts = [
        panel.event,
        long_date(panel.date, app.config.language) if panel.date else '',
        clock_range(panel.start, panel.duration) if panel.start else '',
        panel.venue,
    ]
    # (an event already named in the book's title is not repeated under it)
    shown = [
        texescape.escape(part, app.config.latex_engine)
        for part in parts
        if part and part not in app.config.project
    ]
    if shown:
        builder = cast('LaTeXBuilder', app.builder)
        builder.context['date'] = r'\\'.join(shown)


def notice_of(derived: Derived, docname: str) -> tuple[str, str, str]:
    """(handling notice, status name, status label) of a document's pages."""
    handling, status, label = '', '', ''
    for css, text in banner_parts(derived, docname):
        if css == 'briefing-banner-handling':
            handling = text
        elif css.startswith('briefing-banner-'):
            status, label = css.removeprefix('briefing-banner-'), text
    return handling, status, label


def set_notices(config: Config, derived: Derived, doctree: nodes.document, docname: str) -> None:
    """``\\sphinxbriefingnotice{id}{handling}{status}{label}`` after the title of every
    document of the book: the .sty prints it at the top and bottom of that document's
    pages (and a watermark on drafts)."""
    documents = list(_documents(doctree, docname))
    notices = {id(holder): notice_of(derived, doc) for holder, doc in documents}
    if not any(any(parts) for parts in notices.values()):
        return  # nothing to print anywhere: the pages stay as Sphinx makes them
    engine = config.latex_engine
    numbers: dict[tuple[str, str, str], int] = {}
    for holder, _doc in documents:
        handling, status, label = notices[id(holder)]
        number = numbers.setdefault((handling, status, label), len(numbers) + 1)
        status_name = status if status.isalpha() else ''
        command = (
            rf'\sphinxbriefingnotice{{{number}}}{{{texescape.escape(handling, engine)}}}'
            rf'{{{status_name}}}{{{texescape.escape(label, engine)}}}'
        )
        _insert_after_title(holder, _raw(command))


def _documents(doctree: nodes.document, docname: str) -> Iterator[tuple[nodes.Element, str]]:
    """Each document merged into the book: the start document, every document inlined by
    a toctree (``start_of_file``) and the appendices, with its name."""
    yield doctree, doctree.get('docname') or docname
    for node in doctree.findall(nodes.Element):
        if node is doctree:
            continue
        if isinstance(node, addnodes.start_of_file | nodes.document) and node.get('docname'):
            yield node, node['docname']


def _insert_after_title(
    holder: nodes.Element, node: nodes.Node, *, after_notice: bool = False
) -> None:
    """Put *node* right after the document's title (so that a chapter's notice comes
    after the page break of its heading), else first."""
    parent: nodes.Element = holder
    index = 0
    for child in holder.children:
        if isinstance(child, nodes.section):
            parent = child
            index = 1 if child.children and isinstance(child[0], nodes.title) else 0
            break
        if not isinstance(child, nodes.target | nodes.Invisible):
            break
    if after_notice:
        while index < len(parent.children) and _is_notice(parent[index]):
            index += 1
    parent.insert(index, node)


def _is_notice(node: nodes.Node) -> bool:
    return isinstance(node, nodes.raw) and node.astext().startswith(r'\sphinxbriefingnotice{')


def _raw(latex: str) -> nodes.raw:
    return nodes.raw('', latex + '\n', format='latex')


def lay_out_tables(config: Config, doctree: nodes.document) -> None:
    """Give the extension's tables columns of their own widths that wrap (ragged right),
    and centre the stance cells of a position matrix; without this Sphinx sets long
    tables in natural-width columns."""
    vlines = not {'booktabs', 'borderless'} & set(config.latex_table_style)
    separator = '|' if vlines else ''
    for table in list(doctree.findall(nodes.table)):
        if 'briefing-table' not in table['classes'] or table.parent is None:
            continue
        index = table.parent.index(table)
        if index and isinstance(table.parent[index - 1], addnodes.tabular_col_spec):
            continue  # the author's (or a previous pass's) column spec
        # no column narrower than a short word in small type ('Min.', 'Priority')
        widths = [
            max(MIN_COLUMN, int(colspec.get('colwidth', 1)))
            for colspec in table.findall(nodes.colspec)
        ]
        total = sum(widths) or 1
        matrix = 'briefing-position-matrix' in table['classes']
        columns = []
        for number, width in enumerate(widths):
            align = r'\centering' if matrix and number else r'\raggedright'
            columns.append(rf'>{{{align}\arraybackslash}}\X{{{width}}}{{{total}}}')
        spec = separator + separator.join(columns) + separator
        table.parent.insert(index, addnodes.tabular_col_spec(spec=spec))


def wrap_field_lists(doctree: nodes.document) -> None:
    """A field list of the extension outside a box (a brief's panel details) goes into a
    ``briefing-fields`` container, preceded by its labels: the .sty sets it as label and
    value on one line, as in the boxes."""
    for fields in list(doctree.findall(nodes.field_list)):
        parent = fields.parent
        if 'briefing-fields' not in fields['classes'] or parent is None:
            continue
        if isinstance(parent, nodes.container) and 'briefing-fields' in parent['classes']:
            continue
        if any(isinstance(a, bnodes.briefing_box) for a in _ancestors(fields)):
            continue  # the box's visitor writes it
        names = [texescape.escape(name.astext()) for name in fields.findall(nodes.field_name)]
        labels = ''.join(rf'\do{{{name}}}' for name in names)
        wrapper = nodes.container(classes=['briefing-fields'])
        parent.replace(fields, wrapper)
        wrapper += _raw(rf'\sphinxbriefingnextfields{{{labels}}}')
        wrapper += fields


def _ancestors(node: nodes.Node) -> Iterator[nodes.Element]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def cover(config: Config, derived: Derived, docname: str) -> nodes.raw:
    """The cover page of a panellist's brief: who it is for, the panel, its date, time,
    venue, and the handling notice."""
    engine = config.latex_engine

    def tex(value: str) -> str:
        return texescape.escape(value, engine)

    ph = next(
        p for p in derived.placeholders if p.kind == 'panellist-brief' and p.docname == docname
    )
    person = derived.participants[ph.participant]
    panels = [ph.panel] if ph.panel else derived.panels_of(ph.participant)
    moderates = any(
        derived.panels[p].moderator == ph.participant for p in panels if p in derived.panels
    )
    kicker = _("Moderator's brief") if moderates else _("Panellist's brief")
    fields: list[tuple[str, str]] = []
    for panel_id in panels:
        panel = derived.panels.get(panel_id)
        if panel is None:
            continue
        fields.append((_('Panel'), panel.title))
        if panel.event:
            fields.append((_('Event'), panel.event))
        if panel.date:
            fields.append((_('Date'), long_date(panel.date, config.language)))
        if panel.start:
            fields.append((_('Time'), clock_range(panel.start, panel.duration)))
        if panel.timezone:
            fields.append((_('Time zone'), panel.timezone))
        if panel.venue:
            fields.append((_('Venue'), panel.venue))
        role = _('Moderator') if panel.moderator == ph.participant else _('Panellist')
        fields.append((_('Your role'), role))
    if person.affiliation:
        fields.append((_('Affiliation'), person.affiliation))
    handling, _status, label = notice_of(derived, docname)
    labels = ''.join(rf'\do{{{tex(name)}}}' for name, _value in fields)
    lines = [
        rf'\begin{{sphinxbriefingcover}}{{{tex(kicker)}}}{{{tex(person.name)}}}'
        rf'{{{tex(handling)}}}{{{tex(label)}}}{{{labels}}}'
    ]
    lines += [rf'\sphinxbriefingfield{{{tex(name)}}}{{{tex(value)}}}' for name, value in fields]
    lines.append(r'\end{sphinxbriefingcover}')
    name, edition, status, date = brief_stamp(derived, config, ph)
    stamp = _('Prepared for %s') % name + ' · ' + stamp_rest(edition, status, date)
    lines.insert(0, rf'\sphinxbriefingpreparedfor{{{tex(stamp)}}}')
    page = _raw('\n'.join(lines))
    page['briefing_fields'] = [
        str(name) for name, _value in fields if name not in (_('Panel'), _('Affiliation'))
    ]
    return page
