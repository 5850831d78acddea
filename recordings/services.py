"""Every write of the recordings app (DESIGN.md): keyword-only, atomic, refusals as ValidationError in Thai.

The life of a recording (recordings.models.MeetingRecording):
- `recording_start` / `recording_stop`: the chair switches the room's recording at Janus (VideoRoom
  `enable_recording`, into the meeting's own rec_dir); stopping hands the raw files to processing.
- `recording_process` (the task `recordings.process`): claims the row (a lease, attempts counted), turns the raw
  files into playable ones in a temporary directory, then in one transaction moves them to their final names and
  marks the row ready with its file list. A worker killed mid-way loses only its lease: the sweep gives the row
  to another worker; a worker that finds its lease taken over throws its work away. Retried with back-off, failed
  after the last attempt.
- `recordings_sweep`: recordings left running after their meeting are stopped; lost or due processing is sent again.
- `recordings_retention_sweep`: expired recordings' files are deleted and the row says when and by which rule.
- `recording_file_download`: the audit entry of a download (the view has checked who asks).
- `erasure_request_record`: a PDPA erasure request recorded and answered.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from districts.models import Site
from foundation.audit import Action, audit_record
from foundation.enqueue import task_send, task_send_on_commit
from foundation.thaidate import format_be_long
from meetings.backends.base import MediaServerError, PermanentMediaError, RoomNotFound
from meetings.media import backend_for_server, room_spec
from meetings.models import MediaServer, Meeting, Room

from . import processing, selectors
from .models import ErasureRequest, MeetingRecording, RecordingFile

logger = logging.getLogger(__name__)
State = MeetingRecording.State
PROCESS_TASK = "recordings.process"


# --- where files live ----------------------------------------------------------------------------------------


def raw_dir(recording: MeetingRecording) -> Path:
    """The meeting's raw files as the portal reads them."""
    return Path(settings.RECORDINGS_RAW_ROOT) / recording.rec_dir


def janus_dir(recording: MeetingRecording) -> str:
    """The same directory as Janus sees it (RECORDINGS_JANUS_ROOT when Janus runs on another machine)."""
    root = settings.RECORDINGS_JANUS_ROOT or str(settings.RECORDINGS_RAW_ROOT)
    return f"{root.rstrip('/')}/{recording.rec_dir}"


def files_dir(recording: MeetingRecording) -> Path:
    return Path(settings.RECORDINGS_ROOT) / str(recording.meeting_id)


def stored_path(file: RecordingFile) -> Path:
    return Path(settings.RECORDINGS_ROOT) / file.path


# --- the row -------------------------------------------------------------------------------------------------


@transaction.atomic
def recording_ensure(*, meeting: Meeting) -> MeetingRecording:
    """The meeting's recording row, made with the defaults when missing (recorded unless turned off). The hook
    for scheduling: `meeting_schedule` may call this once the meeting is saved; without it the row is made when
    the chair first starts recording or the scheduler changes its settings."""
    recording, _created = MeetingRecording.objects.get_or_create(
        meeting=meeting,
        defaults={"kind": selectors.default_kind(meeting), "rec_dir": f"meeting-{meeting.pk}-{secrets.token_hex(4)}"},
    )
    return recording


def recording_plan(*, meeting: Meeting, record: bool) -> MeetingRecording:
    """The scheduler's choice when the meeting is scheduled (the scheduling services call this in their
    transaction): its recording row, recorded or not."""
    recording = recording_ensure(meeting=meeting)
    if recording.enabled != record:
        recording.enabled = record
        recording.save(update_fields=["enabled"])
    return recording


def _locked(meeting: Meeting) -> MeetingRecording:
    recording = recording_ensure(meeting=meeting)
    return MeetingRecording.objects.select_for_update().select_related("meeting").get(pk=recording.pk)


@transaction.atomic
def recording_configure(*, meeting: Meeting, enabled: bool, kind: str, by) -> MeetingRecording:
    """The scheduler's choice: record this meeting or not (a secret meeting is not recorded), and its kind (which
    sets how long the recording is kept)."""
    recording = _locked(meeting)
    if not enabled and recording.state == State.RECORDING:
        raise ValidationError(_("กำลังบันทึกอยู่: กด “หยุดบันทึก” ก่อน แล้วจึงตั้งเป็นไม่บันทึก"))
    if not enabled and recording.state in {State.PROCESSING, State.READY}:
        raise ValidationError(_("การประชุมนี้บันทึกไว้แล้ว: ไฟล์ที่บันทึกเป็นหลักฐานของทางราชการ ตั้งเป็นไม่บันทึกย้อนหลังไม่ได้"))
    recording.enabled = enabled
    recording.kind = kind
    if recording.expires_at is not None:
        recording.expires_at = selectors.retained_until(meeting, kind)
    recording.full_clean()
    recording.save()
    audit_record(actor=by, action=Action.UPDATE, target=recording, detail={"enabled": enabled, "kind": kind})
    return recording


