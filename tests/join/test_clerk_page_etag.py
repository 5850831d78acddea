"""The clerk's page and a browser's revalidation (join/clerk_page_etag.py): 304 Not Modified only while every row
the page shows, who asks and the clock say the browser's copy is still the page; anything else renders again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from districts.models import Site, Staff
from join import services
from join.clerk_page_etag import DIGEST_TABLES, PER_REQUEST_TABLES
from join.links import join_url
from join.models import JoinPass, TestCall
from meetings.models import Document, Meeting, Room
from meetings.services.scheduling import meeting_cancel
from tests.factories.meetings import site

from .conftest import HALL, MUEANG, pass_of

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CLERK = Staff.Role.CLERK
# A revisit: the session (1), the user with their Staff row and site (1), the digest of the page's rows (1).
REVISIT = 3


def page(code: str = MUEANG) -> str:
    return reverse("site:page", kwargs={"code": code})


def visit(client, etag: str = "", **extra):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(page(), **headers, **extra)


@pytest.fixture
def seen(login, fake_server, schedule):
    """A clerk of Mueang who has seen their page once (a meeting later today on it): (client, meeting, ETag)."""
    meeting = schedule(sites=(MUEANG,), starts_in=120, title="ประชุมประจำเดือน")
    client = login(CLERK, MUEANG)
    first = visit(client)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first["Vary"]
    visit(client, first["ETag"])  # the CSRF cookie the first visit set is part of what the page depends on
    again = visit(client)
    return client, meeting, again["ETag"]


def test_a_revisit_with_nothing_changed_is_a_304_at_three_queries(seen, django_assert_num_queries):
    client, _meeting, etag = seen
    with django_assert_num_queries(REVISIT):
        answer = visit(client, etag)
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer["Cache-Control"] == "private, no-cache"
    assert visit(client, f"W/{etag}").status_code == 304  # a proxy that gzips makes the tag weak
    assert visit(client, f'"other", {etag}').status_code == 304  # several tags: any one of them


def _shell_edit_meeting(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(title="ประชุมประจำเดือน (เลื่อนห้อง)")  # a shell, no signal
    return "ประชุมประจำเดือน (เลื่อนห้อง)"


def _admin_edit_site(meeting):
    Site.objects.filter(pk=site(MUEANG).pk).update(contact_phone="042-111-222")
    return "042-111-222"


def _rename_host(meeting):
    Site.objects.filter(pk=site(HALL).pk).update(name="ศาลากลางจังหวัดอุดรธานี (อาคารใหม่)")
    return "ศาลากลางจังหวัดอุดรธานี (อาคารใหม่)"


def _cancel(meeting):
    meeting_cancel(meeting=meeting, reason="ประธานติดภารกิจ")
    return "ยกเลิก"


def _renew_pass(meeting):
    renewed = services.join_pass_renew(meeting=meeting, site=site(MUEANG))
    return renewed.token


def _document(meeting):
    Document.objects.create(meeting=meeting, name="วาระการประชุม.pdf", kind=Document.Kind.PDF, size=4,
                            file=SimpleUploadedFile("agenda.pdf", b"%PDF", content_type="application/pdf"))
    return "วาระการประชุม.pdf"


def _room_waits(meeting):
    Room.objects.filter(meeting=meeting).update(provisioned_version=0, server=None)


def _test_call(meeting):
    TestCall.objects.create(site=site(MUEANG), token="etag-test-call", result=TestCall.Result.OK,
                            finished_at=timezone.now())
    return "เห็นภาพและได้ยินเสียง"


def _feed(meeting):
    return services.calendar_feed_renew(site=site(MUEANG)).token


def _pass_revoked_in_the_database(meeting):
    JoinPass.objects.filter(meeting=meeting, site=site(MUEANG)).update(revoked_at=timezone.now())


@pytest.mark.parametrize("change", [
    _shell_edit_meeting, _admin_edit_site, _rename_host, _cancel, _renew_pass, _document, _room_waits, _test_call,
    _feed, _pass_revoked_in_the_database,
], ids=lambda change: change.__name__.strip("_"))
def test_any_change_to_what_the_page_shows_renders_it_again(seen, change, django_capture_on_commit_callbacks):
    client, meeting, etag = seen
    before = visit(client).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        shown = change(meeting)
    answer = visit(client, etag)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body != before
    if shown:
        assert shown in body
    assert answer["ETag"] != etag
    assert visit(client, answer["ETag"]).status_code == 304  # and the new copy is good until the next change


def test_the_clock_the_user_the_language_and_a_message_count_too(seen, login, settings):
    client, meeting, etag = seen
    # The Join button opens 30 minutes before the start (two hours from now): the tag holds until then, not after.
    with time_machine.travel(timezone.now() + timedelta(minutes=89), tick=False):
        assert visit(client, etag).status_code == 304
    with time_machine.travel(timezone.now() + timedelta(minutes=91), tick=False):
        opened = visit(client, etag)
        assert opened.status_code == 200
        link = join_url(pass_of(meeting, MUEANG).token)
        assert f'<a class="button big join" href="{link}"' in opened.content.decode()
    # Another person of the same site, holding the first one's tag, gets their own page.
    colleague = login(CLERK, MUEANG, the_client=Client())
    assert visit(colleague, etag).status_code == 200
    # English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert visit(client, etag).status_code == 200
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    assert visit(client, etag).status_code == 304
    # A message waiting after a POST's redirect (the new calendar link) is shown, not skipped.
    client.post(reverse("join:feed-renew", kwargs={"code": MUEANG}))
    shown = visit(client, etag)
    assert shown.status_code == 200


def test_a_made_up_or_altered_tag_renders_the_page(seen):
    client, _meeting, etag = seen
    until, signature = etag.strip('"').split("-")
    for forged in (f'"{int(until) + 86400}-{signature}"', f'"{until}-{"0" * len(signature)}"', '"*"', "garbage"):
        assert visit(client, forged).status_code == 200
    get_user_model().objects.filter(pk=client.session["_auth_user_id"]).update(is_active=False)
    assert visit(client, etag).status_code == 302  # signed out by the deactivation: the login page, not a 304


TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([a-z_][a-z0-9_]*)"?', re.I)


def tables_read(sql_statements: list[str]) -> set[str]:
    return {name.lower() for sql in sql_statements for name in TABLE.findall(sql)} - {"ahead"}


def test_the_digest_covers_every_table_the_page_reads(login, fake_server, schedule):
    """If the page starts showing rows of another table, that table must join the digest (or the page would stay
    the same for a browser after those rows change): this test names the table to add."""
    meeting = schedule(sites=(MUEANG,), starts_in=20, title="ประชุมเช้านี้")
    Document.objects.create(meeting=meeting, name="a.pdf", kind=Document.Kind.PDF, size=4,
                            file=SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf"))
    services.calendar_feed_renew(site=site(MUEANG))
    TestCall.objects.create(site=site(MUEANG), token="etag-tables", result=TestCall.Result.OK,
                            finished_at=timezone.now())
    client = login(CLERK, MUEANG)
    client.get(page())
    for path in (page(), page() + "?all=1"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        read = tables_read([query["sql"] for query in captured.captured_queries])
        assert {"meetings_meeting", "meetings_joinpass", "meetings_document", "auth_user"} <= read  # it can see
        assert read - DIGEST_TABLES - PER_REQUEST_TABLES == set()


def test_the_table_finder_finds_tables():
    assert tables_read(['SELECT 1 FROM "minutes_minutes" INNER JOIN "districts_site" ON (x)']) == {
        "minutes_minutes", "districts_site"}
