"""Addresses and names: the links a site is given, and the display name that marks a site in a room."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import NoReverseMatch, reverse

MARKER_SEPARATOR = " · "
# Stand-ins reversed once, then replaced by each meeting's id or each pass's token (no route contains them).
_PK = 987654321012345
_STAND_IN = "Xq7standinZq9"


def portal_url(path: str) -> str:
    """An absolute address on the portal (for QR codes, calendar files and printed sheets)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _pass_route(name: str, token: str) -> str:
    """The short top-level route (`/j/<token>/`) when the project mounts it, else the one under /meetings/join/."""
    try:
        return reverse(f"j:{name}", kwargs={"token": token})
    except NoReverseMatch:
        return reverse(f"join:j:{name}", kwargs={"token": token})


def join_path(token: str) -> str:
    return _pass_route("page", token)


def join_url(token: str) -> str:
    """The link a site opens to enter its meeting: on the join button, the QR code, the sheet and the .ics."""
    return portal_url(join_path(token))


def join_url_maker() -> Callable[[str], str]:
    """`join_url` for many tokens: the route is reversed once (a page of meetings reverses nothing per meeting)."""
    before, after = join_url(_STAND_IN).split(_STAND_IN)
    return lambda token: f"{before}{token}{after}"


def join_qr_path_maker() -> Callable[[str], str]:
    """The address of the QR code image of each token's join link (`/j/<token>/qr.svg`), reversed once."""
    before, after = _pass_route("qr", _STAND_IN).split(_STAND_IN)
    return lambda token: f"{before}{token}{after}"


def site_meeting_paths_maker(code: str) -> Callable[[int], dict[str, str]]:
    """The addresses of a site's files of a meeting (.ics, join sheet, PDF, new link), by meeting id: each route
    is reversed once for the site, not once per meeting."""
    routes = {"ics": "meeting-ics", "sheet": "sheet", "pdf": "sheet-pdf", "renew": "renew-link"}
    parts = {
        name: reverse(f"join:{route}", kwargs={"code": code, "pk": _PK}).split(str(_PK))
        for name, route in routes.items()
    }
    return lambda pk: {name: f"{before}{pk}{after}" for name, (before, after) in parts.items()}


def pass_test_path(token: str) -> str:
    return _pass_route("test", token)


def pass_moderate_path(token: str) -> str:
    return _pass_route("moderate", token)


def feed_url(token: str) -> str:
    return portal_url(reverse("join:feed", kwargs={"token": token}))


def site_marker(site) -> str:
    """The display name a site has in a room: `<site code> · <site name>` (the control centre reads the code)."""
    return f"{site.code}{MARKER_SEPARATOR}{site.name}"


def agency_marker(agency) -> str:
    """The display name an invited agency has in a room: `ส่วนราชการ · <name>` (no site code: it counts for no
    site, and its own pass, not its name, attributes its attendance)."""
    return f"ส่วนราชการ{MARKER_SEPARATOR}{agency.name}"


def marker_code(display: str) -> str:
    """The site code at the start of a display name, or "" when there is none."""
    code, separator, _rest = (display or "").partition(MARKER_SEPARATOR)
    code = code.strip()
    return code if separator and code.isdigit() and len(code) in (2, 4) else ""


def short_path(code: str = "") -> str:
    """The short form's address: /k/ (a box to type the code in) or /k/<12 digits>/."""
    return reverse("k:code", kwargs={"code": code}) if code else reverse("k:form")


def short_url(code: str = "") -> str:
    return portal_url(short_path(code))


def short_code_text(code: str) -> str:
    """The code as people read and type it: three groups of four digits."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
