"""The Thai admin: dated rates are added through the services (their checks), charges are read-only."""

import datetime
from decimal import Decimal

import pytest

from billing.models import Charge, VatRate
from districts.models import Staff
from tests.factories.billing import bill

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL


def test_an_operator_adds_a_vat_rate_through_the_service_and_sees_its_errors(login, client):
    # VAT is national: a province's administrator reads the rates and cannot add one.
    assert login(Staff.Role.ADMINISTRATOR, "41").post(
        "/admin/billing/vatrate/add/", {"rate": "0.10", "effective_from": "2030-01-01", "note": ""}
    ).status_code == 403
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("operator", "ops@example.go.th", "x-Operator-1"))
    bad = client.post("/admin/billing/vatrate/add/", {"rate": "7", "effective_from": "2030-01-01", "note": ""})
    assert bad.status_code == 200
    assert VatRate.objects.count() == 1
    assert "0.9999" in bad.content.decode() or "ไม่ใช่ 7" in bad.content.decode()
    good = client.post("/admin/billing/vatrate/add/", {"rate": "0.10", "effective_from": "2030-01-01", "note": "ทดสอบ"})
    assert good.status_code == 302
    assert VatRate.objects.get(effective_from=datetime.date(2030, 1, 1)).rate == Decimal("0.1000")


def test_admin_refuses_an_overlapping_tariff_with_the_service_message(login, lines):
    client = login(Staff.Role.ADMINISTRATOR, "41")
    line = lines[0]
    response = client.post(
        "/admin/billing/tariff/add/",
        {"line": line.pk, "monthly_fee": "900", "effective_from": "2018-04-01", "effective_until": ""},
    )
    assert response.status_code == 200
    assert "ทับซ้อน" in response.content.decode()
    assert line.tariffs.count() == 1


def test_admin_lists_charges_read_only(login, lines):
    bill(datetime.date(2018, 4, 1))
    client = login(Staff.Role.ADMINISTRATOR, "41")
    assert client.get("/admin/billing/charge/").status_code == 200
    charge = Charge.objects.first()
    page = client.get(f"/admin/billing/charge/{charge.pk}/change/")
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1].split("</form>")[0]
