"""Finance pages: role boundaries, fixed query counts, payment form, downloads (at once and in the background)."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Charge, Export, ExportLog
from districts.models import Staff
from tests.factories.billing import bill, charge_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
Role = Staff.Role
D = datetime.date
JANUARY_2562 = D(2019, 1, 1)


@pytest.mark.parametrize(
    "url",
    ["/billing/", "/billing/savings/", "/billing/reports/monthly.csv?month=2562-01", "/billing/charges/1/pay/"],
)
@pytest.mark.parametrize(("role", "site"), [(Role.CLERK, "4122"), (Role.SCHEDULER, "41")])
def test_other_roles_get_403(login, url, role, site):
    assert login(role, site).get(url).status_code == 403


def test_anonymous_people_go_to_the_login_page(client):
    response = client.get("/billing/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_provincial_finance_sees_every_district_for_a_month_with_the_total_in_words(login, fy2562):
    html = login(Role.FINANCE, "41").get("/billing/?fy=2562&month=1").content.decode()
    assert html.count("บันทึกการชำระ</a>") == 20
    assert "ม.ค. 2562" in html
    assert "26,750.00" in html
    assert "(สองหมื่นหกพันเจ็ดร้อยห้าสิบบาทถ้วน)" in html
    assert "/billing/reports/monthly.pdf?month=2562-01" in html
    assert "/billing/reports/fiscal_year.xlsx?fy=2562" in html
    assert "/billing/reports/travel_savings.csv?fy=2562" in html


def test_the_whole_fiscal_year_and_filters(login, fy2562):
    client = login(Role.FINANCE, "41")
    html = client.get("/billing/?fy=2562").content.decode()
    assert html.count("บันทึกการชำระ</a>") == 240
    assert "321,000.00" in html
    assert "(สามแสนสองหมื่นหนึ่งพันบาทถ้วน)" in html
    html = client.get("/billing/?fy=2562&district=4122").content.decode()
    assert html.count("บันทึกการชำระ</a>") == 12
    assert "16,050.00" in html
    assert client.get("/billing/?fy=2562&status=paid").content.decode().count("บันทึกการชำระ</a>") == 0


def test_a_bad_filter_says_what_is_wrong(login, fy2562):
    html = login(Role.FINANCE, "41").get("/billing/?fy=2018&status=lost").content.decode()
    assert "ดูเหมือนเป็นปี ค.ศ." in html
    assert "สถานะไม่ถูกต้อง" in html


def test_district_finance_sees_only_its_own_district(login, fy2562):
    client = login(Role.FINANCE, "4122")
    html = client.get("/billing/?fy=2562").content.decode()
    assert html.count("บันทึกการชำระ</a>") == 12
    assert "นายูง" in html
    assert "กุดจับ" not in html
    assert client.get("/billing/?fy=2562&district=4102").status_code == 200
    assert "ไม่พบอำเภอนี้ในขอบเขตของท่าน" in client.get("/billing/?fy=2562&district=4102").content.decode()
    other = charge_of("4102", JANUARY_2562)
    assert client.get(f"/billing/charges/{other.pk}/pay/").status_code == 404
    response = client.get("/billing/reports/fiscal_year.csv?fy=2562")
    body = response.content.decode("utf-8-sig")
    assert "4122,นายูง," in body
    assert "4102" not in body


def test_the_charge_list_costs_a_fixed_number_of_queries(login, fy2562, django_assert_num_queries):
    client = login(Role.FINANCE, "41")
    client.get("/billing/?fy=2562&month=1")  # warm the session
    with CaptureQueriesContext(connection) as one_month:
        client.get("/billing/?fy=2562&month=1")
    with django_assert_num_queries(len(one_month)):
        response = client.get("/billing/?fy=2562")  # 240 charges instead of 20
    assert response.status_code == 200
    bill(D(2019, 10, 1), D(2020, 9, 1))
    with django_assert_num_queries(len(one_month)):
        client.get("/billing/?fy=2563")
    # the session, who asks (the user with their Staff row, site and province: one query), district offices,
    # charges + the request savepoint pair
    assert len(one_month) == 6


def test_the_savings_page_costs_a_fixed_number_of_queries_and_shows_the_figures(
    login, fy2562, django_assert_num_queries
):
    client = login(Role.FINANCE, "41")
    client.get("/billing/savings/?fy=2562")
    with CaptureQueriesContext(connection) as first:
        html = client.get("/billing/savings/?fy=2562").content.decode()
    assert "ค่าวงจรสื่อสาร" in html
    assert "-26,750.00" in html
    assert "-321,000.00" in html
    with django_assert_num_queries(len(first)):
        client.get("/billing/savings/?fy=2561")


def test_marking_paid_with_the_invoice_number(login, fy2562):
    client = login(Role.FINANCE, "41")
    charge = charge_of("4122", JANUARY_2562)
    page = client.get(f"/billing/charges/{charge.pk}/pay/").content.decode()
    assert "1,337.50" in page
    assert "หนึ่งพันสามร้อยสามสิบเจ็ดบาทห้าสิบสตางค์" in page
    response = client.post(f"/billing/charges/{charge.pk}/pay/", {"invoice_number": "", "paid_on": "31/02/2562"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "กรอกเลขที่ใบแจ้งหนี้" in html
    assert "ไม่มีวันที่ 31" in html
    response = client.post(f"/billing/charges/{charge.pk}/pay/", {"invoice_number": "NT-1", "paid_on": "5/12/2561"})
    assert "อยู่ก่อนเดือนที่เรียกเก็บ" in response.content.decode()
    charge.refresh_from_db()
    assert charge.status == "due"
    response = client.post(
        f"/billing/charges/{charge.pk}/pay/", {"invoice_number": "NT-6201-0042", "paid_on": "05/02/2562"}, follow=True
    )
    assert "บันทึกการชำระค่าบริการเดือน ม.ค. 2562" in response.content.decode()
    charge.refresh_from_db()
    assert (charge.status, charge.invoice_number, charge.paid_on) == ("paid", "NT-6201-0042", D(2019, 2, 5))
    again = client.post(f"/billing/charges/{charge.pk}/pay/", {"invoice_number": "X", "paid_on": "06/02/2562"})
    assert again.status_code == 400
    assert "ชำระแล้ว" in again.content.decode()


def test_a_small_report_downloads_at_once_is_logged_and_locks_nothing(login, fy2562):
    response = login(Role.FINANCE, "41").get("/billing/reports/monthly.xlsx?month=2562-01")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="utility-cost-2562-01.xlsx"'  # the BE month
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "ประจำเดือน มกราคม 2562" in sheet["A2"].value
    log = ExportLog.objects.get()
    assert (log.exporter, log.file_format, log.row_count, log.user.username) == (
        "monthly",
        "xlsx",
        20,
        log.user.username,
    )
    assert log.user.staff.role == Role.FINANCE
    assert not Charge.objects.exclude(locked_at=None).exists()  # a GET never writes: downloads only download


# --- Closing a month (issue 15, point 14): an explicit, confirmed POST; a GET or a cross-site link locks nothing ---

CLOSE = "/billing/months/2562-01/close/"


def test_the_charges_page_links_to_closing_and_says_downloads_do_not_close(login, fy2562):
    html = login(Role.FINANCE, "41").get("/billing/?fy=2562&month=1").content.decode()
    assert f'href="{CLOSE}"' in html
    assert "การดาวน์โหลดไม่ปิดงวด" in html
    assert "ถือเป็นการปิดงวด" not in html


def test_closing_asks_first_and_says_what_closing_means(login, fy2562):
    html = login(Role.FINANCE, "41").get(CLOSE).content.decode()
    assert "ปิดงวดเดือน มกราคม 2562" in html
    assert "ยอดของ 20 รายการที่ยังไม่ล็อกจะถูกล็อกถาวร" in html
    assert "รายการปรับปรุง" in html
    assert "ยกเลิกการปิดงวดไม่ได้" in html
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert "26,750.00" in html
    assert not Charge.objects.exclude(locked_at=None).exists()


def test_a_cross_site_post_without_the_csrf_token_closes_nothing(fy2562):
    from django.test import Client

    from tests.factories.districts import StaffFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory.create(role=Role.FINANCE, site_code="41").user)
    assert client.post(CLOSE, {"confirm": "yes"}).status_code == 403
    assert not Charge.objects.exclude(locked_at=None).exists()


def test_closing_a_month_with_the_confirmation_form_locks_it_and_is_audited(login, fy2562):
    from foundation.models import AuditEntry

    client = login(Role.FINANCE, "41")
    unconfirmed = client.post(CLOSE, {})
    assert unconfirmed.status_code == 400
    assert "ยืนยันปิดงวด" in unconfirmed.content.decode()
    assert not Charge.objects.exclude(locked_at=None).exists()
    response = client.post(CLOSE, {"confirm": "yes"}, follow=True)
    assert "ปิดงวดเดือน ม.ค. 2562 ของจังหวัดอุดรธานี แล้ว: ล็อกยอด 20 รายการ" in response.content.decode()
    assert not Charge.objects.filter(month=JANUARY_2562, locked_at=None).exists()
    assert Charge.objects.filter(month=D(2019, 2, 1), locked_at=None).count() == 20
    entry = AuditEntry.objects.get(action="update")
    assert entry.detail == {"closed_month": "2019-01-01", "scope": "จังหวัดอุดรธานี", "locked": 20, "already": 0}
    assert "เดือนนี้ปิดงวดแล้ว" in client.get(CLOSE).content.decode()


def test_a_district_finance_officer_closes_only_its_district(login, fy2562):
    client = login(Role.FINANCE, "4122")
    client.post(CLOSE, {"confirm": "yes"})
    assert list(Charge.objects.exclude(locked_at=None).values_list("line__site__district__code", flat=True)) == ["4122"]


def test_closing_a_month_without_charges_or_a_bad_month_is_refused(login, fy2562):
    client = login(Role.FINANCE, "41")
    assert "ไม่มีรายการค่าบริการของเดือนนี้" in client.get("/billing/months/2560-01/close/").content.decode()
    refused = client.post("/billing/months/2560-01/close/", {"confirm": "yes"})
    assert refused.status_code == 400
    assert "ไม่มีอะไรให้ปิดงวด" in refused.content.decode()
    assert client.get("/billing/months/2562-13/close/").status_code == 404
    assert login(Role.CLERK, "4122").post(CLOSE, {"confirm": "yes"}).status_code == 403
    assert not Charge.objects.exclude(locked_at=None).exists()


def test_a_report_with_bad_parameters_explains_itself(login, fy2562):
    client = login(Role.FINANCE, "41")
    response = client.get("/billing/reports/monthly.pdf?month=2570-15")
    assert response.status_code == 400
    assert "เดือนต้องอยู่ระหว่าง 01 ถึง 12" in response.content.decode()
    response = client.get("/billing/reports/fiscal_year.docx?fy=2562")
    assert response.status_code == 400
    assert "ไม่รองรับรูปแบบ" in response.content.decode()
    assert ExportLog.objects.count() == 0


@pytest.mark.usefixtures("fy2562", "media_root")
def test_a_large_report_runs_in_the_background_and_the_page_downloads_it(
    login, settings, django_capture_on_commit_callbacks, client_factory
):
    settings.BILLING_EXPORT_ASYNC_ROWS = 5
    client = login(Role.FINANCE, "41")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/billing/reports/fiscal_year.xlsx?fy=2562")
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/billing/exports/{export.pk}/"
    assert (export.status, export.progress, export.filename) == ("done", 100, "fiscal-year-2562.xlsx")
    page = client.get(f"/billing/exports/{export.pk}/").content.decode()
    assert "htmx" in page
    assert f"/billing/exports/{export.pk}/download/" in page
    poll = client.get(f"/billing/exports/{export.pk}/", headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == f"/billing/exports/{export.pk}/download/"
    download = client.get(f"/billing/exports/{export.pk}/download/")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    total = next(row for row in rows if len(row) > 1 and row[1] == "รวม")
    assert total[-1] == 321000
    assert ExportLog.objects.get().row_count == 20
    stranger = login(Role.FINANCE, "41", the_client=client_factory())
    assert stranger.get(f"/billing/exports/{export.pk}/").status_code == 404
    assert stranger.get(f"/billing/exports/{export.pk}/download/").status_code == 404


def test_a_pending_export_page_polls(login, fy2562, django_user_model):
    client = login(Role.FINANCE, "41")
    user = django_user_model.objects.get(pk=client.session["_auth_user_id"])
    export = Export.objects.create(user=user, exporter="fiscal_year", file_format="pdf", parameters={"fy": 2562})
    html = client.get(f"/billing/exports/{export.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "รอคิว" in html
