"""``briefing.json``: the machine-readable export written beside every build's output.

It is made from derived data only, so it holds exactly what the edition holds; it is
described by ``schema/briefing.schema.json``, whose version it carries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.errors import NoUri

from sphinx_briefing import __version__
from sphinx_briefing import config as briefing_config
from sphinx_briefing._files import replacing
from sphinx_briefing.citations.citeproc import rich_to_text
from sphinx_briefing.domain import briefing_domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

    from sphinx_briefing.derive import Derived
    from sphinx_briefing.derive.pack import PackInfo

SCHEMA_VERSION = '1.1'
SCHEMA_PATH = Path(__file__).parent / 'schema' / 'briefing.schema.json'
EXPORT_NAME = 'briefing.json'


class Locator:
    """Where objects are: their document, anchor and line and, for HTML builds, the URI
    relative to the output folder (worked out once per document)."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.uris: dict[str, str | None] = {}

    def __call__(self, docname: str, anchor: str, line: int | None) -> dict[str, Any]:
        result: dict[str, Any] = {'document': docname, 'anchor': anchor, 'line': line}
        if self.builder.format != 'html':
            return result
        if docname not in self.uris:
            try:
                self.uris[docname] = self.builder.get_target_uri(docname)
            except NoUri:
                self.uris[docname] = None
        uri = self.uris[docname]
        if uri is None:
            return result
        if uri.startswith('#'):
            # singlehtml: every document is a part ('#document-…') of the root's page
            page = self.builder.config.root_doc + getattr(self.builder, 'out_suffix', '.html')
            result['uri'] = f'{page}#{anchor}' if anchor else page + uri
        else:
            result['uri'] = f'{uri}#{anchor}' if anchor else uri
        return result


