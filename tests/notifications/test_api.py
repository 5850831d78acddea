"""/api/meetings/<id>/notifications/: the notifications page as data and its "send again", with the page's rules."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from districts.models import Staff
from meetings.services.scheduling import meeting_cancel
from notifications.models import Notification
from tests.factories.api import api_as
from tests.factories.meetings import MeetingFactory

from .conftest import clerks

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

State = Notification.State
Role = Staff.Role


def log_path(meeting) -> str:
    return f"/api/meetings/{meeting.pk}/notifications/"


def resend_path(meeting, notification) -> str:
    return f"/api/meetings/{meeting.pk}/notifications/{notification.pk}/resend/"


def test_the_log_says_who_was_told_what_when_and_what_failed(people):
    meeting = MeetingFactory.create(host="41", sites=("4101", "4102"), agencies=[people["agency"]])
    rows = list(Notification.objects.filter(meeting=meeting).order_by("pk"))
    Notification.objects.filter(pk=rows[0].pk).update(state=State.SENT)
    Notification.objects.filter(pk=rows[1].pk).update(
        state=State.FAILED, last_error="SMTP 550 5.1.1 no such user", attempts=1
    )
    response = api_as(Role.SCHEDULER).get(log_path(meeting))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["meeting_id"], body["meeting_title"]) == (meeting.pk, meeting.title)
    assert [n["id"] for n in body["notifications"]] == [r.pk for r in sorted(rows, key=lambda r: (r.created_at, r.pk),
                                                                                 reverse=True)]
    by_id = {n["id"]: n for n in body["notifications"]}
    failed = by_id[rows[1].pk]
    assert (failed["state"], failed["last_error"], failed["attempts"]) == ("failed", "SMTP 550 5.1.1 no such user", 1)
    assert failed["address"] == rows[1].address
    assert failed["kind"] == "invitation"
    assert by_id[rows[0].pk]["state"] == "sent"
    assert body["counts"]["failed"] == 1
    assert body["counts"]["sent"] == 1
    assert body["in_progress"] == len(rows) - 2
    line = next(n for n in body["notifications"] if n["channel"] == "line")
    assert line["address"] == people["line"]
    assert line["site_name"]
    agency = next(n for n in body["notifications"] if n["audience"] == "agency")
    assert agency["agency_name"] == people["agency"].name
    assert agency["site"] is None


def test_send_again_calls_the_pages_service_once(people, django_capture_on_commit_callbacks):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    failed = Notification.objects.filter(meeting=meeting).order_by("pk").first()
    Notification.objects.filter(pk=failed.pk).update(state=State.FAILED, last_error="SMTP 550")
    client = api_as(Role.SCHEDULER)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(resend_path(meeting, failed), {"resends": 0}, format="json")
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1  # the send task, after the commit
    again = Notification.objects.get(resend_of=failed)
    body = response.json()
    assert (body["id"], body["resend_of"], body["state"], body["address"], body["kind"]) == (
        again.pk, failed.pk, "pending", failed.address, failed.kind)
    assert body["requested_by"] == client.staff.user.username

    twice = client.post(resend_path(meeting, failed), {"resends": 0}, format="json")  # a double click
    assert twice.status_code == 400
    assert "ไปแล้ว" in twice.json()["non_field_errors"][0]
    assert Notification.objects.filter(resend_of=failed).count() == 1
    pending = client.post(resend_path(meeting, again), {}, format="json")  # still waiting to be sent
    assert pending.status_code == 400
    assert client.post(resend_path(meeting, failed), {"resends": "x"}, format="json").status_code == 400
    assert client.get(resend_path(meeting, failed)).status_code == 405


def test_after_a_cancellation_only_the_cancellation_is_sent_again(people, scheduler, fake_server):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    invitation = Notification.objects.filter(meeting=meeting).order_by("pk").first()
    Notification.objects.filter(pk=invitation.pk).update(state=State.SENT)
    meeting_cancel(meeting=meeting, by=scheduler)
    refused = api_as(Role.ADMINISTRATOR).post(resend_path(meeting, invitation), {}, format="json")
    assert refused.status_code == 400
    assert "ยกเลิก" in refused.json()["non_field_errors"][0]


def test_a_site_taken_off_the_meeting_is_not_invited_again_by_send_again(people, scheduler, fake_server):
    meeting = MeetingFactory.create(host="41", sites=("4101", "4102"))
    invitation = Notification.objects.filter(meeting=meeting, site__district__code="4102").order_by("pk").first()
    Notification.objects.filter(meeting=meeting).update(state=State.SENT)
    from meetings.services.scheduling import meeting_update
    from tests.factories.meetings import site

    meeting_update(meeting=meeting, sites=[site("4101")], by=scheduler)  # 4102 gets a CANCEL for its calendar
    cancel = Notification.objects.filter(meeting=meeting, site=site("4102"), kind=Notification.Kind.CANCELLATION)[0]
    client = api_as(Role.SCHEDULER)
    refused = client.post(resend_path(meeting, invitation), {}, format="json")
    assert refused.status_code == 400
    assert "ถูกนำออกจากการประชุมแล้ว" in refused.json()["non_field_errors"][0]
    assert not Notification.objects.filter(resend_of=invitation).exists()
    Notification.objects.filter(pk=cancel.pk).update(state=State.SENT)
    assert client.post(resend_path(meeting, cancel), {}, format="json").status_code == 201  # the cancel may go again


def test_only_the_provinces_schedulers_and_administrators(people):
    meeting = MeetingFactory.create(host="41", sites=("4101",))
    row = Notification.objects.filter(meeting=meeting).first()
    for path, method in ((log_path(meeting), "get"), (resend_path(meeting, row), "post")):
        assert getattr(api_as(Role.CLERK, "4101"), method)(path).status_code == 403
        assert getattr(api_as(Role.FINANCE), method)(path).status_code == 403
        assert getattr(APIClient(), method)(path).status_code in {401, 403}
    assert api_as(Role.ADMINISTRATOR).get(log_path(meeting)).status_code == 200
    call_command("create_province_sites", "40", verbosity=0)  # Khon Kaen: another province
    other = api_as(Role.SCHEDULER, "40")
    assert other.get(log_path(meeting)).status_code == 404
    assert other.post(resend_path(meeting, row), {}, format="json").status_code == 404
    assert not Notification.objects.filter(resend_of=row).exists()
    elsewhere = MeetingFactory.create(host="41", sites=("4102",))
    # A notification of another meeting under this meeting's address: not found.
    assert api_as(Role.SCHEDULER).post(resend_path(elsewhere, row), {}, format="json").status_code == 404


def test_the_log_costs_the_same_queries_for_few_rows_as_for_many(people):
    client = api_as(Role.SCHEDULER)
    small = MeetingFactory.create(host="41", sites=("4101",))
    for code in ("4103", "4104", "4105", "4106"):
        clerks(code, 3)
    large = MeetingFactory.create(
        host="41", sites=("41", "4101", "4102", "4103", "4104", "4105", "4106"), agencies=[people["agency"]]
    )
    failed = Notification.objects.filter(meeting=large).order_by("pk").first()
    Notification.objects.filter(pk=failed.pk).update(state=State.FAILED)
    client.post(resend_path(large, failed), {}, format="json")  # a row with resend_of and requested_by
    assert Notification.objects.filter(meeting=large).count() > 3 * Notification.objects.filter(meeting=small).count()

    def queries(meeting) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(log_path(meeting)).status_code == 200
        return len(context)

    assert queries(large) == queries(small)
