"""The clerk's page (/sites/<code>/): the site's meetings with a big Join button, the .ics, the QR code, the
printable join sheet (HTML and PDF, Thai), the test call and the calendar feed — and nothing of any other site."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from districts.models import Staff
from foundation.thaidate import BANGKOK
from join.links import join_url
from join.models import CalendarFeed, JoinPass, TestCall
from join.qr import qr_code, qr_png, qr_svg_document
from tests.factories.meetings import MeetingFactory, site
from tests.services.ports import free_port

from .conftest import HALL, KUMPHAWAPI, MUEANG, NA_YUNG, minute, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CLERK = Staff.Role.CLERK


def site_page(code: str) -> str:
    return reverse("site:page", kwargs={"code": code})


def join_urls(code: str, pk: int) -> dict[str, str]:
    kwargs = {"code": code, "pk": pk}
    return {
        "ics": reverse("join:meeting-ics", kwargs=kwargs),
        "sheet": reverse("join:sheet", kwargs=kwargs),
        "pdf": reverse("join:sheet-pdf", kwargs=kwargs),
    }


def test_the_clerk_sees_their_meetings_with_join_button_qr_and_files(login, fake_server, schedule):
    today = schedule(sites=(MUEANG,), starts_in=20, title="ประชุมเช้านี้")
    later = schedule(sites=(MUEANG,), starts_in=60 * 30, title="ประชุมวันพรุ่งนี้")
    client = login(CLERK, MUEANG)
    body = client.get(site_page(MUEANG)).content.decode()

    open_link = join_url(pass_of(today, MUEANG).token)
    later_link = join_url(pass_of(later, MUEANG).token)
    assert f'<a class="button big join" href="{open_link}"' in body  # open now: 30 minutes before the start
    assert f'href="{later_link}"' not in body  # not yet: a disabled button and when it opens
    assert later_link in body  # the link itself is there to copy
    assert "ปุ่มนี้จะใช้ได้ตั้งแต่" in body
    for meeting in (today, later):  # a QR code per meeting: an image of its own, fetched when scrolled to
        qr = reverse("j:qr", kwargs={"token": pass_of(meeting, MUEANG).token})
        assert f'<img class="qr" src="{qr}" alt="คิวอาร์โค้ดของลิงก์เข้าร่วมประชุม: {meeting.title}"' in body
    assert body.count('loading="lazy"') == 2
    for url in (*join_urls(MUEANG, today.pk).values(), *join_urls(MUEANG, later.pk).values()):
        assert url in body
    assert reverse("join:site-test-call", kwargs={"code": MUEANG}) in body
    assert f'formaction="{reverse("join:feed-renew", kwargs={"code": MUEANG})}"' in body  # create the feed
    assert "/meetings/join/feed/" not in body  # none yet: the page only reads
    assert not CalendarFeed.objects.filter(site=site(MUEANG)).exists()
    for meeting in (today, later):
        assert meeting.room.secret not in body
        assert meeting.room.pin not in body


def test_a_clerk_cannot_see_another_sites_meetings_or_passes(login, fake_server, schedule):
    theirs = schedule(sites=(MUEANG,), title="ประชุมของเมือง")
    client = login(CLERK, KUMPHAWAPI)
    other = pass_of(theirs, MUEANG)
    assert client.get(site_page(MUEANG)).status_code == 403
    for url in join_urls(MUEANG, theirs.pk).values():
        assert client.get(url).status_code == 403
    renew = reverse("join:renew-link", kwargs={"code": MUEANG, "pk": theirs.pk})
    assert client.post(renew).status_code == 403
    assert client.get(renew).status_code == 403
    for name in ("site-test-call", "feed-renew"):
        assert client.post(reverse(f"join:{name}", kwargs={"code": MUEANG})).status_code == 403
    # Their own site's code with someone else's meeting: not found, not a leak.
    for url in join_urls(KUMPHAWAPI, theirs.pk).values():
        assert client.get(url).status_code == 404
    own = client.get(site_page(KUMPHAWAPI)).content.decode()
    assert theirs.title not in own
    assert other.token not in own
    # Province pages are for schedulers.
    assert client.get(reverse("join:control")).status_code == 403
    assert client.get(reverse("join:control-board")).status_code == 403
    assert client.get(reverse("join:attendance", kwargs={"pk": theirs.pk})).status_code == 403
    assert client.get(reverse("join:attendance-csv", kwargs={"pk": theirs.pk})).status_code == 403
    assert JoinPass.objects.get(pk=other.pk).revoked_at is None


def test_schedulers_see_any_site_of_their_province_finance_sees_no_links(login, fake_server, schedule, client):
    meeting = schedule(sites=(MUEANG,))
    link = join_url(pass_of(meeting, MUEANG).token)
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    assert link in scheduler.get(site_page(MUEANG)).content.decode()
    client.logout()
    finance = login(Staff.Role.FINANCE, HALL)
    body = finance.get(site_page(MUEANG)).content.decode()
    assert meeting.title in body
    assert link not in body
    assert finance.get(join_urls(MUEANG, meeting.pk)["ics"]).status_code == 403


def test_the_ics_parses_back_in_bangkok_time_with_the_sites_link(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,), title="ประชุมติดตามสงกรานต์")
    response = login(CLERK, MUEANG).get(join_urls(MUEANG, meeting.pk)["ics"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "ประชุมติดตามสงกรานต์"
    assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
    assert event["DTEND"].params["TZID"] == "Asia/Bangkok"
    assert event.decoded("DTSTART") == meeting.start
    assert event.decoded("DTEND") == meeting.end
    assert str(event["URL"]) == join_url(pass_of(meeting, MUEANG).token)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    assert b"TZID=Asia/Bangkok" in response.content
    assert meeting.room.secret.encode() not in response.content


def test_the_feed_is_subscribed_once_and_renewing_it_kills_the_old_address(login, fake_server, schedule, client):
    first = schedule(sites=(MUEANG,), title="ครั้งที่หนึ่ง")
    clerk = login(CLERK, MUEANG)
    assert clerk.post(reverse("join:feed-renew", kwargs={"code": MUEANG})).status_code == 302  # the button
    feed = CalendarFeed.objects.get(site=site(MUEANG), revoked_at__isnull=True)
    assert reverse("join:feed", kwargs={"token": feed.token}) in clerk.get(site_page(MUEANG)).content.decode()
    clerk.get(site_page(MUEANG))
    assert CalendarFeed.objects.filter(site=site(MUEANG)).count() == 1  # visits create nothing
    second = schedule(sites=(MUEANG,), starts_in=60 * 26, title="ครั้งที่สอง")
    schedule(sites=(KUMPHAWAPI,), starts_in=60 * 50, title="ไม่ใช่ของเมือง")

    url = reverse("join:feed", kwargs={"token": feed.token})
    clerk.logout()
    response = client.get(url)  # a calendar application: no login
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == ["ครั้งที่สอง", "ครั้งที่หนึ่ง"]
    assert str(events["ครั้งที่หนึ่ง"]["URL"]) == join_url(pass_of(first, MUEANG).token)
    assert str(events["ครั้งที่สอง"]["URL"]) == join_url(pass_of(second, MUEANG).token)
    assert events["ครั้งที่สอง"]["DTSTART"].params["TZID"] == "Asia/Bangkok"

    clerk = login(CLERK, MUEANG)
    assert clerk.post(reverse("join:feed-renew", kwargs={"code": MUEANG})).status_code == 302
    assert client.get(url).status_code == 404
    new = CalendarFeed.objects.get(site=site(MUEANG), revoked_at__isnull=True)
    assert new.token != feed.token
    assert reverse("join:feed", kwargs={"token": new.token}) in clerk.get(site_page(MUEANG)).content.decode()


def thai_key(text: str) -> str:
    """Text as pdftotext can give Thai back: no white space (it splits lines and sometimes separates a mark from
    its letter), marks in canonical order (NFKC), and SARA AM as SARA AA (NFKC makes ำ into NIKHAHIT + SARA AA,
    and the font's glyph maps back to SARA AA alone)."""
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", text)).replace("\u0e4d", "")


def zbar(png: Path) -> list[str]:
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def test_the_qr_code_decodes_to_the_join_link(fake_server, schedule, tmp_path):
    meeting = schedule(sites=(MUEANG,))
    link = join_url(pass_of(meeting, MUEANG).token)
    png = tmp_path / "qr.png"
    png.write_bytes(qr_png(link))
    assert zbar(png) == [link]


def _path_data(svg: bytes) -> str:
    return re.search(rb' d="([^"]+)"', svg).group(1).decode()


def test_the_qr_image_is_the_code_of_the_join_link_for_whoever_holds_the_link(fake_server, schedule,
                                                                               django_assert_num_queries):
    meeting = schedule(sites=(MUEANG,))
    token = pass_of(meeting, MUEANG).token
    with django_assert_num_queries(1):
        answer = Client().get(reverse("j:qr", kwargs={"token": token}))  # no login: the token is the capability
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/svg+xml"
    assert answer["Cache-Control"] == "private, max-age=86400"  # a link's code never changes: kept a day
    assert answer.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')  # a file of its own
    drawn = qr_svg_document(join_url(token))
    assert _path_data(answer.content) == _path_data(drawn)
    reference = io.BytesIO()
    qr_code(join_url(token)).save(reference, kind="svg", border=2, svgns=True, omitsize=True)
    assert _path_data(answer.content) == _path_data(reference.getvalue())  # the code that zbar reads (above)
    assert Client().get(reverse("j:qr", kwargs={"token": "not-a-pass"})).status_code == 404


def test_a_renewed_links_old_qr_image_is_gone(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    old = pass_of(meeting, MUEANG).token
    login(CLERK, MUEANG).post(reverse("join:renew-link", kwargs={"code": MUEANG, "pk": meeting.pk}))
    assert Client().get(reverse("j:qr", kwargs={"token": old})).status_code == 404
    new = pass_of(meeting, MUEANG).token
    assert Client().get(reverse("j:qr", kwargs={"token": new})).status_code == 200


def test_the_pdf_join_sheet_is_one_a4_page_in_thai_with_a_qr_code_that_reads(login, fake_server, schedule, tmp_path):
    meeting = schedule(sites=(MUEANG,), title="ประชุมกรมการจังหวัดประจำเดือน")
    link = join_url(pass_of(meeting, MUEANG).token)
    response = login(CLERK, MUEANG).get(join_urls(MUEANG, meeting.pk)["pdf"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.content)

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    assert "595.276 x 841.89 pts (A4)" in info or "595 x 842 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Laksaman" in fonts

    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    readable = thai_key(text)
    for thai in ("ใบขั้นตอนการเข้าร่วมประชุมทางไกล", "ประชุมกรมการจังหวัดประจำเดือน", "ที่ทำการปกครองอำเภอเมืองอุดรธานี",
                 "รายการตรวจอุปกรณ์ห้องประชุม", "ไมโครโฟน", "ขั้นตอนเข้าร่วมประชุม", "ขั้นตอนนำเสนอ", "PowerPoint",
                 "กดปุ่ม “เข้าร่วมประชุม”", f"วันที่ {meeting.start.astimezone(BANGKOK).day} ", str(meeting.start.year + 543),
                 link):
        assert thai_key(thai) in readable, f"{thai!r} not in the PDF text:\n{text}"
    assert "ใบขั้นตอนการเข้าร่วมประชุมทางไกล" in unicodedata.normalize("NFKC", text)  # verbatim, no mapping needed

    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    assert zbar(tmp_path / "page.png") == [link]


def test_the_html_join_sheet_is_print_friendly(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,), title="ประชุมเตรียมความพร้อม")
    body = login(CLERK, MUEANG).get(join_urls(MUEANG, meeting.pk)["sheet"]).content.decode()
    assert "join/sheet.css" in body
    assert "<style" not in body  # no inline style or script: ready for a Content-Security-Policy
    assert "@page { size: A4;" in Path(finders.find("join/sheet.css")).read_text()
    assert join_url(pass_of(meeting, MUEANG).token) in body
    assert 'class="segno"' in body
    for item in site(MUEANG).equipment_checklist:
        assert item in body
    assert str(meeting.start.year + 543) in body
    assert meeting.room.secret not in body


def test_a_clerk_renews_a_leaked_link(login, fake_server, schedule, client):
    meeting = schedule(sites=(MUEANG,))
    old = pass_of(meeting, MUEANG)
    clerk = login(CLERK, MUEANG)
    renew = reverse("join:renew-link", kwargs={"code": MUEANG, "pk": meeting.pk})
    # The page's renewal is a link to a question, not a button that renews at one tap.
    page = clerk.get(site_page(MUEANG)).content.decode()
    assert f'href="{renew}"' in page
    assert f'formaction="{renew}"' not in page
    question = clerk.get(renew)
    assert question.status_code == 200
    asked = question.content.decode()
    assert "ใบขั้นตอนที่พิมพ์ติดไว้ในห้องประชุม" in asked  # says what stops working
    assert "ยืนยัน ออกลิงก์ใหม่" in asked
    assert pass_of(meeting, MUEANG).token == old.token  # asking renews nothing
    response = clerk.post(renew)
    assert (response.status_code, response["Location"]) == (302, f"{renew}?done=1")
    new = pass_of(meeting, MUEANG)
    assert new.token != old.token
    done = clerk.get(response["Location"]).content.decode()
    assert reverse("join:sheet", kwargs={"code": MUEANG, "pk": meeting.pk}) in done  # print the new sheet
    assert pass_of(meeting, MUEANG).token == new.token  # showing it renews nothing more
    page = clerk.get(site_page(MUEANG)).content.decode()
    assert join_url(new.token) in page
    assert join_url(old.token) not in page


def make_meetings(count: int, code: str) -> None:
    """`count` meetings of one site in the page's two weeks (scheduled: each with the site's pass)."""
    first = minute(timezone.now()) + timedelta(days=1)
    for number in range(count):
        start = first + timedelta(hours=2 * number)
        MeetingFactory.create(host=HALL, sites=(code,), start=start, end=start + timedelta(hours=1))


# The page runs outside ATOMIC_REQUESTS (it only reads), rendered from the database each time: the session (1),
# the user with their Staff row, site, district and province (1), then the page: the starts of the site's meetings
# ahead, the listed meetings (with host and room), their passes, their documents, the feed link, the last test call
# (6), and the digest of those rows its ETag is made of (1; join/clerk_page_etag.py). Nothing is written.
VISIT = 9


@pytest.mark.parametrize("count", [1, 50])
def test_the_clerks_page_costs_a_fixed_number_of_queries(login, fake_server, count, django_assert_num_queries):
    make_meetings(count, NA_YUNG)
    TestCall.objects.create(  # shown with its result and time, read with the page's fixed queries
        site=site(NA_YUNG), token="clerk-page-queries", result=TestCall.Result.OK, finished_at=timezone.now()
    )
    client = login(CLERK, NA_YUNG)
    passes = JoinPass.objects.filter(site=site(NA_YUNG)).count()
    assert passes == count  # issued when the site was invited, not by the page
    for _ in range(2):
        with django_assert_num_queries(VISIT):
            response = client.get(site_page(NA_YUNG))
        listed = response.content.decode()
        assert listed.count('class="meeting-entry') == count
        assert listed.count('<img class="qr"') == count
        assert "เห็นภาพและได้ยินเสียง" in listed  # the last test call's result


def test_the_page_lists_two_weeks_and_links_to_the_rest(login, fake_server, schedule):
    soon = [schedule(sites=(MUEANG,), starts_in=60 * 24 * days, title=f"ประชุมในอีก {days} วัน") for days in (1, 2, 13)]
    later = schedule(sites=(MUEANG,), starts_in=60 * 24 * 20, title="ประชุมเดือนหน้า")
    client = login(CLERK, MUEANG)
    body = client.get(site_page(MUEANG)).content.decode()
    for meeting in soon:
        assert meeting.title in body
    assert later.title not in body
    assert f'href="{site_page(MUEANG)}?all=1#meetings"' in body
    assert "หลังจากนี้มีการประชุมอีก 1 ครั้ง" in body
    everything = client.get(site_page(MUEANG), {"all": "1"}).content.decode()
    assert later.title in everything
    assert join_url(pass_of(later, MUEANG).token) in everything
    assert everything.count('<img class="qr"') == 4
    assert f'href="{site_page(MUEANG)}#meetings"' in everything


def test_the_next_meetings_show_even_when_they_are_weeks_away(login, fake_server, schedule):
    far = schedule(sites=(MUEANG,), starts_in=60 * 24 * 40, title="ประชุมอีกหกสัปดาห์")
    client = login(CLERK, MUEANG)
    body = client.get(site_page(MUEANG)).content.decode()
    assert far.title in body
    assert join_url(pass_of(far, MUEANG).token) in body
    assert "?all=1" not in body

    farther = [schedule(sites=(MUEANG,), starts_in=60 * 24 * days, title=f"ประชุมวันที่ {days}") for days in (41, 42, 43)]
    body = client.get(site_page(MUEANG)).content.decode()
    assert [meeting.title in body for meeting in (far, *farther)] == [True, True, True, False]  # the next three
    assert "หลังจากนี้มีการประชุมอีก 1 ครั้ง" in body


def test_the_pages_post_buttons_carry_the_csrf_token(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    old = pass_of(meeting, MUEANG)
    client = login(CLERK, MUEANG, Client(enforce_csrf_checks=True))
    body = client.get(site_page(MUEANG)).content.decode()
    form = re.search(r'<form id="site-actions" method="post" hidden><input type="hidden" '
                     r'name="csrfmiddlewaretoken" value="([^"]+)"></form>', body)
    assert form, "the page's one POST form, with its CSRF token"
    renew = reverse("join:renew-link", kwargs={"code": MUEANG, "pk": meeting.pk})
    for action in (reverse("join:site-test-call", kwargs={"code": MUEANG}),
                   reverse("join:feed-renew", kwargs={"code": MUEANG})):
        assert f'form="site-actions" formaction="{action}"' in body
    assert client.post(renew).status_code == 403  # no token: refused
    assert client.post(renew, {"csrfmiddlewaretoken": form.group(1)}).status_code == 302
    assert pass_of(meeting, MUEANG).token != old.token


def test_the_page_follows_every_write(login, fake_server, schedule):
    """Each service that changes what a site's page shows is seen on the next visit."""
    from join.services import site_test_call_record, site_test_call_start
    from meetings.services.scheduling import meeting_cancel, meeting_reschedule, meeting_update

    kept = schedule(sites=(MUEANG, KUMPHAWAPI), starts_in=60 * 30, title="ประชุมที่จะเลื่อน")
    client = login(CLERK, MUEANG)
    clerk_kumphawapi = login(CLERK, KUMPHAWAPI, Client())

    def page(the_client=client, code=MUEANG) -> str:
        return the_client.get(site_page(code)).content.decode()

    assert kept.title in page()
    assert kept.title in page(clerk_kumphawapi, KUMPHAWAPI)
    assert "ยังไม่เคยทดสอบ" in page()

    added = schedule(sites=(MUEANG,), starts_in=60 * 50, title="ประชุมนัดใหม่")
    assert added.title in page()

    moved = meeting_reschedule(meeting=kept, start=kept.start + timedelta(hours=3), end=kept.end + timedelta(hours=3))
    assert f"{moved.start.astimezone(BANGKOK):%H:%M}–{moved.end.astimezone(BANGKOK):%H:%M}" in page()

    meeting_update(meeting=kept, sites=[site(MUEANG)], by=schedule.scheduler)
    assert kept.title not in page(clerk_kumphawapi, KUMPHAWAPI)  # a site taken out of the meeting

    meeting_cancel(meeting=added)
    cancelled = page()
    assert added.title in cancelled
    assert "ยกเลิกแล้ว" in cancelled
    assert join_url(pass_of(added, MUEANG).token) not in cancelled

    test_call = site_test_call_start(site=site(MUEANG))
    site_test_call_record(test_call=test_call, saw_video=True, heard_audio=True)
    assert "ยังไม่เคยทดสอบ" not in page()


def test_the_page_changes_with_the_clock(login, fake_server, schedule):
    """The Join button opens 30 minutes before the start without any write."""
    meeting = schedule(sites=(MUEANG,), starts_in=90)
    client = login(CLERK, MUEANG)
    link = join_url(pass_of(meeting, MUEANG).token)
    assert f'<a class="button big join" href="{link}"' not in client.get(site_page(MUEANG)).content.decode()
    with time_machine.travel(meeting.start - timedelta(minutes=29), tick=False):
        assert f'<a class="button big join" href="{link}"' in client.get(site_page(MUEANG)).content.decode()


def test_the_page_works_when_the_cache_is_down(login, fake_server, schedule, settings, caplog):
    meeting = schedule(sites=(MUEANG,))
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5}}}
    body = login(CLERK, MUEANG).get(site_page(MUEANG)).content.decode()
    assert join_url(pass_of(meeting, MUEANG).token) in body
    assert body.count('<img class="qr"') == 1