def _room_and_backend(meeting: Meeting):
    room = Room.objects.select_related("server").filter(meeting=meeting).first()
    if room is None or room.server is None or room.state != Room.State.PROVISIONED:
        raise ValidationError(_("ห้องประชุมบนเซิร์ฟเวอร์ยังไม่พร้อม: รอให้สถานะห้องเป็น “ห้องพร้อม” แล้วลองอีกครั้ง"))
    if room.server.kind != MediaServer.Kind.JANUS:
        raise ValidationError(
            _("เซิร์ฟเวอร์ของการประชุมนี้ (%(server)s) บันทึกการประชุมไม่ได้: บันทึกได้เฉพาะห้องบน Janus")
            % {"server": room.server.name}
        )
    try:
        backend = backend_for_server(room.server)
    except MediaServerError as error:
        raise ValidationError(_("ติดต่อเซิร์ฟเวอร์สื่อไม่ได้ (%(error)s): แจ้งผู้ดูแลระบบ") % {"error": error}) from error
    return room, backend, room_spec(room, description=meeting.title, max_publishers=room.publishers)


def _participants(backend, room: Room) -> dict[str, str]:
    try:
        return {p.id: p.display for p in backend.participants(room.number, room.name)}
    except MediaServerError as error:
        logger.warning("recording: cannot list the participants of room %s: %s", room.number, error)
        return {}


def recording_start(*, meeting: Meeting, by) -> MeetingRecording:
    """The chair switches the room's recording on. Janus records every publisher's streams into the meeting's
    rec_dir from now on, and those who join later."""
    with transaction.atomic():
        recording = _locked(meeting)
        if recording.state == State.RECORDING:
            return recording
        if not recording.enabled:
            raise ValidationError(_("การประชุมนี้ตั้งไว้ไม่บันทึก (เช่น การประชุมลับ): เปิด “บันทึกการประชุมนี้” ก่อน"))
        if meeting.status in {Meeting.Status.CANCELLED, Meeting.Status.ENDED} or meeting.end <= timezone.now():
            raise ValidationError(_("การประชุมนี้สิ้นสุดหรือถูกยกเลิกแล้ว จึงเริ่มบันทึกไม่ได้"))
        if recording.state != State.IDLE:
            raise ValidationError(
                _("การบันทึกของการประชุมนี้หยุดแล้วและส่งไปจัดทำไฟล์ (%(state)s): เริ่มบันทึกใหม่ในการประชุมเดิมไม่ได้")
                % {"state": recording.get_state_display()}
            )
        room, backend, spec = _room_and_backend(meeting)
        raw_dir(recording).mkdir(parents=True, exist_ok=True)
        try:
            backend.set_recording(spec, record=True, rec_dir=janus_dir(recording))
        except MediaServerError as error:
            raise ValidationError(
                _("เซิร์ฟเวอร์สื่อไม่ยอมเริ่มบันทึก (%(error)s): ลองอีกครั้ง หรือแจ้งผู้ดูแลระบบ") % {"error": error}
            ) from error
        now = timezone.now()
        recording.participants = {**recording.participants, **_participants(backend, room)}
        recording.state = State.RECORDING
        recording.started_at = recording.started_at or now
        recording.running_since = now
        recording.started_by = by
        recording.save()
        audit_record(actor=by, action=Action.UPDATE, target=recording, detail={"recording": "start"})
        return recording


