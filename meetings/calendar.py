"""Calendar files (iCalendar, RFC 5545 / iTIP RFC 5546) for meetings, built with the `icalendar` library.

Pure functions: they take the meeting (with whatever related rows they read already loaded, or the values passed
as arguments) and return bytes; they never query the database. Times are written in Asia/Bangkok with its
VTIMEZONE, so every calendar shows the Thai wall-clock time whatever the reader's own zone.

- `meeting_ics(...)`: one meeting, as an invitation (METHOD:REQUEST), a cancellation (METHOD:CANCEL) or a plain
  file to download (METHOD:PUBLISH). The UID is stable per meeting — each occurrence of a series is its own
  meeting row, so its own UID — and SEQUENCE is the meeting's `sequence`, which goes up with every change, so a
  calendar that already holds the event replaces it instead of adding a second one.
- `site_feed_ics(...)`: every meeting of a site, as a feed a calendar application can subscribe to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone, translation

from foundation.thaidate import BANGKOK

PRODID = "-//prachum//Video meetings of the province//TH"
METHODS = ("REQUEST", "CANCEL", "PUBLISH")
ALARM_BEFORE = timedelta(minutes=30)
# The texts inside the file, in the active language (Thai unless English is active).
TEXTS = {
    "th": {
        "agenda": "ระเบียบวาระการประชุม",
        "item": "ระเบียบวาระที่ {number} {item}",
        "join": "ลิงก์เข้าร่วมประชุม: {url}",
        "alarm": "อีก 30 นาทีจะเริ่มประชุม: {title}",
    },
    "en": {
        "agenda": "Agenda",
        "item": "{number}. {item}",
        "join": "Join link: {url}",
        "alarm": "The meeting starts in 30 minutes: {title}",
    },
}


def _texts() -> dict[str, str]:
    return TEXTS["en" if (translation.get_language() or "th").startswith("en") else "th"]


def calendar_host() -> str:
    """The domain part of UIDs: the portal's host name (stable for the life of an installation)."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "prachum.local"


def meeting_uid(meeting) -> str:
    """`meeting-<id>@<host>`: the same for every file about this meeting (or this occurrence of a series)."""
    return f"meeting-{meeting.pk}@{calendar_host()}"


def _description(meeting, join_url: str | None) -> str:
    texts = _texts()
    lines: list[str] = []
    agenda = [item for item in (meeting.agenda or []) if str(item).strip()]
    if agenda:
        lines.append(texts["agenda"])
        lines += [texts["item"].format(number=n, item=item) for n, item in enumerate(agenda, start=1)]
    if join_url:
        if lines:
            lines.append("")
        lines.append(texts["join"].format(url=join_url))
    return "\n".join(lines)


def _default_location(meeting) -> str:
    site = meeting.host_site
    return site.meeting_room or site.name


def _event(
    *,
    meeting,
    cancelled: bool,
    join_url: str | None,
    location: str,
    organizer_email: str,
    attendee_emails: Iterable[str],
    stamp: datetime,
    alarm: bool,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", meeting.start.astimezone(BANGKOK))
    event.add("dtend", meeting.end.astimezone(BANGKOK))
    event.add("sequence", int(meeting.sequence or 0))
    event.add("summary", meeting.title)
    description = _description(meeting, join_url)
    if description:
        event.add("description", description)
    if join_url:
        event.add("url", join_url)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if organizer_email:
        organizer = icalendar.vCalAddress(f"mailto:{organizer_email}")
        organizer.params["cn"] = icalendar.vText("prachum")
        event.add("organizer", organizer)
    for address in dict.fromkeys(a for a in attendee_emails if a):
        attendee = icalendar.vCalAddress(f"mailto:{address}")
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        attendee.params["rsvp"] = icalendar.vText("FALSE")
        event.add("attendee", attendee)
    if alarm and not cancelled:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", _texts()["alarm"].format(title=meeting.title))
        reminder.add("trigger", -ALARM_BEFORE)
        event.add_component(reminder)
    return event


@lru_cache(maxsize=1)
def bangkok_vtimezone() -> icalendar.Timezone:
    """VTIMEZONE Asia/Bangkok, built once per process (icalendar derives it from zoneinfo: ~30 ms each time)."""
    return icalendar.Timezone.from_tzid("Asia/Bangkok")


def _with_timezone(calendar: icalendar.Calendar) -> icalendar.Calendar:
    """Add the VTIMEZONE the events use, before them (any other zone: icalendar derives it)."""
    if calendar.get_missing_tzids() == {"Asia/Bangkok"}:
        calendar.subcomponents.insert(0, bangkok_vtimezone())
    calendar.add_missing_timezones()
    return calendar


def _calendar(method: str) -> icalendar.Calendar:
    if method not in METHODS:
        raise ValueError(f"METHOD must be one of {', '.join(METHODS)}, not {method!r}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def meeting_ics(
    *,
    meeting,
    method: str = "REQUEST",
    join_url: str | None,
    organizer_email: str,
    attendee_emails: Sequence[str] = (),
    location: str | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """One meeting as an .ics file.

    `method`: REQUEST (an invitation or an update: same UID, higher SEQUENCE), CANCEL (the event is removed from
    the attendee's calendar; also used whenever the meeting's status is cancelled) or PUBLISH (a file to import).
    `location` defaults to the host site's meeting room (so `meeting.host_site` must be loaded, or pass it).
    `stamp` is DTSTAMP, the moment this message was made (default: now).
    """
    cancelled = method == "CANCEL" or getattr(meeting, "is_cancelled", False)
    calendar = _calendar(method)
    calendar.add_component(
        _event(
            meeting=meeting,
            cancelled=cancelled,
            join_url=join_url,
            location=_default_location(meeting) if location is None else location,
            organizer_email=organizer_email,
            attendee_emails=attendee_emails,
            stamp=stamp or timezone.now(),
            alarm=True,
        )
    )
    return _with_timezone(calendar).to_ical()


def site_feed_ics(
    *,
    site,
    meetings: Iterable,
    url_for_meeting: Callable[[object], str | None],
    stamp: datetime | None = None,
) -> bytes:
    """A site's meetings as a PUBLISH feed (cancelled ones stay in it with STATUS:CANCELLED, so they disappear
    from subscribed calendars). `url_for_meeting(meeting)` gives the link shown in each event (the site's join
    link, or the meeting page)."""
    stamp = stamp or timezone.now()
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", f"prachum · {site.name}")
    calendar.add("x-wr-timezone", "Asia/Bangkok")
    location = site.meeting_room or site.name
    for meeting in meetings:
        calendar.add_component(
            _event(
                meeting=meeting,
                cancelled=getattr(meeting, "is_cancelled", False),
                join_url=url_for_meeting(meeting),
                location=location,
                organizer_email="",
                attendee_emails=(),
                stamp=stamp,
                alarm=True,
            )
        )
    return _with_timezone(calendar).to_ical()
