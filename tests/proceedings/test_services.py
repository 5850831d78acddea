"""The roll-call and vote services on PostgreSQL: outcomes in rows, server times, and bad input refused with a Thai
message and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from foundation.models import AuditEntry
from join.models import JoinPass
from meetings.models import Meeting
from proceedings import selectors, services
from proceedings.models import OpenBallot, RollEntry, SecretTally, SecretVoter, UsualPerson, Vote
from tests.factories.districts import StaffFactory

from .conftest import HALL, KUMPHAWAPI, MUEANG, NA_YUNG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def db_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")  # what Now() reads on PostgreSQL
        return cursor.fetchone()[0]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (RollEntry, UsualPerson, Vote, OpenBallot, SecretVoter, SecretTally, AuditEntry)}


def refused(call, *, says: str) -> str:
    """Run `call`, expect a ValidationError whose Thai message contains `says`, and nothing written."""
    before = counts()
    with pytest.raises(ValidationError) as caught:
        call()
    message = " ".join(caught.value.messages)
    assert says in message, message
    assert counts() == before
    return message


def test_roll_of_three_sites_one_absent_with_reason(schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    clerk = StaffFactory.create(role="clerk", site_code=MUEANG).user
    hall, mueang, kumphawapi = pass_of(meeting, HALL), pass_of(meeting, MUEANG), pass_of(meeting, KUMPHAWAPI)
    started = db_now()
    services.roll_entry_record(join_pass=hall, name="นายสมชาย ใจดี", position="ผู้ว่าราชการจังหวัด",
                               role="attendee", by=schedule.scheduler)
    services.roll_entry_record(join_pass=mueang, name="นายอำเภอเมือง", position="นายอำเภอ", role="attendee",
                               by=clerk)
    services.roll_entry_record(join_pass=mueang, name="นางสาวปลัด", position="ปลัดอำเภอ", role="participant")
    services.roll_entry_record(join_pass=kumphawapi, name="นายอำเภอกุมภวาปี", position="นายอำเภอ",
                               role="absent", reason="ติดราชการ")
    roll = selectors.meeting_roll(meeting=meeting)
    assert next(site_roll.holder for site_roll in roll) == meeting.host_site.name
    by_holder = {site_roll.holder: site_roll for site_roll in roll}
    assert len(roll) == 3
    mueang_roll = by_holder[mueang.site.name]
    assert [(p.name, p.role) for p in mueang_roll.present] == [("นายอำเภอเมือง", "attendee"),
                                                              ("นางสาวปลัด", "participant")]
    assert "ผู้ถือลิงก์เข้าร่วมประชุม" in mueang_roll.recorded_by  # the latest change came through the pass
    absent = by_holder[kumphawapi.site.name].absent
    assert [(a.name, a.reason) for a in absent] == [("นายอำเภอกุมภวาปี", "ติดราชการ")]
    assert by_holder[meeting.host_site.name].recorded_by.endswith(f"({schedule.scheduler.username})")
    # Server time: between the database clock before and after.
    for site_roll in roll:
        assert started <= site_roll.recorded_at <= db_now()
    entry = RollEntry.objects.get(name="นายอำเภอเมือง")
    assert entry.recorded_by == clerk
    assert entry.recorded_by_label.endswith(f"({clerk.username})")


def test_usual_people_belong_to_the_site_across_meetings_and_clerks(schedule):
    first = schedule(sites=(MUEANG,), running=False)  # the roll may be recorded before the meeting
    one_clerk = StaffFactory.create(role="clerk", site_code=MUEANG).user
    services.roll_entry_record(join_pass=pass_of(first, MUEANG), name="นายอำเภอเมือง", position="นายอำเภอ",
                               role="attendee", by=one_clerk)
    services.roll_entry_record(join_pass=pass_of(first, MUEANG), name="ปลัดอาวุโส", position="ปลัดอำเภอ",
                               role="attendee", by=one_clerk)
    second = schedule(sites=(MUEANG, KUMPHAWAPI))
    second_pass = pass_of(second, MUEANG)
    offered = selectors.usual_people(join_pass=second_pass)
    assert {(p.name, p.position) for p in offered} == {("นายอำเภอเมือง", "นายอำเภอ"), ("ปลัดอาวุโส", "ปลัดอำเภอ")}
    assert selectors.usual_people(join_pass=pass_of(second, KUMPHAWAPI)) == []  # another site's list is its own
    other_clerk = StaffFactory.create(role="clerk", site_code=MUEANG).user  # the clerks rotated
    services.roll_entry_record(join_pass=second_pass, name="นายอำเภอเมือง", position="นายอำเภอเมืองอุดรธานี",
                               role="attendee", by=other_clerk)
    offered = selectors.usual_people(join_pass=second_pass, exclude=["นายอำเภอเมือง"])
    assert [p.name for p in offered] == ["ปลัดอาวุโส"]
    assert UsualPerson.objects.get(site=second_pass.site, name="นายอำเภอเมือง").position == "นายอำเภอเมืองอุดรธานี"


def test_roll_bad_input_is_refused_and_nothing_written(schedule):
    meeting = schedule(sites=(MUEANG,))
    mueang = pass_of(meeting, MUEANG)
    refused(lambda: services.roll_entry_record(join_pass=mueang, name="  ", role="attendee"), says="กรอกชื่อ")
    refused(lambda: services.roll_entry_record(join_pass=mueang, name="ก", role="absent"), says="เหตุที่ไม่มาประชุม")
    refused(lambda: services.roll_entry_record(join_pass=mueang, name="ก", role="boss"), says="เลือกฐานะ")
    JoinPass.objects.filter(pk=mueang.pk).update(revoked_at=timezone.now())
    mueang.refresh_from_db()
    refused(lambda: services.roll_entry_record(join_pass=mueang, name="ก", role="attendee"), says="ถูกยกเลิก")


def test_open_vote_by_site_cast_close(schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    for code in (HALL, MUEANG):
        services.roll_entry_record(join_pass=pass_of(meeting, code), name=f"ประธาน {code}", role="attendee")
    vote = services.vote_open(meeting=meeting, agenda_item=4, question="", opened_by=schedule.scheduler)
    assert vote.question == "ขออนุมัติโครงการถนนปลอดภัยช่วงสงกรานต์"
    services.vote_cast(vote=vote, join_pass=pass_of(meeting, MUEANG), choice="approve")
    services.vote_cast(vote=vote, join_pass=pass_of(meeting, KUMPHAWAPI), choice="ไม่เห็นชอบ")
    [live] = selectors.meeting_votes(meeting=meeting)
    assert live.status == "open"
    assert live.cast == 2
    assert live.eligible == 3
    assert live.quorum == 2
    assert live.quorum_met
    services.vote_close(vote=vote, closed_by=schedule.scheduler)
    [result] = selectors.meeting_votes(meeting=meeting)
    assert result.status == "closed"
    assert result.closed_at is not None
    assert result.closed_at >= result.opened_at
    assert result.counts == {"เห็นชอบ": 1, "ไม่เห็นชอบ": 1, "งดออกเสียง": 0}
    assert set(result.voters) == {(pass_of(meeting, MUEANG).site.name, "เห็นชอบ"),
                                  (pass_of(meeting, KUMPHAWAPI).site.name, "ไม่เห็นชอบ")}


def test_vote_bad_input_is_refused_and_nothing_written(schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    later = schedule(sites=(MUEANG,), running=False)
    refused(lambda: services.vote_open(meeting=later, agenda_item=1), says="ระหว่างการประชุม")
    refused(lambda: services.vote_open(meeting=meeting, agenda_item=9), says="วาระที่ 1 ถึง 5")
    vote = services.vote_open(meeting=meeting, agenda_item=4, secret=True)
    refused(lambda: services.vote_open(meeting=meeting, agenda_item=3), says="ยังมีการลงมติที่เปิดอยู่")
    mueang = pass_of(meeting, MUEANG)
    services.vote_cast(vote=vote, join_pass=mueang, choice="approve")
    refused(lambda: services.vote_cast(vote=vote, join_pass=mueang, choice="reject"), says="ลงมติได้ครั้งเดียว")
    refused(lambda: services.vote_cast(vote=vote, join_pass=pass_of(meeting, KUMPHAWAPI), choice="yes"),
            says="เลือกมติ")
    # A site not invited to this meeting: its pass is another meeting's.
    other = schedule(host=NA_YUNG, sites=("4124",))
    refused(lambda: services.vote_cast(vote=vote, join_pass=pass_of(other, "4124"), choice="approve"),
            says="ไม่ใช่ของการประชุม")
    # A site taken off the meeting (its pass left behind) and a revoked pass.
    kumphawapi = pass_of(meeting, KUMPHAWAPI)
    from meetings.models import Participation

    Participation.objects.filter(meeting=meeting, site=kumphawapi.site).delete()
    refused(lambda: services.vote_cast(vote=vote, join_pass=kumphawapi, choice="approve"), says="ไม่ได้อยู่ในรายชื่อ")
    JoinPass.objects.filter(pk=mueang.pk).update(revoked_at=timezone.now())
    mueang.refresh_from_db()
    refused(lambda: services.vote_cast(vote=vote, join_pass=mueang, choice="approve"), says="ถูกยกเลิก")
    hall = pass_of(meeting, HALL)
    services.vote_close(vote=vote)
    refused(lambda: services.vote_cast(vote=vote, join_pass=hall, choice="approve"), says="ปิดแล้ว")
    refused(lambda: services.vote_close(vote=vote), says="ปิดไปแล้ว")


def test_vote_after_the_meeting_is_refused(schedule):
    meeting = schedule(sites=(MUEANG,))
    vote = services.vote_open(meeting=meeting, agenda_item=4)
    Meeting.objects.filter(pk=meeting.pk).update(end=timezone.now() - timedelta(seconds=1))
    refused(lambda: services.vote_cast(vote=vote, join_pass=pass_of(meeting, MUEANG), choice="approve"),
            says="ระหว่างการประชุม")


def test_vote_by_person_needs_a_person_present_on_the_roll(schedule):
    meeting = schedule(sites=(MUEANG,))
    mueang = pass_of(meeting, MUEANG)
    services.roll_entry_record(join_pass=mueang, name="นายก", role="attendee")
    services.roll_entry_record(join_pass=mueang, name="นายข", role="participant")
    services.roll_entry_record(join_pass=mueang, name="นายค", role="absent", reason="ลาป่วย")
    vote = services.vote_open(meeting=meeting, agenda_item=4, by="person")
    refused(lambda: services.vote_cast(vote=vote, join_pass=mueang, choice="approve"), says="เลือกชื่อผู้มาประชุม")
    refused(lambda: services.vote_cast(vote=vote, join_pass=mueang, choice="approve", person="นายข"),
            says="ไม่อยู่ในรายชื่อผู้มาประชุม")
    services.vote_cast(vote=vote, join_pass=mueang, choice="approve", person="นายก")
    [result] = selectors.meeting_votes(meeting=meeting)
    assert result.by == "person"
    assert result.eligible == 1
    assert result.cast == 1
    assert result.voters == ((f"นายก ({mueang.site.name})", "เห็นชอบ"),)
    assert result.quorum == 2
    assert not result.quorum_met


def test_an_invited_agency_records_its_roll_and_does_not_vote(schedule, django_capture_on_commit_callbacks):
    from districts.models import Agency
    from meetings.services.scheduling import meeting_update

    meeting = schedule(sites=(MUEANG,))
    agency = Agency.objects.create(province=meeting.host_site.province, name="สำนักงานสาธารณสุขจังหวัดอุดรธานี",
                                   email="ssj@example.go.th")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, agencies=[agency], by=schedule.scheduler)
    agency_pass = JoinPass.objects.get(meeting=meeting, agency=agency, revoked_at__isnull=True)
    services.roll_entry_record(join_pass=agency_pass, name="นายแพทย์สาธารณสุขจังหวัด", position="นพ.สสจ.",
                               role="participant")
    roll = selectors.meeting_roll(meeting=meeting)
    assert [site_roll.holder for site_roll in roll][-1] == agency.name  # host first, agencies last
    assert roll[-1].present[0].role == "participant"
    assert [p.name for p in selectors.usual_people(join_pass=agency_pass)] == ["นายแพทย์สาธารณสุขจังหวัด"]
    vote = services.vote_open(meeting=meeting, agenda_item=4)
    refused(lambda: services.vote_cast(vote=vote, join_pass=agency_pass, choice="approve"), says="ไม่มีสิทธิ์ลงมติ")
