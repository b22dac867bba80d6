"""briefing.json: written beside every build's output, valid against the shipped schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from conftest import Build
from test_editions import build_edition

from sphinx_briefing.export import SCHEMA_PATH, SCHEMA_VERSION

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding='utf-8'))


def export_of(build: Build) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((build.outdir / 'briefing.json').read_text(encoding='utf-8'))
    return data


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA['properties']['schema_version']['const'] == SCHEMA_VERSION


@pytest.mark.parametrize('edition', ['moderator', 'panellist', 'public'])
def test_export_is_valid_in_every_edition(project: Any, edition: str) -> None:
    data = export_of(build_edition(project, edition))
    jsonschema.validate(data, SCHEMA)
    assert data['edition'] == edition
    assert data['schema_version'] == SCHEMA_VERSION
    numbers = [q['number'] for q in data['questions']]
    assert numbers == (['Q1', 'Q2', 'Q3'] if edition == 'moderator' else ['Q1', 'Q3'])
    assert len(data['positions']) == (0 if edition == 'public' else 1)


def test_export_content(project: Any) -> None:
    data = export_of(build_edition(project, 'moderator'))
    (panel,) = data['panels']
    assert panel['id'] == 'p1' and panel['moderator'] == 'chair' and panel['panellists'] == ['ana']
    q1 = data['questions'][0]
    assert q1 == {
        'id': 'q1',
        'named': True,
        'number': 'Q1',
        'text': 'Is screening enough?',
        'short': 'Is screening enough?',
        'topic': 'Theme',
        'panel': 'p1',
        'to': ['ana'],
        'minutes': 5,
        'priority': 'core',
        'tags': [],
        'parent': None,
        'follow_ups': [],
        'positions': ['us-q1'],
        'referred_to_in': [],
        'start': '+0:00',
        'location': {
            'document': 'index',
            'anchor': 'question-q1',
            'line': 17,
            'uri': 'index.html#question-q1',
        },
    }
    (position,) = data['positions']
    assert position['actor'] == 'United States' and position['stance'] == 'supports'
    assert position['question'] == 'q1'


def test_export_is_written_for_other_builders_and_not_rewritten_when_unchanged(
    project: Any,
) -> None:
    from conftest import MYST_CONF
    from test_editions import SOURCE

    proj = project()
    proj.write('conf.py', MYST_CONF)
    proj.write('index.md', SOURCE)
    build = proj.build('latex')
    target = build.outdir / 'briefing.json'
    data = json.loads(target.read_text(encoding='utf-8'))
    jsonschema.validate(data, SCHEMA)
    assert 'uri' not in data['questions'][0]['location']
    before = target.stat().st_mtime_ns
    proj.build('latex')
    assert target.stat().st_mtime_ns == before
    # Edited: the export is replaced, and what it was written to first is gone.
    proj.write('index.md', SOURCE.replace('Is screening enough?', 'Is screening ever enough?'))
    proj.build('latex')
    data = json.loads(target.read_text(encoding='utf-8'))
    assert data['questions'][0]['text'] == 'Is screening ever enough?'
    assert sorted(path.name for path in build.outdir.glob('briefing.json*')) == ['briefing.json']


def test_streamed_json_text_is_what_json_dumps_writes() -> None:
    from sphinx_briefing.export import json_text

    records = [{'id': 'q1', 'text': 'Ünïcode “quotes” \\ and \n', 'to': ['a', 'b']}, {'id': 'q2'}]
    data = {'schema_version': '1.0', 'generator': {'name': 'x'}, 'questions': records, 'none': []}
    expected = json.dumps(data, ensure_ascii=False, separators=(',', ':'))
    streamed = {**data, 'questions': iter(records), 'none': iter([])}
    assert ''.join(json_text(streamed)) == expected
    assert json.loads(expected) == data


def test_a_file_is_replaced_whole_or_not_at_all(tmp_path: Any) -> None:
    from sphinx_briefing._files import replacing

    target = tmp_path / 'briefing.json'
    target.write_text('old', encoding='utf-8')
    with pytest.raises(RuntimeError), replacing(target, text=True) as stream:
        stream.write('half of the new')
        raise RuntimeError
    assert target.read_text(encoding='utf-8') == 'old'
    assert [path.name for path in tmp_path.iterdir()] == ['briefing.json']
    before = target.stat().st_mtime_ns
    with replacing(target, text=True, keep_if_same=True) as stream:
        stream.write('old')
    assert target.stat().st_mtime_ns == before
    with replacing(target, text=True, keep_if_same=True) as stream:
        stream.write('new')
    assert target.read_text(encoding='utf-8') == 'new'
    assert [path.name for path in tmp_path.iterdir()] == ['briefing.json']
