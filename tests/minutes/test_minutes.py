"""The minutes of a meeting from drafting to approval: the official form in the PDF, the approval by the next
meeting of the series, the locked approved version and the correction that makes version 2."""

from __future__ import annotations

import subprocess

import pytest
from django.core.exceptions import ValidationError

from districts.models import Staff
from foundation.models import AuditEntry
from minutes import services
from minutes.models import Minutes, MinutesApproval, MinutesVersion
from tests.factories.districts import StaffFactory

from .conftest import KUMPHAWAPI

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def pdf_text(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def edit_form(version: MinutesVersion, **changes) -> dict:
    from minutes.forms import MinutesForm

    data = dict(MinutesForm.initial_from(version.content))
    data.update(changes)
    return data


def test_draft_send_pdf_approve_lock_and_correct(held, client):
    first, second, _third = held.meetings
    client.force_login(held.scheduler)

    # Drafting from the agenda, the roll, the connections, the documents and the vote
    response = client.post(f"/minutes/meeting/{first.pk}/draft/")
    assert response.status_code == 302
    assert response["Location"] == f"/minutes/meeting/{first.pk}/edit/"
    version = MinutesVersion.objects.get(minutes__meeting=first)
    content = version.content
    assert [p["name"] for p in content["attendees"]] == ["นายประธาน ใจดี", "นายอำเภอ เมืองดี", "นายปลัด กุมภวาปี"]
    assert content["participants"][0]["name"] == "นางสาวผู้ร่วม ศึกษา"
    [absent] = content["absentees"]
    assert (absent["name"], absent["reason"]) == ("นายขาด ประชุม", "ติดราชการที่กรุงเทพฯ")
    assert absent["position"].startswith("นายอำเภอกุมภวาปี")
    assert "เห็นชอบ 2" in content["items"][3]["votes"][0]
    assert "ไม่เห็นชอบ 1" in content["items"][3]["votes"][0]
    assert len(content["connections"]) == 3

    # The secretary edits it on the page: two resolutions, the checker
    form = edit_form(version, item_3_resolution="ที่ประชุมรับทราบความคืบหน้าโครงการ",
                     item_4_resolution="ที่ประชุมมีมติอนุมัติโครงการถนนปลอดภัย", checker_name="นายตรวจ ถูกต้อง",
                     checker_position="ปลัดจังหวัด", ended_at="11.30 น.")
    response = client.post(f"/minutes/meeting/{first.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    version.refresh_from_db()
    assert version.content["items"][3]["resolution"] == "ที่ประชุมมีมติอนุมัติโครงการถนนปลอดภัย"
    assert version.state == "draft"

    # Sent: the invited sites' clerks read it; the PDF holds every section of the official form in order
    assert client.post(f"/minutes/meeting/{first.pk}/send/").status_code == 302
    clerk = StaffFactory.create(role=Staff.Role.CLERK, site_code=KUMPHAWAPI).user
    client.force_login(clerk)
    assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 200
    assert "คณะกรมการจังหวัด" in client.get(f"/minutes/sites/{KUMPHAWAPI}/").content.decode()
    response = client.get(f"/minutes/meeting/{first.pk}/v1.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(body(response))
    sections = ["รายงานการประชุมคณะกรมการจังหวัด", "ครั้งที่ 1/", "เมื่อวัน", "ณ ", "ผู้มาประชุม", "นายประธาน ใจดี",
                "ผู้ไม่มาประชุม", "นายขาด ประชุม", "ติดราชการที่กรุงเทพฯ", "ผู้เข้าร่วมประชุม", "นางสาวผู้ร่วม ศึกษา",
                "เริ่มประชุมเวลา", "ระเบียบวาระที่ 1", "ระเบียบวาระที่ 3", "ที่ประชุมรับทราบความคืบหน้าโครงการ",
                "ระเบียบวาระที่ 4", "มติที่ประชุม", "ที่ประชุมมีมติอนุมัติโครงการถนนปลอดภัย", "เห็นชอบ 2",
                "ไม่เห็นชอบ 1", "เลิกประชุมเวลา 11.30 น.", "ผู้จดรายงานการประชุม", "นายตรวจ ถูกต้อง",
                "ผู้ตรวจรายงานการประชุม"]
    flat = "".join(text.split())  # lines wrap anywhere in Thai: compared without spaces
    for section in sections:
        assert "".join(section.split()) in flat, f"{section!r} not in the PDF:\n{text}"
    order = ["ผู้มาประชุม", "ผู้ไม่มาประชุม", "ผู้เข้าร่วมประชุม", "เริ่มประชุมเวลา", "ระเบียบวาระที่ 1",
             "เลิกประชุมเวลา", "ผู้จดรายงานการประชุม", "ผู้ตรวจรายงานการประชุม"]
    where = [flat.index("".join(section.split())) for section in order]
    assert where == sorted(where)
    assert f"ครั้งที่1/{first.start.year + 543}" in flat  # the BE year

    # The next meeting approves them under item 2: locked
    client.force_login(held.scheduler)
    response = client.get(f"/minutes/meeting/{second.pk}/approve/")
    assert response.status_code == 200
    assert "รับรองรายงานการประชุมครั้งที่แล้ว" in response.content.decode()
    response = client.post(f"/minutes/meeting/{second.pk}/approve/", {"decision": "as_is", "method": "consensus"})
    assert response.status_code == 302, response.content.decode()[:3000]
    version.refresh_from_db()
    assert version.state == "approved"
    assert version.is_locked
    assert version.pdf
    assert len(version.pdf_digest) == 64
    approval = version.approval
    assert (approval.by_meeting_id, approval.decision, approval.method, approval.recorded_by) == (
        second.pk, "as_is", "consensus", held.scheduler)

    # Editing the approved version is refused (page and service), nothing written
    digest = version.digest
    response = client.post(f"/minutes/meeting/{first.pk}/edit/", edit_form(version, heading="อื่น"))
    assert response.status_code == 400
    assert "รับรองแล้วจึงแก้ไขไม่ได้" in response.content.decode()
    version.refresh_from_db()
    assert version.digest == digest
    assert version.content["heading"] == "รายงานการประชุมคณะกรมการจังหวัด"

    # A correction is version 2; version 1 stays, readable and approved
    response = client.post(f"/minutes/meeting/{first.pk}/correct/", {"note": "ชื่อผู้ไม่มาประชุมสะกดผิด"})
    assert response.status_code == 302
    v2 = MinutesVersion.objects.get(minutes__meeting=first, number=2)
    assert v2.state == "draft"
    assert v2.correction_note == "ชื่อผู้ไม่มาประชุมสะกดผิด"
    response = client.post(f"/minutes/meeting/{first.pk}/edit/",
                           edit_form(v2, absentees="นายขาด ประชุมมาก | นายอำเภอ | ลาป่วย"))
    assert response.status_code == 302
    v1 = MinutesVersion.objects.get(minutes__meeting=first, number=1)
    assert v1.state == "approved"
    assert v1.digest == digest
    assert client.get(f"/minutes/meeting/{first.pk}/v1/").status_code == 200
    assert "นายขาด ประชุม" in pdf_text(body(client.get(f"/minutes/meeting/{first.pk}/v1.pdf")))
    v2.refresh_from_db()
    assert v2.content["absentees"][0]["reason"] == "ลาป่วย"
    assert v2.digest != digest
    # Every write is in the audit log
    assert AuditEntry.objects.filter(target_type="minutes.MinutesVersion").count() >= 6


def test_approval_with_corrections_makes_version_two_and_keeps_one(held):
    first, second, _third = held.meetings
    v1 = services.minutes_draft(meeting=first, by=held.scheduler)
    minutes = v1.minutes
    services.minutes_send(minutes=minutes, by=held.scheduler)
    corrected = dict(v1.content, ended_at="12.00 น.")
    v2 = services.minutes_approve(minutes=minutes, by_meeting=second, decision="corrected", method="consensus",
                                  corrections="แก้เวลาเลิกประชุมเป็น 12.00 น.", content=corrected, by=held.scheduler)
    v1.refresh_from_db()
    assert (v1.number, v1.state, v1.content["ended_at"]) == (1, "superseded", v1.content["ended_at"])
    assert v1.content["ended_at"] != "12.00 น."
    assert (v2.number, v2.state, v2.content["ended_at"], v2.approval.decision) == (2, "approved", "12.00 น.",
                                                                                    "corrected")
    with v2.pdf.open("rb") as handle:
        assert "12.00 น." in pdf_text(handle.read())


def test_approval_by_a_vote_on_item_two_keeps_the_result(held, scheduler):
    from datetime import timedelta

    from django.utils import timezone

    from proceedings import services as proceedings

    from .conftest import move, pass_of

    first, second, _third = held.meetings
    v1 = services.minutes_draft(meeting=first, by=held.scheduler)
    services.minutes_send(minutes=v1.minutes, by=held.scheduler)
    move(first, start=timezone.now() - timedelta(days=1))
    second = move(second, start=timezone.now() - timedelta(minutes=10))
    vote = proceedings.vote_open(meeting=second, agenda_item=2, question="รับรองรายงานการประชุมครั้งที่แล้ว",
                                 opened_by=held.scheduler)
    for code in ("41", "4101", "4104"):
        proceedings.vote_cast(vote=vote, join_pass=pass_of(second, code), choice="approve")
    proceedings.vote_close(vote=vote, closed_by=held.scheduler)
    approved = services.minutes_approve(minutes=v1.minutes, by_meeting=second, decision="as_is", method="vote",
                                        by=held.scheduler)
    assert approved.approval.vote["counts"]["เห็นชอบ"] == 3
    assert approved.approval.vote["agenda_item"] == 2


def test_refusals_write_nothing(held):
    first, second, third = held.meetings
    by = held.scheduler

    def counts():
        return (Minutes.objects.count(), MinutesVersion.objects.count(), MinutesApproval.objects.count(),
                AuditEntry.objects.count(), list(MinutesVersion.objects.order_by("pk").values_list("state", "digest")))

    v1 = services.minutes_draft(meeting=first, by=by)
    minutes = v1.minutes

    # A draft never sent
    before = counts()
    with pytest.raises(ValidationError, match="ยังไม่ได้ส่ง"):
        services.minutes_approve(minutes=minutes, by_meeting=second, decision="as_is", method="consensus", by=by)
    assert counts() == before

    services.minutes_send(minutes=minutes, by=by)
    # A meeting that is not the next one of the same series
    before = counts()
    with pytest.raises(ValidationError, match="ไม่ใช่การประชุมครั้งถัดไปของชุดเดียวกัน"):
        services.minutes_approve(minutes=minutes, by_meeting=third, decision="as_is", method="consensus", by=by)
    with pytest.raises(ValidationError, match="ไม่ใช่การประชุมครั้งถัดไปของชุดเดียวกัน"):
        services.minutes_approve(minutes=minutes, by_meeting=first, decision="as_is", method="consensus", by=by)
    # A vote asked for, none held on item 2
    with pytest.raises(ValidationError, match="ระเบียบวาระที่ 2"):
        services.minutes_approve(minutes=minutes, by_meeting=second, decision="as_is", method="vote", by=by)
    assert counts() == before

    services.minutes_approve(minutes=minutes, by_meeting=second, decision="as_is", method="consensus", by=by)
    # Approving twice
    before = counts()
    with pytest.raises(ValidationError, match="รับรองซ้ำไม่ได้"):
        services.minutes_approve(minutes=minutes, by_meeting=second, decision="as_is", method="consensus", by=by)
    # Editing an approved version
    with pytest.raises(ValidationError, match="รับรองแล้วจึงแก้ไขไม่ได้"):
        services.minutes_edit(minutes=minutes, content=dict(v1.content, heading="แก้"), by=by)
    assert counts() == before


def test_refusals_on_the_pages_and_the_api_are_thai_and_write_nothing(held, client):
    first, second, third = held.meetings
    client.force_login(held.scheduler)
    services.minutes_draft(meeting=first, by=held.scheduler)
    before = (MinutesVersion.objects.count(), MinutesApproval.objects.count())
    # The page: the third meeting's item 2 is about the second's minutes (none): refused
    response = client.post(f"/minutes/meeting/{third.pk}/approve/", {"decision": "as_is", "method": "consensus"})
    assert response.status_code == 400
    assert "ยังไม่มีรายงานการประชุมที่ส่งแล้ว" in response.content.decode()
    # The page: the draft was never sent
    response = client.post(f"/minutes/meeting/{second.pk}/approve/", {"decision": "as_is", "method": "consensus"})
    assert response.status_code == 400
    assert "ยังไม่ได้ส่ง" in response.content.decode()
    # The API: not the next meeting
    assert client.post(f"/api/meetings/{first.pk}/minutes/send/").status_code == 200
    response = client.post(f"/api/meetings/{first.pk}/minutes/approve/",
                           {"by_meeting": third.pk, "decision": "as_is", "method": "consensus"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "ไม่ใช่การประชุมครั้งถัดไปของชุดเดียวกัน" in response.json()["non_field_errors"][0]
    assert (MinutesVersion.objects.count(), MinutesApproval.objects.count()) == before


def test_minutes_of_a_meeting_outside_a_series_have_no_next_meeting_to_approve_them(held):
    from tests.factories.meetings import MeetingFactory

    lone = MeetingFactory.create(created_by=held.scheduler)
    version = services.minutes_draft(meeting=lone, by=held.scheduler)
    services.minutes_send(minutes=version.minutes, by=held.scheduler)
    before = (MinutesApproval.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError, match="ไม่ได้อยู่ในชุดการประชุม"):
        services.minutes_approve(minutes=version.minutes, by_meeting=held.meetings[1], decision="as_is",
                                 method="consensus", by=held.scheduler)
    assert (MinutesApproval.objects.count(), AuditEntry.objects.count()) == before
    version.refresh_from_db()
    assert version.state == "sent"
