"""Reads of joining: the clerk's meetings, a pass and its state, the control centre, attendance reports.

Each read costs a fixed number of queries whatever the number of meetings, sites or rows.
"""

from __future__ import annotations

import hmac
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.models import Site
from foundation.thaidate import BANGKOK, format_be_short
from meetings.models import AgencyInvitation, Document, Meeting, Participation

from .models import (
    ATTENDANCE_GRACE,
    JOIN_OPENS_BEFORE,
    LATE_AFTER,
    SHORT_CODE_DIGITS,
    TEST_CALL_COUNTS_FOR,
    Attendance,
    AttendancePoll,
    CalendarFeed,
    JoinPass,
    TestCall,
)

# The clerk's page lists the meetings of today and the next CLERK_DAYS days, and at least the next
# CLERK_MEETINGS_AT_LEAST; "all" lists at most CLERK_MEETINGS_LIMIT ahead (a daily series for two months fits).
CLERK_DAYS = 14
CLERK_MEETINGS_AT_LEAST = 3
CLERK_MEETINGS_LIMIT = 100
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
# The calendar feed holds meetings from this long ago onwards.
FEED_PAST = timedelta(days=30)


def _time_text(moment: datetime) -> str:
    return _("%(time)s น.") % {"time": f"{moment.astimezone(BANGKOK):%H:%M}"}


# --- passes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassState:
    """Whether a pass opens its meeting now; when not, the HTTP status and what to tell the person (translated)."""

    code: str  # open | early | ended | revoked | cancelled | uninvited | not_ready
    status: int = 200
    title: str = ""
    message: str = ""

    @property
    def is_open(self) -> bool:
        return self.code == "open"

    @property
    def allows_test_call(self) -> bool:
        """A test call through the pass is possible any time before the meeting ends."""
        return self.code in {"open", "early", "not_ready"}


def join_pass_get(*, token: str) -> JoinPass | None:
    """The pass with this token (compared in constant time), with what its pages read; None when unknown."""
    if not token or len(token) > 64:
        return None
    # What the pages read: the meeting and its room and server (the state, the call's configuration), the site
    # with its district and province (its name and code in the room); the host only by its id (is_moderator).
    # No ordering: the token is unique, and `.first()` would sort by the models' orderings (more joins to plan).
    # An agency's pass reads its agency instead of a site (the LEFT JOINs cost nothing for a site's).
    rows = list(
        JoinPass.objects.select_related("meeting__room__server", "site__district", "site__province", "agency")
        .annotate(
            invited_site=Exists(
                Participation.objects.filter(meeting_id=OuterRef("meeting_id"), site_id=OuterRef("site_id"))
            ),
            invited_agency=Exists(
                AgencyInvitation.objects.filter(meeting_id=OuterRef("meeting_id"), agency_id=OuterRef("agency_id"))
            ),
            has_documents=Exists(Document.objects.filter(meeting_id=OuterRef("meeting_id"))),
        )
        .filter(token=token)
        .order_by()[:1]
    )
    found = rows[0] if rows else None
    if found is None or not hmac.compare_digest(found.token.encode(), token.encode()):
        return None
    found.invited = found.invited_agency if found.agency_id is not None else found.invited_site
    return found


# A pass's short form opens it from the day before its meeting until the meeting's end: the codes an attacker could
# hit are the day's, not every pass of the year.
SHORT_CODE_OPENS_BEFORE = timedelta(days=1)


def short_code_clean(text: str) -> str:
    """The digits a person typed ("4821 5530-9127", Thai digits too), or "" when they are not a short code."""
    digits = "".join(str(unicodedata.digit(char)) for char in text or "" if unicodedata.digit(char, None) is not None)
    stray = [char for char in text or "" if unicodedata.digit(char, None) is None and char not in " -–."]
    return digits if len(digits) == SHORT_CODE_DIGITS and not stray else ""


def join_pass_by_short_code(*, code: str, now: datetime | None = None) -> JoinPass | None:
    """The valid pass with this short code whose meeting is within a day ahead or under way; None otherwise."""
    code = short_code_clean(code)
    if not code:
        return None
    now = now or timezone.now()
    found = (
        JoinPass.objects.filter(
            short_code=code, revoked_at__isnull=True, meeting__end__gt=now,
            meeting__start__lte=now + SHORT_CODE_OPENS_BEFORE,
        )
        .order_by()
        .only("pk", "token", "short_code")
        .first()
    )
    return found if found is not None and hmac.compare_digest(found.short_code, code) else None


