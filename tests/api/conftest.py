"""Fixtures of the API fuzz run: people with API tokens, real rows to find, and the portal's WSGI app in-process."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from billing.models import Charge
from districts.models import Staff
from meetings.backends.fake import FakeBackend
from meetings.models import Meeting
from meetings.services import document_attach
from portal.api_tokens import api_token_issue
from tests.factories.billing import bill, udon_lines
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site

Role = Staff.Role
JANUARY_2562 = datetime.date(2019, 1, 1)


@dataclass(frozen=True)
class ApiPeople:
    """Udon Thani's provincial scheduler (meetings, sites), finance officer at the hall (charges, reports) and
    administrator (the audit log)."""

    scheduler: Staff
    scheduler_token: str
    finance: Staff
    finance_token: str
    administrator: Staff
    administrator_token: str


@dataclass(frozen=True)
class ApiRows:
    meeting: Meeting
    charge_ids: list[int]
    district_site_ids: list[int]
    document_id: int


@pytest.fixture
def api_people(db) -> ApiPeople:
    scheduler = StaffFactory.create(role=Role.SCHEDULER, site_code="41")
    finance = StaffFactory.create(role=Role.FINANCE, site_code="41")
    administrator = StaffFactory.create(role=Role.ADMINISTRATOR, site_code="41")
    return ApiPeople(
        scheduler=scheduler,
        scheduler_token=api_token_issue(user=scheduler.user)[1],
        finance=finance,
        finance_token=api_token_issue(user=finance.user)[1],
        administrator=administrator,
        administrator_token=api_token_issue(user=administrator.user)[1],
    )


@pytest.fixture
def api_rows(api_people, settings, tmp_path) -> ApiRows:
    """A meeting of the province on a fake media server with a document, and Udon Thani's 20 charges of January
    2562. Documents (the one here, any upload the run makes) are kept in the test's own directory."""
    FakeBackend.reset()
    settings.MEDIA_ROOT = tmp_path / "media"
    MediaServerFactory.create(name="fake")
    meeting = MeetingFactory.create(host="41", sites=("4101", "4122"), created_by=api_people.scheduler.user)
    document = document_attach(meeting=meeting, file=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n"))
    udon_lines()
    bill(JANUARY_2562)
    yield ApiRows(
        meeting=meeting,
        charge_ids=list(Charge.objects.order_by("pk").values_list("pk", flat=True)),
        district_site_ids=[site("4102").pk, site("4103").pk],
        document_id=document.pk,
    )
    FakeBackend.reset()


@pytest.fixture
def wsgi_app(db):
    """The portal's WSGI application, called in this thread on the test's database connection.

    Django's handler closes "old" connections when a request starts and ends; inside a test that would close the
    connection that holds the test's transaction. Django's own test client disconnects that handler for the same
    reason; so do we, for the length of the test.

    A WSGI server reads the answer and then calls its `close()` (PEP 3333): that closes a streamed file (a meeting's
    document). Schemathesis's WSGI transport reads the answer but never closes it, so the app is wrapped to do the
    server's part here.
    """
    from portal.wsgi import application

    def served(environ, start_response):
        answer = application(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            answer.close()

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield served
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
