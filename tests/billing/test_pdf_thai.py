"""The finance reports' PDFs read back from the PDF alone: Thai drawn at the font's own width (not squeezed to 66% by
fontconfig's "TH Sarabun" rule, issue 15 point 2) and a text layer that gives back the words as written."""

import datetime

import pytest

from billing.exporters import EXPORTERS
from tests.factories.billing import bill
from tests.thai_pdf import nfkc, pdf_lines, pdftotext, width_ratio

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

WORDS = ("อำเภอ", "ทุ่งฝน", "น้ำโสม", "ที่ทำการปกครองอำเภอทุ่งฝน", "ที่ทำการปกครองอำเภอน้ำโสม", "ประจำเดือน เมษายน 2561")


def pdf_of(identifier: str, query: dict, scope) -> bytes:
    exporter = EXPORTERS[identifier](params=EXPORTERS[identifier].parse_params(query), scope=scope)
    exporter.check()
    return exporter.render("pdf")[2]


def assert_drawn_at_natural_width(content: bytes) -> dict[str, float]:
    """Every line in one Laksaman face is as wide as HarfBuzz shapes it at its size (within 2%): the ratios."""
    ratios = {line.text: width_ratio(line) for line in pdf_lines(content) if len(line.fonts) == 1
              and "Laksaman" in next(iter(line.fonts))}
    off = {text: round(ratio, 3) for text, ratio in ratios.items() if abs(ratio - 1) > 0.02}
    assert not off, f"drawn narrower or wider than the font (1.0 = HarfBuzz's width): {off}"
    return ratios


def test_the_monthly_report_pdf_has_thai_at_the_fonts_width_and_reads_back_as_written(lines, udon_scope, tmp_path):
    bill(datetime.date(2018, 4, 1))
    content = pdf_of("monthly", {"month": "2561-04"}, udon_scope)
    ratios = assert_drawn_at_natural_width(content)
    for name in ("ที่ทำการปกครองอำเภอทุ่งฝน", "ที่ทำการปกครองอำเภอน้ำโสม", "26,750.00"):
        assert name in ratios, sorted(ratios)  # measured, not skipped
    assert len([text for text in ratios if any("\u0e00" <= c <= "\u0e7f" for c in text)]) >= 20
    text = pdftotext(content, tmp_path)
    for word in WORDS:
        assert nfkc(word) in text, f"{word!r} not in pdftotext's text:\n{text}"
    for garbled in ("อาเภอ", "ทุุงฝน", "นําโสม", "นำโสม"):
        assert nfkc(garbled) not in text


def test_the_fiscal_year_report_pdf_draws_its_totals_at_the_fonts_width(lines, udon_scope, tmp_path):
    bill(datetime.date(2018, 10, 1), datetime.date(2019, 9, 1))
    content = pdf_of("fiscal_year", {"fy": "2562"}, udon_scope)
    ratios = assert_drawn_at_natural_width(content)
    assert "321,000.00" in ratios
    text = pdftotext(content, tmp_path)
    for word in ("ทุ่งฝน", "น้ำโสม", "321,000.00", "สามแสนสองหมื่นหนึ่งพันบาทถ้วน"):
        assert nfkc(word) in text, f"{word!r} not in pdftotext's text:\n{text}"
