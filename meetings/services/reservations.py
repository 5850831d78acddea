"""Jitsi's reservation API (Prosody mod_reservations asks prachum whether a room may open), and join targets.

A room may open from `MEETINGS_JITSI_EARLY_MINUTES` before its meeting starts until the meeting ends; Prosody
destroys it at `start_time + duration`, which is the meeting's end plus `MEETINGS_JITSI_GRACE_MINUTES`.
The reservation id is the Room's id; a room holds at most one reservation at a time (409 then names it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.models import Site

from ..backends.base import JoinTarget
from ..backends.jitsi import (
    ConferenceRequest,
    conflict_answer,
    format_start_time,
    parse_start_time,
    reservation_answer,
)
from ..conf import setting
from ..media import backend_for_server, room_spec, site_user_id
from ..models import MediaServer, Meeting, Room
from .rooms import CLOSED, room_description
from .scheduling import when_text


@dataclass(frozen=True)
class ReservationAnswer:
    status: int
    body: dict


def _refuse(status: int, message: str) -> ReservationAnswer:
    return ReservationAnswer(status, {"message": message})


def _window(meeting: Meeting) -> tuple[datetime, datetime]:
    early = timedelta(minutes=int(setting("MEETINGS_JITSI_EARLY_MINUTES")))
    return meeting.start - early, meeting.end


def _body(room: Room, start_time: datetime) -> dict:
    grace = timedelta(minutes=int(setting("MEETINGS_JITSI_GRACE_MINUTES")))
    duration = max(int((room.meeting.end + grace - start_time).total_seconds()), 60)
    return reservation_answer(
        reservation_id=room.pk, name=room.name, mail_owner=room.reservation_owner, start_time=start_time,
        duration=duration, max_occupants=room.publishers + 10,
    )


@transaction.atomic
def reservation_open(*, request: ConferenceRequest, now: datetime | None = None) -> ReservationAnswer:
    """`POST /conference`: 200 with the reservation, 409 with the one already held, or 4xx with a Thai reason."""
    now = now or timezone.now()
    room = (
        Room.objects.select_for_update(of=("self",))
        .select_related("meeting", "server")
        .filter(name=request.name, server__kind=MediaServer.Kind.JITSI)
        .first()
    )
    if room is None:
        return _refuse(404, _("ไม่มีห้องประชุมนี้ในระบบ prachum: เข้าร่วมจากลิงก์ในหน้าของสถานที่เท่านั้น"))
    meeting = room.meeting
    if meeting.status in CLOSED:
        return _refuse(
            403,
            _("การประชุม “%(title)s” %(status)sแล้ว: ห้องนี้เปิดไม่ได้")
            % {"title": meeting.title, "status": meeting.get_status_display()},
        )
    opens, closes = _window(meeting)
    if not opens <= now <= closes:
        return _refuse(
            403,
            _("ห้องประชุม “%(title)s” เปิดได้ก่อนเวลาประชุม %(minutes)s นาที จนถึงเวลาเลิกประชุม (%(when)s)")
            % {
                "title": meeting.title,
                "minutes": setting("MEETINGS_JITSI_EARLY_MINUTES"),
                "when": when_text(meeting.start, meeting.end),
            },
        )
    if room.reservation_start:
        return ReservationAnswer(409, conflict_answer(room.pk))
    room.reservation_start = format_start_time(request.start_time)
    room.reservation_owner = request.mail_owner[:200]
    room.save(update_fields=["reservation_start", "reservation_owner", "updated_at"])
    return ReservationAnswer(200, _body(room, request.start_time))


def reservation_get(*, reservation_id: int) -> ReservationAnswer:
    """`GET /conference/<id>`: the reservation Prosody was told about in a 409."""
    room = Room.objects.select_related("meeting").filter(pk=reservation_id).exclude(reservation_start="").first()
    if room is None:
        return _refuse(404, _("ไม่พบการจองห้องนี้"))
    return ReservationAnswer(200, _body(room, parse_start_time(room.reservation_start)))


@transaction.atomic
def reservation_delete(*, reservation_id: int) -> ReservationAnswer:
    """`DELETE /conference/<id>`: the room ended; it may be opened again within its window."""
    updated = Room.objects.filter(pk=reservation_id).exclude(reservation_start="").update(
        reservation_start="", reservation_owner="", updated_at=timezone.now()
    )
    if not updated:
        return _refuse(404, _("ไม่พบการจองห้องนี้"))
    return ReservationAnswer(200, {})


def room_join_target(
    *, room: Room, site: Site, display: str = "", user_id: str = "", token: str = ""
) -> JoinTarget:
    """What a site's browser needs to enter the meeting's room (for Jitsi: the room's address with the site's
    JWT, which expires MEETINGS_JITSI_TOKEN_GRACE_MINUTES after the meeting's end); the host site joins as
    moderator. Raises MediaServerError when the backend cannot make it (a meeting that is over gets none)."""
    meeting = room.meeting
    spec = room_spec(room, description=room_description(meeting), max_publishers=room.publishers)
    return backend_for_server(room.server).join_target(
        spec,
        display=display or site.name,
        moderator=site.pk == meeting.host_site_id,
        user_id=user_id or site_user_id(site.code),
        expires=meeting.end + timedelta(minutes=int(setting("MEETINGS_JITSI_TOKEN_GRACE_MINUTES"))),
        token=token,
    )