def meeting_documents(*, meeting_ids: list[int]) -> dict[int, list[Document]]:
    """meeting id -> its documents (name, kind and size: what a list shows), oldest first; one query."""
    found: dict[int, list[Document]] = defaultdict(list)
    rows = Document.objects.filter(meeting_id__in=meeting_ids).only("pk", "meeting_id", "name", "kind", "size")
    for document in rows.order_by("pk"):
        found[document.meeting_id].append(document)
    return found


def join_pass_document(*, join_pass: JoinPass, document_id: int) -> Document | None:
    """One document of the pass's meeting, or None."""
    return Document.objects.filter(pk=document_id, meeting_id=join_pass.meeting_id).first()


def join_pass_is_current(*, token: str) -> bool:
    """A pass with this token exists and has not been revoked (its link, and so its QR code, is shown)."""
    if not token or len(token) > 64:
        return False
    found = (
        JoinPass.objects.filter(token=token, revoked_at__isnull=True).order_by().values_list("token", flat=True)[:1]
    )
    return any(hmac.compare_digest(row.encode(), token.encode()) for row in found)


def room_of(meeting: Meeting):
    """The meeting's Room, or None (it is created with the meeting, but may be missing in old data)."""
    try:
        return meeting.room
    except Meeting.room.RelatedObjectDoesNotExist:
        return None


def room_is_ready(meeting: Meeting) -> bool:
    """The meeting's room exists on a media server now (not waiting for one, not being made again)."""
    room = room_of(meeting)
    return room is not None and room.server_id is not None and room.provisioned_version > 0


def pass_state(join_pass: JoinPass, *, now: datetime | None = None) -> PassState:  # noqa: PLR0911 - one per state
    now = now or timezone.now()
    meeting = join_pass.meeting
    when = _("%(date)s เวลา %(start)s–%(end)s") % {
        "date": format_be_short(meeting.start),
        "start": _time_text(meeting.start),
        "end": _time_text(meeting.end),
    }
    if join_pass.is_revoked:
        return PassState(
            "revoked", 410, _("ลิงก์นี้ถูกยกเลิกแล้ว"),
            _(
                "ลิงก์เข้าร่วมประชุมนี้ใช้ไม่ได้อีกต่อไป: เปิดหน้าของสถานที่ในระบบ prachum เพื่อรับลิงก์ใหม่ "
                "หรือโทรสอบถามจังหวัด"
            ),
        )
    if meeting.is_cancelled:
        return PassState(
            "cancelled", 410, _("การประชุมนี้ถูกยกเลิกแล้ว"),
            _("“%(title)s” (%(when)s) ยกเลิกแล้ว") % {"title": meeting.title, "when": when},
        )
    if not getattr(join_pass, "invited", True):
        return PassState(
            "uninvited", 410,
            _("ส่วนราชการนี้ไม่ได้อยู่ในการประชุมนี้แล้ว") if join_pass.is_agency else _("สถานที่นี้ไม่ได้อยู่ในการประชุมนี้แล้ว"),
            _("%(site)s ถูกนำออกจากรายชื่อผู้เข้าร่วม “%(title)s”: สอบถามจังหวัดหากไม่ถูกต้อง")
            % {"site": join_pass.holder_name, "title": meeting.title},
        )
    if now >= join_pass.closes_at or meeting.status == Meeting.Status.ENDED:
        return PassState(
            "ended", 410, _("การประชุมนี้สิ้นสุดแล้ว"),
            _("“%(title)s” (%(when)s) สิ้นสุดแล้ว") % {"title": meeting.title, "when": when},
        )
    if now < join_pass.opens_at:
        opens = join_pass.opens_at
        return PassState(
            "early", 403, _("ยังไม่ถึงเวลาเข้าร่วมประชุม"),
            _(
                "ห้องประชุม “%(title)s” จะเปิดให้เข้าร่วมตั้งแต่วันที่ %(date)s "
                "เวลา %(time)s (30 นาทีก่อนเริ่มประชุม) ระหว่างนี้ทดสอบกล้องและไมโครโฟนได้"
            )
            % {"title": meeting.title, "date": format_be_short(opens), "time": _time_text(opens)},
        )
    if not room_is_ready(meeting):
        return PassState(
            "not_ready", 503, _("ห้องประชุมยังไม่พร้อม"),
            _("ระบบกำลังเตรียมห้องประชุมบนเซิร์ฟเวอร์: รอสักครู่แล้วกดโหลดหน้านี้ใหม่ หากเกิน 5 นาทีโทรแจ้งจังหวัด"),
        )
    return PassState("open")


