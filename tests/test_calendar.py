"""Calendar files: read back with the icalendar parser, across builds and edits."""

from __future__ import annotations

import datetime
import json
import zoneinfo
from pathlib import Path
from typing import Any

import icalendar
from bs4 import BeautifulSoup
from conftest import MYST_CONF, Build, Project

PANELS = """\
# Panels

:::{panel} trade
:title: Trade and security
:event: Summit 2024
:date: 2024-07-03
:start: 14:30
:timezone: Europe/London
:venue: Room 2, Guildhall
:duration: 75
:moderator: chair
:panellists: ana, ben
:handling: Chatham House Rule
:status: draft

What the panel is for.
:::

:::{panel} energy
:title: Energy
:date: 2024-07-04
:start: 09:00
:timezone: Asia/Tokyo
:opening: 5
:closing: 5
:moderator: chair
:panellists: ana

The second panel.
:::

:::{panel} notime
:title: No calendar
:date: 2024-07-05
:start: 10:00
:moderator: chair
:::

:::{participant} chair
:name: Chair Person
:::

:::{participant} ana
:name: Ana Analyst
:::

:::{participant} ben
:name: Ben Bureau
:::

:::{question} q-energy
:panel: energy
:to: ana
:minutes: 20

A question?
:::
"""

BRIEF = """\
# Brief for Ana

```{panellist-brief} ana
```
"""

INDEX = """\
# Book

```{toctree}
panels
brief-ana
```
"""


def make(project: Any) -> Project:
    proj: Project = project()
    proj.write('conf.py', MYST_CONF + "project = 'Calendar test'\n")
    proj.write('index.md', INDEX)
    proj.write('panels.md', PANELS)
    proj.write('brief-ana.md', BRIEF)
    return proj


def read(build: Build, name: str) -> icalendar.Calendar:
    data = (build.outdir / 'calendar' / name).read_bytes()
    return icalendar.Calendar.from_ical(data)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e['SUMMARY']): e for e in calendar.walk('VEVENT')}


def only_event(build: Build, name: str) -> icalendar.Event:
    found = list(read(build, name).walk('VEVENT'))
    assert len(found) == 1
    return found[0]


def test_a_panel_file_is_the_panel_in_its_time_zone(project: Any) -> None:
    build = make(project).build()
    assert not build.warnings()
    calendar = read(build, 'panel-trade.ics')
    assert str(calendar['VERSION']) == '2.0'
    assert calendar['PRODID']
    event = only_event(build, 'panel-trade.ics')
    london = zoneinfo.ZoneInfo('Europe/London')
    start = event.decoded('DTSTART')
    assert start == datetime.datetime(2024, 7, 3, 14, 30, tzinfo=london)
    assert event['DTSTART'].params['TZID'] == 'Europe/London'
    # 75 minutes, in British Summer Time: 13:30 UTC to 14:45 UTC
    assert event.decoded('DTEND') - start == datetime.timedelta(minutes=75)
    assert event['DTEND'].params['TZID'] == 'Europe/London'
    assert start.astimezone(datetime.UTC).hour == 13
    assert str(event['LOCATION']) == 'Room 2, Guildhall'
    assert str(event['SUMMARY']) == 'Trade and security'
    description = str(event['DESCRIPTION'])
    assert 'Chatham House Rule' in description and 'DRAFT' in description
    assert 'Summit 2024' in description
    zones = [str(z['TZID']) for z in calendar.walk('VTIMEZONE')]
    assert zones == ['Europe/London']
    assert int(event['SEQUENCE']) == 0
    assert isinstance(event.decoded('DTSTAMP'), datetime.datetime)


