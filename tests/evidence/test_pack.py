"""The evidence pack (issue 17, part 3), built for a test meeting: the roll of three sites, a closed open vote and a
closed secret vote, approved minutes signed with a test CA's certificate (as tests/minutes do), a document,
attendance rows, a fault report and a recording (a MeetingRecording row made ready with one small mixed file on
disk, not processed by ffmpeg: tests/recordings process real ones). The verifier (the command and the standalone
script) accepts it; one byte changed in any file fails naming the file; an altered manifest fails on the signature;
a manifest signed with another CA's certificate fails against the province's CA."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import Staff
from evidence import pack_verifier, services
from evidence.models import EvidencePack
from foundation.models import AuditEntry
from join import selectors as join_selectors
from meetings.models import Document
from minutes import services as minutes_services
from proceedings import services as proceedings
from recordings import services as recording_services
from recordings.models import MeetingRecording, RecordingFile
from tests.minutes.certificates import make_pki
from tests.minutes.conftest import hold_first_meeting
from tests.proceedings.conftest import pass_of

from .conftest import HALL, KUMPHAWAPI, MUEANG, SIGNING_ENV

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
STANDALONE = ROOT / "tools" / "verify_evidence_pack.py"
MIXED = b"\x1a\x45\xdf\xa3 a small stand-in for a mixed WebM " * 8

# Every file of the test meeting's pack (test_the_pack_holds_every_record checks the list is exactly this).
PACK_FILES = [
    "meeting.json", "minutes/v1-signed.pdf", "minutes/versions.json", "roll.csv", "attendance.csv", "votes.json",
    "votes.csv", "documents/{document}-วาระการประชุม.pdf", "recordings/mixed.webm", "recordings/recordings.json",
    "fault_reports.csv", "traffic_log.csv", "traffic_log.json", "manifest.json", "manifest.json.p7s",
]


def make_evidence_meeting(series, capture, settings):
    """The first meeting of the series held (roll, attendance, votes), its minutes approved and signed, a document,
    a fault report and a ready recording."""
    meeting, scheduler = series.meetings[0], series.scheduler
    hold_first_meeting(meeting, scheduler)
    secret = proceedings.vote_open(meeting=meeting, agenda_item=3, question="ลงคะแนนลับเรื่องบุคคล", secret=True,
                                   opened_by=scheduler)
    for code, choice in ((HALL, "approve"), (MUEANG, "reject"), (KUMPHAWAPI, "approve")):
        proceedings.vote_cast(vote=secret, join_pass=pass_of(meeting, code), choice=choice)
    proceedings.vote_close(vote=secret, closed_by=scheduler)
    with capture(execute=True):
        version = minutes_services.minutes_draft(meeting=meeting, by=scheduler)
        minutes_services.minutes_send(minutes=version.minutes, by=scheduler)
    with capture(execute=True):  # the signing task runs on commit (eagerly in the tests)
        minutes_services.minutes_approve(minutes=version.minutes, by_meeting=series.meetings[1], decision="as_is",
                                         method="consensus", by=scheduler)
    version.refresh_from_db()
    assert version.signed_pdf, version.sign_error
    document = Document.objects.create(meeting=meeting, file=ContentFile(b"%PDF-1.4\n% agenda\n%%EOF\n",
                                                                         name="agenda.pdf"),
                                       name="วาระการประชุม.pdf", kind=Document.Kind.PDF, size=24)
    services.fault_report_create(join_pass=join_selectors.join_pass_get(token=pass_of(meeting, MUEANG).token),
                                 kind="no_audio")
    recording = recording_services.recording_ensure(meeting=meeting)  # made when the meeting was scheduled
    recording.state, recording.recorded_seconds = MeetingRecording.State.READY, 3
    recording.save()
    folder = Path(settings.RECORDINGS_ROOT) / str(meeting.pk)
    folder.mkdir(parents=True)
    (folder / "mixed.webm").write_bytes(MIXED)
    RecordingFile.objects.create(recording=recording, kind=RecordingFile.Kind.MIXED, label="ภาพรวม",
                                 path=f"{meeting.pk}/mixed.webm", size=len(MIXED), duration_seconds=3.0,
                                 sha256=hashlib.sha256(MIXED).hexdigest())
    return meeting, document


@pytest.fixture
def evidence_meeting(series, pki, django_capture_on_commit_callbacks, settings):
    meeting, document = make_evidence_meeting(series, django_capture_on_commit_callbacks, settings)
    return meeting, document, series.scheduler


@pytest.fixture
def built(evidence_meeting, tmp_path, pki):
    """The pack made by the command (`manage.py evidence_pack <id> --out`), and the province's CA."""
    meeting, document, _scheduler = evidence_meeting
    out = tmp_path / "pack.zip"
    call_command("evidence_pack", str(meeting.pk), "--out", str(out), stdout=io.StringIO())
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.ca_pem)
    return out, ca, meeting, document


