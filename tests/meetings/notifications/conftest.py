"""Fixtures of the notifications tests: people with email addresses at sites, an agency, a LINE group."""

from __future__ import annotations

import secrets

import pytest

from districts.models import Agency, Province, Site, Staff
from tests.factories.districts import StaffFactory
from tests.factories.meetings import site


def clerks(site_code: str, count: int = 1, *, language: str = "th") -> list[Staff]:
    people = [StaffFactory.create(role=Staff.Role.CLERK, site_code=site_code) for _ in range(count)]
    if language != "th":
        Staff.objects.filter(pk__in=[p.pk for p in people]).update(preferred_language=language)
    return people


def line_group(site_code: str) -> str:
    """Turn on LINE for a site; returns its group id."""
    group = "C" + secrets.token_hex(16)
    Site.objects.filter(pk=site(site_code).pk).update(notify_by_line=True, line_group_id=group)
    return group


def agency(name: str = "สำนักงานสาธารณสุขจังหวัด") -> Agency:
    value = Agency(province=Province.objects.get(code="41"), name=name, email=f"{secrets.token_hex(4)}@agency.go.th")
    value.full_clean()
    value.save()
    return value


@pytest.fixture
def people(db):
    """Two district sites with clerks (one prefers English), LINE on one of them, and one agency."""
    return {
        "4101": clerks("4101", 2),
        "4102": clerks("4102", 1, language="en"),
        "line": line_group("4102"),
        "agency": agency(),
    }
