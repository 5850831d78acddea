"""Every URL and API endpoint × every role × own site / other site, each answer as intended.

A new URL without an entry here fails `test_every_url_has_an_entry`: decide who may use it, then add it.
Run with PRACHUM_MATRIX_PROBE=1 to print what each URL answers today (to review, never to copy blindly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from billing.models import Charge
from billing.services import charges_generate, lines_for_province_create
from districts.models import Staff
from join.models import JoinPass
from join.services import calendar_feed_ensure
from meetings.services import document_attach
from notifications.models import Notification
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
Role = Staff.Role

# Who asks. "clerk" is the clerk of Na Yung (4122), whose site the resources below belong to; "clerk_other" is the
# clerk of Mueang (4101) asking for Na Yung's; "scheduler_other" belongs to another province (Nong Bua Lam Phu, 39).
ROLES = {
    "anonymous": None,
    "clerk": (Role.CLERK, "4122"),
    "clerk_other": (Role.CLERK, "4101"),
    "scheduler": (Role.SCHEDULER, "41"),
    "scheduler_other": (Role.SCHEDULER, "39"),
    "finance": (Role.FINANCE, "41"),
    "finance_district": (Role.FINANCE, "4122"),
    "admin": (Role.ADMINISTRATOR, "41"),
}


@dataclass(frozen=True)
class World:
    meeting_id: int
    other_province_meeting_id: int
    pass_token: str
    feed_token: str
    charge_id: int
    document_id: int


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    from districts.services import province_sites_create
    from foundation.thaidate import fiscal_year

    province_sites_create(province_code="39")
    MediaServerFactory.create()
    meeting = MeetingFactory.create(host="41", sites=("4122", "4101"))
    other = MeetingFactory.create(
        host="39", sites=("3901",), created_by=StaffFactory.create(role=Role.SCHEDULER, site_code="39").user
    )
    join_pass = JoinPass.objects.get(meeting=meeting, site=site("4122"), revoked_at=None)
    feed = calendar_feed_ensure(site=site("4122"))
    settings.MEDIA_ROOT = tmp_path
    document = document_attach(meeting=meeting, file=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n"))
    lines_for_province_create(province_code="41")
    from datetime import date

    charges_generate(month=date(2019, 1, 1))
    charge = Charge.objects.get(line__site=site("4122"), month=date(2019, 1, 1))
    assert fiscal_year(date(2019, 1, 1)) == 2562
    return World(meeting.pk, other.pk, join_pass.token, feed.token, charge.pk, document.pk)


def _clients() -> dict[str, Client]:
    clients = {}
    for name, who in ROLES.items():
        client = Client()
        if who is not None:
            client.force_login(StaffFactory.create(role=who[0], site_code=who[1]).user)
        clients[name] = client
    return clients


# (url name, method, path template, {role: status}); "*" is every role not named. Paths use the World's fields.
OK, FOUND, DENIED, GONE, MISSING, NOT_ALLOWED = 200, 302, 403, 410, 404, 405
LOGIN = "login"  # anonymous HTML pages: a redirect to the login page
API_ANON = {401, 403}

CASES: list[tuple[str, str, str, dict]] = []


def case(name: str, method: str, path: str, **expected) -> None:
    CASES.append((name, method, path, expected))


# Portal
case("home", "GET", "/", anonymous=LOGIN, any=FOUND)
case("healthz", "GET", "/healthz", any=OK)
case("login", "GET", "/login/", anonymous=OK, any=FOUND)
case("logout", "GET", "/logout/", any=NOT_ALLOWED)
case("set_language", "POST", "/i18n/setlang/", any=FOUND)
case("prometheus-django-metrics", "GET", "/metrics", any=OK)
case("api-schema", "GET", "/api/schema/", anonymous=API_ANON, any=OK)
case("api-docs", "GET", "/api/docs/", anonymous=API_ANON, any=OK)
case("api-root", "GET", "/api/", anonymous=API_ANON, any=OK)
# Sites
case("districts:list", "GET", "/sites/", anonymous=LOGIN, clerk=DENIED, clerk_other=DENIED, finance_district=OK, any=OK)
case("site:page", "GET", "/sites/4122/", anonymous=LOGIN, clerk_other=DENIED, scheduler_other=DENIED, any=OK)
case("site-list", "GET", "/api/sites/", anonymous=API_ANON, any=OK)
case(
    "site-detail",
    "GET",
    "/api/sites/{site_4122}/",
    anonymous=API_ANON,
    clerk_other=MISSING,
    scheduler_other=MISSING,
    any=OK,
)
# Meetings (scheduling: schedulers and administrators of the province)
M = "{meeting}"
SCHED = {"scheduler": OK, "admin": OK}
# Agencies a meeting can invite (districts/api_agencies.py): the scheduling form's list, of the caller's province
case("agency-list", "GET", "/api/agencies/", anonymous=API_ANON, **SCHED, scheduler_other=OK, any=DENIED)
case("meetings:list", "GET", "/meetings/", anonymous=LOGIN, **SCHED, scheduler_other=OK, any=DENIED)
case("meetings:create", "GET", "/meetings/new/", anonymous=LOGIN, **SCHED, scheduler_other=OK, any=DENIED)
case("meetings:detail", "GET", f"/meetings/{M}/", anonymous=LOGIN, **SCHED, scheduler_other=MISSING, any=DENIED)
case("meetings:edit", "GET", f"/meetings/{M}/edit/", anonymous=LOGIN, **SCHED, scheduler_other=MISSING, any=DENIED)
case(
    "meetings:reschedule",
    "GET",
    f"/meetings/{M}/reschedule/",
    anonymous=LOGIN,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case("meetings:cancel", "GET", f"/meetings/{M}/cancel/", anonymous=LOGIN, **SCHED, scheduler_other=MISSING, any=DENIED)
case(
    "meetings:document-upload",
    "GET",
    f"/meetings/{M}/documents/",
    anonymous=LOGIN,
    scheduler=NOT_ALLOWED,
    admin=NOT_ALLOWED,
    scheduler_other=NOT_ALLOWED,
    any=DENIED,
)
# A document: only through the permission check (details in tests/meetings/test_documents.py); unknown → 404
case("meetings:document", "GET", f"/meetings/{M}/documents/999999/", anonymous=LOGIN, any=MISSING)
case(
    "notifications:meeting",
    "GET",
    f"/meetings/{M}/notifications/",
    anonymous=LOGIN,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "notifications:resend",
    "POST",
    f"/meetings/{M}/notifications/{{notification}}/resend/",
    anonymous=LOGIN,
    scheduler=FOUND,
    admin=FOUND,
    scheduler_other=MISSING,
    any=DENIED,
)
case("meeting-list", "GET", "/api/meetings/", anonymous=API_ANON, **SCHED, scheduler_other=OK, any=DENIED)
case("meeting-detail", "GET", f"/api/meetings/{M}/", anonymous=API_ANON, **SCHED, scheduler_other=MISSING, any=DENIED)
case(
    "meeting-cancel",
    "POST",
    "/api/meetings/{other_meeting}/cancel/",
    anonymous=API_ANON,
    scheduler=MISSING,
    admin=MISSING,
    scheduler_other=OK,
    any=DENIED,
)
# Jitsi's reservation API: Prosody with the shared token only (none configured in the tests: refused for all)
case("meetings:jitsi-conference", "POST", "/meetings/jitsi/reservations/wrong/conference", any=DENIED)
case("meetings:jitsi-reservation", "GET", "/meetings/jitsi/reservations/wrong/conference/1", any=DENIED)
# Joining: the pass is the capability (no login), the site's pages follow the site rule
J = "{pass_token}"
for prefix, ns in (("/meetings/join/p", "join:j"), ("/j", "j")):
    case(f"{ns}:page", "GET", f"{prefix}/{J}/", any=DENIED)  # before the window: refused, whoever asks
    case(f"{ns}:qr", "GET", f"{prefix}/{J}/qr.svg", any=OK)  # the link's QR code: the token is the capability
    case(f"{ns}:moderate", "POST", f"{prefix}/{J}/moderate/", any=DENIED)
    case(f"{ns}:test", "POST", f"{prefix}/{J}/test/", any=FOUND)
# Finance sees a site's meetings but never its join links, sheets or calendar files.
SITE_PAGE = {
    "anonymous": LOGIN,
    "clerk_other": DENIED,
    "scheduler_other": DENIED,
    "finance": DENIED,
    "finance_district": DENIED,
}
# The feed is its token (calendar programs cannot log in); renewing it (below) ends the old one.
case("join:feed", "GET", "/meetings/join/feed/{feed_token}.ics", any=OK)
case("join:meeting-ics", "GET", f"/meetings/join/site/4122/meeting/{M}.ics", **SITE_PAGE, any=OK)
case("join:sheet", "GET", f"/meetings/join/site/4122/meeting/{M}/sheet/", **SITE_PAGE, any=OK)
case("join:sheet-pdf", "GET", f"/meetings/join/site/4122/meeting/{M}/sheet.pdf", **SITE_PAGE, any=OK)
case("join:renew-link", "POST", f"/meetings/join/site/4122/meeting/{M}/renew-link/", **SITE_PAGE, any=FOUND)
case("join:feed-renew", "POST", "/meetings/join/site/4122/feed/renew/", **SITE_PAGE, any=FOUND)
case("join:site-test-call", "POST", "/meetings/join/site/4122/test/", **SITE_PAGE, any=FOUND)
case("join:test-call", "GET", "/meetings/join/test/not-a-token/", any=MISSING)
case("join:test-call-result", "POST", "/meetings/join/test/not-a-token/result/", any=MISSING)
case(
    "join:control", "GET", "/meetings/join/control/", anonymous=LOGIN, **SCHED, scheduler_other=OK, any=DENIED
)
case(
    "join:control-board",
    "GET",
    "/meetings/join/control/board/",
    anonymous=LOGIN,
    **SCHED,
    scheduler_other=OK,
    any=DENIED,
)
case(
    "join:attendance",
    "GET",
    f"/meetings/join/meeting/{M}/attendance/",
    anonymous=LOGIN,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "join:attendance-csv",
    "GET",
    f"/meetings/join/meeting/{M}/attendance.csv",
    anonymous=LOGIN,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "join:attendance-export",
    "GET",
    f"/meetings/join/meeting/{M}/attendance.xlsx",
    anonymous=LOGIN,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
# The same as data (meetings/join/api.py): the clerk's page for whoever may see the site (finance without links),
# the control centre of one meeting and its attendance report for the province's schedulers and administrators.
case(
    "site-meetings",
    "GET",
    "/api/sites/4122/meetings/",
    anonymous=API_ANON,
    clerk_other=DENIED,
    scheduler_other=DENIED,
    any=OK,
)
case(
    "meeting-connections",
    "GET",
    f"/api/meetings/{M}/connections/",
    anonymous=API_ANON,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "meeting-attendance",
    "GET",
    f"/api/meetings/{M}/attendance/",
    anonymous=API_ANON,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
# The site's page's buttons as data (meetings/join/api.py): the same rule as the page's SITE_PAGE above (the roles
# that may join, of the site; never finance), answering 200/201 where the page redirects. The meeting's window is
# not open yet: a new link is given (400 only for a cancelled meeting or one that is over).
SITE_API = {
    "anonymous": API_ANON,
    "clerk_other": DENIED,
    "scheduler_other": DENIED,
    "finance": DENIED,
    "finance_district": DENIED,
}
case(
    "site-meeting-join-pass-renew",
    "POST",
    f"/api/sites/4122/meetings/{M}/join-pass/renew/",
    **SITE_API,
    any=OK,
)
case("site-calendar-feed", "GET", "/api/sites/4122/calendar-feed/", **SITE_API, any=OK)
case("site-calendar-feed", "POST", "/api/sites/4122/calendar-feed/", **SITE_API, any=OK)
case("site-calendar-feed-renew", "POST", "/api/sites/4122/calendar-feed/renew/", **SITE_API, any=OK)
case("site-test-calls", "GET", "/api/sites/4122/test-calls/", **SITE_API, any=OK)
case("site-test-calls", "POST", "/api/sites/4122/test-calls/", **SITE_API, any=201)
# A meeting's documents (meetings/api_documents.py): the list and an upload as the meeting's page (an empty upload
# is a 400 for those who may upload); one file as the page's link: also the clerks of the sites taking part (the
# world's meeting has both 4122 and 4101; a clerk of a site not taking part: tests/meetings/test_api_documents.py).
case(
    "meeting-documents",
    "GET",
    f"/api/meetings/{M}/documents/",
    anonymous=API_ANON,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "meeting-documents",
    "POST",
    f"/api/meetings/{M}/documents/",
    anonymous=API_ANON,
    scheduler=400,
    admin=400,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "meeting-document",
    "GET",
    f"/api/meetings/{M}/documents/{{document}}/",
    anonymous=API_ANON,
    clerk=OK,
    clerk_other=OK,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
# The notifications page as data and its "send again" (meetings/notifications/api.py). The world's notification
# has not been sent yet (no worker in this test): sending it again is refused (400), for those who may ask.
case(
    "meeting-notifications",
    "GET",
    f"/api/meetings/{M}/notifications/",
    anonymous=API_ANON,
    **SCHED,
    scheduler_other=MISSING,
    any=DENIED,
)
case(
    "meeting-notification-resend",
    "POST",
    f"/api/meetings/{M}/notifications/{{notification}}/resend/",
    anonymous=API_ANON,
    scheduler=400,
    admin=400,
    scheduler_other=MISSING,
    any=DENIED,
)
# Billing: finance and administrators; finance at a district office sees only its district
FIN = {"finance": OK, "finance_district": OK, "admin": OK}
case("billing:home", "GET", "/billing/", anonymous=LOGIN, **FIN, any=DENIED)
case("billing:pay", "GET", "/billing/charges/{charge}/pay/", anonymous=LOGIN, **FIN, any=DENIED)
case("billing:savings", "GET", "/billing/savings/", anonymous=LOGIN, **FIN, any=DENIED)
case("billing:report", "GET", "/billing/reports/fiscal_year.csv?fy=2562", anonymous=LOGIN, **FIN, any=DENIED)
case(
    "billing:export",
    "GET",
    "/billing/exports/999999/",
    anonymous=LOGIN,
    finance=MISSING,
    finance_district=MISSING,
    admin=MISSING,
    any=DENIED,
)
case(
    "billing:export_download",
    "GET",
    "/billing/exports/999999/download/",
    anonymous=LOGIN,
    finance=MISSING,
    finance_district=MISSING,
    admin=MISSING,
    any=DENIED,
)
case("charge-list", "GET", "/api/charges/?fy=2562", anonymous=API_ANON, **FIN, any=DENIED)
case("charge-detail", "GET", "/api/charges/{charge}/", anonymous=API_ANON, **FIN, any=DENIED)
case(
    "charge-mark-paid",
    "POST",
    "/api/charges/{charge}/mark-paid/",
    anonymous=API_ANON,
    finance=400,
    finance_district=400,
    admin=400,
    any=DENIED,
)
case(
    "charge-mark-paid-for-month",
    "POST",
    "/api/charges/mark-paid/",
    anonymous=API_ANON,
    finance=400,
    finance_district=400,
    admin=400,
    any=DENIED,
)
case("billing-report", "GET", "/api/reports/fiscal_year/?format=csv&fy=2562", anonymous=API_ANON, **FIN, any=DENIED)

# The national view (national/): only holders of national.view_national, none of the province roles
# (national users and operators: tests/national/test_pages.py)
case("national:home", "GET", "/national/", anonymous=LOGIN, any=DENIED)
case("national:report", "GET", "/national/report.csv?fy=2562", anonymous=LOGIN, any=DENIED)

# The audit log (portal/api_audit.py): administrators only, as in the Django admin.
case("audit-list", "GET", "/api/audit/", anonymous=API_ANON, admin=OK, any=DENIED)

# Not product pages: the admin (its own permission system, tested in tests/districts/test_access.py),
# DRF's format-suffix variants of the routes above, and media files in DEBUG.
EXEMPT_PREFIXES = ("admin/", "^media/")


def _url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(EXEMPT_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_url_has_an_entry():
    covered = {name for name, *_ in CASES}
    missing = _url_names() - covered
    assert not missing, f"URLs without an entry in the permission matrix: {sorted(missing)}"


def _fill(path: str, world: World) -> str:
    return path.format(
        meeting=world.meeting_id,
        other_meeting=world.other_province_meeting_id,
        pass_token=world.pass_token,
        feed_token=world.feed_token,
        charge=world.charge_id,
        document=world.document_id,
        site_4122=site("4122").pk,
        notification=Notification.objects.filter(meeting_id=world.meeting_id).values_list("pk", flat=True).first() or 0,
    )


def _matches(expected, response) -> bool:
    if expected == LOGIN:
        return response.status_code == FOUND and response["Location"].startswith("/login/")
    if isinstance(expected, set):
        return response.status_code in expected
    return response.status_code == expected


def test_permission_matrix(world):
    clients = _clients()
    probe = os.environ.get("PRACHUM_MATRIX_PROBE")
    failures = []
    for name, method, path_template, expected in CASES:
        path = _fill(path_template, world)
        for role, client in clients.items():
            wanted = expected.get(role, expected.get("any"))
            response = client.get(path) if method == "GET" else client.post(path, {})
            if response.streaming:  # a document's file: read to the end, which closes it
                b"".join(response.streaming_content)
            if probe:
                print(f"{name:40} {role:18} {response.status_code}")
            elif not _matches(wanted, response):
                failures.append(f"{method} {path} as {role}: {response.status_code}, expected {wanted}")
    assert not probe, "probe mode prints the table; it never passes"
    assert not failures, "\n".join(failures)
