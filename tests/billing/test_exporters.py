"""The reports as files, read back: CSV (BOM), XLSX (openpyxl) and PDF (pdftotext) hold the figures and Thai text."""

import csv
import datetime
import io
import subprocess
import unicodedata
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from billing.exporters import EXPORTERS
from billing.models import Charge, ExportLog
from billing.scope import BillingScope
from billing.selectors import per_diem_for, travel_savings
from billing.services import export_request, month_close
from districts.models import District, Site
from join.models import Attendance
from meetings.models import Meeting, Participation
from tests.factories.billing import bill

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
D = datetime.date
BANGKOK = ZoneInfo("Asia/Bangkok")
APRIL_2561 = D(2018, 4, 1)
WORDS_26750 = "สองหมื่นหกพันเจ็ดร้อยห้าสิบบาทถ้วน"
WORDS_321000 = "สามแสนสองหมื่นหนึ่งพันบาทถ้วน"


def render(identifier: str, query: dict, scope: BillingScope, file_format: str) -> tuple[str, str, bytes]:
    exporter_class = EXPORTERS[identifier]
    exporter = exporter_class(params=exporter_class.parse_params(query), scope=scope)
    exporter.check()
    return exporter.render(file_format)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel shows Thai"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Laksaman" in fonts or "Sarabun" in fonts, fonts
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "842 x 595" in info or "595 x 842" in info or "841.89 x 595.276" in info, info  # A4
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def money_cells(row: list) -> list[Decimal]:
    return [Decimal(str(v)).quantize(Decimal("0.01")) for v in row if isinstance(v, int | float | Decimal)]


# --- (1) the monthly utility-cost report -------------------------------------------------------------------------


@pytest.fixture
def april(lines):
    bill(APRIL_2561)


def test_monthly_csv_has_every_district_the_total_in_figures_and_words_and_the_signature_block(april, udon_scope):
    filename, content_type, content = render("monthly", {"month": "2561-04"}, udon_scope, "csv")
    assert filename == "utility-cost-2561-04.csv"  # the BE month the page shows
    assert content_type.startswith("text/csv")
    rows = csv_rows(content)
    assert rows[0] == ["รายงานค่าสาธารณูปโภค (ค่าบริการวงจรสื่อสารระบบประชุมทางไกล)"]
    assert "ประจำเดือน เมษายน 2561" in rows[1][0]
    header = rows[4]
    assert header[5:8] == ["ค่าบริการ (ไม่รวม VAT)", "ภาษีมูลค่าเพิ่ม", "รวมทั้งสิ้น"]
    body = [row for row in rows[5:] if len(row) == len(header) and row[0].isdigit()]
    assert len(body) == 20
    na_yung = next(row for row in body if row[1] == "4122")
    assert na_yung[2] == "ที่ทำการปกครองอำเภอนายูง"
    assert na_yung[5:9] == ["1250.00", "87.50", "1337.50", "ค้างชำระ"]
    total = next(row for row in rows if len(row) > 2 and row[2] == "รวมทั้งสิ้น")
    assert total[5:8] == ["25000.00", "1750.00", "26750.00"]
    flat = [cell for row in rows for cell in row]
    assert f"ตัวอักษร: ({WORDS_26750})" in flat
    for line in (
        "ผู้จัดทำ",
        "ผู้ตรวจสอบ",
        "ลงชื่อ ........................................",
        "ตำแหน่ง ........................................",
    ):
        assert line in flat


def test_monthly_xlsx_opened_back_holds_the_same_figures_and_thai_text(april, udon_scope):
    filename, content_type, content = render("monthly", {"month": "2018-04"}, udon_scope, "xlsx")
    assert filename.endswith(".xlsx")
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = xlsx_rows(content)
    body = [row for row in rows if row and isinstance(row[0], int)]
    assert len(body) == 20
    assert all(money_cells(row[5:8]) == [Decimal("1250.00"), Decimal("87.50"), Decimal("1337.50")] for row in body)
    assert "ที่ทำการปกครองอำเภอนายูง" in [row[2] for row in body]
    total = next(row for row in rows if len(row) > 2 and row[2] == "รวมทั้งสิ้น")
    assert money_cells(total[5:8]) == [Decimal("25000.00"), Decimal("1750.00"), Decimal("26750.00")]
    texts = [row[0] for row in rows if row and isinstance(row[0], str)]
    assert f"ตัวอักษร: ({WORDS_26750})" in texts
    assert "ผู้จัดทำ" in texts
    assert "ผู้ตรวจสอบ" in texts


