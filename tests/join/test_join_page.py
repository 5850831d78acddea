"""The join page and moderation: a fixed query cost, and the host site (only) mutes or removes a site through the
portal, which acts on the media server with the room's secret (never a browser)."""

from __future__ import annotations

import pytest
from django.test import Client

from foundation.models import AuditEntry
from join.links import join_path, pass_moderate_path, site_marker
from meetings.backends.base import Participant
from meetings.backends.fake import FakeBackend
from tests.factories.meetings import MeetingFactory, site
from tests.services.janus import RawParticipant

from .conftest import HALL, KUMPHAWAPI, MUEANG, NA_YUNG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# The pass with its meeting, room, server and site, and whether the site is still invited: one query. The page
# only reads, outside ATOMIC_REQUESTS (no savepoint pair here, no BEGIN/COMMIT in production). Anonymous: no
# session or user query.
JOIN_PAGE_QUERIES = 1


@pytest.mark.parametrize("count", [1, 50])
def test_the_join_page_costs_a_fixed_number_of_queries(client, fake_server, schedule, count,
                                                        django_assert_num_queries):
    for _ in range(count - 1):
        MeetingFactory.create(host=HALL, sites=(NA_YUNG,))
    meeting = schedule(sites=(NA_YUNG,))
    token = pass_of(meeting, NA_YUNG).token
    with django_assert_num_queries(JOIN_PAGE_QUERIES):
        response = client.get(join_path(token))
    assert response.status_code == 200


def people(meeting, *codes):
    """Put sites in the fake room, as the media server would list them; returns their participant ids by code."""
    from join.models import JoinPass

    sites = {p.site.code: p.site for p in JoinPass.objects.filter(meeting=meeting).select_related(
        "site__district", "site__province")}
    FakeBackend.set_participants(
        meeting.room.number,
        [Participant(id=str(1000 + i), display=site_marker(sites[code]), publisher=True) for i, code in
         enumerate(codes)],
    )
    return {code: str(1000 + i) for i, code in enumerate(codes)}


def moderate(client, token: str, participant: str, action: str):
    return client.post(pass_moderate_path(token), {"participant": participant, "action": action})


