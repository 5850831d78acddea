"""The national pages: who may open them, what they show, the files, and a fixed number of queries."""

from __future__ import annotations

import csv
import io
import subprocess
import unicodedata
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from districts.models import Staff
from districts.services import province_sites_create
from national.models import NATIONAL_GROUP, VIEW_NATIONAL
from national.selectors import national_summary

from .conftest import FY, held

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
Role = Staff.Role
PAGES = ("/national/", "/national/?fy=2562", "/national/report.csv?fy=2562")


def test_the_group_made_by_the_migration_holds_the_national_permission():
    group = Group.objects.get(name=NATIONAL_GROUP)
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [("national", "view_national")]
    assert Permission.objects.filter(codename="view_national").count() == 1


def test_anonymous_visitors_go_to_the_login_page(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("role", "site_code"),
    [(Role.ADMINISTRATOR, "41"), (Role.FINANCE, "41"), (Role.SCHEDULER, "41"), (Role.CLERK, "4122")],
)
def test_every_province_role_is_refused(login, role, site_code):
    client = login(role, site_code)
    for path in PAGES:
        assert client.get(path).status_code == 403, path


def test_a_signed_in_person_without_the_permission_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="nobody", password="x"))
    for path in PAGES:
        assert client.get(path).status_code == 403, path


def test_national_users_and_operators_see_it_and_national_users_see_nothing_else(
    client, national_user, django_user_model
):
    assert national_user.has_perm(VIEW_NATIONAL)
    client.force_login(national_user)
    page = client.get("/national/")
    assert page.status_code == 200
    assert 'href="/national/"' in page.content.decode()  # the menu leads there
    home = client.get("/")  # signing in lands them on it
    assert (home.status_code, home["Location"]) == (302, "/national/")
    # No Staff row: the province-scoped pages refuse them, whatever the province.
    for path in ("/meetings/", "/billing/", "/sites/", "/sites/4122/", "/meetings/join/control/"):
        assert client.get(path).status_code == 403, path
    operator = django_user_model.objects.create_superuser(username="operator", password="x")
    client.force_login(operator)
    assert client.get("/national/").status_code == 200


def test_the_page_shows_every_province_the_totals_and_the_chart(client, national_user, provinces):
    client.force_login(national_user)
    html = client.get("/national/?fy=2562").content.decode()
    totals = national_summary(fy=FY).totals
    assert "ภาพรวมระดับประเทศ" in html
    assert "ปีงบประมาณ 2562" in html
    for name in ("หนองบัวลำภู", "อุดรธานี", "แม่ฮ่องสอน"):  # all 77, zeros included
        assert name in html
    assert f"{totals.net:,.2f}" in html
    assert "417,300.00" in html  # 321,000.00 + 96,300.00 of lines, VAT included
    assert "<svg" in html
    assert html.count("<rect") == 2  # one bar per province with something to show
    assert 'href="/national/report.xlsx?fy=2562"' in html


def test_a_fiscal_year_that_does_not_exist_is_refused_clearly(client, national_user):
    client.force_login(national_user)
    html = client.get("/national/?fy=2018").content.decode()
    assert "errorlist" in html
    assert "ปีงบประมาณ" in html
    response = client.get("/national/report.csv?fy=2018")
    assert response.status_code == 400
    assert client.get("/national/report.doc?fy=2562").status_code == 400


def test_the_page_costs_the_same_queries_with_two_provinces_and_with_many(
    client, national_user, provinces, django_assert_num_queries
):
    client.force_login(national_user)
    client.get("/national/?fy=2562")
    with CaptureQueriesContext(connection) as two:
        client.get("/national/?fy=2562")
    for code in ("40", "42", "43", "44", "45", "46", "47", "48"):
        province_sites_create(province_code=code)
        held(province=code, sites=[f"{code}01", f"{code}02"], connected=[f"{code}01"])
    with django_assert_num_queries(len(two)):
        html = client.get("/national/?fy=2562").content.decode()
    assert html.count("<rect") == 10
    # the session, the user (with their Staff row: none), the permissions (user's, groups'), the six figures'
    # queries, and the request's savepoint pair
    assert len(two) <= 12, [q["sql"][:80] for q in two.captured_queries]


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_files_hold_every_province_and_the_country_totals(client, national_user, provinces, tmp_path):
    client.force_login(national_user)
    totals = national_summary(fy=FY).totals
    response = client.get("/national/report.csv?fy=2562")
    assert response["Content-Disposition"] == 'attachment; filename="national-2562.csv"'
    rows = csv_rows(response.content)
    assert rows[0][0] == "ภาพรวมการประชุมทางไกลระดับประเทศ ปีงบประมาณ 2562"
    assert "1 ตุลาคม 2561 ถึง 30 กันยายน 2562" in rows[1][0]
    header = rows.index(next(row for row in rows if row and row[0] == "รหัส"))
    body = [row for row in rows[header + 1 :] if row and row[0].isdigit()]
    assert len(body) == 77
    udon = next(row for row in body if row[0] == "41")
    assert udon[1:3] == ["อุดรธานี", "4"]
    assert udon[6] == "321000.00"
    footer = next(row for row in rows if row and row[1:2] == ["รวมทั้งประเทศ"])
    assert footer[6:] == [f"{totals.cost:.2f}", f"{totals.saved:.2f}", f"{totals.net:.2f}"]

    workbook = client.get("/national/report.xlsx?fy=2562").content
    sheet = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    footer = next(row for row in values if len(row) > 1 and row[1] == "รวมทั้งประเทศ")
    assert [Decimal(str(v)) for v in footer[6:9]] == [totals.cost, totals.saved, totals.net]

    pdf = tmp_path / "national.pdf"
    pdf.write_bytes(client.get("/national/report.pdf?fy=2562").content)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = unicodedata.normalize("NFKC", text)
    assert f"{totals.net:,.2f}" in text
    assert unicodedata.normalize("NFKC", "รวมทั้งประเทศ") in text
