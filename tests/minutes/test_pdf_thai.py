"""The minutes' PDF read back from the PDF alone: Thai drawn in Laksaman at the font's own width (never squeezed by
fontconfig's "TH Sarabun" rule) and a text layer that gives back the words as written (foundation/pdf.py)."""

from __future__ import annotations

import pytest

from minutes import documents, services
from tests.thai_pdf import nfkc, pdf_lines, pdftotext, width_ratio

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_minutes_pdf_has_thai_at_the_fonts_width_and_reads_back_as_written(held, tmp_path):
    first = held.meetings[0]
    version = services.minutes_draft(meeting=first, by=held.scheduler)
    content = documents.minutes_pdf(version=version, meeting=first)
    ratios = {line.text: width_ratio(line) for line in pdf_lines(content) if len(line.fonts) == 1
              and "Laksaman" in next(iter(line.fonts))}
    off = {text: round(ratio, 3) for text, ratio in ratios.items() if abs(ratio - 1) > 0.02}
    assert not off, f"drawn narrower or wider than the font (1.0 = HarfBuzz's width): {off}"
    assert len([text for text in ratios if any("\u0e00" <= c <= "\u0e7f" for c in text)]) >= 15
    text = pdftotext(content, tmp_path)
    for word in ("รายงานการประชุมคณะกรมการจังหวัด", "ผู้ไม่มาประชุม", "ติดราชการที่กรุงเทพฯ", "นายอำเภอกุมภวาปี",
                 "ที่ประชุมรับทราบ", "ผู้จดรายงานการประชุม"):
        assert nfkc(word) in text, f"{word!r} not in pdftotext's text:\n{text}"
