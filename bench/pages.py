"""Benchmark: the clerk's page and the join page under load, beside a bare Django view on the same gunicorn.

    .venv/bin/python bench/pages.py [--meetings 20000] [--duration 8] [--repeats 3] [--connections 50]
                                    [--cache redis|locmem]

Starts its own PostgreSQL and Redis (tests/services, as the tests do; Redis is the cache, CACHE_URL, as in
production; `--cache locmem` leaves CACHE_URL unset: each worker's own memory) and migrates the database with
the production settings
(`bench.pages_settings`: production + loopback, no TLS redirect, `bench.pages_urls`). Loads a national dataset:
the 77 provinces and 928 districts, a provincial hall and a district office for each of the 878 amphoe (the 50
Bangkok khet get no site), and a year of meetings (half behind, half ahead; weekdays 08:00-17:00 Bangkok), each
with its province's hall as host and 2-5 of its districts, written with `bulk_create` as the services write
them: Meeting (ended / ready / a few cancelled), Participation (host + participants, times copied, inactive once
cancelled), Room (provisioned, or destroyed once over or cancelled) and one JoinPass per site. One meeting per
province is open for joining now (hall + 3 districts). One clerk per province (its capital district), each with
a database session.

Then gunicorn (sync workers, 2 x cores + 1 unless --workers) serves three targets on the same server, driven by
wrk (Debian) on loopback: `bare` (bench/pages_urls.py: the middleware stack and a fixed body, no cookie),
`clerk` (/sites/<code>/ of the 76 clerks in turn, each with its own session cookie and the CSRF cookie an
earlier visit left) and `join` (the join page of
the 304 passes of the open meetings in turn, no login). Each target runs --repeats times, interleaved (bare,
clerk, join, bare, ...), for --duration seconds at --connections clients; the figures are the medians, and
`ratio_paired` is the median of each round's clerk / bare (adjacent runs: the machine's other load cancels).
Afterwards each page is rendered in-process to count its queries and time its parts (SQL, QR codes).
The clerk's page is kept whole in the cache per site and viewer (meetings/join/page_cache.py), the session and
who asks are read through it (portal/sessions.py, districts/principals.py), each worker keeps copies of those
keys while Redis has not said they changed (portal/near_copies.py), and nothing is written during the runs, so
after the warm-up they measure the daily visit; the in-process block also times the
visit after a write to the site's meetings (`clerk_not_cached`) and on an empty cache (`clerk_cold`).

The last line is one JSON object: `clerk_page_rps`, `join_page_rps`, `bare_rps`, `ratio` (clerk / bare),
`join_ratio`, `p50_ms` / `p99_ms` (the clerk's page), the same per target, and the diagnostics.
Goal: ratio >= 0.5 and the clerk's p99 < 100 ms at 50 clients.
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
BATCH = 5000
REQUESTS_CAP_PER_THREAD = 500_000  # wrk is bounded by --duration; this bounds the count as well
WRK_TIMEOUT = 10  # seconds; a request slower than this counts as a timeout (socket_errors), not in the latencies
DRAIN_TIMEOUT = 90  # seconds to wait for the server to finish what the last run left queued


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


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
    os.environ["PRACHUM_BENCH_URLCONF"] = "bench.pages_urls"
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)  # shared with the gunicorn workers (env)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"  # nothing is enqueued here; no broker needed
    import django

    django.setup()
    from django.core.management import call_command

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


def load_dataset(*, meetings_total: int, seed: int) -> Dataset:  # noqa: PLR0915 - one linear load
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from districts.models import District, Province, Site, Staff
    from districts.services import geography_load, province_sites_create
    from join.links import join_path
    from join.models import JOIN_OPENS_BEFORE, JoinPass
    from join.services import calendar_feed_ensure
    from meetings.conf import setting
    from meetings.models import DEFAULT_AGENDA, MediaServer, Meeting, Participation, Room

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

    server = MediaServer.objects.create(
        kind=MediaServer.Kind.JANUS, name="bench-janus", url="http://127.0.0.1:9/janus",
        admin_url="http://127.0.0.1:9/admin", secret_env="JANUS_BENCH",  # noqa: S106 - names a variable, holds no secret
        capacity_sites=1_000_000,
        last_check_ok=True, last_checked_at=timezone.now(),
    )
    user_model = get_user_model()
    users = []
    for province_id, hall in halls.items():
        scheduler = user_model(username=f"scheduler{hall.province.code}", first_name="เจ้าหน้าที่", last_name="จัดประชุม")
        clerk = user_model(username=f"clerk{districts[province_id][0].district.code}", first_name="เสมียน")
        for user in (scheduler, clerk):
            user.set_unusable_password()  # the benchmark logs in through sessions, not passwords
            users.append(user)
    user_model.objects.bulk_create(users)
    by_name = {u.username: u for u in user_model.objects.filter(username__in=[u.username for u in users])}
    schedulers, clerks = {}, {}
    staff_rows = []
    for province_id, hall in halls.items():
        schedulers[province_id] = by_name[f"scheduler{hall.province.code}"]
        clerk_site = districts[province_id][0]
        clerks[province_id] = (by_name[f"clerk{clerk_site.district.code}"], clerk_site)
        staff_rows += [
            Staff(user=schedulers[province_id], role=Staff.Role.SCHEDULER, site=hall),
            Staff(user=clerks[province_id][0], role=Staff.Role.CLERK, site=clerk_site),
        ]
    Staff.objects.bulk_create(staff_rows)

    now = timezone.now()
    live_start = (now + timedelta(minutes=10)).replace(second=0, microsecond=0)
    live_end = live_start + timedelta(hours=1)
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

    room_base = int(setting("MEETINGS_ROOM_NUMBER_BASE"))
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

        for province_id in sorted(clerks):
            user, site = clerks[province_id]
            session = import_module(settings.SESSION_ENGINE).SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "districts.authentication.PrincipalBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            data.clerk_paths.append((f"/sites/{site.district.code}/", session.session_key))
            calendar_feed_ensure(site=site)  # what the clerk's first visit makes; the runs measure the daily visit
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done on a database that grew over a year

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


# --- the cache ---------------------------------------------------------------------------------------------


def cache_start(redis: RedisServer | None) -> None:
    """The portal's cache: the Redis given (CACHE_URL, read by the settings here and in the gunicorn workers), or
    none (CACHE_URL unset: each process's own memory)."""
    if redis is None:
        os.environ.pop("CACHE_URL", None)
        return
    redis.start()
    os.environ["CACHE_URL"] = redis.url


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


def wrk_script(path: Path, targets: list[tuple[str, str]]) -> Path:
    for url_path, cookie in targets:
        if not re.fullmatch(r"[A-Za-z0-9/_\-.]+", url_path) or not re.fullmatch(r"[A-Za-z0-9=_\-; ]*", cookie):
            raise ValueError(f"unexpected characters for the Lua script: {url_path!r} {cookie!r}")
    rows = ", ".join(f'{{"{p}", "{c}"}}' for p, c in targets)
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


# --- checks and diagnostics --------------------------------------------------------------------------------


def check_targets(base_url: str, data: Dataset, cookie_name: str, every: int = 10) -> None:
    """Every `every`-th page of each target answers 200 with what it should show (wrk counts only >= 400 as
    errors: a 302 to the login page would pass unseen)."""
    from join.links import join_path

    link_prefix = join_path("token").removesuffix("token/")  # /j/, where the project mounts the short route
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


def _use_session(client, cookie_name: str, session: str) -> None:
    client.cookies.clear()
    if session:
        client.cookies[cookie_name] = session


class Stopwatch:
    """Wraps functions of modules (in this process only) and adds up their calls and seconds."""

    def __init__(self, functions: dict, stand_ins: dict | None = None) -> None:
        self.modules = functions  # name -> the module it is looked up in
        self.originals = {name: getattr(module, name) for name, module in functions.items()}
        self.stand_ins = stand_ins or {}  # what-if: a function replaced (then restored) for the measurement
        self.seconds = dict.fromkeys(functions, 0.0)
        self.calls = dict.fromkeys(functions, 0)

    def _wrap(self, name: str):
        original = self.stand_ins.get(name, self.originals[name])

        def timed(*args, **kwargs):
            begun = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - begun
                self.calls[name] += 1

        return timed

    def reset(self) -> None:
        for name in self.originals:
            self.seconds[name], self.calls[name] = 0.0, 0

    def __enter__(self) -> Stopwatch:
        for name in self.originals:
            setattr(self.modules[name], name, self._wrap(name))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self.originals.items():
            setattr(self.modules[name], name, original)


def _measure(client, cookie_name: str, paths: list[tuple[str, str]], watch: Stopwatch, before=None) -> dict:
    """`before(path)`, if given, runs before each timed page (outside the timing)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for path, session in paths:  # warm the template cache, the connection and the clerk's lists in the cache
        _use_session(client, cookie_name, session)
        client.get(path)
    watch.reset()
    total, sql_ms, queries, sizes = 0.0, 0.0, [], []
    by_query: dict[str, float] = {}
    for path, session in paths:
        _use_session(client, cookie_name, session)
        if before is not None:
            before(path)
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            answer = client.get(path)
            total += time.perf_counter() - begun
        if answer.status_code != 200:
            raise RuntimeError(f"in-process {path}: {answer.status_code}")
        sizes.append(len(answer.content))
        queries.append(len(captured.captured_queries))
        for query in captured.captured_queries:
            sql_ms += float(query["time"]) * 1000
            text = re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"])[:400]
            by_query[text] = by_query.get(text, 0.0) + float(query["time"]) * 1000
    reset_queries()
    count = len(paths)
    top = sorted(by_query.items(), key=lambda item: item[1], reverse=True)[:3]
    return {
        "pages": count,
        "ms_per_page": round(total * 1000 / count, 2),
        "queries_per_page": sorted(set(queries)),
        "sql_ms_per_page": round(sql_ms / count, 2),
        "qr_codes_per_page": round(watch.calls["qr_svg"] / count, 1),
        "qr_svg_ms_per_page": round(watch.seconds["qr_svg"] * 1000 / count, 2),
        "site_page_context_ms_per_page": round(watch.seconds["site_page_context"] * 1000 / count, 2),
        "bytes_per_page": int(statistics.median(sizes)),
        "costliest_queries_ms_per_page": [[round(ms / count, 3), sql] for sql, ms in top],
    }


def diagnose(data: Dataset, cookie_name: str, samples: int = 10) -> dict:
    """Render the pages in this process: queries per page, and where the time goes (SQL, QR codes, the rest:
    templates, URL reversing, middleware). Timed by wrapping the functions here, in this process only.

    The clerk's page is kept whole in the cache (meetings/join/page_cache.py): `clerk` is the
    daily visit (the page is there), `clerk_not_cached` the visit after a write to the site's meetings (its
    version bumped before each page: the list is rendered again, the QR codes of its links are still cached),
    `clerk_cold` the visit on an empty cache (QR codes drawn again too)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from join.page_cache import site_pages_changed

    import join.qr as join_qr
    import join.views as join_views
    from districts.models import Site

    client = Client(SERVER_NAME="127.0.0.1")
    functions = {"qr_svg": join_qr, "site_page_context": join_views}
    site_ids = dict(Site.objects.filter(district__isnull=False).values_list("district__code", "pk"))

    def site_changed(path: str) -> None:
        site_pages_changed(site_ids=[site_ids[path.strip("/").split("/")[-1]]])

    def cache_emptied(_path: str) -> None:
        cache.clear()

    try:
        with Stopwatch(functions) as watch:
            return {
                "bare": _measure(client, cookie_name, [("/bench/bare", "")] * samples, watch),
                "clerk": _measure(client, cookie_name, data.clerk_paths[:samples], watch),
                "join": _measure(client, cookie_name, [(path, "") for path in data.join_paths[:samples]], watch),
                "clerk_not_cached": _measure(client, cookie_name, data.clerk_paths[:samples], watch, site_changed),
                "clerk_cold": _measure(client, cookie_name, data.clerk_paths[:samples], watch, cache_emptied),
            }
    finally:
        connection.close()