# --- the clerk's page --------------------------------------------------------------------------------------


@dataclass
class ClerkMeeting:
    meeting: Meeting
    is_host: bool
    join_pass: JoinPass | None
    window: str  # open | later | cancelled
    opens_at: datetime
    join_url: str = ""  # set by the view (absolute, for the QR code, the sheet and the button)
    qr: str = ""
    is_today: bool = False  # starts today (Bangkok)
    room_ready: bool = True  # False: the room is waiting for a media server (an outage): the page says so
    urls: dict[str, str] = field(default_factory=dict)  # set by the view: the site's files of this meeting
    documents: list = field(default_factory=list)  # set by the view: the meeting's documents (names, sizes)
    short_code: str = ""  # set by the view: the pass's 12 digits, in groups of four


@dataclass
class ClerkMeetings:
    """What the clerk's page lists, and until when that list holds (a button opens, a meeting ends, a new day)."""

    entries: list[ClerkMeeting]
    later: int  # meetings after the listed window (0 when everything is listed)
    valid_until: datetime


def _next_midnight(now: datetime) -> datetime:
    today = now.astimezone(BANGKOK).date()
    return _day_bounds(today)[1]


def _clerk_meeting(meeting: Meeting, site: Site, join_pass: JoinPass | None, now: datetime, today: date):
    opens_at = meeting.start - JOIN_OPENS_BEFORE
    if meeting.is_cancelled:
        window = "cancelled"
    elif now >= opens_at:
        window = "open"
    else:
        window = "later"
    return ClerkMeeting(
        meeting=meeting,
        is_host=meeting.host_site_id == site.pk,
        join_pass=join_pass if not meeting.is_cancelled else None,
        window=window,
        opens_at=opens_at,
        is_today=meeting.start.astimezone(BANGKOK).date() == today,
        room_ready=room_is_ready(meeting),
    )


# What the clerk's page and the API show of a listed meeting (and of its host and room): the rest of the rows
# (the agenda, the host's checklist, the room's secrets) is not read.
CLERK_MEETING_FIELDS = (
    "title", "start", "end", "status", "host_site_id", "host_site__name", "room__server_id",
    "room__provisioned_version",
)


def clerk_meetings(*, site: Site, days: int | None = CLERK_DAYS, now: datetime | None = None) -> ClerkMeetings:
    """The site's meetings from now to the end of the `days`-th day after today (Bangkok), and at least the next
    CLERK_MEETINGS_AT_LEAST whatever their date (None: all, up to CLERK_MEETINGS_LIMIT), soonest first, each with
    the site's pass. Three plain queries (one when nothing is ahead), whatever the number of meetings:

    - the start of each of the site's meetings ahead (the times copied on its participations, by the site's
      index): which are listed and how many come later is decided here;
    - the listed meetings, with their host and room;
    - their passes, their links only (read by meeting id alone: the model's ordering would join meeting, site,
      district and province only to sort them).
    """
    now = now or timezone.now()
    today = now.astimezone(BANGKOK).date()
    ahead = list(
        Participation.objects.filter(site=site, end__gt=now)
        .order_by("start", "meeting_id")
        .values_list("meeting_id", "start")
    )
    listed, later = ahead, 0
    if days is not None:
        horizon = _day_bounds(today + timedelta(days=days))[1]
        # Up to the horizon, or to the start of the CLERK_MEETINGS_AT_LEAST-th meeting if that is later (a site
        # with fewer meetings ahead than that lists them all).
        nth_start = ahead[CLERK_MEETINGS_AT_LEAST - 1][1] if len(ahead) >= CLERK_MEETINGS_AT_LEAST else FAR_FUTURE
        listed = [(meeting_id, start) for meeting_id, start in ahead if start < horizon or start <= nth_start]
    listed = listed[:CLERK_MEETINGS_LIMIT]
    if days is not None:
        later = sum(1 for _meeting_id, start in ahead[len(listed) :] if start >= horizon)
    ids = [meeting_id for meeting_id, _start in listed]
    if not ids:
        return ClerkMeetings(entries=[], later=0, valid_until=_next_midnight(now))
    meetings = Meeting.objects.filter(pk__in=ids).select_related("host_site", "room").only(*CLERK_MEETING_FIELDS)
    by_id = {meeting.pk: meeting for meeting in meetings.order_by()}  # in the order of `ids`, below
    passes = {
        join_pass.meeting_id: join_pass
        for join_pass in JoinPass.objects.filter(site=site, revoked_at__isnull=True, meeting_id__in=ids)
        .only("meeting_id", "token", "short_code")
        .order_by()
    }
    entries = [_clerk_meeting(by_id[meeting_id], site, passes.get(meeting_id), now, today) for meeting_id in ids]
    changes = [_next_midnight(now)]
    changes += [entry.meeting.end for entry in entries]
    changes += [entry.opens_at for entry in entries if entry.window == "later"]
    return ClerkMeetings(entries=entries, later=later, valid_until=min(changes))


