"""Benchmark: the clerk's page and the join page, in-process and under load, beside a bare Django view.

    .venv/bin/python bench/pages.py [--quick] [--meetings 20000] [--duration 8] [--repeats 5] [--connections 50]
                                    [--rounds 3] [--workers N]

Starts its own PostgreSQL and Redis (tests/services, as the tests do) and migrates the database with
production-like settings (`bench.pages_settings`: production on loopback, no TLS redirect, `bench.pages_urls`),
with Redis as the cache (CACHE_URL) as in production: the production settings refuse a per-process cache with
more than one web worker (system check portal.E001, run here with the workers gunicorn will start). Sessions are
the stock database sessions.

Loads a national dataset with `bulk_create`, as the services write it: the 77 provinces and 928 districts, a
provincial hall and a district office for each of the 878 amphoe (Bangkok's 50 khet get no site), and a year of
meetings (half behind, half ahead; weekdays 08:00-17:00 Bangkok), each with its province's hall as host and 2-5
of its districts: Meeting (ended / ready / a few cancelled), Participation (times copied, inactive once
cancelled), Room (provisioned, or destroyed once over or cancelled) and one JoinPass per invited site (passes are
issued when a site is invited). One meeting per province is open for joining now (hall + 3 districts). One clerk
per province (its capital district), each with a database session and the calendar feed a "new link" press
left. Two more district offices, kept out of the random meetings, are the probes of the query count: one with 1
meeting in its two-week window, one with 50.

In-process (Django's test Client, this process, nothing else running):
- `clerk_uncached_ms`: the median time of the clerk's page (/sites/<code>/, join.views.SitePageView) of the 76
  clerks, signed in (session and CSRF cookies), --rounds times each after one warm-up visit: rendered from the
  database every time (the page is not cached, and only reads);
- `clerk_queries_1` / `clerk_queries_50`: the queries of one visit of the probe sites with 1 and 50 meetings
  listed (CaptureQueriesContext); `clerk_queries_fixed` says whether they are equal;
- `join_ms`: the median time of the join page (/j/<token>/) of the passes of the open meetings, no login;
- `bare_ms`: the bare view (bench/pages_urls.py: the whole middleware stack and a fixed body), for reference.

Under load: gunicorn (sync workers, 2 x cores + 1 unless --workers, CACHE_URL on the Redis started here) serves
the targets, driven by wrk (Debian) on loopback at --connections clients: `bare`, `clerk` (the 76 clerks'
pages in turn, each with its session and CSRF cookies, rendered every time), `clerk_revisit` (the same pages, each
asked with the ETag its first visit gave, as a browser that kept the page revalidates it: 304 while nothing on it
changed; join/clerk_page_etag.py) and `join` (the open passes in turn). Each target runs
--repeats times, interleaved (bare, clerk, join, bare, ...), for --duration seconds; the figures are the
medians, and `*_ratio_paired` the median of each round's page / bare (adjacent runs: the machine's other load
cancels out).

The last line printed is one JSON object: `clerk_uncached_ms`, `clerk_queries_1`, `clerk_queries_50`,
`clerk_queries_fixed`, `join_ms`, `bare_ms`; `clerk_rps`, `clerk_p50_ms`, `clerk_p99_ms`, the same for
`clerk_revisit_*`, `join_rps`,
`join_p50_ms`, `join_p99_ms`, `bare_rps`, `bare_p50_ms`, `bare_p99_ms` and the ratios to bare; the goals
(`goal_clerk_uncached_ms`: 15, `goal_p99_ms`: 250 for the pages and the revisits, the clerk's queries fixed)
and `goals_met`;
then the diagnostics: each page's SQL and Python milliseconds, writes (none expected), every wrk run, and the
machine's load average before the in-process block, before and after the runs (the last counts the runs' own
processes; a high figure before means other work shared the machine and the figures are not comparable).
`--quick` is a smoke check (a smaller year of meetings, short runs: about a minute); the default run takes
about three minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services.ports import free_port  # noqa: E402
from tests.services.postgres import PostgresServer  # noqa: E402
from tests.services.redis import RedisServer  # noqa: E402

BANGKOK_PROVINCE = "10"  # its 50 khet are districts, not amphoe offices: no sites
TITLES = [
    "ประชุมหัวหน้าส่วนราชการประจำเดือน",
    "ประชุมคณะกรมการจังหวัด",
    "ประชุมติดตามการแก้ไขปัญหาภัยแล้ง",
    "ประชุมชี้แจงโครงการพัฒนาหมู่บ้าน",
    "ประชุมเตรียมความพร้อมป้องกันอุทกภัย",
    "ประชุมนายอำเภอและปลัดอำเภอ",
    "ประชุมศูนย์ดำรงธรรมจังหวัด",
    "ประชุมติดตามการเบิกจ่ายงบประมาณ",
]
WORK_HOURS = range(8, 17)  # a meeting may start at 08:00 ... 16:00 (Bangkok)
DURATIONS = (45, 60, 90, 120)  # minutes
CANCELLED_SHARE = 0.03
PARTICIPANT_DISTRICTS = (2, 3, 3, 4, 5)
PROBE_MEETINGS = (1, 50)  # meetings in the two-week window of the probe sites (the query count must not grow)
PROBE_MINUTES = 45
PROBE_CANCELLED_EVERY = 20  # one probe meeting in 20 is cancelled (listed as such)
BATCH = 5000
ROOM_NUMBER_BASE = 10**9  # the dataset's rooms are numbered from here (the portal draws them at random)
REQUESTS_CAP_PER_THREAD = 500_000  # wrk is bounded by --duration; this bounds the count as well
WRK_TIMEOUT = 10  # seconds; a request slower than this counts as a timeout (socket_errors), not in the latencies
DRAIN_TIMEOUT = 90  # seconds to wait for the server to finish what the last run left queued
GOAL_CLERK_UNCACHED_MS = 15
GOAL_P99_MS = 250
# --quick / the default run: (meetings in the year, seconds per wrk run, repeats, in-process rounds)
PROFILES = {"quick": (2_000, 3, 2, 1), "full": (20_000, 8, 5, 3)}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


# --- the dataset -------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    provinces: int = 0
    districts: int = 0
    district_sites: int = 0
    halls: int = 0
    meetings: int = 0
    participations: int = 0
    rooms: int = 0
    join_passes: int = 0
    cancelled: int = 0
    seconds: float = 0.0
    clerk_paths: list[tuple[str, str]] = field(default_factory=list)  # (path, session key)
    join_paths: list[str] = field(default_factory=list)
    probe_paths: dict[int, tuple[str, str]] = field(default_factory=dict)  # meetings listed -> (path, session key)


def setup_django(database_url: str, cache_url: str, workers: int) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["CACHE_URL"] = cache_url  # read by the settings here and in the gunicorn workers
    os.environ["GUNICORN_WORKERS"] = str(workers)  # PRACHUM_WEB_WORKERS: portal.E001 counts these
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
    os.environ["PRACHUM_BENCH_URLCONF"] = "bench.pages_urls"
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)  # shared with the gunicorn workers (env)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"  # nothing is enqueued here; no broker needed
    import django

    django.setup()
    from django.core.management import call_command

    call_command("check", fail_level="ERROR", stdout=sys.stderr)  # portal.E001 among them: a shared cache
    call_command("migrate", verbosity=0)


def _weekday_slots(now: datetime, *, days_back: int, days_ahead: int, keep_free: tuple[datetime, datetime]):
    """Every hourly start on a weekday in the year around `now` (Bangkok), except those near `keep_free`."""
    from foundation.thaidate import BANGKOK

    today = now.astimezone(BANGKOK).date()
    slots = []
    for offset in range(-days_back, days_ahead + 1):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for hour in WORK_HOURS:
            start = datetime(day.year, day.month, day.day, hour, tzinfo=BANGKOK)
            if start + timedelta(hours=2) > keep_free[0] and start < keep_free[1]:
                continue
            slots.append(start)
    return slots


def _shares(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` split in proportion to `weights` (largest remainder): every district sees as many meetings."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def _probe_plans(*, now: datetime, probe, hall, busy: list[tuple[datetime, datetime]], count: int, scheduler):
    """`count` meetings of the probe site between tomorrow and the 13th day after today (inside the clerk's
    two-week window, whatever the hour of the run), an hour apart on weekdays: hosted by the province's hall
    where it is free, else by the probe site alone (no site is booked twice: the exclusion constraint)."""
    from foundation.thaidate import BANGKOK
    from meetings.models import DEFAULT_AGENDA, Meeting

    today = now.astimezone(BANGKOK).date()
    starts = [
        datetime(day.year, day.month, day.day, hour, tzinfo=BANGKOK)
        for day in (today + timedelta(days=offset) for offset in range(1, 14)) if day.weekday() < 5
        for hour in WORK_HOURS
    ]
    if len(starts) < count:
        raise SystemExit(f"{count} probe meetings do not fit in the {len(starts)} hours of the window")
    plans = []
    for number, start in enumerate(starts[:count]):
        end = start + timedelta(minutes=PROBE_MINUTES)
        hall_free = not any(start < busy_end and busy_start < end for busy_start, busy_end in busy)
        host = hall if hall_free else probe
        cancelled = count > 1 and number % PROBE_CANCELLED_EVERY == PROBE_CANCELLED_EVERY - 1
        if hall_free and not cancelled:
            busy.append((start, end))
        meeting = Meeting(
            title=f"{TITLES[number % len(TITLES)]} (อำเภอทดสอบ {count}) ครั้งที่ {number + 1}",
            agenda=list(DEFAULT_AGENDA), host_site=host, start=start, end=end,
            status=Meeting.Status.CANCELLED if cancelled else Meeting.Status.READY, sequence=1 if cancelled else 0,
            created_by=scheduler,
        )
        plans.append((meeting, [hall, probe] if hall_free else [probe]))
    return plans


def _national_plans(*, now: datetime, halls: dict, districts: dict, schedulers: dict, meetings_total: int,
                    rng: random.Random, live: tuple[datetime, datetime]) -> list:
    """(meeting, [sites]) of the year: each province's share of `meetings_total`, spread over the weekday hours
    (its hall never booked twice), and the meeting of each province open for joining now (`live`)."""
    from meetings.models import DEFAULT_AGENDA, Meeting

    live_start, live_end = live
    slots = _weekday_slots(now, days_back=182, days_ahead=182, keep_free=(now - timedelta(hours=1), live_end))
    shares = _shares(meetings_total, {pid: len(d) for pid, d in districts.items()})
    plans = []  # (meeting, [sites])
    for index, (province_id, count) in enumerate(sorted(shares.items())):
        hall, offices = halls[province_id], districts[province_id]
        step = len(slots) / count
        if step < 1:
            raise SystemExit(f"{count} meetings do not fit in the {len(slots)} weekday hours of a year")
        longest = min(DURATIONS[-1], int(step) * 60 - 15 if step >= 2 else 45)
        offset = index % max(1, int(step))
        cursor = 0
        for number in range(count):
            start = slots[min(len(slots) - 1, int(number * step) + offset)]
            end = start + timedelta(minutes=rng.choice([d for d in DURATIONS if d <= longest] or [45]))
            taking = min(rng.choice(PARTICIPANT_DISTRICTS), len(offices))
            chosen = [offices[(cursor + i) % len(offices)] for i in range(taking)]
            cursor += taking
            cancelled = rng.random() < CANCELLED_SHARE
            status = (
                Meeting.Status.CANCELLED if cancelled else
                Meeting.Status.ENDED if end <= now else Meeting.Status.READY
            )
            meeting = Meeting(
                title=f"{rng.choice(TITLES)} ครั้งที่ {number + 1}", agenda=list(DEFAULT_AGENDA), host_site=hall,
                start=start, end=end, status=status, sequence=1 if cancelled else 0,
                created_by=schedulers[province_id],
            )
            plans.append((meeting, [hall, *chosen]))
        # The meeting open for joining now: the hall, the clerk's district and two more.
        live_sites = [hall, offices[0], *offices[1:3]]
        plans.append((
            Meeting(
                title="ประชุมด่วนติดตามสถานการณ์ (กำลังเปิดห้อง)", agenda=list(DEFAULT_AGENDA), host_site=hall,
                start=live_start, end=live_end, status=Meeting.Status.READY, created_by=schedulers[province_id],
            ),
            live_sites,
        ))
    return plans


def load_dataset(*, meetings_total: int, seed: int) -> Dataset:  # noqa: PLR0915 - one linear load
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from districts.models import District, Province, Site, Staff
    from districts.services import geography_load, province_sites_create
    from join.links import join_path
    from join.models import JOIN_OPENS_BEFORE, CalendarFeed, JoinPass
    from join.selectors import CLERK_DAYS, clerk_meetings
    from meetings.models import MediaServer, Meeting, Participation, Room

    rng = random.Random(seed)
    started = time.perf_counter()
    data = Dataset()
    geography_load()
    for code in Province.objects.exclude(code=BANGKOK_PROVINCE).values_list("code", flat=True):
        province_sites_create(province_code=code)
    data.provinces = Province.objects.count()
    data.districts = District.objects.count()
    sites = list(
        Site.objects.select_related("province", "district").order_by("province__code", "kind", "district__code")
    )
    halls = {s.province_id: s for s in sites if s.kind == Site.Kind.PROVINCIAL_HALL}
    districts: dict[int, list] = {}
    for site in sites:
        if site.kind == Site.Kind.DISTRICT_OFFICE:
            districts.setdefault(site.province_id, []).append(site)
    data.halls, data.district_sites = len(halls), sum(map(len, districts.values()))
    # The probes: the last district office of the first provinces with five or more, kept out of the random
    # meetings (the clerk's district and the two of the open meeting are the first three).
    probe_provinces = [pid for pid in sorted(districts) if len(districts[pid]) >= 5][: len(PROBE_MEETINGS)]
    probes = {count: districts[pid].pop() for count, pid in zip(PROBE_MEETINGS, probe_provinces, strict=True)}

    server = MediaServer.objects.create(
        kind=MediaServer.Kind.JANUS, name="bench-janus", url="http://127.0.0.1:9/janus",
        admin_url="http://127.0.0.1:9/admin", secret_env="JANUS_BENCH",  # noqa: S106 - names a variable, holds no secret
        capacity_sites=1_000_000,
        last_check_ok=True, last_checked_at=timezone.now(),
    )
    user_model = get_user_model()
    users = []
    clerk_sites = [districts[pid][0] for pid in sorted(halls)] + list(probes.values())
    for hall in halls.values():
        users.append(user_model(username=f"scheduler{hall.province.code}", first_name="เจ้าหน้าที่", last_name="จัดประชุม"))
    for site in clerk_sites:
        users.append(user_model(username=f"clerk{site.district.code}", first_name="เสมียน"))
    for user in users:
        user.set_unusable_password()  # the benchmark signs in through sessions, not passwords
    user_model.objects.bulk_create(users)
    by_name = {u.username: u for u in user_model.objects.filter(username__in=[u.username for u in users])}
    schedulers = {pid: by_name[f"scheduler{hall.province.code}"] for pid, hall in halls.items()}
    clerks = {site.pk: by_name[f"clerk{site.district.code}"] for site in clerk_sites}
    Staff.objects.bulk_create(
        [Staff(user=schedulers[pid], role=Staff.Role.SCHEDULER, site=hall) for pid, hall in halls.items()]
        + [Staff(user=clerks[site.pk], role=Staff.Role.CLERK, site=site) for site in clerk_sites]
    )

    now = timezone.now()
    live_start = (now + timedelta(minutes=10)).replace(second=0, microsecond=0)
    live_end = live_start + timedelta(hours=1)
    plans = _national_plans(
        now=now, halls=halls, districts=districts, schedulers=schedulers, meetings_total=meetings_total, rng=rng,
        live=(live_start, live_end),
    )
    for count, probe in probes.items():
        hall = halls[probe.province_id]
        busy = [(m.start, m.end) for m, taking in plans if hall in taking and m.status != Meeting.Status.CANCELLED]
        plans += _probe_plans(
            now=now, probe=probe, hall=hall, busy=busy, count=count, scheduler=schedulers[probe.province_id]
        )

    room_base = ROOM_NUMBER_BASE
    with transaction.atomic():
        Meeting.objects.bulk_create([m for m, _ in plans], batch_size=BATCH)
        participations, rooms, passes = [], [], []
        for meeting, meeting_sites in plans:
            closed = meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.ENDED)
            for site in meeting_sites:
                participations.append(Participation(
                    meeting=meeting, site=site,
                    role=Participation.Role.HOST if site.pk == meeting.host_site_id else Participation.Role.PARTICIPANT,
                    start=meeting.start, end=meeting.end, active=meeting.status != Meeting.Status.CANCELLED,
                ))
                passes.append(JoinPass(meeting=meeting, site=site, token=secrets.token_urlsafe(32)))
            number = room_base + meeting.pk
            rooms.append(Room(
                meeting=meeting, server=server, number=number, name=f"prachum-{number}",
                publishers=len(meeting_sites), pin=f"{rng.randrange(10**6):06d}", secret=secrets.token_urlsafe(24),
                state=Room.State.DESTROYED if closed else Room.State.PROVISIONED,
                desired_version=1 + meeting.sequence, provisioned_version=1 + meeting.sequence,
                provisioned_at=now,
            ))
        Participation.objects.bulk_create(participations, batch_size=BATCH)
        Room.objects.bulk_create(rooms, batch_size=BATCH)
        JoinPass.objects.bulk_create(passes, batch_size=BATCH)
        # The calendar feed each clerk's "new link" press made once (the page shows it; it never makes one).
        CalendarFeed.objects.bulk_create(
            [CalendarFeed(site=site, token=secrets.token_urlsafe(32)) for site in clerk_sites]
        )

        sessions = {}
        for site in clerk_sites:
            user = clerks[site.pk]
            session = import_module(settings.SESSION_ENGINE).SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "districts.authentication.PrincipalBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions[site.pk] = (f"/sites/{site.district.code}/", session.session_key)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done on a database that grew over a year

    probe_ids = {probe.pk for probe in probes.values()}
    data.clerk_paths = [sessions[site.pk] for site in clerk_sites if site.pk not in probe_ids]
    data.probe_paths = {count: sessions[probe.pk] for count, probe in probes.items()}
    for count, probe in probes.items():
        listed = len(clerk_meetings(site=probe, days=CLERK_DAYS).entries)
        if listed != count:
            raise RuntimeError(f"the probe site {probe.code} lists {listed} meetings, not {count}")
    live = JoinPass.objects.filter(meeting__start=live_start, meeting__end=live_end).order_by("pk")
    data.join_paths = [join_path(token) for token in live.values_list("token", flat=True)]
    assert live_start - JOIN_OPENS_BEFORE <= now < live_end
    data.meetings = Meeting.objects.count()
    data.participations = Participation.objects.count()
    data.rooms = Room.objects.count()
    data.join_passes = JoinPass.objects.count()
    data.cancelled = Meeting.objects.filter(status=Meeting.Status.CANCELLED).count()
    data.seconds = time.perf_counter() - started
    connection.close()
    return data


def listed_per_clerk(data: Dataset) -> list[int]:
    """How many meetings each of the 76 clerks' pages lists (today and the next CLERK_DAYS days, at least 3)."""
    from django.db import connection

    from districts.models import Site
    from join.selectors import CLERK_DAYS, clerk_meetings

    codes = [path.strip("/").split("/")[-1] for path, _ in data.clerk_paths]
    listed = [
        len(clerk_meetings(site=site, days=CLERK_DAYS).entries)
        for site in Site.objects.filter(district__code__in=codes).select_related("district", "province")
    ]
    connection.close()
    return listed