def test_monthly_pdf_read_back_holds_the_same_figures_and_thai_text(april, udon_scope, tmp_path):
    filename, content_type, content = render("monthly", {"month": "เม.ย. 2561"}, udon_scope, "pdf")
    assert (filename, content_type) == ("utility-cost-2561-04.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    for expected in (
        "รายงานค่าสาธารณูปโภค",
        "ประจำเดือน เมษายน 2561",
        "จังหวัดอุดรธานี",
        "ที่ทำการปกครองอำเภอนายูง",
        "1,250.00 87.50 1,337.50 ค้างชำระ",
        "25,000.00 1,750.00 26,750.00",
        f"({WORDS_26750})",
        "ผู้จัดทำ",
        "ผู้ตรวจสอบ",
        "ตำแหน่ง",
    ):
        assert nfkc(expected) in text, expected
    assert text.count("1,337.50") == 20


def test_the_monthly_report_shows_adjustments_and_payments(april, udon_scope):
    from billing.services import charge_adjust, charge_mark_paid

    charge = Charge.objects.get(line__site__district__code="4122", month=APRIL_2561)
    charge_mark_paid(charge=charge, invoice_number="NT-6104-0017", paid_on=D(2018, 5, 3))
    charge_adjust(charge=charge, amount="-250", reason="วงจรขัดข้อง")
    rows = csv_rows(render("monthly", {"month": "2561-04"}, udon_scope, "csv")[2])
    na_yung = [row for row in rows if len(row) > 1 and row[1] == "4122"]
    assert [row[4] for row in na_yung] == ["ค่าบริการเดือน เม.ย. 2561 (VAT 7%)", "ปรับปรุง: วงจรขัดข้อง"]
    assert na_yung[0][8:11] == ["ชำระแล้ว", "NT-6104-0017", "3 พ.ค. 2561"]
    assert na_yung[1][5:8] == ["-250.00", "-17.50", "-267.50"]
    total = next(row for row in rows if len(row) > 2 and row[2] == "รวมทั้งสิ้น")
    assert total[7] == "26482.50"


def test_a_month_without_charges_or_a_bad_month_is_refused(april, udon_scope):
    with pytest.raises(ValidationError) as caught:
        render("monthly", {"month": "2561-03"}, udon_scope, "csv")
    assert "ไม่มีรายการค่าบริการของเดือน มี.ค. 2561" in caught.value.message_dict["month"][0]
    with pytest.raises(ValidationError) as caught:
        EXPORTERS["monthly"].parse_params({"month": "2561-13"})
    assert "01 ถึง 12" in caught.value.message_dict["month"][0]


# --- (2) the fiscal-year summary ---------------------------------------------------------------------------------


def test_fiscal_year_csv_is_districts_by_months_with_totals(fy2562, udon_scope):
    rows = csv_rows(render("fiscal_year", {"fy": "2562"}, udon_scope, "csv")[2])
    header = rows[4]
    assert header[:3] == ["รหัส", "อำเภอ", "ต.ค. 2561"]
    assert header[-2:] == ["ก.ย. 2562", "รวม"]
    body = [row for row in rows[5:] if row and row[0].isdigit()]
    assert len(body) == 20
    assert all(row[2:14] == ["1337.50"] * 12 and row[14] == "16050.00" for row in body)
    total = next(row for row in rows if len(row) > 1 and row[1] == "รวม")
    assert total[2:] == ["26750.00"] * 12 + ["321000.00"]
    assert any(WORDS_321000 in row[0] for row in rows if row)


