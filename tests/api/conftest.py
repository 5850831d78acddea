"""Fixtures of the API fuzz run: people with DRF tokens, real rows to find, and the portal's WSGI app in-process."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from billing.models import Charge
from districts.models import Staff
from meetings.backends.fake import FakeBackend
from meetings.models import Meeting
from tests.factories.billing import bill, udon_lines
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site

Role = Staff.Role
JANUARY_2562 = datetime.date(2019, 1, 1)


@dataclass(frozen=True)
class ApiPeople:
    """Udon Thani's provincial scheduler (meetings, sites) and finance officer at the hall (charges, reports)."""

    scheduler: Staff
    scheduler_token: str
    finance: Staff
    finance_token: str


@dataclass(frozen=True)
class ApiRows:
    meeting: Meeting
    charge_ids: list[int]
    district_site_ids: list[int]


@pytest.fixture
def api_people(db) -> ApiPeople:
    scheduler = StaffFactory.create(role=Role.SCHEDULER, site_code="41")
    finance = StaffFactory.create(role=Role.FINANCE, site_code="41")
    return ApiPeople(
        scheduler=scheduler,
        scheduler_token=Token.objects.create(user=scheduler.user).key,
        finance=finance,
        finance_token=Token.objects.create(user=finance.user).key,
    )


@pytest.fixture
def api_rows(api_people) -> ApiRows:
    """A meeting of the province on a fake media server, and Udon Thani's 20 charges of January 2562."""
    FakeBackend.reset()
    MediaServerFactory.create(name="fake")
    meeting = MeetingFactory.create(host="41", sites=("4101", "4122"), created_by=api_people.scheduler.user)
    udon_lines()
    bill(JANUARY_2562)
    yield ApiRows(
        meeting=meeting,
        charge_ids=list(Charge.objects.order_by("pk").values_list("pk", flat=True)),
        district_site_ids=[site("4102").pk, site("4103").pk],
    )
    FakeBackend.reset()


@pytest.fixture
def wsgi_app(db):
    """The portal's WSGI application, called in this thread on the test's database connection.

    Django's handler closes "old" connections when a request starts and ends; inside a test that would close the
    connection that holds the test's transaction. Django's own test client disconnects that handler for the same
    reason; so do we, for the length of the test.
    """
    from portal.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
