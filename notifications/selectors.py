"""Reads of the notifications: who a meeting's notices go to, the rows a batch sends, the meeting's log page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from districts.models import Staff
from join.models import JoinPass
from meetings.models import AgencyInvitation, Meeting, Participation

from .models import Notification


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    audience: str
    name: str = ""
    language: str = "th"
    site_id: int | None = None
    staff_id: int | None = None
    agency_id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel, self.address)


def normalized_address(channel: str, address: str) -> str:
    """Email addresses compare without case; LINE ids are case-sensitive."""
    address = (address or "").strip()
    return address.lower() if channel == Notification.Channel.EMAIL else address


def meeting_recipients(*, meeting: Meeting) -> list[Recipient]:
    """Everyone a notice about `meeting` goes to, each (channel, address) once, in a stable order.

    - each participating site's clerks with an email address, when the site takes email;
    - one LINE push per participating site that chose LINE and has its group id;
    - the host: the scheduler who created the meeting, and the host site's schedulers;
    - each invited agency's email address.
    Three queries whatever the number of sites.
    """
    Channel, Audience = Notification.Channel, Notification.Audience
    sites = [
        participation.site
        for participation in Participation.objects.filter(meeting=meeting)
        .select_related("site")
        .order_by("role", "site__kind", "site_id")
    ]
    email_site_ids = [site.pk for site in sites if site.notify_by_email]
    people = (
        Staff.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .filter(
            Q(role=Staff.Role.CLERK, site_id__in=email_site_ids)
            | Q(role=Staff.Role.SCHEDULER, site_id=meeting.host_site_id)
            | Q(user_id=meeting.created_by_id)
        )
        .select_related("user")
        .order_by("site_id", "user_id")
    )
    clerks_by_site: dict[int, list[Staff]] = {}
    hosts: list[Staff] = []
    for staff in people:
        if (
            staff.role == Staff.Role.CLERK
            and staff.site_id in email_site_ids
            and staff.user_id != meeting.created_by_id
        ):
            clerks_by_site.setdefault(staff.site_id, []).append(staff)
        else:
            hosts.append(staff)
    hosts.sort(key=lambda staff: (staff.user_id != meeting.created_by_id, staff.user_id))

    found: dict[tuple[str, str], Recipient] = {}

    def add(recipient: Recipient) -> None:
        if recipient.address and recipient.key not in found:
            found[recipient.key] = recipient

    for site in sites:
        for staff in clerks_by_site.get(site.pk, ()):
            add(_staff_recipient(staff, Audience.CLERK, site_id=site.pk))
        if site.notify_by_line and site.line_group_id:
            add(Recipient(Channel.LINE, site.line_group_id.strip(), Audience.SITE_GROUP, site.name, "th", site.pk))
    for staff in hosts:
        add(_staff_recipient(staff, Audience.HOST, site_id=meeting.host_site_id))
    for invitation in (
        AgencyInvitation.objects.filter(meeting=meeting, agency__is_active=True)
        .select_related("agency")
        .order_by("agency_id")
    ):
        agency = invitation.agency
        address = normalized_address(Channel.EMAIL, agency.email)
        add(Recipient(Channel.EMAIL, address, Audience.AGENCY, agency.name, "th", None, None, agency.pk))
    return list(found.values())


def _staff_recipient(staff: Staff, audience: str, *, site_id: int | None) -> Recipient:
    user = staff.user
    return Recipient(
        channel=Notification.Channel.EMAIL,
        address=normalized_address(Notification.Channel.EMAIL, user.email),
        audience=audience,
        name=user.get_full_name() or user.username,
        language=staff.preferred_language or "th",
        site_id=site_id,
        staff_id=staff.pk,
    )


def notifications_for_delivery(*, ids: Sequence[int]) -> list[Notification]:
    """The rows of a batch that may still need sending, with what their message shows (one query)."""
    return list(
        Notification.objects.filter(pk__in=list(ids))
        .filter(state__in=[Notification.State.PENDING, Notification.State.SENDING])
        .select_related("meeting", "meeting__host_site", "meeting__host_site__district", "site", "site__district")
        .order_by("pk")
    )


def join_tokens(
    *, pairs: Iterable[tuple[int, int]], agency_pairs: Iterable[tuple[int, int]] = ()
) -> dict[tuple, str]:
    """The valid join-pass token of each (meeting id, site id), and of each (meeting id, agency id) under the key
    ("agency", meeting id, agency id) (one query each)."""
    pairs = set(pairs)
    found = _agency_join_tokens(set(agency_pairs))
    if not pairs:
        return found
    meeting_ids = {meeting_id for meeting_id, _site in pairs}
    site_ids = {site_id for _meeting, site_id in pairs}
    rows = JoinPass.objects.filter(meeting_id__in=meeting_ids, site_id__in=site_ids, revoked_at__isnull=True)
    return found | {
        (meeting_id, site_id): token
        for meeting_id, site_id, token in rows.values_list("meeting_id", "site_id", "token")
        if (meeting_id, site_id) in pairs
    }


def _agency_join_tokens(pairs: set[tuple[int, int]]) -> dict[tuple, str]:
    if not pairs:
        return {}
    rows = JoinPass.objects.filter(
        meeting_id__in={meeting_id for meeting_id, _agency in pairs},
        agency_id__in={agency_id for _meeting, agency_id in pairs},
        revoked_at__isnull=True,
    ).order_by()
    return {
        ("agency", meeting_id, agency_id): token
        for meeting_id, agency_id, token in rows.values_list("meeting_id", "agency_id", "token")
        if (meeting_id, agency_id) in pairs
    }


@dataclass(frozen=True)
class MeetingNotificationLog:
    meeting: Meeting
    rows: list[Notification]
    counts: dict[str, int]

    @property
    def in_progress(self) -> int:
        return self.counts.get(Notification.State.PENDING, 0) + self.counts.get(Notification.State.SENDING, 0)


def meeting_notification_log(*, meeting_id: int, province_id: int | None = None) -> MeetingNotificationLog | None:
    """The meeting and every notification about it, newest first, for its page (two queries)."""
    meetings: QuerySet[Meeting] = Meeting.objects.select_related("host_site", "host_site__province")
    if province_id is not None:
        meetings = meetings.filter(host_site__province_id=province_id)
    meeting = meetings.filter(pk=meeting_id).first()
    if meeting is None:
        return None
    rows = list(
        Notification.objects.filter(meeting=meeting)
        .select_related("site", "site__district", "agency", "staff__user", "resend_of", "requested_by")
        .order_by("-created_at", "-pk")
    )
    resent = Counter(row.resend_of_id for row in rows if row.resend_of_id)
    for row in rows:
        row.resend_count = resent.get(row.pk, 0)
    counts = Counter(row.state for row in rows)
    return MeetingNotificationLog(meeting=meeting, rows=rows, counts=dict(counts))


def notification_for_resend(*, meeting_id: int, notification_id: int, province_id: int) -> Notification | None:
    """A notification of a meeting of the province, with its meeting (what "send again" needs): 1 query."""
    return (
        Notification.objects.filter(
            pk=notification_id, meeting_id=meeting_id, meeting__host_site__province_id=province_id
        )
        .select_related("meeting")
        .first()
    )


@dataclass
class Reach:
    """Whether one invitee of a meeting (a site or an agency) was told, how, and if it could not be, why."""

    name: str
    told: list[str]  # "อีเมล somchai@…", "LINE"
    state: str  # sent | in_progress | failed | none
    reason: str = ""  # why nobody of it could be told (state "none"), or the last error (state "failed")


REACH_WHY = {
    "email_off_no_line": _("สถานที่นี้ปิดการแจ้งทางอีเมลและไม่ได้ใช้ LINE: เปิดการแจ้งเตือนในหน้าสถานที่"),
    "no_clerk_email": _("ไม่มีเจ้าหน้าที่ประจำอำเภอที่มีอีเมล: เพิ่มอีเมลของเจ้าหน้าที่ในหน้าบุคลากร"),
    "agency_no_email": _("ส่วนราชการนี้ไม่มีอีเมล: เพิ่มอีเมลในหน้าส่วนราชการ"),
}


def meeting_reach(*, meeting: Meeting) -> list[Reach]:
    """For the meeting's page: each invited site (but the host) and agency, told or not, and why not. Four
    queries whatever the number of invitees."""
    State = Notification.State
    rows = list(
        Notification.objects.filter(meeting=meeting)
        .exclude(kind=Notification.Kind.REMINDER)
        .values("site_id", "agency_id", "channel", "address", "state", "last_error")
        .order_by("pk")
    )
    sites = [
        p.site for p in Participation.objects.filter(meeting=meeting).exclude(site_id=meeting.host_site_id)
        .select_related("site").order_by("site__kind", "site_id")
    ]
    with_email = set(
        Staff.objects.filter(role=Staff.Role.CLERK, site_id__in=[site.pk for site in sites], user__is_active=True)
        .exclude(user__email="").values_list("site_id", flat=True)
    )
    agencies = [i.agency for i in AgencyInvitation.objects.filter(meeting=meeting).select_related("agency")]

    def summary(name: str, mine: list[dict], why: str) -> Reach:
        if not mine:
            return Reach(name=name, told=[], state="none", reason=str(REACH_WHY[why]) if why else "")
        told = ["LINE" if row["channel"] == Notification.Channel.LINE else f"{_('อีเมล')} {row['address']}"
                for row in mine]
        states = {row["state"] for row in mine}
        if State.FAILED in states:
            failed = next(row for row in mine if row["state"] == State.FAILED)
            return Reach(name=name, told=told, state="failed", reason=failed["last_error"])
        if states & {State.PENDING, State.SENDING}:
            return Reach(name=name, told=told, state="in_progress")
        return Reach(name=name, told=told, state="sent")

    reach = []
    for site in sites:
        why = ""
        if not site.notify_by_email and not (site.notify_by_line and site.line_group_id):
            why = "email_off_no_line"
        elif site.notify_by_email and site.pk not in with_email and not (site.notify_by_line and site.line_group_id):
            why = "no_clerk_email"
        reach.append(summary(site.name, [row for row in rows if row["site_id"] == site.pk], why))
    for agency in agencies:
        mine = [row for row in rows if row["agency_id"] == agency.pk]
        reach.append(summary(agency.name, mine, "" if agency.email else "agency_no_email"))
    return reach
