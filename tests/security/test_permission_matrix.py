"""Permission matrix, second edition: every URL and API operation × every HTTP method it accepts × every role ×
own site / another site of the province / the other province, on real objects (tests/security/world.py).

- `case(name, method, path, rule)`: the path's placeholders ({code}, {site}, {meeting}, {pass}, {feed},
  {document}, {notification}, {charge}, {export}, {agency}) are filled with the objects of each place in turn
  (4122, 4101, 3901); a path without one is asked once. `rule(who, place)` says what each person gets.
- The methods a URL accepts are read from its view (class views: the handlers they define among
  `http_method_names`; DRF viewsets: the actions mapped on the route; function views: FUNCTION_VIEWS below).
  Every accepted method needs a case (`test_every_url_has_an_entry`), HEAD answers as GET, and every method a view
  does not accept answers 405 — unless the view's own access check answers first (`refused_first`).
- Every request is rolled back (world.request): a write by one person never changes what the next one sees.
- List contents, and the Django admin: test_list_contents.py and test_admin_matrix.py.

Run with PRACHUM_MATRIX_PROBE=1 to print what each URL answers today (to review, never to copy blindly).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.factories.meetings import site

from .world import OPERATOR, PEOPLE, PLACES, Role, Who, build_world, request

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

OK, CREATED, FOUND, BAD, DENIED, MISSING, NOT_ALLOWED = 200, 201, 302, 400, 403, 404, 405
LOGIN = "login"  # an HTML page asked anonymously: a redirect to the login page
API_ANON = frozenset({401, 403})  # the API asked anonymously (DRF answers 403 to session-only clients)
PASSES = "passes"  # got past every permission check (a form's errors, a service's refusal): not 401/403/404/405
WRITES = ("POST", "PUT", "PATCH", "DELETE")
METHODS = ("GET", *WRITES)

Rule = Callable[[Who, "str | None"], object]


# --- Who gets what: the portal's rules, one function each -----------------------------------------------------------


def _anon(api: bool):
    return API_ANON if api else LOGIN


def _same_province(who: Who, place: str | None) -> bool:
    return place is None or place[:2] == who.province


def everyone(status) -> Rule:
    return lambda who, place: status


def logged_in(status, *, api: bool = False) -> Rule:
    return lambda who, place: _anon(api) if who.role is None else status


def scheduling(ok, *, api: bool = False, foreign=MISSING) -> Rule:
    """Schedulers and administrators of the meeting's province; of another province, `foreign` (not found)."""

    def rule(who, place):
        if who.role is None:
            return _anon(api)
        if who.role not in (Role.SCHEDULER, Role.ADMINISTRATOR):
            return DENIED
        return ok if _same_province(who, place) else foreign

    return rule


def joining(ok, *, api: bool = False) -> Rule:
    """The site's join links and buttons: the site's clerk, and the province's schedulers and administrators;
    never finance; another site or province: 403."""

    def rule(who, place):
        if who.role is None:
            return _anon(api)
        if who.role == Role.CLERK:
            return ok if place == who.site else DENIED
        if who.role in (Role.SCHEDULER, Role.ADMINISTRATOR):
            return ok if _same_province(who, place) else DENIED
        return DENIED

    return rule


def site_page(ok, *, api: bool = False) -> Rule:
    """A site's page: whoever may see the site (a clerk or district finance their own; hall staff the province)."""

    def rule(who, place):
        if who.role is None:
            return _anon(api)
        if who.role == OPERATOR:
            return DENIED
        if who.at_hall:
            return ok if _same_province(who, place) else DENIED
        return ok if place == who.site else DENIED

    return rule


def finance(ok, *, api: bool = False, foreign=MISSING) -> Rule:
    """Finance and administrators: the hall's the province, a district office's its own district."""

    def rule(who, place):
        if who.role is None:
            return _anon(api)
        if who.role not in (Role.FINANCE, Role.ADMINISTRATOR):
            return DENIED
        if place is None:
            return ok
        if who.at_hall:
            return ok if _same_province(who, place) else foreign
        return ok if place == who.site else foreign

    return rule


def export_owner(ok) -> Rule:
    """A report export: finance and administrators may ask; only its owner gets it (anyone else: not found)."""
    owners = {"4122": "finance_district", "4101": "finance", "3901": "finance_39"}

    def rule(who, place):
        if who.role is None:
            return LOGIN
        if who.role not in (Role.FINANCE, Role.ADMINISTRATOR):
            return DENIED
        return ok if owners[place] == who.name else MISSING

    return rule


