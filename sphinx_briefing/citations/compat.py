"""What sphinxcontrib-bibtex's configuration and options mean here: its pybtex style names
as CSL styles, its ``:filter:`` expressions, its id templates and headers.

A project written for sphinxcontrib-bibtex switches by changing one line of conf.py (the
extension's name); nothing here warns about a value that project would have used.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.config import Config

#: our own default, used when neither briefing_citation_style nor any of
#: sphinxcontrib-bibtex's style settings is given
DEFAULT_STYLE: Final = 'chicago-author-date'

#: (pybtex style, sphinxcontrib-bibtex reference style) → the nearest CSL style. pybtex's
#: styles decide how entries look and how they are labelled; the reference style how
#: citations look. CSL has one style for both.
#:
#: - label: alpha and unsrtalpha label entries by author and year ([Nel87]): AMS label;
#:   plain numbers them sorted by author: ACM; unsrt numbers them in citing
#:   order: IEEE.
#: - author_year: Chicago author-date.
#: - super: superscript numbers, sorted by author (AMA alphabetical) or in citing order
#:   (AMA).
#: - foot: citations as footnotes: Chicago notes and bibliography.
_PYBTEX_STYLES: Final[dict[tuple[str, str], str]] = {
    ('alpha', 'label'): 'american-mathematical-society-label',
    ('unsrtalpha', 'label'): 'american-mathematical-society-label',
    ('plain', 'label'): 'association-for-computing-machinery',
    ('unsrt', 'label'): 'ieee',
    ('alpha', 'super'): 'american-medical-association-alphabetical',
    ('plain', 'super'): 'american-medical-association-alphabetical',
    ('unsrtalpha', 'super'): 'american-medical-association',
    ('unsrt', 'super'): 'american-medical-association',
}
PYBTEX_NAMES: Final = frozenset({'alpha', 'unsrtalpha', 'plain', 'unsrt'})
#: sphinxcontrib-bibtex's reference styles, without their bracket suffixes (_round …)
_REFERENCE_STYLES: Final = ('author_year', 'label', 'super', 'foot')


def csl_for(pybtex_style: str, reference_style: str = '') -> str:
    """The CSL style nearest to a pybtex style and a sphinxcontrib-bibtex reference style
    (either may be empty: pybtex's ``alpha`` and ``label`` are sphinxcontrib-bibtex's
    defaults). A name that is neither is taken as a CSL style name or .csl path."""
    name = pybtex_style.strip()
    reference = reference_style.strip().lower()
    kind = next((k for k in _REFERENCE_STYLES if reference.startswith(k)), '')
    if name and name.lower() not in PYBTEX_NAMES:
        return name  # a CSL name or path
    if kind == 'author_year':
        return 'chicago-author-date'
    if kind == 'foot':
        return 'chicago-notes-bibliography'
    return _PYBTEX_STYLES[(name.lower() or 'alpha', kind or 'label')]


def citation_style(config: Config, directive_style: str = '') -> str:
    """The project's citation style: ``briefing_citation_style`` when set (to anything
    but its default); else what sphinxcontrib-bibtex's ``bibtex_default_style`` and
    ``bibtex_reference_style`` map to; else the first bibliography's ``:style:``; else
    Chicago author-date."""
    own = str(config.briefing_citation_style or '').strip()
    if own and own != DEFAULT_STYLE:
        return own
    default = str(getattr(config, 'bibtex_default_style', '') or '')
    reference = str(getattr(config, 'bibtex_reference_style', '') or '')
    if default or reference:
        return csl_for(default, reference)
    if directive_style:
        return csl_for(directive_style, reference)
    return DEFAULT_STYLE


def header(text: str) -> list[nodes.Node]:
    """``bibtex_bibliography_header`` / ``bibtex_footbibliography_header``: reStructuredText
    written above each (foot)bibliography. The form its documentation shows, ``.. rubric::
    Title``, becomes a rubric; any other text a paragraph."""
    text = text.strip()
    if not text:
        return []
    match = re.fullmatch(r'\.\.\s+rubric::\s*(.+)', text, re.S)
    if match:
        title = ' '.join(match[1].split())
        return [nodes.rubric(title, title)]
    return [nodes.paragraph(text, text)]


def formatted_id(template: str, fallback: str, **fields: object) -> str:
    """An id from one of sphinxcontrib-bibtex's templates (``bibtex_cite_id`` …), or
    *fallback* when the template is empty or names a field it does not have."""
    if not template:
        return fallback
    try:
        value = template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return fallback
    return nodes.make_id(value) or fallback


# --------------------------------------------------------------------------- :filter:


class FilterError(ValueError):
    """A :filter: expression that is not one sphinxcontrib-bibtex documents."""


_COMPARE: Final[dict[type[ast.cmpop], Callable[[Any, Any], bool]]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def parse_filter(expression: str) -> ast.expr:
    """Parse a :filter: expression, allowing only what sphinxcontrib-bibtex documents:
    ``and``, ``or``, ``not``, comparisons, ``%`` (a case-insensitive regular expression
    search), strings, ``True``/``False``, sets with ``&``, ``|``, ``in``, ``not in``, and
    names (``type``, ``key``, ``cited``, ``docname``, ``docnames``, ``author``, any field).

    :raises FilterError: anything else, or a syntax error.
    """
    try:
        tree = ast.parse(expression.strip(), mode='eval')
    except SyntaxError as exc:
        raise FilterError(f'not an expression: {exc.msg}') from None
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.Compare,
        ast.BinOp,
        ast.Mod,
        ast.BitAnd,
        ast.BitOr,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.Set,
        *_COMPARE,
    )
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise FilterError(f'{type(node).__name__} is not allowed')
        if isinstance(node, ast.Constant) and not isinstance(node.value, str | bool):
            raise FilterError(f'{node.value!r}: only strings, True and False')
    return tree.body


@dataclass(frozen=True)
class EntryFacts:
    """What a :filter: expression can ask about one entry."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    cited: bool
    docnames: frozenset[str]


