"""Every write of the evidence app: fault reports (a site's pass reports, the control centre resolves) and the
evidence packs (asked for, built once by a worker under a lease, swept when lost, downloaded with an audit entry).

The pack is written to a temporary name beside its final one and renamed when complete, so a file at a pack's path
is always whole; the row says whether it is ready (DESIGN.md, "Side effects: the database row is the truth").
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation.audit import Action, audit_record
from foundation.enqueue import task_send_on_commit
from join import selectors as join_selectors
from join.models import JoinPass
from meetings.models import Meeting

from . import selectors
from .contents import PackFile, pack_files, when
from .models import NOTE_MAX_LENGTH, EvidencePack, FaultReport
from .pack_verifier import FORMAT, MANIFEST, SIGNATURE
from .signing import SigningFailed, SigningNotConfigured, sign_detached

logger = logging.getLogger(__name__)
BUILD_TASK = "evidence.build"
State = EvidencePack.State
# A pass may report while its meeting can be joined (and while its room is not ready: that is a fault too).
REPORTING_STATES = ("open", "not_ready")
# Reports a pass may make in one meeting, open or resolved (one open per kind: models.py's constraint).
REPORTS_PER_PASS = 20


def _province_code(meeting: Meeting) -> str:
    return meeting.host_site.province.code


# --- fault reports ---------------------------------------------------------------------------------------------


@transaction.atomic
def fault_report_create(*, join_pass: JoinPass, kind: str, note: str = "") -> FaultReport:
    """Record a pass holder's problem at the database server's time. Refused in Thai, with nothing written, for an
    unknown kind, a note too long (or missing for "อื่น ๆ"), a pass that cannot join now (revoked, meeting over or
    cancelled), a problem of the same kind already open, or too many reports from the pass."""
    note = " ".join((note or "").split())
    if kind not in FaultReport.Kind.values:
        raise ValidationError(_("เลือกปัญหาจากรายการ: ไม่มีเสียง ไม่เห็นภาพ แชร์หน้าจอไม่ได้ หรืออื่น ๆ"), code="kind")
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(_("รายละเอียดยาวเกิน %(max)s ตัวอักษร: เขียนให้สั้นลง") % {"max": NOTE_MAX_LENGTH},
                              code="note")
    if kind == FaultReport.Kind.OTHER and not note:
        raise ValidationError(_("เลือก “อื่น ๆ” แล้ว กรุณาบอกปัญหาสั้น ๆ ในช่องรายละเอียด"), code="note")
    state = join_selectors.pass_state(join_pass)
    if state.code not in REPORTING_STATES:
        raise ValidationError(_("แจ้งปัญหาไม่ได้: %(title)s") % {"title": state.title}, code=state.code)
    # One report at a time per pass: its row locked, so two clicks cannot both pass the checks below.
    list(JoinPass.objects.select_for_update().filter(pk=join_pass.pk).order_by().values_list("pk", flat=True))
    mine = FaultReport.objects.filter(join_pass_id=join_pass.pk)
    if mine.filter(kind=kind, resolved_at__isnull=True).exists():
        raise ValidationError(_("แจ้งปัญหา “%(kind)s” ไว้แล้ว ศูนย์ควบคุมกำลังดำเนินการ: ไม่ต้องแจ้งซ้ำ")
                              % {"kind": FaultReport.Kind(kind).label}, code="duplicate")
    if mine.count() >= REPORTS_PER_PASS:
        raise ValidationError(_("แจ้งปัญหาจากลิงก์นี้ครบ %(max)s ครั้งแล้ว: โทรแจ้งจังหวัดโดยตรง")
                              % {"max": REPORTS_PER_PASS}, code="too_many")
    report = FaultReport(meeting_id=join_pass.meeting_id, join_pass=join_pass, kind=kind, note=note)
    report.full_clean(exclude=["meeting", "join_pass"])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:
        raise ValidationError(_("แจ้งปัญหานี้ไว้แล้ว ศูนย์ควบคุมกำลังดำเนินการ: ไม่ต้องแจ้งซ้ำ"), code="duplicate") from error
    audit_record(actor=None, action=Action.CREATE, target=report, province_code=_province_code(join_pass.meeting),
                 detail={"meeting": join_pass.meeting_id, "fault_report": kind, "holder": join_pass.holder_name})
    return report


@transaction.atomic
def fault_report_resolve(*, report: FaultReport, by) -> FaultReport:
    """The control centre marks a report resolved (the database server's time, who did it)."""
    label = (by.get_full_name() or by.get_username())[:200]
    changed = FaultReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
        resolved_at=Now(), resolved_by=by, resolved_by_label=label)
    if not changed:
        raise ValidationError(_("รายการนี้บันทึกว่าแก้ไขแล้ว"), code="resolved")
    report.refresh_from_db()
    audit_record(actor=by, action=Action.UPDATE, target=report, province_code=_province_code(report.meeting),
                 detail={"meeting": report.meeting_id, "fault_report": report.kind, "resolved": True})
    return report