def clerk_meeting_get(*, site: Site, meeting_id: int) -> ClerkMeeting | None:
    """One meeting of the site (for its .ics and join sheet); None when the site is not in it. Two queries."""
    participation = (
        Participation.objects.filter(site=site, meeting_id=meeting_id)
        .select_related("meeting__host_site__district", "meeting__host_site__province")
        .first()
    )
    if participation is None:
        return None
    meeting = participation.meeting
    join_pass = JoinPass.objects.filter(site=site, meeting=meeting, revoked_at__isnull=True).order_by().first()
    now = timezone.now()
    entry = _clerk_meeting(meeting, site, join_pass, now, now.astimezone(BANGKOK).date())
    entry.join_pass = join_pass  # a cancelled meeting's sheet still names its (dead) link
    return entry


def site_last_test_call(*, site: Site) -> TestCall | None:
    """The site's last finished test call: what the clerk's page shows of it (its result and when)."""
    finished = TestCall.objects.filter(site=site).exclude(result=TestCall.Result.PENDING)
    return finished.only("result", "finished_at").order_by("-finished_at").first()


def site_test_calls(*, site: Site) -> QuerySet[TestCall]:
    """The site's test calls, newest first, with who started them: one query per page (and one to count)."""
    return TestCall.objects.filter(site=site).select_related("site__district", "site__province", "started_by")


# --- calendar feed -----------------------------------------------------------------------------------------