def only(names: dict[str, object], *, otherwise, api: bool = False) -> Rule:
    """An explicit table: the named people, everyone else `otherwise` (anonymous: the login answer)."""
    return lambda who, place: names.get(who.name, _anon(api) if who.role is None else otherwise)


# --- The cases -------------------------------------------------------------------------------------------------------


CASES: list[tuple[str, str, str, Rule, Callable | None, tuple]] = []
# url name -> what a method its view does not accept gets, where the view's access check does not come first in
# the way `refused_first` reads it from the case's rule (a check made in the handler, a redirect before anything).
REFUSED: dict[str, Rule] = {}


def case(name: str, method: str, path: str, rule: Rule, data: Callable | None = None, *, places=None,
         refused: Rule | None = None) -> None:
    """`data(world, place)` -> (payload, content_type or None) for a write; `places`: the places a path without
    placeholders is asked for (a payload that names the place's objects); `refused`: see REFUSED."""
    CASES.append((name, method, path, rule, data, places or (PLACES if "{" in path else (None,))))
    if refused is not None:
        REFUSED[name] = refused


def form(values: dict) -> Callable:
    return lambda world, place: (values, None)


def json(make: Callable) -> Callable:
    return lambda world, place: (make(world, place), "application/json")


def _upload(world, place):
    return {"file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")}, None


def _new_meeting(world, place):
    """A meeting of the place's province with the place's site, at a free time."""
    start = timezone.now() + timedelta(days=40)
    return {
        "title": "ประชุมใหม่",
        "host_site": site(place[:2]).pk,
        "sites": [world.site[place]],
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
    }


# Portal
for method in METHODS:
    case("home", method, "/", logged_in(FOUND))
case("healthz", "GET", "/healthz", everyone(OK))
# Someone signed in is sent on (redirect_authenticated_user) before the method is looked at
case("login", "GET", "/login/", only({"anonymous": OK}, otherwise=FOUND),
     refused=only({"anonymous": NOT_ALLOWED}, otherwise=FOUND))
for method in ("POST", "PUT"):  # Django's form views take PUT as POST
    case("login", method, "/login/", only({"anonymous": OK}, otherwise=FOUND), form({"username": "x", "password": "y"}))
case("logout", "POST", "/logout/", everyone(FOUND))
case("set_language", "POST", "/i18n/setlang/", everyone(FOUND), form({"language": "en", "next": "/"}))
for method in ("GET", "PUT", "PATCH", "DELETE"):  # Django's: any other method changes nothing and goes back
    case("set_language", method, "/i18n/setlang/", everyone(FOUND))
for method in METHODS:  # any method: nginx lets only the monitoring host reach it
    case("prometheus-django-metrics", method, "/metrics", everyone(OK))
case("api-schema", "GET", "/api/schema/", logged_in(OK, api=True))
case("api-docs", "GET", "/api/docs/", logged_in(OK, api=True))
case("api-root", "GET", "/api/", logged_in(OK, api=True))
# Sites: the list (the province's, or a district office's own), one site's page, the same as data
case("districts:list", "GET", "/sites/", only({"clerk": DENIED, "clerk_other": DENIED, "clerk_39": DENIED,
                                               OPERATOR: DENIED}, otherwise=OK))
case("site:page", "GET", "/sites/{code}/", site_page(OK))
# DRF's permission refuses an operator (no Staff row) any write before the method is looked at
API_REFUSED_OPERATOR = only({OPERATOR: DENIED}, otherwise=NOT_ALLOWED, api=True)
# An operator has no Staff row: the API's permission refuses them everything (they use the admin)
case("site-list", "GET", "/api/sites/", only({OPERATOR: DENIED}, otherwise=OK, api=True),
     refused=API_REFUSED_OPERATOR)
case("site-detail", "GET", "/api/sites/{site}/", lambda w, p: DENIED if w.role == OPERATOR else MISSING
     if site_page(OK)(w, p) == DENIED else site_page(OK, api=True)(w, p), refused=API_REFUSED_OPERATOR)
