"""Calendar files: an iCalendar (.ics) file per panel with a time zone, date and start
time, and one per participant holding the panels they sit on, written by every builder
into ``calendar/`` beside its output and linked from the HTML pages.

Files are made with the ``icalendar`` library, never written by hand. A panel's event has
the same UID in every build and in every file that holds it (derived from the project and
the panel id), so a calendar that imported the panel's file and a participant's file
shows one event, and an update replaces it. Its SEQUENCE is read back from the previous
file in the output folder and raised when the time, the date or the venue changed (what
RFC 5545 calls a significant revision); DTSTAMP, "last revised", is kept while nothing of
the event changes, and is otherwise the time the panel's document was last changed (or
``SOURCE_DATE_EPOCH``), never the build's, so that a clean build and a rebuild agree. A
file is written only when its bytes change.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import icalendar
from docutils import nodes
from sphinx.util.osutil import relative_uri

from sphinx_briefing._files import replacing
from sphinx_briefing.domain import briefing_domain
from sphinx_briefing.ids import file_stem
from sphinx_briefing.locale import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

    from sphinx_briefing.derive import Derived
    from sphinx_briefing.model import Panel

#: the folder of the output holding the calendar files
CALENDAR_DIR = 'calendar'
PRODID = '-//sphinx-briefing//Briefing book//EN'
#: any UUID of our own: UIDs are uuid5 names under it
_UID_NAMESPACE = uuid.UUID('4f6c0f1e-6a55-5b1e-9d1c-0b7a2f3c9e41')
#: properties whose change is a significant revision (RFC 5545, 3.8.7.4): SEQUENCE + 1
_SIGNIFICANT = ('DTSTART', 'DTEND', 'LOCATION')
#: properties that say when and which revision, not what the event is
_BOOKKEEPING = ('DTSTAMP', 'SEQUENCE')


def panel_file(pid: str) -> str:
    """The calendar file of a panel, relative to the output folder."""
    return f'{CALENDAR_DIR}/panel-{file_stem(pid)}.ics'


def participant_file(pid: str) -> str:
    """The calendar file of a participant's panels, relative to the output folder."""
    return f'{CALENDAR_DIR}/participant-{file_stem(pid)}.ics'


