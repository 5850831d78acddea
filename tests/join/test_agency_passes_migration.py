"""join/0008 (issue 15, point 7) keeps every row: taken back to 0007 and forward again, the sites' passes keep their
tokens, short codes and media tokens, the attendance rows stay (an agency's as a guest's on the way back, under
its display name), and an agency invited to a meeting still ahead gets its pass from the data migration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from join.models import Attendance, JoinPass
from tests.factories.meetings import MeetingFactory, SchedulerFactory

from .conftest import HALL, MUEANG
from .test_agency_passes import new_agency

pytestmark = [pytest.mark.integration]

BEFORE = ("join", "0007_short_codes_unique")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(target if isinstance(target, list) else [target])


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_back_to_0007_and_forward_keeps_the_rows_and_issues_the_agencys_pass():
    agency = new_agency()
    start = timezone.now() + timedelta(days=2)
    meeting = MeetingFactory.create(host=HALL, sites=(MUEANG,), agencies=[agency], start=start,
                                    end=start + timedelta(hours=1), created_by=SchedulerFactory.create())
    site_passes = {row["id"]: row for row in JoinPass.objects.filter(meeting=meeting, site__isnull=False).values()}
    assert site_passes
    agency_pass = JoinPass.objects.get(meeting=meeting, agency=agency)
    Attendance.objects.create(meeting=meeting, agency=agency, display="ส่วนราชการ · ปภ.", joined_at=start,
                              last_seen_at=start, left_at=start + timedelta(minutes=5))
    Attendance.objects.create(meeting=meeting, site=agency_pass.meeting.host_site, display="41 · ศาลากลาง",
                              joined_at=start, last_seen_at=start)
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM meetings_joinpass WHERE meeting_id = %s", [meeting.pk])
            assert cursor.fetchone()[0] == len(site_passes)  # the agency's pass went, the sites' stayed
            cursor.execute("SELECT count(*) FROM meetings_attendance WHERE meeting_id = %s", [meeting.pk])
            assert cursor.fetchone()[0] == 2
        _migrate(_latest())
    finally:
        _migrate(_latest())

    after = {row["id"]: row for row in JoinPass.objects.filter(meeting=meeting, site__isnull=False).values()}
    assert after == site_passes  # same rows, tokens, short codes and media tokens
    issued = JoinPass.objects.get(meeting=meeting, agency=agency, revoked_at__isnull=True)
    assert issued.token != agency_pass.token
    assert len(issued.short_code) == 12
    assert issued.site_id is None
    rows = Attendance.objects.filter(meeting=meeting).order_by("pk")
    assert [(row.site_id is not None, row.agency_id, row.display) for row in rows] == [
        (False, None, "ส่วนราชการ · ปภ."),  # kept, as a guest's row (its agency was dropped on the way back)
        (True, None, "41 · ศาลากลาง"),
    ]
