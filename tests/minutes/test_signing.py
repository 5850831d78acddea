"""The approved minutes signed PAdES with the province's certificate (a test CA made here): the signature verifies
with pyHanko's validator and with poppler's pdfsig, and fails after one byte of the signed content changes."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.core import checks
from django.core.management import call_command

from districts.models import Staff
from minutes import services
from minutes.checks import minutes_signing_certificate
from minutes.signing import verify_pdf
from tests.factories.districts import StaffFactory

from .certificates import make_pki
from .conftest import KUMPHAWAPI

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
ENV = ("PRACHUM_MINUTES_SIGNING_CERT", "PRACHUM_MINUTES_SIGNING_KEY", "PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE",
       "PRACHUM_MINUTES_SIGNING_PKCS12")


@pytest.fixture
def no_certificate(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_41", raising=False)


@pytest.fixture
def pki(tmp_path, monkeypatch, no_certificate):
    made = make_pki(tmp_path)
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_CERT", str(made.cert_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY", str(made.key_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE", made.passphrase)
    return made


def approve(series, capture):
    first, second, _third = series.meetings
    version = services.minutes_draft(meeting=first, by=series.scheduler)
    services.minutes_send(minutes=version.minutes, by=series.scheduler)
    with capture(execute=True):  # the signing task runs on commit (eagerly in the tests)
        services.minutes_approve(minutes=version.minutes, by_meeting=second, decision="as_is", method="consensus",
                                 by=series.scheduler)
    version.refresh_from_db()
    return version


def pdfsig(path) -> str:
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, check=False)
    return result.stdout.decode() + result.stderr.decode()


def test_signed_minutes_verify_and_fail_after_one_byte_changes(held, pki, tmp_path,
                                                               django_capture_on_commit_callbacks, client):
    version = approve(held, django_capture_on_commit_callbacks)
    assert version.signed_pdf, version.sign_error
    assert "Udon Thani Provincial Office" in version.signer
    with version.signed_pdf.open("rb") as handle:
        signed = handle.read()
    [result] = verify_pdf(signed, trust_roots_pem=[pki.ca_pem])
    assert (result.intact, result.trusted, result.valid, result.covers_whole_file) == (True, True, True, True)
    (tmp_path / "other").mkdir()
    assert verify_pdf(signed, trust_roots_pem=[make_pki(tmp_path / "other").ca_pem])[0].trusted is False
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    assert "Signature is Valid." in pdfsig(good)

    # One byte of the signed content changed (inside the first signed byte range)
    ranges = [int(n) for n in re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", signed).groups()]
    offset = ranges[0] + ranges[1] // 2
    tampered = bytearray(signed)
    tampered[offset] = (tampered[offset] + 1) % 256
    [result] = verify_pdf(bytes(tampered), trust_roots_pem=[pki.ca_pem])
    assert result.intact is False
    assert result.valid is False
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(tampered))
    assert "Signature is Valid." not in pdfsig(bad)

    # Downloaded through the permission check: the signed file for an invited site's clerk, 404 for another site's
    clerk = StaffFactory.create(role=Staff.Role.CLERK, site_code=KUMPHAWAPI).user
    client.force_login(clerk)
    response = client.get(f"/minutes/meeting/{version.minutes.meeting_id}/v1.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == signed
    client.force_login(StaffFactory.create(role=Staff.Role.CLERK, site_code="4122").user)
    assert client.get(f"/minutes/meeting/{version.minutes.meeting_id}/v1.pdf").status_code == 404


def test_without_a_certificate_approval_records_and_signing_follows(held, no_certificate, tmp_path, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    warnings = minutes_signing_certificate()
    assert [w.id for w in warnings] == ["prachum.minutes.W001"]
    assert isinstance(warnings[0], checks.Warning)
    assert "minutes" in checks.registry.registry.tags_available(deployment_checks=True)
    version = approve(held, django_capture_on_commit_callbacks)
    assert version.state == "approved"
    assert not version.signed_pdf
    assert "PRACHUM_MINUTES_SIGNING_CERT" in version.sign_error

    # A wrong passphrase: refused with the variable's name, never the passphrase
    made = make_pki(tmp_path)
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_CERT", str(made.cert_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY", str(made.key_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE", "wrong-secret-xyz")
    version = services.minutes_sign(version_id=version.pk)
    assert not version.signed_pdf
    assert "PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE" in version.sign_error
    assert "wrong-secret-xyz" not in version.sign_error

    # Configured: the operator's command signs what was approved meanwhile
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE", made.passphrase)
    assert minutes_signing_certificate() == []
    out = io.StringIO()
    call_command("sign_minutes", stdout=out)
    assert "signed 1, not signed 0" in out.getvalue()
    version.refresh_from_db()
    assert version.signed_pdf
    assert version.sign_error == ""
    with version.signed_pdf.open("rb") as handle:
        assert verify_pdf(handle.read(), trust_roots_pem=[made.ca_pem])[0].valid
