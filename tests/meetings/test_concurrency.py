"""Two schedulers saving at the same moment cannot both win: PostgreSQL's exclusion constraint is the last line.

These tests commit for real (each thread has its own database connection), so they use `transactional_db`.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from meetings.models import Meeting, Participation
from meetings.services.scheduling import meeting_schedule
from tests.factories.meetings import SchedulerFactory, next_slot, site

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def fresh_producer_pools():
    """Eager tasks still take a kombu producer from the process's pools: start from fresh ones, whatever an
    earlier test (one that talked to a real broker, then closed its connections) left behind."""
    import kombu.pools

    from portal.celery import app

    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None

CLASH = "อำเภอนายูง ติดประชุม “"


def _schedule(title: str, host: str, start, end, user):
    return meeting_schedule(title=title, host_site=site(host), sites=[site("4122")], start=start, end=end,
                            created_by=user)


def test_two_threads_schedule_the_same_site_at_once_exactly_one_wins(transactional_db):
    assert connection.vendor == "postgresql"
    user = SchedulerFactory.create()
    for _round in range(5):
        start, end = next_slot()
        barrier = threading.Barrier(2)
        results: list[tuple[str, object]] = []

        def worker(title: str, host: str, *, start=start, end=end, barrier=barrier, results=results) -> None:
            try:
                barrier.wait()
                meeting = _schedule(title, host, start, end + timedelta(minutes=30), user)
                results.append(("won", meeting.title))
            except ValidationError as error:
                results.append(("lost", error.message_dict))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(f"ประชุมของผู้นัด {n}", host))
                   for n, host in ((1, "41"), (2, "4101"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcome for outcome, _ in results) == ["lost", "won"]
        lost = next(detail for outcome, detail in results if outcome == "lost")
        assert lost["sites"][0].startswith(CLASH)
    assert Participation.objects.filter(site__district__code="4122", active=True).count() == 5


def test_the_database_refuses_what_the_check_could_not_see(transactional_db):
    """A scheduler checks while the other's meeting is not committed yet: the constraint catches it at insert."""
    user = SchedulerFactory.create()
    start, end = next_slot()
    written, release = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                _schedule("ประชุมที่บันทึกก่อน", "41", start, end, user)
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert written.wait(timeout=30)
    outcome: list[object] = []

    def second() -> None:
        try:
            _schedule("ประชุมที่บันทึกทีหลัง", "4101", start, end, user)
            outcome.append("won")
        except ValidationError as error:
            outcome.append(error.message_dict)
        finally:
            connection.close()

    loser = threading.Thread(target=second)
    loser.start()
    time.sleep(0.3)  # the second insert now waits on the first transaction's row
    assert loser.is_alive()
    release.set()
    thread.join(timeout=30)
    loser.join(timeout=30)
    assert outcome == [{"sites": [
        f"{CLASH}ประชุมที่บันทึกก่อน” {_when(start, end)} — เลือกเวลาอื่น หรือนำสถานที่นี้ออกจากการประชุม"
    ]}]
    assert list(Meeting.objects.values_list("title", flat=True)) == ["ประชุมที่บันทึกก่อน"]


def _when(start, end) -> str:
    from meetings.services.scheduling import when_text

    return when_text(start, end)