# Agencies a meeting can invite: the scheduling form's list, of the caller's province
case("agency-list", "GET", "/api/agencies/", scheduling(OK, api=True))
# Meetings (scheduling: schedulers and administrators of the province; another province's meeting is not found)
M = "{meeting}"
case("meetings:list", "GET", "/meetings/", scheduling(OK))
case("meetings:create", "GET", "/meetings/new/", scheduling(OK))
case("meetings:create", "POST", "/meetings/new/", scheduling(PASSES), form({"title": ""}))
for page in ("", "edit/", "reschedule/", "cancel/"):
    view = {"": "detail", "edit/": "edit", "reschedule/": "reschedule", "cancel/": "cancel"}[page]
    case(f"meetings:{view}", "GET", f"/meetings/{M}/{page}", scheduling(OK))
case("meetings:edit", "POST", f"/meetings/{M}/edit/", scheduling(PASSES), form({"title": ""}))
case("meetings:reschedule", "POST", f"/meetings/{M}/reschedule/", scheduling(PASSES), form({}))
case("meetings:cancel", "POST", f"/meetings/{M}/cancel/", scheduling(FOUND), form({"reason": "ทดสอบ"}))
case("meetings:document-upload", "POST", f"/meetings/{M}/documents/", scheduling(FOUND), _upload)
# A document: the meeting's schedulers and the clerks of the sites taking part; anyone else: not found
case("meetings:document", "GET", f"/meetings/{M}/documents/{{document}}/",
     lambda w, p: OK if (w.role == Role.CLERK and w.site == p) else scheduling(OK)(w, p) if w.role in (
         None, Role.SCHEDULER, Role.ADMINISTRATOR) else MISSING,
     refused=everyone(NOT_ALLOWED))  # its check is made in the handler
case("notifications:meeting", "GET", f"/meetings/{M}/notifications/", scheduling(OK))
case("notifications:resend", "POST", f"/meetings/{M}/notifications/{{notification}}/resend/", scheduling(FOUND))
case("meeting-list", "GET", "/api/meetings/", scheduling(OK, api=True))
case("meeting-list", "POST", "/api/meetings/", scheduling(CREATED, api=True, foreign=BAD), json(_new_meeting),
     places=PLACES)
case("meeting-detail", "GET", f"/api/meetings/{M}/", scheduling(OK, api=True))
case("meeting-detail", "PATCH", f"/api/meetings/{M}/", scheduling(OK, api=True),
     json(lambda world, place: {"title": "ชื่อใหม่"}))
case("meeting-cancel", "POST", f"/api/meetings/{M}/cancel/", scheduling(OK, api=True))
# Jitsi's reservation API: Prosody with the shared token only (none configured in the tests: refused for all)
# (require_http_methods answers 405 to any other method before the token is looked at)
case("meetings:jitsi-conference", "POST", "/meetings/jitsi/reservations/wrong/conference", everyone(DENIED),
     refused=everyone(NOT_ALLOWED))
case("meetings:jitsi-conference", "GET", "/meetings/jitsi/reservations/wrong/conference", everyone(DENIED))
case("meetings:jitsi-conference", "DELETE", "/meetings/jitsi/reservations/wrong/conference", everyone(DENIED))
for method in ("GET", "DELETE", "POST"):
    case("meetings:jitsi-reservation", method, "/meetings/jitsi/reservations/wrong/conference/1", everyone(DENIED),
         refused=everyone(NOT_ALLOWED))
# Joining: the pass is the capability (no login), whoever holds it
J = "{pass}"
for prefix, ns in (("/meetings/join/p", "join:j"), ("/j", "j")):
    # before the window: refused, whoever asks (by the handler: another method is a 405)
    case(f"{ns}:page", "GET", f"{prefix}/{J}/", everyone(DENIED), refused=everyone(NOT_ALLOWED))
    case(f"{ns}:qr", "GET", f"{prefix}/{J}/qr.svg", everyone(OK))
    case(f"{ns}:moderate", "POST", f"{prefix}/{J}/moderate/", everyone(DENIED), refused=everyone(NOT_ALLOWED))
    case(f"{ns}:test", "POST", f"{prefix}/{J}/test/", everyone(FOUND))
    case(f"{ns}:documents", "GET", f"{prefix}/{J}/documents/", everyone(OK))  # until the meeting is over
    case(f"{ns}:document", "GET", f"{prefix}/{J}/documents/{{document}}/", everyone(OK))
case("k:form", "GET", "/k/", everyone(OK))  # the box for the sheet's 12 digits
case("k:code", "GET", "/k/000000000000/", everyone(MISSING))  # no such code (a real one redirects: test_join_page)
for method in METHODS:
    case("join:feed", method, "/meetings/join/feed/{feed}.ics", everyone(OK))  # calendar programs cannot log in