# --- evidence packs: the row ---------------------------------------------------------------------------------


def pack_dir(meeting_id: int) -> Path:
    return Path(settings.EVIDENCE_ROOT) / str(meeting_id)


def stored_path(pack: EvidencePack) -> Path:
    return Path(settings.EVIDENCE_ROOT) / pack.path


@transaction.atomic
def pack_request(*, meeting: Meeting, by=None) -> EvidencePack:
    """Ask for a meeting's pack: a row (requested), built by a worker once this commits. One at a time per
    meeting: a pack already waiting or being built is refused in Thai."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).order_by().values_list("pk", flat=True))
    if EvidencePack.objects.filter(meeting=meeting, state__in=[State.REQUESTED, State.BUILDING]).exists():
        raise ValidationError(_("กำลังจัดทำชุดหลักฐานของการประชุมนี้อยู่: รอให้เสร็จก่อนขอใหม่"), code="in_flight")
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    pack = EvidencePack(meeting=meeting, requested_by=user)
    pack.full_clean(exclude=["meeting"])
    pack.save()
    audit_record(actor=by, action=Action.CREATE, target=pack, province_code=_province_code(meeting),
                 detail={"meeting": meeting.pk, "evidence_pack": pack.pk})
    task_send_on_commit(BUILD_TASK, pack.pk)
    return pack


@transaction.atomic
def _claim(pack_id: int) -> tuple[int, EvidencePack] | None:
    """Take the row for this worker (a lease), or None when it is done, failed, held by another worker or backing
    off. Counts the attempt: a worker killed mid-build leaves the lease to run out and the sweep sends it again."""
    now = timezone.now()
    pack = EvidencePack.objects.select_for_update().filter(pk=pack_id).first()
    if pack is None or pack.state in (State.READY, State.FAILED):
        return None
    if pack.lease_until is not None and pack.lease_until > now:
        return None
    if pack.attempts >= settings.EVIDENCE_BUILD_ATTEMPTS:
        pack.state, pack.lease_until = State.FAILED, None
        pack.error = pack.error or _("จัดทำไม่สำเร็จหลังลองครบจำนวนครั้ง")
        pack.finished_at = now
        pack.save()
        return None
    pack.state = State.BUILDING
    pack.attempts += 1
    pack.lease_until = now + timedelta(seconds=settings.EVIDENCE_BUILD_LEASE_SECONDS)
    pack.save()
    return pack.attempts, pack


def pack_build(*, pack_id: int) -> str:
    """Build the pack, once: "ready", "failed", "retry" (a temporary error: the sweep sends it again after a
    back-off) or "skipped" (done, failed, or held by another worker)."""
    claimed = _claim(pack_id)
    if claimed is None:
        return "skipped"
    attempt, pack = claimed
    meeting = Meeting.objects.select_related("host_site__province", "host_site__district").get(pk=pack.meeting_id)
    directory = pack_dir(meeting.pk)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"evidence-{meeting.pk}-{pack.pk}.zip"
    temporary = directory / f".building-{pack.pk}-{attempt}.zip"
    try:
        count, signer = write_pack(meeting, temporary)
        size, digest = _digest(temporary)
        os.replace(temporary, final)
    except (SigningNotConfigured, SigningFailed) as error:
        temporary.unlink(missing_ok=True)
        return _failed(pack_id=pack_id, attempt=attempt, permanent=True,
                       error=_("ลงนามรายการไฟล์ไม่ได้: %(problem)s") % {"problem": error})
    except Exception as error:  # a disk or file problem: retried after a back-off, then failed
        temporary.unlink(missing_ok=True)
        logger.exception("evidence pack %s of meeting %s: attempt %s failed", pack_id, meeting.pk, attempt)
        return _failed(pack_id=pack_id, attempt=attempt, permanent=False,
                       error=_("จัดทำไม่สำเร็จ (%(kind)s): %(text)s") % {"kind": type(error).__name__,
                                                                          "text": str(error)[:300]})
    return _done(pack_id=pack_id, attempt=attempt, final=final, size=size, digest=digest, count=count, signer=signer)


@transaction.atomic
def _done(*, pack_id: int, attempt: int, final: Path, size: int, digest: str, count: int, signer: str) -> str:
    pack = EvidencePack.objects.select_for_update().select_related("meeting__host_site__province").get(pk=pack_id)
    if pack.state != State.BUILDING or pack.attempts != attempt:  # another attempt took over: its file wins
        return "skipped"
    pack.state, pack.lease_until, pack.finished_at, pack.error = State.READY, None, timezone.now(), ""
    pack.path = final.relative_to(Path(settings.EVIDENCE_ROOT)).as_posix()
    pack.size, pack.sha256, pack.file_count, pack.signer = size, digest, count, signer[:300]
    pack.full_clean(exclude=["meeting", "requested_by"])
    pack.save()
    audit_record(actor=None, action=Action.UPDATE, target=pack, province_code=_province_code(pack.meeting),
                 detail={"meeting": pack.meeting_id, "evidence_pack": pack.pk, "ready": True, "sha256": digest,
                         "files": count})
    return "ready"


@transaction.atomic
def _failed(*, pack_id: int, attempt: int, permanent: bool, error: str) -> str:
    pack = EvidencePack.objects.select_for_update().select_related("meeting__host_site__province").get(pk=pack_id)
    if pack.state != State.BUILDING or pack.attempts != attempt:
        return "skipped"
    pack.error = error[:500]
    if permanent or pack.attempts >= settings.EVIDENCE_BUILD_ATTEMPTS:
        pack.state, pack.lease_until, pack.finished_at = State.FAILED, None, timezone.now()
        outcome = "failed"
    else:  # back to waiting; the lease doubles as the back-off the sweep respects
        backoff = settings.EVIDENCE_BUILD_BACKOFF_SECONDS * pack.attempts
        pack.state, pack.lease_until = State.REQUESTED, timezone.now() + timedelta(seconds=backoff)
        outcome = "retry"
    pack.save()
    audit_record(actor=None, action=Action.UPDATE, target=pack, province_code=_province_code(pack.meeting),
                 detail={"meeting": pack.meeting_id, "evidence_pack": pack.pk, "outcome": outcome, "error": pack.error})
    return outcome


def packs_sweep(*, now=None) -> int:
    """Send again every pack that waits with nobody building it (a lost message, a killed worker): how many."""
    now = now or timezone.now()
    sent = 0
    for pack_id in selectors.packs_due(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            task_send_on_commit(BUILD_TASK, pack_id)
        sent += 1
    return sent


# --- evidence packs: the archive -----------------------------------------------------------------------------


def _digest(path: Path) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
            size += len(chunk)
    return size, hasher.hexdigest()


def _write_member(archive, item: PackFile) -> dict:
    import zipfile  # noqa: PLC0415 - only the build needs it

    hasher, size = hashlib.sha256(), 0
    # Recordings and PDFs are compressed already: stored as they are; text files deflated.
    stored = item.path.endswith((".webm", ".pdf", ".mp4", ".png", ".jpg", ".jpeg", ".pptx", ".zip"))
    info = zipfile.ZipInfo(item.path, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with archive.open(info, "w", force_zip64=True) as out:
        if item.data is not None:
            hasher.update(item.data)
            size = len(item.data)
            out.write(item.data)
        else:
            with item.source.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    hasher.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
    return {"path": item.path, "size": size, "sha256": hasher.hexdigest()}


def write_pack(meeting: Meeting, target: Path) -> tuple[int, str]:
    """Write the meeting's pack to `target` (a zip): its files, `manifest.json` (each file's path, size and
    SHA-256, computed while writing) and `manifest.json.p7s` (its detached CMS signature with the province's
    certificate). Returns (the number of files listed, the signer)."""
    import zipfile  # noqa: PLC0415

    files = pack_files(meeting)
    names = [item.path for item in files]
    if len(set(names)) != len(names):  # two documents with the same id cannot happen; a guard all the same
        raise ValueError("two files of the pack have the same name")
    with zipfile.ZipFile(target, "w") as archive:
        listed = [_write_member(archive, item) for item in files]
        manifest = json.dumps({
            "format": FORMAT,
            "meeting": {"id": meeting.pk, "title": meeting.title, "start": when(meeting.start),
                        "end": when(meeting.end), "province": meeting.host_site.province.code},
            "made_at": when(timezone.now()),
            "hash": "sha256",
            "files": listed,
        }, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        signature, signer = sign_detached(manifest, province_code=meeting.host_site.province.code)
        _write_member(archive, PackFile(MANIFEST, data=manifest))
        _write_member(archive, PackFile(SIGNATURE, data=signature))
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    return len(listed), signer


def pack_copy(*, pack: EvidencePack, out: Path) -> Path:
    """A ready pack copied to `out` (the command's --out), through a temporary name."""
    temporary = out.with_name(f".{out.name}.part")
    shutil.copyfile(stored_path(pack), temporary)
    os.replace(temporary, out)
    return out


# --- download ------------------------------------------------------------------------------------------------


@transaction.atomic
def pack_download(*, pack: EvidencePack, user) -> Path:
    """Record the download in the audit log (committed with the answer) and return the file's path; a file that
    is not on disk is refused in Thai."""
    path = stored_path(pack)
    if not path.is_file():
        raise ValidationError(_("ไม่พบไฟล์ชุดหลักฐานนี้ในที่เก็บ: ขอจัดทำใหม่ หรือแจ้งผู้ดูแลระบบ"), code="missing")
    audit_record(actor=user, action=Action.EXPORT, target=pack,
                 detail={"meeting": pack.meeting_id, "evidence_pack_download": pack.path, "sha256": pack.sha256,
                         "size": pack.size})
    return path
