"""No capability token in a log line written through the project's logging (foundation/log_filters.py)."""

from __future__ import annotations

import logging
import secrets

import pytest
from django.test import RequestFactory

from foundation.log_filters import without_capabilities

pytestmark = pytest.mark.unit


def test_each_kind_of_token_is_replaced_and_the_page_kept():
    token = secrets.token_urlsafe(32)
    assert without_capabilities(f"Not Found: /j/{token}/") == "Not Found: /j/…/"
    assert without_capabilities(f"/meetings/join/feed/{token}.ics") == "/meetings/join/feed/….ics"
    assert without_capabilities(f"'/meetings/join/test/{token}/result/'") == "'/meetings/join/test/…/result/'"
    assert without_capabilities(f"/meetings/jitsi/reservations/{token}/conference") == (
        "/meetings/jitsi/reservations/…/conference")
    assert without_capabilities("/meetings/12/ and /sites/4122/") == "/meetings/12/ and /sites/4122/"


def test_djangos_request_log_line_keeps_no_token(caplog):
    """What django.request writes for a 404 under a join link: the message and the request it carries."""
    token = secrets.token_urlsafe(32)
    request = RequestFactory().get(f"/j/{token}/")
    logger = logging.getLogger("django.request")
    handler = next(h for h in logging.getLogger().handlers if h.filters)  # the console handler of the settings
    record = logger.makeRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (request.path,),
                               None, extra={"request": request, "status_code": 404})
    for log_filter in handler.filters:
        log_filter.filter(record)
    text = handler.format(record)
    assert token not in text
    assert "Not Found: /j/…/" in text
    assert record.request == "GET /j/…/"
