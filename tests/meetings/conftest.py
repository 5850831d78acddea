"""Fixtures of the meetings tests: schedulers, media-server rows, and a real Janus shared by the session."""

from __future__ import annotations

import pytest

from meetings.backends.fake import FakeBackend
from meetings.models import MediaServer
from tests.factories.meetings import MediaServerFactory, SchedulerFactory
from tests.services.janus import JanusServer, JoinRefused, RawParticipant


@pytest.fixture
def scheduler(db):
    return SchedulerFactory.create()


@pytest.fixture
def fake_server(db):
    """A fake media server row, for tests about scheduling rather than about a media server."""
    FakeBackend.reset()
    server = MediaServerFactory.create(name="fake", kind=MediaServer.Kind.FAKE)
    yield server
    FakeBackend.reset()


@pytest.fixture(scope="session")
def janus():
    """A real Janus from Debian's package on free ports, started once for the session and stopped after."""
    with JanusServer() as server:
        yield server


@pytest.fixture
def janus_env(janus, monkeypatch):
    """The Janus secrets in the environment, as production provides them (the row only names them)."""
    if not janus.running:
        janus.start()
    monkeypatch.setenv("JANUS_TEST_ADMIN_SECRET", janus.admin_secret)
    monkeypatch.setenv("JANUS_TEST_ADMIN_KEY", janus.admin_key)
    return janus


@pytest.fixture
def janus_server(janus_env, db):
    """A MediaServer row pointing at the session's real Janus."""
    return MediaServerFactory.create(
        name="janus-test",
        kind=MediaServer.Kind.JANUS,
        url=janus_env.base_url,
        admin_url=janus_env.admin_url,
        secret_env="JANUS_TEST",
        capacity_sites=500,
    )


def janus_pin_accepted(janus: JanusServer, room: int, pin: str) -> bool:
    """Join the room as a publisher through the Janus API with `pin`: True if Janus lets us in, False if refused.

    Janus's `list` only says whether a pin is required; joining is how a browser learns whether a pin is right.
    """
    with RawParticipant(janus, room, display="t", pin=pin) as participant:
        try:
            participant.enter()
        except JoinRefused:
            return False
    return True



@pytest.fixture
def geography_restored(django_db_blocker):
    """Put back the geography and sites after a test whose worker or threads committed and then flushed.

    (The shared conftest now restores transactional tests from a snapshot; this stays for tests that use it.)
    """
    yield
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_geography", verbosity=0)
        call_command("create_province_sites", "41", verbosity=0)
