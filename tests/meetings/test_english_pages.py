"""English mode (issue 15, point 16): the scheduling, meeting, edit, cancel and series pages, and the scheduling
services' refusals, read in English with no Thai character left (dates keep their BE year, written in English).

These assertions hold once the lead has filled and compiled locale/en from the gettext calls: until then the
English catalogue lacks the new strings and they fail on those strings alone (the Thai ones in `leftovers`).
"""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from districts.models import Site, Staff
from meetings.models import Series
from meetings.services.scheduling import meeting_cancel, meeting_schedule, series_schedule, series_update
from tests.factories.meetings import at, site

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

THAI = re.compile(r"[\u0e00-\u0e7f][\u0e00-\u0e7f \-.,:“”()0-9]*")
MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)


@pytest.fixture(autouse=True)
def _thai_after():
    """LocaleMiddleware leaves the last request's language active in the thread: English must not leak into the
    next test (whose service calls would then speak English)."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def leftovers(html: str) -> list[str]:
    """The Thai runs left in the page's main content (the layout's own strings are tested in tests/portal), but for
    the sites' official names: data, as a meeting's title is (the list of who was told names them so)."""
    found = MAIN.search(html)
    names = set(Site.objects.values_list("name", flat=True))
    return [run for run in THAI.findall(found.group(0) if found else html) if run.strip() not in names]


def in_english(client):
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    return client


@pytest.fixture
def english_world(scheduler, fake_server):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        series = series_schedule(
            title="Songkran road safety briefing", host_site=site("41"), sites=[site("4101"), site("4122")],
            start=at(2026, 4, 12, 9), end=at(2026, 4, 12, 10), frequency=Series.Frequency.DAILY,
            until=date(2026, 4, 18), agenda=["Chair's announcements", "Accidents of the day"], created_by=scheduler,
        )
        lone = meeting_schedule(
            title="Drought committee", host_site=site("41"), sites=[site("4101")], start=at(2026, 4, 20, 13),
            end=at(2026, 4, 20, 15), agenda=["Water supply"], created_by=scheduler,
        )
        meeting_cancel(meeting=lone, by=scheduler, reason="The chair is away")
    with time_machine.travel(at(2026, 4, 10, 12), tick=False):
        yield {"series": series, "first": series.meetings.order_by("start").first(), "cancelled": lone}


def test_the_scheduling_pages_have_no_thai_left_in_english(english_world, login):
    client = in_english(login(Staff.Role.SCHEDULER, "41"))
    first, cancelled = english_world["first"], english_world["cancelled"]
    pages = {
        "list": "/meetings/",
        "create": "/meetings/new/",
        "detail": f"/meetings/{first.pk}/",
        "edit (series)": f"/meetings/{first.pk}/edit/",
        "reschedule": f"/meetings/{first.pk}/reschedule/",
        "cancel (series)": f"/meetings/{first.pk}/cancel/",
        "cancelled meeting": f"/meetings/{cancelled.pk}/",
    }
    found = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html
        if leftovers(html):
            found[name] = leftovers(html)
    assert found == {}
    detail = client.get(f"/meetings/{cancelled.pk}/").content.decode()
    assert "Cancelled" in detail
    assert "12 April 2026 (B.E. 2569)" in client.get(f"/meetings/{first.pk}/").content.decode()


def test_a_refused_form_and_a_series_clash_read_in_english(english_world, login):
    client = in_english(login(Staff.Role.SCHEDULER, "41"))
    response = client.post("/meetings/new/", {"title": "", "date": "", "start_time": "", "end_time": ""})
    assert response.status_code == 400
    assert leftovers(response.content.decode()) == []
    first = english_world["first"]
    response = client.post(f"/meetings/{first.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400
    assert leftovers(response.content.decode()) == []


def test_the_services_refusals_in_english(english_world, scheduler):
    series = english_world["series"]
    other = meeting_schedule(title="District heads", host_site=site("4105"), sites=[], start=at(2026, 4, 15, 13),
                             end=at(2026, 4, 15, 14), created_by=scheduler)
    assert other.pk
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            series_update(meeting=english_world["first"], scope="all", start_time=time(13),
                          sites=[site("4101"), site("4105")], by=scheduler)
        messages = caught.value.message_dict["sites"]
        assert "15 Apr 2026 (B.E. 2569)" in messages[0]
        assert [THAI.findall(message) for message in messages] == [[] for _ in messages]
        with pytest.raises(ValidationError) as caught:
            series_schedule(title="Again", host_site=site("41"), sites=[], start=at(2026, 5, 1, 9),
                            end=at(2026, 5, 1, 10), frequency="daily", created_by=scheduler)
        assert THAI.findall(" ".join(caught.value.messages)) == []
    assert series.meetings.count() == 7