def recording_stop(*, meeting: Meeting, by=None) -> MeetingRecording:
    """Switch the room's recording off and hand the raw files to processing. `by=None`: the sweep, after the
    meeting's end; then a room already gone (destroyed after the meeting, or Janus restarted) is no obstacle:
    nothing records there any more."""
    with transaction.atomic():
        recording = _locked(meeting)
        if recording.state != State.RECORDING:
            raise ValidationError(_("ไม่ได้กำลังบันทึกอยู่: ไม่มีอะไรให้หยุด"))
        try:
            room, backend, spec = _room_and_backend(meeting)
            backend.set_recording(spec, record=False)
            recording.participants = {**recording.participants, **_participants(backend, room)}
        except (ValidationError, RoomNotFound) as error:
            if by is not None and not isinstance(error, RoomNotFound):
                raise
        except MediaServerError as error:
            if by is not None:
                raise ValidationError(
                    _("เซิร์ฟเวอร์สื่อไม่ยอมหยุดบันทึก (%(error)s): ลองอีกครั้ง") % {"error": error}
                ) from error
            if not isinstance(error, PermanentMediaError):
                raise  # the sweep tries again next time
        now = timezone.now()
        if recording.running_since:
            recording.recorded_seconds += int((now - recording.running_since).total_seconds())
        recording.running_since = None
        recording.stopped_at = now
        recording.state = State.PROCESSING
        recording.lease_until = None
        recording.next_attempt_at = None
        recording.expires_at = selectors.retained_until(meeting, recording.kind)
        recording.save()
        audit_record(actor=by, action=Action.UPDATE, target=recording, detail={"recording": "stop"},
                     province_code="" if by is not None else meeting.host_site.province.code)
        task_send_on_commit(PROCESS_TASK, recording.pk)
        return recording


# --- processing ----------------------------------------------------------------------------------------------


def _claim(recording_id: int) -> tuple[int, MeetingRecording] | None:
    """Take the row for this worker: (attempt number, row), or None when it is done, in flight or not due."""
    now = timezone.now()
    with transaction.atomic():
        recording = (
            MeetingRecording.objects.select_for_update().select_related("meeting").filter(pk=recording_id).first()
        )
        if recording is None or recording.state != State.PROCESSING:
            return None
        if recording.lease_until is not None and recording.lease_until > now:
            return None  # another worker holds it
        if recording.next_attempt_at is not None and recording.next_attempt_at > now + timedelta(seconds=1):
            return None  # backing off
        recording.attempts += 1
        recording.lease_until = now + timedelta(seconds=settings.RECORDINGS_PROCESSING_LEASE_SECONDS)
        recording.next_attempt_at = None
        recording.save(update_fields=["attempts", "lease_until", "next_attempt_at", "updated_at"])
        return recording.attempts, recording


def _names(recording: MeetingRecording) -> dict[str, str]:
    """participant id -> the site's code, read from the name it showed in the room ("<code> · <name>")."""
    names = {}
    for participant, display in recording.participants.items():
        code = str(display).split(" · ", 1)[0].strip()
        if code.isdigit():
            names[str(participant)] = code
    return names


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recording_process(*, recording_id: int) -> tuple[str, int]:
    """Process the recording if it is due: ("ready" | "retry" | "failed" | "skipped" | "superseded", seconds
    until the retry)."""
    claimed = _claim(recording_id)
    if claimed is None:
        return "skipped", 0
    attempt, recording = claimed
    work = files_dir(recording) / f".tmp-{attempt}-{secrets.token_hex(4)}"
    started = time.monotonic()
    try:
        outputs = processing.process(raw_dir(recording), work, names=_names(recording))
        digests = {output.name: _sha256(work / output.name) for output in outputs}
    except (processing.ProcessingError, OSError) as error:
        shutil.rmtree(work, ignore_errors=True)
        return _failed(recording_id=recording_id, attempt=attempt, error=str(error))
    return _done(recording_id=recording_id, attempt=attempt, work=work, outputs=outputs, digests=digests,
                 seconds=time.monotonic() - started), 0


