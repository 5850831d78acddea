"""Every write of the minutes: draft, edit, send, approve (under item 2 of the next meeting), correct, sign.

Each service locks the meeting's Minutes row first (`select_for_update`), so two secretaries never approve or edit
the same minutes at once; every refusal is a ValidationError in Thai that says what is wrong and what to do, and
nothing is written. Every write is in the audit log, in the same transaction.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation.audit import Action, audit_record
from foundation.enqueue import task_send_on_commit
from foundation.thaidate import format_be_long
from meetings.models import Meeting

from . import content as minutes_content
from . import documents, selectors, signing
from .models import Minutes, MinutesApproval, MinutesVersion

State = MinutesVersion.State
SIGN_TASK = "minutes.sign_version"
APPROVAL_ITEM = 2  # ระเบียบวาระที่ 2: รับรองรายงานการประชุมครั้งที่แล้ว


def _person_of(user) -> dict:
    if user is None:
        return {"name": "", "position": ""}
    name = user.get_full_name() or user.get_username()
    staff = getattr(user, "_prachum_staff", None)
    position = ""
    if staff is not None:
        position = f"{staff.get_role_display()} {staff.site.name}"
    return {"name": name, "position": position}


def _lock(minutes: Minutes) -> Minutes:
    return (Minutes.objects.select_for_update(of=("self",))
            .select_related("meeting__host_site__province", "meeting__series").get(pk=minutes.pk))


def _latest(minutes: Minutes) -> MinutesVersion | None:
    return minutes.versions.select_related("approval__by_meeting").order_by("-number").first()


def _province(minutes: Minutes) -> str:
    return minutes.meeting.host_site.province.code


def _meeting_name(meeting: Meeting) -> str:
    occurrence = _(" ครั้งที่ %(n)s") % {"n": meeting.occurrence} if meeting.occurrence else ""
    return f"“{meeting.title}”{occurrence} ({format_be_long(meeting.start)})"


@transaction.atomic
def minutes_draft(*, meeting: Meeting, by) -> MinutesVersion:
    """The first draft of a meeting's minutes, pre-filled from its agenda, roll, attendance, documents and votes."""
    meeting = (Meeting.objects.select_for_update(of=("self",)).select_related("host_site__province", "series")
               .get(pk=meeting.pk))
    if meeting.is_cancelled:
        raise ValidationError(_("การประชุมนี้ถูกยกเลิก จึงไม่มีรายงานการประชุม"))
    if Minutes.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("การประชุมนี้มีรายงานการประชุมแล้ว: เปิดร่างเดิมเพื่อแก้ไขแทนการร่างใหม่"))
    previous = selectors.previous_meeting(meeting=meeting)
    previous_text = ""
    if previous is not None:
        previous_text = _("รายงานการประชุม%(title)s ครั้งที่ %(n)s เมื่อ%(date)s") % {
            "title": previous.title, "n": previous.occurrence or "", "date": format_be_long(previous.start)}
    sources = selectors.draft_sources(meeting=meeting)
    body = minutes_content.clean_content(
        minutes_content.draft_content(sources=sources, recorder=_person_of(by), previous_minutes=previous_text)
    )
    minutes = Minutes(meeting=meeting, created_by=by)
    minutes.full_clean()
    minutes.save()
    version = MinutesVersion(minutes=minutes, number=1, state=State.DRAFT, content=body,
                             digest=minutes_content.digest(body), edited_by=by, edited_at=timezone.now())
    version.full_clean()
    version.save()
    audit_record(actor=by, action=Action.CREATE, target=version, province_code=_province(minutes),
                 detail={"meeting": meeting.pk, "version": 1, "digest": version.digest})
    return version


def _refuse_locked(version: MinutesVersion) -> None:
    if version.state in (State.APPROVED, State.SUPERSEDED):
        raise ValidationError(_(
            "รายงานการประชุมฉบับที่ %(n)s รับรองแล้วจึงแก้ไขไม่ได้: ถ้าต้องแก้ ให้กด “ทำฉบับแก้ไข” "
            "ระบบจะทำฉบับใหม่และเก็บฉบับเดิมไว้ให้อ่านได้") % {"n": version.number})
    if version.state == State.SENT:
        raise ValidationError(_(
            "รายงานการประชุมฉบับที่ %(n)s ส่งให้ผู้เข้าประชุมแล้ว จึงแก้ไขไม่ได้: การแก้ไขให้บันทึกเมื่อที่ประชุมครั้งถัดไป"
            "รับรองโดยมีการแก้ไข") % {"n": version.number})


