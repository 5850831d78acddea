"""Editing a series (issue 15, point 11): this occurrence, this and the following ones, or every one not yet held.

Each scope changes exactly its occurrences (title, agenda, time of day, length, host, sites, agencies), bumps
their SEQUENCE and plans one notice per recipient per changed occurrence; occurrences that have started, ended or
been cancelled are never touched; a clash on any changed occurrence names its date (BE) and writes nothing.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from districts.models import Staff
from meetings.models import AgencyInvitation, Meeting, Participation, Room, Series
from meetings.services.scheduling import occurrence_cancel, series_schedule, series_update
from notifications.models import Notification
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MeetingFactory, at, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

TITLE = "ประชุมศูนย์ปฏิบัติการความปลอดภัยทางถนน"


@pytest.fixture
def songkran(scheduler, fake_server, django_capture_on_commit_callbacks):
    """A daily series 12–18 Apr 2569, 09:00–10:00, the hall with Mueang (a clerk with an email there), scheduled on
    1 Mar; the test then stands on 14 Apr at noon: occurrences 1–3 have started, 4–7 have not."""
    StaffFactory.create(role=Staff.Role.CLERK, site_code="4101")
    with time_machine.travel(at(2026, 3, 1), tick=False), django_capture_on_commit_callbacks(execute=True):
        series = series_schedule(
            title=TITLE, host_site=site("41"), sites=[site("4101")], start=at(2026, 4, 12, 9),
            end=at(2026, 4, 12, 10), frequency=Series.Frequency.DAILY, until=date(2026, 4, 18), created_by=scheduler,
        )
    with time_machine.travel(at(2026, 4, 14, 12), tick=False):
        yield series


def occurrences(series) -> dict[int, Meeting]:
    return {m.occurrence: m for m in series.meetings.select_related("host_site")}


def snapshot(series) -> dict[int, tuple]:
    """Everything an edit may change, per occurrence."""
    return {
        m.occurrence: (
            m.title, m.agenda, m.start, m.end, m.host_site_id, m.sequence, m.status,
            sorted(m.participations.values_list("site_id", "role", "start", "end")),
            sorted(m.agency_invitations.values_list("agency_id", flat=True)),
            m.notifications.count(), m.room.desired_version,
        )
        for m in series.meetings.all()
    }


def addresses_at_sequence(meeting: Meeting) -> list[str]:
    """Who is told about this version of the meeting (one row per recipient and channel)."""
    rows = Notification.objects.filter(meeting=meeting, sequence=meeting.sequence)
    return list(rows.values_list("address", flat=True))


def mueang_clerk_email() -> str:
    return Staff.objects.select_related("user").get(role=Staff.Role.CLERK, site=site("4101")).user.email


@pytest.mark.parametrize(
    ("scope", "changed"),
    [("one", {5}), ("following", {5, 6, 7}), ("all", {4, 5, 6, 7})],
    ids=["this-one", "this-and-following", "whole-series"],
)
def test_each_scope_changes_its_occurrences_and_only_those(songkran, scheduler, scope, changed):
    before = snapshot(songkran)
    fifth = occurrences(songkran)[5]
    updated = series_update(
        meeting=fifth, scope=scope, title="ศูนย์ความปลอดภัยทางถนน (ปรับเวลา)", agenda=["สรุปอุบัติเหตุ", "เรื่องอื่น ๆ"],
        start_time=time(13, 30), duration=timedelta(minutes=90), sites=[site("4101"), site("4122")], by=scheduler,
    )
    assert sorted(m.occurrence for m in updated) == sorted(changed)
    after = snapshot(songkran)
    now = occurrences(songkran)
    for number in range(1, 8):
        if number not in changed:
            assert after[number] == before[number], f"occurrence {number} was touched"
            continue
        meeting = now[number]
        day = 11 + number
        assert meeting.title == "ศูนย์ความปลอดภัยทางถนน (ปรับเวลา)"
        assert meeting.agenda == ["สรุปอุบัติเหตุ", "เรื่องอื่น ๆ"]
        assert (meeting.start, meeting.end) == (at(2026, 4, day, 13, 30), at(2026, 4, day, 15))
        assert meeting.sequence == before[number][5] + 1
        assert set(meeting.participations.values_list("site__district__code", "start", "end")) == {
            (None, meeting.start, meeting.end), ("4101", meeting.start, meeting.end),
            ("4122", meeting.start, meeting.end),
        }
        assert meeting.room.desired_version == before[number][10] + 1
        assert meeting.room.state == Room.State.PENDING
        # Told once about this version: the clerk of Mueang among them, nobody twice.
        addresses = addresses_at_sequence(meeting)
        assert mueang_clerk_email() in addresses
        assert len(addresses) == len(set(addresses))
    # The occurrences already held (1–3) never changed, whatever the scope.
    assert all(after[n] == before[n] for n in (1, 2, 3))


def test_the_host_moves_and_the_old_host_stays_a_participant(songkran, scheduler):
    fifth = occurrences(songkran)[5]
    series_update(meeting=fifth, scope="following", host_site=site("4101"), by=scheduler)
    for number, meeting in occurrences(songkran).items():
        roles = dict(meeting.participations.values_list("site_id", "role"))
        if number >= 5:
            assert meeting.host_site_id == site("4101").pk
            assert roles == {site("4101").pk: Participation.Role.HOST, site("41").pk: Participation.Role.PARTICIPANT}
        else:
            assert meeting.host_site_id == site("41").pk


def test_agencies_and_a_site_taken_off_every_occurrence(songkran, scheduler):
    from tests.notifications.conftest import agency

    health = agency()
    series_update(meeting=occurrences(songkran)[4], scope="all", sites=[], agencies=[health], by=scheduler)
    for number, meeting in occurrences(songkran).items():
        if number >= 4:
            assert list(meeting.participations.values_list("site_id", flat=True)) == [site("41").pk]
            assert list(AgencyInvitation.objects.filter(meeting=meeting).values_list("agency_id", flat=True)) == [
                health.pk
            ]
        else:
            assert meeting.participations.count() == 2


def test_cancelled_and_started_occurrences_are_never_changed(songkran, scheduler):
    occurrence_cancel(meeting=occurrences(songkran)[6], by=scheduler)
    before = snapshot(songkran)
    updated = series_update(meeting=occurrences(songkran)[5], scope="all", title="เรื่องใหม่", by=scheduler)
    assert sorted(m.occurrence for m in updated) == [4, 5, 7]
    after = snapshot(songkran)
    assert after[6] == before[6]
    assert [after[n] for n in (1, 2, 3)] == [before[n] for n in (1, 2, 3)]
    # Editing an occurrence that has ended is refused.
    third = occurrences(songkran)[3]
    Meeting.objects.filter(pk=third.pk).update(status=Meeting.Status.ENDED)
    with pytest.raises(ValidationError) as caught:
        series_update(meeting=third, scope="one", title="เรื่องใหม่", by=scheduler)
    assert "แก้ไขไม่ได้" in caught.value.message_dict["status"][0]


def test_a_clash_on_any_occurrence_names_its_dates_and_writes_nothing(songkran, scheduler):
    MeetingFactory.create(title="ประชุมอำเภอนายูง", host="4122", sites=(), start=at(2026, 4, 17, 13),
                          end=at(2026, 4, 17, 14))
    MeetingFactory.create(title="ประชุมอำเภอนายูง", host="4122", sites=(), start=at(2026, 4, 18, 13, 30),
                          end=at(2026, 4, 18, 14))
    before = snapshot(songkran)
    notifications = Notification.objects.count()
    with pytest.raises(ValidationError) as caught:
        series_update(meeting=occurrences(songkran)[5], scope="following", title="เรื่องใหม่", start_time=time(13),
                      sites=[site("4101"), site("4122")], by=scheduler)
    messages = caught.value.message_dict["sites"]
    assert messages[0].startswith("แก้ไขไม่ได้: การประชุม 2 ครั้งติดประชุมอื่น (17 เม.ย. 2569, 18 เม.ย. 2569)")
    assert "ไม่ได้บันทึกการแก้ไขใด ๆ" in messages[0]
    assert any(m.startswith("อำเภอนายูง ติดประชุม “ประชุมอำเภอนายูง” วันที่ 17 เม.ย. 2569 13:00–14:00 น.") for m in messages)
    assert snapshot(songkran) == before
    assert Notification.objects.count() == notifications


def test_the_clash_message_in_english(songkran, scheduler):
    MeetingFactory.create(title="Na Yung meeting", host="4122", sites=(), start=at(2026, 4, 17, 13),
                          end=at(2026, 4, 17, 14))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        series_update(meeting=occurrences(songkran)[5], scope="following", start_time=time(13),
                      sites=[site("4101"), site("4122")], by=scheduler)
    assert caught.value.message_dict["sites"][0].startswith("Cannot save: 1 meeting")  # waits for the catalogue


def test_an_unknown_scope_and_a_meeting_outside_a_series_are_refused(songkran, scheduler, fake_server):
    with pytest.raises(ValidationError) as caught:
        series_update(meeting=occurrences(songkran)[5], scope="everything", title="x", by=scheduler)
    assert "following" in caught.value.message_dict["scope"][0]
    lone = MeetingFactory.create(start=at(2026, 5, 1, 9), end=at(2026, 5, 1, 10))
    with pytest.raises(ValidationError) as caught:
        series_update(meeting=lone, scope="all", title="x", by=scheduler)
    assert "ไม่ได้อยู่ในชุด" in caught.value.message_dict["series"][0]
    # "one" works for a meeting outside a series too, host and time of day included.
    [changed] = series_update(meeting=lone, scope="one", host_site=site("4101"), start_time=time(10), by=scheduler)
    assert (changed.host_site_id, changed.start, changed.sequence) == (site("4101").pk, at(2026, 5, 1, 10), 1)


def test_nothing_to_change_writes_nothing(songkran, scheduler):
    before = snapshot(songkran)
    assert series_update(meeting=occurrences(songkran)[5], scope="all", title=TITLE, by=scheduler) == []
    assert snapshot(songkran) == before