@transaction.atomic
def _done(*, recording_id: int, attempt: int, work: Path, outputs, digests: dict[str, str], seconds: float) -> str:
    """Move the files to their final names and mark the row ready with its file list, in one transaction. A worker
    whose lease was taken over (the row's attempt is not its own) throws its work away."""
    recording = MeetingRecording.objects.select_for_update().select_related("meeting").get(pk=recording_id)
    if recording.state != State.PROCESSING or recording.attempts != attempt:
        shutil.rmtree(work, ignore_errors=True)
        return "superseded"
    target = files_dir(recording)
    sites = Site.objects.filter(participations__meeting_id=recording.meeting_id).select_related("district", "province")
    codes = {site.code: site for site in sites}
    names = _names(recording)
    rows = []
    for output in outputs:
        os.replace(work / output.name, target / output.name)
        code = names.get(output.participant, "")
        site = codes.get(code)
        if output.kind == "mixed":
            label = _("ภาพรวมทั้งการประชุม (ทุกสถานที่)")
        elif site is not None:
            label = site.name
        else:
            label = _("ผู้เข้าร่วมหมายเลข %(id)s") % {"id": output.participant}
        rows.append(RecordingFile(
            recording=recording, kind=output.kind, site=site, label=label,
            path=f"{recording.meeting_id}/{output.name}", size=output.size, duration_seconds=output.duration,
            offset_seconds=output.offset, sha256=digests[output.name],
        ))
    for row in rows:
        row.full_clean(exclude=["recording"])
    RecordingFile.objects.filter(recording=recording).delete()  # a run whose commit failed left none; be sure
    RecordingFile.objects.bulk_create(rows)
    shutil.rmtree(work, ignore_errors=True)
    for leftover in target.glob(".tmp-*"):  # older attempts' work (their workers are gone: their lease ran out)
        shutil.rmtree(leftover, ignore_errors=True)
    recording.state = State.READY
    recording.processed_at = timezone.now()
    recording.processing_seconds = round(seconds, 3)
    recording.lease_until = None
    recording.last_error = ""
    recording.save()
    return "ready"


@transaction.atomic
def _failed(*, recording_id: int, attempt: int, error: str) -> tuple[str, int]:
    recording = MeetingRecording.objects.select_for_update().get(pk=recording_id)
    if recording.state != State.PROCESSING or recording.attempts != attempt:
        return "superseded", 0
    backoff = list(settings.RECORDINGS_PROCESSING_BACKOFF)
    recording.last_error = error[:500]
    recording.lease_until = None
    if recording.attempts > len(backoff):
        recording.state = State.FAILED
        recording.save()
        logger.error("recording %s failed after %s attempts: %s", recording_id, recording.attempts, error)
        return "failed", 0
    delay = backoff[recording.attempts - 1]
    recording.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    recording.save()
    logger.warning("recording %s: attempt %s failed (%s); again in %s s", recording_id, attempt, error, delay)
    return "retry", delay


def recordings_sweep(*, now=None) -> dict[str, int]:
    """Stop recordings still running after their meeting (and its grace), note who is in the rooms that record,
    and send again the processing that was lost (a killed worker's lease ran out) or is due after a back-off."""
    now = now or timezone.now()
    grace = timedelta(minutes=settings.RECORDINGS_STOP_AFTER_END_MINUTES)
    stopped = noted = sent = 0
    for recording in selectors.recordings_running():
        meeting = recording.meeting
        try:
            if meeting.end + grace < now or meeting.status == Meeting.Status.CANCELLED:
                recording_stop(meeting=meeting)
                stopped += 1
            else:
                noted += _note_participants(recording_id=recording.pk)
        except (ValidationError, MediaServerError) as error:
            logger.warning("recordings sweep: meeting %s: %s", meeting.pk, error)
    for recording_id in selectors.recordings_processing_due(now=now).values_list("pk", flat=True):
        sent += task_send(PROCESS_TASK, recording_id)
    return {"stopped": stopped, "noted": noted, "sent": sent}


def _note_participants(*, recording_id: int) -> int:
    """Who is in the room now (a site that joined after the recording began), kept on the row; and the room still
    records: a Janus that restarted re-created the room (the rooms sweep) without its recording, switched on again
    here."""
    recording = MeetingRecording.objects.select_related("meeting").get(pk=recording_id)
    try:
        room, backend, spec = _room_and_backend(recording.meeting)
    except ValidationError:
        return 0
    checker = getattr(backend, "room_recording", None)
    if checker is not None and checker(room.number) is False:
        logger.warning("recording of meeting %s: the room no longer records; switching it on again",
                       recording.meeting_id)
        backend.set_recording(spec, record=True, rec_dir=janus_dir(recording))
    seen = _participants(backend, room)
    with transaction.atomic():
        locked = MeetingRecording.objects.select_for_update().get(pk=recording_id)
        new = {key: value for key, value in seen.items() if key not in locked.participants}
        if new:
            locked.participants = {**locked.participants, **new}
            locked.save(update_fields=["participants", "updated_at"])
    return len(new)


# --- retention -----------------------------------------------------------------------------------------------


