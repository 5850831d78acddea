"""National fixtures: several provinces with lines billed for FY 2562 and meetings held that year, and the people
who may (or may not) read the national view."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from billing.services import charges_generate_range, lines_for_province_create
from districts.models import District, Site
from districts.services import province_sites_create
from join.models import Attendance
from meetings.models import Meeting, Participation
from national.models import NATIONAL_GROUP

BANGKOK = ZoneInfo("Asia/Bangkok")
FY = 2562  # 1 October 2561 .. 30 September 2562
_days = itertools.count()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def held(
    *,
    province: str,
    sites: list[str],
    connected: list[str] = (),
    hours: float = 2,
    status: str = "ended",
    host: str | None = None,
    day: datetime.date | None = None,
) -> Meeting:
    """A meeting of FY 2562 hosted by the province's hall (or the district office `host`), written as the services
    leave it: participations (times copied), and one attendance row per connection of the sites in `connected` (a
    site listed twice reconnected)."""
    day = day or datetime.date(2018, 10, 1) + datetime.timedelta(days=next(_days) % 360)
    hall = Site.objects.get(province__code=province, kind="hall")
    host_site = Site.objects.get(district__code=host) if host else hall
    start = at(day, 9)
    end = start + datetime.timedelta(minutes=int(hours * 60))
    meeting = Meeting.objects.create(title=f"ประชุม {day}", host_site=host_site, start=start, end=end, status=status)
    active = status != "cancelled"
    Participation.objects.create(meeting=meeting, site=host_site, role="host", start=start, end=end, active=active)
    for code in sites:
        Participation.objects.create(
            meeting=meeting, site=Site.objects.get(district__code=code), start=start, end=end, active=active
        )
    for number, code in enumerate(connected):
        site = Site.objects.get(district__code=code) if code.isdigit() and len(code) == 4 else host_site
        joined = start + datetime.timedelta(minutes=5 * number)
        Attendance.objects.create(
            meeting=meeting, site=site, display=site.name, joined_at=joined, last_seen_at=joined, left_at=joined
        )
    return meeting


@pytest.fixture
def provinces(db):
    """Udon Thani (41) and Nong Bua Lam Phu (39): lines billed for FY 2562 and a year of meetings of every kind."""
    province_sites_create(province_code="39")
    for code in ("41", "39"):
        lines_for_province_create(province_code=code)
    charges_generate_range(start_month=datetime.date(2018, 10, 1), end_month=datetime.date(2019, 9, 1))
    District.objects.filter(code="4122").update(road_distance_km=Decimal("130.0"))  # Na Yung
    for code, km in (("3901", "30.0"), ("3902", "45.5"), ("3903", "62.3"), ("3904", "88.0"), ("3905", None)):
        District.objects.filter(code=code).update(road_distance_km=km and Decimal(km))  # 3905: not measured yet
    # Udon Thani: invitations only; attendance (Na Yung twice, Mueang once, the hall); a long one; cancelled.
    held(province="41", sites=["4122", "4101", "4102"])
    held(province="41", sites=["4122", "4101", "4103"], connected=["4122", "4122", "4101", "hall"], hours=3)
    held(province="41", sites=["4122", "4120"], connected=["4120"], hours=1.5)
    held(province="41", sites=["4122", "4104"], status="cancelled")
    held(province="41", sites=["4105", "4122"], host="4101", connected=["4105"], hours=0.75)  # a district hosts
    # Nong Bua Lam Phu: attendance from the hall only (its invitations then count for nothing); one unmeasured.
    held(province="39", sites=["3901", "3902"], connected=["hall"])
    held(province="39", sites=["3905", "3902", "3903"], connected=["3905", "3902"], hours=1)
    held(province="39", sites=["3905", "3904"], hours=2.5)
    # Outside FY 2562: counts for nothing this year.
    held(province="41", sites=["4122"], day=datetime.date(2019, 10, 1))
    held(province="39", sites=["3901"], day=datetime.date(2018, 9, 28))


@pytest.fixture
def national_user(db, django_user_model):
    user = django_user_model.objects.create_user(username="dopa", password="x", first_name="กรมการปกครอง")
    user.groups.add(Group.objects.get(name=NATIONAL_GROUP))
    return user
