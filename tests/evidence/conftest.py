"""Fixtures of the evidence tests: the minutes tests' series (hall + Mueang + Kumphawapi, the first meeting under
way, its roll, attendance and a closed vote), a test CA and the province's certificate in the environment, and the
files of the test (documents, recordings, packs) in the test's own directory."""

from __future__ import annotations

import pytest

from tests.minutes.certificates import make_pki

# The series, the held meeting and the media-server fixtures (scheduler, fake_server, ...) of the minutes tests.
from tests.minutes.conftest import *  # noqa: F403
from tests.minutes.conftest import HALL, KUMPHAWAPI, MUEANG  # noqa: F401

SIGNING_ENV = ("PRACHUM_MINUTES_SIGNING_CERT", "PRACHUM_MINUTES_SIGNING_KEY", "PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE",
               "PRACHUM_MINUTES_SIGNING_PKCS12")


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    settings.RECORDINGS_RAW_ROOT = tmp_path / "recordings-raw"
    settings.RECORDINGS_ACCEL_REDIRECT = ""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.EVIDENCE_ACCEL_REDIRECT = ""
    return tmp_path


@pytest.fixture
def no_certificate(monkeypatch):
    for name in SIGNING_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_41", raising=False)


@pytest.fixture
def pki(tmp_path, monkeypatch, no_certificate):
    (tmp_path / "pki").mkdir()
    made = make_pki(tmp_path / "pki")
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_CERT", str(made.cert_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY", str(made.key_path))
    monkeypatch.setenv("PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE", made.passphrase)
    return made
