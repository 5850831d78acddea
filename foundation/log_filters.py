"""A logging filter that keeps capability tokens out of every log line.

A join link's, calendar feed's, test call's or Jitsi reservation's token in a URL is the capability itself: whoever
reads the log could use it. Django logs the path of every 4xx/5xx (`django.request`: "Not Found: /j/<token>/"), and
the JSON formatter adds the request to the line. This filter rewrites the message and drops the request object,
writing "/j/…/" for "/j/<token>/". The web server's access log does the same (deploy/gunicorn.conf.py, and nginx's
deploy/nginx/prachum-http.conf), with the same list of pages.
"""

from __future__ import annotations

import logging
import re

CAPABILITY_PAGES = ("/j/", "/k/", "/meetings/join/p/", "/meetings/join/feed/", "/meetings/join/test/",
                    "/meetings/jitsi/reservations/", "/proceedings/p/", "/recordings/p/", "/evidence/p/")
CAPABILITY_IN_PATH = re.compile("(" + "|".join(re.escape(page) for page in CAPABILITY_PAGES) + r")[^/?.\s'\"]+")


def without_capabilities(text: str) -> str:
    """The text with each capability token in a URL path replaced by "…"."""
    return CAPABILITY_IN_PATH.sub(r"\1…", text) if text else text


class WithoutCapabilities(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = without_capabilities(message)
        if masked != message:
            record.msg, record.args = masked, ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            # The JSON formatter would write str(request), path included: keep only what is safe.
            record.request = f"{getattr(request, 'method', '')} {without_capabilities(getattr(request, 'path', ''))}"
        return True
