"""Rooms on media servers: placement, provisioning, the periodic sweep and the servers' health.

The Room row is the truth (DESIGN.md, "Side effects"). Scheduling code writes the row and enqueues
`meetings.room_provision` on commit; `room_provision` below locks the row, makes the server agree with it and
records the outcome; `rooms_sweep` re-enqueues what is still pending, re-creates rooms that vanished and moves
rooms off servers that went down. Nothing here is lost when a message, a worker or a media server is.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from foundation.enqueue import task_send_on_commit
from foundation.thaidate import BANGKOK, format_be_short

from ..backends.base import MediaServerError, RoomNotFound, RoomSpec, TemporaryMediaError
from ..conf import setting
from ..media import backend_for_server, room_spec
from ..models import LeftoverRoom, MediaServer, Meeting, Room

logger = logging.getLogger(__name__)

CLOSED = (Meeting.Status.CANCELLED, Meeting.Status.ENDED)
SWEEP_BATCH = 50  # rooms per task sent by the sweep
NO_SERVER = "ยังไม่มีเซิร์ฟเวอร์สื่อที่ใช้งานได้และรองรับผู้เข้าร่วมได้พอในช่วงเวลานี้: ระบบจะลองใหม่อัตโนมัติ"


class NoServerAvailable(TemporaryMediaError):
    """No active, healthy server has room for the meeting in its window (yet)."""


def enqueue_provision(room_id: int) -> None:
    """Send the provisioning task (meetings/tasks.py) once the current transaction commits (ids only)."""
    task_send_on_commit("meetings.room_provision", room_id)


def enqueue_tokens_sync(server_ids) -> None:
    """Once the current transaction commits, bring the tokens of these servers in line with the rows (the join
    app's `meetings.join.media_tokens_sync`: a room placed, moved, changed or removed changes which passes may
    open a session there)."""
    for server_id in sorted({server_id for server_id in server_ids if server_id is not None}):
        task_send_on_commit("meetings.join.media_tokens_sync", server_id)


def enqueue_provision_batch(room_ids: list[int]) -> None:
    """Send one task for several rooms once the current transaction commits (the sweep's way)."""
    task_send_on_commit("meetings.rooms_provision", list(room_ids))


# Room numbers are drawn at random from this range (Janus reads them as JavaScript numbers: below 2**53), so
# nobody finds a room by counting; the unique constraint on (server, number) refuses the improbable repeat.
ROOM_NUMBERS = range(10**9, 2**53 - 1)


def room_number_new() -> int:
    """A new room number nobody can guess (for a meeting's room or a test call's)."""
    return ROOM_NUMBERS.start + secrets.randbelow(len(ROOM_NUMBERS))


def room_description(meeting: Meeting) -> str:
    local_start, local_end = meeting.start.astimezone(BANGKOK), meeting.end.astimezone(BANGKOK)
    return f"{meeting.title} · {format_be_short(meeting.start)} {local_start:%H:%M}–{local_end:%H:%M} น."


# --- placement ---------------------------------------------------------------------------------------------


def server_place(
    *,
    participants: int,
    start: datetime,
    end: datetime,
    exclude_meeting_id: int | None = None,
    kind: str = "",
) -> MediaServer | None:
    """An active, healthy server whose load in [start, end) leaves room for `participants`; the least loaded.
    With `kind`, only a server of that kind (or, when MEETINGS_ROOM_KIND_FALLBACK allows it and none has room,
    any other).

    The load of a server is the sum of the participants of the open meetings whose rooms it holds and whose
    time overlaps the window.
    """
    if kind:
        of_kind = _least_loaded(participants, start, end, exclude_meeting_id, kind=kind)
        if of_kind is not None or not setting("MEETINGS_ROOM_KIND_FALLBACK"):
            return of_kind
    return _least_loaded(participants, start, end, exclude_meeting_id)


def _least_loaded(
    participants: int, start: datetime, end: datetime, exclude_meeting_id: int | None, *, kind: str = ""
) -> MediaServer | None:
    load = (
        Room.objects.filter(server=OuterRef("pk"), meeting__start__lt=end, meeting__end__gt=start)
        .exclude(meeting__status__in=CLOSED)
        .exclude(meeting_id=exclude_meeting_id)
        .order_by()
        .values("server")
        .annotate(total=Sum("publishers"))
        .values("total")
    )
    servers = (
        MediaServer.objects.filter(state=MediaServer.State.ACTIVE, **({"kind": kind} if kind else {}))
        .exclude(last_check_ok=False)
        .annotate(load=Coalesce(Subquery(load), 0))
        .order_by("load", "pk")
    )
    for server in servers:
        if server.load + participants <= server.capacity_sites:
            return server
    return None


# --- what scheduling calls ---------------------------------------------------------------------------------


def room_create(*, meeting: Meeting, participants: int) -> Room:
    """The room row of a new meeting, placed on a server when one has room, and its provisioning enqueued."""
    server = server_place(participants=participants, start=meeting.start, end=meeting.end)
    number = room_number_new()
    room = Room(
        meeting=meeting,
        server=server,
        kind=server.kind if server is not None else "",
        number=number,
        name=f"prachum-{number}",
        publishers=max(participants, 1),
        pin=f"{secrets.randbelow(10**6):06d}",
        secret=secrets.token_urlsafe(24),
        state=Room.State.PENDING,
        last_error="" if server else NO_SERVER,
    )
    room.full_clean(exclude={"meeting", "server"}, validate_constraints=False)
    room.save()
    enqueue_provision(room.pk)
    return room


def room_change(*, meeting: Meeting) -> Room | None:
    """The meeting changed: the server must learn it (a new description, time or number of sites)."""
    room = Room.objects.select_for_update().filter(meeting=meeting).first()
    if room is None:
        return None
    room.publishers = max(meeting.participations.count() + meeting.agency_invitations.count(), 1)
    room.desired_version += 1
    room.state = Room.State.PENDING
    room.attempts = 0
    room.next_attempt_at = None
    room.last_error = ""
    room.save(update_fields=["publishers", "desired_version", "state", "attempts", "next_attempt_at",
                             "last_error", "updated_at"])
    enqueue_provision(room.pk)
    enqueue_tokens_sync([room.server_id])  # a site taken off the meeting: its pass stops opening sessions
    return room


def room_retire(*, meeting: Meeting) -> Room | None:
    """The meeting was cancelled: destroy its room if the server has it, else just mark it gone."""
    room = Room.objects.select_for_update().filter(meeting=meeting).first()
    if room is None:
        return None
    on_server = room.server_id is not None and room.provisioned_version > 0
    room.state = Room.State.DESTROY_PENDING if on_server else Room.State.DESTROYED
    room.attempts = 0
    room.next_attempt_at = None
    room.last_error = ""
    room.save(update_fields=["state", "attempts", "next_attempt_at", "last_error", "updated_at"])
    if on_server:
        enqueue_provision(room.pk)
    enqueue_tokens_sync([room.server_id])  # the meeting's passes stop opening sessions at once
    return room


# --- what the task runs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionResult:
    room_id: int
    outcome: str  # provisioned | destroyed | in_step | busy | failed | retry
    retry_in: int | None = None
    error: str = ""


def _short(error: Exception) -> str:
    return str(error)[:500] or type(error).__name__


def room_provision(*, room_id: int) -> ProvisionResult:
    """Make the media server agree with the room row. Safe to run twice, or in two workers at once."""
    return rooms_provision(room_ids=[room_id])[0]


def room_provision_with_due(*, room_id: int, now: datetime | None = None) -> list[ProvisionResult]:
    """What the task sent on commit does: the room it was sent for, and with it the other rooms due now (up to
    SWEEP_BATCH in all), under one lock query and one transaction.

    A burst of scheduling (a series, a morning of meetings, a server's rooms moved) sends one task per room;
    the first to run takes the rooms still pending, the others find theirs in step and stop after one read
    without a lock. The first result is the room's own."""
    own = _room_in_step(room_id)
    if own is not None:
        return [own]
    others = list(
        _due_rooms(now or timezone.now()).exclude(pk=room_id).order_by("pk").values_list("pk", flat=True)[
            : SWEEP_BATCH - 1
        ]
    )
    return rooms_provision(room_ids=[room_id, *others])


def _room_in_step(room_id: int) -> ProvisionResult | None:
    """The room's result when its row, read without a lock, needs nothing (in step, failed for good, gone);
    None when it needs work. A change committed after this read sends a task of its own."""
    with connection.cursor() as cursor:  # every task reads this: one plain statement, no ORM compilation
        cursor.execute(_ROOM_STEP_SQL, [room_id])
        row = cursor.fetchone()
    if row is None:
        return ProvisionResult(room_id, "busy")  # as rooms_provision answers for a row it cannot lock
    state, provisioned_version, desired_version, meeting_status, last_error = row
    if _in_step(state, provisioned_version, desired_version, wants_room=meeting_status not in CLOSED):
        return ProvisionResult(room_id, "in_step")
    if state == Room.State.FAILED:
        return ProvisionResult(room_id, "failed", error=last_error)
    return None


# Table names come from the models; the room id is a query parameter (bandit B608 / ruff S608 reviewed).
_ROOM_STEP_SQL = (
    "SELECT r.state, r.provisioned_version, r.desired_version, m.status, r.last_error "  # nosec B608  # noqa: S608
    f"FROM {Room._meta.db_table} r JOIN {Meeting._meta.db_table} m ON m.id = r.meeting_id WHERE r.id = %s"
)


def _in_step(state: str, provisioned_version: int, desired_version: int, *, wants_room: bool) -> bool:
    if wants_room:
        return state == Room.State.PROVISIONED and provisioned_version == desired_version
    return state == Room.State.DESTROYED


def _due_rooms(now: datetime):
    """Rooms waiting for the media server whose next attempt is due."""
    return Room.objects.filter(state__in=[Room.State.PENDING, Room.State.DESTROY_PENDING]).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


@dataclass
class _Outcomes:
    """Successes are written together at the end of a batch (one UPDATE each kind); failures as they happen."""

    provisioned: list[Room] = field(default_factory=list)
    destroyed: list[Room] = field(default_factory=list)
    placed: list[Room] = field(default_factory=list)
    ready_meetings: list[int] = field(default_factory=list)
    # Servers that failed with a temporary error in this batch: their other rooms wait for the retry.
    unreachable: dict[int, Exception] = field(default_factory=dict)

    def write(self) -> None:
        now = timezone.now()
        for room in self.placed:
            Room.objects.filter(pk=room.pk).update(server=room.server, kind=room.kind)
        if self.provisioned:
            Room.objects.filter(pk__in=[room.pk for room in self.provisioned]).update(
                state=Room.State.PROVISIONED, provisioned_version=F("desired_version"), attempts=0, last_error="",
                next_attempt_at=None, provisioned_at=now, updated_at=now,
            )
        if self.destroyed:
            Room.objects.filter(pk__in=[room.pk for room in self.destroyed]).update(
                state=Room.State.DESTROYED, attempts=0, last_error="", next_attempt_at=None, updated_at=now
            )
        if self.ready_meetings:
            Meeting.objects.filter(pk__in=self.ready_meetings, status=Meeting.Status.SCHEDULED).update(
                status=Meeting.Status.READY
            )
        enqueue_tokens_sync(room.server_id for room in [*self.provisioned, *self.destroyed])
        for room in self.provisioned:
            room.state, room.provisioned_version, room.attempts, room.last_error = (
                Room.State.PROVISIONED, room.desired_version, 0, "")
        for room in self.destroyed:
            room.state, room.attempts, room.last_error = Room.State.DESTROYED, 0, ""


def rooms_provision(*, room_ids: Sequence[int]) -> list[ProvisionResult]:
    """Provision several rooms under one lock query and one transaction (what the sweep sends).

    Rooms another worker holds right now are reported busy and left to it. Each room's server call is made on
    its own; a failure is recorded on that room alone.
    """
    wanted = [int(pk) for pk in room_ids]
    with transaction.atomic():
        rooms = list(
            Room.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("server", "meeting")
            .filter(pk__in=wanted)
            .order_by("pk")
        )
        outcomes = _Outcomes()
        results = {room.pk: _provision_locked(room, outcomes) for room in rooms}
        outcomes.write()
    return [results.get(pk) or ProvisionResult(pk, "busy") for pk in wanted]


def _provision_locked(room: Room, outcomes: _Outcomes) -> ProvisionResult:
    meeting = room.meeting
    wants_room = meeting.status not in CLOSED
    nothing_to_do = _nothing_to_do(room, wants_room=wants_room, outcomes=outcomes)
    if nothing_to_do is not None:
        return nothing_to_do
    placed = room.server_id is None
    try:
        if wants_room:
            _push(room, meeting)
        else:
            _destroy(room)
    except TemporaryMediaError as error:
        if room.server_id is not None and not isinstance(error, NoServerAvailable):
            outcomes.unreachable[room.server_id] = error
        return _retry_later(room, error)
    except (MediaServerError, ValueError) as error:
        _record(room, state=Room.State.FAILED, last_error=_short(error), next_attempt_at=None)
        logger.warning("room %s failed for good: %s", room.pk, error)
        return ProvisionResult(room.pk, "failed", error=room.last_error)
    if not wants_room:
        outcomes.destroyed.append(room)
        return ProvisionResult(room.pk, "destroyed")
    if placed:
        outcomes.placed.append(room)
    outcomes.provisioned.append(room)
    if meeting.status == Meeting.Status.SCHEDULED:
        outcomes.ready_meetings.append(meeting.pk)
    return ProvisionResult(room.pk, "provisioned")


def _nothing_to_do(room: Room, *, wants_room: bool, outcomes: _Outcomes) -> ProvisionResult | None:
    """The result when the server need not (or must not now) be called for this room."""
    if _in_step(room.state, room.provisioned_version, room.desired_version, wants_room=wants_room):
        return ProvisionResult(room.pk, "in_step")
    if room.state == Room.State.FAILED:
        return ProvisionResult(room.pk, "failed", error=room.last_error)
    if room.server_id in outcomes.unreachable:  # this batch found the server down: no call to wait for again
        return _retry_later(room, outcomes.unreachable[room.server_id])
    return None


def _push(room: Room, meeting: Meeting) -> None:
    if room.server is None:
        server = server_place(
            participants=room.publishers, start=meeting.start, end=meeting.end, exclude_meeting_id=meeting.pk,
            kind=room.kind,
        )
        if server is None:
            raise NoServerAvailable(NO_SERVER)
        room.server = server
        room.kind = room.kind or server.kind
        room.provisioned_version = 0
    backend = backend_for_server(room.server)
    spec = room_spec(room, description=room_description(meeting), max_publishers=room.publishers)
    if room.provisioned_version == 0:
        backend.create_room(spec)
        return
    try:
        backend.update_room(spec)
    except RoomNotFound:
        backend.create_room(spec)


def _destroy(room: Room) -> None:
    if room.server is None or room.provisioned_version == 0:
        return
    backend = backend_for_server(room.server)
    spec = room_spec(room, description=room_description(room.meeting), max_publishers=room.publishers)
    backend.destroy_room(spec)


def _record(room: Room, **values) -> None:
    """Write the outcome on the locked row (one UPDATE, no model-save machinery on this hot path)."""
    values["updated_at"] = timezone.now()
    for name, value in values.items():
        setattr(room, name, value)
    Room.objects.filter(pk=room.pk).update(**values)


def _retry_later(room: Room, error: Exception) -> ProvisionResult:
    backoff = list(setting("MEETINGS_PROVISION_BACKOFF"))
    attempts = room.attempts + 1
    if attempts > len(backoff):
        _record(room, attempts=attempts, state=Room.State.FAILED, next_attempt_at=None,
                last_error=f"ลอง {attempts} ครั้งแล้วไม่สำเร็จ: {_short(error)}"[:500])
        logger.warning("room %s failed after %s attempts: %s", room.pk, attempts, error)
        return ProvisionResult(room.pk, "failed", error=room.last_error)
    delay = int(backoff[attempts - 1])
    values = {"attempts": attempts, "next_attempt_at": timezone.now() + timedelta(seconds=delay),
              "last_error": _short(error)}
    if isinstance(error, NoServerAvailable):
        values["server"] = None
    _record(room, **values)
    return ProvisionResult(room.pk, "retry", retry_in=delay, error=room.last_error)


# --- the sweep ---------------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    enqueued: list[int] = field(default_factory=list)
    recreated: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    retried_failed: list[int] = field(default_factory=list)
    ended: int = 0
    unreachable_servers: list[str] = field(default_factory=list)
    leftovers_destroyed: int = 0

    def as_dict(self) -> dict:
        return {
            "enqueued": len(self.enqueued), "recreated": len(self.recreated), "replaced": len(self.replaced),
            "retried_failed": len(self.retried_failed), "ended": self.ended,
            "unreachable_servers": self.unreachable_servers, "leftovers_destroyed": self.leftovers_destroyed,
        }


# Sites may enter a meeting's room this long before its start (join.models.JOIN_OPENS_BEFORE): from then on the
# meeting counts as under way, and its room stays where its sites are while the server answers for it.
SITES_ENTER_BEFORE = timedelta(minutes=30)


def _rooms_still_answering(rooms) -> list[int]:
    """The rooms (of meetings under way or about to start) that their failing server still says it holds."""
    answering = []
    for room in rooms:
        try:
            if backend_for_server(room.server).room_exists(room.number, room.name):
                answering.append(room.pk)
        except MediaServerError:
            continue
    return answering


def _leave_behind(rooms) -> None:
    """Remember the rooms about to move off their server, to destroy them there once it answers again."""
    LeftoverRoom.objects.bulk_create(
        [LeftoverRoom(server_id=room.server_id, number=room.number, name=room.name, secret=room.secret)
         for room in rooms.only("server_id", "number", "name", "secret")],
        ignore_conflicts=True,
    )


def leftover_rooms_destroy() -> int:
    """Destroy the rooms left behind on servers that answer (not failing, switched on); a server that still does
    not answer keeps its rows for the next sweep. A room that is live again on that server under the same number
    (it moved back) is not destroyed: only its row goes. Returns how many rows were done with."""
    done = 0
    leftovers = LeftoverRoom.objects.select_related("server").filter(
        server__state=MediaServer.State.ACTIVE, server__last_check_ok=True
    )
    for leftover in leftovers.order_by("pk"):
        live = Room.objects.filter(server_id=leftover.server_id, number=leftover.number).exclude(
            state__in=[Room.State.DESTROYED]
        ).exists()
        if not live:
            spec = RoomSpec(room_id=leftover.number, name=leftover.name, description="", pin="",
                            secret=leftover.secret, max_publishers=0)
            try:
                backend_for_server(leftover.server).destroy_room(spec)
            except MediaServerError as error:
                LeftoverRoom.objects.filter(pk=leftover.pk).update(last_error=_short(error))
                continue
        leftover.delete()
        done += 1
    return done


def _reset(queryset, **extra) -> list[int]:
    """Put rooms back to pending (with `extra` changes) and return their ids. A room that no longer exists on any
    server (`provisioned_version=0`: moved off a failing server, or vanished) takes its meeting back from "room
    ready" to scheduled, so no page says the room is ready while it is being made again."""
    ids = list(queryset.values_list("pk", flat=True))
    if ids:
        Room.objects.filter(pk__in=ids).update(
            state=Room.State.PENDING, attempts=0, next_attempt_at=None, updated_at=timezone.now(), **extra
        )
        if extra.get("provisioned_version") == 0:
            Meeting.objects.filter(room__pk__in=ids, status=Meeting.Status.READY).update(
                status=Meeting.Status.SCHEDULED
            )
    return ids


@transaction.atomic
def rooms_sweep(*, now: datetime | None = None) -> SweepReport:
    """The periodic job. Every step is safe to repeat; the work itself happens in `room_provision` tasks."""
    now = now or timezone.now()
    report = SweepReport()
    open_rooms = Room.objects.exclude(meeting__status__in=CLOSED).filter(meeting__end__gt=now)

    # 1. Rooms on servers that are down or failing their health check move to a healthy server, except the room
    #    of a meeting under way whose server still answers for it (its sites are in it: moving would split them).
    bad_servers = Q(server__state=MediaServer.State.DOWN) | Q(server__last_check_ok=False)
    leaving = open_rooms.filter(bad_servers).exclude(state=Room.State.DESTROYED)
    staying = _rooms_still_answering(
        leaving.filter(server__state=MediaServer.State.ACTIVE, provisioned_version__gt=0)
        .filter(meeting__start__lte=now + SITES_ENTER_BEFORE)
        .select_related("server")
    )
    moving = leaving.exclude(pk__in=staying)
    _leave_behind(moving.filter(server__isnull=False, provisioned_version__gt=0))
    report.replaced = _reset(
        moving, server=None, provisioned_version=0, last_error="ย้ายไปเซิร์ฟเวอร์อื่น: เซิร์ฟเวอร์เดิมใช้งานไม่ได้",
    )

    # 2. Meetings starting soon: their rooms must exist. Failed ones get a fresh round of attempts; provisioned
    #    ones are checked on their server and re-created when they vanished (Janus restarted).
    soon = open_rooms.filter(meeting__start__lte=now + timedelta(hours=int(setting("MEETINGS_ROOM_CHECK_HOURS"))))
    report.retried_failed = _reset(soon.filter(state=Room.State.FAILED))
    provisioned = soon.filter(state=Room.State.PROVISIONED, server__isnull=False).select_related("server")
    by_server: dict[int, list[Room]] = {}
    servers: dict[int, MediaServer] = {}
    for room in provisioned:
        by_server.setdefault(room.server_id, []).append(room)
        servers[room.server_id] = room.server
    vanished: list[int] = []
    for server_id, rooms in by_server.items():
        try:
            backend = backend_for_server(servers[server_id])
            if backend.rooms_on_demand:  # Jitsi: a room nobody joined yet is not a lost room
                continue
            vanished += [room.pk for room in rooms if not backend.room_exists(room.number, room.name)]
        except MediaServerError as error:
            logger.warning("sweep: cannot check rooms on %s: %s", servers[server_id], error)
            report.unreachable_servers.append(servers[server_id].name)
    report.recreated = _reset(
        Room.objects.filter(pk__in=vanished), provisioned_version=0,
        last_error="ห้องหายไปจากเซิร์ฟเวอร์ (เซิร์ฟเวอร์เริ่มใหม่): กำลังสร้างใหม่",
    )

    # 3. Meetings long over: mark them ended and remove their rooms.
    keep = timedelta(minutes=int(setting("MEETINGS_JITSI_GRACE_MINUTES")))
    over = Meeting.objects.filter(
        end__lt=now - keep, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.READY]
    ).values_list("pk", flat=True)
    over_ids = list(over)
    if over_ids:
        report.ended = Meeting.objects.filter(pk__in=over_ids).update(status=Meeting.Status.ENDED)
        Room.objects.filter(meeting_id__in=over_ids, provisioned_version__gt=0, server__isnull=False).exclude(
            state=Room.State.DESTROYED
        ).update(state=Room.State.DESTROY_PENDING, attempts=0, next_attempt_at=None)
        Room.objects.filter(meeting_id__in=over_ids).exclude(
            state__in=[Room.State.DESTROY_PENDING, Room.State.DESTROYED]
        ).update(state=Room.State.DESTROYED)

    # 4. Rooms left behind on servers that answer again: destroyed there.
    report.leftovers_destroyed = leftover_rooms_destroy()

    # 5. Everything pending whose next attempt is due (a lost message, a restarted worker, a retry).
    due = _due_rooms(now)
    report.enqueued = list(due.order_by("pk").values_list("pk", flat=True))
    for chunk in range(0, len(report.enqueued), SWEEP_BATCH):
        enqueue_provision_batch(report.enqueued[chunk : chunk + SWEEP_BATCH])
    return report


