"""Benchmark: the invitations of a national meeting through a real Celery worker, Redis and SMTP server.

    .venv/bin/python bench/invitations.py [--per-site 3] [--timeout 300]

Starts its own PostgreSQL, Redis, SMTP sink (aiosmtpd) and a real `celery -A portal worker --concurrency 2` (as
the tests do), migrates, loads the national geography and creates every province's sites, gives each of the 878
district offices (the 50 Bangkok khet are left out) `--per-site` clerks with an email address, and schedules one
meeting with all of them: `notifications_plan` writes one row per clerk inside the scheduling transaction and
enqueues batches on commit (2,634 invitations with the default 3 per site). It then waits (bounded) until every
row is sent, and reads the SMTP server's mailbox: every row's Message-ID must be there once.

Baseline beside it: the same messages (as received) sent again by one bare smtplib connection from this process,
no portal code. The last line is one JSON object with `sent`, `seconds`, `per_s`, `duplicates`, `lost` and
`overhead_ratio` (portal seconds / raw seconds). Goal: 2,634 invitations in under 60 s, 0 duplicates, 0 lost.
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services.celery_worker import CeleryWorker  # noqa: E402
from tests.services.postgres import PostgresServer  # noqa: E402
from tests.services.redis import RedisServer  # noqa: E402
from tests.services.smtp import SmtpSink, _Handler  # noqa: E402

SETTINGS = "tests.notifications.worker_settings"
BANGKOK_PROVINCE = "10"


class KeepingHandler(_Handler):
    """The sink's handler, also keeping each message's bytes as they came (for the raw baseline)."""

    async def handle_DATA(self, server, session, envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            with self.lock:
                self.raw.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return answer


def keeping_sink() -> SmtpSink:
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    sink.controller.loop.close()
    sink.handler = KeepingHandler()
    sink.handler.raw = []
    sink.controller = Controller(sink.handler, hostname=sink.host, port=sink.port)
    return sink


def setup_django(*, database_url: str, redis_url: str, sink: SmtpSink) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_geography", verbosity=0)
    return env


def country_sites() -> list:
    """Every province's hall and district offices; returns the 878 district offices outside Bangkok."""
    from districts.models import Province, Site
    from districts.services import province_sites_create

    for code in Province.objects.order_by("code").values_list("code", flat=True):
        province_sites_create(province_code=code)
    return list(
        Site.objects.filter(kind=Site.Kind.DISTRICT_OFFICE)
        .exclude(province__code=BANGKOK_PROVINCE)
        .select_related("district")
        .order_by("district__code")
    )


def clerks_create(sites: list, per_site: int) -> int:
    """`per_site` clerks with an email address at each site (bulk: the benchmark is about sending)."""
    from django.contrib.auth import get_user_model

    from districts.models import Staff

    user_model = get_user_model()
    users = [
        user_model(
            username=f"clerk-{site.district.code}-{n}",
            email=f"clerk{n}.{site.district.code}@amphoe.go.th",
            first_name=f"เจ้าหน้าที่ {n}",
            last_name=site.name,
        )
        for site in sites
        for n in range(1, per_site + 1)
    ]
    for user in users:
        user.set_unusable_password()
    user_model.objects.bulk_create(users, batch_size=1000)
    by_name = dict(user_model.objects.filter(username__startswith="clerk-").values_list("username", "pk"))
    Staff.objects.bulk_create(
        [
            Staff(user_id=by_name[f"clerk-{site.district.code}-{n}"], role=Staff.Role.CLERK, site=site)
            for site in sites
            for n in range(1, per_site + 1)
        ],
        batch_size=1000,
    )
    return len(users)


