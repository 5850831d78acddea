"""Fixtures of the notifications tests: people with email addresses at sites, an agency, a LINE group."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from email.message import Message

import icalendar
import pytest
from aiosmtpd.controller import Controller

from districts.models import Agency, Province, Site, Staff
from tests.factories.districts import StaffFactory
from tests.factories.meetings import site

# The media-server fixtures the meetings tests use (scheduler, fake_server, janus, ...), shared with this app's tests.
from tests.meetings.conftest import *  # noqa: F403
from tests.services.line_stub import LineStub
from tests.services.smtp import SmtpSink, _Handler


def clerks(site_code: str, count: int = 1, *, language: str = "th") -> list[Staff]:
    people = [StaffFactory.create(role=Staff.Role.CLERK, site_code=site_code) for _ in range(count)]
    if language != "th":
        Staff.objects.filter(pk__in=[p.pk for p in people]).update(preferred_language=language)
    return people


def line_group(site_code: str) -> str:
    """Turn on LINE for a site; returns its group id."""
    group = "C" + secrets.token_hex(16)
    Site.objects.filter(pk=site(site_code).pk).update(notify_by_line=True, line_group_id=group)
    return group


def agency(name: str = "สำนักงานสาธารณสุขจังหวัด") -> Agency:
    value = Agency(province=Province.objects.get(code="41"), name=name, email=f"{secrets.token_hex(4)}@agency.go.th")
    value.full_clean()
    value.save()
    return value


@pytest.fixture
def people(db):
    """Two district sites with clerks (one prefers English), LINE on one of them, and one agency."""
    return {
        "4101": clerks("4101", 2),
        "4102": clerks("4102", 1, language="en"),
        "line": line_group("4102"),
        "agency": agency(),
    }


# --- real servers ------------------------------------------------------------------------------------------


class SlowHandler(_Handler):
    """The sink's handler, taking `delay` seconds per message after storing it (as a real server that writes
    the message to disk before it answers 250)."""

    delay: float = 0.0

    async def handle_DATA(self, server, session, envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.delay and answer.startswith("250"):
            await asyncio.sleep(self.delay)
        return answer


def smtp_sink(delay: float = 0.0) -> SmtpSink:
    sink = SmtpSink()
    sink.controller.loop.close()  # the plain handler's controller is replaced before it ever ran
    sink.handler = SlowHandler()
    sink.handler.delay = delay
    sink.controller = Controller(sink.handler, hostname=sink.host, port=sink.port)
    return sink


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) and the settings that send to it from this process."""
    with smtp_sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_TIMEOUT = 5
        yield sink


@pytest.fixture
def line(settings):
    """The LINE push stub and the settings that push to it from this process."""
    with LineStub() as stub:
        settings.LINE_API_BASE = stub.base_url
        settings.LINE_CHANNEL_ACCESS_TOKEN = stub.token
        yield stub


# --- reading what was received -----------------------------------------------------------------------------


def part(message: Message, content_type: str) -> Message | None:
    for item in message.walk():
        if item.get_content_type() == content_type:
            return item
    return None


def text_of(mail) -> str:
    found = part(mail.message, "text/plain")
    return found.get_payload(decode=True).decode(found.get_content_charset() or "utf-8") if found else ""


def html_of(mail) -> str:
    found = part(mail.message, "text/html")
    return found.get_payload(decode=True).decode(found.get_content_charset() or "utf-8") if found else ""


def calendar_of(mail) -> icalendar.Calendar | None:
    found = part(mail.message, "text/calendar")
    if found is None:
        return None
    return icalendar.Calendar.from_ical(found.get_payload(decode=True))


def message_ids(received) -> Counter:
    return Counter(mail.message["Message-ID"] for mail in received)
