"""Node classes and their visitors for every builder.

Container nodes (panel, participant, question, position, counter-argument) keep the
author's body as children; the write phase inserts their header and footer as standard
nodes, so each builder only has to open and close a box. Collection placeholders are
replaced at write time and never reach a translator; their visitors skip them in case a
builder writes without resolving.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator
    from sphinx.writers.latex import LaTeXTranslator
    from sphinx.writers.text import TextTranslator


class briefing_box(nodes.General, nodes.Element):
    """Base of the boxes; ``docname`` is stamped at read time (LaTeX merges documents)."""

    #: CSS class and LaTeX environment suffix
    box_name = 'box'


class briefing_panel(briefing_box):
    box_name = 'panel'


class briefing_participant(briefing_box):
    box_name = 'participant'


class briefing_question(briefing_box):
    box_name = 'question'


class briefing_position(briefing_box):
    box_name = 'position'


class briefing_counter_argument(briefing_box):
    box_name = 'counterargument'


class briefing_moderator_note(briefing_box):
    box_name = 'moderatornote'


class briefing_objectives(briefing_box):
    box_name = 'objectives'


class briefing_lines_to_take(briefing_box):
    box_name = 'linestotake'


class briefing_line_part(briefing_box):
    """A part of lines to take (``top-line``, ``if-pressed`` ...): ``part`` names it."""

    box_name = 'linepart'


class briefing_introduction(briefing_box):
    """A scripted introduction, or the opening or closing script (``kind``)."""

    box_name = 'introduction'


class briefing_logistics(briefing_box):
    box_name = 'logistics'


class briefing_placeholder(nodes.General, nodes.Element):
    """A collection directive's spot; replaced in ``doctree-resolved``."""


class briefing_question_index(briefing_placeholder):
    pass


class briefing_position_matrix(briefing_placeholder):
    pass


class briefing_run_of_show(briefing_placeholder):
    pass


class briefing_panellist_brief(briefing_placeholder):
    pass


class briefing_cue_cards(briefing_placeholder):
    pass


class briefing_agenda(briefing_placeholder):
    pass


class briefing_bibliography(briefing_placeholder):
    pass


class briefing_citation(nodes.Inline, nodes.TextElement):
    """A ``cite:*`` role; its text is replaced by the formatted citation at write time
    (the raw role text stays as a fallback)."""


class briefing_withheld(nodes.Invisible, nodes.Element):
    """Marks an object this edition leaves out (removed at write time)."""


class briefing_break(nodes.Invisible, nodes.Element):
    """Where a break of the run of show is declared (its options as attributes)."""


class briefing_stance(nodes.Inline, nodes.TextElement):
    """A stance: symbol and label as text, its colour for the builders that have colour.

    The colour comes from ``briefing_stances`` (a configuration value), so it is written
    by the visitors rather than by a static stylesheet.
    """


class briefing_banner(nodes.General, nodes.Element):
    """The handling banner at the top of an HTML page: its notice and status as inline
    children. Its own node because HTML wants a ``role="note"`` landmark, which a
    docutils container cannot carry; other builders show notices their own way."""


BOXES: tuple[type[briefing_box], ...] = (
    briefing_panel,
    briefing_participant,
    briefing_question,
    briefing_position,
    briefing_counter_argument,
    briefing_moderator_note,
    briefing_objectives,
    briefing_lines_to_take,
    briefing_line_part,
    briefing_introduction,
    briefing_logistics,
)
#: the boxes of the moderator's pack (objectives, lines to take, scripts, logistics)
PACK_BOXES: tuple[type[briefing_box], ...] = (
    briefing_objectives,
    briefing_lines_to_take,
    briefing_introduction,
    briefing_logistics,
)
PLACEHOLDERS: tuple[type[briefing_placeholder], ...] = (
    briefing_question_index,
    briefing_position_matrix,
    briefing_run_of_show,
    briefing_panellist_brief,
    briefing_bibliography,
    briefing_cue_cards,
    briefing_agenda,
)


# -- HTML ---------------------------------------------------------------------------------


def html_visit_box(self: HTML5Translator, node: briefing_box) -> None:
    classes = f'briefing briefing-{node.box_name}'
    self.body.append(self.starttag(node, 'div', CLASS=classes))


def html_depart_box(self: HTML5Translator, node: briefing_box) -> None:
    self.body.append('</div>\n')


# -- LaTeX --------------------------------------------------------------------------------


