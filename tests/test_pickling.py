"""Records kept in the pickled environment survive a round trip unchanged and stay frozen."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest
from docutils import nodes

from sphinx_briefing import bodies
from sphinx_briefing import nodes as bnodes
from sphinx_briefing.citations.bibtex import BibEntry
from sphinx_briefing.derive import QuestionInfo
from sphinx_briefing.model import CiteRef, Position, Question, Reference


def _body() -> str:
    box = bnodes.briefing_position()
    para = nodes.paragraph(
        '', '', nodes.Text('Tokyo '), nodes.emphasis('', 'will'), nodes.Text(' act.')
    )
    items = nodes.bullet_list('', nodes.list_item('', nodes.paragraph('', 'one')))
    box += [para, items]
    return bodies.compact(box)


def test_records_round_trip_through_pickle() -> None:
    question = Question(
        qid='q1',
        topic='Export controls',
        docname='doc',
        anchor='question-q1',
        line=3,
        text='Why?',
        body=_body(),
        tags=('a',),
    )
    records: list[Any] = [
        question,
        Position(pid='p1', docname='doc', anchor='a', line=None, actor='Japan', stance='supports'),
        CiteRef(
            docname='doc',
            anchor='c',
            line=4,
            keys=('k',),
            prefixes=('',),
            suffixes=('p. 2',),
            form='p',
        ),
        Reference(kind='question', target='q1', line=9),
        BibEntry(key='k', entry_type='misc', fields=(('title', 'T'),), path='refs.bib', line=1),
        QuestionInfo(record=question, panel='panel-1', number='Q1', to=('ito',)),
    ]
    for record in records:
        copy = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == record
        assert type(copy) is type(record)
        field = dataclasses.fields(copy)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(copy, field, 'changed')


def test_a_compact_body_is_one_string_that_expands_to_the_same_markup() -> None:
    body = _body()
    assert isinstance(body, str)
    expanded = bodies.expand(pickle.loads(pickle.dumps(body)), 'page')
    assert [n.astext() for n in expanded] == ['Tokyo will act.', 'one']
    assert isinstance(expanded[0], nodes.paragraph)
    assert isinstance(expanded[0][1], nodes.emphasis)
    assert isinstance(expanded[1], nodes.bullet_list)
    assert bodies.expand(bodies.compact(bnodes.briefing_position()), 'page') == []