def event_times(
    derived: Derived, panel: Panel
) -> tuple[datetime.datetime, datetime.datetime | None] | None:
    """The panel's start and end in its time zone, or None when it has no calendar (no
    time zone, date or start). The end is the start plus ``:duration:``, else plus the
    minutes the run of show needs, else unknown."""
    if not (panel.timezone and panel.date and panel.start):
        return None
    try:
        zone = zoneinfo.ZoneInfo(panel.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None  # checked when read; a zone database that lost it since
    day = datetime.date.fromisoformat(panel.date)
    start = datetime.datetime.combine(day, datetime.time.fromisoformat(panel.start), zone)
    schedule = derived.schedules.get(panel.pid)
    minutes = panel.duration or (schedule.needed if schedule is not None else 0)
    end = start + datetime.timedelta(minutes=minutes) if minutes else None
    return start, end


def has_calendar(derived: Derived, pid: str) -> bool:
    """Whether the panel has a calendar file. Only the panel's own record is read (its
    end is not needed), so a page that links to the file is not written again when the
    run of show changes."""
    panel = derived.panels.get(pid)
    return panel is not None and bool(panel.timezone and panel.date and panel.start)


def calendar_panels(derived: Derived, participant: str) -> list[str]:
    """The panels with a calendar that *participant* sits on, in reading order."""
    return [
        pid
        for pid in derived.panels
        if participant in derived.roster(pid) and has_calendar(derived, pid)
    ]


def uid(project: str, pid: str) -> str:
    """The same for a panel in every build and every file: from the project and panel."""
    name = uuid.uuid5(_UID_NAMESPACE, '\0'.join((project, pid)))
    return f'{name}@sphinx-briefing'


def notice(derived: Derived, panel: Panel) -> str:
    """The handling notice and status, as the panel's pages show them in their banner."""
    parts = [panel.handling] if panel.handling else []
    status = panel.status or derived.project_status
    if status:
        parts.append(str(_('DRAFT') if status == 'draft' else _('FINAL')))
    return ' · '.join(parts)


# -- Links on pages -----------------------------------------------------------------------


def links_to_files(builder: Builder) -> bool:
    """Whether pages of *builder* link to the calendar files: HTML sites only. A PDF, an
    e-book or a Word file travels alone, without the output folder, so a link to a file
    beside it would be broken wherever it is read."""
    from sphinx.builders.html import StandaloneHTMLBuilder

    if not isinstance(builder, StandaloneHTMLBuilder):
        return False
    return builder.name in ('html', 'dirhtml', 'singlehtml') or (
        builder.format == 'html' and not builder.name.startswith(('epub', 'briefing'))
    )


def file_link(builder: Builder, fromdocname: str, target: str, label: str) -> nodes.Node:
    """A link from the page of *fromdocname* to a file of the output folder."""
    from sphinx.builders.singlehtml import SingleFileHTMLBuilder

    # singlehtml's target URIs are fragments of its one page, at the output's root.
    page = '' if isinstance(builder, SingleFileHTMLBuilder) else builder.get_target_uri(fromdocname)
    uri = relative_uri(page, target) if page else target
    return nodes.reference(label, label, refuri=uri, classes=['briefing-calendar'])


def panel_link(builder: Builder, fromdocname: str, derived: Derived, pid: str) -> nodes.Node | None:
    """The link to a panel's calendar file, for its box; None where there is none."""
    if not links_to_files(builder) or not has_calendar(derived, pid):
        return None
    return file_link(builder, fromdocname, panel_file(pid), str(_('Add to calendar (.ics)')))


def participant_link(
    builder: Builder, fromdocname: str, derived: Derived, participant: str
) -> nodes.Node | None:
    """The link to a participant's calendar file (every panel they sit on), for a brief."""
    if not links_to_files(builder) or not calendar_panels(derived, participant):
        return None
    label = str(_('Your panels in a calendar (.ics)'))
    return file_link(builder, fromdocname, participant_file(participant), label)


# -- The files ----------------------------------------------------------------------------


@dataclass
class _Previous:
    """What the last build wrote for one event: its revision and its content."""

    sequence: int
    stamp: datetime.datetime
    content: dict[str, str]


def _content(event: icalendar.Component) -> dict[str, str]:
    """An event's properties with their parameters (TZID), as they are written."""
    result = {}
    for line in event.content_lines():
        name = re.split('[;:]', str(line), maxsplit=1)[0].upper()
        if line and name not in ('BEGIN', 'END', *_BOOKKEEPING):
            result[name] = str(line)
    return result


def _previous(path: Path) -> dict[str, _Previous]:
    """UID → what the file at *path* said of it (nothing when it is missing or unreadable)."""
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except (OSError, ValueError):
        return {}
    found = {}
    for event in calendar.walk('VEVENT'):
        try:
            stamp = event.decoded('DTSTAMP')
            sequence = int(event.get('SEQUENCE', 0))
        except (KeyError, ValueError, TypeError):
            continue
        if isinstance(stamp, datetime.datetime):
            found[str(event.get('UID'))] = _Previous(sequence, stamp, _content(event))
    return found


def _event(
    app: Sphinx, derived: Derived, panel: Panel, now: datetime.datetime
) -> icalendar.Event | None:
    times = event_times(derived, panel)
    if times is None:
        return None
    start, end = times
    event = icalendar.Event()
    event.add('UID', uid(str(app.config.project), panel.pid))
    event.add('SUMMARY', panel.title)
    event.add('DTSTART', start)
    if end is not None:
        event.add('DTEND', end)
    if panel.venue:
        event.add('LOCATION', panel.venue)
    description = [line for line in (panel.event, notice(derived, panel)) if line]
    if description:
        event.add('DESCRIPTION', '\n'.join(description))
    event.add('DTSTAMP', now)
    event.add('SEQUENCE', 0)
    return event


def _revise(event: icalendar.Event, previous: _Previous | None) -> None:
    """Carry over the previous revision: the same event keeps its DTSTAMP and SEQUENCE; a
    changed one is stamped now, and a significant change raises SEQUENCE."""
    if previous is None:
        return
    content = _content(event)
    if content == previous.content:
        event['DTSTAMP'] = icalendar.vDDDTypes(previous.stamp)
        event['SEQUENCE'] = previous.sequence
        return
    significant = any(content.get(name) != previous.content.get(name) for name in _SIGNIFICANT)
    event['SEQUENCE'] = previous.sequence + 1 if significant else previous.sequence


def _calendar(events: list[icalendar.Event], title: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add('PRODID', PRODID)
    calendar.add('VERSION', '2.0')
    calendar.add('CALSCALE', 'GREGORIAN')
    calendar.add('X-WR-CALNAME', title)
    days = []
    for event in events:
        calendar.add_component(event)
        days.append(event.decoded('DTSTART').date())
    # The zone's rules around the events only: from 1970 to 2038 they fill pages.
    calendar.add_missing_timezones(
        first_date=min(days) - datetime.timedelta(days=366),
        last_date=max(days) + datetime.timedelta(days=366),
    )
    data: bytes = calendar.to_ical()
    return data


def _stamp(app: Sphinx, panel: Panel) -> datetime.datetime:
    """When a new or changed event is stamped: ``SOURCE_DATE_EPOCH`` where it is set (a
    reproducible build), else when the document declaring the panel was last changed, so
    that a clean build and a rebuild of the same sources write the same bytes."""
    epoch = os.environ.get('SOURCE_DATE_EPOCH', '').strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    try:
        changed = Path(app.env.doc2path(panel.docname)).stat().st_mtime
    except (OSError, KeyError):  # the document went away: the build's own time
        return datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return datetime.datetime.fromtimestamp(int(changed), datetime.UTC)


def write_calendars(app: Sphinx, exc: BaseException | None) -> None:
    """``build-finished``: the calendar files, each written only when its bytes change;
    files of panels and participants that no longer have one are removed."""
    if exc is not None:
        return
    derived = briefing_domain(app.env).derived
    folder = Path(app.builder.outdir) / CALENDAR_DIR
    events: dict[str, icalendar.Event] = {}
    wanted: dict[str, bytes] = {}
    for pid, panel in derived.panels.items():
        event = _event(app, derived, panel, _stamp(app, panel))
        if event is None:
            continue
        name = panel_file(pid)
        _revise(event, _previous(Path(app.builder.outdir) / name).get(str(event['UID'])))
        events[pid] = event
        wanted[name] = _calendar([event], panel.title)
    for participant, person in derived.participants.items():
        panels = calendar_panels(derived, participant)
        if panels:
            title = _('%s: panels') % person.name
            wanted[participant_file(participant)] = _calendar([events[p] for p in panels], title)
    if wanted:
        folder.mkdir(parents=True, exist_ok=True)
    for name, data in wanted.items():
        with replacing(Path(app.builder.outdir) / name, keep_if_same=True) as stream:
            stream.write(data)
    if folder.is_dir():
        for old in folder.glob('*.ics'):
            if f'{CALENDAR_DIR}/{old.name}' not in wanted:
                old.unlink(missing_ok=True)
