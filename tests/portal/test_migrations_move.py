"""The models moved between apps keep their tables and their rows (issue 12).

The audit log went from the project shell (portal) to the foundation, and join passes, calendar feeds, test calls,
attendance and notifications from the meetings app to the join and notifications apps, by state-only migrations
(foundation/0001, portal/0002, meetings/0005, join/0001, notifications/0001), followed by a data migration
(join/0002) that issues a valid pass to every site invited to a meeting still ahead which has none.

The test takes the test database back to the schema that had landed before the move (meetings at 0004, portal at
0001, no foundation/join/notifications migration applied), writes rows there with that schema's historical models,
migrates to the latest migrations and reads them back with today's models: same rows, same tables (same PostgreSQL
table oids, so a drop-and-recreate that copied the rows would be caught too), the missing passes issued, and the
content types (with their permissions and admin history) moved to the new apps. It leaves the database at the
latest migrations whatever happens.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from foundation.models import AuditEntry
from join.models import Attendance, CalendarFeed, JoinPass, TestCall
from notifications.models import Notification

pytestmark = [pytest.mark.integration]

# The apps born of the move: none of their migrations had run on the landed schema.
NEW_APPS = ("foundation", "join", "notifications")
# Apps born after the move, whose migrations depend on the new apps': not there on the landed schema either.
LATER_APPS = ("proceedings", "minutes", "recordings", "evidence")
# Where the apps that lost models stood on the landed schema (every other app was at its latest migration).
LANDED = {
    "meetings": "0004_join_test_call_token_note",
    "portal": "0001_initial",
    "districts": "0002_site_notification_channels",
}

# (landed app, model) -> (app now, today's model); the table is the same one before and after.
MOVED = {
    ("meetings", "JoinPass"): ("join", JoinPass),
    ("meetings", "CalendarFeed"): ("join", CalendarFeed),
    ("meetings", "TestCall"): ("join", TestCall),
    ("meetings", "Attendance"): ("join", Attendance),
    ("meetings", "Notification"): ("notifications", Notification),
    ("portal", "AuditEntry"): ("foundation", AuditEntry),
}
TABLES = {
    "meetings_joinpass",
    "meetings_calendarfeed",
    "meetings_testcall",
    "meetings_attendance",
    "meetings_notification",
    "portal_auditentry",
}


def _executor() -> MigrationExecutor:
    """A new executor, whose loader reads the applied migrations from the database again."""
    return MigrationExecutor(connection)


def _landed_nodes(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return [
        (app, LANDED.get(app, name))
        for app, name in executor.loader.graph.leaf_nodes()
        if app not in NEW_APPS + LATER_APPS
    ]


def _migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _table_oids() -> dict[str, int | None]:
    """PostgreSQL's oid of each moved table (None when it is missing): a table dropped and made again has a new one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, to_regclass(name)::oid FROM unnest(%s::text[]) AS name", [sorted(TABLES)]
        )
        return dict(cursor.fetchall())


def _valid_passes(meeting_id: int, site_id: int) -> list[str]:
    return list(
        JoinPass.objects.filter(meeting_id=meeting_id, site_id=site_id, revoked_at__isnull=True).values_list(
            "token", flat=True
        )
    )


