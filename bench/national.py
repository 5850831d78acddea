"""Benchmark: the national view (/national/) on the national dataset, in-process, beside a bare Django view.

    .venv/bin/python bench/national.py [--quick] [--meetings 20000] [--rounds 5] [--fy 2569]

Starts its own PostgreSQL and Redis (tests/services) and migrates with the settings of bench/pages.py
(`bench.pages_settings`: production on loopback). Then, first, a small country: two provinces (Udon Thani and Nong
Bua Lam Phu) with their sites, lines billed for the fiscal year and a few meetings with attendance, and counts the
queries of one visit of the national page (`queries_2_provinces`). Then loads bench/pages.py's national dataset on
top (`load_dataset`, imported: the 77 provinces, a site per amphoe, a year of meetings, ~20,000 by default), gives
every district office its line billed for the fiscal year's months so far (billing's services), the ended
meetings attendance rows (most invited sites connect; one meeting in ten has no row, so its invitations count) and
the districts the geography left unmeasured a road distance (15-140 km, seeded; unmeasured ones save nothing), and
counts the queries again (`queries_77`).

The fiscal year is the one of the day three months ago (the dataset's year runs half behind, half ahead), unless
--fy. In-process (Django's test Client, signed in through a database session as a member of the group
ผู้บริหารระดับประเทศ): `ms`, the median time of the national page over --rounds visits after one warm-up; `bare_ms`,
the bare view of bench/pages_urls.py (the whole middleware stack and a fixed body); `summary_ms`, the figures alone
(national.selectors.national_summary). Then the check the issue asks for on this dataset: every province's own
reports (billing's travel-savings report and fiscal-year summary, province scope) added up equal the national totals
(`totals_equal_provinces_reports`).

The last line printed is one JSON object. `--quick` loads 2,000 meetings and visits 3 times (about a minute).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import InProcess, load_dataset, setup_django  # noqa: E402
from tests.services.postgres import PostgresServer  # noqa: E402
from tests.services.redis import RedisServer  # noqa: E402

PROFILES = {"quick": (2_000, 3), "full": (20_000, 5)}  # (meetings in the year, in-process visits)
SMALL_COUNTRY = ("41", "39")
CONNECTED_SHARE = 0.85  # of the invited sites of an ended meeting, when the meeting has attendance rows
WITHOUT_ATTENDANCE_EVERY = 10  # one ended meeting in ten has no attendance row (no poll): invitations count
BATCH = 5000


def say(message: str) -> None:
    print(f"[bench/national] {message}", file=sys.stderr, flush=True)


def national_session() -> str:
    """A person of the group ผู้บริหารระดับประเทศ (no Staff row) signed in through a database session."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group

    from national.models import NATIONAL_GROUP

    user = get_user_model().objects.create(username="dopa-bench", first_name="กรมการปกครอง")
    user.groups.add(Group.objects.get(name=NATIONAL_GROUP))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "districts.authentication.PrincipalBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def bill(fy: int) -> int:
    """Every district office without a line gets one (billing's service); the fiscal year's months so far billed."""
    from billing.periods import current_month, fiscal_year_months
    from billing.services import charges_generate_range, lines_for_province_create
    from districts.models import Province, Site

    codes = Province.objects.filter(sites__kind=Site.Kind.DISTRICT_OFFICE).values_list("code", flat=True).distinct()
    created = sum(lines_for_province_create(province_code=code).created for code in codes)
    months = fiscal_year_months(fy)
    last = min(months[-1], current_month())
    if last >= months[0]:
        charges_generate_range(start_month=months[0], end_month=last)
    return created


