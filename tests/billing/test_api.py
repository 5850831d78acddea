"""/api/charges/ and /api/reports/<exporter>/: the pages' permissions and scope, clear 400 bodies."""

import datetime
import io

import openpyxl
import pytest

from billing.models import Charge, ExportLog
from districts.models import Staff
from tests.factories.billing import charge_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
Role = Staff.Role
JANUARY_2562 = datetime.date(2019, 1, 1)


def test_charges_list_filters_by_fiscal_year_month_district_and_status(login, fy2562):
    client = login(Role.FINANCE, "41")
    body = client.get("/api/charges/?fy=2562").json()
    assert body["count"] == 240
    body = client.get("/api/charges/?month=2562-01").json()
    assert body["count"] == 20
    first = body["results"][0]
    assert first["month"] == "2019-01-01"
    assert first["month_label"] == "ม.ค. 2562"
    assert (first["fee"], first["vat"], first["total"]) == ("1250.00", "87.50", "1337.50")
    assert client.get("/api/charges/?fy=2562&district=4122").json()["count"] == 12
    assert client.get("/api/charges/?fy=2562&status=paid").json()["count"] == 0


def test_bad_filters_get_400_with_a_clear_body(login, fy2562):
    response = login(Role.FINANCE, "41").get("/api/charges/?fy=2018&month=2562-13&status=lost")
    assert response.status_code == 400
    body = response.json()
    assert "ดูเหมือนเป็นปี ค.ศ." in body["fy"][0]
    assert "01 ถึง 12" in body["month"][0]
    assert "ไม่ถูกต้อง" in body["status"][0]


def test_district_finance_sees_only_its_district_and_clerks_nothing(login, fy2562):
    client = login(Role.FINANCE, "4122")
    body = client.get("/api/charges/?fy=2562").json()
    assert body["count"] == 12
    assert {row["district_code"] for row in body["results"]} == {"4122"}
    other = charge_of("4101", JANUARY_2562)
    assert client.get(f"/api/charges/{other.pk}/").status_code == 404
    response = client.post(f"/api/charges/{other.pk}/mark-paid/", {"invoice_number": "X", "paid_on": "2019-02-05"})
    assert response.status_code == 404
    clerk = login(Role.CLERK, "4122")
    assert clerk.get("/api/charges/").status_code == 403
    assert clerk.get("/api/reports/monthly/?format=csv&month=2562-01").status_code == 403


def test_mark_paid_then_refused_for_the_paid_month(login, fy2562):
    client = login(Role.FINANCE, "41")
    charge = charge_of("4122", JANUARY_2562)
    response = client.post(
        f"/api/charges/{charge.pk}/mark-paid/", {"invoice_number": "NT-6201-0042", "paid_on": "05/02/2562"}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["paid_on"], response.json()["locked"]) == (
        "paid",
        "2019-02-05",
        True,
    )
    again = client.post(f"/api/charges/{charge.pk}/mark-paid/", {"invoice_number": "X", "paid_on": "2019-02-06"})
    assert again.status_code == 400
    assert "ชำระแล้ว" in again.json()["detail"][0]
    bad_date = client.post(
        f"/api/charges/{charge_of('4101', JANUARY_2562).pk}/mark-paid/", {"invoice_number": "X", "paid_on": "05/02/62"}
    )
    assert bad_date.status_code == 400
    assert "4 หลัก" in bad_date.json()["paid_on"][0]


def test_mark_paid_by_district_and_month_and_an_unknown_month(login, fy2562):
    client = login(Role.FINANCE, "41")
    response = client.post(
        "/api/charges/mark-paid/",
        {"district_code": "4122", "month": "2562-01", "invoice_number": "NT-1", "paid_on": "2019-02-05"},
    )
    assert response.status_code == 200
    assert charge_of("4122", JANUARY_2562).status == "paid"
    response = client.post(
        "/api/charges/mark-paid/",
        {"district_code": "4122", "month": "2560-05", "invoice_number": "NT-1", "paid_on": "2019-02-05"},
    )
    assert response.status_code == 400
    assert "ไม่มีค่าบริการของอำเภอรหัส 4122 เดือน พ.ค. 2560" in response.json()["month"][0]
    assert Charge.objects.filter(status="paid").count() == 1