def test_files_follow_rfc_5545_lines(project: Any) -> None:
    build = make(project).build()
    for path in (build.outdir / 'calendar').glob('*.ics'):
        data = path.read_bytes()
        lines = data.split(b'\r\n')
        assert lines[0] == b'BEGIN:VCALENDAR' and lines[-2] == b'END:VCALENDAR', path
        assert lines[-1] == b'' and b'\n' not in data.replace(b'\r\n', b''), path
        assert all(len(line) <= 75 for line in lines), path
        for event in icalendar.Calendar.from_ical(data).walk('VEVENT'):
            assert {'UID', 'DTSTAMP', 'DTSTART'} <= set(event), path


def test_without_duration_the_end_is_the_run_of_show(project: Any) -> None:
    build = make(project).build()
    event = only_event(build, 'panel-energy.ics')
    start = event.decoded('DTSTART')
    assert start == datetime.datetime(2024, 7, 4, 9, 0, tzinfo=zoneinfo.ZoneInfo('Asia/Tokyo'))
    # opening 5 + question 20 + closing 5
    assert event.decoded('DTEND') - start == datetime.timedelta(minutes=30)
    assert 'LOCATION' not in event


def test_participants_get_their_panels_with_the_panels_uids(project: Any) -> None:
    build = make(project).build()
    trade = only_event(build, 'panel-trade.ics')
    energy = only_event(build, 'panel-energy.ics')
    ana = events(read(build, 'participant-ana.ics'))
    assert set(ana) == {'Trade and security', 'Energy'}
    assert ana['Trade and security']['UID'] == trade['UID']
    assert ana['Energy']['UID'] == energy['UID']
    assert trade['UID'] != energy['UID']
    zones = {str(z['TZID']) for z in read(build, 'participant-ana.ics').walk('VTIMEZONE')}
    assert zones == {'Europe/London', 'Asia/Tokyo'}
    assert set(events(read(build, 'participant-ben.ics'))) == {'Trade and security'}
    # a panel without a time zone has no file, and is in no participant's file
    names = sorted(p.name for p in (build.outdir / 'calendar').iterdir())
    assert names == [
        'panel-energy.ics',
        'panel-trade.ics',
        'participant-ana.ics',
        'participant-ben.ics',
        'participant-chair.ics',
    ]
    assert set(events(read(build, 'participant-chair.ics'))) == {'Trade and security', 'Energy'}


def test_uid_is_stable_across_builds_and_output_folders(project: Any) -> None:
    proj = make(project)
    first = only_event(proj.build(), 'panel-trade.ics')['UID']
    proj.edit('panels.md', 'What the panel is for.', 'What the panel is about.')
    assert only_event(proj.build(), 'panel-trade.ics')['UID'] == first
    fresh = proj.build(outdir_name='_other')
    assert only_event(fresh, 'panel-trade.ics')['UID'] == first
    assert str(first).endswith('@sphinx-briefing') and len(str(first)) > 30


def mtimes(build: Build) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (build.outdir / 'calendar').iterdir()}


def test_a_time_edit_raises_sequence_and_an_unrelated_edit_does_not(project: Any) -> None:
    proj = make(project)
    first = proj.build()
    before = mtimes(first)
    stamp = only_event(first, 'panel-trade.ics')['DTSTAMP'].to_ical()
    # nothing changed: nothing written
    again = proj.build()
    assert mtimes(again) == before
    assert only_event(again, 'panel-trade.ics')['DTSTAMP'].to_ical() == stamp

    proj.edit('panels.md', ':start: 14:30', ':start: 15:00')
    moved = proj.build()
    event = only_event(moved, 'panel-trade.ics')
    assert int(event['SEQUENCE']) == 1
    assert event.decoded('DTSTART').time() == datetime.time(15, 0)
    assert int(events(read(moved, 'participant-ana.ics'))['Trade and security']['SEQUENCE']) == 1
    # the other panel did not move: its files keep their bytes
    assert int(only_event(moved, 'panel-energy.ics')['SEQUENCE']) == 0
    assert mtimes(moved)['panel-energy.ics'] == before['panel-energy.ics']

    # the title is not a significant revision; the file changes, SEQUENCE does not
    proj.edit('panels.md', ':title: Trade and security', ':title: Trade and national security')
    renamed = only_event(proj.build(), 'panel-trade.ics')
    assert str(renamed['SUMMARY']) == 'Trade and national security'
    assert int(renamed['SEQUENCE']) == 1
    # an edit elsewhere on the page: nothing of the event changes
    proj.edit('panels.md', 'The second panel.', 'The second panel, revised.')
    after = proj.build()
    assert int(only_event(after, 'panel-trade.ics')['SEQUENCE']) == 1

    proj.edit('panels.md', ':venue: Room 2, Guildhall', ':venue: Room 3, Guildhall')
    assert int(only_event(proj.build(), 'panel-trade.ics')['SEQUENCE']) == 2


