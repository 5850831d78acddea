"""Every write of the roll-call and the votes: keyword-only, atomic, validated, audited; bad input is a
ValidationError with a Thai message that says what is wrong and how to put it right, and nothing is written.

Times come from the database server's clock (`Now()`), never from the browser nor the web worker.

## The secret ballot: why nobody can link a ballot to its voter afterwards

A secret vote keeps two things and nothing else:
- `SecretVoter`: one row per voter (the pass, and the person for a vote by person) saying *that* they voted, so a
  second ballot is refused. It holds no choice, no time, and its primary key is a random UUID (no sequence that
  would give the order of voting).
- `SecretTally`: one row per vote holding the three counts, created when the vote opens. Each ballot updates all
  three columns of that one row in a single `UPDATE ... SET approve = approve + a, reject = reject + r,
  abstain = abstain + x` (F() expressions; the chosen column gets 1, the others 0), in the same transaction as the
  voter's row. There is no ballot row, no per-ballot time, no id: the tally row is the same row whatever the choice,
  so not even which row or column changed last says anything.

No other row records the choice: the audit entry of a secret ballot names the voter and the vote and says
"secret", never the choice; no log line holds it (the choice travels in a POST body, which nothing logs); the
page's and the API's answers to the voter say "recorded", not what. While the vote is open, its counts are not
shown to anyone (the chair sees how many voted): a person watching the counts move as each site's "has voted"
appears could otherwise link the two. When it closes, the counts are shown to everyone.

So every row and column that SQL can read (operators included, and every backup made with pg_dump) holds the
voters and the totals, and no link between them. What this does not cover is below the rows: PostgreSQL keeps
an updated row's earlier version until (auto)vacuum reclaims it, and the write-ahead log keeps every change until
its segment is recycled; someone with the server's files during that time could read successive tallies. The
operations guide says to keep WAL archives of the portal's database under the same rule as the database itself.
A secret vote with a single voter (or where every voter chose the same) is of course readable from the counts.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from foundation.audit import Action, audit_record
from join.models import JoinPass
from meetings.models import AgencyInvitation, Meeting, Participation

from . import selectors
from .models import Choice, OpenBallot, RollEntry, SecretTally, SecretVoter, UsualPerson, Vote

CHOICES_BY_LABEL = {label: choice for choice, label in selectors.CHOICE_LABELS.items()}


def _error(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def recorder_label(*, user=None, join_pass: JoinPass | None = None) -> str:
    """Who recorded: the signed-in user (full name and username), or "the holder of pass X" (no login)."""
    if user is not None and getattr(user, "is_authenticated", False):
        full = user.get_full_name().strip()
        return f"{full} ({user.get_username()})" if full else user.get_username()
    if join_pass is not None:
        return _("ผู้ถือลิงก์เข้าร่วมประชุม #%(pass)s ของ %(holder)s") % {
            "pass": join_pass.pk, "holder": selectors.pass_holder_name(join_pass)}
    return ""


def _province_code(meeting: Meeting) -> str:
    return meeting.host_site.province.code


def _holder_invited(join_pass: JoinPass) -> bool:
    if join_pass.site_id:
        return Participation.objects.filter(meeting_id=join_pass.meeting_id, site_id=join_pass.site_id).exists()
    agency_id = getattr(join_pass, "agency_id", None)
    return bool(agency_id) and AgencyInvitation.objects.filter(
        meeting_id=join_pass.meeting_id, agency_id=agency_id).exists()


def _meeting_window(meeting_id: int) -> tuple[Meeting, bool, bool]:
    """The meeting, whether it is under way now and whether it is over, by the database server's clock (not locked:
    the vote's row serialises its ballots, the roll's unique constraint its entries)."""
    meeting = (
        Meeting.objects.select_related("host_site__province")
        .annotate(
            under_way=ExpressionWrapper(Q(start__lte=Now(), end__gt=Now()), output_field=BooleanField()),
            over=ExpressionWrapper(Q(end__lte=Now()), output_field=BooleanField()),
        )
        .get(pk=meeting_id)
    )
    under_way = meeting.under_way and meeting.status not in {Meeting.Status.CANCELLED, Meeting.Status.ENDED}
    over = meeting.over or meeting.status == Meeting.Status.ENDED
    return meeting, under_way, over


def _check_pass(join_pass: JoinPass) -> None:
    """The pass may still act for its holder: not revoked, its holder still invited, the meeting not cancelled."""
    if join_pass.revoked_at is not None:
        raise _error(_("ลิงก์เข้าร่วมประชุมนี้ถูกยกเลิกแล้ว: เปิดหน้าของสถานที่ในระบบ prachum เพื่อรับลิงก์ใหม่"),
                     "revoked")
    if not _holder_invited(join_pass):
        raise _error(_("%(holder)s ไม่ได้อยู่ในรายชื่อผู้ได้รับเชิญของการประชุมนี้: สอบถามจังหวัดหากไม่ถูกต้อง")
                     % {"holder": selectors.pass_holder_name(join_pass)}, "uninvited")


# --- the roll ------------------------------------------------------------------------------------------------


def _remember(join_pass: JoinPass, *, name: str, position: str) -> None:
    """Keep the person on the holder's list of usual people (the site's, not the clerk's)."""
    holder = {"site_id": join_pass.site_id} if join_pass.site_id else {"agency_id": join_pass.agency_id}
    updated = UsualPerson.objects.filter(name=name, **holder).update(position=position, last_recorded_at=Now())
    if not updated:
        person = UsualPerson(name=name, position=position, **holder)
        person.full_clean(exclude=["last_recorded_at"])
        person.save()