def test_fiscal_year_xlsx_and_pdf_hold_the_same_figures(fy2562, udon_scope, tmp_path):
    rows = xlsx_rows(render("fiscal_year", {"fy": "2562"}, udon_scope, "xlsx")[2])
    total = next(row for row in rows if len(row) > 1 and row[1] == "รวม")
    assert money_cells(total) == [Decimal("26750.00")] * 12 + [Decimal("321000.00")]
    assert any(isinstance(row[0], str) and WORDS_321000 in row[0] for row in rows if row)
    text = pdf_text(render("fiscal_year", {"fy": "2562"}, udon_scope, "pdf")[2], tmp_path)
    assert "ปีงบประมาณ 2562" in text
    assert "ต.ค. 2561" in text
    assert "ก.ย. 2562" in text
    assert "รวม " + " ".join(["26,750.00"] * 12) + " 321,000.00" in text
    assert nfkc(WORDS_321000) in text
    assert nfkc("เมืองอุดรธานี " + " ".join(["1,337.50"] * 12) + " 16,050.00") in text


def test_the_whole_country_summary_names_the_province(fy2562):
    rows = csv_rows(render("fiscal_year", {"fy": "2562"}, BillingScope.country(), "csv")[2])
    assert rows[4][:3] == ["จังหวัด", "รหัส", "อำเภอ"]
    assert rows[5][:3] == ["อุดรธานี", "4101", "เมืองอุดรธานี"]


# --- (3) the travel-savings report -------------------------------------------------------------------------------


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2019, 4, day, hour, tzinfo=BANGKOK)


def meeting(*, title: str, day: int, hours: int, sites: list[str], status: str = "ended") -> Meeting:
    hall = Site.objects.get(province__code="41", kind="hall")
    start, end = at(day, 9), at(day, 9 + hours)
    held = Meeting.objects.create(title=title, host_site=hall, start=start, end=end, status=status)
    Participation.objects.create(
        meeting=held, site=hall, role="host", start=start, end=end, active=status != "cancelled"
    )
    for code in sites:
        Participation.objects.create(
            meeting=held, site=Site.objects.get(district__code=code), start=start, end=end, active=status != "cancelled"
        )
    return held


@pytest.fixture
def april_2562_meetings(fy2562):
    District.objects.filter(code="4122").update(road_distance_km=Decimal(130))  # Na Yung: "more than 130 km"
    District.objects.filter(code="4101").update(road_distance_km=Decimal(0))
    meeting(title="ศูนย์ปฏิบัติการถนนปลอดภัย", day=12, hours=2, sites=["4122", "4101"])
    meeting(title="ยกเลิกแล้ว", day=13, hours=2, sites=["4122"], status="cancelled")
    attended = meeting(title="ประชุมกรมการจังหวัด", day=20, hours=3, sites=["4122", "4101"])
    Attendance.objects.create(
        meeting=attended, site=Site.objects.get(district__code="4122"), display="อำเภอนายูง",
        joined_at=at(20, 9), last_seen_at=at(20, 12), left_at=at(20, 12),
    )  # fmt: skip
    Attendance.objects.create(  # reconnected: still one attendance of Na Yung
        meeting=attended, site=Site.objects.get(district__code="4122"), display="อำเภอนายูง",
        joined_at=at(20, 10), last_seen_at=at(20, 12),
    )  # fmt: skip


def test_per_diem_follows_the_six_and_twelve_hour_rule():
    assert per_diem_for(meeting_hours=Decimal(2), road_km=Decimal(60)) == Decimal(0)  # 2 + 2 = 4 h
    assert per_diem_for(meeting_hours=Decimal(2), road_km=Decimal(130)) == Decimal(120)  # 2 + 4.33 h > 6 h
    assert per_diem_for(meeting_hours=Decimal(3), road_km=Decimal(300)) == Decimal(240)  # 3 + 10 h > 12 h
    assert per_diem_for(meeting_hours=Decimal(4), road_km=Decimal(60)) == Decimal(0)  # exactly 6 h: not over


