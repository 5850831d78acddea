"""Benchmark: provision 1,000 meetings through the portal's own path against a real Janus.

    .venv/bin/python bench/provision.py [--rooms 1000] [--repeats 3]

Starts its own PostgreSQL and Janus (as the tests do), migrates, loads the geography and Udon Thani's sites, then
for each repeat:
- portal: `meeting_schedule(...)` for each meeting (the service that writes the meeting, its sites and its Room
  row) whose on-commit hook runs the `meetings.room_provision` task in-process (Celery eager: the same function
  the worker runs), which locks the row, creates the room on Janus and records the outcome;
- raw: the same number of bare Janus Admin-API `create` requests over one HTTP session, no portal code.
Every room is checked on Janus afterwards. The last line is one JSON object; `overhead_ratio` = raw ÷ portal
rooms per second (medians over the repeats). Goal: ≤ 3.
The sweep's batched path and the whole scheduling path are reported beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests
from django.db import transaction

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services.janus import JanusServer  # noqa: E402
from tests.services.postgres import PostgresServer  # noqa: E402


def setup_django(database_url: str, janus: JanusServer) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["JANUS_BENCH_ADMIN_SECRET"] = janus.admin_secret
    os.environ["JANUS_BENCH_ADMIN_KEY"] = janus.admin_key
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_geography", verbosity=0)
    call_command("create_province_sites", "41", verbosity=0)


@contextlib.contextmanager
def provisioning_collected(into: list[int]):
    """While scheduling, note the room ids the services enqueue instead of running their tasks at once.

    The rows are the truth: the ids collected are exactly what the on-commit hook (or the sweep) would send to
    the worker, and the provisioning stage below runs that same task for each of them.
    """
    from meetings.services import rooms

    original = rooms.enqueue_provision
    rooms.enqueue_provision = lambda room_id: transaction.on_commit(lambda: into.append(room_id))
    try:
        yield into
    finally:
        rooms.enqueue_provision = original


def portal_run(*, rooms: int, first_slot: int, user, server, by_sweep: bool = False) -> tuple[float, float]:
    """Schedule `rooms` meetings one hour apart (no clash) through the service, then provision their rooms:
    one `meetings.room_provision` task per room (what scheduling sends), or, with `by_sweep`, `rooms_sweep()`
    (which sends `meetings.rooms_provision` tasks of 50 rooms). Tasks run eagerly: the worker's code, in-process.
    Returns (scheduling seconds, provisioning seconds).
    """
    from django.utils import timezone

    from districts.models import Site
    from meetings.models import Room
    from meetings.services import rooms_sweep
    from meetings.services.scheduling import meeting_schedule
    from meetings.tasks import room_provision

    hall = Site.objects.get(province__code="41", kind=Site.Kind.PROVINCIAL_HALL)
    districts = list(Site.objects.filter(province__code="41", kind=Site.Kind.DISTRICT_OFFICE).order_by("pk"))
    base = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    room_ids: list[int] = []
    started = time.perf_counter()
    with provisioning_collected(room_ids):
        for index in range(first_slot, first_slot + rooms):
            start = base + timedelta(hours=index)
            meeting_schedule(
                title=f"ประชุมทดสอบความเร็ว {index}", host_site=hall, sites=[districts[index % len(districts)]],
                start=start, end=start + timedelta(minutes=50), created_by=user,
            )
    scheduled = time.perf_counter()
    if by_sweep:
        report = rooms_sweep()
        if len(report.enqueued) != rooms:
            raise SystemExit(f"the sweep sent {len(report.enqueued)} rooms, not {rooms}")
    else:
        for room_id in room_ids:
            room_provision.apply(args=[room_id])
    provisioned = time.perf_counter()

    done = Room.objects.filter(pk__in=room_ids, state=Room.State.PROVISIONED, server=server).count()
    if len(room_ids) != rooms or done != rooms:
        states = list(Room.objects.filter(pk__in=room_ids).values_list("state", "last_error")[:5])
        raise SystemExit(f"only {done} of {rooms} rooms provisioned: {states}")
    return scheduled - started, provisioned - scheduled


def raw_run(janus: JanusServer, rooms: int) -> float:
    """Seconds for `rooms` bare Admin-API creates over one HTTP session (the rooms are destroyed afterwards)."""
    base = 8_000_000_000 + secrets.randbelow(1_000_000) * 10_000
    numbers = [base + n for n in range(rooms + 1)]

    def create(http: requests.Session, room: int) -> None:
        answer = janus.admin_message(
            {"request": "create", "admin_key": janus.admin_key, "room": room, "description": f"ประชุม {room}",
             "secret": secrets.token_urlsafe(24), "pin": "123456", "publishers": 2, "is_private": True,
             "permanent": False},
            http,
        )
        if answer.get("videoroom") != "created":
            raise SystemExit(f"raw create failed: {answer}")

    with requests.Session() as http:
        http.trust_env = False  # as the portal's backend: no proxy lookup in the environment per request
        create(http, numbers[0])  # warm-up: opening the connection is not timed (the portal's is kept too)
        started = time.perf_counter()
        for room in numbers[1:]:
            create(http, room)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with PostgresServer() as postgres, JanusServer() as janus:
        setup_django(postgres.url, janus)
        from districts.models import Site, Staff
        from districts.services import staff_create
        from meetings.models import MediaServer
        from tests.services.janus import raw_create_destroy

        hall = Site.objects.get(province__code="41", kind=Site.Kind.PROVINCIAL_HALL)
        user = staff_create(
            username="bench", password="bench-only", role=Staff.Role.SCHEDULER, site=hall  # noqa: S106
        ).user
        server = MediaServer.objects.create(
            kind=MediaServer.Kind.JANUS, name="bench", url=janus.base_url, admin_url=janus.admin_url,
            secret_env="JANUS_BENCH", capacity_sites=1_000_000,  # noqa: S106 - names a variable, holds no secret
        )
        portal_run(rooms=20, first_slot=0, user=user, server=server)  # warm-up: imports, connections, caches
        schedule_times, provision_times, sweep_times, raw_times = [], [], [], []
        slot = 100
        for _repeat in range(args.repeats):
            scheduling, provisioning = portal_run(rooms=args.rooms, first_slot=slot, user=user, server=server)
            schedule_times.append(scheduling)
            provision_times.append(provisioning)
            slot += args.rooms
            _, sweeping = portal_run(rooms=args.rooms, first_slot=slot, user=user, server=server, by_sweep=True)
            sweep_times.append(sweeping)
            slot += args.rooms
            raw_times.append(raw_run(janus, args.rooms))
        on_janus = len(janus.rooms())
        pair_seconds = raw_create_destroy(janus, args.rooms)

    provision = statistics.median(provision_times)
    sweep = statistics.median(sweep_times)
    schedule = statistics.median(schedule_times)
    raw = statistics.median(raw_times)
    n = args.rooms
    result = {
        "rooms": n,
        "repeats": args.repeats,
        # The headline: what each newly scheduled meeting gets, one task per room (lock the row, Janus create,
        # record the outcome, mark the meeting ready).
        "portal_rooms_per_s": round(n / provision, 1),
        "raw_rooms_per_s": round(n / raw, 1),
        "overhead_ratio": round(provision / raw, 2),
        # The sweep's path (pending rooms after an outage, a restart, a lost message): tasks of 50 rooms.
        "sweep_rooms_per_s": round(n / sweep, 1),
        "sweep_overhead_ratio": round(sweep / raw, 2),
        # The whole path a scheduler triggers: meeting_schedule (checks, rows, notifications planned) + provision.
        "end_to_end_rooms_per_s": round(n / (schedule + provision), 1),
        "end_to_end_overhead_ratio": round((schedule + provision) / raw, 2),
        "ms_per_room": {
            "raw_create": round(raw * 1000 / n, 3),
            "portal_provision": round(provision * 1000 / n, 3),
            "sweep_provision": round(sweep * 1000 / n, 3),
            "portal_schedule": round(schedule * 1000 / n, 3),
        },
        "raw_create_destroy_pairs_per_s": round(n / pair_seconds, 1),
        "rooms_on_janus_after": on_janus,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
