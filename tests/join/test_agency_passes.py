"""Invited agencies join (issue 15, point 7): an agency invited to a meeting gets a join pass of its own, on the
same terms as a site — its link /j/<token>/, its 12 digits at /k/, .ics, printable sheet and QR code, a media
token on the real Janus, and attendance rows of its own — and never moderates. Taking it off the meeting, or
cancelling the meeting, revokes the pass; its invitation email and .ics (through a real SMTP server) carry the
pass's link instead of the scheduler's meeting page."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import Agency, Staff
from join import services
from join.links import agency_marker, join_path, join_url, short_path
from join.models import Attendance, JoinPass
from meetings.backends.base import Participant
from meetings.models import MediaServer
from meetings.services.scheduling import meeting_cancel, meeting_update
from notifications.models import Notification
from notifications.services import notifications_deliver
from tests.factories.meetings import MediaServerFactory, site
from tests.notifications.conftest import calendar_of, smtp, text_of  # noqa: F401 - `smtp` is a fixture
from tests.services.janus import JoinRefused, RawParticipant

from .conftest import HALL, KUMPHAWAPI, MUEANG, agency_pass_of, pass_of
from .test_passes import call_config

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def new_agency(name: str = "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัดอุดรธานี", email: str = "pbb@example.go.th"):
    return Agency.objects.create(province=site(HALL).province, name=name, email=email, phone="042-000-000")


def invite(schedule, meeting, *agencies):
    with schedule.committed():
        return meeting_update(meeting=meeting, agencies=list(agencies), by=schedule.scheduler)


def deliver_pending(meeting) -> None:
    ids = Notification.objects.filter(meeting=meeting, state=Notification.State.PENDING).values_list("pk", flat=True)
    notifications_deliver(ids=list(ids))


def mails_to(received, address: str) -> list:
    return [mail for mail in received if mail.recipients == [address]]


def test_an_invited_agency_has_a_pass_of_its_own_and_one_at_most(fake_server, schedule):
    agency = new_agency()
    meeting = invite(schedule, schedule(sites=(MUEANG,)), agency)
    join_pass = agency_pass_of(meeting, agency)
    assert (join_pass.site, join_pass.agency, join_pass.holder, join_pass.holder_name) == (
        None, agency, agency, agency.name)
    assert join_pass.is_agency
    assert not join_pass.is_moderator
    assert len(join_pass.token) >= 40
    assert len(join_pass.short_code) == 12
    # Scheduling again keeps it; a second live pass of the same agency, or a pass of nobody or of both, is refused.
    services.join_passes_ensure(meeting=meeting)
    assert JoinPass.objects.filter(meeting=meeting, agency=agency, revoked_at__isnull=True).count() == 1
    for holder in ({"agency": agency}, {}, {"agency": agency, "site": site(MUEANG)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            JoinPass.objects.create(meeting=meeting, token=services.new_token(), **holder)


def test_the_agency_joins_from_its_link_or_its_digits_without_moderating_and_gets_its_sheet_and_ics(
    client, fake_server, schedule
):
    agency = new_agency()
    meeting = invite(schedule, schedule(sites=(MUEANG,)), agency)
    join_pass = agency_pass_of(meeting, agency)

    response = client.get(join_path(join_pass.token))
    assert response.status_code == 200
    config = call_config(response)
    assert config["display"] == agency_marker(agency)
    assert config["moderator"] is False
    assert config["moderateUrl"] == ""
    assert config["token"] == join_pass.media_token
    assert config["testUrl"] == ""  # a test call is a site's room
    page = response.content.decode()
    assert agency.name in page
    assert "ส่วนราชการที่ได้รับเชิญ" in page
    # Moderation is refused (403), whatever the agency posts.
    refused = client.post(reverse("j:moderate", kwargs={"token": join_pass.token}),
                          {"participant": "1", "action": "kick"})
    assert refused.status_code == 403
    assert client.post(reverse("j:test", kwargs={"token": join_pass.token})).status_code == 403

    # The 12 digits as printed, typed by hand.
    typed = " ".join(join_pass.short_code[i:i + 4] for i in range(0, 12, 4))
    answer = client.get(short_path(), {"code": typed})
    assert (answer.status_code, answer["Location"]) == (302, join_path(join_pass.token))

    sheet = client.get(reverse("j:sheet", kwargs={"token": join_pass.token}))
    assert sheet.status_code == 200
    text = sheet.content.decode()
    assert agency.name in text
    assert join_url(join_pass.token) in text
    assert "<svg" in text
    assert typed in text

    pdf = client.get(reverse("j:sheet-pdf", kwargs={"token": join_pass.token}))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    words = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True).stdout
    assert join_url(join_pass.token) in words.decode()

    ics = client.get(reverse("j:ics", kwargs={"token": join_pass.token}))
    assert ics.status_code == 200
    body = ics.content.decode()
    assert "METHOD:PUBLISH" in body
    assert join_url(join_pass.token) in body.replace("\r\n ", "")


def test_the_agencys_email_and_ics_carry_its_link_and_taking_it_off_revokes_the_pass_and_sends_a_cancel(
    client, fake_server, schedule, smtp  # noqa: F811 - the fixture imported above
):
    agency = new_agency(email="pbb.udon@example.go.th")
    meeting = invite(schedule, schedule(sites=(MUEANG,)), agency)
    deliver_pending(meeting)
    join_pass = agency_pass_of(meeting, agency)
    link = join_url(join_pass.token)
    assert "/j/" in link
    [invitation] = mails_to(smtp.received, agency.email)
    assert invitation.subject.startswith("[เชิญประชุม]")
    text = text_of(invitation)
    assert link in text
    assert f"/meetings/{meeting.pk}/" not in text  # the scheduler's page, which it could not open
    event = next(iter(calendar_of(invitation).walk("VEVENT")))
    assert (str(event["URL"]), calendar_of(invitation)["METHOD"]) == (link, "REQUEST")
    assert link in str(event["DESCRIPTION"])

    other = new_agency(name="สำนักงานสาธารณสุขจังหวัดอุดรธานี", email="ssj.udon@example.go.th")
    meeting = invite(schedule, meeting, other)  # the first agency is taken off, another invited
    deliver_pending(meeting)
    join_pass.refresh_from_db()
    assert join_pass.revoked_at is not None
    assert "นำออก" in join_pass.revoked_reason
    assert not JoinPass.objects.filter(meeting=meeting, agency=agency, revoked_at__isnull=True).exists()
    cancel = mails_to(smtp.received, agency.email)[-1]
    assert calendar_of(cancel)["METHOD"] == "CANCEL"
    assert cancel.subject.startswith("[แจ้งยกเลิกการประชุม]")
    assert client.get(join_path(join_pass.token)).status_code == 410
    assert client.get(reverse("j:sheet", kwargs={"token": join_pass.token})).status_code == 410
    # The new agency's invitation holds its own link.
    [welcome] = mails_to(smtp.received, other.email)
    assert join_url(agency_pass_of(meeting, other).token) in text_of(welcome)

    with schedule.committed():
        meeting_cancel(meeting=meeting, by=schedule.scheduler, reason="ติดภารกิจ")
    assert not JoinPass.objects.filter(meeting=meeting, agency__isnull=False, revoked_at__isnull=True).exists()
    assert JoinPass.objects.get(meeting=meeting, agency=other).revoked_reason == "การประชุมถูกยกเลิก"


def test_on_a_real_janus_the_agencys_token_opens_the_room_and_its_attendance_is_the_agencys(
    client, login, janus, janus_server, schedule
):
    agency = new_agency()
    meeting = invite(schedule, schedule(sites=(MUEANG, KUMPHAWAPI)), agency)
    join_pass = agency_pass_of(meeting, agency)
    room = meeting.room
    assert join_pass.media_token in janus.tokens()  # added when the agency was invited

    config = call_config(client.get(join_path(join_pass.token)))
    browser = RawParticipant(janus, config["room"], display=config["display"], pin=config["pin"],
                             token=config["token"]).enter()
    try:
        assert services.attendance_poll(meeting_id=meeting.pk).ok
        row = Attendance.objects.get(meeting=meeting)
        assert (row.agency, row.site, row.left_at) == (agency, None, None)  # the agency's, by the token that let it in
        board = login(Staff.Role.SCHEDULER, HALL).get(reverse("join:control")).content.decode()
        agency_row = re.search(rf'<tr data-agency="{agency.pk}" data-state="(\w+)">', board)
        assert agency_row
        assert agency_row.group(1) == "connected"
        assert "ไม่ทราบว่ามาจากสถานที่ใด" not in board  # not a guest
    finally:
        browser.leave()
    services.attendance_poll(meeting_id=meeting.pk)
    report = login(Staff.Role.SCHEDULER, HALL).get(reverse("join:attendance", kwargs={"pk": meeting.pk}))
    assert re.search(rf'<li data-agency="{agency.pk}" data-status="(present|late)">', report.content.decode())
    csv_text = login(Staff.Role.SCHEDULER, HALL).get(
        reverse("join:attendance-csv", kwargs={"pk": meeting.pk})).content.decode("utf-8-sig")
    assert f"{agency.name},ส่วนราชการที่ได้รับเชิญ,มาประชุม" in csv_text

    # Taken off the meeting: the token leaves Janus and opens nothing any more.
    with schedule.committed():
        meeting_update(meeting=meeting, agencies=[], by=schedule.scheduler)
    assert join_pass.media_token not in janus.tokens()
    with pytest.raises(JoinRefused, match="403"):
        RawParticipant(janus, room.number, display="x", pin=room.pin, token=join_pass.media_token).join()
    assert pass_of(meeting, MUEANG).media_token in janus.tokens()


def test_on_jitsi_the_agencys_link_redirects_with_its_own_identity_and_no_moderator_right(
    client, schedule, monkeypatch
):
    import jwt

    monkeypatch.setenv("JITSI_TEST_APP_SECRET", "s" * 40)
    MediaServerFactory.create(
        name="jitsi", kind=MediaServer.Kind.JITSI, url="https://meet.example.go.th", secret_env="JITSI_TEST",
        options={"app_id": "prachum"},
    )
    agency = new_agency()
    meeting = invite(schedule, schedule(), agency)
    response = client.get(join_path(agency_pass_of(meeting, agency).token))
    assert response.status_code == 302
    claims = jwt.decode(response["Location"].split("jwt=")[1], "s" * 40, algorithms=["HS256"],
                        options={"verify_aud": False})
    assert claims["context"]["user"]["name"] == agency_marker(agency)
    assert "moderator" not in claims["context"]["user"]
    assert claims["context"]["user"]["id"] == services.agency_user_id(agency.pk)
    assert claims["exp"] == int((meeting.end + timedelta(minutes=10)).timestamp())
    # Its occupant counts for the agency (Prosody reports the identity signed into the token).
    present = [Participant(id="7", display="ใครก็ได้", holder=services.agency_user_id(agency.pk))]
    services.attendance_record(meeting_id=meeting.pk, present=present, now=meeting.start)
    assert Attendance.objects.get(meeting=meeting).agency == agency


def test_the_control_centre_lists_the_agencies_in_the_same_number_of_queries(
    login, fake_server, schedule, django_assert_num_queries
):
    meeting = schedule(sites=(MUEANG,))
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    url = reverse("join:control-board")
    scheduler.get(url)  # the session's first reads
    invite(schedule, meeting, new_agency())
    with CaptureQueriesContext(connection) as one:
        first = scheduler.get(url).content.decode()
    invite(schedule, meeting, *[new_agency(name=f"ส่วนราชการที่ {n}", email=f"a{n}@example.go.th") for n in range(3)])
    with django_assert_num_queries(len(one.captured_queries)):
        page = scheduler.get(url).content.decode()
    assert first.count("data-agency=") == 1
    assert page.count("data-agency=") == 3
    assert 'data-state="not_yet"' in page


def test_the_agencys_pass_has_its_window_as_a_sites(client, fake_server, schedule):
    agency = new_agency()
    meeting = invite(schedule, schedule(sites=(MUEANG,), starts_in=240), agency)
    join_pass = agency_pass_of(meeting, agency)
    early = client.get(join_path(join_pass.token))
    assert early.status_code == 403
    page = early.content.decode()
    # Before the room opens it can print its sheet and take its calendar file, but no test room.
    assert reverse("j:sheet", kwargs={"token": join_pass.token}) in page
    assert reverse("j:ics", kwargs={"token": join_pass.token}) in page
    assert reverse("j:test", kwargs={"token": join_pass.token}) not in page
    assert join_pass.closes_at == meeting.end
    assert join_pass.opens_at == meeting.start - timedelta(minutes=30)
