"""Billing fixtures: Udon Thani's lines, its province scope, and FY 2562 billed."""

import datetime

import pytest

from billing.scope import BillingScope
from districts.models import Province
from tests.factories.billing import bill, udon_lines


@pytest.fixture
def lines(db):
    return udon_lines()


@pytest.fixture
def udon_scope(db):
    province = Province.objects.get(code="41")
    return BillingScope(province_id=province.pk, label="จังหวัดอุดรธานี")


@pytest.fixture
def fy2562(lines):
    """Udon Thani's 20 lines billed for FY 2562 (October 2561 .. September 2562)."""
    bill(datetime.date(2018, 10, 1), datetime.date(2019, 9, 1))
    return lines


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