# --- gunicorn ----------------------------------------------------------------------------------------------


class Gunicorn:
    """gunicorn on 127.0.0.1:<free port> with the benchmark's settings, stopped by its own PID."""

    def __init__(self, *, workers: int, logdir: Path) -> None:
        self.workers = workers
        self.port = free_port()
        self.log_path = logdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Gunicorn:
        command = [
            sys.executable, "-m", "gunicorn",
            "--chdir", str(ROOT), "--pythonpath", str(ROOT),
            "--workers", str(self.workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "60", "--graceful-timeout", "10",
            "--worker-tmp-dir", "/dev/shm",
            "--log-level", "warning",  # no access log: the figures are the application's, not the log's
            "--no-control-socket",
            "portal.wsgi:application",
        ]
        log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.base_url}/bench/bare", timeout=10).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in 60 s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: the master stops its workers gracefully
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- wrk ---------------------------------------------------------------------------------------------------


LUA = """\
local targets = {%(targets)s}
local prepared = {}
local count = 0
index = 0 -- global: setup() gives each thread its own starting point
offsets = 0

function setup(thread)
  thread:set("index", offsets)
  offsets = offsets + 17
end

function init(args)
  for i, target in ipairs(targets) do
    local headers = {}
    if target[2] ~= "" then headers["Cookie"] = target[2] end
    if target[3] ~= "" then headers["If-None-Match"] = target[3] end
    prepared[i] = wrk.format("GET", target[1], headers)
  end
end

function request()
  count = count + 1
  if count > %(cap)d then wrk.thread:stop() end
  index = index %% #prepared + 1
  return prepared[index]
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Run:
    target: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]


def wrk_script(path: Path, targets: list[tuple[str, str]], etags: dict[str, str] | None = None) -> Path:
    """A wrk script asking for `targets` (path, cookie) in turn; with `etags` (path -> ETag), as a browser that
    kept each page revalidates it (If-None-Match)."""
    etags = etags or {}
    for url_path, cookie in targets:
        if not re.fullmatch(r"[A-Za-z0-9/_\-.]+", url_path) or not re.fullmatch(r"[A-Za-z0-9=_\-; ]*", cookie):
            raise ValueError(f"unexpected characters for the Lua script: {url_path!r} {cookie!r}")
        if not re.fullmatch(r'("[0-9a-f-]+")?', etags.get(url_path, "")):
            raise ValueError(f"unexpected ETag: {etags[url_path]!r}")
    rows = ", ".join(f'{{"{p}", "{c}", [[{etags.get(p, "")}]]}}' for p, c in targets)
    path.write_text(LUA % {"targets": rows, "cap": REQUESTS_CAP_PER_THREAD})
    return path


def _ms(value: str, unit: str) -> float:
    return float(value) * UNITS[unit]


def parse_wrk(target: str, output: str) -> Run:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Run(
        target=target, rps=float(rps.group(1)), p50_ms=_ms(*p50.groups()), p99_ms=_ms(*p99.groups()),
        requests=int(total.group(1)), non_2xx_3xx=int(non_ok.group(1)) if non_ok else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True))
        if sockets else {},
    )


def wrk_run(*, target: str, script: Path, base_url: str, duration: int, connections: int, threads: int) -> Run:
    command = [
        "/usr/bin/wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", f"{WRK_TIMEOUT}s",
        "--latency", "-s", str(script), f"{base_url}/",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    run = parse_wrk(target, done.stdout)
    drain(base_url)
    return run


def drain(base_url: str) -> None:
    """Wait until the server has worked off the requests the last run left in its queue (wrk stops on time and
    drops its connections, but a sync worker finishes every request it accepted): the next run starts clean."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    quick = 0
    while quick < 2:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not drain its queue in {DRAIN_TIMEOUT} s")
        begun = time.monotonic()
        try:
            requests.get(f"{base_url}/bench/bare", timeout=DRAIN_TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.5)
            continue
        quick = quick + 1 if time.monotonic() - begun < 0.5 else 0