def calendar_feed_get(*, token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    feed = (
        CalendarFeed.objects.select_related("site__district", "site__province")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token.encode(), token.encode()):
        return None
    return feed


def feed_meetings(*, site: Site, now: datetime | None = None) -> list[Meeting]:
    """The site's meetings for its feed (cancelled ones too, so calendars drop them), each with `site_passes`."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(participations__site=site, end__gt=now - FEED_PAST)
        .select_related("host_site")
        .prefetch_related(
            Prefetch(
                "join_passes",
                queryset=JoinPass.objects.filter(site=site, revoked_at__isnull=True),
                to_attr="site_passes",
            )
        )
        .order_by("start", "pk")
    )


# --- test calls --------------------------------------------------------------------------------------------


def site_test_call_get(*, token: str) -> TestCall | None:
    if not token or len(token) > 64:
        return None
    found = TestCall.objects.select_related("site__district", "site__province", "server").filter(token=token).first()
    if found is None or not hmac.compare_digest(found.token.encode(), token.encode()):
        return None
    return found


# --- control centre ----------------------------------------------------------------------------------------


@dataclass
class SiteStatus:
    site: Site
    is_host: bool
    state: str  # connected | left | not_yet
    since: datetime | None
    first_joined: datetime | None
    last_test: TestCall | None

    @property
    def tested(self) -> bool:
        return self.last_test is not None


@dataclass
class AgencyStatus:
    """An invited agency in the control centre: connected with its own pass, left, or not yet."""

    agency: object  # districts.Agency
    state: str  # connected | left | not_yet
    since: datetime | None


@dataclass
class MeetingBoard:
    meeting: Meeting
    sites: list[SiteStatus]
    guests: list[Attendance] = field(default_factory=list)
    agencies: list[AgencyStatus] = field(default_factory=list)
    polled: bool = False  # in its window: the periodic task asks the media server who is in the room
    polled_at: datetime | None = None  # when it last asked
    poll_error: str = ""  # what went wrong then ("" when it answered)
    poll_late: bool = False  # in its window but not asked for a while: the states shown may be old
    room_ready: bool = True  # False: the room is waiting for a media server (an outage, or being made again)
    chair_pass_token: str = ""  # the host site's join link: the chair enters from the control centre

    @property
    def connected(self) -> int:
        return sum(1 for s in self.sites if s.state == "connected")

    @property
    def invited(self) -> int:
        return len(self.sites)

    @property
    def tested(self) -> int:
        return sum(1 for s in self.sites if s.tested)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=BANGKOK)
    return start, start + timedelta(days=1)


def _in_poll_window(meetings: QuerySet[Meeting], now: datetime) -> QuerySet[Meeting]:
    return meetings.filter(
        start__lte=now + JOIN_OPENS_BEFORE,
        end__gte=now - ATTENDANCE_GRACE,
        room__provisioned_version__gt=0,
        room__server__isnull=False,
    ).exclude(status=Meeting.Status.CANCELLED)


def meetings_to_poll(*, now: datetime | None = None, province_id: int | None = None) -> list[int]:
    """Ids of the meetings whose rooms should be asked who is in them now (of one province, if given)."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(host_site__province_id=province_id) if province_id else Meeting.objects.all()
    return list(_in_poll_window(meetings, now).values_list("pk", flat=True))


def poll_late_after() -> timedelta:
    """A meeting in its window whose room was last asked longer ago than this (three periods of the task) is shown
    with a warning: the periodic task is not running, or cannot keep up."""
    return timedelta(seconds=3 * max(1, int(settings.PRACHUM_ATTENDANCE_POLL_SECONDS)))


def control_centre(*, province_id: int, day: date | None = None, now: datetime | None = None) -> list[MeetingBoard]:
    """Every meeting of the province on `day` (Bangkok), each site's connection state and test, as the periodic
    task recorded them, its invited agencies' states, with when it last asked the media server, and the chair's way
    in. Seven queries; never asks the server."""
    now = now or timezone.now()
    day = day or now.astimezone(BANGKOK).date()
    day_start, day_end = _day_bounds(day)
    meetings = list(
        Meeting.objects.filter(host_site__province_id=province_id, start__lt=day_end, end__gt=day_start)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("host_site", "room")
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("site__district", "site__province").order_by(
                    "site__kind", "site__district__code"
                ),
            ),
            Prefetch(
                "agency_invitations",
                queryset=AgencyInvitation.objects.select_related("agency").order_by("agency__name", "agency_id"),
            ),
        )
        .order_by("start", "pk")
    )
    if not meetings:
        return []
    meeting_ids = [m.pk for m in meetings]
    rows_by_meeting: dict[int, list[Attendance]] = defaultdict(list)
    for row in Attendance.objects.filter(meeting_id__in=meeting_ids).order_by("joined_at", "pk"):
        rows_by_meeting[row.meeting_id].append(row)
    site_ids = {p.site_id for m in meetings for p in m.participations.all()}
    earliest = min(m.start for m in meetings) - TEST_CALL_COUNTS_FOR
    tests_by_site: dict[int, list[TestCall]] = defaultdict(list)
    for test_call in (
        TestCall.objects.filter(
            site_id__in=site_ids,
            finished_at__gte=earliest,
            result__in=[TestCall.Result.OK, TestCall.Result.MEDIA_OK],
        )
        .only("pk", "site_id", "result", "finished_at")
        .order_by("-finished_at")
    ):
        tests_by_site[test_call.site_id].append(test_call)
    polls = {poll.meeting_id: poll for poll in AttendancePoll.objects.filter(meeting_id__in=meeting_ids)}
    chair_passes = chair_pass_tokens(meeting_ids=meeting_ids)
    boards = []
    for meeting in meetings:
        board = _board(meeting, rows_by_meeting[meeting.pk], tests_by_site)
        board.chair_pass_token = chair_passes.get(meeting.pk, "")
        poll = polls.get(meeting.pk)
        board.room_ready = room_is_ready(meeting)
        board.polled = (  # the same window as _in_poll_window, on the rows already read
            board.room_ready and meeting.start <= now + JOIN_OPENS_BEFORE and meeting.end >= now - ATTENDANCE_GRACE
        )
        if poll is not None:
            board.polled_at, board.poll_error = poll.polled_at, poll.error
        board.poll_late = board.polled and (poll is None or now - poll.polled_at > poll_late_after())
        boards.append(board)
    return boards