S = "/meetings/join/site/{code}"
case("join:meeting-ics", "GET", f"{S}/meeting/{M}.ics", joining(OK))
case("join:sheet", "GET", f"{S}/meeting/{M}/sheet/", joining(OK))
case("join:sheet-pdf", "GET", f"{S}/meeting/{M}/sheet.pdf", joining(OK))
case("join:renew-link", "GET", f"{S}/meeting/{M}/renew-link/", joining(OK))  # the question first
case("join:renew-link", "POST", f"{S}/meeting/{M}/renew-link/", joining(FOUND))
case("join:feed-renew", "POST", f"{S}/feed/renew/", joining(FOUND))
case("join:site-test-call", "POST", f"{S}/test/", joining(FOUND))
case("join:test-call", "GET", "/meetings/join/test/not-a-token/", everyone(MISSING))
case("join:test-call-result", "POST", "/meetings/join/test/not-a-token/result/", everyone(MISSING))
case("join:control", "GET", "/meetings/join/control/", scheduling(OK))
case("join:control-board", "GET", "/meetings/join/control/board/", scheduling(OK))
case("join:attendance", "GET", f"/meetings/join/meeting/{M}/attendance/", scheduling(OK))
case("join:attendance-csv", "GET", f"/meetings/join/meeting/{M}/attendance.csv", scheduling(OK))
case("join:attendance-export", "GET", f"/meetings/join/meeting/{M}/attendance.xlsx", scheduling(OK))
# The same as data (join/api.py)
case("site-meetings", "GET", "/api/sites/{code}/meetings/", site_page(OK, api=True))
case("meeting-connections", "GET", f"/api/meetings/{M}/connections/", scheduling(OK, api=True))
case("meeting-attendance", "GET", f"/api/meetings/{M}/attendance/", scheduling(OK, api=True))
A = "/api/sites/{code}"
case("site-meeting-join-pass-renew", "POST", f"{A}/meetings/{M}/join-pass/renew/", joining(OK, api=True))
case("site-calendar-feed", "GET", f"{A}/calendar-feed/", joining(OK, api=True))
case("site-calendar-feed", "POST", f"{A}/calendar-feed/", joining(OK, api=True))
case("site-calendar-feed-renew", "POST", f"{A}/calendar-feed/renew/", joining(OK, api=True))
case("site-test-calls", "GET", f"{A}/test-calls/", joining(OK, api=True))
case("site-test-calls", "POST", f"{A}/test-calls/", joining(CREATED, api=True))
# A meeting's documents as data
case("meeting-documents", "GET", f"/api/meetings/{M}/documents/", scheduling(OK, api=True))
case("meeting-documents", "POST", f"/api/meetings/{M}/documents/", scheduling(CREATED, api=True), _upload)
case("meeting-document", "GET", f"/api/meetings/{M}/documents/{{document}}/",
     lambda w, p: OK if (w.role == Role.CLERK and w.site == p) else MISSING if w.role == Role.CLERK
     else scheduling(OK, api=True)(w, p))
# Notifications as data; the world's notification has not been sent (no worker here): sending again is a 400
case("meeting-notifications", "GET", f"/api/meetings/{M}/notifications/", scheduling(OK, api=True))
case("meeting-notification-resend", "POST", f"/api/meetings/{M}/notifications/{{notification}}/resend/",
     scheduling(BAD, api=True))
