"""The calendar files: parsed back with icalendar, as a calendar application would read them."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import pytest

from meetings.calendar import meeting_ics, meeting_uid, site_feed_ics

pytestmark = pytest.mark.unit

BANGKOK = ZoneInfo("Asia/Bangkok")


def a_meeting(**overrides):
    site = SimpleNamespace(name="ที่ว่าการอำเภอนายูง", meeting_room="ห้องประชุมอำเภอ ชั้น 2")
    values = {
        "pk": 42,
        "title": "ประชุมศูนย์ปฏิบัติการความปลอดภัยทางถนน",
        "agenda": ["ประธานแจ้งให้ที่ประชุมทราบ", "เรื่องอื่น ๆ"],
        "start": datetime(2026, 4, 12, 2, 0, tzinfo=UTC),  # 09:00 in Bangkok
        "end": datetime(2026, 4, 12, 3, 30, tzinfo=UTC),
        "sequence": 3,
        "host_site": site,
        "is_cancelled": False,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_invitation_has_everything_a_calendar_needs(settings):
    settings.PORTAL_BASE_URL = "https://prachum.udonthani.go.th"
    data = meeting_ics(
        meeting=a_meeting(),
        method="REQUEST",
        join_url="https://prachum.udonthani.go.th/j/abc",
        organizer_email="noreply@prachum.local",
        attendee_emails=["clerk@example.go.th"],
    )
    calendar, event = parse(data)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    assert event["UID"] == "meeting-42@prachum.udonthani.go.th"
    assert event["SEQUENCE"] == 3
    assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
    assert event["DTEND"].params["TZID"] == "Asia/Bangkok"
    assert event.decoded("DTSTART") == datetime(2026, 4, 12, 9, 0, tzinfo=BANGKOK)
    assert event.decoded("DTEND") == datetime(2026, 4, 12, 10, 30, tzinfo=BANGKOK)
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "ห้องประชุมอำเภอ ชั้น 2"
    assert event["URL"] == "https://prachum.udonthani.go.th/j/abc"
    description = str(event["DESCRIPTION"])
    assert "ระเบียบวาระที่ 1 ประธานแจ้งให้ที่ประชุมทราบ" in description
    assert "https://prachum.udonthani.go.th/j/abc" in description
    assert str(event["ORGANIZER"]) == "mailto:noreply@prachum.local"
    assert str(event["ATTENDEE"]) == "mailto:clerk@example.go.th"
    alarms = list(event.walk("VALARM"))
    assert len(alarms) == 1
    assert alarms[0]["ACTION"] == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == -timedelta(minutes=30)


def test_cancellation_is_method_cancel_with_the_same_uid():
    meeting = a_meeting(sequence=4, is_cancelled=True)
    calendar, event = parse(meeting_ics(meeting=meeting, method="CANCEL", join_url=None, organizer_email="a@b.c"))
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == meeting_uid(meeting)
    assert event["SEQUENCE"] == 4
    assert event["STATUS"] == "CANCELLED"
    assert not list(event.walk("VALARM"))


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="METHOD"):
        meeting_ics(meeting=a_meeting(), method="REPLY", join_url=None, organizer_email="a@b.c")


def test_site_feed_lists_every_meeting():
    site = SimpleNamespace(name="อำเภอนายูง", meeting_room="ห้องประชุม")
    meetings = [a_meeting(pk=1), a_meeting(pk=2, is_cancelled=True)]
    calendar = icalendar.Calendar.from_ical(
        site_feed_ics(site=site, meetings=meetings, url_for_meeting=lambda m: f"https://x/{m.pk}")
    )
    assert calendar["METHOD"] == "PUBLISH"
    events = list(calendar.walk("VEVENT"))
    assert [e["STATUS"] for e in events] == ["CONFIRMED", "CANCELLED"]
    assert [e["URL"] for e in events] == ["https://x/1", "https://x/2"]
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_texts_follow_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        _, event = parse(meeting_ics(meeting=a_meeting(), join_url="https://x/j", organizer_email="a@b.c"))
    assert "Agenda\n1. ประธานแจ้งให้ที่ประชุมทราบ" in str(event["DESCRIPTION"])
    assert "Join link: https://x/j" in str(event["DESCRIPTION"])