@transaction.atomic
def roll_entry_record(
    *, join_pass: JoinPass, name: str, position: str = "", role: str, reason: str = "", by=None
) -> RollEntry:
    """Put a person on the roll of the pass's holder (or change their entry: same name), remembered for the
    holder's next meetings. `by`: the signed-in user who records it, or None when the pass holder does."""
    name, position, reason = " ".join((name or "").split()), " ".join((position or "").split()), (reason or "").strip()
    if not name:
        raise _error(_("กรอกชื่อ-นามสกุลของผู้มาประชุม"), "name")
    if role not in RollEntry.Role.values:
        raise _error(_("เลือกฐานะ: ผู้มาประชุม ผู้เข้าร่วมประชุม หรือผู้ไม่มาประชุม"), "role")
    if role == RollEntry.Role.ABSENT and not reason:
        raise _error(_("กรอกเหตุที่ไม่มาประชุมของ %(name)s (เช่น ติดราชการ ลาป่วย)") % {"name": name}, "reason")
    if role != RollEntry.Role.ABSENT:
        reason = ""
    meeting, _under_way, over = _meeting_window(join_pass.meeting_id)
    _check_pass(join_pass)
    if meeting.status == Meeting.Status.CANCELLED:
        raise _error(_("การประชุมนี้ถูกยกเลิกแล้ว: ไม่ต้องลงชื่อ"), "cancelled")
    if over:
        raise _error(_("การประชุมนี้สิ้นสุดแล้ว: แก้ไขรายชื่อไม่ได้อีก หากต้องแก้ โปรดแจ้งฝ่ายเลขานุการการประชุม"), "over")
    label = recorder_label(user=by, join_pass=join_pass)
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    holder_filter = (Q(join_pass__site_id=join_pass.site_id) if join_pass.site_id
                     else Q(join_pass__agency_id=join_pass.agency_id))
    existing = (
        RollEntry.objects.select_for_update(of=("self",))
        .filter(holder_filter, meeting_id=meeting.pk, name=name).order_by("pk").first()
    )
    entry = existing or RollEntry(meeting=meeting, join_pass=join_pass, name=name)
    entry.position, entry.role, entry.reason = position, role, reason
    entry.recorded_by, entry.recorded_by_label = user, label
    entry.full_clean(exclude=["recorded_at", "meeting", "join_pass"], validate_constraints=False)
    if existing is None:
        if RollEntry.objects.filter(join_pass=join_pass, name=name).exists():  # pragma: no cover - same pass
            raise _error(_("%(name)s มีในรายชื่อแล้ว") % {"name": name}, "duplicate")
        entry.save()
    else:
        entry.recorded_at = Now()
        entry.save(update_fields=["position", "role", "reason", "recorded_by", "recorded_by_label", "recorded_at"])
    entry.refresh_from_db(fields=["recorded_at"])
    _remember(join_pass, name=name, position=position)
    audit_record(
        actor=user, action=Action.UPDATE if existing else Action.CREATE, target=entry,
        province_code=_province_code(meeting),
        detail={"meeting": meeting.pk, "holder": selectors.pass_holder_name(join_pass), "role": role,
                "recorded_by": label},
    )
    return entry