def recordings_retention_sweep(*, now=None) -> int:
    """Delete the files of every recording whose retention has ended; returns how many recordings."""
    now = now or timezone.now()
    deleted = 0
    for recording_id in selectors.recordings_expired(now=now).values_list("pk", flat=True):
        deleted += recording_delete_expired(recording_id=recording_id, now=now)
    return deleted


@transaction.atomic
def recording_delete_expired(*, recording_id: int, now=None) -> int:
    """Delete an expired recording's files (playable and raw); the row and its file list stay, with when and by
    which rule. Deleting again is harmless."""
    now = now or timezone.now()
    recording = (
        MeetingRecording.objects.select_for_update()
        .select_related("meeting__host_site__province").filter(pk=recording_id).first()
    )
    if recording is None or recording.state == State.DELETED or not recording.expires_at or recording.expires_at > now:
        return 0
    shutil.rmtree(files_dir(recording), ignore_errors=True)
    if recording.rec_dir:
        shutil.rmtree(raw_dir(recording), ignore_errors=True)
    days = selectors.retention_days(recording.kind)
    recording.state = State.DELETED
    recording.deleted_at = now
    recording.deleted_by_rule = _("เก็บ %(days)s วันหลังการประชุม (%(kind)s) ครบเมื่อ %(date)s") % {
        "days": days, "kind": recording.get_kind_display(),
        "date": format_be_long(recording.expires_at),
    }
    recording.full_clean()
    recording.save()
    audit_record(actor=None, action=Action.DELETE, target=recording, detail={"rule": recording.deleted_by_rule},
                 province_code=recording.meeting.host_site.province.code)
    return 1


# --- access --------------------------------------------------------------------------------------------------


@transaction.atomic
def recording_file_download(*, file: RecordingFile, user) -> Path:
    """Record the download in the audit log (committed with the answer) and return the file's path; a file that
    is not on disk is refused in Thai (never a 500)."""
    path = stored_path(file)
    if not path.is_file():
        raise ValidationError(_("ไม่พบไฟล์นี้ในที่เก็บ (อาจถูกลบตามกำหนดเก็บแล้ว): แจ้งผู้ดูแลระบบหากต้องการตรวจสอบ"))
    audit_record(actor=user, action=Action.EXPORT, target=file,
                 detail={"recording_download": file.path, "meeting": file.recording.meeting_id, "size": file.size})
    return path


# --- PDPA ----------------------------------------------------------------------------------------------------


@transaction.atomic
def erasure_request_record(*, meeting: Meeting, requester_name: str, requester_contact: str, details: str,
                           by) -> ErasureRequest:
    """Record a person's request to erase a recording of them, and answer it: the recording is an official
    record kept under the Decree until its retention ends, then deleted with everything in it."""
    recording = MeetingRecording.objects.filter(meeting=meeting).first()
    kind = recording.kind if recording else selectors.default_kind(meeting)
    until = (recording.expires_at if recording and recording.expires_at else None) or selectors.retained_until(
        meeting, kind)
    when = format_be_long(meeting.start)
    answer = _(
        "เรียน คุณ%(name)s  การบันทึกภาพและเสียงการประชุม “%(title)s” เมื่อ %(when)s เป็นหลักฐานของทางราชการ "
        "ที่ต้องจัดเก็บตามพระราชกำหนดว่าด้วยการประชุมผ่านสื่ออิเล็กทรอนิกส์ พ.ศ. 2563 และมาตรฐานการรักษาความมั่นคง"
        "ปลอดภัยของการประชุมผ่านสื่ออิเล็กทรอนิกส์ พ.ศ. 2563 จึงลบหรือตัดเฉพาะส่วนที่เกี่ยวกับท่านไม่ได้ "
        "(พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 33 วรรคหนึ่ง ประกอบมาตรา 24 (4)) "
        "บันทึกนี้จะเก็บไว้ถึง %(until)s แล้วลบทั้งหมด ระหว่างนี้เปิดได้เฉพาะผู้มีสิทธิ์ และทุกการดาวน์โหลดถูกบันทึกไว้"
    ) % {"name": requester_name, "title": meeting.title, "when": when,
         "until": format_be_long(until)}
    request = ErasureRequest(meeting=meeting, requester_name=requester_name, requester_contact=requester_contact,
                             details=details, recorded_by=by, answer=answer, retained_until=until,
                             answered_at=timezone.now())
    request.full_clean()
    request.save()
    audit_record(actor=by, action=Action.CREATE, target=request, detail={"erasure_request": request.pk})
    return request
