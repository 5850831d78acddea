"""Shared fixtures. The suite runs on PostgreSQL and Redis started by `make test` (see tests/services)."""

import pytest
from django.core.management import call_command

from tests.factories.districts import StaffFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the national geography and Udon Thani's 21 sites, loaded once.

    Transactional tests end with a flush that empties every table; they are marked `serialized_rollback` below, so
    each one starts again from this snapshot (geography, sites and the rows data migrations wrote).
    """
    from django.db import connection

    with django_db_blocker.unblock():
        call_command("load_geography", verbosity=0)
        call_command("create_province_sites", "41", verbosity=0)
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


KINDS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items):
    unmarked = [item.nodeid for item in items if not any(item.get_closest_marker(kind) for kind in KINDS)]
    if unmarked:
        raise pytest.UsageError(
            "every test says what it needs (pytest.mark.unit, integration or e2e: pyproject.toml); unmarked:\n  "
            + "\n  ".join(unmarked)
        )
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(item.fixturenames)
        if not transactional or kwargs.get("available_apps") is not None:
            continue
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache (this process's memory in tests) outlives each test's rollback: start every test with it empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_factory(db):
    return StaffFactory


@pytest.fixture
def login(client):
    """`login(role, site_code)` -> a logged-in test client for a new person of that role at that site."""

    def _login(role: str, site_code: str = "41", the_client=None):
        staff = StaffFactory.create(role=role, site_code=site_code)
        the_client = the_client or client
        the_client.force_login(staff.user)
        return the_client

    return _login