@transaction.atomic
def roll_entry_remove(*, join_pass: JoinPass, entry_id: int, by=None) -> None:
    """Take a person off the holder's roll (a mistake). Refused after the meeting."""
    meeting, _under_way, over = _meeting_window(join_pass.meeting_id)
    _check_pass(join_pass)
    if over:
        raise _error(_("การประชุมนี้สิ้นสุดแล้ว: แก้ไขรายชื่อไม่ได้อีก หากต้องแก้ โปรดแจ้งฝ่ายเลขานุการการประชุม"), "over")
    holder_filter = (Q(join_pass__site_id=join_pass.site_id) if join_pass.site_id
                     else Q(join_pass__agency_id=join_pass.agency_id))
    entry = RollEntry.objects.filter(holder_filter, meeting_id=meeting.pk, pk=entry_id).first()
    if entry is None:
        raise _error(_("ไม่พบรายชื่อนี้ในรายชื่อของสถานที่ท่าน: โหลดหน้านี้ใหม่"), "not_found")
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    audit_record(
        actor=user, action=Action.DELETE, target=entry, province_code=_province_code(meeting),
        detail={"meeting": meeting.pk, "holder": selectors.pass_holder_name(join_pass),
                "recorded_by": recorder_label(user=by, join_pass=join_pass)},
    )
    entry.delete()


# --- votes ---------------------------------------------------------------------------------------------------


@transaction.atomic
def vote_open(*, meeting: Meeting, agenda_item: int, question: str = "", secret: bool = False,
              by: str = Vote.By.SITE, opened_by=None) -> Vote:
    """The chair puts a question on an agenda item to the vote: only while the meeting is under way, one vote
    open at a time."""
    locked, under_way, _over = _meeting_window(meeting.pk)
    if not under_way:
        raise _error(_("เปิดลงมติได้เฉพาะระหว่างการประชุม (ตั้งแต่เวลาเริ่มจนถึงเวลาสิ้นสุดของการประชุม)"), "not_under_way")
    agenda = selectors.agenda_choices(locked)
    try:
        agenda_item = int(agenda_item)
    except (TypeError, ValueError):
        agenda_item = 0
    titles = dict(agenda)
    if agenda_item not in titles:
        raise _error(_("เลือกระเบียบวาระที่มีในการประชุมนี้ (วาระที่ 1 ถึง %(last)s)") % {"last": len(agenda)},
                     "agenda_item")
    if by not in Vote.By.values:
        raise _error(_("เลือกวิธีลงมติ: รายสถานที่ หรือรายบุคคล"), "by")
    if Vote.objects.filter(meeting_id=locked.pk, status=Vote.Status.OPEN).exists():
        raise _error(_("ยังมีการลงมติที่เปิดอยู่: ปิดการลงมตินั้นก่อนเปิดการลงมติใหม่"), "already_open")
    question = " ".join((question or "").split()) or titles[agenda_item]
    user = opened_by if opened_by is not None and getattr(opened_by, "is_authenticated", False) else None
    vote = Vote(meeting=locked, agenda_item=agenda_item, question=question[:300], secret=bool(secret), by=by,
                opened_by=user)
    vote.full_clean(exclude=["opened_at", "meeting"], validate_constraints=False)
    vote.save()
    if vote.secret:
        SecretTally.objects.create(vote=vote)
    audit_record(actor=user, action=Action.CREATE, target=vote, province_code=_province_code(locked),
                 detail={"meeting": locked.pk, "agenda_item": agenda_item, "secret": vote.secret, "by": by})
    return vote


@transaction.atomic
def vote_close(*, vote: Vote, closed_by=None) -> Vote:
    """The chair closes the vote: the roll's figures are frozen with it and the result goes to every join page."""
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if locked.status == Vote.Status.CLOSED:
        raise _error(_("การลงมตินี้ปิดไปแล้ว"), "closed")
    meeting = Meeting.objects.select_related("host_site__province").get(pk=locked.meeting_id)
    figures = selectors.quorum_from_roll(selectors.roll_board(meeting=meeting), by=locked.by)
    locked.status, locked.closed_at = Vote.Status.CLOSED, Now()
    locked.members, locked.present, locked.eligible = figures.members, figures.present, figures.eligible
    locked.save(update_fields=["status", "closed_at", "members", "present", "eligible"])
    locked.refresh_from_db(fields=["closed_at"])
    user = closed_by if closed_by is not None and getattr(closed_by, "is_authenticated", False) else None
    audit_record(actor=user, action=Action.UPDATE, target=locked, province_code=_province_code(meeting),
                 detail={"meeting": meeting.pk, "closed": True})
    return locked