# Billing: finance and administrators; finance at a district office sees only its district
case("billing:home", "GET", "/billing/", finance(OK))
case("billing:pay", "GET", "/billing/charges/{charge}/pay/", finance(OK))
case("billing:pay", "POST", "/billing/charges/{charge}/pay/", finance(PASSES), form({}))
case("billing:close_month", "GET", "/billing/months/2562-01/close/", finance(OK))
case("billing:close_month", "POST", "/billing/months/2562-01/close/", finance(PASSES), form({}))
case("billing:savings", "GET", "/billing/savings/", finance(OK))
case("billing:report", "GET", "/billing/reports/fiscal_year.csv?fy=2562", finance(OK))
case("billing:export", "GET", "/billing/exports/{export}/", export_owner(OK))
case("billing:export_download", "GET", "/billing/exports/{export}/download/", export_owner(OK))
case("charge-list", "GET", "/api/charges/?fy=2562", finance(OK, api=True))
case("charge-detail", "GET", "/api/charges/{charge}/", finance(OK, api=True))
case("charge-mark-paid", "POST", "/api/charges/{charge}/mark-paid/", finance(BAD, api=True), json(lambda w, p: {}))
case("charge-mark-paid-for-month", "POST", "/api/charges/mark-paid/", finance(BAD, api=True), json(lambda w, p: {}))
case("charge-close-month", "POST", "/api/charges/close-month/", finance(BAD, api=True), json(lambda w, p: {}))
case("billing-report", "GET", "/api/reports/fiscal_year/?format=csv&fy=2562", finance(OK, api=True))
# The national view: holders of national.view_national and operators; no province role
case("national:home", "GET", "/national/", only({OPERATOR: OK}, otherwise=DENIED))
case("national:report", "GET", "/national/report.csv?fy=2562", only({OPERATOR: OK}, otherwise=DENIED))
# The audit log: administrators (their province's entries: test_list_contents.py) and operators
# The audit log: province administrators (their province's entries: test_list_contents.py); operators read it
# in the admin (the API refuses whoever has no Staff row)
case("audit-list", "GET", "/api/audit/", only({"admin": OK, "admin_39": OK}, otherwise=DENIED, api=True),
     refused=only({"admin": NOT_ALLOWED, "admin_39": NOT_ALLOWED}, otherwise=DENIED, api=True))

# Function views: the methods they accept (their decorators say so; class views are read from the class)
FUNCTION_VIEWS = {
    "home": set(METHODS),  # login_required, then a redirect to the person's start page
    "healthz": {"GET"},
    "prometheus-django-metrics": {"GET", "POST", "PUT", "PATCH", "DELETE"},
    "set_language": set(METHODS),
    "join:feed": set(METHODS),
    "meetings:jitsi-conference": {"GET", "POST", "DELETE"},
    "meetings:jitsi-reservation": {"GET", "POST", "DELETE"},
}
# Not product pages here: the admin (test_admin_matrix.py) and media files in DEBUG.
EXEMPT_PREFIXES = ("admin/", "^media/")
FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>|<drf_format_suffix:format>")


def url_patterns() -> dict[str, URLPattern]:
    """Every named URL (but the exempt ones and DRF's format-suffix twins) -> its pattern."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(EXEMPT_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name and not FORMAT_SUFFIX.search(route):
                found.setdefault(namespace + pattern.name, pattern)

    walk(get_resolver().url_patterns, "", "")
    return found


def accepted_methods(name: str, pattern: URLPattern) -> set[str]:
    """The methods (but HEAD and OPTIONS) the URL's view answers."""
    if name in FUNCTION_VIEWS:
        return FUNCTION_VIEWS[name]
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset's route: the actions mapped on it
        handlers = set(actions)
    else:
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        assert view is not None, f"{name}: a function view; say which methods it accepts in FUNCTION_VIEWS"
        handlers = {method for method in view.http_method_names if hasattr(view, method)}
    return {method.upper() for method in handlers} - {"HEAD", "OPTIONS"}


# join (issue 15, point 7): a pass's own files, from its link alone (what an invited agency prints and adds to its
# calendar; a site's pass opens them too), while the pass may still be used
for prefix, ns in (("/meetings/join/p", "join:j"), ("/j", "j")):
    case(f"{ns}:sheet", "GET", f"{prefix}/{J}/sheet/", everyone(OK))
    case(f"{ns}:sheet-pdf", "GET", f"{prefix}/{J}/sheet.pdf", everyone(OK))
    case(f"{ns}:ics", "GET", f"{prefix}/{J}/calendar.ics", everyone(OK))

# --- minutes (issue 16) ---
# The world's meetings have no minutes yet: the secretary (schedulers and administrators of the meeting's province)
# may draft them (and opens the minutes page, the approval page of item 2, the meeting page's card); what needs
# minutes is not found. Clerks read only what was sent to their site (nothing here: 404); finance and operators: 403.


def minutes_reader(secretary, *, api: bool = False) -> Rule:
    def rule(who, place):
        if who.role is None:
            return _anon(api)
        if who.role in (Role.SCHEDULER, Role.ADMINISTRATOR):
            return secretary if _same_province(who, place) else MISSING
        return MISSING if who.role == Role.CLERK else DENIED

    return rule


