"""Every write of joining: passes, calendar feeds, test calls, moderation and attendance.

Calls to a media server use the meeting's room and its server row through `meetings.media`; the room's secret
is used here, server-side, and never returned to a caller that renders it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.models import Site
from foundation.audit import Action as AuditAction
from foundation.audit import audit_record
from foundation.enqueue import task_send_on_commit
from meetings.backends.base import JoinTarget, MediaServerError, Participant, RoomSpec
from meetings.conf import setting
from meetings.media import backend_for_server, room_spec, site_user_id
from meetings.models import AgencyInvitation, MediaServer, Meeting, Participation, Room
from meetings.services.rooms import enqueue_tokens_sync, room_description, room_number_new, server_place

from .models import ATTENDANCE_GRACE, JOIN_OPENS_BEFORE, Attendance, AttendancePoll, CalendarFeed, JoinPass, TestCall

logger = logging.getLogger(__name__)

# A test call's page and room live this long; the sweep closes rooms left open longer.
TEST_CALL_LIFETIME = timedelta(hours=2)
# A connection not seen for longer than this is taken to have ended when it was last seen (polling stopped).
ATTENDANCE_STALE_AFTER = timedelta(minutes=2)

ACTIONS = ("mute", "kick")


class MediaUnavailable(Exception):
    """The media server could not be reached or refused: a clear message for the page, in the person's language."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _spec(room: Room) -> RoomSpec:
    return room_spec(room, description=room_description(room.meeting), max_publishers=room.publishers)


# --- join passes -------------------------------------------------------------------------------------------