def test_reports_api_serves_each_format_and_logs_it(login, fy2562):
    client = login(Role.FINANCE, "41")
    response = client.get("/api/reports/fiscal_year/?format=xlsx&fy=2562")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="fiscal-year-2562.xlsx"'
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert next(row for row in rows if len(row) > 1 and row[1] == "รวม")[-1] == 321000
    csv = client.get("/api/reports/monthly/?format=csv&month=2562-01")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert "26750.00" in csv.content.decode("utf-8-sig")
    pdf = client.get("/api/reports/travel_savings/?format=pdf&fy=2562")
    assert pdf.content.startswith(b"%PDF")
    assert ExportLog.objects.count() == 3


def test_the_reports_api_only_reads_and_closing_a_month_is_a_confirmed_post(login, fy2562):
    """Issue 15, point 14: GET /api/reports/monthly/ locks nothing; POST /api/charges/close-month/ does."""
    client = login(Role.FINANCE, "41")
    response = client.get("/api/reports/monthly/?format=csv&month=2562-01")
    assert response["Content-Disposition"] == 'attachment; filename="utility-cost-2562-01.csv"'
    assert Charge.objects.exclude(locked_at=None).count() == 0
    assert client.get("/api/charges/close-month/").status_code == 405
    unconfirmed = client.post("/api/charges/close-month/", {"month": "2562-01"}, content_type="application/json")
    assert unconfirmed.status_code == 400
    assert "confirm=true" in unconfirmed.json()["confirm"][0]
    bad = client.post(
        "/api/charges/close-month/", {"month": "2562-13", "confirm": True}, content_type="application/json"
    )
    assert (bad.status_code, list(bad.json())) == (400, ["month"])
    assert Charge.objects.exclude(locked_at=None).count() == 0
    closed = client.post(
        "/api/charges/close-month/", {"month": "2562-01", "confirm": True}, content_type="application/json"
    )
    assert closed.status_code == 200
    assert closed.json() == {"month": "2019-01-01", "month_label": "ม.ค. 2562", "locked": 20, "already": 0}
    assert Charge.objects.exclude(locked_at=None).count() == 20
    again = client.post(
        "/api/charges/close-month/", {"month": "2562-01", "confirm": True}, content_type="application/json"
    )
    assert (again.json()["locked"], again.json()["already"]) == (0, 20)


def test_a_district_closes_only_its_own_month_through_the_api(login, fy2562):
    client = login(Role.FINANCE, "4122")
    closed = client.post(
        "/api/charges/close-month/", {"month": "2562-01", "confirm": True}, content_type="application/json"
    )
    assert closed.json()["locked"] == 1
    assert list(Charge.objects.exclude(locked_at=None).values_list("line__site__district__code", flat=True)) == ["4122"]
    nothing = client.post(
        "/api/charges/close-month/", {"month": "2560-01", "confirm": True}, content_type="application/json"
    )
    assert nothing.status_code == 400
    assert "ไม่มีอะไรให้ปิดงวด" in nothing.json()["month"][0]
    assert (
        login(Role.CLERK, "4122")
        .post("/api/charges/close-month/", {"month": "2562-01", "confirm": True}, content_type="application/json")
        .status_code
        == 403
    )


def test_reports_api_bad_parameters_get_400(login, fy2562):
    client = login(Role.FINANCE, "41")
    response = client.get("/api/reports/fiscal_year/?format=docx&fy=2562")
    assert response.status_code == 400
    assert "format=xlsx" in response.json()["format"][0]
    response = client.get("/api/reports/fiscal_year/?format=csv&fy=2560")
    assert response.status_code == 400
    assert "ไม่มีปีงบประมาณ 2560" in response.json()["fy"][0]
    response = client.get("/api/reports/payroll/?format=csv")
    assert response.status_code == 400
    assert "ไม่รู้จักรายงาน" in response.json()["exporter"][0]
    response = client.get("/api/reports/monthly/?format=csv&month=2560-01")
    assert response.status_code == 400
    assert "ไม่มีรายการค่าบริการของเดือน ม.ค. 2560" in response.json()["month"][0]
    assert ExportLog.objects.count() == 0


def test_the_schema_documents_the_billing_api(login):
    schema = login(Role.ADMINISTRATOR, "41").get("/api/schema/").content.decode()
    assert "/api/charges/{id}/mark-paid/" in schema
    assert "/api/charges/close-month/" in schema
    assert "/api/reports/{exporter}/" in schema