MN = f"/minutes/meeting/{M}"
case("minutes:meeting", "GET", f"{MN}/", minutes_reader(OK))
case("minutes:draft", "POST", f"{MN}/draft/", scheduling(FOUND))
case("minutes:edit", "GET", f"{MN}/edit/", scheduling(MISSING))
case("minutes:edit", "POST", f"{MN}/edit/", scheduling(MISSING), form({"heading": "x"}))
case("minutes:send", "POST", f"{MN}/send/", scheduling(MISSING))
case("minutes:correct", "POST", f"{MN}/correct/", scheduling(MISSING), form({"note": "x"}))
case("minutes:approve", "GET", f"{MN}/approve/", scheduling(OK))
case("minutes:approve", "POST", f"{MN}/approve/", scheduling(BAD), form({"decision": "as_is", "method": "consensus"}))
case("minutes:links", "GET", f"{MN}/links/", scheduling(OK))
case("minutes:version", "GET", f"{MN}/v1/", minutes_reader(MISSING))
case("minutes:pdf", "GET", f"{MN}/v1.pdf", minutes_reader(MISSING))
case("minutes:site", "GET", "/minutes/sites/{code}/", joining(OK))
MA = f"/api/meetings/{M}/minutes"
case("meeting-minutes", "GET", f"{MA}/", minutes_reader(MISSING, api=True),
     refused=only({"scheduler": NOT_ALLOWED, "admin": NOT_ALLOWED}, otherwise=DENIED, api=True))
case("meeting-minutes", "POST", f"{MA}/", scheduling(CREATED, api=True))
case("meeting-minutes", "PATCH", f"{MA}/", scheduling(MISSING, api=True), json(lambda w, p: {"content": {}}))
case("meeting-minutes-send", "POST", f"{MA}/send/", scheduling(MISSING, api=True))
case("meeting-minutes-correct", "POST", f"{MA}/correct/", scheduling(MISSING, api=True),
     json(lambda w, p: {"note": "x"}))
case("meeting-minutes-approve", "POST", f"{MA}/approve/", scheduling(MISSING, api=True),
     json(lambda w, p: {"by_meeting": w.meeting[p], "decision": "as_is", "method": "consensus"}))
case("meeting-minutes-version", "GET", f"{MA}/versions/1/", minutes_reader(MISSING, api=True))
case("meeting-minutes-pdf", "GET", f"{MA}/versions/1/pdf/", minutes_reader(MISSING, api=True))

# --- recordings (issue 17) ---
# The recording page and its controls: the province's schedulers and administrators (another province's meeting:
# not found). The world's rooms are on a fake server, which cannot record: starting is refused in Thai (the page
# redirects with the message, the API answers 400), and nothing records, so stopping is refused too. The world has
# no recording files: a download is not found for whoever may download (clerks, schedulers, administrators),
# refused to the others by the API; the page's download checks in its handler (another method: 405).
# The join page's sign: the pass is the key, read only.
RC = f"/recordings/meeting/{M}"
case("recordings:meeting", "GET", f"{RC}/", scheduling(OK))
case("recordings:card", "GET", f"{RC}/card/", scheduling(OK))
case("recordings:start", "POST", f"{RC}/start/", scheduling(FOUND))
case("recordings:stop", "POST", f"{RC}/stop/", scheduling(FOUND))
case("recordings:settings", "POST", f"{RC}/settings/", scheduling(FOUND), form({"enabled": "on", "kind": "special"}))
case("recordings:erasure", "POST", f"{RC}/erasure/", scheduling(FOUND),
     form({"requester_name": "นายทดสอบ", "requester_contact": "081-0000000", "details": "ขอลบ"}))
case("recordings:download", "GET", f"{RC}/files/1/", logged_in(MISSING), refused=everyone(NOT_ALLOWED))
case("recordings:pass-state", "GET", f"/recordings/p/{J}/state/", everyone(OK))
RA = f"/api/meetings/{M}/recording"
case("meeting-recording", "GET", f"{RA}/", scheduling(OK, api=True))
case("meeting-recording-start", "POST", f"{RA}/start/", scheduling(BAD, api=True))
case("meeting-recording-stop", "POST", f"{RA}/stop/", scheduling(BAD, api=True))
case("meeting-recording-file", "GET", f"{RA}/files/1/",
     lambda w, p: API_ANON if w.role is None else MISSING if w.role in (Role.CLERK, Role.SCHEDULER,
                                                                         Role.ADMINISTRATOR) else DENIED)


