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
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests

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


def portal_run(*, rooms: int, first_slot: int, user, server) -> float:
    """Seconds to schedule and provision `rooms` meetings, one hour apart (no clash), through the services."""
    from django.utils import timezone

    from districts.models import Site
    from meetings.models import Room
    from meetings.services import meeting_schedule

    hall = Site.objects.get(province__code="41", kind=Site.Kind.PROVINCIAL_HALL)
    districts = list(Site.objects.filter(province__code="41", kind=Site.Kind.DISTRICT_OFFICE).order_by("pk"))
    base = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    meeting_ids = []
    started = time.perf_counter()
    for index in range(first_slot, first_slot + rooms):
        start = base + timedelta(hours=index)
        meeting = meeting_schedule(
            title=f"ประชุมทดสอบความเร็ว {index}", host_site=hall, sites=[districts[index % len(districts)]],
            start=start, end=start + timedelta(minutes=50), created_by=user,
        )
        meeting_ids.append(meeting.pk)
    elapsed = time.perf_counter() - started
    provisioned = Room.objects.filter(meeting_id__in=meeting_ids, state=Room.State.PROVISIONED, server=server)
    if provisioned.count() != rooms:
        states = list(Room.objects.filter(meeting_id__in=meeting_ids).values_list("state", "last_error")[:5])
        raise SystemExit(f"only {provisioned.count()} of {rooms} rooms provisioned: {states}")
    return elapsed


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
        portal_times, raw_times = [], []
        for repeat in range(args.repeats):
            portal_times.append(portal_run(rooms=args.rooms, first_slot=100 + repeat * args.rooms, user=user,
                                           server=server))
            raw_times.append(raw_run(janus, args.rooms))
        on_janus = len(janus.rooms())
        pair_seconds = raw_create_destroy(janus, args.rooms)

    portal = statistics.median(portal_times)
    raw = statistics.median(raw_times)
    result = {
        "rooms": args.rooms,
        "repeats": args.repeats,
        "portal_rooms_per_s": round(args.rooms / portal, 1),
        "raw_rooms_per_s": round(args.rooms / raw, 1),
        "overhead_ratio": round(portal / raw, 2),
        "portal_ms_per_room": round(portal * 1000 / args.rooms, 3),
        "raw_ms_per_room": round(raw * 1000 / args.rooms, 3),
        "raw_create_destroy_pairs_per_s": round(args.rooms / pair_seconds, 1),
        "rooms_on_janus_after": on_janus,
        "portal_path": "meeting_schedule (PostgreSQL) -> on_commit -> meetings.room_provision (eager) -> Janus",
        "raw_path": "Janus Admin API message_plugin create, one requests.Session",
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