# --- health ------------------------------------------------------------------------------------------------


def server_check(*, server: MediaServer) -> bool:
    """Ask one server whether it answers, and record the answer on its row. Returns whether it answered now.

    With hysteresis: the server counts as failing (`last_check_ok` False: its open rooms move, nothing is placed on
    it) only after MEETINGS_SERVER_DOWN_AFTER_CHECKS failed checks in a row. When it answers again after failing,
    the rooms waiting for a server are sent to provisioning at once, not at their back-off time.
    """
    try:
        ok = backend_for_server(server).health()
        detail = "" if ok else "ไม่ตอบสนอง"
    except MediaServerError as error:
        ok, detail = False, _short(error)
    with transaction.atomic():  # the count of failures in a row is read and written under the row's lock
        row = MediaServer.objects.select_for_update().get(pk=server.pk)
        was_failing = row.last_check_ok is False
        server.last_checked_at = timezone.now()
        server.failed_checks = 0 if ok else row.failed_checks + 1
        server.last_check_ok = row.last_check_ok
        if ok:
            server.last_check_ok = True
        elif server.failed_checks >= int(setting("MEETINGS_SERVER_DOWN_AFTER_CHECKS")):
            server.last_check_ok = False
        server.last_check_detail = detail[:300]
        MediaServer.objects.filter(pk=server.pk).update(
            last_checked_at=server.last_checked_at, last_check_ok=server.last_check_ok,
            last_check_detail=server.last_check_detail, failed_checks=server.failed_checks,
        )
    if ok and was_failing:
        _provision_waiting_rooms(server=server, now=server.last_checked_at)
    return ok


def _provision_waiting_rooms(*, server: MediaServer, now: datetime) -> list[int]:
    """A server answers again: the open rooms waiting on it, or on no server, are provisioned now."""
    waiting = Room.objects.filter(state=Room.State.PENDING, meeting__end__gt=now).exclude(
        meeting__status__in=CLOSED
    ).filter(Q(server=server) | Q(server__isnull=True))
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    if ids:
        Room.objects.filter(pk__in=ids).update(next_attempt_at=None)
        for chunk in range(0, len(ids), SWEEP_BATCH):
            enqueue_provision_batch(ids[chunk : chunk + SWEEP_BATCH])
    return ids


def servers_check() -> dict[str, bool]:
    """Health-check every server that is not switched off; returns name -> healthy."""
    return {
        server.name: server_check(server=server)
        for server in MediaServer.objects.exclude(state=MediaServer.State.DOWN)
    }
