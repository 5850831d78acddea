"""What a notification says: the email (text, HTML, .ics) or the LINE text of one row, in its recipient's language.

Thai by default, English for staff who prefer it. Dates are in Bangkok time, Thai ones in the Buddhist Era.
Rendering reads only what the row and its prefetched meeting carry, plus the join-link map the batch loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from foundation.thaidate import BANGKOK, BE_OFFSET, format_be_long
from join.links import join_url
from meetings.calendar import meeting_ics

from .channels import Attachment, Outgoing
from .models import Notification

THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")

SUBJECT_PREFIX = {
    "th": {
        Notification.Kind.INVITATION: "เชิญประชุม",
        Notification.Kind.UPDATE: "แจ้งเปลี่ยนแปลงการประชุม",
        Notification.Kind.CANCELLATION: "แจ้งยกเลิกการประชุม",
        Notification.Kind.REMINDER: "เตือน: ใกล้เวลาประชุม",
    },
    "en": {
        Notification.Kind.INVITATION: "Invitation",
        Notification.Kind.UPDATE: "Meeting changed",
        Notification.Kind.CANCELLATION: "Meeting cancelled",
        Notification.Kind.REMINDER: "Reminder",
    },
}


def portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def site_page_url(site) -> str:
    try:
        path = reverse("site:page", kwargs={"code": site.code})
    except NoReverseMatch:  # pragma: no cover - the districts pages are always mounted
        path = f"/sites/{site.code}/"
    return portal_url(path)


def meeting_page_url(meeting) -> str:
    for name in ("meetings:detail", "meetings:meeting"):
        try:
            return portal_url(reverse(name, kwargs={"pk": meeting.pk}))
        except NoReverseMatch:
            continue
    return portal_url(f"/meetings/{meeting.pk}/")


def join_pass_url(token: str) -> str | None:
    """The join helper's link for a pass (None when its pages are not mounted)."""
    try:
        return join_url(token)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Link:
    url: str
    is_join_link: bool


def agency_token_key(meeting_id: int, agency_id: int) -> tuple[str, int, int]:
    """The key of an agency's pass token in the join-token map (sites' keys are (meeting id, site id))."""
    return ("agency", meeting_id, agency_id)


def recipient_link(row: Notification, join_tokens: dict[tuple, str]) -> Link:
    """Clerks, LINE groups and the host: their site's join link (the site's page while it has no pass yet);
    agencies: their own pass's join link (the meeting's page only for an agency without a pass)."""
    meeting = row.meeting
    if row.audience == Notification.Audience.AGENCY or row.site_id is None:
        token = join_tokens.get(agency_token_key(meeting.pk, row.agency_id)) if row.agency_id else None
        url = join_pass_url(token) if token else None
        if url:
            return Link(url, is_join_link=True)
        return Link(meeting_page_url(meeting), is_join_link=False)
    token = join_tokens.get((meeting.pk, row.site_id))
    url = join_pass_url(token) if token else None
    if url:
        return Link(url, is_join_link=True)
    return Link(site_page_url(row.site or meeting.host_site), is_join_link=False)


def when_text(start: datetime, end: datetime, language: str) -> str:
    """`วันอาทิตย์ที่ 12 เมษายน 2569 เวลา 09:00–10:30 น.` / `Sunday 12 April 2026 (B.E. 2569), 09:00–10:30`."""
    local_start, local_end = start.astimezone(BANGKOK), end.astimezone(BANGKOK)
    same_day = local_start.date() == local_end.date()
    if language == "en":
        text = f"{local_start:%A} {local_start.day} {local_start:%B %Y} (B.E. {local_start.year + BE_OFFSET}), "
        text += f"{local_start:%H:%M}–"
        text += f"{local_end:%H:%M}" if same_day else f"{local_end.day} {local_end:%B %Y %H:%M}"
        return text + " (Bangkok time)"
    weekday = THAI_WEEKDAYS[local_start.weekday()]
    text = f"วัน{weekday}ที่ {format_be_long(local_start)} เวลา {local_start:%H:%M}–"
    text += f"{local_end:%H:%M} น." if same_day else f"{format_be_long(local_end, with_time=True)}"
    return text


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _lead_minutes(minutes: int | None, language: str) -> str:
    if not minutes:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if language == "en":
        for value, unit in ((days, "day"), (hours, "hour"), (mins, "minute")):
            if value:
                parts.append(f"{value} {unit}{'s' if value > 1 else ''}")
        return " ".join(parts)
    for value, unit in ((days, "วัน"), (hours, "ชั่วโมง"), (mins, "นาที")):
        if value:
            parts.append(f"{value} {unit}")
    return " ".join(parts)