def test_the_host_mutes_and_removes_a_site(client, fake_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    ids = people(meeting, HALL, MUEANG, KUMPHAWAPI)
    host = pass_of(meeting, HALL).token

    response = moderate(client, host, ids[MUEANG], "mute")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert FakeBackend.is_muted(meeting.room.number, ids[MUEANG])

    response = moderate(client, host, ids[KUMPHAWAPI], "kick")
    assert response.status_code == 200
    assert response.json()["display"].startswith("4104 · ")
    remaining = {p.id for p in FakeBackend().participants(meeting.room.number)}
    assert remaining == {ids[HALL], ids[MUEANG]}
    # Who moderated whom is in the meeting's record (the evidence pack's traffic log).
    done = AuditEntry.objects.filter(detail__meeting=meeting.pk, detail__has_key="moderation").order_by("pk")
    assert [(e.detail["moderation"], e.detail["by_site"], e.detail["participant"][:4], e.province_code)
            for e in done] == [("mute", HALL, MUEANG, "41"), ("kick", HALL, KUMPHAWAPI, "41")]


def test_a_participant_site_cannot_moderate(client, fake_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    ids = people(meeting, HALL, MUEANG, KUMPHAWAPI)
    for action in ("mute", "kick"):
        response = moderate(client, pass_of(meeting, MUEANG).token, ids[KUMPHAWAPI], action)
        assert response.status_code == 403
        assert "เฉพาะสถานที่ประธาน" in response.json()["error"]
    assert not FakeBackend.is_muted(meeting.room.number, ids[KUMPHAWAPI])
    assert len(FakeBackend().participants(meeting.room.number)) == 3


def test_moderation_needs_a_valid_pass_a_present_participant_a_known_action_and_csrf(client, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    ids = people(meeting, HALL, MUEANG)
    host = pass_of(meeting, HALL).token
    assert moderate(client, host, "999999", "kick").status_code == 400  # not in the room
    assert moderate(client, host, ids[MUEANG], "delete").status_code == 400
    assert moderate(client, "x" * 43, ids[MUEANG], "kick").status_code == 404
    assert client.get(pass_moderate_path(host)).status_code == 405

    strict = Client(enforce_csrf_checks=True)
    assert moderate(strict, host, ids[MUEANG], "kick").status_code == 403  # no CSRF token
    page = strict.get(join_path(host))
    token = page.cookies["csrftoken"].value
    response = strict.post(pass_moderate_path(host), {"participant": ids[MUEANG], "action": "kick"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert [p.id for p in FakeBackend().participants(meeting.room.number)] == [ids[HALL]]


def test_moderation_on_a_real_janus(client, janus, janus_server, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    room = meeting.room
    assert room.server == janus_server
    hall, mueang = (
        RawParticipant(janus, room.number, display=site_marker(site(code)), pin=room.pin).enter()
        for code in (HALL, MUEANG)
    )
    try:
        present = {p["id"] for p in janus.admin_message({"request": "listparticipants", "room": room.number})[
            "participants"]}
        assert present == {hall.id, mueang.id}

        # A participant site cannot remove the host; the host can mute and remove the site.
        assert moderate(client, pass_of(meeting, MUEANG).token, str(hall.id), "kick").status_code == 403
        assert moderate(client, pass_of(meeting, HALL).token, str(mueang.id), "mute").json()["ok"] is True
        assert moderate(client, pass_of(meeting, HALL).token, str(mueang.id), "kick").json()["ok"] is True
        present = {p["id"] for p in janus.admin_message({"request": "listparticipants", "room": room.number})[
            "participants"]}
        assert present == {hall.id}
    finally:
        hall.leave()
        mueang.leave()


def test_the_join_page_may_connect_to_its_media_server_and_nowhere_else(client, fake_server, schedule):
    meeting = schedule(sites=(NA_YUNG,))
    response = client.get(join_path(pass_of(meeting, NA_YUNG).token))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    connect = next(part for part in policy.split(";") if part.strip().startswith("connect-src")).split()[1:]
    server = meeting.room.server
    from urllib.parse import urlsplit

    url = urlsplit(server.public_url or server.url)
    assert connect == ["'self'", f"{url.scheme}://{url.netloc}"]
    assert "script-src 'self'" in policy


def test_the_chair_enters_from_the_meeting_page_and_from_the_control_centre(login, fake_server, schedule):
    from django.urls import reverse

    from districts.models import Staff
    from join.links import join_path

    meeting = schedule(sites=(MUEANG,))
    chair = join_path(pass_of(meeting, HALL).token)
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    page = scheduler.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).content.decode()
    assert f'href="{chair}"' in page
    assert "ยังไม่มีสถานที่เข้าร่วม" not in page
    board = scheduler.get(reverse("join:control-board")).content.decode()
    assert f'href="{chair}"' in board
    assert join_path(pass_of(meeting, MUEANG).token) not in board  # the chair's link only

    alone = schedule(sites=(), starts_in=180)
    page = scheduler.get(reverse("meetings:detail", kwargs={"pk": alone.pk})).content.decode()
    assert "ยังไม่มีสถานที่เข้าร่วมนอกจากสถานที่ประธาน" in page  # a meeting nobody is invited to says so


def test_the_clerk_opens_the_meetings_documents_from_the_site_page_and_the_join_page(
    login, fake_server, schedule, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()  # the room's notebook: no login
    from django.urls import reverse

    from districts.models import Staff
    from join.links import join_path
    from join.services import join_pass_renew
    from meetings.services import document_attach

    settings.MEDIA_ROOT = tmp_path
    settings.PRACHUM_MEDIA_ACCEL_REDIRECT = ""  # Django sends the file here (nginx does in production)
    meeting = schedule(sites=(MUEANG,), starts_in=10)
    bare = schedule(sites=(MUEANG,), starts_in=180)
    agenda = document_attach(meeting=meeting, file=SimpleUploadedFile("วาระการประชุม.pdf", b"%PDF-1.4\n%%EOF\n"),
                             uploaded_by=schedule.scheduler)
    other = document_attach(meeting=bare, file=SimpleUploadedFile("อื่น.pdf", b"%PDF-1.4\n%%EOF\n"),
                            uploaded_by=schedule.scheduler)

    clerk = login(Staff.Role.CLERK, MUEANG)
    page = clerk.get(reverse("site:page", kwargs={"code": MUEANG})).content.decode()
    download = reverse("meetings:document", kwargs={"pk": meeting.pk, "document_id": agenda.pk})
    assert f'href="{download}"' in page
    assert "วาระการประชุม.pdf" in page
    assert b"".join(clerk.get(download).streaming_content).startswith(b"%PDF")

    token = pass_of(meeting, MUEANG).token
    join = client.get(join_path(token)).content.decode()  # the room's notebook: no login
    listing_path = reverse("j:documents", kwargs={"token": token})
    assert f'href="{listing_path}"' in join
    listing = client.get(listing_path)
    assert listing.status_code == 200
    assert "วาระการประชุม.pdf" in listing.content.decode()
    assert "อื่น.pdf" not in listing.content.decode()
    file = client.get(reverse("j:document", kwargs={"token": token, "document_id": agenda.pk}))
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    assert file["Cache-Control"] == "no-store"
    # Another meeting's document through this pass: not found; a renewed (revoked) pass: nothing at all.
    assert client.get(reverse("j:document", kwargs={"token": token, "document_id": other.pk})).status_code == 404
    assert f'href="{reverse("j:documents", kwargs={"token": pass_of(bare, MUEANG).token})}"' not in client.get(
        join_path(pass_of(bare, MUEANG).token)).content.decode()
    join_pass_renew(meeting=meeting, site=pass_of(meeting, MUEANG).site)
    assert client.get(reverse("j:document", kwargs={"token": token, "document_id": agenda.pk})).status_code in (
        403, 404, 410)


def test_the_sheets_twelve_digits_typed_by_hand_open_the_join_page(client, login, fake_server, schedule):
    import re as regex

    from django.urls import reverse

    from districts.models import Staff
    from join.links import join_path
    from join.services import join_pass_renew

    meeting = schedule(sites=(MUEANG,), starts_in=60)
    join_pass = pass_of(meeting, MUEANG)
    code = join_pass.short_code
    assert regex.fullmatch(r"\d{12}", code)
    grouped = f"{code[:4]} {code[4:8]} {code[8:]}"
    clerk = login(Staff.Role.CLERK, MUEANG)
    sheet = clerk.get(reverse("join:sheet", kwargs={"code": MUEANG, "pk": meeting.pk})).content.decode()
    assert grouped in sheet  # printed large beside the QR code, with where to type it
    assert "/k/" in sheet
    assert grouped in clerk.get(reverse("site:page", kwargs={"code": MUEANG})).content.decode()

    opened = client.get(f"/k/{code}/")
    assert (opened.status_code, opened["Location"]) == (302, join_path(join_pass.token))
    assert opened["Cache-Control"] == "no-store"
    assert client.get("/k/").status_code == 200  # the box to type it in
    thai_digits = grouped.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    for typed in (grouped, f"{code[:4]}-{code[4:8]}-{code[8:]}", thai_digits):
        answer = client.get("/k/", {"code": typed})
        assert (answer.status_code, answer["Location"]) == (302, join_path(join_pass.token)), typed
    wrong = client.get("/k/", {"code": "1234 5678 9012"})
    assert wrong.status_code == 404
    assert "ไม่พบรหัสนี้" in wrong.content.decode()
    assert client.get("/k/12345/").status_code == 404
    assert client.get(f"/k/{code}x/").status_code == 404

    later = schedule(sites=(MUEANG,), starts_in=60 * 30)  # in 30 hours: its code does not open yet
    assert client.get(f"/k/{pass_of(later, MUEANG).short_code}/").status_code == 404
    join_pass_renew(meeting=meeting, site=join_pass.site)  # a renewed link: the old code is dead, the new one works
    assert client.get(f"/k/{code}/").status_code == 404
    assert client.get(f"/k/{pass_of(meeting, MUEANG).short_code}/").status_code == 302
