"""Every bad input gets a typed warning with file and line, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import MYST_CONF, RST_CONF, SeenWarning

GOOD_PANEL = """\
:::{panel} p1
:title: Panel one
:moderator: chair
:panellists: ana
:::

:::{participant} chair
:name: Chair
:::

:::{participant} ana
:name: Ana
:::

:::{participant} outsider
:name: Outsider
:::
"""


def build_md(
    project: Any, body: str, *, extra_docs: dict[str, str] | None = None, **conf: Any
) -> list[SeenWarning]:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    docs = dict(extra_docs or {})
    toctree = '\n'.join(['```{toctree}', *docs, '```'])
    proj.write('index.md', '# Index\n\n' + GOOD_PANEL + '\n' + body + '\n\n' + toctree + '\n')
    for name, content in docs.items():
        proj.write(f'{name}.md', content)
    build = proj.build(**conf)
    return build.warnings()


def only(warnings: list[SeenWarning]) -> SeenWarning:
    assert len(warnings) == 1, warnings
    return warnings[0]


@pytest.mark.parametrize(
    ('body', 'subtype', 'line', 'words'),
    [
        (':::{panel} p2\n:date: 2019-13-45\n:::', 'bad_date', 21, '2019-13-45'),
        (':::{panel} p2\n:date: 20 Nov 2019\n:::', 'bad_date', 21, 'YYYY-MM-DD'),
        (':::{panel} p2\n:start: 25:00\n:::', 'bad_time', 21, '25:00'),
        (':::{panel} p2\n:start: 2pm\n:::', 'bad_time', 21, 'HH:MM'),
        (':::{panel} p2\n:duration: sixty\n:::', 'bad_duration', 21, 'sixty'),
        (':::{panel} p2\n:duration: 0\n:::', 'bad_duration', 21, 'positive'),
        (':::{panel} p2\n:status: maybe\n:::', 'bad_option', 21, 'maybe'),
        (':::{question} q\n:minutes: 7.5\n\nText?\n:::', 'bad_minutes', 21, '7.5'),
        (':::{question} q\n:minutes: -3\n\nText?\n:::', 'bad_minutes', 21, '-3'),
        (':::{question} q\n:priority: urgent\n\nText?\n:::', 'bad_option', 21, 'urgent'),
        (':::{question} q\n:to: nobody\n\nText?\n:::', 'unknown_participant', 21, 'nobody'),
        (':::{question} q\n:to: outsider\n\nText?\n:::', 'not_on_panel', 21, 'outsider'),
        (':::{question} q\n:panel: p9\n\nText?\n:::', 'unknown_panel', 21, 'p9'),
        (':::{question} q\n:follow-up-of: zz\n\nText?\n:::', 'unknown_question', 21, 'zz'),
        (':::{question} bad id\n\nText?\n:::', 'bad_option', 21, 'bad id'),
        (':::{question} What is it?\n:::', 'bad_option', 21, 'What is it?'),
        ('```{question} Is `x` good?\nText\n```', 'broken_fence', 21, ':::{question}'),
        ('````{position} Is `x` good?\nText\n````', 'broken_fence', 21, 'position'),
        (
            ':::{position}\n:question: zz\n:actor: US\n:stance: supports\n:::',
            'unknown_question',
            21,
            'zz',
        ),
        (
            ':::{position}\n:question: q\n:actor: US\n:stance: adores\n:::\n\n:::{question} q\n\nQ?\n:::',
            'unknown_stance',
            21,
            'adores',
        ),
        (':::{position}\n:actor: US\n:::', 'unknown_stance', 21, 'stance'),
        (':::{position}\n:stance: supports\n:::', 'bad_option', 21, 'actor'),
        ('See {question}`nope`.', 'unknown_question', 21, 'nope'),
        ('See {participant}`nope`.', 'unknown_participant', 21, 'nope'),
        ('See {panel}`nope`.', 'unknown_panel', 21, 'nope'),
        ('See {position}`nope`.', 'unknown_position', 21, 'nope'),
        ('See {briefing:question}`nope`.', 'unknown_question', 21, 'nope'),
        ('```{question-index}\n:panel: nope\n```', 'unknown_panel', 21, 'nope'),
        ('```{question-index}\n:group-by: colour\n```', 'bad_option', 21, 'colour'),
        ('```{position-matrix}\n:panel: nope\n```', 'unknown_panel', 21, 'nope'),
        ('```{run-of-show}\n:panel: nope\n```', 'unknown_panel', 21, 'nope'),
        ('```{panellist-brief} nobody\n```', 'unknown_participant', 21, 'nobody'),
        ('```{position-matrix}\n:questions: zz\n```', 'unknown_question', 21, 'zz'),
        ('```{position-matrix}\n:actors: Atlantis\n```', 'bad_option', 21, 'Atlantis'),
        ('```{bibliography}\n:filter: year > 2000\n```', 'bad_option', 21, 'year > 2000'),
        (':::{question} q\n:audience: friends\n\nQ?\n:::', 'unknown_edition', 21, 'friends'),
        (':::{panel} p2\n:opening: soon\n:::', 'bad_minutes', 21, 'soon'),
        (':::{panel} p2\n:moderator: ghost\n:::', 'unknown_participant', 21, 'ghost'),
        (':::{panel} p2\n:panellists: ana, ghost\n:::', 'unknown_participant', 21, 'ghost'),
    ],
)
def test_bad_input_warns_with_type_file_and_line(
    project: Any, body: str, subtype: str, line: int, words: str
) -> None:
    warning = only(build_md(project, body))
    assert warning.type == f'briefing.{subtype}'
    assert warning.file == 'index.md'
    assert warning.line == line
    assert words in warning.text


def test_position_without_question_topic_or_section(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', ':::{position}\n:actor: US\n:stance: supports\n:::\n\n# Title\n')
    warning = only(proj.build().warnings())
    assert (warning.type, warning.file, warning.line) == ('briefing.no_target', 'index.md', 1)


def test_duplicate_ids_across_documents_name_both_places(project: Any) -> None:
    other = (
        '# Other\n\n:::{question} q1\n\nAgain?\n:::\n\n:::{participant} ana\n:name: Ana 2\n:::\n'
    )
    warnings = build_md(project, ':::{question} q1\n\nFirst?\n:::', extra_docs={'other': other})
    assert sorted((w.type, w.file, w.line) for w in warnings) == [
        ('briefing.duplicate_id', 'other.md', 3),
        ('briefing.duplicate_id', 'other.md', 8),
    ]
    question = next(w for w in warnings if "'q1'" in w.text)
    assert 'first declared in index, line 21' in question.text


def test_follow_up_problems(project: Any) -> None:
    body = (
        '::::{question} a\n\nA?\n\n:::{question} b\n\nB?\n:::\n::::\n\n'
        ':::{question} c\n:follow-up-of: b\n\nC?\n:::\n\n'
        ':::{question} d\n:follow-up-of: e\n\nD?\n:::\n\n'
        ':::{question} e\n:follow-up-of: d\n\nE?\n:::\n'
    )
    warnings = build_md(project, body)
    # c hangs on a follow-up (numbered under a); the d ↔ e cycle is reported once and
    # broken at d, which becomes a top-level question.
    assert sorted((w.type, w.line) for w in warnings) == [
        ('briefing.bad_follow_up', 31),
        ('briefing.bad_follow_up', 37),
    ]
    assert 'numbered under' in warnings[0].text or 'numbered under' in warnings[1].text


def test_question_without_panel_when_there_are_several(project: Any) -> None:
    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', '# Index\n\n:::{panel} p1\n:::\n\n:::{panel} p2\n:::\n')
    # An orphan page: no panel of its own and no toctree parent to inherit one from.
    proj.write('other.md', '---\norphan: true\n---\n# Other\n\n:::{question} lost\n\nWhich?\n:::\n')
    warning = only(proj.build().warnings())
    assert (warning.type, warning.file, warning.line) == ('briefing.no_panel', 'other.md', 6)


def test_config_problems_are_typed(project: Any) -> None:
    proj = project()
    proj.write(
        'conf.py', MYST_CONF + "briefing_question_format = 'Q{nmber}'\nbriefing_stances = 7\n"
    )
    proj.write('index.md', '# Index\n')
    warnings = [w for w in proj.build().warnings() if w.type.startswith('briefing')]
    assert [w.type for w in warnings] == ['briefing.config', 'briefing.config']
    assert "'Q{nmber}'" in warnings[0].text


def test_rst_warnings_have_file_and_line(project: Any) -> None:
    proj = project()
    proj.write('conf.py', RST_CONF)
    proj.write(
        'index.rst',
        'Index\n=====\n\n.. panel:: p\n   :date: yesterday\n\n.. question:: q\n   :to: ghost\n\n   Why?\n\nSee :question:`nope`.\n',
    )
    warnings = proj.build().warnings()
    assert sorted((w.type, w.file, w.line) for w in warnings) == [
        ('briefing.bad_date', 'index.rst', 4),
        ('briefing.unknown_participant', 'index.rst', 7),
        ('briefing.unknown_question', 'index.rst', 12),
    ]


def test_nitpicky_does_not_add_untyped_warnings(project: Any) -> None:
    warning = only(build_md(project, 'See {question}`nope`.', nitpicky=True))
    assert warning.type == 'briefing.unknown_question'


def test_suppress_warnings_understands_the_types(project: Any) -> None:
    warnings = build_md(
        project, 'See {question}`nope`.', suppress_warnings=['briefing.unknown_question']
    )
    assert warnings == []