@transaction.atomic
def join_passes_ensure(*, meeting: Meeting) -> list[JoinPass]:
    """A valid pass for every site taking part in the meeting and every agency invited to it (existing ones are
    kept); the passes of agencies no longer invited are revoked (their token leaves the media server on commit).
    Safe to call again.

    For the scheduling services to call when a meeting is scheduled or its sites or agencies change, before the
    notifications are planned (an agency's invitation carries its own link). Returns the new ones.
    """
    site_ids = list(Participation.objects.filter(meeting=meeting).values_list("site_id", flat=True))
    agency_ids = set(AgencyInvitation.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    valid = list(JoinPass.objects.filter(meeting=meeting, revoked_at__isnull=True).values_list("site_id", "agency_id"))
    have_sites = {site_id for site_id, _agency in valid if site_id is not None}
    have_agencies = {agency_id for _site, agency_id in valid if agency_id is not None}
    new = [
        JoinPass(meeting=meeting, site_id=site_id, token=new_token())
        for site_id in site_ids
        if site_id not in have_sites
    ]
    if not meeting.is_cancelled:
        new += [
            JoinPass(meeting=meeting, agency_id=agency_id, token=new_token())
            for agency_id in sorted(agency_ids - have_agencies)
        ]
    # Two requests at once: the partial unique constraints keep one pass per holder; the loser's row is dropped.
    JoinPass.objects.bulk_create(new, ignore_conflicts=True)
    gone = have_agencies - agency_ids if not meeting.is_cancelled else have_agencies
    if gone:
        join_passes_revoke_agencies(
            meeting=meeting, agency_ids=gone,
            reason="การประชุมถูกยกเลิก" if meeting.is_cancelled else "ส่วนราชการถูกนำออกจากการประชุม",
        )
    return new


def join_passes_revoke_agencies(*, meeting: Meeting, agency_ids: Iterable[int] | None = None, reason: str) -> int:
    """Revoke the valid passes of these agencies (all the meeting's agencies when None) for the meeting: taken off
    it, or the meeting was cancelled. Their tokens leave the media server once this commits. Returns how many."""
    passes = JoinPass.objects.filter(meeting=meeting, agency__isnull=False, revoked_at__isnull=True)
    if agency_ids is not None:
        passes = passes.filter(agency_id__in=list(agency_ids))
    revoked = passes.update(revoked_at=timezone.now(), revoked_reason=reason[:200])
    if revoked:
        enqueue_tokens_sync(Room.objects.filter(meeting_id=meeting.pk).values_list("server_id", flat=True))
    return revoked


def join_passes_issue_for_site(*, site: Site, meeting_ids: Iterable[int]) -> list[JoinPass]:
    """The site's valid passes of these meetings, issuing the missing ones (a pass revoked without a new one:
    renewing it gives one). Two queries and a write, whatever the number of meetings; returns the valid passes.
    """
    meeting_ids = sorted(set(meeting_ids))
    if not meeting_ids:
        return []
    taking_part = (
        Participation.objects.filter(site=site, meeting_id__in=meeting_ids)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .values_list("meeting_id", flat=True)
    )
    new = [JoinPass(meeting_id=meeting_id, site=site, token=new_token()) for meeting_id in taking_part]
    with transaction.atomic():
        # A meeting that has a valid pass already keeps it: the partial unique constraint drops the new row.
        JoinPass.objects.bulk_create(new, ignore_conflicts=True)
    return list(JoinPass.objects.filter(site=site, meeting_id__in=meeting_ids, revoked_at__isnull=True).order_by())


@transaction.atomic
def join_pass_revoke(*, join_pass: JoinPass, reason: str = "", reissue: bool = True) -> JoinPass | None:
    """Stop a link from working (it leaked, or the site or agency left the meeting); with `reissue`, give its
    holder a new one at once. Returns the new pass, if any."""
    locked = JoinPass.objects.select_for_update().get(pk=join_pass.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason[:200]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        # Its token leaves the media server as soon as this commits: no new session with it from then on.
        enqueue_tokens_sync(Room.objects.filter(meeting_id=locked.meeting_id).values_list("server_id", flat=True))
    join_pass.revoked_at, join_pass.revoked_reason = locked.revoked_at, locked.revoked_reason
    if not reissue:
        return None
    if locked.agency_id is not None:
        invited = AgencyInvitation.objects.filter(meeting_id=locked.meeting_id, agency_id=locked.agency_id).exists()
    else:
        invited = Participation.objects.filter(meeting_id=locked.meeting_id, site_id=locked.site_id).exists()
    if not invited:
        return None
    fresh = JoinPass(meeting_id=locked.meeting_id, site_id=locked.site_id, agency_id=locked.agency_id,
                     token=new_token())
    fresh.save()
    return fresh


@transaction.atomic
def join_pass_renew(*, meeting: Meeting, site: Site, by=None) -> JoinPass:
    """A new join link of the site for a meeting still ahead (or under way); the old one stops working at once.

    The clerk's "new link" button, for a link that went where it should not. Refused (ValidationError) for a
    cancelled meeting or one that is over: the page offers the button for neither. A site that has no valid pass
    (the meeting was scheduled before passes existed) is simply given one. Two renewals at once (a double click)
    end with one new link, which both get.
    """
    if meeting.is_cancelled:
        raise ValidationError(_("การประชุมนี้ยกเลิกแล้ว: ไม่มีลิงก์เข้าร่วมให้ออกใหม่"))
    if meeting.end <= timezone.now():
        raise ValidationError(_("การประชุมนี้จบแล้ว: ไม่ต้องออกลิงก์ใหม่"))
    valid = JoinPass.objects.filter(meeting=meeting, site=site, revoked_at__isnull=True)
    current = valid.select_for_update().order_by().first()
    if current is not None:
        username = by.get_username() if getattr(by, "is_authenticated", False) else "ระบบ"
        fresh = join_pass_revoke(join_pass=current, reason=f"ออกลิงก์ใหม่โดย {username}")
        if fresh is not None:
            return fresh
    # No valid pass (or another renewal revoked it first: its new pass is the one issued or found here).
    passes = join_passes_issue_for_site(site=site, meeting_ids=[meeting.pk])
    if not passes:
        raise ValidationError(_("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้"))
    return passes[0]


# --- media tokens (Janus token_auth) -----------------------------------------------------------------------

# A pass's token is on the media server from this long before the site may enter (its window opens
# JOIN_OPENS_BEFORE before the start; the sweep that adds it runs every few seconds) ...
TOKEN_LEAD = timedelta(minutes=5)


def _token_grace() -> timedelta:
    """... until this long after the meeting's end (a meeting that runs over), as Jitsi's join tokens."""
    return timedelta(minutes=int(setting("MEETINGS_JITSI_TOKEN_GRACE_MINUTES")))


def media_tokens_wanted(*, server: MediaServer, now: datetime | None = None) -> set[str]:
    """The tokens the server must accept now: the valid passes of the sites and agencies still invited to the
    open meetings whose room it holds, from TOKEN_LEAD before their window opens to the grace after their end,
    and the test calls whose room on it is open."""
    now = now or timezone.now()
    invited = Participation.objects.filter(meeting_id=OuterRef("meeting_id"), site_id=OuterRef("site_id"))
    agency_invited = AgencyInvitation.objects.filter(meeting_id=OuterRef("meeting_id"), agency_id=OuterRef("agency_id"))
    passes = JoinPass.objects.filter(
        Exists(invited) | Exists(agency_invited),
        revoked_at__isnull=True,
        meeting__room__server=server,
        meeting__status__in=[Meeting.Status.SCHEDULED, Meeting.Status.READY],
        meeting__start__lte=now + JOIN_OPENS_BEFORE + TOKEN_LEAD,
        meeting__end__gt=now - _token_grace(),
    ).order_by()
    tests = TestCall.objects.filter(
        server=server, room_closed_at__isnull=True, started_at__gt=now - TEST_CALL_LIFETIME
    ).order_by()
    return set(passes.values_list("media_token", flat=True)) | set(tests.values_list("media_token", flat=True))


@dataclass(frozen=True)
class TokenSync:
    server: str
    added: int = 0
    removed: int = 0
    kept: int = 0


def media_tokens_sync(*, server_id: int, now: datetime | None = None) -> TokenSync:
    """Make the server accept exactly the tokens of `media_tokens_wanted`: add the missing ones (a window that
    opened, a restarted Janus that forgot them all), remove the others (a revoked pass, a site taken off the
    meeting, a cancelled or ended meeting, a closed test room). Safe to run twice; runs one at a time per
    server (under the server row's lock), so a sync that read the rows before a revoke cannot add its token
    back after another removed it. Raises MediaServerError when the server cannot be reached (the sweep runs
    it again)."""
    with transaction.atomic():
        server = MediaServer.objects.select_for_update().filter(pk=server_id).first()
        if server is None or server.state == MediaServer.State.DOWN:
            return TokenSync(server=str(server or server_id))
        backend = backend_for_server(server)
        if not backend.keeps_tokens:
            return TokenSync(server=server.name)
        wanted = media_tokens_wanted(server=server, now=now)
        have = backend.tokens()
        for token in sorted(wanted - have):
            backend.token_add(token)
        for token in sorted(have - wanted):
            backend.token_remove(token)
        return TokenSync(server=server.name, added=len(wanted - have), removed=len(have - wanted),
                         kept=len(wanted & have))


def media_tokens_sync_all(*, now: datetime | None = None) -> dict[str, TokenSync | str]:
    """Every server that keeps tokens and is switched on, each on its own: one that cannot be reached is
    reported and left to the next sweep."""
    results: dict[str, TokenSync | str] = {}
    for server in MediaServer.objects.exclude(state=MediaServer.State.DOWN).exclude(kind=MediaServer.Kind.JITSI):
        try:
            results[server.name] = media_tokens_sync(server_id=server.pk, now=now)
        except MediaServerError as error:
            logger.warning("tokens of %s not in step yet: %s", server.name, error)
            results[server.name] = type(error).__name__
    return results


# --- calendar feeds ----------------------------------------------------------------------------------------


def calendar_feed_ensure(*, site: Site) -> CalendarFeed:
    """The site's feed link, made the first time it is asked for."""
    feed = CalendarFeed.objects.filter(site=site, revoked_at__isnull=True).first()
    if feed is not None:
        return feed
    with transaction.atomic():
        CalendarFeed.objects.bulk_create([CalendarFeed(site=site, token=new_token())], ignore_conflicts=True)
    return CalendarFeed.objects.get(site=site, revoked_at__isnull=True)


@transaction.atomic
def calendar_feed_renew(*, site: Site) -> CalendarFeed:
    """A new feed link for the site; the old one stops working (a clerk left, or the link was shared).

    Two renewals at once (a double click): the second waits for the first's row, then finds the first's new link
    (the partial unique constraint drops its own) and returns it, rather than failing on the constraint."""
    CalendarFeed.objects.filter(site=site, revoked_at__isnull=True).update(revoked_at=timezone.now())
    CalendarFeed.objects.bulk_create([CalendarFeed(site=site, token=new_token())], ignore_conflicts=True)
    return CalendarFeed.objects.get(site=site, revoked_at__isnull=True)


# --- test calls --------------------------------------------------------------------------------------------


def _site_test_room_spec(test_call: TestCall) -> RoomSpec:
    return RoomSpec(
        room_id=int(test_call.room_number),
        name=f"prachum-test-{test_call.room_number}",
        description=f"ทดสอบระบบ · {test_call.site.name}",
        pin=test_call.pin,
        secret=test_call.secret,
        max_publishers=2,
    )


def site_test_call_start(*, site: Site, user=None, join_pass: JoinPass | None = None) -> TestCall:
    """Open a test room of the site's own on a media server, where the site sees and hears itself.

    The row is written first; the room is created at once (the clerk is waiting for it; creating a room is
    idempotent). When no server can take it, the row records the failure and MediaUnavailable is raised.
    A site has at most one live test room: while one is open (not answered, not closed, not expired), starting
    again gives that one (a double click, a second tab, or anyone holding a join link posting again and again).
    """
    now = timezone.now()
    with transaction.atomic():
        # One start at a time per site (no ordering: the model's would join the nullable district).
        list(Site.objects.select_for_update().filter(pk=site.pk).order_by().values_list("pk", flat=True))
        live = (
            TestCall.objects.filter(
                site=site, room_closed_at__isnull=True, started_at__gt=now - TEST_CALL_LIFETIME,
                result=TestCall.Result.PENDING, server__isnull=False,
            )
            .order_by("-started_at")
            .first()
        )
        if live is not None:
            return live
    server = server_place(participants=1, start=now, end=now + TEST_CALL_LIFETIME)
    with transaction.atomic():
        test_call = TestCall(
            site=site,
            token=new_token(),
            server=server,
            started_by=user if getattr(user, "pk", None) else None,
            join_pass=join_pass,
            pin=f"{secrets.randbelow(10**6):06d}",
            secret=secrets.token_urlsafe(24),
            room_number=room_number_new(),
        )
        test_call.save()
    if server is None:
        _site_test_call_failed(test_call, "ยังไม่มีเซิร์ฟเวอร์สื่อที่ใช้งานได้")
        raise MediaUnavailable(_("ยังไม่มีเซิร์ฟเวอร์สื่อที่ใช้งานได้ในขณะนี้: แจ้งผู้ดูแลระบบของจังหวัด แล้วลองใหม่ภายหลัง"))
    try:
        backend = backend_for_server(server)
        backend.create_room(_site_test_room_spec(test_call))
        if backend.keeps_tokens:  # the clerk's browser may open a session from now on (the sweep keeps it there)
            backend.token_add(test_call.media_token)
    except MediaServerError as error:
        logger.warning("test call %s: cannot create the test room on %s: %s", test_call.pk, server, error)
        _site_test_call_failed(test_call, f"สร้างห้องทดสอบไม่สำเร็จ: {error}"[:300])
        raise MediaUnavailable(
            _(
                "ติดต่อเซิร์ฟเวอร์ประชุมไม่ได้ในขณะนี้: ตรวจสายแลนและอินเทอร์เน็ตของสำนักงาน "
                "แล้วลองใหม่ หากยังไม่ได้ โทรแจ้งจังหวัด"
            )
        ) from error
    return test_call


def _site_test_call_failed(test_call: TestCall, note: str) -> None:
    test_call.result = TestCall.Result.PROBLEM
    test_call.finished_at = timezone.now()
    test_call.note = note[:300]
    test_call.room_closed_at = test_call.finished_at
    test_call.save(update_fields=["result", "finished_at", "note", "room_closed_at"])


def site_test_call_is_open(test_call: TestCall, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return test_call.room_closed_at is None and now < test_call.started_at + TEST_CALL_LIFETIME


@transaction.atomic
def site_test_call_record(
    *,
    test_call: TestCall,
    saw_video: bool | None = None,
    heard_audio: bool | None = None,
    media_flowing: bool | None = None,
) -> TestCall:
    """Record what the clerk saw and heard, or what the browser measured, with the time.

    The clerk's word decides: both yes is OK, any no is a problem. The browser's report alone (frames of its
    own video decoded back from the server) gives MEDIA_OK while the clerk has not answered. The clerk's answer
    ends the test: the room is closed after the commit.
    """
    locked = TestCall.objects.select_for_update().get(pk=test_call.pk)
    if media_flowing is not None:
        locked.media_flowing = bool(media_flowing)
    if saw_video is not None:
        locked.saw_video = bool(saw_video)
    if heard_audio is not None:
        locked.heard_audio = bool(heard_audio)
    if locked.saw_video is False or locked.heard_audio is False:
        locked.result = TestCall.Result.PROBLEM
    elif locked.saw_video and locked.heard_audio:
        locked.result = TestCall.Result.OK
    elif locked.media_flowing and locked.result == TestCall.Result.PENDING:
        locked.result = TestCall.Result.MEDIA_OK
    locked.finished_at = timezone.now()
    locked.save(update_fields=["media_flowing", "saw_video", "heard_audio", "result", "finished_at"])
    clerk_answered = saw_video is not None or heard_audio is not None
    if clerk_answered and locked.room_closed_at is None:
        task_send_on_commit("meetings.join.site_test_room_close", locked.pk)
    return locked


def site_test_room_close(*, test_call_id: int) -> bool:
    """Destroy a test call's room on its server (once). True when it is closed now."""
    with transaction.atomic():
        test_call = (
            TestCall.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("server", "site__district", "site__province")
            .filter(pk=test_call_id)
            .first()
        )
        if test_call is None or test_call.room_closed_at is not None:
            return test_call is not None
        if test_call.server is not None and test_call.room_number:
            try:
                backend = backend_for_server(test_call.server)
                backend.destroy_room(_site_test_room_spec(test_call))
                if backend.keeps_tokens:
                    backend.token_remove(test_call.media_token)
            except MediaServerError as error:
                logger.warning("test call %s: cannot close its room yet: %s", test_call.pk, error)
                return False
        test_call.room_closed_at = timezone.now()
        test_call.save(update_fields=["room_closed_at"])
        return True


def site_test_rooms_sweep(*, now: datetime | None = None) -> list[int]:
    """Close the rooms of test calls older than their lifetime (the clerk closed the tab without answering)."""
    now = now or timezone.now()
    ids = list(
        TestCall.objects.filter(room_closed_at__isnull=True, started_at__lt=now - TEST_CALL_LIFETIME).values_list(
            "pk", flat=True
        )
    )
    return [test_call_id for test_call_id in ids if site_test_room_close(test_call_id=test_call_id)]


# --- an agency's way in on Jitsi ----------------------------------------------------------------------------


def agency_user_id(agency_id: int) -> str:
    """The user id signed into an agency's Jitsi join token (attendance counts the occupant for that agency)."""
    return f"agency-{agency_id}"


def agency_join_target(*, join_pass: JoinPass, display: str) -> JoinTarget:
    """What an agency's browser needs to enter the meeting's Jitsi room: the room's address with the agency's
    JWT (never a moderator's), expiring as a site's does. Raises MediaServerError when the backend cannot."""
    room = join_pass.meeting.room
    meeting = room.meeting
    return backend_for_server(room.server).join_target(
        _spec(room),
        display=display,
        moderator=False,
        user_id=agency_user_id(join_pass.agency_id),
        expires=meeting.end + _token_grace(),
    )


# --- moderation --------------------------------------------------------------------------------------------


def participant_moderate(*, join_pass: JoinPass, participant_id: str, action: str) -> Participant:
    """The host site mutes or removes someone in its meeting's room, through the portal (with the room's secret).

    Refused (ValidationError) unless the pass is the host site's and the participant is in this room.
    """
    if action not in ACTIONS:
        raise ValidationError(
            _("ไม่รู้จักคำสั่ง “%(action)s”: ใช้ได้เฉพาะปิดเสียง (mute) หรือนำออก (kick)") % {"action": action}
        )
    if not join_pass.is_moderator:
        raise ValidationError(_("เฉพาะสถานที่ประธานของการประชุมเท่านั้นที่ปิดเสียงหรือนำสถานที่อื่นออกได้"))
    room = getattr(join_pass.meeting, "room", None)
    if room is None or room.server is None:
        raise MediaUnavailable(_("ห้องประชุมยังไม่พร้อม"))
    backend = backend_for_server(room.server)
    try:
        present = {p.id: p for p in backend.participants(room.number, room.name)}
        target = present.get(str(participant_id))
        if target is None:
            raise ValidationError(_("ไม่พบผู้เข้าร่วมนี้ในห้องประชุม (อาจออกไปแล้ว)"))
        spec = _spec(room)
        if action == "kick":
            backend.kick(spec, target.id)
        else:
            backend.mute(spec, target.id)
    except MediaServerError as error:
        logger.warning("moderation %s of %s in meeting %s failed: %s", action, participant_id, room.meeting_id, error)
        raise MediaUnavailable(_("สั่งงานเซิร์ฟเวอร์ประชุมไม่สำเร็จ: ลองใหม่อีกครั้ง")) from error
    logger.info("meeting %s: host site %s did %s on %r", room.meeting_id, join_pass.site_id, action, target.display)
    # Who moderated whom is part of the meeting's record (the evidence pack's traffic log reads it from here).
    host = join_pass.site
    audit_record(
        actor=None, action=AuditAction.UPDATE, target=join_pass.meeting, province_code=host.province.code,
        detail={"meeting": room.meeting_id, "moderation": action, "by_site": host.code, "participant": target.display},
    )
    return target


# --- attendance --------------------------------------------------------------------------------------------


@dataclass
class PollResult:
    meeting_id: int
    ok: bool
    error: str = ""
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def attendance_poll(*, meeting_id: int, now: datetime | None = None) -> PollResult:
    """Ask the media server who is in the meeting's room and record the sites' joins and leaves, and when it was
    asked and what went wrong (AttendancePoll: the control centre shows both, and never asks itself).

    Sites are recognised by who the server says opened each connection (`Participant.holder`: the token of the
    site's pass, or the identity signed into its Jitsi token), never by the name a participant shows; anyone
    else is recorded by display name as a guest, whose name counts for no site. The periodic task calls this for
    every meeting in its window.
    """
    now = now or timezone.now()
    room = Room.objects.select_related("server").filter(meeting_id=meeting_id).first()
    if room is None or room.server is None or room.provisioned_version == 0:
        result = PollResult(meeting_id, ok=False, error=_("ห้องประชุมยังไม่ถูกสร้างบนเซิร์ฟเวอร์"))
    else:
        try:
            present = backend_for_server(room.server).participants(room.number, room.name)
        except MediaServerError as error:
            result = PollResult(meeting_id, ok=False, error=_("ติดต่อเซิร์ฟเวอร์สื่อไม่ได้: %(error)s") % {"error": error})
        else:
            result = attendance_record(meeting_id=meeting_id, present=present, now=now)
    if Meeting.objects.filter(pk=meeting_id).exists():
        AttendancePoll.objects.update_or_create(
            meeting_id=meeting_id, defaults={"polled_at": now, "error": str(result.error)[:300]}
        )
    return result


@transaction.atomic
def attendance_record(*, meeting_id: int, present: Iterable[Participant], now: datetime) -> PollResult:
    """Bring the meeting's Attendance rows in line with who is present now. Safe to run twice, or at once."""
    result = PollResult(meeting_id, ok=True)
    holder_of = attendance_holders(meeting_id=meeting_id)
    here: dict[tuple[str, int], str] = {}  # ("site" | "agency", id) -> the display name it shows
    guests_here: set[str] = set()
    for participant in present:
        display = (participant.display or f"#{participant.id}")[:200]
        holder = holder_of.get(participant.holder) if participant.holder else None
        if holder is not None:
            here.setdefault(holder, display)
        else:
            guests_here.add(display)
    # Lock the meeting's open rows: two polls at once (the control centre and the periodic task) agree.
    open_rows = list(Attendance.objects.select_for_update().filter(meeting_id=meeting_id, left_at__isnull=True))
    seen, gone = [], []
    open_holders, open_guests = set(), set()
    for row in open_rows:
        holder = ("site", row.site_id) if row.site_id else ("agency", row.agency_id) if row.agency_id else None
        if holder is not None and holder in here:
            seen.append(row.pk)
            open_holders.add(holder)
        elif holder is None and row.display in guests_here:
            seen.append(row.pk)
            open_guests.add(row.display)
        else:
            row.left_at = now if now - row.last_seen_at <= ATTENDANCE_STALE_AFTER else row.last_seen_at
            gone.append(row)
            result.left.append(row.display)
    if seen:
        Attendance.objects.filter(pk__in=seen).update(last_seen_at=now)
    if gone:
        Attendance.objects.bulk_update(gone, ["left_at"])
    new = [
        Attendance(
            meeting_id=meeting_id, site_id=holder_id if kind == "site" else None,
            agency_id=holder_id if kind == "agency" else None, display=display, joined_at=now, last_seen_at=now,
        )
        for (kind, holder_id), display in here.items()
        if (kind, holder_id) not in open_holders
    ] + [
        Attendance(meeting_id=meeting_id, site=None, display=display, joined_at=now, last_seen_at=now)
        for display in sorted(guests_here - open_guests)
    ]
    if new:
        Attendance.objects.bulk_create(new)
        result.joined += [row.display for row in new]
    return result


def attendance_holders(*, meeting_id: int) -> dict[str, tuple[str, int]]:
    """holder -> ("site", site id) or ("agency", agency id) for the sites and agencies invited to the meeting: the
    media tokens of their passes (revoked ones too: a session opened before the revoke was theirs), and the
    identity their Jitsi tokens carry."""
    invited = {
        p.site_id: p.site.code
        for p in Participation.objects.filter(meeting_id=meeting_id).select_related("site__district", "site__province")
    }
    agencies = set(AgencyInvitation.objects.filter(meeting_id=meeting_id).values_list("agency_id", flat=True))
    passes = JoinPass.objects.filter(meeting_id=meeting_id).order_by()
    holders: dict[str, tuple[str, int]] = {}
    for media_token, site_id, agency_id in passes.values_list("media_token", "site_id", "agency_id"):
        if site_id is not None and site_id in invited:
            holders[media_token] = ("site", site_id)
        elif agency_id is not None and agency_id in agencies:
            holders[media_token] = ("agency", agency_id)
    holders.update({site_user_id(code): ("site", site_id) for site_id, code in invited.items()})
    holders.update({agency_user_id(agency_id): ("agency", agency_id) for agency_id in agencies})
    return holders


def attendance_close_stale(*, now: datetime | None = None) -> int:
    """Close the open rows of meetings past their polling window (they left when they were last seen)."""
    now = now or timezone.now()
    rows = list(
        Attendance.objects.filter(left_at__isnull=True, meeting__end__lt=now - ATTENDANCE_GRACE).only(
            "pk", "last_seen_at", "joined_at"
        )
    )
    for row in rows:
        row.left_at = max(row.last_seen_at, row.joined_at)
    Attendance.objects.bulk_update(rows, ["left_at"])
    return len(rows)


@transaction.atomic
def attendance_export_record(*, meeting: Meeting, user, rows: int, file_format: str = "csv") -> None:
    """Attendance is personal data (PDPA): every export of it is in the audit log (the API's reads too)."""
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target=meeting,
        detail={"export": f"attendance.{file_format}", "rows": rows},
    )