def names_of(pack: Path) -> list[str]:
    with zipfile.ZipFile(pack) as archive:
        return [info.filename for info in archive.infolist()]


def rewritten(pack: Path, target: Path, *, change: str | None = None, add: dict | None = None,
              drop: str | None = None, replace: dict | None = None) -> Path:
    """The pack rewritten as a valid zip: one byte of `change` altered, files added, dropped or replaced."""
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            if info.filename == drop:
                continue
            data = source.read(info.filename)
            if replace and info.filename in replace:
                data = replace[info.filename]
            if info.filename == change:
                changed = bytearray(data)
                changed[len(data) // 2] ^= 0x01
                data = bytes(changed)
            out.writestr(info, data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return target


def verify_command(pack: Path, ca: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("evidence_verify", str(pack), "--ca", str(ca), stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def verify_standalone(pack: Path, ca: Path) -> tuple[int, str]:
    """The standalone script as someone outside runs it: isolated (-I: no project on the path)."""
    result = subprocess.run([sys.executable, "-I", str(STANDALONE), str(pack), "--ca", str(ca)],
                            capture_output=True, check=False, cwd="/", text=True)
    return result.returncode, result.stdout + result.stderr


def test_the_pack_holds_every_record_and_both_verifiers_accept_it(built):
    pack, ca, meeting, document = built
    expected = [name.format(document=document.pk) for name in PACK_FILES]
    assert sorted(names_of(pack)) == sorted(expected)
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert {item["path"] for item in manifest["files"]} == set(expected) - {"manifest.json", "manifest.json.p7s"}
        assert manifest["meeting"]["id"] == meeting.pk
        votes = json.loads(archive.read("votes.json"))
        secret = next(vote for vote in votes if vote["secret"])
        assert secret["voters"] == []  # a secret vote: counts only
        assert sorted(secret["counts"].values()) == [0, 1, 2]
        public = next(vote for vote in votes if not vote["secret"])
        assert len(public["voters"]) == 3
        roll = archive.read("roll.csv").decode("utf-8-sig")
        assert "นายประธาน ใจดี" in roll
        assert "ติดราชการที่กรุงเทพฯ" in roll
        attendance = archive.read("attendance.csv").decode("utf-8-sig")
        assert attendance.count("+07:00") >= 6  # server times, Bangkok
        traffic = json.loads(archive.read("traffic_log.json"))
        events = {item["event"] for item in traffic}
        assert {"join", "leave", "roll_entry", "vote_opened", "vote_closed", "fault_reported"} <= events
        assert any(item["event"].startswith("audit:") for item in traffic)
        assert any(item["event"] == "roll_entry" and item["by"] for item in traffic)  # who recorded it
        # A secret ballot's audit entry says who voted, never how
        secret_ballots = [item for item in traffic if '"ballot": "secret"' in item["detail"]]
        assert len(secret_ballots) == 3
        assert not any('"choice"' in item["detail"] for item in secret_ballots)
        assert "ไม่มีเสียง" in archive.read("fault_reports.csv").decode("utf-8-sig")
        assert archive.read("recordings/mixed.webm") == MIXED
        assert archive.read("minutes/v1-signed.pdf").startswith(b"%PDF")

    code, output = verify_command(pack, ca)
    assert code == 0, output
    assert "OK signature of manifest.json" in output
    assert "VERIFIED" in output
    code, output = verify_standalone(pack, ca)
    assert code == 0, output
    assert "VERIFIED" in output
    for name in expected[:-2]:
        assert f"OK {name}" in output

    row = EvidencePack.objects.get(meeting=meeting)
    assert row.state == EvidencePack.State.READY
    assert row.file_count == len(expected) - 2
    assert hashlib.sha256(pack.read_bytes()).hexdigest() == row.sha256


@pytest.mark.parametrize("name", PACK_FILES)
def test_one_byte_changed_in_any_file_fails_and_names_it(built, tmp_path, name):
    pack, ca, _meeting, document = built
    name = name.format(document=document.pk)
    tampered = rewritten(pack, tmp_path / "tampered.zip", change=name)
    report = pack_verifier.verify_pack(tampered, pack_verifier.load_roots([ca]))
    assert not report.ok
    if name == "manifest.json":  # not the signed manifest: its signature fails (and the entry changed with it)
        assert report.failures[0] == name
        assert any(line.startswith("FAILED manifest.json: signature") for line in report.lines)
    elif name == "manifest.json.p7s":  # the signature itself does not check
        assert report.failures[0] in {"manifest.json.p7s", "manifest.json"}, report.lines
    else:
        assert report.failures == [name], report.lines
    code, output = verify_standalone(tampered, ca)
    assert code == 1
    assert f"FAILED {report.failures[0]}" in output
    code, output = verify_command(tampered, ca)
    assert code == 1
    assert f"FAILED {report.failures[0]}" in output


def test_a_byte_changed_in_the_archive_itself_fails_naming_the_file(built, tmp_path):
    pack, ca, _meeting, _document = built
    data = bytearray(pack.read_bytes())
    offset = bytes(data).index(MIXED) + 10  # stored as it is: the recording's bytes are in the archive
    data[offset] ^= 0x01
    tampered = tmp_path / "raw.zip"
    tampered.write_bytes(bytes(data))
    code, output = verify_standalone(tampered, ca)
    assert code == 1
    assert "FAILED recordings/mixed.webm" in output


def test_an_altered_manifest_fails_on_the_signature(built, tmp_path):
    pack, ca, _meeting, _document = built
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["files"] = [item for item in manifest["files"] if item["path"] != "recordings/mixed.webm"]
    altered = rewritten(pack, tmp_path / "altered.zip", drop="recordings/mixed.webm",
                        replace={"manifest.json": json.dumps(manifest, ensure_ascii=False, indent=2).encode()})
    code, output = verify_standalone(altered, ca)
    assert code == 1
    assert "FAILED manifest.json: signature" in output
    assert "not the file that was signed" in output


def test_a_manifest_signed_by_another_certificate_fails_against_the_provinces_ca(built, tmp_path):
    pack, ca, _meeting, _document = built
    (tmp_path / "other").mkdir()
    other = make_pki(tmp_path / "other")
    key = serialization.load_pem_private_key(other.key_path.read_bytes(), password=other.passphrase.encode())
    cert = x509.load_pem_x509_certificate(other.cert_path.read_bytes())
    with zipfile.ZipFile(pack) as archive:
        manifest = archive.read("manifest.json")
    signature = (pkcs7.PKCS7SignatureBuilder().set_data(manifest).add_signer(cert, key, hashes.SHA256())
                 .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))
    resigned = rewritten(pack, tmp_path / "resigned.zip", replace={"manifest.json.p7s": signature})
    code, output = verify_standalone(resigned, ca)
    assert code == 1
    assert "does not chain to the given trust root" in output
    # ... and it verifies against its own CA: the refusal is about trust, not the format
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(other.ca_pem)
    assert verify_standalone(resigned, other_ca)[0] == 0


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01", b"not a signature at all", bytes(range(256)) * 4])
def test_a_signature_that_is_not_one_fails_naming_it(built, tmp_path, garbage):
    pack, ca, _meeting, _document = built
    code, output = verify_standalone(rewritten(pack, tmp_path / "garbage.zip",
                                               replace={"manifest.json.p7s": garbage}), ca)
    assert code == 1, output
    assert "FAILED manifest.json.p7s: signature" in output
    assert "Traceback" not in output


def test_a_missing_or_an_extra_file_fails_naming_it(built, tmp_path):
    pack, ca, _meeting, _document = built
    code, output = verify_standalone(rewritten(pack, tmp_path / "extra.zip", add={"notes.txt": b"x"}), ca)
    assert code == 1
    assert "FAILED notes.txt" in output
    code, output = verify_standalone(rewritten(pack, tmp_path / "missing.zip", drop="roll.csv"), ca)
    assert code == 1
    assert "FAILED roll.csv: missing" in output
    # An unpacked directory is checked the same way
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(folder)
    assert verify_standalone(folder, ca)[0] == 0
    (folder / "roll.csv").write_bytes(b"changed")
    code, output = verify_standalone(folder, ca)
    assert code == 1
    assert "FAILED roll.csv" in output


def test_the_page_asks_a_worker_and_the_download_is_checked_and_audited(evidence_meeting, client, login,
                                                                         django_capture_on_commit_callbacks):
    meeting, _document, _scheduler = evidence_meeting
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    detail = scheduler.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).content.decode()
    assert reverse("evidence:meeting", kwargs={"pk": meeting.pk}) in detail
    with django_capture_on_commit_callbacks(execute=True):  # the build task, sent on commit (eager in the tests)
        response = scheduler.post(reverse("evidence:pack-request", kwargs={"pk": meeting.pk}))
    assert response.status_code == 302
    pack = EvidencePack.objects.get(meeting=meeting)  # built by the task on commit (eager in the tests)
    assert pack.state == EvidencePack.State.READY, pack.error
    assert AuditEntry.objects.filter(target_type="evidence.EvidencePack", target_id=str(pack.pk),
                                     action=AuditEntry.Action.CREATE).exists()
    page = scheduler.get(reverse("evidence:meeting", kwargs={"pk": meeting.pk})).content.decode()
    download = reverse("evidence:pack-download", kwargs={"pk": meeting.pk, "pack_id": pack.pk})
    assert download in page

    # A clerk (of a site in the meeting or not) cannot download it; finance neither; another province: not found
    for role, code in ((Staff.Role.CLERK, MUEANG), (Staff.Role.CLERK, "4122"), (Staff.Role.FINANCE, HALL)):
        other = login(role, code)
        assert other.get(download).status_code == 404
        assert other.get(reverse("evidence:meeting", kwargs={"pk": meeting.pk})).status_code == 403
        assert other.post(reverse("evidence:pack-request", kwargs={"pk": meeting.pk})).status_code == 403
    assert not AuditEntry.objects.filter(detail__has_key="evidence_pack_download").exists()

    scheduler = login(Staff.Role.SCHEDULER, HALL)
    response = scheduler.get(download)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == pack.sha256
    entry = AuditEntry.objects.get(detail__has_key="evidence_pack_download")
    assert entry.actor is not None
    assert entry.actor.staff.role == Staff.Role.SCHEDULER
    assert entry.action == AuditEntry.Action.EXPORT
    assert entry.target_id == str(pack.pk)


def test_in_production_nginx_sends_the_pack_from_its_internal_location(evidence_meeting, login, settings,
                                                                        django_capture_on_commit_callbacks):
    meeting, _document, _scheduler = evidence_meeting
    settings.EVIDENCE_ACCEL_REDIRECT = "/protected-evidence/"
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.post(reverse("evidence:pack-request", kwargs={"pk": meeting.pk}))
    pack = EvidencePack.objects.get(meeting=meeting)
    response = scheduler.get(reverse("evidence:pack-download", kwargs={"pk": meeting.pk, "pack_id": pack.pk}))
    assert response["X-Accel-Redirect"] == f"/protected-evidence/{pack.path}"
    assert response.content == b""


def test_one_pack_at_a_time_a_lost_build_is_swept_and_without_a_certificate_the_row_fails(
        evidence_meeting, django_capture_on_commit_callbacks, monkeypatch):
    meeting, _document, scheduler = evidence_meeting
    for name in SIGNING_ENV:  # the minutes were signed; now the certificate is gone
        monkeypatch.delenv(name, raising=False)
    # Nothing configured: the build fails at once (no retry can help), saying what to set; the row says so
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(meeting=meeting, by=scheduler)
    pack.refresh_from_db()
    assert pack.state == EvidencePack.State.FAILED
    assert "PRACHUM_MINUTES_SIGNING_CERT" in pack.error
    assert not list(Path(services.pack_dir(meeting.pk)).glob("*.zip"))  # nothing half written is left

    # A request whose message was lost: one at a time, and the sweep sends it
    with django_capture_on_commit_callbacks(execute=False):
        waiting = services.pack_request(meeting=meeting, by=scheduler)
    with pytest.raises(Exception, match="กำลังจัดทำชุดหลักฐาน"):
        services.pack_request(meeting=meeting, by=scheduler)
    assert EvidencePack.objects.get(pk=waiting.pk).state == EvidencePack.State.REQUESTED
    # A worker that died while building: its lease runs out and the sweep gives the row to another
    EvidencePack.objects.filter(pk=waiting.pk).update(state=EvidencePack.State.BUILDING, attempts=1,
                                                      lease_until="2000-01-01T00:00:00Z")
    make = make_pki(Path(services.pack_dir(meeting.pk)).parent)
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_CERT", str(make.cert_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY", str(make.key_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE", make.passphrase)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packs_sweep() == 1
    waiting.refresh_from_db()
    assert waiting.state == EvidencePack.State.READY, waiting.error
    assert waiting.attempts == 2
    assert services.pack_build(pack_id=waiting.pk) == "skipped"  # built once


def test_the_pack_page_costs_a_fixed_number_of_queries(evidence_meeting, login, django_assert_num_queries):
    meeting, _document, _scheduler = evidence_meeting
    scheduler = login(Staff.Role.SCHEDULER, HALL)
    url = reverse("evidence:meeting", kwargs={"pk": meeting.pk})
    scheduler.get(url)  # the session's first reads
    EvidencePack.objects.create(meeting=meeting, state=EvidencePack.State.FAILED, error="x")
    with CaptureQueriesContext(connection) as one:
        assert scheduler.get(url).content.decode().count("data-pack=") == 1
    queries = len(one.captured_queries)  # read now: the next request empties the connection's log
    for _ in range(3):
        EvidencePack.objects.create(meeting=meeting, state=EvidencePack.State.FAILED, error="x",
                                    requested_by=_scheduler)
    with django_assert_num_queries(queries):
        assert scheduler.get(url).content.decode().count("data-pack=") == 4
