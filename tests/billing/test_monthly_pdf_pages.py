"""The monthly report's signature block never stands alone on a page (issue 15, point 15): it goes to a page with
the table's last rows, the totals and the notes. Checked from the PDF alone (pdfinfo, pdftotext page by page),
for the province's 20 districts and for longer months (adjustment rows), whose page break falls elsewhere."""

from __future__ import annotations

import datetime
import re
import subprocess

import pytest

from billing.exporters import EXPORTERS
from billing.services import charge_adjust
from tests.factories.billing import bill, charge_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

APRIL_2561 = datetime.date(2018, 4, 1)
DISTRICTS = [f"41{n:02d}" for n in (*range(1, 12), *range(17, 26))]  # Udon Thani's 20


def pages_of(content: bytes, tmp_path) -> list[str]:
    pdf = tmp_path / "monthly.pdf"
    pdf.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        for page in range(1, count + 1)
    ]  # fmt: skip


@pytest.mark.parametrize("adjustments", [0, 6, 11, 16])
def test_the_signature_block_shares_its_page_with_the_last_rows_and_the_totals(
    lines, udon_scope, tmp_path, adjustments
):
    bill(APRIL_2561)
    for code in DISTRICTS[:adjustments]:
        charge_adjust(charge=charge_of(code, APRIL_2561), amount="-100.00", reason="วงจรขัดข้อง 3 วัน")
    rows = 20 + adjustments
    exporter_class = EXPORTERS["monthly"]
    exporter = exporter_class(params=exporter_class.parse_params({"month": "2561-04"}), scope=udon_scope)
    pages = pages_of(exporter.render("pdf")[2], tmp_path)
    signed = [number for number, text in enumerate(pages, start=1) if "ลงชื่อ" in text]
    assert len(signed) == 1, pages
    page = pages[signed[0] - 1]
    assert f"{rows} รายการ" in page  # the totals row
    assert "ตัวอักษร" in page  # the amount in words
    # the table's last rows: their sequence numbers start lines on that page
    numbers = {int(found) for found in re.findall(r"^\s*(\d{1,2})\s+41\d\d", page, re.MULTILINE)}
    assert {rows - 2, rows - 1, rows} <= numbers, page
    assert signed[0] == len(pages)  # nothing after it


def header_first(page: str) -> bool:
    """The page's first line of text is the header row (its cells wrap: "ลำดั/บ", "รหัส/อำเภอ", "หมายเลข/วงจร")."""
    first_line = next(line for line in page.splitlines() if line.strip())
    titles = ("รหัส", "ที่ทำการปกครองอำเภอ", "หมายเลข", "รายการ", "รวมทั้งสิ้น", "สถานะ", "วันที่ชำระ")
    return all(title in first_line for title in titles) and not re.search(r"41\d\d", first_line)


@pytest.mark.parametrize("adjustments", [6, 11, 16, 24])
def test_page_two_starts_with_the_header_row_and_holds_the_signature_block_under_rows(
    lines, udon_scope, tmp_path, adjustments
):
    """A month long enough for two pages: `pdftotext -f 2` reads the column titles first, then table rows, then the
    signature block (never a page of signatures alone, never rows without their header)."""
    bill(APRIL_2561)
    for code in DISTRICTS[:adjustments]:
        charge_adjust(charge=charge_of(code, APRIL_2561), amount="-100.00", reason="วงจรขัดข้อง 3 วัน")
    exporter_class = EXPORTERS["monthly"]
    exporter = exporter_class(params=exporter_class.parse_params({"month": "2561-04"}), scope=udon_scope)
    pdf = tmp_path / "monthly.pdf"
    pdf.write_bytes(exporter.render("pdf")[2])
    pages = pages_of(pdf.read_bytes(), tmp_path)
    assert len(pages) >= 2
    second = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert header_first(second), second
    assert all(header_first(page) for page in pages[1:]), pages  # every later page too
    last = pages[-1]
    assert "ลงชื่อ" in last
    rows_above = re.findall(r"^\s*(\d{1,2})\s+41\d\d", last[: last.index("ลงชื่อ")], re.MULTILINE)
    assert len(rows_above) >= 3, last