def _write_landed_rows(apps) -> dict:
    """Rows of the landed schema, written with its historical models; returns what the test reads back."""
    now = timezone.now().replace(microsecond=0)
    Site = apps.get_model("districts", "Site")
    Staff = apps.get_model("districts", "Staff")
    User = apps.get_model("auth", "User")
    Meeting = apps.get_model("meetings", "Meeting")
    Participation = apps.get_model("meetings", "Participation")
    OldJoinPass = apps.get_model("meetings", "JoinPass")
    OldCalendarFeed = apps.get_model("meetings", "CalendarFeed")
    OldTestCall = apps.get_model("meetings", "TestCall")
    OldAttendance = apps.get_model("meetings", "Attendance")
    OldNotification = apps.get_model("meetings", "Notification")
    OldAuditEntry = apps.get_model("portal", "AuditEntry")

    # The test database holds Udon Thani's 21 sites (tests/conftest.py).
    hall = Site.objects.get(kind="hall", province__code="41")
    mueang = Site.objects.get(district__code="4101")
    kumphawapi = Site.objects.get(district__code="4104")
    na_yung = Site.objects.get(district__code="4125")

    scheduler = User.objects.create(username="mig-scheduler", first_name="สมชาย", email="scheduler@example.go.th")
    Staff.objects.create(user=scheduler, site=hall, role="scheduler")
    clerk_user = User.objects.create(username="mig-clerk4101", first_name="สมหญิง", email="clerk@example.go.th")
    clerk = Staff.objects.create(user=clerk_user, site=mueang, role="clerk", phone="042-000-000")

    def meeting(title: str, start, hours: int, status: str, sites, *, active: bool = True):
        made = Meeting.objects.create(
            title=title, start=start, end=start + timedelta(hours=hours), status=status, sequence=2,
            host_site=hall, created_by=scheduler,
        )
        for site in sites:
            Participation.objects.create(
                meeting=made, site=site, role="host" if site == hall else "participant",
                start=made.start, end=made.end, active=active,
            )
        return made

    future = meeting("ประชุมกรมการจังหวัดอุดรธานี ครั้งที่ 1/2570", now + timedelta(days=2), 2, "scheduled",
                     (hall, mueang, kumphawapi))
    past = meeting("ประชุมติดตามงบประมาณ (ที่ผ่านมาแล้ว)", now - timedelta(days=3), 2, "ended", (hall, mueang))
    cancelled = meeting("ประชุมที่ยกเลิกแล้ว", now + timedelta(days=4), 1, "cancelled", (hall, na_yung), active=False)

    # The future meeting: the hall has a valid pass, Mueang none at all, Kumphawapi only a revoked one.
    # The past meeting: the hall has a pass, Mueang none. The cancelled meeting: no pass at all.
    hall_pass = OldJoinPass.objects.create(meeting=future, site=hall, token="landed-pass-hall-future-0001")
    revoked_pass = OldJoinPass.objects.create(
        meeting=future, site=kumphawapi, token="landed-pass-kumphawapi-revoked", revoked_at=now,
        revoked_reason="ส่งลิงก์ผิดกลุ่ม LINE",
    )
    past_pass = OldJoinPass.objects.create(meeting=past, site=hall, token="landed-pass-hall-past-0001")

    feed = OldCalendarFeed.objects.create(site=mueang, token="landed-feed-mueang-0001")
    test_call = OldTestCall.objects.create(
        site=hall, join_pass=hall_pass, started_by=scheduler, token="landed-testcall-hall-0001", result="ok",
        saw_video=True, heard_audio=True, finished_at=now, note="เสียงดี ภาพชัด",
    )
    attendance = OldAttendance.objects.create(
        meeting=past, site=hall, display="ศาลากลางจังหวัดอุดรธานี", joined_at=past.start,
        last_seen_at=past.end, left_at=past.end,
    )
    invitation = OldNotification.objects.create(
        meeting=future, kind="invitation", channel="email", audience="clerk", address="clerk@example.go.th",
        recipient_name="สมหญิง ใจดี", sequence=2, meeting_start=future.start,
        dedupe_key=f"invitation:{future.pk}:2:email:clerk@example.go.th", message_id="<landed-0001@prachum>",
        state="sent", attempts=1, sent_at=now, site=mueang, staff=clerk, requested_by=scheduler,
    )
    reminder = OldNotification.objects.create(
        meeting=future, kind="reminder", reminder_minutes=30, channel="line", audience="site_group",
        address="C0123456789abcdef0123456789abcdef", sequence=2, meeting_start=future.start,
        dedupe_key=f"reminder:{future.pk}:30:line:C0123456789abcdef0123456789abcdef",
        message_id="<landed-0002@prachum>", last_error="LINE ตอบ 429", site=mueang, resend_of=invitation,
    )
    audit = OldAuditEntry.objects.create(
        actor=scheduler, actor_username=scheduler.username, action="create", target_type="meetings.Meeting",
        target_id=str(future.pk), target_repr=future.title,
        detail={"sites": ["41", "4101", "4104"], "หมายเหตุ": "นัดหมาย"},
    )

    # The landed database knew the moved models under their old apps: unapplying the moves put their content types
    # (same ids) back there, as a landed database has them.
    OldContentType = apps.get_model("contenttypes", "ContentType")
    content_types = {}
    for (old_app, model_name), (new_app, _model) in MOVED.items():
        model = model_name.lower()
        assert not OldContentType.objects.filter(app_label=new_app, model=model).exists(), (new_app, model)
        back = OldContentType.objects.filter(app_label=old_app, model=model).first()
        assert back is not None, f"unapplying did not move the content type {new_app}.{model} back to {old_app}"
        content_types[(old_app, model)] = back.pk
    OldLogEntry = apps.get_model("admin", "LogEntry")
    log_entry = OldLogEntry.objects.create(
        user=scheduler, content_type_id=content_types[("meetings", "joinpass")], object_id=str(hall_pass.pk),
        object_repr="ศาลากลางจังหวัดอุดรธานี · ประชุมกรมการจังหวัด", action_flag=2, change_message="[]",
    )

    rows = {
        key: list(apps.get_model(*key).objects.order_by("pk").values()) for key in MOVED
    }
    return {
        "sites": {"hall": hall.pk, "mueang": mueang.pk, "kumphawapi": kumphawapi.pk, "na_yung": na_yung.pk},
        "meetings": {"future": future.pk, "past": past.pk, "cancelled": cancelled.pk},
        "titles": {"future": future.title},
        "passes": {"hall": hall_pass.pk, "revoked": revoked_pass.pk, "past": past_pass.pk},
        "feed": feed.pk,
        "test_call": test_call.pk,
        "attendance": attendance.pk,
        "invitation": invitation.pk,
        "reminder": reminder.pk,
        "audit": audit.pk,
        "scheduler": scheduler.pk,
        "clerk": clerk.pk,
        "content_types": content_types,
        "permissions": {
            key: sorted(Permission.objects.filter(content_type_id=pk).values_list("pk", "codename"))
            for key, pk in content_types.items()
        },
        "log_entry": log_entry.pk,
        "rows": rows,
    }