# --- checks ------------------------------------------------------------------------------------------------


def _link_prefix() -> str:
    from join.links import join_path

    return join_path("token").removesuffix("token/")  # /j/, where the project mounts the short route


def check_targets(base_url: str, data: Dataset, cookie_name: str, every: int = 10) -> None:
    """Every `every`-th page of each target answers 200 with what it should show (wrk counts only >= 400 as
    errors: a 302 to the login page would pass unseen)."""
    link_prefix = _link_prefix()
    answer = requests.get(f"{base_url}/bench/bare", timeout=10)
    if answer.status_code != 200 or answer.text != "ok":
        raise RuntimeError(f"bare view: {answer.status_code} {answer.text[:300]}")
    for path, session in data.clerk_paths[::every]:
        answer = requests.get(base_url + path, cookies={cookie_name: session}, timeout=60, allow_redirects=False)
        if answer.status_code != 200 or link_prefix not in answer.text:
            raise RuntimeError(f"clerk page {path}: {answer.status_code} {answer.text[:300]}")
    for path in data.join_paths[::every]:
        answer = requests.get(base_url + path, timeout=30, allow_redirects=False)
        if answer.status_code != 200 or 'id="call-config"' not in answer.text:
            raise RuntimeError(f"join page {path}: {answer.status_code} {answer.text[:300]}")


