"""The notifications page of a meeting: what it shows, who may see it, "send again", a fixed number of queries."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import Staff
from notifications.models import Notification
from tests.factories.meetings import MeetingFactory

from .conftest import clerks

pytestmark = pytest.mark.integration

State = Notification.State


def page(meeting) -> str:
    return reverse("notifications:meeting", kwargs={"meeting_id": meeting.pk})


def test_the_page_lists_who_was_told_what_and_what_failed(login, people):
    meeting = MeetingFactory.create(host="41", sites=("4101", "4102"))
    rows = list(Notification.objects.filter(meeting=meeting).order_by("pk"))
    Notification.objects.filter(pk=rows[0].pk).update(state=State.SENT)
    Notification.objects.filter(pk=rows[1].pk).update(
        state=State.FAILED, last_error="SMTP 550 5.1.1 no such user", attempts=1
    )
    client = login(Staff.Role.SCHEDULER)
    response = client.get(page(meeting))
    assert response.status_code == 200
    body = response.content.decode()
    assert rows[0].address in body
    assert "SMTP 550 5.1.1 no such user" in body
    assert "ส่งไม่สำเร็จ" in body
    assert body.count("ส่งอีกครั้ง</button>") == 2  # the sent one and the failed one
    assert people["line"] in body


def test_send_again_posts_once(login, people, django_capture_on_commit_callbacks):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    failed = Notification.objects.filter(meeting=meeting).order_by("pk").first()
    Notification.objects.filter(pk=failed.pk).update(state=State.FAILED, last_error="SMTP 550")
    client = login(Staff.Role.SCHEDULER)
    url = reverse("notifications:resend", kwargs={"meeting_id": meeting.pk, "pk": failed.pk})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"resends": "0"})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the send task, after the commit
    again = Notification.objects.get(resend_of=failed)
    assert (again.address, again.kind, again.state) == (failed.address, failed.kind, State.PENDING)
    response = client.post(url, {"resends": "0"}, follow=True)  # the same form again: a double click
    assert Notification.objects.filter(resend_of=failed).count() == 1
    assert "ไปแล้ว" in response.content.decode()
    assert client.get(url).status_code == 405


def test_only_schedulers_of_the_province_see_it(login, client, people):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    assert login(Staff.Role.CLERK, "4101").get(page(meeting)).status_code == 403
    client.logout()
    call_command("create_province_sites", "40", verbosity=0)  # Khon Kaen: another province
    other = login(Staff.Role.SCHEDULER, "40")
    assert other.get(page(meeting)).status_code == 404


def test_a_fixed_number_of_queries(login, people):
    client = login(Staff.Role.SCHEDULER)
    small = MeetingFactory.create(host="41", sites=("4101",))
    for code in ("4103", "4104", "4105", "4106"):
        clerks(code, 3)
    large = MeetingFactory.create(
        host="41", sites=("4101", "4102", "4103", "4104", "4105", "4106"), agencies=[people["agency"]]
    )
    assert Notification.objects.filter(meeting=large).count() > 3 * Notification.objects.filter(meeting=small).count()

    def queries(meeting) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(page(meeting)).status_code == 200
        return len(context.captured_queries)

    queries(small)  # the session and the user, loaded once
    assert queries(small) == queries(large) <= 8


def test_the_meeting_page_says_who_was_told_who_could_not_be_and_why(login, people, fake_server):
    from districts.models import Agency, Province, Site
    from tests.factories.meetings import site

    Site.objects.filter(pk=site("4103").pk).update(notify_by_email=False)  # and no LINE
    silent = Agency.objects.create(province=Province.objects.get(code="41"), name="สำนักงานไม่มีอีเมล", email="")
    meeting = MeetingFactory.create(host="41", sites=("4101", "4102", "4103", "4104"),
                                    agencies=[people["agency"], silent])
    Notification.objects.filter(meeting=meeting, site=site("4101")).update(state=Notification.State.SENT)
    Notification.objects.filter(meeting=meeting, agency=people["agency"]).update(
        state=Notification.State.FAILED, last_error="SMTP 550 5.1.1 no such user")
    html = login(Staff.Role.SCHEDULER, "41").get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).content
    section = html.decode().split('id="reach"', 1)[1].split("</section>", 1)[0]
    rows = {row.split("</td>", 1)[0].rsplit(">", 1)[-1]: row for row in section.split("<tr>")[2:]}
    assert "ส่งแล้ว" in rows[site("4101").name]
    assert "LINE" in rows[site("4102").name]  # its clerk by email and its LINE group
    assert "ปิดการแจ้งทางอีเมลและไม่ได้ใช้ LINE" in rows[site("4103").name]
    assert "ไม่มีเจ้าหน้าที่ประจำอำเภอที่มีอีเมล" in rows[site("4104").name]
    assert "SMTP 550 5.1.1 no such user" in rows[people["agency"].name]
    assert "ส่วนราชการนี้ไม่มีอีเมล" in rows[silent.name]
    assert reverse("notifications:meeting", kwargs={"meeting_id": meeting.pk}) in section
