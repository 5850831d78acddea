"""Schema-driven fuzzing of /api/: every operation of /api/schema/, called in-process, must answer as documented.

Schemathesis reads the portal's OpenAPI schema, generates requests for every operation — the schema's boundary
cases (the coverage phase, valid and invalid) and random data (the fuzzing phase) — and calls the WSGI app on the
test database, signed in with a DRF token of a person who may use the operation. Each answer must be no 5xx, a
documented status code, the documented content type and headers, and a body that matches the schema.

Bounded and repeatable: a fixed seed, a moderate number of random examples per operation, no Hypothesis database
(a failure found once is not replayed from disk on the next run; the seed finds it again).
"""

from __future__ import annotations

import datetime
import json

import pytest
import schemathesis
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from foundation.thaidate import BANGKOK

pytestmark = pytest.mark.integration

FUZZ_CONFIG = {
    "seed": 20250601,
    "generation": {"max-examples": 50, "deterministic": True, "database": "none"},
}
# Not `negative_data_rejection`: it also calls a query string invalid when it carries a parameter the schema does not
# name, or `page=` empty, and DRF by design ignores unknown query parameters and reads an empty page as the first.
# (Bodies and path parameters that break the schema are all refused with a 4xx today.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Who calls what: finance for the billing operations, an administrator for the audit log, the provincial scheduler
# for meetings and sites.
FINANCE_PATHS = ("/api/charges/", "/api/reports/")
ADMINISTRATOR_PATHS = ("/api/audit/",)


def portal_schema() -> dict:
    """The document /api/schema/ serves, built by the same generator without a request (no database needed).

    Loaded at collection, so every operation is its own test item. `schemathesis.pytest.from_fixture` (lazy loading)
    would load it inside a test instead, but schemathesis 4.32 sets `Function._nodeid`, which pytest 9.2 no longer
    has. `test_the_fuzzed_schema_is_the_served_one` checks that this document is what the portal serves.
    """
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


schema = schemathesis.openapi.from_dict(portal_schema(), config=SchemathesisConfig.from_dict(FUZZ_CONFIG))

# Random values almost never name a row that exists or a month that was billed, so on their own they would test
# little beyond the 404 and the 400. Half the generated requests get real values instead (the rows the current test
# seeded, tests/api/conftest.py: api_rows), so they also reach the views' real work: rendering rows, scheduling,
# PATCH, cancel, mark-paid, report files. Filled by the `api_tokens` fixture; empty while the coverage phase's
# cases are built at collection, so those stay as the schema makes them.
REAL: dict[str, object] = {}
BILLED = {"fy": "2562", "month": "2562-01", "district": "4122", "district_code": "4122", "paid_on": "2019-02-05"}


def _with_real(values, real: dict):
    """The generated values, or the same with the keys they share with `real` replaced by real values."""
    overlay = {key: value for key, value in real.items() if key in values}
    return st.sampled_from([values, {**values, **overlay}]) if overlay else st.just(values)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not REAL:
        return st.just(path_parameters)
    real = dict(REAL["path"])
    real_id = REAL["ids"].get(context.operation.path.split("{")[0])  # `{id}`: the row of the route's own kind
    if real_id is not None:
        real["id"] = real_id
    return _with_real(path_parameters or {}, real)


@schema.hook
def flatmap_query(context, query):
    return _with_real(query or {}, {**BILLED, **REAL["audit"]} if REAL else {})


def _meeting_times(days_ahead: int) -> dict:
    start = REAL["now"] + datetime.timedelta(days=days_ahead)
    return {"start": start.isoformat(), "end": (start + datetime.timedelta(hours=2)).isoformat()}


@schema.hook
def flatmap_body(context, body):
    if not REAL or not isinstance(body, dict):
        return st.just(body)
    if context.operation.path.startswith("/api/meetings/"):
        real = {"host_site": REAL["hall"], "sites": REAL["district_sites"], "agencies": []}
        if "start" in body and "end" in body:  # a reschedule sends both; a new meeting needs both
            return st.integers(min_value=2, max_value=700).flatmap(
                lambda days: _with_real(body, {**real, **_meeting_times(days)})
            )
        return _with_real(body, real)
    return _with_real(body, BILLED)


@pytest.fixture
def api_tokens(api_people, api_rows):
    hall = api_rows.meeting.host_site
    REAL.update(
        ids={
            "/api/meetings/": api_rows.meeting.pk,
            "/api/charges/": api_rows.charge_ids[0],
            "/api/sites/": hall.pk,
        },
        # A site of the meeting, and the meeting's document.
        path={"meeting_id": api_rows.meeting.pk, "code": "4101", "document_id": api_rows.document_id},
        # The audit log's filters, naming what the seeded rows recorded (the meeting's creation).
        audit={
            "action": "create",
            "actor": api_people.scheduler.user.username,
            "target_type": "meetings.Meeting",
            "target_id": str(api_rows.meeting.pk),
        },
        hall=hall.pk,
        district_sites=api_rows.district_site_ids,
        now=timezone.now().astimezone(BANGKOK).replace(hour=9, minute=0, second=0, microsecond=0),
    )
    yield {
        "finance": api_people.finance_token,
        "scheduler": api_people.scheduler_token,
        "administrator": api_people.administrator_token,
    }
    REAL.clear()


@schema.parametrize()
# One database transaction per operation (the `db` fixture), shared by its examples: what one example writes (a
# meeting changed, a charge paid), the next sees, as a real client's requests would.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_answers_as_documented(case, wsgi_app, api_tokens):
    if case.operation.path.startswith(FINANCE_PATHS):
        token = api_tokens["finance"]
    elif case.operation.path.startswith(ADMINISTRATOR_PATHS):
        token = api_tokens["administrator"]
    else:
        token = api_tokens["scheduler"]
    case.call_and_validate(app=wsgi_app, headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_the_fuzzed_schema_is_the_served_one(client, api_people):
    response = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {api_people.scheduler_token}")
    assert response.status_code == 200
    assert json.loads(response.content) == schema.raw_schema