@pytest.mark.django_db(transaction=True)
def test_the_moves_keep_meetings_passes_and_notifications():
    executor = _executor()
    landed = _landed_nodes(executor)
    oids = _table_oids()
    assert None not in oids.values(), oids
    try:
        # 1. Back to the landed schema: the state-only migrations unapply and leave the tables.
        executor.migrate([*landed, *((app, None) for app in NEW_APPS + LATER_APPS)])
        executor = _executor()
        executor.loader.check_consistent_history(connection)
        applied = set(executor.loader.applied_migrations)
        assert not {key for key in applied if key[0] in NEW_APPS}, "the new apps' migrations should be unapplied"
        assert ("meetings", "0005_join_and_notifications_apps") not in applied
        assert ("portal", "0002_auditentry_to_foundation") not in applied
        assert set(landed) <= applied
        assert _table_oids() == oids, "unapplying the moves must not touch the tables"
        old_apps = executor.loader.project_state(landed).apps
        with pytest.raises(LookupError):
            old_apps.get_model("join", "JoinPass")

        # 2. Rows of the landed schema.
        landed_rows = _write_landed_rows(old_apps)

        # 3. Forward to the latest migrations.
        _migrate_to_latest()
        executor = _executor()
        assert not executor.migration_plan(executor.loader.graph.leaf_nodes()), "everything should be applied"
    finally:
        _migrate_to_latest()
        ContentType.objects.clear_cache()

    assert _table_oids() == oids, "the moved tables must be the same tables (not dropped and made again)"

    # Every row written on the landed schema reads back the same through today's models.
    for (old_app, model_name), (_new_app, model) in MOVED.items():
        before = landed_rows["rows"][(old_app, model_name)]
        assert before, f"the test wrote no {old_app}.{model_name}"
        rows = model.objects.filter(pk__in=[row["id"] for row in before]).order_by("pk")
        after = list(rows.values(*before[0]))  # the fields the landed schema had (later migrations add some)
        assert after == before, f"{old_app}.{model_name} rows changed or were lost as {model.__module__}.{model_name}"
        if model_name in {"JoinPass", "TestCall"}:  # join 0004: each row got a media token of its own
            tokens = list(rows.values_list("media_token", flat=True))
            assert len(set(tokens)) == len(tokens) == len(before)
            assert all(len(token) >= 43 for token in tokens)

    sites, meetings, passes = landed_rows["sites"], landed_rows["meetings"], landed_rows["passes"]
    hall_pass = JoinPass.objects.select_related("meeting", "site").get(pk=passes["hall"])
    assert hall_pass.token == "landed-pass-hall-future-0001"
    assert hall_pass.meeting.title == landed_rows["titles"]["future"]
    assert hall_pass.site_id == sites["hall"]
    assert hall_pass.is_moderator
    revoked = JoinPass.objects.get(pk=passes["revoked"])
    assert revoked.is_revoked
    assert revoked.revoked_reason == "ส่งลิงก์ผิดกลุ่ม LINE"

    test_call = TestCall.objects.get(pk=landed_rows["test_call"])
    assert test_call.join_pass == hall_pass
    assert test_call.token == "landed-testcall-hall-0001"
    assert test_call.note == "เสียงดี ภาพชัด"
    assert list(hall_pass.test_calls.all()) == [test_call]
    assert CalendarFeed.objects.get(token="landed-feed-mueang-0001").site_id == sites["mueang"]
    attendance = Attendance.objects.get(pk=landed_rows["attendance"])
    assert (attendance.meeting_id, attendance.site_id) == (meetings["past"], sites["hall"])
    assert attendance.display == "ศาลากลางจังหวัดอุดรธานี"

    invitation = Notification.objects.get(pk=landed_rows["invitation"])
    reminder = Notification.objects.get(pk=landed_rows["reminder"])
    assert reminder.resend_of == invitation
    assert list(invitation.resends.all()) == [reminder]
    assert invitation.meeting.title == landed_rows["titles"]["future"]
    assert invitation.staff_id == landed_rows["clerk"]
    assert invitation.requested_by_id == landed_rows["scheduler"]
    assert (invitation.state, invitation.recipient_name) == (Notification.State.SENT, "สมหญิง ใจดี")
    assert (reminder.kind, reminder.reminder_minutes, reminder.last_error) == ("reminder", 30, "LINE ตอบ 429")
    assert list(Notification.objects.filter(meeting_id=meetings["future"]).order_by("pk")) == [invitation, reminder]

    audit = AuditEntry.objects.select_related("actor").get(pk=landed_rows["audit"])
    assert audit.actor.username == "mig-scheduler"
    assert audit.detail == {"sites": ["41", "4101", "4104"], "หมายเหตุ": "นัดหมาย"}
    assert audit.target_id == str(meetings["future"])

    # join/0002: every site invited to the meeting ahead has exactly one valid pass, the hall keeping its own.
    assert _valid_passes(meetings["future"], sites["hall"]) == ["landed-pass-hall-future-0001"]
    landed_tokens = {row["token"] for row in landed_rows["rows"][("meetings", "JoinPass")]}
    for name in ("mueang", "kumphawapi"):
        issued = _valid_passes(meetings["future"], sites[name])
        assert len(issued) == 1, f"{name} should have been issued exactly one pass, has {issued}"
        assert len(issued[0]) >= 32
        assert issued[0] not in landed_tokens
    assert JoinPass.objects.filter(meeting_id=meetings["future"]).count() == 4  # 2 landed + 2 issued
    # ... and none for the past meeting nor the cancelled one.
    past_passes = list(JoinPass.objects.filter(meeting_id=meetings["past"]).values_list("pk", flat=True))
    assert past_passes == [passes["past"]], "a past meeting got passes"
    assert not JoinPass.objects.filter(meeting_id=meetings["cancelled"]).exists(), "a cancelled meeting got passes"

    # The content types moved to the new apps, keeping their ids, hence their permissions and admin history.
    for (old_app, model_name), (new_app, model) in MOVED.items():
        key = (old_app, model_name.lower())
        moved = ContentType.objects.filter(app_label=new_app, model=model_name.lower()).first()
        assert moved is not None, f"no content type {new_app}.{model_name.lower()}: it was not moved"
        assert moved.pk == landed_rows["content_types"][key], f"{new_app}.{model_name} got a new content type"
        assert not ContentType.objects.filter(app_label=old_app, model=model_name.lower()).exists()
        assert ContentType.objects.get_for_model(model) == moved
        permissions = sorted(Permission.objects.filter(content_type=moved).values_list("pk", "codename"))
        assert permissions == landed_rows["permissions"][key]
        assert permissions, f"no permission on {new_app}.{model_name}"
    log_entry = LogEntry.objects.get(pk=landed_rows["log_entry"])
    assert log_entry.get_edited_object() == hall_pass
