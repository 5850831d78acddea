"""Shared fixtures. The suite runs on PostgreSQL and Redis started by `make test` (see tests/services)."""

import pytest
from django.core.management import call_command

from tests.factories.districts import StaffFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the national geography and Udon Thani's 21 sites, loaded once."""
    with django_db_blocker.unblock():
        call_command("load_geography", verbosity=0)
        call_command("create_province_sites", "41", verbosity=0)


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
