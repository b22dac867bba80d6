"""The same briefing written in MyST and in reStructuredText gives the same result."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from conftest import box_xml, resolved


def records_without_lines(app: Any) -> dict[str, Any]:
    domain = app.env.get_domain('briefing')
    result: dict[str, Any] = {}
    for bucket in (
        'panels',
        'participants',
        'questions',
        'positions',
        'references',
        'placeholders',
    ):
        result[bucket] = {
            # Bodies are compared as the pages show them (test_twins_write_the_same_pages):
            # their digests are of the doctree, in which each parser leaves its own marks.
            doc: [_without_body(dataclasses.replace(r, line=None)) for r in records]
            for doc, records in domain.data[bucket].items()
        }
    return result


def _without_body(record: Any) -> Any:
    if hasattr(record, 'note'):
        record = dataclasses.replace(record, note='')
    if hasattr(record, 'body'):
        return dataclasses.replace(record, body='')
    return record


@pytest.fixture
def twins(project: Any) -> dict[str, Any]:
    builds = {}
    for flavour in ('md', 'rst'):
        build = project(f'test-twin-{flavour}', name=flavour).build()
        assert build.warnings() == []
        builds[flavour] = build
    return builds


def test_twins_record_the_same_facts(twins: dict[str, Any]) -> None:
    md, rst = (records_without_lines(twins[f].app) for f in ('md', 'rst'))
    assert md == rst
    questions = [q.qid for q in md['questions']['themes']]
    assert questions == ['fdi-screening', 'fdi-deal-shopping', 'espionage', 'espionage-costs']


@pytest.mark.parametrize('docname', ['index', 'themes', 'questions'])
def test_twins_give_the_same_resolved_doctree(twins: dict[str, Any], docname: str) -> None:
    trees = {flavour: resolved(twins[flavour].app, docname) for flavour in ('md', 'rst')}
    md, rst = (box_xml(trees[f]) for f in ('md', 'rst'))
    assert md, 'no briefing boxes found'
    assert md == rst


def test_twins_give_the_same_question_index(twins: dict[str, Any]) -> None:
    from bs4 import BeautifulSoup

    def index_text(flavour: str) -> list[str]:
        soup = BeautifulSoup(twins[flavour].html('questions'), 'html.parser')
        return [div.get_text(' ', strip=True) for div in soup.select('div.briefing-collection')]

    assert index_text('md') == index_text('rst')
    assert len(index_text('md')) == 2