def page_etags(base_url: str, targets: list[tuple[str, str]]) -> dict[str, str]:
    """Each clerk's page visited once with their cookies, as in the morning: path -> the ETag their browser keeps.
    Checked: the revisit with it is a 304 (nothing changed in between)."""
    etags = {}
    for path, cookie in targets:
        answer = requests.get(base_url + path, headers={"Cookie": cookie}, timeout=60, allow_redirects=False)
        etags[path] = answer.headers.get("ETag", "")
        again = requests.get(base_url + path, headers={"Cookie": cookie, "If-None-Match": etags[path]}, timeout=60,
                             allow_redirects=False)
        if answer.status_code != 200 or again.status_code != 304:
            raise RuntimeError(f"clerk page {path}: {answer.status_code}, then {again.status_code} (want 200, 304)")
    return etags


# --- in-process --------------------------------------------------------------------------------------------


def _csrf_secret() -> str:
    """A CSRF secret as Django makes them (32 letters and digits): the cookie an earlier visit left."""
    from django.utils.crypto import get_random_string

    return get_random_string(32)


class InProcess:
    """Pages through Django's test Client in this process, with the cookies a browser would send."""

    def __init__(self) -> None:
        from django.conf import settings
        from django.test import Client

        self.client = Client(SERVER_NAME="127.0.0.1")
        self.session_cookie, self.csrf_cookie = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
        self.link_prefix = _link_prefix()

    def get(self, path: str, session: str = "", expect: str = ""):
        self.client.cookies.clear()
        if session:
            self.client.cookies[self.session_cookie] = session
            self.client.cookies[self.csrf_cookie] = _csrf_secret()
        answer = self.client.get(path)
        if answer.status_code != 200 or (expect and expect.encode() not in answer.content):
            raise RuntimeError(f"in-process {path}: {answer.status_code} {answer.content[:300]!r}")
        return answer

    def timed(self, targets: list[tuple[str, str]], *, rounds: int, expect: str = "") -> list[float]:
        """Milliseconds of each visit: every target visited once to warm up (templates, the connection), then
        `rounds` times in turn. Nothing is captured while timing (no debug cursor)."""
        for path, session in targets:
            self.get(path, session, expect)
        times = []
        for _ in range(rounds):
            for path, session in targets:
                begun = time.perf_counter()
                self.get(path, session, expect)
                times.append((time.perf_counter() - begun) * 1000)
        return times

    def queries(self, path: str, session: str = "", expect: str = "") -> dict:
        """One visit (after a first one): its queries (CaptureQueriesContext), how many write, the milliseconds
        spent waiting for them (timed around each execute) and the rest (Python: middleware, view, templates)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        waited = []

        def timer(execute, sql, params, many, context):
            begun = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                waited.append(time.perf_counter() - begun)

        self.get(path, session, expect)
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            begun = time.perf_counter()
            answer = self.get(path, session, expect)
            total = time.perf_counter() - begun
        sql = [query["sql"] for query in captured.captured_queries]
        return {
            "queries": len(sql),
            "writes": sum(1 for text in sql if WRITES.match(text)),
            "ms": round(total * 1000, 2),
            "sql_ms": round(sum(waited) * 1000, 2),
            "python_ms": round((total - sum(waited)) * 1000, 2),
            "bytes": len(answer.content),
        }


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "p90": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 2),
        "max": round(ordered[-1], 2),
        "visits": len(ordered),
    }


def in_process(data: Dataset, rounds: int) -> dict:
    """The pages rendered in this process (nothing else running): their times and their queries."""
    from django.db import connection

    pages = InProcess()
    link = pages.link_prefix
    joins = [(path, "") for path in data.join_paths]
    try:  # the times first (no capture), then the queries of each page
        result = {
            "clerk": _summary(pages.timed(data.clerk_paths, rounds=rounds, expect=link)),
            "join": _summary(pages.timed(joins, rounds=rounds, expect='id="call-config"')),
            "bare": _summary(pages.timed([("/bench/bare", "")] * 50, rounds=rounds)),
            "clerk_1": _summary(pages.timed([data.probe_paths[1]] * 20, rounds=rounds, expect=link)),
            "clerk_50": _summary(pages.timed([data.probe_paths[50]] * 20, rounds=rounds, expect=link)),
        }
        probes = {count: pages.queries(path, session, link) for count, (path, session) in data.probe_paths.items()}
        clerks = [pages.queries(path, session, link) for path, session in data.clerk_paths]
        join_counts = [pages.queries(path, "", 'id="call-config"') for path, _ in joins[:50]]
    finally:
        connection.close()
    result["probes"] = probes
    for name, rows in (("clerk", clerks), ("join", join_counts)):
        result[f"{name}_queries"] = sorted({row["queries"] for row in rows})
        result[f"{name}_writes"] = sum(row["writes"] for row in rows)
        for part in ("sql_ms", "python_ms"):
            result[f"{name}_{part}_median"] = round(statistics.median(row[part] for row in rows), 2)
        result[f"{name}_bytes_median"] = int(statistics.median(row["bytes"] for row in rows))
    result["clerk_writes"] += sum(row["writes"] for row in probes.values())
    return result


def profile_page(data: Dataset, page: str, rounds: int) -> None:
    """cProfile over `rounds` visits of each of the page's targets (after a warm-up): where the time goes."""
    import cProfile
    import io
    import pstats

    pages = InProcess()
    targets = data.clerk_paths if page == "clerk" else [(path, "") for path in data.join_paths]
    pages.timed(targets, rounds=1)
    profiler = cProfile.Profile()
    profiler.enable()
    pages.timed(targets, rounds=rounds)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(45)
        print(out.getvalue(), file=sys.stderr)