def test_a_removed_time_zone_removes_the_files(project: Any) -> None:
    proj = make(project)
    proj.build()
    proj.edit('panels.md', ':timezone: Asia/Tokyo\n', '')
    build = proj.build()
    names = {p.name for p in (build.outdir / 'calendar').iterdir()}
    assert 'panel-energy.ics' not in names
    assert set(events(read(build, 'participant-ana.ics'))) == {'Trade and security'}


def test_pages_link_to_the_files(project: Any) -> None:
    proj = make(project)
    for builder, page in (('html', 'panels.html'), ('dirhtml', 'panels/index.html')):
        build = proj.build(builder, outdir_name=f'_{builder}')
        soup = BeautifulSoup((build.outdir / page).read_text(encoding='utf-8'), 'html.parser')
        links = [a['href'] for a in soup.select('a.briefing-calendar')]
        assert len(links) == 2, links  # trade and energy, not notime
        for href in links:
            assert (build.outdir / page).parent.joinpath(href).resolve().is_file(), href
        brief = 'brief-ana.html' if builder == 'html' else 'brief-ana/index.html'
        soup = BeautifulSoup((build.outdir / brief).read_text(encoding='utf-8'), 'html.parser')
        (link,) = soup.select('a.briefing-calendar')
        target = (build.outdir / brief).parent.joinpath(link['href']).resolve()
        assert target == (build.outdir / 'calendar' / 'participant-ana.ics').resolve()
        assert 'Europe/London' in soup.get_text()


def test_singlehtml_links_from_its_one_page(project: Any) -> None:
    build = make(project).build('singlehtml')
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    hrefs = {a['href'] for a in soup.select('a.briefing-calendar')}
    assert hrefs == {
        'calendar/panel-trade.ics',
        'calendar/panel-energy.ics',
        'calendar/participant-ana.ics',
    }
    assert all((build.outdir / href).is_file() for href in hrefs)


def test_latex_writes_the_files_and_no_link(project: Any) -> None:
    build = make(project).build('latex', briefing_latex_briefs=True)
    assert (build.outdir / 'calendar' / 'panel-trade.ics').is_file()
    tex = '\n'.join(p.read_text(encoding='utf-8') for p in Path(build.outdir).glob('*.tex'))
    assert '.ics' not in tex
    assert 'Europe/London' in tex
    # a brief's cover gives the time zone with the time (the page after it does not)
    brief = (build.outdir / 'brief-ana.tex').read_text(encoding='utf-8')
    assert brief.count(r'\sphinxbriefingfield{Time zone}{Europe/London}') == 1
    assert brief.count(r'\sphinxbriefingfield{Time zone}{Asia/Tokyo}') == 1
    # the first panel's details are on the cover only; the second panel's stay below
    assert brief.count(r'\sphinxlineitem{Time zone}') == 1


def test_time_zone_in_briefing_json(project: Any) -> None:
    build = make(project).build()
    data = json.loads((build.outdir / 'briefing.json').read_text(encoding='utf-8'))
    zones = {p['id']: p['timezone'] for p in data['panels']}
    assert zones == {'trade': 'Europe/London', 'energy': 'Asia/Tokyo', 'notime': ''}