@transaction.atomic
def minutes_edit(*, minutes: Minutes, content: dict, by) -> MinutesVersion:
    """Save the secretary's text into the draft (a new digest). Sent and approved versions are never edited."""
    minutes = _lock(minutes)
    version = _latest(minutes)
    if version is None:
        raise ValidationError(_("ยังไม่มีร่างรายงานการประชุม: กด “ร่างรายงานการประชุม” ก่อน"))
    _refuse_locked(version)
    body = minutes_content.clean_content(content)
    version.content = body
    version.digest = minutes_content.digest(body)
    version.edited_by = by
    version.edited_at = timezone.now()
    version.full_clean()
    version.save(update_fields=["content", "digest", "edited_by", "edited_at"])
    audit_record(actor=by, action=Action.UPDATE, target=version, province_code=_province(minutes),
                 detail={"meeting": minutes.meeting_id, "version": version.number, "digest": version.digest})
    return version


@transaction.atomic
def minutes_send(*, minutes: Minutes, by) -> MinutesVersion:
    """Send the draft to the invited sites: from now on their clerks read it (their site's minutes page)."""
    minutes = _lock(minutes)
    version = _latest(minutes)
    if version is None or version.state != State.DRAFT:
        if version is not None and version.state == State.SENT:
            raise ValidationError(_("รายงานการประชุมฉบับที่ %(n)s ส่งไปแล้ว (เมื่อ %(when)s): ไม่ต้องส่งซ้ำ") % {
                "n": version.number, "when": format_be_long(version.sent_at, with_time=True)})
        raise ValidationError(_("ไม่มีร่างที่รอส่ง: ร่างรายงานการประชุม หรือทำฉบับแก้ไขก่อน"))
    if not version.content.get("items"):
        raise ValidationError(_("ร่างนี้ยังไม่มีระเบียบวาระ: กรอกเรื่องและมติของแต่ละวาระก่อนส่ง"))
    version.state = State.SENT
    version.sent_by = by
    version.sent_at = timezone.now()
    version.full_clean()
    version.save(update_fields=["state", "sent_by", "sent_at"])
    audit_record(actor=by, action=Action.UPDATE, target=version, province_code=_province(minutes),
                 detail={"meeting": minutes.meeting_id, "version": version.number, "sent": True,
                         "digest": version.digest})
    return version


def _expected_approver(minutes: Minutes, latest_approved: MinutesVersion | None) -> Meeting | None:
    """The first approval is by the next meeting of the series; a correction's by the meeting after the one that
    approved the version it corrects."""
    after = latest_approved.approval.by_meeting if latest_approved is not None else minutes.meeting
    return selectors.next_meeting(meeting=after)


def _approval_vote(by_meeting: Meeting) -> dict:
    from proceedings import selectors as proceedings  # noqa: PLC0415 - the votes of issue 16, part 2

    votes = [vote for vote in proceedings.meeting_votes(meeting=by_meeting)
             if int(vote.agenda_item) == APPROVAL_ITEM and vote.closed_at is not None]
    if not votes:
        raise ValidationError(_(
            "ไม่พบผลการลงมติที่ปิดแล้วในระเบียบวาระที่ 2 ของการประชุมนี้: เปิดและปิดการลงมติในวาระที่ 2 ก่อน "
            "หรือเลือก “ที่ประชุมเห็นชอบโดยไม่มีผู้คัดค้าน”"))
    return minutes_content.vote_snapshot(votes[-1])


