"""Lists and pages show their own province's rows and never another's (issue 14's permission matrix).

Every person of Udon Thani (41) and of Nong Bua Lam Phu (39) who may open a list opens it; the answer must not hold
a row of the other province: by id in JSON, by the province's marker (tests/security/world.py puts it in every
site's, meeting's and agency's name) in anything. Where a list must show the asker's own rows, it is checked that
it does, so an empty list does not pass for a scoped one.
"""

from __future__ import annotations

import json

import pytest

from .world import MARK, PEOPLE, build_world, request

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

OTHER = {"41": "39", "39": "41"}

# path ({code}: the asker's own site), the kind of row its JSON lists (None: not JSON), must it show own rows
LISTS = [
    ("/api/meetings/", "meeting", True),
    ("/api/sites/", "site", True),
    ("/api/charges/?fy=2562", "charge", True),
    ("/api/agencies/", "agency", True),
    ("/api/audit/", "audit", True),
    ("/api/sites/{code}/meetings/", None, True),
    ("/api/reports/fiscal_year/?format=csv&fy=2562", None, True),
    ("/meetings/", None, True),
    ("/meetings/new/", None, True),  # the form's choices: the province's sites and agencies
    ("/sites/", None, True),
    ("/sites/{code}/", None, True),
    ("/meetings/join/control/", None, False),
    ("/meetings/join/control/board/", None, False),
    ("/billing/?fy=2562", None, True),
    ("/billing/savings/", None, False),
    ("/billing/reports/fiscal_year.csv?fy=2562", None, True),
    ("/api/schema/", None, False),
]
PROVINCE_PEOPLE = [who for who in PEOPLE if who.site]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(tmp_path)


def _rows(body: bytes) -> list[dict]:
    data = json.loads(body)
    if isinstance(data, dict):
        data = data.get("results", data)
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode("utf-8", errors="replace")


def test_no_list_or_page_shows_a_row_of_another_province(world):
    ids = {code: world.ids_of(code) for code in ("41", "39")}
    failures, opened = [], 0
    for path_template, kind, shows_own in LISTS:
        for who in PROVINCE_PEOPLE:
            path = path_template.format(code=who.site)
            response = request(world.clients[who.name], "GET", path)
            if response.status_code != 200:
                continue  # refused: the matrix says to whom (test_permission_matrix.py)
            opened += 1
            own, other = who.province, OTHER[who.province]
            text = _text(response)
            if MARK[other] in text:
                failures.append(f"{path} as {who.name}: shows a row of province {other}")
            if kind is not None:
                listed = {row.get("id") for row in _rows(response.content)}
                if listed & ids[other][kind]:
                    failures.append(f"{path} as {who.name}: lists {kind} ids {sorted(listed & ids[other][kind])}")
                if shows_own and not listed & ids[own][kind]:
                    failures.append(f"{path} as {who.name}: lists none of its own province's {kind}s")
            elif shows_own and MARK[own] not in text:
                failures.append(f"{path} as {who.name}: shows none of its own province's rows")
    assert opened >= 90, f"only {opened} lists were opened: the matrix's people lost their access?"
    assert not failures, f"{len(failures)} lists cross the province line (or show nothing):\n" + "\n".join(failures)
