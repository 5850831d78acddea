"""The minutes pages and API: fixed query counts, who reads what, the meeting page's card."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import Site, Staff
from minutes import services
from minutes.models import MinutesApproval, MinutesVersion
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MeetingFactory

from .conftest import KUMPHAWAPI, MUEANG

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _big_minutes(scheduler):
    """A meeting of many sites and items, approved-ish history: two versions."""
    codes = list(Site.objects.filter(province__code="41", kind=Site.Kind.DISTRICT_OFFICE)
                 .order_by("district__code").values_list("district__code", flat=True)[:12])
    meeting = MeetingFactory.create(sites=tuple(codes), agenda=[f"เรื่องที่ {n}" for n in range(1, 16)],
                                    created_by=scheduler)
    version = services.minutes_draft(meeting=meeting, by=scheduler)
    content = dict(version.content, attendees=[{"name": f"คนที่ {n}", "position": "ปลัดอำเภอ"} for n in range(40)])
    services.minutes_edit(minutes=version.minutes, content=content, by=scheduler)
    services.minutes_send(minutes=version.minutes, by=scheduler)
    return meeting


def test_the_minutes_page_costs_a_fixed_number_of_queries(held, client, django_assert_num_queries):
    first = held.meetings[0]
    services.minutes_draft(meeting=first, by=held.scheduler)
    big = _big_minutes(held.scheduler)
    client.force_login(held.scheduler)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 200
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(f"/minutes/meeting/{big.pk}/")
    assert response.status_code == 200
    assert "คนที่ 39" in response.content.decode()
    assert len(small.captured_queries) <= 8, [q["sql"] for q in small.captured_queries]
    # The edit form (one column, a textarea per list, a fieldset per agenda item), the same whatever the size
    with CaptureQueriesContext(connection) as small:
        page = client.get(f"/minutes/meeting/{first.pk}/edit/").content.decode()
    assert 'name="item_5_resolution"' in page
    assert 'name="absentees"' in page
    with django_assert_num_queries(len(small.captured_queries)):
        assert 'name="item_15_resolution"' in client.get(f"/minutes/meeting/{big.pk}/edit/").content.decode()
    # A clerk of an invited site: the same, whatever the size
    services.minutes_send(minutes=first.minutes, by=held.scheduler)
    clerk = StaffFactory.create(role=Staff.Role.CLERK, site_code=MUEANG).user
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 200
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(f"/minutes/meeting/{big.pk}/").status_code == 200


def test_who_reads_what(held, client):
    from districts.services import province_sites_create

    province_sites_create(province_code="39")
    first = held.meetings[0]
    version = services.minutes_draft(meeting=first, by=held.scheduler)
    clerk = StaffFactory.create(role=Staff.Role.CLERK, site_code=KUMPHAWAPI).user
    outsider = StaffFactory.create(role=Staff.Role.CLERK, site_code="4122").user
    finance = StaffFactory.create(role=Staff.Role.FINANCE, site_code="41").user
    other_province = StaffFactory.create(role=Staff.Role.SCHEDULER, site_code="39").user
    client.force_login(clerk)
    assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 404  # a draft is the secretary's
    assert client.get(f"/minutes/meeting/{first.pk}/v1.pdf").status_code == 404
    services.minutes_send(minutes=version.minutes, by=held.scheduler)
    assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 200
    assert client.get(f"/api/meetings/{first.pk}/minutes/").json()["versions"][0]["state"] == "sent"
    assert client.post(f"/api/meetings/{first.pk}/minutes/send/").status_code == 403  # clerks only read
    for person in (outsider, other_province):
        client.force_login(person)
        assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 404
        assert client.get(f"/api/meetings/{first.pk}/minutes/versions/1/pdf/").status_code == 404
    client.force_login(finance)
    assert client.get(f"/minutes/meeting/{first.pk}/").status_code == 403


def test_the_api_drafts_edits_sends_approves_and_gives_the_pdf(series, client):
    first, second, _third = series.meetings
    client.force_login(series.scheduler)
    response = client.post(f"/api/meetings/{first.pk}/minutes/")
    assert response.status_code == 201
    content = response.json()["versions"][0]["content"]
    content["items"][0]["resolution"] = "ที่ประชุมรับทราบตามที่ประธานแจ้ง"
    response = client.patch(f"/api/meetings/{first.pk}/minutes/", {"content": content},
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["versions"][0]["content"]["items"][0]["resolution"] == "ที่ประชุมรับทราบตามที่ประธานแจ้ง"
    bad = dict(content, absentees=[{"name": "นายไม่มา", "position": "", "reason": ""}])
    response = client.patch(f"/api/meetings/{first.pk}/minutes/", {"content": bad}, content_type="application/json")
    assert response.status_code == 400
    assert "ไม่มีเหตุผล" in response.json()["absentees"][0]
    assert client.post(f"/api/meetings/{first.pk}/minutes/send/").status_code == 200
    response = client.post(f"/api/meetings/{first.pk}/minutes/approve/",
                           {"by_meeting": second.pk, "decision": "as_is", "method": "consensus"},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["versions"][0]["approval"]["by_meeting"] == second.pk
    response = client.get(f"/api/meetings/{first.pk}/minutes/versions/1/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/api/meetings/{first.pk}/minutes/versions/1/").json()["state"] == "approved"
    # Edit after approval: refused in Thai, nothing written
    response = client.patch(f"/api/meetings/{first.pk}/minutes/", {"content": content},
                            content_type="application/json")
    assert response.status_code == 400
    assert "รับรองแล้วจึงแก้ไขไม่ได้" in response.json()["non_field_errors"][0]
    response = client.post(f"/api/meetings/{first.pk}/minutes/correct/", {"note": "แก้ชื่อ"},
                           content_type="application/json")
    assert response.status_code == 201
    assert [v["state"] for v in response.json()["versions"]] == ["approved", "draft"]
    assert MinutesVersion.objects.filter(minutes__meeting=first).count() == 2
    assert MinutesApproval.objects.count() == 1


def test_the_meeting_page_links_to_the_minutes_and_its_card_shows_their_state(series, client):
    first, second, _third = series.meetings
    client.force_login(series.scheduler)
    page = client.get(f"/meetings/{second.pk}/").content.decode()
    assert f"/minutes/meeting/{second.pk}/links/" in page
    assert f"/minutes/meeting/{second.pk}/approve/" in page
    version = services.minutes_draft(meeting=first, by=series.scheduler)
    services.minutes_send(minutes=version.minutes, by=series.scheduler)
    card = client.get(f"/minutes/meeting/{second.pk}/links/").content.decode()
    assert "ส่งแล้ว รอรับรอง" in card
    assert f"/minutes/meeting/{second.pk}/approve/" in card