def chair_pass_tokens(*, meeting_ids: list[int]) -> dict[int, str]:
    """meeting id -> the token of its host site's valid pass (the chair's way in), one query."""
    passes = JoinPass.objects.filter(
        meeting_id__in=meeting_ids, revoked_at__isnull=True, site_id=F("meeting__host_site_id")
    ).order_by()
    return dict(passes.values_list("meeting_id", "token"))


def _board(meeting: Meeting, rows: list[Attendance], tests_by_site: dict[int, list[TestCall]]) -> MeetingBoard:
    by_site: dict[int, list[Attendance]] = defaultdict(list)
    by_agency: dict[int, list[Attendance]] = defaultdict(list)
    guests = []
    for row in rows:
        if row.site_id:
            by_site[row.site_id].append(row)
        elif row.agency_id:
            by_agency[row.agency_id].append(row)
        elif row.is_open:
            guests.append(row)
    agencies = []
    for invitation in meeting.agency_invitations.all():
        agency_rows = by_agency.get(invitation.agency_id, [])
        state, since = _connection_state(agency_rows)
        agencies.append(AgencyStatus(agency=invitation.agency, state=state, since=since))
    statuses = []
    for participation in meeting.participations.all():
        site_rows = by_site.get(participation.site_id, [])
        open_rows = [r for r in site_rows if r.is_open]
        if open_rows:
            state, since = "connected", open_rows[-1].joined_at
        elif site_rows:
            state, since = "left", max(r.left_at for r in site_rows)
        else:
            state, since = "not_yet", None
        window_start = meeting.start - TEST_CALL_COUNTS_FOR
        last_test = next(
            (t for t in tests_by_site.get(participation.site_id, []) if window_start <= t.finished_at <= meeting.end),
            None,
        )
        statuses.append(
            SiteStatus(
                site=participation.site,
                is_host=participation.site_id == meeting.host_site_id,
                state=state,
                since=since,
                first_joined=site_rows[0].joined_at if site_rows else None,
                last_test=last_test,
            )
        )
    statuses.sort(key=lambda s: (not s.is_host, s.site.kind != Site.Kind.PROVINCIAL_HALL, s.site.code))
    return MeetingBoard(meeting=meeting, sites=statuses, guests=guests, agencies=agencies)


def _connection_state(rows: list[Attendance]) -> tuple[str, datetime | None]:
    open_rows = [r for r in rows if r.is_open]
    if open_rows:
        return "connected", open_rows[-1].joined_at
    if rows:
        return "left", max(r.left_at for r in rows)
    return "not_yet", None


# --- attendance report -------------------------------------------------------------------------------------


@dataclass
class SiteAttendance:
    site: Site
    is_host: bool
    status: str  # present | late | absent
    first_joined: datetime | None
    last_left: datetime | None
    still_connected: bool
    connected_minutes: int
    connections: int
    minutes_late: int

    @property
    def status_text(self) -> str:
        return {"present": _("มาประชุม"), "late": _("มาประชุม (ช้า)"), "absent": _("ไม่มาประชุม")}[self.status]


@dataclass
class AgencyAttendance:
    """An invited agency's attendance, from the connections opened with its own pass."""

    agency: object  # districts.Agency
    status: str  # present | late | absent
    first_joined: datetime | None
    last_left: datetime | None
    still_connected: bool
    connected_minutes: int
    connections: int
    minutes_late: int

    @property
    def status_text(self) -> str:
        return {"present": _("มาประชุม"), "late": _("มาประชุม (ช้า)"), "absent": _("ไม่มาประชุม")}[self.status]


