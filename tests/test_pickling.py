"""Records kept in the pickled environment survive a round trip unchanged and stay frozen."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest
from docutils import nodes

from sphinx_briefing import nodes as bnodes
from sphinx_briefing.citations.bibtex import BibEntry
from sphinx_briefing.derive import QuestionInfo
from sphinx_briefing.model import CiteRef, Position, Question, Reference
from sphinx_briefing.render.copies import body_digest


def _body() -> str:
    box = bnodes.briefing_position()
    para = nodes.paragraph(
        '', '', nodes.Text('Tokyo '), nodes.emphasis('', 'will'), nodes.Text(' act.')
    )
    items = nodes.bullet_list('', nodes.list_item('', nodes.paragraph('', 'one')))
    box += [para, items]
    return body_digest(box)


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


def test_a_body_digest_changes_with_what_a_copy_shows_and_only_then() -> None:
    """Briefs copy bodies from the doctree; the record keeps a digest of what a copy
    shows, so a page showing a copy is rewritten when markup alone changes, and not when
    a nested question or position (shown apart) does."""

    def box(*children: nodes.Node) -> bnodes.briefing_position:
        result = bnodes.briefing_position()
        result += children
        return result

    plain = box(nodes.paragraph('', 'Tokyo will act.'))
    emphasised = box(
        nodes.paragraph(
            '', '', nodes.Text('Tokyo '), nodes.emphasis('', 'will'), nodes.Text(' act.')
        )
    )
    assert plain.astext() == emphasised.astext()
    assert body_digest(plain) != body_digest(emphasised)
    nested = box(
        nodes.paragraph('', 'Tokyo will act.'), bnodes.briefing_question('', nodes.Text('Q'))
    )
    assert body_digest(nested) == body_digest(plain)
    assert body_digest(box()) != body_digest(plain)
    assert isinstance(pickle.loads(pickle.dumps(_body())), str)
