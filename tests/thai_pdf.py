"""Reading a PDF the portal made as a reader would: how wide each line of text is drawn, against the width HarfBuzz
gives the same text in the same font at the same size, and what `pdftotext` gives back.

Lines come from the PDF alone (pdfminer.six): a line holding Thai is the marked-content span whose /ActualText is the
line (foundation/pdf.py); any other line is one text-showing operator (WeasyPrint shows one line of one font per
TJ). Its drawn width is how far the text position moves while it is shown (glyph widths and the TJ adjustments that
place them, as every viewer moves it), on the page; its size is the font size times the text matrix's scale.
"""

from __future__ import annotations

import io
import math
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTChar
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.psparser import PSLiteral
from pdfminer.utils import apply_matrix_pt, decode_text, mult_matrix


@dataclass
class Line:
    text: str  # the /ActualText of a Thai line, else the glyphs' Unicode mapping
    chars: list[LTChar] = field(default_factory=list)
    sizes: set[float] = field(default_factory=set)
    start: float | None = None  # the text position on the page before its first glyph and after its last
    end: float = 0.0

    @property
    def fonts(self) -> set[str]:
        return {c.fontname for c in self.chars}

    @property
    def width(self) -> float:
        return self.end - self.start

    @property
    def size(self) -> float:
        (size,) = self.sizes
        return size


class _Lines(PDFLayoutAnalyzer):
    def __init__(self, manager: PDFResourceManager) -> None:
        super().__init__(manager, laparams=None)
        self.lines: list[Line] = []
        self._tags: list[Line | None] = []
        self._size = 0.0

    def begin_tag(self, tag: PSLiteral, props=None) -> None:
        actual = props.get("ActualText") if isinstance(props, dict) else None
        line = Line(decode_text(actual) if isinstance(actual, bytes) else actual) if actual is not None else None
        if line is not None:
            self.lines.append(line)
        self._tags.append(line)

    def end_tag(self) -> None:
        self._tags.pop()

    def _span(self) -> Line | None:
        return next((line for line in reversed(self._tags) if line is not None), None)

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        own = self._span() is None
        if own:
            self._tags.append(Line(""))
            self.lines.append(self._tags[-1])
        line = self._span()
        matrix = mult_matrix(textstate.matrix, self.ctm)
        before = apply_matrix_pt(matrix, textstate.linematrix)[0]
        line.start = before if line.start is None else line.start
        line.sizes.add(round(textstate.fontsize * textstate.scaling / 100 * math.hypot(matrix[0], matrix[1]), 3))
        try:
            super().render_string(textstate, seq, ncs, graphicstate)
        finally:
            if own:
                self._tags.pop()
        line.end = apply_matrix_pt(matrix, textstate.linematrix)[0]
        if own:
            line.text = "".join(c.get_text() for c in line.chars)

    def render_char(self, *args, **kwargs) -> float:  # (matrix, font, fontsize, scaling, rise, cid, ncs, state)
        advance = super().render_char(*args, **kwargs)
        self._span().chars.append(self.cur_item._objs[-1])
        return advance


def pdf_lines(content: bytes) -> list[Line]:
    """Every line of text drawn in the PDF, page after page."""
    manager = PDFResourceManager()
    device = _Lines(manager)
    interpreter = PDFPageInterpreter(manager, device)
    for page in PDFPage.get_pages(io.BytesIO(content)):
        interpreter.process_page(page)
    return [line for line in device.lines if line.chars]


@cache
def font_file(pdf_font_name: str) -> str:
    """The font file fontconfig gives for an embedded font ("ABCDEF+Laksaman-Bold" -> .../Laksaman-Bold.ttf)."""
    family, _, style = pdf_font_name.partition("+")[2].partition("-")
    pattern = f"{family}:style={style or 'Regular'}"
    path = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True).stdout
    assert Path(path).stem.replace("-", "") == f"{family}{style}", (pdf_font_name, path)
    return path


def script_runs(text: str) -> list[str]:
    """`text` cut where the script changes, as Pango itemises it before HarfBuzz shapes each piece: spaces, digits
    and punctuation go with the run they are in (or the first run), so "รวม VAT)" is "รวม " (Thai) + "VAT)" (Latin,
    with its kerning)."""
    runs: list[list] = []  # [script or None, text]
    for char in text:
        script = "Thai" if "\u0e00" <= char <= "\u0e7f" else "Other" if unicodedata.category(char)[0] == "L" else None
        if runs and (script is None or runs[-1][0] in (None, script)):
            runs[-1][0] = runs[-1][0] or script
            runs[-1][1] += char
        else:
            runs.append([script, char])
    return [run for _, run in runs]


def harfbuzz_width(text: str, font_path: str, size: float) -> float:
    """The advance width HarfBuzz gives `text` (each script run shaped with its own script's features, as Pango
    does) at `size` points."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(font_path))
    font = hb.Font(face)
    units = 0
    for run in script_runs(text):
        buffer = hb.Buffer()
        buffer.add_str(run)
        buffer.guess_segment_properties()
        hb.shape(font, buffer, {})
        units += sum(position.x_advance for position in buffer.glyph_positions)
    return units * size / face.upem


def width_ratio(line: Line) -> float:
    """The line's drawn width over HarfBuzz's for the same text, font and size (1.0: as the font means it)."""
    (font,) = line.fonts
    return line.width / harfbuzz_width(line.text, font_file(font), line.size)


def pdftotext(content: bytes, tmp_path: Path) -> str:
    """`pdftotext -raw` of the PDF, NFKC-normalised (SARA AM compared as NIKHAHIT + SARA AA)."""
    path = tmp_path / "read-back.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