def test_public_edition_files_hold_the_programme(project: Any) -> None:
    proj = make(project)
    proj.edit(
        'panels.md',
        'What the panel is for.',
        'What the panel is for.\n\n:::{moderator-note}\nSECRETNOTE\n:::',
    )
    build = proj.build(outdir_name='_public', briefing_edition='public')
    for path in (build.outdir / 'calendar').glob('*.ics'):
        assert b'SECRETNOTE' not in path.read_bytes()
    event = only_event(build, 'panel-trade.ics')
    assert 'Chatham House Rule' in str(event['DESCRIPTION'])


def test_source_date_epoch_makes_the_files_reproducible(project: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv('SOURCE_DATE_EPOCH', '1700000000')
    proj = make(project)
    first = proj.build()
    second = proj.build(outdir_name='_again')
    for path in (first.outdir / 'calendar').glob('*.ics'):
        assert path.read_bytes() == (second.outdir / 'calendar' / path.name).read_bytes()
    stamp = only_event(first, 'panel-trade.ics').decoded('DTSTAMP')
    assert stamp == datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.UTC)


def test_a_brief_not_read_again_gains_and_loses_its_link(project: Any) -> None:
    proj = make(project)
    proj.edit('panels.md', ':timezone: Europe/London\n', '')
    proj.edit('panels.md', ':timezone: Asia/Tokyo\n', '')
    first = proj.build()
    assert not list((first.outdir / 'calendar').glob('*.ics'))
    soup = BeautifulSoup(first.html('brief-ana'), 'html.parser')
    assert not soup.select('a.briefing-calendar')
    # only the panels' page changes: the brief is written again, with its link
    proj.edit('panels.md', ':start: 09:00\n', ':start: 09:00\n:timezone: Asia/Tokyo\n')
    second = proj.build()
    assert 'brief-ana' not in second.read and 'brief-ana' in second.written
    soup = BeautifulSoup(second.html('brief-ana'), 'html.parser')
    (link,) = soup.select('a.briefing-calendar')
    assert link['href'] == 'calendar/participant-ana.ics'
    assert set(events(read(second, 'participant-ana.ics'))) == {'Energy'}
    # and loses it when the time zone goes
    proj.edit('panels.md', ':timezone: Asia/Tokyo\n', '')
    third = proj.build()
    assert 'brief-ana' in third.written
    assert not BeautifulSoup(third.html('brief-ana'), 'html.parser').select('a.briefing-calendar')
    assert not (third.outdir / 'calendar' / 'participant-ana.ics').exists()


def test_ids_in_other_scripts_get_files_of_their_own(project: Any) -> None:
    proj: Project = project()
    proj.write('conf.py', MYST_CONF)
    proj.write(
        'index.md',
        '# Panel\n\n'
        ':::{panel} 討論\n:date: 2024-07-03\n:start: 10:00\n:timezone: Asia/Tokyo\n'
        ':moderator: 田中\n:panellists: 鈴木\n:::\n\n'
        ':::{participant} 田中\n:name: Tanaka\n:::\n\n'
        ':::{participant} 鈴木\n:name: Suzuki\n:::\n\n'
        '```{panellist-brief} 鈴木\n```\n',
    )
    build = proj.build()
    assert not build.warnings()
    names = sorted(p.name for p in (build.outdir / 'calendar').iterdir())
    assert len(names) == 3 and len({n.split('-')[0] for n in names}) == 2, names
    assert all(n.isascii() for n in names)
    soup = BeautifulSoup(build.html('index'), 'html.parser')
    links = [a['href'] for a in soup.select('a.briefing-calendar')]
    assert len(links) == 2 and all((build.outdir / href).is_file() for href in links)
    brief = next(href for href in links if 'participant-' in href)
    calendar = icalendar.Calendar.from_ical((build.outdir / brief).read_bytes())
    assert 'Suzuki' in str(calendar['X-WR-CALNAME'])