@transaction.atomic
def minutes_approve(
    *, minutes: Minutes, by_meeting: Meeting, decision: str, method: str, by, corrections: str = "",
    content: dict | None = None,
) -> MinutesVersion:
    """Record the approval of the sent minutes under item 2 of the next meeting of the same series.

    As is: the sent version is approved. With corrections: a new version with the corrected content (and the
    corrections as its note) is approved; the sent one stays readable, superseded. Either way the approved version
    is locked, its PDF stored and the signature follows (a task, once a certificate is configured)."""
    minutes = _lock(minutes)
    versions = list(minutes.versions.select_related("approval__by_meeting").order_by("number"))
    latest = versions[-1] if versions else None
    approved = [v for v in versions if v.state == State.APPROVED]
    if latest is None or latest.state == State.DRAFT:
        raise ValidationError(_(
            "ร่างรายงานการประชุมนี้ยังไม่ได้ส่งให้ผู้เข้าประชุม จึงรับรองไม่ได้: กด “ส่งรายงานการประชุม” ก่อน "
            "แล้วให้การประชุมครั้งถัดไปรับรองในวาระที่ 2"))
    if latest.state == State.APPROVED:
        approval = latest.approval
        raise ValidationError(_(
            "รายงานการประชุมฉบับที่ %(n)s รับรองแล้วในการประชุม %(meeting)s เมื่อ %(when)s: รับรองซ้ำไม่ได้") % {
            "n": latest.number, "meeting": _meeting_name(approval.by_meeting),
            "when": format_be_long(approval.recorded_at, with_time=True)})
    if minutes.meeting.series_id is None:
        raise ValidationError(_(
            "การประชุมที่จัดทำรายงานนี้ไม่ได้อยู่ในชุดการประชุม จึงไม่มีการประชุมครั้งถัดไปที่จะรับรองในระเบียบวาระที่ 2: "
            "รายงานการประชุมรับรองได้เฉพาะโดยการประชุมครั้งถัดไปของชุดเดียวกัน"))
    expected = _expected_approver(minutes, approved[-1] if approved else None)
    if expected is None or by_meeting.pk != expected.pk:
        where = (_("การประชุม %(meeting)s") % {"meeting": _meeting_name(expected)} if expected is not None
                 else _("การประชุมครั้งถัดไปของชุดเดียวกัน (ยังไม่ได้นัดหมาย)"))
        raise ValidationError(_(
            "การประชุม %(by)s ไม่ใช่การประชุมครั้งถัดไปของชุดเดียวกัน จึงรับรองรายงานการประชุมนี้ไม่ได้: "
            "ต้องรับรองในระเบียบวาระที่ 2 ของ%(where)s") % {"by": _meeting_name(by_meeting), "where": where})
    if by_meeting.is_cancelled:
        raise ValidationError(_("การประชุมที่จะรับรองถูกยกเลิกแล้ว: รับรองในการประชุมครั้งถัดไปแทน"))
    if decision not in MinutesApproval.Decision.values:
        raise ValidationError({"decision": _("เลือกผลการรับรอง: รับรองโดยไม่มีการแก้ไข หรือรับรองโดยมีการแก้ไข")})
    if method not in MinutesApproval.Method.values:
        raise ValidationError({"method": _("เลือกวิธีการ: ที่ประชุมเห็นชอบโดยไม่มีผู้คัดค้าน หรือลงมติ")})
    corrections = (corrections or "").strip()
    if decision == MinutesApproval.Decision.CORRECTED and not corrections:
        raise ValidationError({"corrections": _("รับรองโดยมีการแก้ไข: บอกว่าแก้ไขอะไร เช่น “แก้ชื่อผู้มาประชุมลำดับที่ 3”")})
    if decision == MinutesApproval.Decision.AS_IS and content is not None:
        raise ValidationError({"content": _("รับรองโดยไม่มีการแก้ไขจะไม่รับเนื้อหาใหม่: เลือก “รับรองโดยมีการแก้ไข”")})
    vote = _approval_vote(by_meeting) if method == MinutesApproval.Method.VOTE else {}
    now = timezone.now()
    if decision == MinutesApproval.Decision.CORRECTED:
        body = minutes_content.clean_content(content if content is not None else latest.content)
        latest.state = State.SUPERSEDED
        latest.save(update_fields=["state"])
        target = MinutesVersion(minutes=minutes, number=latest.number + 1, content=body,
                                digest=minutes_content.digest(body), correction_note=corrections, edited_by=by,
                                edited_at=now, sent_by=latest.sent_by, sent_at=latest.sent_at)
    else:
        target = latest
    for older in approved:  # a correction approved: the version it corrects stays readable
        older.state = State.SUPERSEDED
        older.save(update_fields=["state"])
    target.state = State.APPROVED
    target.full_clean()
    target.save()
    approval = MinutesApproval(version=target, by_meeting=by_meeting, decision=decision, method=method,
                               corrections=corrections, vote=vote, recorded_by=by, recorded_at=now)
    approval.full_clean()
    approval.save()
    target.approval = approval
    _store_pdf(target, minutes.meeting)
    audit_record(actor=by, action=Action.UPDATE, target=target, province_code=_province(minutes),
                 detail={"meeting": minutes.meeting_id, "version": target.number, "approved_by_meeting":
                         by_meeting.pk, "decision": decision, "method": method, "digest": target.digest,
                         "pdf_digest": target.pdf_digest})
    task_send_on_commit(SIGN_TASK, target.pk)
    return target


