"""Node classes and their visitors for every builder.

Container nodes (panel, participant, question, position, counter-argument) keep the
author's body as children; the write phase inserts their header and footer as standard
nodes, so each builder only has to open and close a box. Collection placeholders are
replaced at write time and never reach a translator; their visitors skip them in case a
builder writes without resolving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


class briefing_bibliography(briefing_placeholder):
    pass


class briefing_citation(nodes.Inline, nodes.TextElement):
    """A ``cite:*`` role; its text is replaced by the formatted citation at write time
    (the raw role text stays as a fallback)."""


class briefing_withheld(nodes.Invisible, nodes.Element):
    """Marks an object this edition leaves out (removed at write time)."""


class briefing_stance(nodes.Inline, nodes.TextElement):
    """A stance: symbol and label as text, its colour for the builders that have colour.

    The colour comes from ``briefing_stances`` (a configuration value), so it is written
    by the visitors rather than by a static stylesheet.
    """


BOXES: tuple[type[briefing_box], ...] = (
    briefing_panel,
    briefing_participant,
    briefing_question,
    briefing_position,
    briefing_counter_argument,
    briefing_moderator_note,
)
PLACEHOLDERS: tuple[type[briefing_placeholder], ...] = (
    briefing_question_index,
    briefing_position_matrix,
    briefing_run_of_show,
    briefing_panellist_brief,
    briefing_bibliography,
)


# -- HTML ---------------------------------------------------------------------------------


def html_visit_box(self: HTML5Translator, node: briefing_box) -> None:
    classes = f'briefing briefing-{node.box_name}'
    self.body.append(self.starttag(node, 'div', CLASS=classes))


def html_depart_box(self: HTML5Translator, node: briefing_box) -> None:
    self.body.append('</div>\n')


# -- LaTeX --------------------------------------------------------------------------------


def latex_visit_box(self: LaTeXTranslator, node: briefing_box) -> None:
    # The environment is defined in sphinxbriefing.sty; the label makes \hyperref reach
    # the box, in Sphinx's own docname:id scheme.
    self.body.append(f'\n\\begin{{sphinxbriefing{node.box_name}}}')
    self.body.append(self.hypertarget_to(node, anchor=True) + '\n')
    # A framed box can't hold floats, and inside a table it needs a tabular that can
    # hold paragraphs.
    self.no_latex_floats += 1
    if self.table:
        self.table.has_problematic = True


def latex_depart_box(self: LaTeXTranslator, node: briefing_box) -> None:
    self.no_latex_floats -= 1
    self.body.append(f'\\end{{sphinxbriefing{node.box_name}}}\n')


def html_visit_stance(self: HTML5Translator, node: briefing_stance) -> None:
    colour = node.get('colour', '')
    style = f'--briefing-stance-colour: {colour}' if _is_colour(colour) else ''
    attributes: dict[str, Any] = {'CLASS': ' '.join(['briefing-stance', *node['classes']])}
    if style:
        attributes['style'] = style
    self.body.append(self.starttag(node, 'span', '', **attributes))


def html_depart_stance(self: HTML5Translator, node: briefing_stance) -> None:
    self.body.append('</span>')


def latex_visit_stance(self: LaTeXTranslator, node: briefing_stance) -> None:
    colour = node.get('colour', '')
    hex_colour = colour[1:].upper() if _is_colour(colour) and len(colour) == 7 else '000000'
    self.body.append(rf'\sphinxbriefingstance{{{hex_colour}}}{{')


def latex_depart_stance(self: LaTeXTranslator, node: briefing_stance) -> None:
    self.body.append('}')


def _is_colour(value: str) -> bool:
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
    for invisible in (*PLACEHOLDERS, briefing_withheld):
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
    app.add_node(
        briefing_stance,
        html=(html_visit_stance, html_depart_stance),
        latex=(latex_visit_stance, latex_depart_stance),
        text=passthrough,
        man=passthrough,
        texinfo=passthrough,
    )
