"""HTML to PDF (WeasyPrint) with Thai that reads back: every PDF the portal makes goes through `html_to_pdf`.

Two things bit Thai PDFs, both invisible in a browser:

- **The font stack.** Debian's fonts-tlwg-laksaman installs `89-tlwg-laksaman-synthetic.conf`, a fontconfig rule
  that "synthesises TH Sarabun": whenever *any* family of the requested stack contains "TH Sarabun" and fontconfig
  answers with Laksaman, it gives the font a 0.66 matrix. Pango then lays the text out with 66 % advances, but
  WeasyPrint draws every glyph at the CSS size: letters overlap ("321,000.00" reads "321,00000"). So no stack used in
  a PDF names TH Sarabun (`PDF_FONT_STACK`; Laksaman *is* the free TH Sarabun design, at its own metrics), and
  `html_to_pdf` refuses a document or stylesheet that does.
- **The text layer.** WeasyPrint maps each glyph to the text of the cluster where it first appears, once per font.
  HarfBuzz's Thai shaper splits SARA AM (ำ) into NIKHAHIT + SARA AA, moves NIKHAHIT before a tone mark and merges them
  into one cluster, and Laksaman swaps tone marks for lowered or shifted glyphs: copying or `pdftotext` then gave
  "อาเภอ", "ทุุงฝน", "นําโสม". Each line of text that holds Thai is wrapped in a marked-content span whose
  /ActualText is the line as written (PDF 32000-1, 14.9.4), which text extraction, search and copy use instead of
  the glyph map.
"""

from __future__ import annotations

import functools
import re

# The one font stack for Thai in PDFs (templates/exports/table.html and static/join/sheet.css name it as written
# here). Never add "TH Sarabun…": see above.
PDF_FONT_STACK = '"Laksaman", "Sarabun", "Noto Sans Thai", sans-serif'

_SCALED_FAMILY = re.compile(r"TH\s*Sarabun", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"\bstyle\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_THAI = re.compile(r"[\u0e00-\u0e7f]")


class PdfFontError(ValueError):
    """A PDF's HTML or CSS names a family that fontconfig would draw squeezed."""


def html_to_pdf(html: str, *, base_url: str | None = None, stylesheet_files: tuple[str, ...] = ()) -> bytes:
    """The PDF of `html` (and the stylesheets read from `stylesheet_files`), its Thai at the font's own width and
    its text layer as written."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 - WeasyPrint (Pango) is loaded only when a PDF is drawn

    sources = [html]
    for filename in stylesheet_files:
        with open(filename, encoding="utf-8") as handle:
            sources.append(handle.read())
    # The CSS only: <style> elements and style attributes of the page (text someone typed is escaped there, so a
    # meeting called "TH Sarabun" is no font), and the stylesheets.
    page_css = [*_STYLE_ELEMENT.findall(html), *_STYLE_ATTRIBUTE.findall(html), *sources[1:]]
    for source in page_css:
        if _SCALED_FAMILY.search(_CSS_COMMENT.sub("", source)):
            raise PdfFontError(
                "A PDF must not name TH Sarabun: fontconfig (fonts-tlwg-laksaman) scales Laksaman to 66% for it and "
                f"WeasyPrint then overlaps the letters; use {PDF_FONT_STACK}"
            )
    _mark_thai_lines_with_actual_text()
    stylesheets = [CSS(string=text, base_url=name) for text, name in zip(sources[1:], stylesheet_files, strict=True)]
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=stylesheets)


@functools.cache
def _mark_thai_lines_with_actual_text() -> None:
    """Wrap WeasyPrint's drawing of one line of text in `/Span <</ActualText (line)>> BDC … EMC` when it holds Thai.

    WeasyPrint has no hook for this: its module function that draws one line is wrapped, once per process."""
    import pydyf  # noqa: PLC0415

    try:
        from weasyprint.draw import text as weasy_text  # noqa: PLC0415 - WeasyPrint 63 and later
    except ImportError:  # pragma: no cover - WeasyPrint 62 drew text in weasyprint/draw.py
        from weasyprint import draw as weasy_text  # noqa: PLC0415

    draw_first_line = weasy_text.draw_first_line
    if getattr(draw_first_line, "prachum_actual_text", False):
        return

    @functools.wraps(draw_first_line)
    def draw_line_with_actual_text(stream, textbox, *args, **kwargs):
        text = textbox.text
        if not (text.strip() and _THAI.search(text)):
            return draw_first_line(stream, textbox, *args, **kwargs)
        # Only the line WeasyPrint draws: a text box is one line once laid out (an ellipsis keeps the full text).
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        try:
            return draw_first_line(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_line_with_actual_text.prachum_actual_text = True
    weasy_text.draw_first_line = draw_line_with_actual_text