def export(
    derived: Derived, builder: Builder, citations: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """The export as plain data (see the schema for every field); its lists of records are
    iterators, made one record at a time while :func:`json_text` writes them."""

    where = Locator(builder)

    starts = {
        slot.qid: slot.start
        for schedule in derived.schedules.values()
        for slot in schedule.slots
        if slot.qid
    }
    questions = [info for panel in derived.panel_ids() for info in derived.questions_of(panel)]
    return {
        'schema_version': SCHEMA_VERSION,
        'generator': {'name': 'sphinx-briefing', 'version': __version__},
        'edition': derived.edition,
        'status': derived.project_status,
        'panels': (
            {
                'id': p.pid,
                'title': p.title,
                'event': p.event,
                'date': p.date,
                'start': p.start,
                'timezone': p.timezone,
                'venue': p.venue,
                'duration': p.duration,
                'opening': p.opening,
                'closing': p.closing,
                'moderator': p.moderator,
                'panellists': list(p.panellists),
                'handling': p.handling,
                'status': p.status,
                'prefix': p.prefix,
                'run_of_show': run_of_show(derived, p.pid),
                'location': where(p.docname, p.anchor, p.line),
            }
            for p in derived.panels.values()
        ),
        'participants': (
            {
                'id': p.pid,
                'name': p.name,
                'affiliation': p.affiliation,
                'role': p.role,
                'reading': p.reading,
                'location': where(p.docname, p.anchor, p.line),
            }
            for p in derived.participants.values()
        ),
        'questions': (
            {
                'id': info.record.qid,
                'named': info.record.explicit_id,
                'number': info.number,
                'text': info.text,
                'short': info.short,
                'topic': info.record.topic,
                'panel': info.panel,
                'to': list(info.to),
                'minutes': info.record.minutes,
                'priority': info.record.priority,
                'tags': list(info.record.tags),
                'parent': info.parent or None,
                'follow_ups': [f for f in info.followups if derived.questions[f].shown],
                'positions': list(info.positions),
                'referred_to_in': list(info.referrers),
                'start': starts.get(info.record.qid),
                'location': where(info.record.docname, info.record.anchor, info.record.line),
            }
            for info in questions
        ),
        'positions': (
            {
                'id': pid,
                'named': info.record.explicit_id,
                'question': info.question or None,
                'topic': info.record.topic,
                'panel': info.panel,
                'actor': info.record.actor,
                'actor_participant': info.record.actor
                if info.record.actor in derived.participants
                else None,
                'stance': info.record.stance,
                'summary': info.summary,
                'sources': list(info.record.sources),
                'location': where(info.record.docname, info.record.anchor, info.record.line),
            }
            for pid, info in derived.positions.items()
        ),
        **pack_records(derived, where),
        'citations': iter(citations),
    }


def run_of_show(derived: Derived, panel: str) -> list[dict[str, Any]]:
    """A panel's timed items, as its run of show lists them (a question withheld by this
    edition keeps its slot, without its id)."""
    schedule = derived.schedules.get(panel)
    if schedule is None:
        return []
    items = []
    for slot in schedule.slots:
        shown = slot.qid and derived.questions[slot.qid].shown
        items.append(
            {
                'kind': slot.kind,
                'start': slot.start,
                'minutes': slot.minutes,
                'label': slot.label,
                'question': slot.qid if shown else None,
            }
        )
    return items


def pack_records(derived: Derived, where: Locator) -> dict[str, Iterator[dict[str, Any]]]:
    """The pack's items this edition holds (objectives, logistics, lines to take, scripts),
    each with its panel (null when it has none), in reading order."""

    def of(*kinds: str) -> Iterator[PackInfo]:
        return (info for info in derived.pack.values() if info.record.kind in kinds)

    def base(info: PackInfo) -> dict[str, Any]:
        return {'panel': info.panel or None, 'text': info.text}

    def located(info: PackInfo) -> dict[str, Any]:
        record = info.record
        return {'location': where(record.docname, record.anchor, record.line)}

    return {
        'objectives': ({**base(i), **located(i)} for i in of('objectives')),
        'logistics': ({**base(i), **located(i)} for i in of('logistics')),
        'lines_to_take': (
            {
                **base(i),
                'for': i.record.holder or None,
                'parts': [{'part': part, 'text': text} for part, text in i.parts],
                **located(i),
            }
            for i in of('lines-to-take')
        ),
        'scripts': (
            {
                **base(i),
                'kind': i.record.kind,
                'participant': i.record.holder or None,
                **located(i),
            }
            for i in of('introduction', 'opening', 'closing')
        ),
    }


def citation_records(derived: Derived, builder: Builder) -> Iterator[dict[str, Any]]:
    """Every citation of the project (``cite:*`` roles; positions' sources are in their
    positions), in reading order; made one at a time."""
    location = Locator(builder)
    for cite in derived.cites:
        if cite.form == 'sources':
            continue
        rich = derived.cite_texts.get((cite.docname, cite.anchor))
        entry: dict[str, Any] = {'keys': list(cite.keys), 'mode': cite.form}
        if any(cite.prefixes):
            entry['prefix'] = '; '.join(p for p in cite.prefixes if p)
        if any(cite.suffixes):
            entry['suffix'] = '; '.join(s for s in cite.suffixes if s)
        entry['text'] = rich_to_text(rich) if rich is not None else ''
        entry['location'] = location(cite.docname, cite.anchor, cite.line)
        yield entry


def write_export(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: write ``briefing.json`` into the output folder (only when its
    content changed, so a no-op build touches nothing)."""
    if exc is not None:
        return
    target = Path(app.builder.outdir) / EXPORT_NAME
    domain = briefing_domain(app.env)
    data = export(domain.derived, app.builder, citation_records(domain.derived, app.builder))
    data['edition'] = briefing_config.edition(app.config)
    # Written piece by piece, then compared with the old file chunk by chunk: the export
    # is never held whole in memory (12 MB at 500 documents).
    with replacing(target, text=True, keep_if_same=True) as stream:
        for piece in json_text(data):
            stream.write(piece)
        stream.write('\n')


def json_text(data: dict[str, Any]) -> Iterator[str]:
    """Compact JSON text of *data*, in pieces. A value that is an iterator is written as an
    array, one item at a time: at scale the export has tens of thousands of records, and
    made all at once they would keep the cyclic collector busy for nothing."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(',', ':')).encode
    yield '{'
    for n, (key, value) in enumerate(data.items()):
        yield f'{"," if n else ""}{encode(key)}:'
        if isinstance(value, Iterator):
            yield '['
            for i, item in enumerate(value):
                yield f'{"," if i else ""}{encode(item)}'
            yield ']'
        else:
            yield encode(value)
    yield '}'