# --- proceedings (issue 16) ---
# The roll-call and votes. Through a site's pass (the join page's panel, its ballot, the roll page): the pass is the
# key, whoever holds it, until the meeting is over (the world's meetings are ahead: the roll may be recorded; the
# world has no vote: a ballot is not found; removing an entry that is not on the roll is refused in Thai, 400).
# The same signed in: the site's clerk (their own site), the province's schedulers and administrators (joining).
# The chair's view and controls: schedulers and administrators of the meeting's province (another: not found);
# opening a vote before the meeting is refused in Thai (the page redirects with the message, the API answers 400).
PP = f"/proceedings/p/{J}"
case("proceedings:pass-panel", "GET", f"{PP}/panel/", everyone(OK))
case("proceedings:pass-vote", "POST", f"{PP}/votes/0/", everyone(MISSING), form({"choice": "approve"}))
case("proceedings:pass-roll", "GET", f"{PP}/roll/", everyone(OK))
case("proceedings:pass-roll", "POST", f"{PP}/roll/", everyone(FOUND), form({"name": "นายทดสอบ", "role": "attendee"}))
case("proceedings:pass-roll-remove", "POST", f"{PP}/roll/0/remove/", everyone(BAD))
PS = f"/proceedings/meeting/{M}/site/{{code}}/roll"
case("proceedings:site-roll", "GET", f"{PS}/", joining(OK))
case("proceedings:site-roll", "POST", f"{PS}/", joining(FOUND), form({"name": "นายทดสอบ", "role": "attendee"}))
case("proceedings:site-roll-remove", "POST", f"{PS}/0/remove/", joining(FOUND))
PC = f"/proceedings/meeting/{M}"
case("proceedings:chair", "GET", f"{PC}/", scheduling(OK))
case("proceedings:chair-live", "GET", f"{PC}/live/", scheduling(OK))
case("proceedings:vote-open", "POST", f"{PC}/votes/open/", scheduling(FOUND), form({"agenda_item": "1"}))
case("proceedings:vote-close", "POST", f"{PC}/votes/0/close/", scheduling(MISSING))
case("meeting-roll", "GET", f"/api/meetings/{M}/roll/", scheduling(OK, api=True))
case("meeting-votes", "GET", f"/api/meetings/{M}/votes/", scheduling(OK, api=True))
case("meeting-votes", "POST", f"/api/meetings/{M}/votes/", scheduling(BAD, api=True),
     json(lambda w, p: {"agenda_item": 1}))
case("meeting-vote-close", "POST", f"/api/meetings/{M}/votes/0/close/", scheduling(MISSING, api=True))
PA = f"/api/sites/{{code}}/meetings/{M}"
case("site-meeting-roll", "GET", f"{PA}/roll/", joining(OK, api=True))
case("site-meeting-roll", "POST", f"{PA}/roll/", joining(CREATED, api=True),
     json(lambda w, p: {"name": "นายทดสอบ", "role": "attendee"}))
case("site-meeting-roll-entry", "DELETE", f"{PA}/roll/0/", joining(BAD, api=True))
case("site-meeting-vote-ballots", "POST", f"{PA}/votes/0/ballots/", joining(MISSING, api=True),
     json(lambda w, p: {"choice": "approve"}))


# --- evidence (issue 17) ---
# A fault report through a site's pass (no login, the pass is the key): the world's meetings are ahead, so every
# report is refused in Thai (400, nothing written). The control centre's fragment of a meeting's reports, resolving
# one (the world has none: not found), the evidence pack page and asking for a pack: the province's schedulers and
# administrators (another province's meeting: not found). The world has no pack: a download is not found for whoever
# is signed in (its check is in the handler: another method 405); the API refuses the other roles first.
EV = f"/evidence/meeting/{M}"
case("evidence:pass-fault", "POST", f"/evidence/p/{J}/faults/", everyone(BAD), form({"kind": "no_audio"}))
case("evidence:board-faults", "GET", f"{EV}/faults/board/", scheduling(OK))
case("evidence:fault-resolve", "POST", f"{EV}/faults/0/resolve/", scheduling(MISSING))
case("evidence:meeting", "GET", f"{EV}/", scheduling(OK))
case("evidence:pack-request", "POST", f"{EV}/packs/", scheduling(FOUND))
case("evidence:pack-download", "GET", f"{EV}/packs/0/download/", logged_in(MISSING), refused=everyone(NOT_ALLOWED))
EA = f"/api/meetings/{M}"
case("meeting-fault-reports", "GET", f"{EA}/fault-reports/", scheduling(OK, api=True))
case("meeting-fault-report-resolve", "POST", f"{EA}/fault-reports/0/resolve/", scheduling(MISSING, api=True))
case("meeting-evidence-packs", "GET", f"{EA}/evidence-packs/", scheduling(OK, api=True))
case("meeting-evidence-packs", "POST", f"{EA}/evidence-packs/", scheduling(CREATED, api=True))
case("meeting-evidence-pack-file", "GET", f"{EA}/evidence-packs/0/file/", scheduling(MISSING, api=True))