def latex_visit_box(self: LaTeXTranslator, node: briefing_box) -> None:
    r"""Open the box's environment (sphinxbriefing.sty) and write its children.

    The header paragraph that the write phase put first becomes
    ``\sphinxbriefingheader{name or number}{the rest}``, so that the .sty can set the
    number large beside its meta line; a field list of the header becomes
    ``sphinxbriefingfields``. The children are walked here, hence ``SkipNode``: the
    doctree itself is not changed.
    """
    self.body.append(f'\n\\begin{{sphinxbriefing{node.box_name}}}{_latex_box_arguments(node)}%\n')
    # The label makes \hyperref reach the box, in Sphinx's own docname:id scheme; inside
    # the box, so that \pageref gives the page the box starts on.
    self.body.append(self.hypertarget_to(node, anchor=True) + '%\n')
    # A framed box can't hold floats, and inside a table it needs a tabular that can
    # hold paragraphs.
    self.no_latex_floats += 1
    if self.table:
        self.table.has_problematic = True
    for child in node.children:
        if _has_class(child, nodes.paragraph, 'briefing-header'):
            first, rest = _split_header(cast(nodes.paragraph, child))
            self.body.append(
                rf'\sphinxbriefingheader{{{_latex_inline(self, first)}}}'
                rf'{{{_latex_inline(self, rest)}}}' + '\n'
            )
        elif _has_class(child, nodes.field_list, 'briefing-fields'):
            _latex_fields(self, cast(nodes.field_list, child))
        elif _has_class(child, nodes.paragraph, 'briefing-footer'):
            footer = _latex_inline(self, cast(nodes.paragraph, child).children)
            self.body.append(rf'\sphinxbriefingfooter{{{footer}}}' + '\n')
        else:
            child.walkabout(self)
    self.no_latex_floats -= 1
    self.body.append(f'\\end{{sphinxbriefing{node.box_name}}}\n')
    raise nodes.SkipNode


def latex_depart_box(self: LaTeXTranslator, node: briefing_box) -> None:
    pass  # the visitor writes the whole box


def _latex_box_arguments(node: briefing_box) -> str:
    """The environment's arguments: a question's priority and whether it is a
    follow-up; a position's stance colour."""
    if isinstance(node, briefing_question):
        followup = isinstance(node.parent, briefing_question) or bool(node.get('follow_up_of'))
        priority = str(node.get('priority') or 'core')
        priority = priority if priority.isalpha() else 'core'
        return f'{{{priority}}}{{{1 if followup else 0}}}'
    if isinstance(node, briefing_position):
        stance = next(iter(node.findall(briefing_stance)), None)
        colour = stance.get('colour', '') if stance is not None else ''
        return '{' + _hex_colour(colour, '5F6368') + '}'
    return '{}'


def _has_class(node: nodes.Node, kind: type[nodes.Element], name: str) -> bool:
    return isinstance(node, kind) and name in node['classes']


def _split_header(header: nodes.paragraph) -> tuple[list[nodes.Node], list[nodes.Node]]:
    """(the leading strong, e.g. the number or the actor; everything after it without
    the separator that joined them)."""
    children = list(header.children)
    if not children or not isinstance(children[0], nodes.strong):
        return [], children
    rest = children[1:]
    while rest and isinstance(rest[0], nodes.Text) and not str(rest[0]).strip(' ·—–,'):
        rest.pop(0)
    if rest and isinstance(rest[0], nodes.Text):
        rest[0] = nodes.Text(str(rest[0]).lstrip(' ·—–,'))
    return list(children[0].children), rest


def _latex_inline(self: LaTeXTranslator, children: Sequence[nodes.Node]) -> str:
    """LaTeX of inline nodes, to be used as a macro argument."""
    self.pushbody([])
    for child in children:
        child.walkabout(self)
    return ''.join(self.popbody()).strip()


def _latex_fields(self: LaTeXTranslator, fields: nodes.field_list) -> None:
    r"""A field list as ``sphinxbriefingfields``: its labels first (the .sty measures the
    widest), then one ``\sphinxbriefingfield{name}{value}`` per field."""
    rows: list[tuple[str, str]] = []
    for field in fields.findall(nodes.field):
        name = next(iter(field.findall(nodes.field_name)), None)
        body = next(iter(field.findall(nodes.field_body)), None)
        if name is None or body is None:
            continue
        value = [
            grandchild
            for child in body.children
            for grandchild in (child.children if isinstance(child, nodes.paragraph) else [child])
        ]
        rows.append((_latex_inline(self, name.children), _latex_inline(self, value)))
    labels = ''.join(rf'\do{{{label}}}' for label, _text in rows)
    self.body.append(f'\\begin{{sphinxbriefingfields}}{{{labels}}}\n')
    for label, text in rows:
        self.body.append(rf'\sphinxbriefingfield{{{label}}}{{{text}}}' + '\n')
    self.body.append('\\end{sphinxbriefingfields}\n')