def matches(expression: ast.expr, facts: EntryFacts, docname: str) -> bool:
    """Whether an entry passes a parsed :filter: expression; a comparison that cannot be
    made (a set with a string) is false."""
    try:
        return bool(_evaluate(expression, facts, docname))
    except (TypeError, re.error):
        return False


def _evaluate(node: ast.expr, facts: EntryFacts, docname: str) -> Any:
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(value, facts, docname) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        return not _evaluate(node.operand, facts, docname)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, facts, docname)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, facts, docname)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, facts, docname), _evaluate(node.right, facts, docname)
        if isinstance(node.op, ast.Mod):
            return re.search(str(right), str(left), re.IGNORECASE) is not None
        if isinstance(node.op, ast.BitAnd):
            return set(left) & set(right)
        return set(left) | set(right)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Set):
        return {_evaluate(element, facts, docname) for element in node.elts}
    assert isinstance(node, ast.Name)
    return _name(node.id, facts, docname)


def _name(name: str, facts: EntryFacts, docname: str) -> Any:
    if name in ('True', 'False'):
        return name == 'True'
    if name == 'type':
        return facts.entry_type
    if name == 'key':
        return facts.key.lower()
    if name == 'cited':
        return facts.cited
    if name == 'docname':
        return docname
    if name == 'docnames':
        return facts.docnames
    return facts.fields.get(name.lower(), '')


def plain_field(value: str) -> str:
    """A raw .bib value as a filter compares it: without braces, spaces folded."""
    return ' '.join(value.replace('{', '').replace('}', '').split())


def select(
    expression: str,
    entries: Collection[EntryFacts],
    docname: str,
) -> frozenset[str]:
    """The keys of *entries* that pass *expression* (none when it cannot be parsed: the
    directive warned already)."""
    try:
        parsed = parse_filter(expression)
    except FilterError:
        return frozenset()
    return frozenset(facts.key for facts in entries if matches(parsed, facts, docname))


def docnames_citing(cites: Sequence[Any]) -> dict[str, set[str]]:
    """key → the documents that cite it."""
    found: dict[str, set[str]] = {}
    for cite in cites:
        for key in cite.keys:
            found.setdefault(key, set()).add(cite.docname)
    return found


def as_list(
    entries: Sequence[nodes.Node], list_type: str, enumtype: str, start: int
) -> nodes.Element:
    """A bibliography's entries as its :list: option asks (sphinxcontrib-bibtex):
    ``bullet`` or ``enumerated`` (numbered as :enumtype: says, from *start*), else the
    paragraphs as they are, in a container."""
    if list_type not in ('bullet', 'enumerated'):
        return nodes.container('', *entries, classes=['briefing-bib-entries'])
    if list_type == 'bullet':
        made: nodes.Element = nodes.bullet_list(bullet='*', classes=['briefing-bib-entries'])
    else:
        made = nodes.enumerated_list(
            enumtype=enumtype or 'arabic', prefix='', suffix='.', classes=['briefing-bib-entries']
        )
        if start != 1:
            made['start'] = start
    for entry in entries:
        _drop_label(entry)
        made += nodes.list_item('', entry)
    return made


_LABEL: Final = re.compile(r'^\s*(\[[^\]]*\]|\d+\.)\s+')


def _drop_label(entry: nodes.Node) -> None:
    """Without a numeric or label style's "[1] ": the list shows its own."""
    first = next(iter(entry.findall(nodes.Text)), None)
    if first is None:
        return
    match = _LABEL.match(str(first))
    if match:
        first.parent.replace(first, nodes.Text(str(first)[match.end() :]))


def enumeration_start(
    where: tuple[str, str],
    placeholders: Sequence[Any],
    bibliographies: Mapping[tuple[str, str], Sequence[str]],
) -> int:
    """Where an enumerated bibliography starts: its :start:, or for ``continue`` one
    after the entries of the enumerated bibliographies before it (reading order)."""
    count = 0
    for ph in placeholders:
        if ph.kind != 'bibliography' or ph.list_type != 'enumerated':
            continue
        here = (ph.docname, ph.anchor)
        start = ph.start or count + 1
        if here == where:
            return start
        count = start + len(bibliographies.get(here, ())) - 1
    return 1
