"""The Django admin in the permission matrix: every registered model's pages (changelist, add, change, delete,
history, and its own extra pages) × operator, administrator of 41, administrator of 39, scheduler, clerk and
anonymous, on a row of each province (portal/admin_site.py, districts/administrators.py).

The list of pages comes from `admin.site._registry`: a newly registered model is asked for at once, and fails
`test_every_admin_model_has_an_expectation` until ADMIN says who may do what with it.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from portal.admin_site import NATIONAL, PROVINCE_OF

from .world import OPERATOR, build_world, request

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ADD, CHANGE, DELETE = "add", "change", "delete"
ALL = frozenset({ADD, CHANGE, DELETE})
NONE: frozenset = frozenset()

# model label -> (what operators may do, what a province's administrator may do with their province's rows).
# Viewing is given to both; a model without a PROVINCE_OF entry is the operators' alone; national tables are
# read by province administrators and changed by operators only.
ADMIN: dict[str, tuple[frozenset, frozenset]] = {
    "auth.Group": (ALL, NONE),
    "auth.User": (ALL, NONE),
    "axes.AccessAttempt": (frozenset({DELETE}), NONE),
    "axes.AccessLog": (frozenset({DELETE}), NONE),
    "axes.AccessFailureLog": (frozenset({DELETE}), NONE),
    "foundation.AuditEntry": (NONE, NONE),
    "knox.AuthToken": (frozenset({DELETE}), NONE),
    "districts.Province": (ALL, NONE),
    "districts.District": (ALL, NONE),
    "districts.Site": (ALL, frozenset({CHANGE})),
    "districts.Staff": (ALL, ALL),
    "districts.Agency": (ALL, ALL),
    "meetings.MediaServer": (ALL, ALL),
    "meetings.Meeting": (frozenset({CHANGE, DELETE}), NONE),
    "meetings.Room": (frozenset({CHANGE, DELETE}), NONE),
    "meetings.Series": (frozenset({CHANGE, DELETE}), NONE),
    "join.JoinPass": (frozenset({DELETE}), NONE),
    "join.CalendarFeed": (frozenset({DELETE}), NONE),
    "join.TestCall": (NONE, NONE),
    "join.Attendance": (NONE, NONE),
    "notifications.Notification": (frozenset({CHANGE, DELETE}), NONE),
    "billing.ConnectivityLine": (ALL, ALL),
    "billing.Tariff": (frozenset({ADD}), frozenset({ADD})),
    "billing.VatRate": (frozenset({ADD}), NONE),
    "billing.Charge": (NONE, NONE),
    "billing.Export": (NONE, NONE),
    "billing.ExportLog": (NONE, NONE),
}
PEOPLE = ("anonymous", "clerk", "scheduler", "admin", "admin_39", OPERATOR)
PROVINCE_OF_PERSON = {"admin": "41", "admin_39": "39"}
LOGIN = "admin-login"


def _rows(model, path) -> dict[str, object]:
    """A row of each province (national tables and operators' models: any row, as "41" and "39" alike)."""
    manager = model._default_manager
    if path is None or path == NATIONAL:
        row = manager.order_by("pk").first()
        return {"41": row, "39": row} if row is not None else {}
    found = {}
    for code in ("41", "39"):
        q = {path: code} if path.endswith("_code") else {f"{path}__code": code}
        row = manager.filter(**q).order_by("pk").first()
        if row is not None:
            found[code] = row
    return found


def _pages(model, model_admin, row):
    """(page, url, needs) for every admin page of the model; `needs`: the action the page is for."""
    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    pages = [("changelist", reverse(f"{base}_changelist"), None), ("add", reverse(f"{base}_add"), ADD)]
    if row is not None:
        pages += [
            ("change", reverse(f"{base}_change", args=[row.pk]), None),
            ("delete", reverse(f"{base}_delete", args=[row.pk]), DELETE),
            ("history", reverse(f"{base}_history", args=[row.pk]), None),
        ]
        standard = {f"{opts.app_label}_{opts.model_name}_{page}" for page in
                    ("changelist", "add", "change", "delete", "history", "autocomplete")}
        for url in model_admin.get_urls():  # the model admin's own pages (a staff member's new password...)
            if url.name and url.name not in standard:
                try:
                    pages.append((url.name, reverse(f"admin:{url.name}", args=[row.pk]), CHANGE))
                except NoReverseMatch:
                    pages.append((url.name, reverse(f"admin:{url.name}"), CHANGE))
    return pages


def expected(person: str, label: str, page: str, needs, row_province: str | None):
    operators_may, province_may = ADMIN[label]
    path = PROVINCE_OF.get(label)
    if person in ("anonymous", "clerk", "scheduler"):  # not staff of the admin: its login page
        return LOGIN
    if person == OPERATOR:
        return 200 if needs is None or needs in operators_may else 403
    own = PROVINCE_OF_PERSON[person]
    if path is None:  # operators' alone: the list refused, a row hidden
        return 403 if page in ("changelist", "add") else 404
    if path != NATIONAL and row_province is not None and row_province != own:
        return 404  # another province's row: not found, whatever the page
    if path == NATIONAL:
        return 200 if needs is None else 403
    return 200 if needs is None or needs in province_may else 403


def _matches(wanted, response) -> bool:
    if wanted == LOGIN:
        return response.status_code == 302 and response["Location"].startswith("/admin/login/")
    return response.status_code == wanted


def test_every_admin_model_has_an_expectation():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered - set(ADMIN) == set(), "registered in the admin without an expectation in ADMIN"
    assert set(ADMIN) - registered == set(), "expectations for models no longer registered"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(tmp_path)


def test_admin_matrix(world):
    failures, missing_rows, asked = [], [], 0
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        rows = _rows(model, PROVINCE_OF.get(label))
        for code in ("41", "39"):
            if code not in rows:
                missing_rows.append(f"{label} ({code})")
        targets = [(code, rows[code]) for code in ("41", "39") if code in rows] or [(None, None)]
        for row_province, row in targets:
            for page, url, needs in _pages(model, model_admin, row):
                if row is None and page not in {"changelist", "add"}:
                    continue
                for person in PEOPLE:
                    response = request(world.clients[person], "GET", url)
                    asked += 1
                    object_page = page not in ("changelist", "add")
                    province = row_province if object_page and PROVINCE_OF.get(label) not in (None, NATIONAL) else None
                    wanted = expected(person, label, page, needs, province)
                    if not _matches(wanted, response):
                        failures.append(f"{label} {page} {url} as {person}: {response.status_code}, expected {wanted}")
    print(f"admin pages asked: {asked}; models without a row of a province: {missing_rows}")
    assert not failures, f"{len(failures)} admin answers differ:\n" + "\n".join(failures)