@dataclass
class AttendanceReport:
    meeting: Meeting
    sites: list[SiteAttendance]
    guests: list[str]
    agencies: list  # the invited agencies (districts.Agency)
    agency_rows: list[AgencyAttendance] = field(default_factory=list)

    @property
    def present(self) -> list[SiteAttendance]:
        return [s for s in self.sites if s.status != "absent"]

    @property
    def absent(self) -> list[SiteAttendance]:
        return [s for s in self.sites if s.status == "absent"]

    @property
    def late(self) -> list[SiteAttendance]:
        return [s for s in self.sites if s.status == "late"]


def meeting_for_report(*, meeting_id: int, province_id: int) -> Meeting | None:
    return (
        Meeting.objects.filter(pk=meeting_id, host_site__province_id=province_id)
        .select_related("host_site__district", "host_site__province")
        .first()
    )


def _attendance_figures(meeting: Meeting, rows: list[Attendance], now: datetime) -> dict:
    """Status, first and last connection, minutes connected and late, for one holder's rows."""
    first = rows[0].joined_at if rows else None
    if first is None:
        status = "absent"
    elif first > meeting.start + LATE_AFTER:
        status = "late"
    else:
        status = "present"
    seconds = 0.0
    for row in rows:
        joined = max(row.joined_at, meeting.start)
        left = min(row.left_at or min(now, meeting.end), meeting.end)
        seconds += max(0.0, (left - joined).total_seconds())
    lefts = [row.left_at for row in rows if row.left_at]
    return {
        "status": status,
        "first_joined": first,
        "last_left": max(lefts) if lefts and all(row.left_at for row in rows) else None,
        "still_connected": any(row.is_open for row in rows),
        "connected_minutes": round(seconds / 60),
        "connections": len(rows),
        "minutes_late": max(0, int((first - meeting.start).total_seconds() // 60)) if first else 0,
    }


def attendance_report(*, meeting: Meeting, now: datetime | None = None) -> AttendanceReport:
    """Who came (on time or late — first connection more than LATE_AFTER after the start), who did not, the
    invited agencies (connected with their own passes or not), and the others in the room. Three queries."""
    now = now or timezone.now()
    participations = list(
        Participation.objects.filter(meeting=meeting)
        .select_related("site__district", "site__province")
        .order_by("site__kind", "site__district__code")
    )
    rows = list(Attendance.objects.filter(meeting=meeting).order_by("joined_at", "pk"))
    agencies = [
        invitation.agency
        for invitation in meeting.agency_invitations.select_related("agency").order_by("agency__name", "agency_id")
    ]
    by_site: dict[int, list[Attendance]] = defaultdict(list)
    by_agency: dict[int, list[Attendance]] = defaultdict(list)
    guests: list[str] = []
    for row in rows:
        if row.site_id:
            by_site[row.site_id].append(row)
        elif row.agency_id:
            by_agency[row.agency_id].append(row)
        elif row.display not in guests:
            guests.append(row.display)
    sites = [
        SiteAttendance(
            site=participation.site,
            is_host=participation.site_id == meeting.host_site_id,
            **_attendance_figures(meeting, by_site.get(participation.site_id, []), now),
        )
        for participation in participations
    ]
    sites.sort(key=lambda s: (not s.is_host, s.site.kind != Site.Kind.PROVINCIAL_HALL, s.site.code))
    agency_rows = [
        AgencyAttendance(agency=agency, **_attendance_figures(meeting, by_agency.get(agency.pk, []), now))
        for agency in agencies
    ]
    return AttendanceReport(meeting=meeting, sites=sites, guests=guests, agencies=agencies, agency_rows=agency_rows)


def recent_meetings(*, province_id: int, now: datetime | None = None, days: int = 30) -> list[Meeting]:
    """The province's meetings that have started in the last `days` days, latest first (links to their reports)."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            host_site__province_id=province_id, start__lte=now, start__gte=now - timedelta(days=days)
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-start", "-pk")[:50]
    )


def site_calendar_feed(*, site) -> CalendarFeed | None:
    """The site's current calendar feed link, if it has one (the clerk's page offers to make one otherwise)."""
    try:
        return CalendarFeed.objects.get(site=site, revoked_at__isnull=True)  # one at most (calendarfeed_one_per_site)
    except CalendarFeed.DoesNotExist:
        return None