def small_country(fy: int) -> None:
    """Two provinces: sites, lines, and three meetings each on Sundays of the fiscal year (the national dataset's
    meetings are on weekdays: no site is booked twice), with attendance rows."""
    from districts.models import Site
    from districts.services import geography_load, province_sites_create
    from foundation.thaidate import BANGKOK, fiscal_year_bounds
    from join.models import Attendance
    from meetings.models import Meeting, Participation

    geography_load()
    for code in SMALL_COUNTRY:
        province_sites_create(province_code=code)
    bill(fy)
    first, _last = fiscal_year_bounds(fy)
    sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    for number, code in enumerate(SMALL_COUNTRY * 3):
        day = sunday + timedelta(weeks=number)
        start = datetime(day.year, day.month, day.day, 9, tzinfo=BANGKOK)
        end = start + timedelta(hours=2)
        hall = Site.objects.get(province__code=code, kind=Site.Kind.PROVINCIAL_HALL)
        offices = list(Site.objects.filter(province__code=code, kind=Site.Kind.DISTRICT_OFFICE).order_by("pk")[:3])
        meeting = Meeting.objects.create(
            title="ประชุมวันอาทิตย์", host_site=hall, start=start, end=end, status=Meeting.Status.ENDED
        )
        Participation.objects.create(meeting=meeting, site=hall, role="host", start=start, end=end)
        for office in offices:
            Participation.objects.create(meeting=meeting, site=office, start=start, end=end)
        for office in offices[: number % 3 + 1]:
            Attendance.objects.create(
                meeting=meeting, site=office, display=office.name, joined_at=start, last_seen_at=end, left_at=end
            )


def measure_roads(*, seed: int) -> int:
    """A road distance (15-140 km, seeded) for the districts the geography left without one: an unmeasured district
    counts for nothing in the travel saved (billing's rule), and most would be unmeasured here otherwise."""
    import random

    from districts.models import District

    rng = random.Random(seed)
    unmeasured = list(District.objects.filter(road_distance_km__isnull=True, site__isnull=False).order_by("code"))
    for district in unmeasured:
        district.road_distance_km = Decimal(rng.randrange(150, 1400)) / 10
    District.objects.bulk_update(unmeasured, ["road_distance_km"], batch_size=BATCH)
    return len(unmeasured)