def listed_per_clerk(data: Dataset) -> tuple[list[int], list[int]]:
    """How many meetings each clerk's page lists (today and the next CLERK_DAYS days), and how many are ahead."""
    from django.db import connection
    from django.utils import timezone

    from districts.models import Site
    from join.selectors import CLERK_DAYS, CLERK_MEETINGS_LIMIT, clerk_meetings

    codes = [path.strip("/").split("/")[-1] for path, _ in data.clerk_paths]
    now = timezone.now()
    listed, ahead = [], []
    for site in Site.objects.filter(district__code__in=codes).select_related("district", "province"):
        listing = clerk_meetings(site=site, days=CLERK_DAYS, now=now)
        listed.append(len(listing.entries))
        ahead.append(min(CLERK_MEETINGS_LIMIT, len(listing.entries) + listing.later))
    connection.close()
    return listed, ahead


# --- main --------------------------------------------------------------------------------------------------


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


def _clerk_cookies(session_cookie: str, session: str) -> str:
    """What a clerk's browser sends on the daily visit: the session, and the CSRF cookie of an earlier one."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    csrf_secret = get_random_string(32)  # a CSRF secret as Django makes them: 32 letters and digits
    return f"{session_cookie}={session}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"


def drive(args: argparse.Namespace, data: Dataset, gunicorn: Gunicorn, cookie: str, workdir: Path) -> dict:
    """wrk on each target, a short warm-up first, then --repeats rounds interleaved: bare, clerk, join, ..."""
    scripts = {
        "bare": wrk_script(workdir / "bare.lua", [("/bench/bare", "")]),
        "clerk": wrk_script(workdir / "clerk.lua", [(p, _clerk_cookies(cookie, s)) for p, s in data.clerk_paths]),
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2 * _cores() + 1)
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument("--cache", choices=("redis", "locmem"), default="redis",
                        help="the portal's cache: a Redis of its own (production's shape) or each worker's memory")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk not found: apt-get install wrk")

    def stop_on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop_on_signal)
    began = time.perf_counter()
    postgres = PostgresServer()
    redis = RedisServer() if args.cache == "redis" else None
    gunicorn = None
    workdir = Path(tempfile.mkdtemp(prefix="prachum-bench-pages-"))
    try:
        postgres.start()
        cache_start(redis)
        setup_django(postgres.url)
        from django.conf import settings

        say(f"PostgreSQL up and migrated ({time.perf_counter() - began:.1f} s); loading the dataset")
        data = load_dataset(meetings_total=args.meetings, seed=args.seed)
        say(f"{data.meetings} meetings, {data.participations} participations, {data.join_passes} passes "
            f"loaded in {data.seconds:.1f} s")
        listed, ahead = listed_per_clerk(data)
        cookie = settings.SESSION_COOKIE_NAME
        gunicorn = Gunicorn(workers=args.workers, logdir=workdir)  # assigned first: `finally` stops it
        gunicorn.start()
        say(f"gunicorn up ({args.workers} workers); checking the pages")
        check_targets(gunicorn.base_url, data, cookie)
        runs = drive(args, data, gunicorn, cookie, workdir)
        check_targets(gunicorn.base_url, data, cookie)  # still 200 with the expected content afterwards
        gunicorn.stop()
        diagnostics = diagnose(data, cookie)
    except BaseException:
        if gunicorn is not None:
            print(gunicorn.log_tail(), file=sys.stderr)
        raise
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        postgres.stop()
        if redis is not None:
            redis.close()
        for leftover in workdir.glob("*"):
            leftover.unlink()
        workdir.rmdir()

    bare, clerk, join = (_median(runs[t], "rps") for t in ("bare", "clerk", "join"))
    errors = {t: sum(r.non_2xx_3xx for r in rs) for t, rs in runs.items()}
    result = {
        "clerk_page_rps": round(clerk, 1),
        "join_page_rps": round(join, 1),
        "bare_rps": round(bare, 1),
        "ratio": round(clerk / bare, 3),
        # each clerk run against the bare run just before it (the same minute of a shared machine), then the median
        "ratio_paired": round(statistics.median(c.rps / b.rps for b, c in zip(runs["bare"], runs["clerk"],
                                                                              strict=True)), 3),
        "ratios_per_round": [round(c.rps / b.rps, 3) for b, c in zip(runs["bare"], runs["clerk"], strict=True)],
        "join_ratio": round(join / bare, 3),
        "p50_ms": round(_median(runs["clerk"], "p50_ms"), 2),
        "p99_ms": round(_median(runs["clerk"], "p99_ms"), 2),
        "join_p50_ms": round(_median(runs["join"], "p50_ms"), 2),
        "join_p99_ms": round(_median(runs["join"], "p99_ms"), 2),
        "bare_p50_ms": round(_median(runs["bare"], "p50_ms"), 2),
        "bare_p99_ms": round(_median(runs["bare"], "p99_ms"), 2),
        "goal_ratio_met": clerk / bare >= 0.5,
        "goal_p99_met": _median(runs["clerk"], "p99_ms") < 100,
        "runs": {t: [[round(r.rps, 1), round(r.p50_ms, 2), round(r.p99_ms, 2)] for r in rs] for t, rs in runs.items()},
        "runs_format": "[rps, p50_ms, p99_ms] per run, interleaved bare, clerk, join",
        "non_2xx_3xx": errors,
        "socket_errors": {t: [r.socket_errors for r in rs] for t, rs in runs.items()},
        "connections": args.connections,
        "wrk_threads": args.threads,
        "duration_s": args.duration,
        "repeats": args.repeats,
        "gunicorn_workers": args.workers,
        "cache": args.cache,
        "cores": _cores(),
        "dataset": {
            "provinces": data.provinces, "districts": data.districts, "district_sites": data.district_sites,
            "halls": data.halls, "meetings": data.meetings, "cancelled": data.cancelled,
            "participations": data.participations, "rooms": data.rooms, "join_passes": data.join_passes,
            "clerks": len(data.clerk_paths), "open_join_passes": len(data.join_paths),
            "meetings_on_clerk_page_median": statistics.median(listed),
            "meetings_ahead_per_clerk_median": statistics.median(ahead), "load_s": round(data.seconds, 1),
        },
        "in_process": diagnostics,
        "targets": {
            "bare": "GET /bench/bare (bench/pages_urls.py), no cookie",
            "clerk": "GET /sites/<district code>/ of 76 clerks in turn, with their session and CSRF cookies",
            "join": "GET /j/<token>/ of the open meetings' passes in turn, no login",
        },
        "total_s": round(time.perf_counter() - began, 1),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 1 if any(errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
