"""What a meeting's evidence pack holds, read from the other apps' rows and files (never recomputed live figures
where a row keeps what was decided: the minutes' signed PDFs, the closed votes' counts).

Every file is one a person can open: CSV (UTF-8 with BOM, so Excel shows the Thai), JSON, the signed PDFs, the
documents and recordings as they were stored. Times are the database server's, written ISO 8601 in Asia/Bangkok
(+07:00). The layout (see docs/operations.md):

    meeting.json                 the meeting: title, times, host, invited sites and agencies, agenda
    minutes/versions.json        every version of the minutes: state, digests, signer, approval
    minutes/v<n>-signed.pdf      each approved (or superseded) version's signed PDF (v<n>-unsigned.pdf if unsigned)
    roll.csv                     every roll entry: holder, person, position, role, reason, who recorded it, when
    attendance.csv               every connection: holder, name shown in the room, joined, last seen, left
    votes.json, votes.csv        every vote: counts (a secret vote: counts only), voters of an open vote
    documents/<id>-<name>        the meeting's documents
    recordings/recordings.json   the recording's state, and each file's label, duration, SHA-256
    recordings/<name>.webm       the recording's files (when ready and not deleted)
    fault_reports.csv            the sites' fault reports and their resolution
    traffic_log.csv, .json       one line per event, in time order: joins and leaves, roll entries, votes opened and
                                 closed, fault reports, and every audit entry of the meeting (who did what)
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from foundation.models import AuditEntry
from join.models import Attendance, JoinPass
from meetings.models import Document, Meeting
from minutes.models import MinutesVersion
from proceedings.models import RollEntry, Vote
from proceedings.selectors import meeting_votes
from recordings.models import MeetingRecording

from .models import FaultReport


@dataclass(frozen=True)
class PackFile:
    """One file of the pack: its path inside the archive, and its bytes or the stored file they come from."""

    path: str
    data: bytes | None = None
    source: Path | None = None


def when(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # Text that a spreadsheet would read as a formula is written as text (as foundation/exporters.py does).
        writer.writerow([f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
                         for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str).encode("utf-8") + b"\n"


def safe_name(name: str) -> str:
    """A file name safe in any archive tool: no directories, no control characters; Thai letters kept."""
    cleaned = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", "_", name).strip(" .") or "file"
    return cleaned[:120]


def _holder(join_pass: JoinPass | None, site=None, agency=None) -> tuple[str, str]:
    """(code, name) of a pass holder: a site's code, or "agency-<id>"."""
    if join_pass is not None:
        site, agency = join_pass.site, join_pass.agency
    if site is not None:
        return site.code, site.name
    if agency is not None:
        return f"agency-{agency.pk}", agency.name
    return "", ""