def _store_pdf(version: MinutesVersion, meeting: Meeting) -> None:
    pdf = documents.minutes_pdf(version=version, meeting=meeting)
    version.pdf_digest = hashlib.sha256(pdf).hexdigest()
    version.pdf.save(f"minutes-{meeting.pk}-v{version.number}.pdf", ContentFile(pdf), save=False)
    version.save(update_fields=["pdf", "pdf_digest"])


@transaction.atomic
def minutes_correct(*, minutes: Minutes, note: str, by) -> MinutesVersion:
    """A correction of approved minutes: a new draft version from the approved content; the approved version stays
    locked and readable. The new version is sent and approved as the first was (by the next meeting after the one
    that approved the version it corrects)."""
    minutes = _lock(minutes)
    latest = _latest(minutes)
    if latest is None or latest.state != State.APPROVED:
        raise ValidationError(_("ทำฉบับแก้ไขได้เฉพาะรายงานการประชุมที่รับรองแล้ว: ฉบับที่ยังไม่รับรองให้แก้ในร่างหรือ"
                                "รับรองโดยมีการแก้ไข"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("บอกเหตุที่ต้องแก้ไข เช่น “ชื่อผู้ไม่มาประชุมสะกดผิด”")})
    version = MinutesVersion(minutes=minutes, number=latest.number + 1, state=State.DRAFT, content=latest.content,
                             digest=latest.digest, correction_note=note[:2000], edited_by=by,
                             edited_at=timezone.now())
    version.full_clean()
    version.save()
    audit_record(actor=by, action=Action.CREATE, target=version, province_code=_province(minutes),
                 detail={"meeting": minutes.meeting_id, "version": version.number, "corrects": latest.number})
    return version


@transaction.atomic
def minutes_sign(*, version_id: int) -> MinutesVersion:
    """Sign an approved version's stored PDF with the province's certificate (PAdES) and store it. Without a
    configured certificate the version stays unsigned with the reason (the system check warns); signing again
    what is signed does nothing."""
    version = (MinutesVersion.objects.select_for_update(of=("self",))
               .select_related("minutes__meeting__host_site__province").get(pk=version_id))
    if version.state not in (State.APPROVED, State.SUPERSEDED) or version.signed_pdf or not version.pdf:
        return version
    meeting = version.minutes.meeting
    with version.pdf.open("rb") as handle:
        pdf = handle.read()
    try:
        signed, signer = signing.sign_pdf(pdf, province_code=meeting.host_site.province.code,
                                          reason=_("รับรองรายงานการประชุม ฉบับที่ %(n)s") % {"n": version.number},
                                          location=meeting.host_site.province.name_th)
    except (signing.SigningNotConfigured, signing.SigningFailed) as error:
        version.sign_error = str(error)[:300]
        version.save(update_fields=["sign_error"])
        return version
    version.signed_digest = hashlib.sha256(signed).hexdigest()
    version.signed_pdf.save(f"minutes-{meeting.pk}-v{version.number}-signed.pdf", ContentFile(signed), save=False)
    version.signed_at = timezone.now()
    version.signer = signer
    version.sign_error = ""
    version.save(update_fields=["signed_pdf", "signed_digest", "signed_at", "signer", "sign_error"])
    audit_record(actor=None, action=Action.UPDATE, target=version, province_code=meeting.host_site.province.code,
                 detail={"meeting": meeting.pk, "version": version.number, "signed": True, "signer": signer,
                         "signed_digest": version.signed_digest})
    return version


def minutes_sign_pending() -> list[int]:
    """Send the signing task for every approved version still unsigned (after a certificate is configured)."""
    ids = list(MinutesVersion.objects.filter(state__in=[State.APPROVED, State.SUPERSEDED], signed_pdf="")
               .exclude(pdf="").values_list("pk", flat=True))
    with transaction.atomic():
        for version_id in ids:
            task_send_on_commit(SIGN_TASK, version_id)
    return ids