def test_every_url_has_an_entry():
    """Every URL × every method its view accepts has a case, and no case asks for a method the view does not take."""
    covered = {(name, method) for name, method, *_ in CASES}
    wanted = {(name, method) for name, pattern in url_patterns().items() for method in accepted_methods(name, pattern)}
    missing, stale = wanted - covered, covered - wanted
    assert not missing, f"URL × method without an entry in the permission matrix: {sorted(missing)}"
    assert not stale, f"entries for a URL or method that no view answers: {sorted(stale)}"


def _matches(expected, response) -> bool:
    status = response.status_code
    if expected == LOGIN:
        return status == FOUND and response["Location"].startswith("/login/")
    if expected == PASSES:
        return status not in (401, 403, 404, 405) and status < 500
    if isinstance(expected, frozenset | set):
        return status in expected
    return status == expected


def refused_first(expected):
    """What a method the view does not accept gets: 405, unless the view's own access check (login, role)
    answers first — Django's LoginRequired/RoleRequired mixins and DRF's permissions run before the handler
    is looked up; an object's 404 comes from the handler, so it never does."""
    return expected if expected in (LOGIN, API_ANON, DENIED) else NOT_ALLOWED


def _ask(world, method, path_template, place, data):
    path = path_template.format(**world.values(place)) if place else path_template
    payload, content_type = data(world, place) if data else (None, None)
    return path, payload, content_type


def _run(world, cases, *, probe: bool) -> list[str]:
    failures = []
    for name, method, path_template, rule, data, places in cases:
        for place in places:
            for who in PEOPLE:
                path, payload, content_type = _ask(world, method, path_template, place, data)
                response = request(world.clients[who.name], method, path, payload, content_type)
                wanted = rule(who, place)
                if probe:
                    print(f"{name:32} {method:6} {place or '-':5} {who.name:17} {response.status_code}")
                elif not _matches(wanted, response):
                    failures.append(f"{method} {path} as {who.name}: {response.status_code}, expected {wanted}")
                if method == "GET" and not probe and name not in FUNCTION_VIEWS and place in places[:1]:
                    # HEAD answers as GET does (Django's views; function views say what they take)
                    head = request(world.clients[who.name], "HEAD", path)
                    if head.status_code != response.status_code:
                        failures.append(f"HEAD {path} as {who.name}: {head.status_code}, GET {response.status_code}")
    return failures


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(tmp_path)


def test_permission_matrix(world):
    """Every case, for every person, with the objects of each place."""
    probe = bool(os.environ.get("PRACHUM_MATRIX_PROBE"))
    failures = _run(world, CASES, probe=probe)
    assert not probe, "probe mode prints the table; it never passes"
    assert not failures, f"{len(failures)} answers differ:\n" + "\n".join(failures)


# One of each kind of answer a view's own check gives (login, role refused, role admitted), to keep the run short.
REFUSAL_PEOPLE = [who for who in PEOPLE if who.name in ("anonymous", "clerk", "scheduler", "finance", "admin",
                                                        OPERATOR)]


def test_a_method_a_view_does_not_take_is_refused(world):
    """Every URL × every method it does not accept: 405, or the login/permission answer where that comes first."""
    first_case = {}
    for name, method, path, rule, _data, places in CASES:
        first_case.setdefault(name, (method, path, REFUSED.get(name), rule, places))
    failures = []
    for name, pattern in url_patterns().items():
        accepted = accepted_methods(name, pattern)
        method, path_template, refused, rule, places = first_case[name]
        for other in sorted(set(METHODS) - accepted):
            for place in places[:1]:  # the 405 is the view's, whichever object
                for who in REFUSAL_PEOPLE:
                    path = path_template.format(**world.values(place)) if place else path_template
                    response = request(world.clients[who.name], other, path)
                    wanted = refused(who, place) if refused else refused_first(rule(who, place))
                    if not _matches(wanted, response):
                        failures.append(f"{other} {path} as {who.name}: {response.status_code}, expected {wanted}")
    assert not failures, f"{len(failures)} answers differ:\n" + "\n".join(failures)