def test_dates_on_the_page_are_buddhist_era(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    body = login(CLERK, MUEANG).get(site_page(MUEANG)).content.decode()
    assert f" {meeting.start.year + 543} " in body


def _csrf_token(body: str) -> str:
    found = re.search(r'<form id="site-actions" method="post" hidden><input type="hidden" '
                      r'name="csrfmiddlewaretoken" value="([^"]+)"></form>', body)
    assert found, "the page's POST form, with its CSRF token"
    return found.group(1)


def test_each_visit_carries_a_csrf_token_of_its_own(login, fake_server, schedule):
    meeting = schedule(sites=(MUEANG,))
    client = login(CLERK, MUEANG, Client(enforce_csrf_checks=True))
    client.get(site_page(MUEANG))
    first = client.get(site_page(MUEANG)).content.decode()
    second = client.get(site_page(MUEANG)).content.decode()
    assert _csrf_token(first) != _csrf_token(second)  # masked afresh, as Django does
    assert first.replace(_csrf_token(first), "") == second.replace(_csrf_token(second), "")
    renew = reverse("join:renew-link", kwargs={"code": MUEANG, "pk": meeting.pk})
    old = pass_of(meeting, MUEANG)
    assert client.post(renew, {"csrfmiddlewaretoken": _csrf_token(second)}).status_code == 302
    assert pass_of(meeting, MUEANG).token != old.token


def test_a_cancelled_meetings_link_is_not_renewed_and_the_page_says_why(login, fake_server, schedule):
    from meetings.services.scheduling import meeting_cancel

    meeting = schedule(sites=(MUEANG,))
    meeting_cancel(meeting=meeting)
    passes = list(JoinPass.objects.filter(meeting=meeting).values_list("pk", "revoked_at"))
    client = login(CLERK, MUEANG)
    answer = client.post(reverse("join:renew-link", kwargs={"code": MUEANG, "pk": meeting.pk}), follow=True)
    assert "การประชุมนี้ยกเลิกแล้ว" in answer.content.decode()
    assert list(JoinPass.objects.filter(meeting=meeting).values_list("pk", "revoked_at")) == passes  # unchanged