def national_meeting(sites: list):
    """One meeting of every district office, chaired from Bangkok's hall, with its notification rows.

    `meeting_schedule` keeps a scheduler to the sites of their own province, so the national meeting's rows are
    written here; its notifications go through the very function the scheduling services call, inside the
    transaction, enqueued on commit.
    """
    from django.db import transaction
    from django.utils import timezone

    from districts.models import Site
    from meetings.models import Meeting, Participation
    from notifications.services import notifications_plan

    hall = Site.objects.get(province__code=BANGKOK_PROVINCE, kind=Site.Kind.PROVINCIAL_HALL)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=2)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            title="ประชุมชี้แจงนโยบายระดับประเทศ (ทดสอบความเร็ว)", host_site=hall, start=start, end=end
        )
        Participation.objects.bulk_create(
            [Participation(meeting=meeting, site=hall, role=Participation.Role.HOST, start=start, end=end)]
            + [Participation(meeting=meeting, site=site, start=start, end=end) for site in sites],
            batch_size=1000,
        )
        ids = notifications_plan(meeting=meeting, change="invitation")
    return meeting, len(ids)


def wait_sent(meeting, expected: int, timeout: float) -> float:
    from notifications.models import Notification

    deadline = time.monotonic() + timeout
    rows = Notification.objects.filter(meeting=meeting)
    while time.monotonic() < deadline:
        if rows.filter(state=Notification.State.SENT).count() >= expected:
            return time.monotonic()
        if rows.filter(state=Notification.State.FAILED).exists():
            failed = list(rows.filter(state=Notification.State.FAILED).values_list("address", "last_error")[:3])
            raise SystemExit(f"failed rows: {failed}")
        time.sleep(0.2)
    counts = Counter(rows.values_list("state", flat=True))
    raise SystemExit(f"not all sent within {timeout} s: {dict(counts)}")


def raw_send(sink: SmtpSink, messages: list[tuple[str, list[str], bytes]]) -> float:
    """Seconds to send these messages again over one bare smtplib connection (the floor without the portal)."""
    with smtplib.SMTP(sink.host, sink.port, timeout=30) as smtp:
        smtp.ehlo()
        started = time.perf_counter()
        for sender, recipients, data in messages:
            smtp.sendmail(sender, recipients, data)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-site", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    with PostgresServer() as postgres, RedisServer() as redis, keeping_sink() as sink:
        env = setup_django(database_url=postgres.url, redis_url=redis.url, sink=sink)
        sites = country_sites()
        people = clerks_create(sites, args.per_site)
        worker = CeleryWorker(env=env, concurrency=2)
        worker.start()
        try:
            from django.db import connection

            from notifications.models import Notification

            started = time.monotonic()
            meeting, planned = national_meeting(sites)
            committed = time.monotonic()
            finished = wait_sent(meeting, planned, args.timeout)
        finally:
            worker.stop()
        rows = dict(Notification.objects.filter(meeting=meeting).values_list("message_id", "state"))
        connection.close()
        received = sink.received
        by_id = Counter(mail.message["Message-ID"] for mail in received)
        messages = list(sink.handler.raw)
        sink.clear()
        raw_seconds = raw_send(sink, messages)

    sent = sum(1 for state in rows.values() if state == Notification.State.SENT)
    seconds = finished - started
    result = {
        "sites": len(sites),
        "recipients": people,
        "planned": planned,
        "sent": sent,
        "received": len(received),
        "seconds": round(seconds, 2),
        "per_s": round(sent / seconds, 1),
        "duplicates": sum(count - 1 for count in by_id.values()),
        "lost": sum(1 for message_id in rows if message_id not in by_id),
        "plan_seconds": round(committed - started, 2),
        "raw_seconds": round(raw_seconds, 2),
        "raw_per_s": round(len(messages) / raw_seconds, 1),
        "overhead_ratio": round(seconds / raw_seconds, 2),
        "worker_processes": 2,
        "goal_seconds": 60,
    }
    print(json.dumps(result))
    return 0 if result["lost"] == 0 and result["duplicates"] == 0 and sent == planned else 1


if __name__ == "__main__":
    sys.exit(main())