def attend(*, seed: int) -> int:
    """Attendance rows for the ended meetings, as the polls leave them: the host and most invited sites."""
    import random

    from django.db import connection

    from join.models import Attendance
    from meetings.models import Meeting, Participation

    rng = random.Random(seed)
    rows = []
    ended = (
        Participation.objects.filter(meeting__status=Meeting.Status.ENDED, active=True, meeting__title__contains="ครั้งที่")
        .order_by("meeting_id", "pk")
        .values_list("meeting_id", "site_id", "site__name", "role", "start", "end")
    )
    for meeting_id, site_id, name, role, start, end in ended:
        if meeting_id % WITHOUT_ATTENDANCE_EVERY == 0:
            continue
        if role == "host" or rng.random() < CONNECTED_SHARE:
            joined = start + timedelta(minutes=rng.randrange(0, 20))
            rows.append(
                Attendance(meeting_id=meeting_id, site_id=site_id, display=name, joined_at=joined, last_seen_at=end,
                           left_at=end)
            )  # fmt: skip
    Attendance.objects.bulk_create(rows, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(rows)


def page_queries(pages: InProcess, path: str, session: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages.get(path, session, "ภาพรวมระดับประเทศ")
    with CaptureQueriesContext(connection) as captured:
        pages.get(path, session, "ภาพรวมระดับประเทศ")
    return len(captured.captured_queries)


def provinces_reports_added_up(fy: int) -> dict:
    """Every province's own reports (billing's code, province scope) added up, against the national totals."""
    from billing.exporters import FiscalYearSummary, TravelSavingsReport
    from billing.scope import BillingScope
    from districts.models import Province
    from national.selectors import national_summary

    totals = national_summary(fy=fy).totals
    cost = saved = net = Decimal("0.00")
    for province in Province.objects.order_by("code"):
        scope = BillingScope(province_id=province.pk, label=province.name_th)
        summary = FiscalYearSummary(params={"fy": fy}, scope=scope)
        summary.load()
        savings = TravelSavingsReport(params={"fy": fy}, scope=scope)
        savings.load()
        cost += summary.grand_total
        saved += savings.savings.totals.travel
        net += savings.savings.totals.net
    return {
        "national": {"cost": str(totals.cost), "saved": str(totals.saved), "net": str(totals.net)},
        "provinces_added_up": {"cost": str(cost), "saved": str(saved), "net": str(net)},
        "equal": (totals.cost, totals.saved, totals.net) == (cost, saved, net),
        "meetings_held": totals.meetings_held,
        "invited": totals.invited,
        "connected": totals.connected,
        "connected_percent": str(totals.connected_percent),
        "without_distance": totals.without_distance,
    }


def timed(function, rounds: int) -> list[float]:
    function()
    times = []
    for _ in range(rounds):
        begun = time.perf_counter()
        function()
        times.append((time.perf_counter() - begun) * 1000)
    return times


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 meetings, 3 visits")
    parser.add_argument("--meetings", type=int, help=f"meetings in the year (default {PROFILES['full'][0]})")
    parser.add_argument("--rounds", type=int, help=f"in-process visits (default {PROFILES['full'][1]})")
    parser.add_argument("--fy", type=int, help="fiscal year (BE); default: the one of the day three months ago")
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()
    meetings, rounds = PROFILES["quick" if args.quick else "full"]
    args.meetings = args.meetings or meetings
    args.rounds = args.rounds or rounds
    return args


def main() -> int:
    args = parse_args()
    began = time.perf_counter()
    postgres, redis = PostgresServer(), RedisServer()
    try:
        postgres.start()
        redis.start()
        setup_django(postgres.url, redis.url, workers=1)
        from django.db import connection
        from django.utils import timezone

        from foundation.thaidate import fiscal_year
        from national.selectors import national_summary

        fy = args.fy or fiscal_year(timezone.localdate() - timedelta(days=91))
        path = f"/national/?fy={fy}"
        small_country(fy)
        session = national_session()
        pages = InProcess()
        queries_2 = page_queries(pages, path, session)
        say(f"two provinces: {queries_2} queries; loading the national dataset ({args.meetings} meetings)")
        data = load_dataset(meetings_total=args.meetings, seed=args.seed)
        lines = bill(fy)
        attendances = attend(seed=args.seed)
        measured = measure_roads(seed=args.seed)
        say(
            f"{data.meetings} meetings, {lines} more lines billed, {attendances} attendance rows, {measured} road "
            f"distances set; rendering FY {fy}"
        )
        queries_77 = page_queries(pages, path, session)
        page = timed(lambda: pages.get(path, session, "ภาพรวมระดับประเทศ"), args.rounds)
        bare = timed(lambda: pages.get("/bench/bare"), max(args.rounds, 20))
        summary = timed(lambda: national_summary(fy=fy), args.rounds)
        with_data = sum(1 for row in national_summary(fy=fy).provinces if row.meetings_held or row.cost)
        check = provinces_reports_added_up(fy)
        connection.close()
    finally:
        postgres.stop()
        redis.close()
    ms, bare_ms = round(statistics.median(page), 2), round(statistics.median(bare), 2)
    result = {
        "queries": queries_77,
        "queries_77": queries_77,
        "queries_2_provinces": queries_2,
        "queries_fixed": queries_2 == queries_77,
        "ms": ms,
        "ms_max": round(max(page), 2),
        "summary_ms": round(statistics.median(summary), 2),
        "bare_ms": bare_ms,
        "ms_ratio_to_bare": round(ms / bare_ms, 1),
        "totals_equal_provinces_reports": check.pop("equal"),
        "fy": fy,
        "figures": check,
        "provinces_with_data": with_data,
        "dataset": {
            "provinces": data.provinces, "district_sites": data.district_sites, "meetings": data.meetings,
            "participations": data.participations, "attendance_rows": attendances, "road_distances_set": measured,
            "load_s": round(data.seconds, 1),
        },
        "rounds": args.rounds,
        "quick": args.quick,
        "total_s": round(time.perf_counter() - began, 1),
    }  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["queries_fixed"] and result["totals_equal_provinces_reports"] else 1


if __name__ == "__main__":
    sys.exit(main())