def html_visit_stance(self: HTML5Translator, node: briefing_stance) -> None:
    colour = node.get('colour', '')
    style = f'--briefing-stance-colour: {colour}' if is_colour(colour) else ''
    attributes: dict[str, Any] = {'CLASS': ' '.join(['briefing-stance', *node['classes']])}
    if style:
        attributes['style'] = style
    self.body.append(self.starttag(node, 'span', '', **attributes))
    if node.get('word'):
        # Only the symbol is shown: screen readers get the stance's word instead of it.
        self.body.append('<span aria-hidden="true">')


def html_depart_stance(self: HTML5Translator, node: briefing_stance) -> None:
    if node.get('word'):
        word = self.encode(node['word'])
        self.body.append(f'</span><span class="briefing-visually-hidden">{word}</span>')
    self.body.append('</span>')


def latex_visit_stance(self: LaTeXTranslator, node: briefing_stance) -> None:
    colour = _hex_colour(node.get('colour', ''))
    self.body.append(rf'\sphinxbriefingstance{{{colour}}}{{')


def latex_depart_stance(self: LaTeXTranslator, node: briefing_stance) -> None:
    self.body.append('}')


def _hex_colour(value: str, default: str = '000000') -> str:
    """'#1b7f3b' → '1B7F3B' for xcolor's HTML model ('#abc' → 'AABBCC')."""
    if not is_colour(value):
        return default
    digits = value[1:].upper()
    return ''.join(c * 2 for c in digits) if len(digits) == 3 else digits


def is_colour(value: str) -> bool:
    """Only '#rrggbb' (or '#rgb') ever reaches an HTML attribute or LaTeX: the value comes
    from configuration, but it is still written into markup."""
    return (
        isinstance(value, str)
        and len(value) in (4, 7)
        and value.startswith('#')
        and all(c in '0123456789abcdefABCDEF' for c in value[1:])
    )


# -- text ---------------------------------------------------------------------------------


def text_visit_box(self: TextTranslator, node: briefing_box) -> None:
    self.new_state(0)


def text_depart_box(self: TextTranslator, node: briefing_box) -> None:
    self.end_state()


def html_visit_banner(self: HTML5Translator, node: briefing_banner) -> None:
    self.body.append(self.starttag(node, 'div', CLASS='briefing-banner', role='note'))


def html_depart_banner(self: HTML5Translator, node: briefing_banner) -> None:
    self.body.append('</div>\n')


# -- builders whose boxes need no wrapper (man, texinfo, …) ------------------------------


def visit_passthrough(self: Any, node: nodes.Element) -> None:
    pass


def depart_passthrough(self: Any, node: nodes.Element) -> None:
    pass


def visit_skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def register(app: Sphinx) -> None:
    """Add every node with a visitor pair for each builder format Sphinx ships."""
    for box in BOXES:
        app.add_node(
            box,
            html=(html_visit_box, html_depart_box),
            latex=(latex_visit_box, latex_depart_box),
            text=(text_visit_box, text_depart_box),
            man=(visit_passthrough, depart_passthrough),
            texinfo=(visit_passthrough, depart_passthrough),
        )
    skip = (visit_skip, None)
    for invisible in (*PLACEHOLDERS, briefing_withheld, briefing_break):
        app.add_node(invisible, html=skip, latex=skip, text=skip, man=skip, texinfo=skip)
    passthrough = (visit_passthrough, depart_passthrough)
    # Replaced at write time; if a builder writes without resolving, its text shows.
    app.add_node(
        briefing_citation,
        html=passthrough,
        latex=passthrough,
        text=passthrough,
        man=passthrough,
        texinfo=passthrough,
    )
    # Only HTML builders get one.
    app.add_node(
        briefing_banner,
        html=(html_visit_banner, html_depart_banner),
        latex=skip,
        text=skip,
        man=skip,
        texinfo=skip,
    )
    app.add_node(
        briefing_stance,
        html=(html_visit_stance, html_depart_stance),
        latex=(latex_visit_stance, latex_depart_stance),
        text=passthrough,
        man=passthrough,
        texinfo=passthrough,
    )
