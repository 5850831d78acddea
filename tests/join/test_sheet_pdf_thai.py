"""The join sheet's PDF read back from the PDF alone: Thai drawn at the font's own width (not squeezed to 66% by
fontconfig's "TH Sarabun" rule, issue 15 point 2) and a text layer that gives back the words as written."""

import pytest
from django.urls import reverse

from districts.models import Staff
from tests.thai_pdf import nfkc, pdf_lines, pdftotext, width_ratio

from .conftest import MUEANG

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TITLE = "ประชุมอำเภอทุ่งฝนกับอำเภอน้ำโสม"


def test_the_join_sheet_pdf_has_thai_at_the_fonts_width_and_reads_back_as_written(login, fake_server, schedule,
                                                                                    tmp_path):
    meeting = schedule(sites=(MUEANG,), title=TITLE)
    response = login(Staff.Role.CLERK, MUEANG).get(reverse("join:sheet-pdf", kwargs={"code": MUEANG, "pk": meeting.pk}))
    assert response.status_code == 200
    content = response.content

    ratios = {line.text: width_ratio(line) for line in pdf_lines(content) if len(line.fonts) == 1
              and "Laksaman" in next(iter(line.fonts))}
    off = {text: round(ratio, 3) for text, ratio in ratios.items() if abs(ratio - 1) > 0.02}
    assert not off, f"drawn narrower or wider than the font (1.0 = HarfBuzz's width): {off}"
    assert TITLE in ratios  # the bold title line, measured
    assert "ใบขั้นตอนการเข้าร่วมประชุมทางไกล" in ratios
    assert len([text for text in ratios if any("\u0e00" <= c <= "\u0e7f" for c in text)]) >= 15

    text = pdftotext(content, tmp_path)
    for word in ("อำเภอ", "ทุ่งฝน", "น้ำโสม", TITLE, "ที่ทำการปกครองอำเภอเมือง", "ลำโพง", "นำเสนอ"):
        assert nfkc(word) in text, f"{word!r} not in pdftotext's text:\n{text}"