def test_travel_savings_counts_attendance_else_invitations_against_the_line_cost(april_2562_meetings, udon_scope):
    savings = travel_savings(scope=udon_scope, fy=2562)
    april = next(m for m in savings.months if m.month == D(2019, 4, 1))
    # 12 Apr (invitations): Na Yung 130 km × 2 × 4 = 1,040 + 120 per diem; Mueang 0 km. 13 Apr cancelled: nothing.
    # 20 Apr (attendance: only Na Yung connected, twice): 1,040 + 120 (3 h + 4.33 h > 6 h).
    assert (april.meeting_count, april.attendances, april.km) == (2, 3, Decimal("520.0"))
    assert (april.mileage, april.per_diem, april.travel) == (Decimal("2080.00"), Decimal(240), Decimal("2320.00"))
    assert april.connectivity == Decimal("26750.00")
    assert april.net == Decimal("-24430.00")
    assert savings.sources == {"attendance": 1, "participations": 1}
    march = next(m for m in savings.months if m.month == D(2019, 3, 1))
    assert (march.travel, march.connectivity, march.net) == (Decimal("0.00"), Decimal("26750.00"), Decimal("-26750.00"))


def test_travel_savings_for_na_yung_alone_beats_its_line(april_2562_meetings, tmp_path):
    na_yung = Site.objects.get(district__code="4122")
    scope = BillingScope(province_id=na_yung.province_id, district_id=na_yung.district_id, label="อำเภอนายูง")
    rows = csv_rows(render("travel_savings", {"fy": "2562"}, scope, "csv")[2])
    april = next(row for row in rows if row and row[0] == "เม.ย. 2562")
    assert april[1:] == ["2", "2", "520.0", "2080.00", "240.00", "2320.00", "1337.50", "982.50"]
    text = pdf_text(render("travel_savings", {"fy": "2562"}, scope, "pdf")[2], tmp_path)
    assert "เม.ย. 2562 2 2 520.0 2,080.00 240.00 2,320.00 1,337.50 982.50" in text
    assert nfkc("ค่าเดินทางที่ประหยัดได้") in text


# --- Export service: logged, and no export locks anything ----------------------------------------------------------


def test_every_export_is_logged_and_no_export_locks_anything(april, udon_scope, django_user_model):
    """Downloading only downloads (issue 15, point 14): closing a month is month_close, a confirmed POST."""
    user = django_user_model.objects.create_user("finance-test")
    outcome = export_request(
        user=user, exporter_id="monthly", file_format="xlsx", query={"month": "2561-04"}, scope=udon_scope
    )
    assert not outcome.queued
    assert outcome.filename == "utility-cost-2561-04.xlsx"
    log = ExportLog.objects.get()
    assert (log.user, log.exporter, log.file_format, log.row_count) == (user, "monthly", "xlsx", 20)
    assert log.parameters == {"month": "2018-04-01"}
    assert log.scope == "จังหวัดอุดรธานี"
    export_request(user=user, exporter_id="fiscal_year", file_format="csv", query={"fy": "2561"}, scope=udon_scope)
    assert ExportLog.objects.count() == 2
    assert Charge.objects.filter(locked_at__isnull=False).count() == 0
    rows = xlsx_rows(outcome.content)
    assert any(row and str(row[0]).startswith("ยังไม่ปิดงวด: ยอดของเดือนนี้อาจยังเปลี่ยนได้") for row in rows)


def test_a_closed_month_says_so_on_its_report(april, udon_scope, django_user_model):
    month_close(user=django_user_model.objects.create_user("finance-test"), month=APRIL_2561, scope=udon_scope)
    rows = csv_rows(render("monthly", {"month": "2561-04"}, udon_scope, "csv")[2])
    assert any(row and row[0].startswith("ปิดงวดแล้วเมื่อ ") for row in rows)


def test_a_bad_export_request_is_refused_and_not_logged(april, udon_scope):
    with pytest.raises(ValidationError) as caught:
        export_request(user=None, exporter_id="payroll", file_format="csv", query={}, scope=udon_scope)
    assert "ไม่รู้จักรายงาน" in caught.value.message_dict["exporter"][0]
    with pytest.raises(ValidationError) as caught:
        export_request(
            user=None, exporter_id="monthly", file_format="docx", query={"month": "2561-04"}, scope=udon_scope
        )
    assert "format=xlsx" in caught.value.message_dict["format"][0]
    assert ExportLog.objects.count() == 0
    assert Charge.objects.filter(locked_at__isnull=False).count() == 0
