"""foundation/pdf.py: no PDF names the family fontconfig squeezes (TH Sarabun), and Thai lines read back as written."""

import pytest

from foundation.pdf import PDF_FONT_STACK, PdfFontError, html_to_pdf
from tests.thai_pdf import nfkc, pdf_lines, pdftotext, width_ratio

pytestmark = pytest.mark.unit

PAGE = '<!doctype html><html lang="th"><head><meta charset="utf-8"><style>{css}</style></head><body>{body}</body>'


@pytest.mark.parametrize("css", [
    'body { font-family: "TH Sarabun New", "Laksaman", sans-serif; }',
    'p { font: 12pt "Laksaman", "TH SarabunPSK"; }',
])
def test_a_pdf_naming_th_sarabun_is_refused(css, tmp_path):
    with pytest.raises(PdfFontError, match="TH Sarabun"):
        html_to_pdf(PAGE.format(css=css, body="<p>อำเภอ</p>"))
    sheet = tmp_path / "sheet.css"
    sheet.write_text(css, encoding="utf-8")
    with pytest.raises(PdfFontError):
        html_to_pdf(PAGE.format(css="", body="<p>อำเภอ</p>"), stylesheet_files=(str(sheet),))
    for attribute in ("style=\"font-family: 'TH Sarabun New'\"", "style='font-family: \"TH Sarabun New\"'"):
        with pytest.raises(PdfFontError):
            html_to_pdf(PAGE.format(css="", body=f"<p {attribute}>อำเภอ</p>"))


def test_text_someone_typed_is_no_font_and_thai_reads_back_as_written(tmp_path):
    body = "<p>ประชุม TH Sarabun New</p><p>อำเภอทุ่งฝน</p><p>ที่ทำการปกครองอำเภอน้ำโสม 321,000.00 บาท</p>"
    content = html_to_pdf(PAGE.format(css=f"body {{ font-family: {PDF_FONT_STACK}; font-size: 14pt; }}", body=body))
    text = pdftotext(content, tmp_path)
    for words in ("ประชุม TH Sarabun New", "อำเภอทุ่งฝน", "ที่ทำการปกครองอำเภอน้ำโสม 321,000.00 บาท"):
        assert nfkc(words) in text, text
    lines = {line.text: line for line in pdf_lines(content)}
    assert set(lines) == {"ประชุม TH Sarabun New", "อำเภอทุ่งฝน", "ที่ทำการปกครองอำเภอน้ำโสม 321,000.00 บาท"}
    for line in lines.values():
        assert line.size == 14 * 0.75 * 4 / 3  # 14pt (WeasyPrint draws in CSS px, scaled to points)
        assert width_ratio(line) == pytest.approx(1, abs=0.02), line.text