# --- under load --------------------------------------------------------------------------------------------


def say(message: str) -> None:
    """Progress on stderr; stdout's last line is the JSON."""
    print(f"[bench/pages] {message}", file=sys.stderr, flush=True)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _median(runs: list[Run], name: str) -> float:
    return statistics.median(getattr(run, name) for run in runs)


def drive(args: argparse.Namespace, data: Dataset, gunicorn: Gunicorn, workdir: Path) -> dict[str, list[Run]]:
    """wrk on each target, a short warm-up first, then --repeats rounds interleaved: bare, clerk, join, ..."""
    from django.conf import settings

    def cookies(session: str) -> str:  # what a clerk's browser sends on the daily visit
        return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={_csrf_secret()}"

    clerks = [(path, cookies(session)) for path, session in data.clerk_paths]
    scripts = {
        "bare": wrk_script(workdir / "bare.lua", [("/bench/bare", "")]),
        "clerk": wrk_script(workdir / "clerk.lua", clerks),
        "clerk_revisit": wrk_script(workdir / "clerk_revisit.lua", clerks, etags=page_etags(gunicorn.base_url, clerks)),
        "join": wrk_script(workdir / "join.lua", [(p, "") for p in data.join_paths]),
    }
    common = {"base_url": gunicorn.base_url, "connections": args.connections, "threads": args.threads}
    for target, script in scripts.items():  # warm-up: every worker imports, caches templates, connects
        wrk_run(target=target, script=script, duration=2, **common)
    runs: dict[str, list[Run]] = {target: [] for target in scripts}
    for repeat in range(args.repeats):
        for target, script in scripts.items():
            run = wrk_run(target=target, script=script, duration=args.duration, **common)
            runs[target].append(run)
            say(f"run {repeat + 1} {target}: {run.rps:.1f} req/s, p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms")
    return runs