def _context(row: Notification, link: Link) -> dict:
    meeting = row.meeting
    language = "en" if row.language == "en" else "th"
    host = meeting.host_site
    return {
        "row": row,
        "meeting": meeting,
        "kind": row.kind,
        "language": language,
        "when": when_text(meeting.start, meeting.end, language),
        "agenda": [item for item in (meeting.agenda or []) if str(item).strip()],
        "link": link.url,
        "is_join_link": link.is_join_link,
        "audience": row.audience,
        "host_name": host.name,
        "location": (row.site.meeting_room or row.site.name) if row.site else (host.meeting_room or host.name),
        "site_name": row.site.name if row.site else (row.recipient_name if row.agency_id else ""),
        "recipient_name": row.recipient_name,
        "lead": _lead_minutes(row.reminder_minutes, language),
        "cancelled": row.kind == Notification.Kind.CANCELLATION,
        # A cancellation for a site taken out of a meeting that still takes place.
        "removed": row.kind == Notification.Kind.CANCELLATION and not meeting.is_cancelled,
        # Why the meeting was cancelled, as the scheduler wrote it on the cancel page.
        "cancel_reason": meeting.cancel_reason if row.kind == Notification.Kind.CANCELLATION else "",
    }


def _subject(row: Notification, language: str) -> str:
    meeting = row.meeting
    local = meeting.start.astimezone(BANGKOK)
    when = f"{local.day} {local:%b %Y %H:%M}" if language == "en" else f"{format_be_long(local)} {local:%H:%M} น."
    title = " ".join(meeting.title.split())  # one line, even for a title stored before titles were folded
    return f"[{SUBJECT_PREFIX[language][row.kind]}] {title} — {when}"


def organizer_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@prachum.local"


def email_message(row: Notification, *, join_tokens: dict[tuple, str]) -> Outgoing:
    """The email of one row: text and HTML parts and, except for reminders, the .ics (REQUEST or CANCEL)."""
    language = "en" if row.language == "en" else "th"
    link = recipient_link(row, join_tokens)
    with translation.override(language):
        context = _context(row, link)
        text = render_to_string(f"emails/meeting_notification.{language}.txt", context)
        html = render_to_string(f"emails/meeting_notification.{language}.html", context)
        attachments: tuple[Attachment, ...] = ()
        if row.kind != Notification.Kind.REMINDER:
            method = "CANCEL" if row.kind == Notification.Kind.CANCELLATION else "REQUEST"
            ics = meeting_ics(
                meeting=row.meeting,
                method=method,
                join_url=link.url,
                organizer_email=organizer_address(),
                attendee_emails=[row.address],
                location=context["location"],
            )
            attachments = (Attachment("invite.ics", ics, "text/calendar", (("method", method),)),)
        subject = _subject(row, language)
    return Outgoing(
        to=row.address,
        subject=subject,
        text=text,
        html=html,
        key=row.message_id,
        headers={"X-Prachum-Notification": row.dedupe_key, "Auto-Submitted": "auto-generated"},
        attachments=attachments,
    )


def line_message(row: Notification, *, join_tokens: dict[tuple, str]) -> Outgoing:
    """The LINE text of one row (Thai: LINE groups are the sites' own)."""
    link = recipient_link(row, join_tokens)
    with translation.override("th"):
        context = _context(row, link)
        text = render_to_string("notifications/line_message.txt", context).strip()
    return Outgoing(to=row.address, subject="", text=text, key=row.line_retry_key)


def notification_message(row: Notification, *, join_tokens: dict[tuple, str]) -> Outgoing:
    if row.channel == Notification.Channel.LINE:
        return line_message(row, join_tokens=join_tokens)
    return email_message(row, join_tokens=join_tokens)