def pack_files(meeting: Meeting) -> list[PackFile]:  # noqa: PLR0912, PLR0915 - one section per kind of record
    """Every file of the meeting's pack (without the manifest), in a stable order."""
    files: list[PackFile] = []
    events: list[dict] = []

    def event(at, kind: str, who: str, holder: str = "", detail: str = "") -> None:
        events.append({"at": at, "event": kind, "holder": holder, "by": who, "detail": detail})

    # The meeting itself
    participations = sorted(meeting.participations.select_related("site__district", "site__province"),
                            key=lambda p: p.site.code)
    invitations = list(meeting.agency_invitations.select_related("agency").order_by("agency__name"))
    files.append(PackFile("meeting.json", _json({
        "id": meeting.pk, "title": meeting.title, "status": meeting.status,
        "start": when(meeting.start), "end": when(meeting.end),
        "province": meeting.host_site.province.code,
        "host_site": {"code": meeting.host_site.code, "name": meeting.host_site.name},
        "sites": [{"code": p.site.code, "name": p.site.name, "role": p.role, "active": p.active}
                  for p in participations],
        "agencies": [{"id": i.agency.pk, "name": i.agency.name} for i in invitations],
        "agenda": [str(item) for item in (meeting.agenda or [])],
        "pack_made_at": when(timezone.now()),
    })))

    # The minutes: every approved (or since superseded) version, signed
    versions = list(MinutesVersion.objects.filter(minutes__meeting=meeting).select_related("approval__by_meeting")
                    .order_by("number"))
    described = []
    for version in versions:
        entry = {"number": version.number, "state": version.state, "content_sha256": version.digest,
                 "pdf_sha256": version.pdf_digest, "signed_pdf_sha256": version.signed_digest,
                 "signer": version.signer, "signed_at": when(version.signed_at), "sign_error": version.sign_error,
                 "file": ""}
        approval = getattr(version, "approval", None)
        if approval is not None:
            entry["approval"] = {"by_meeting": approval.by_meeting_id, "decision": approval.decision,
                                 "method": approval.method, "corrections": approval.corrections,
                                 "recorded_at": when(approval.recorded_at)}
        if version.is_locked:
            stored = version.signed_pdf or version.pdf
            if stored:
                name = f"minutes/v{version.number}-{'signed' if version.signed_pdf else 'unsigned'}.pdf"
                files.append(PackFile(name, source=Path(stored.path)))
                entry["file"] = name
        described.append(entry)
    files.append(PackFile("minutes/versions.json", _json(described)))

    # The roll, with who recorded each entry and when (the database server's time)
    roll = list(RollEntry.objects.filter(meeting=meeting)
                .select_related("join_pass__site__district", "join_pass__site__province", "join_pass__agency")
                .order_by("recorded_at", "pk"))
    rows = []
    for entry in roll:
        code, name = _holder(entry.join_pass)
        rows.append([code, name, entry.name, entry.position, entry.role, entry.reason, entry.recorded_by_label,
                     when(entry.recorded_at)])
        event(entry.recorded_at, "roll_entry", entry.recorded_by_label, name,
              f"{entry.name} · {entry.get_role_display()}" + (f" · {entry.reason}" if entry.reason else ""))
    files.append(PackFile("roll.csv", _csv(
        ["holder_code", "holder", "name", "position", "role", "reason", "recorded_by", "recorded_at"], rows)))

    # Attendance: every connection, as the media server reported it
    attendance = list(Attendance.objects.filter(meeting=meeting)
                      .select_related("site__district", "site__province", "agency")
                      .order_by("joined_at", "pk"))
    rows = []
    for row in attendance:
        code, name = _holder(None, row.site, row.agency)
        rows.append([code, name, row.display, when(row.joined_at), when(row.last_seen_at), when(row.left_at)])
        event(row.joined_at, "join", "", name or row.display, row.display)
        if row.left_at:
            event(row.left_at, "leave", "", name or row.display, row.display)
    files.append(PackFile("attendance.csv", _csv(
        ["holder_code", "holder", "display", "joined_at", "last_seen_at", "left_at"], rows)))

    # Votes: a secret vote's counts only (meeting_votes gives no voters for it)
    results = meeting_votes(meeting=meeting)
    vote_rows = list(Vote.objects.filter(meeting=meeting).select_related("opened_by").order_by("opened_at", "pk"))
    files.append(PackFile("votes.json", _json([
        {**asdict(result), "opened_at": when(result.opened_at), "closed_at": when(result.closed_at),
         "voters": [{"voter": voter, "choice": choice} for voter, choice in result.voters]}
        for result in results
    ])))
    files.append(PackFile("votes.csv", _csv(
        ["agenda_item", "question", "secret", "by", "status", *(results[0].counts if results else []), "cast",
         "eligible", "quorum", "quorum_met", "opened_at", "closed_at"],
        [[r.agenda_item, r.question, r.secret, r.by, r.status, *r.counts.values(), r.cast, r.eligible, r.quorum,
          r.quorum_met, when(r.opened_at), when(r.closed_at)] for r in results],
    )))
    for vote in vote_rows:
        opener = vote.opened_by.get_username() if vote.opened_by else ""
        event(vote.opened_at, "vote_opened", opener, "", f"{vote.agenda_item}: {vote.question}")
        if vote.closed_at:
            event(vote.closed_at, "vote_closed", "", "", f"{vote.agenda_item}: {vote.question}")

    # Documents
    for document in Document.objects.filter(meeting=meeting).order_by("uploaded_at", "pk"):
        if document.file:
            files.append(PackFile(f"documents/{document.pk}-{safe_name(document.name)}",
                                  source=Path(document.file.path)))

    # Recordings: the files when ready and not deleted; the row says what became of them otherwise
    recording = MeetingRecording.objects.filter(meeting=meeting).prefetch_related("files").first()
    if recording is not None:
        listed = []
        for file in recording.files.all():
            path = Path(settings.RECORDINGS_ROOT) / file.path
            packed = ""
            if recording.state == MeetingRecording.State.READY and path.is_file():
                packed = f"recordings/{safe_name(Path(file.path).name)}"
                files.append(PackFile(packed, source=path))
            listed.append({"label": file.label, "kind": file.kind, "duration_seconds": file.duration_seconds,
                           "size": file.size, "sha256": file.sha256, "file": packed})
        files.append(PackFile("recordings/recordings.json", _json({
            "state": recording.state, "enabled": recording.enabled, "kind": recording.kind,
            "started_at": when(recording.started_at), "stopped_at": when(recording.stopped_at),
            "recorded_seconds": recording.recorded_seconds, "expires_at": when(recording.expires_at),
            "deleted_at": when(recording.deleted_at), "deleted_by_rule": recording.deleted_by_rule, "files": listed,
        })))

    # Fault reports
    reports = list(FaultReport.objects.filter(meeting=meeting)
                   .select_related("join_pass__site__district", "join_pass__site__province", "join_pass__agency")
                   .order_by("reported_at", "pk"))
    rows = []
    for report in reports:
        code, name = _holder(report.join_pass)
        rows.append([code, name, report.kind, report.get_kind_display(), report.note, when(report.reported_at),
                     when(report.resolved_at), report.resolved_by_label])
        event(report.reported_at, "fault_reported", "", name, f"{report.get_kind_display()} {report.note}".strip())
        if report.resolved_at:
            event(report.resolved_at, "fault_resolved", report.resolved_by_label, name, report.get_kind_display())
    files.append(PackFile("fault_reports.csv", _csv(
        ["holder_code", "holder", "kind", "kind_label", "note", "reported_at", "resolved_at", "resolved_by"], rows)))

    # The audit entries of the meeting: about the meeting itself, its recording, or naming it in their detail
    about = Q(target_type="meetings.Meeting", target_id=str(meeting.pk)) | Q(detail__meeting=meeting.pk)
    if recording is not None:
        about |= Q(target_type="recordings.MeetingRecording", target_id=str(recording.pk))
    for entry in AuditEntry.objects.filter(about).order_by("at", "pk"):
        event(entry.at, f"audit:{entry.action}", entry.actor_username or "system", "",
              f"{entry.target_type} {entry.target_id} {entry.target_repr} "
              + json.dumps(entry.detail, ensure_ascii=False, sort_keys=True, default=str))

    events.sort(key=lambda item: (item["at"], item["event"]))
    for item in events:
        item["at"] = when(item["at"])
    files.append(PackFile("traffic_log.csv", _csv(["at", "event", "holder", "by", "detail"],
                                                  [list(item.values()) for item in events])))
    files.append(PackFile("traffic_log.json", _json(events)))
    return files