# --- main --------------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    meetings, duration, repeats, rounds = PROFILES["quick"]
    parser.add_argument("--quick", action="store_true", help=f"smoke check: {meetings} meetings, {duration} s runs, "
                        f"{repeats} repeats, {rounds} in-process round")
    parser.add_argument("--meetings", type=int, help=f"meetings in the year (default {PROFILES['full'][0]})")
    parser.add_argument("--duration", type=int, help=f"seconds per wrk run (default {PROFILES['full'][1]})")
    parser.add_argument("--repeats", type=int, help=f"wrk runs per target (default {PROFILES['full'][2]})")
    parser.add_argument("--rounds", type=int, help=f"in-process visits per page (default {PROFILES['full'][3]})")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2 * _cores() + 1, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument("--profile", choices=("clerk", "join"), help="instead of the runs: profile the page "
                        "in-process (cProfile over every visit of --rounds rounds) and print the top functions")
    args = parser.parse_args()
    profile = PROFILES["quick" if args.quick else "full"]
    for name, value in zip(("meetings", "duration", "repeats", "rounds"), profile, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def _paired(runs: dict[str, list[Run]], target: str) -> float:
    """Each run of `target` against the bare run of the same round (the same minute of a shared machine)."""
    return round(statistics.median(p.rps / b.rps for b, p in zip(runs["bare"], runs[target], strict=True)), 3)


def report(*, args: argparse.Namespace, data: Dataset, listed: list[int], local: dict, runs: dict[str, list[Run]],
           seconds: float) -> dict:
    rps = {target: _median(runs[target], "rps") for target in runs}
    p50 = {target: _median(runs[target], "p50_ms") for target in runs}
    p99 = {target: _median(runs[target], "p99_ms") for target in runs}
    queries_1, queries_50 = local["probes"][1]["queries"], local["probes"][50]["queries"]
    clerk_ms, join_ms, bare_ms = (local[page]["median"] for page in ("clerk", "join", "bare"))
    goals = {
        "clerk_uncached_ms": clerk_ms <= GOAL_CLERK_UNCACHED_MS,
        "clerk_queries_fixed": queries_1 == queries_50,
        "clerk_p99_ms": p99["clerk"] < GOAL_P99_MS,
        "clerk_revisit_p99_ms": p99["clerk_revisit"] < GOAL_P99_MS,
        "join_p99_ms": p99["join"] < GOAL_P99_MS,
    }
    return {
        "clerk_uncached_ms": clerk_ms,
        "clerk_queries_1": queries_1,
        "clerk_queries_50": queries_50,
        "clerk_queries_fixed": goals["clerk_queries_fixed"],
        "join_ms": join_ms,
        "bare_ms": bare_ms,
        "clerk_rps": round(rps["clerk"], 1),
        "clerk_p50_ms": round(p50["clerk"], 2),
        "clerk_p99_ms": round(p99["clerk"], 2),
        # the same clerks' browsers revalidating the page they kept (If-None-Match): 304 while nothing changed
        "clerk_revisit_rps": round(rps["clerk_revisit"], 1),
        "clerk_revisit_p50_ms": round(p50["clerk_revisit"], 2),
        "clerk_revisit_p99_ms": round(p99["clerk_revisit"], 2),
        "join_rps": round(rps["join"], 1),
        "join_p50_ms": round(p50["join"], 2),
        "join_p99_ms": round(p99["join"], 2),
        "bare_rps": round(rps["bare"], 1),
        "bare_p50_ms": round(p50["bare"], 2),
        "bare_p99_ms": round(p99["bare"], 2),
        "clerk_ratio": round(rps["clerk"] / rps["bare"], 3),  # requests per second, page / bare
        "join_ratio": round(rps["join"] / rps["bare"], 3),
        "clerk_ratio_paired": _paired(runs, "clerk"),
        "join_ratio_paired": _paired(runs, "join"),
        "clerk_ms_ratio": round(clerk_ms / bare_ms, 1),  # in-process time, page / bare
        "join_ms_ratio": round(join_ms / bare_ms, 1),
        "goal_clerk_uncached_ms": GOAL_CLERK_UNCACHED_MS,
        "goal_p99_ms": GOAL_P99_MS,
        "goals_met": all(goals.values()),
        "goals": goals,
        # the throughput below which --connections clients wait longer than the goal on average (Little's law)
        "rps_needed_for_goal_p99": round(args.connections * 1000 / GOAL_P99_MS, 1),
        "in_process": local,
        "runs": {t: [[round(r.rps, 1), round(r.p50_ms, 2), round(r.p99_ms, 2)] for r in rs] for t, rs in runs.items()},
        "runs_format": "[rps, p50_ms, p99_ms] per run, interleaved bare, clerk, clerk_revisit, join",
        "non_2xx_3xx": {t: sum(r.non_2xx_3xx for r in rs) for t, rs in runs.items()},
        "socket_errors": {t: [r.socket_errors for r in rs] for t, rs in runs.items()},
        "quick": args.quick,
        "connections": args.connections,
        "wrk_threads": args.threads,
        "duration_s": args.duration,
        "repeats": args.repeats,
        "in_process_rounds": args.rounds,
        "gunicorn_workers": args.workers,
        "cache": "redis (CACHE_URL, django-redis)",
        "sessions": "database",
        "cores": _cores(),
        "dataset": {
            "provinces": data.provinces, "districts": data.districts, "district_sites": data.district_sites,
            "halls": data.halls, "meetings": data.meetings, "cancelled": data.cancelled,
            "participations": data.participations, "rooms": data.rooms, "join_passes": data.join_passes,
            "clerks": len(data.clerk_paths), "open_join_passes": len(data.join_paths),
            "meetings_on_clerk_page_median": statistics.median(listed), "meetings_on_clerk_page_max": max(listed),
            "probe_sites": {str(count): path for count, (path, _) in data.probe_paths.items()},
            "load_s": round(data.seconds, 1),
        },
        "targets": {
            "bare": "GET /bench/bare (bench/pages_urls.py), no cookie",
            "clerk": f"GET /sites/<district code>/ of {len(data.clerk_paths)} clerks in turn, with their session "
                     "and CSRF cookies",
            "clerk_revisit": "the same, each with the ETag of its page (If-None-Match), as a browser that kept it",
            "join": f"GET {data.join_paths[0].rsplit('/', 2)[0]}/<token>/ of the open meetings' passes in turn, "
                    "no login",
        },
        "total_s": round(seconds, 1),
    }


def main() -> int:
    args = parse_args()
    if not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk not found: apt-get install wrk")

    def stop_on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop_on_signal)
    began = time.perf_counter()
    postgres, redis = PostgresServer(), RedisServer()
    gunicorn = None
    workdir = Path(tempfile.mkdtemp(prefix="prachum-bench-pages-"))
    try:
        postgres.start()
        redis.start()
        setup_django(postgres.url, redis.url, args.workers)
        from django.conf import settings

        say(f"PostgreSQL and Redis up, migrated ({time.perf_counter() - began:.1f} s); loading the dataset")
        data = load_dataset(meetings_total=args.meetings, seed=args.seed)
        say(f"{data.meetings} meetings, {data.participations} participations, {data.join_passes} passes "
            f"loaded in {data.seconds:.1f} s; rendering in-process")
        listed = listed_per_clerk(data)
        if args.profile:
            profile_page(data, args.profile, args.rounds)
            return 0
        load = {"before_in_process": os.getloadavg()}  # the machine may be shared: other work shows here
        local = in_process(data, args.rounds)
        say(f"in-process: clerk {local['clerk']['median']} ms ({local['clerk_queries']} queries; probes "
            f"{local['probes'][1]['queries']} / {local['probes'][50]['queries']}), join {local['join']['median']} ms, "
            f"bare {local['bare']['median']} ms")
        gunicorn = Gunicorn(workers=args.workers, logdir=workdir)  # assigned first: `finally` stops it
        gunicorn.start()
        say(f"gunicorn up ({args.workers} workers); checking the pages")
        check_targets(gunicorn.base_url, data, settings.SESSION_COOKIE_NAME)
        load["before_runs"] = os.getloadavg()
        runs = drive(args, data, gunicorn, workdir)
        load["after_runs"] = os.getloadavg()
        check_targets(gunicorn.base_url, data, settings.SESSION_COOKIE_NAME)  # still 200 with the content
    except BaseException:
        if gunicorn is not None:
            print(gunicorn.log_tail(), file=sys.stderr)
        raise
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        postgres.stop()
        redis.close()
        for leftover in workdir.glob("*"):
            leftover.unlink()
        workdir.rmdir()

    result = report(args=args, data=data, listed=listed, local=local, runs=runs, seconds=time.perf_counter() - began)
    result["load_average_1_5_15_min"] = {when: [round(value, 2) for value in values] for when, values in load.items()}
    print(json.dumps(result, ensure_ascii=False))
    return 1 if any(result["non_2xx_3xx"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
