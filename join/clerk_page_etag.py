"""The clerk's page answers a browser's revalidation with 304 Not Modified when nothing it shows has changed.

The one mechanism the clerk's page has instead of a cache (issue 12): a conditional GET. The page is rendered from
the database every time it is rendered; what a revisit can skip is the rendering, never the reading of the truth.

- **What the page shows** is summed up by PostgreSQL in one query (`clerk_page_digest`): the whole rows (every
  column, as JSON) of the site, its district and province, its participations in meetings not yet over with those
  meetings, their hosts' names and rooms, the site's passes to them, their documents, the site's calendar feed and
  its last finished test call. Whole rows, so a column added later counts without anyone remembering to add it;
  and read from the tables themselves, so an edit from the admin, the shell, a task or another worker counts at
  once: there is nothing to invalidate. `tests/join/test_clerk_page_etag.py` renders the page while recording
  the tables it reads and fails if one of them is not in `DIGEST_TABLES` (or read per request: the session, the
  user and their Staff row).
- **Who asks and how**: the user (their name is in the header), their role and site, the language, the session and
  the CSRF cookie (the page's forms carry a token derived from it), `?all=1`, and the release (templates,
  translations and code: `release_digest`).
- **Until when**: the page changes with the clock too (a Join button opens, a meeting ends, a new day starts): the
  ETag carries the moment the rendered page stops being true (`ClerkMeetings.valid_until`), and a revalidation
  after it renders again.
- The digest is read **before** the page's rows: a change committed in between makes the ETag older than the page,
  never the reverse (the next revalidation renders again).
- A page with a message waiting to be shown (after a POST's redirect) is always rendered.

The ETag is signed with the project's secret (salted HMAC), so a browser cannot make one up; it could only ever
ask for a 304 of its own copy anyway.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.crypto import constant_time_compare, salted_hmac

# The tables whose rows the digest covers, and the ones read fresh on every request before the page is chosen
# (the session, the user and their Staff row with its site, district and province).
DIGEST_TABLES = frozenset({
    "districts_site", "districts_district", "districts_province", "meetings_participation", "meetings_meeting",
    "meetings_room", "meetings_joinpass", "meetings_document", "meetings_calendarfeed", "meetings_testcall",
})
PER_REQUEST_TABLES = frozenset({"django_session", "auth_user", "districts_staff"})

_DIGEST_SQL = """
WITH ahead AS (
    SELECT pa.meeting_id FROM meetings_participation pa WHERE pa.site_id = %(site)s AND pa."end" > %(now)s
)
SELECT md5(concat_ws(' | ',
    (SELECT to_jsonb(s)::text FROM districts_site s WHERE s.id = %(site)s),
    (SELECT to_jsonb(d)::text FROM districts_district d JOIN districts_site s ON s.district_id = d.id
      WHERE s.id = %(site)s),
    (SELECT to_jsonb(p)::text FROM districts_province p JOIN districts_site s ON s.province_id = p.id
      WHERE s.id = %(site)s),
    (SELECT string_agg(concat_ws(' ', to_jsonb(pa)::text, to_jsonb(m)::text, to_jsonb(h.name)::text,
                                 to_jsonb(r)::text), ' ; ' ORDER BY pa.meeting_id, pa.id)
       FROM meetings_participation pa
       JOIN meetings_meeting m ON m.id = pa.meeting_id
       JOIN districts_site h ON h.id = m.host_site_id
       LEFT JOIN meetings_room r ON r.meeting_id = m.id
      WHERE pa.site_id = %(site)s AND pa."end" > %(now)s),
    (SELECT string_agg(to_jsonb(j)::text, ' ; ' ORDER BY j.id) FROM meetings_joinpass j
      WHERE j.site_id = %(site)s AND j.meeting_id IN (SELECT meeting_id FROM ahead)),
    (SELECT string_agg(to_jsonb(doc)::text, ' ; ' ORDER BY doc.id) FROM meetings_document doc
      WHERE doc.meeting_id IN (SELECT meeting_id FROM ahead)),
    (SELECT string_agg(to_jsonb(f)::text, ' ; ' ORDER BY f.id) FROM meetings_calendarfeed f
      WHERE f.site_id = %(site)s AND f.revoked_at IS NULL),
    (SELECT to_jsonb(t)::text FROM meetings_testcall t
      WHERE t.site_id = %(site)s AND t.result <> 'pending' ORDER BY t.finished_at DESC NULLS LAST, t.id DESC LIMIT 1)
))
"""


def clerk_page_digest(*, site_id: int, now: datetime) -> str:
    """One query: a digest of every row the site's page shows (see the module's docstring). The SQL is
    PostgreSQL's: on another database (`make run`'s SQLite) the digest is a fresh random value each time, so the
    page is always rendered in full (never a 304) rather than failing."""
    if connection.vendor != "postgresql":
        return secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute(_DIGEST_SQL, {"site": site_id, "now": now})
        return cursor.fetchone()[0]


_RELEASE_PARTS = (
    "templates", "locale", "static", "portal", "foundation", "districts", "meetings", "join", "notifications",
    "billing", "national", "proceedings", "minutes",
)


@cache
def release_digest() -> str:
    """What the release contributes to the page: the templates, translations, static files and code it is made with
    (read once per process; the same in every worker of a release, different after any change)."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for part in _RELEASE_PARTS:
        for path in sorted((base / part).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".txt", ".mo", ".css", ".js"}:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _signature(base: str, until: int) -> str:
    return salted_hmac("prachum.clerk-page-etag", f"{base}|{until}", algorithm="sha256").hexdigest()[:32]


def page_etag(*, base: str, valid_until: datetime) -> str:
    """The ETag of a rendered page: until when it holds (epoch seconds) and its signature."""
    until = int(valid_until.timestamp())
    return f'"{until}-{_signature(base, until)}"'


def still_fresh(*, if_none_match: str, base: str, now: datetime) -> bool:
    """Whether one of the ETags the browser sent names this page (same digest, user, language, release) and its
    moment has not come. Weak tags count too (a gzip proxy makes ETags weak)."""
    for sent in if_none_match.split(","):
        until, _dash, signature = sent.strip().removeprefix("W/").strip('"').partition("-")
        if not until.isdigit() or int(until) <= now.timestamp():
            continue
        if constant_time_compare(signature, _signature(base, int(until))):
            return True
    return False