@transaction.atomic
def vote_cast(*, vote: Vote, join_pass: JoinPass, choice: str, person: str = "", by=None) -> None:
    """A site's ballot (or a person's, present on the site's roll, when the vote is by person), from its join page.

    Refused, with nothing written: a second ballot of the same voter, a closed vote, after the meeting, a pass of
    another meeting, a revoked pass or a holder no longer invited, an agency's pass (agencies do not vote), an
    unknown choice, a person not present on the holder's roll. See the module's docstring for the secret ballot.
    """
    choice = CHOICES_BY_LABEL.get(choice, choice)
    if choice not in Choice.values:
        raise _error(_("เลือกมติ: เห็นชอบ ไม่เห็นชอบ หรืองดออกเสียง"), "choice")
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if join_pass.meeting_id != locked.meeting_id:
        raise _error(_("ลิงก์นี้ไม่ใช่ของการประชุมที่เปิดลงมตินี้"), "other_meeting")
    if locked.status != Vote.Status.OPEN:
        raise _error(_("การลงมตินี้ปิดแล้ว: ลงมติไม่ได้อีก"), "closed")
    _meeting, under_way, _over = _meeting_window(locked.meeting_id)
    if not under_way:
        raise _error(_("ลงมติได้เฉพาะระหว่างการประชุม"), "not_under_way")
    _check_pass(join_pass)
    if not join_pass.site_id:
        raise _error(_("ส่วนราชการที่ได้รับเชิญเป็นผู้เข้าร่วมประชุม ไม่มีสิทธิ์ลงมติ"), "not_member")
    person = " ".join((person or "").split())
    if locked.by == Vote.By.PERSON:
        if not person:
            raise _error(_("การลงมตินี้เป็นรายบุคคล: เลือกชื่อผู้มาประชุมที่ลงมติ"), "person")
        on_roll = RollEntry.objects.filter(
            meeting_id=locked.meeting_id, join_pass__site_id=join_pass.site_id, name=person,
            role=RollEntry.Role.ATTENDEE,
        ).exists()
        if not on_roll:
            raise _error(_("%(name)s ไม่อยู่ในรายชื่อผู้มาประชุมของสถานที่นี้: ลงชื่อก่อนแล้วจึงลงมติ")
                         % {"name": person}, "person")
    else:
        person = ""
    # One ballot per voter, whichever of the holder's passes it comes through (a renewed link is the same voter).
    voter = {"vote_id": locked.pk, "join_pass__site_id": join_pass.site_id, "person": person}
    ballots = SecretVoter.objects if locked.secret else OpenBallot.objects
    if ballots.filter(**voter).exists():
        raise _error(_("%(voter)s ลงมติในเรื่องนี้แล้ว: ลงมติได้ครั้งเดียว")
                     % {"voter": person or selectors.pass_holder_name(join_pass)}, "twice")
    label = recorder_label(user=by, join_pass=join_pass)
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    if locked.secret:
        SecretVoter.objects.create(vote=locked, join_pass=join_pass, person=person)
        SecretTally.objects.filter(vote_id=locked.pk).update(
            approve=F("approve") + int(choice == Choice.APPROVE),
            reject=F("reject") + int(choice == Choice.REJECT),
            abstain=F("abstain") + int(choice == Choice.ABSTAIN),
        )
        detail = {"ballot": "secret"}
    else:
        ballot = OpenBallot(vote=locked, join_pass=join_pass, person=person, choice=choice)
        ballot.full_clean(exclude=["cast_at", "vote", "join_pass"], validate_constraints=False)
        ballot.save()
        detail = {"ballot": "open", "choice": choice}
    audit_record(
        actor=user, action=Action.CREATE, target=locked, province_code=_province_code(_meeting),
        detail={**detail, "meeting": locked.meeting_id, "voter": person or selectors.pass_holder_name(join_pass),
                "recorded_by": label},
    )
