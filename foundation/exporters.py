"""The exporter contract and the list-shaped exporter that gets CSV, XLSX and PDF from rows.

An exporter is built with its parsed parameters and a scope (who may see what: the billing scope of a finance
officer, the meeting of an attendance report), then ``render(file_format)`` returns
``(filename, content_type, bytes)``. A :class:`TableExporter` only says its title, columns, rows, footer and notes:
CSV (UTF-8 with a BOM, so Excel shows Thai), XLSX (openpyxl, write-only) and PDF (WeasyPrint from a Django
template, A4, Thai font) come for free. Each app keeps its own registry (billing/exporters, join/exporters).

Text that a spreadsheet would run as a formula (a cell starting with = + - @, a tab or a carriage return: a site's
or a guest's name, an invoice number, a note) is written with a leading apostrophe in CSV and XLSX, so opening an
export never runs what someone typed (OWASP, "CSV injection"). Every cell goes through it: title lines, column
titles, rows, totals, notes and the signature block; numbers the report computed stay numbers. Every exporter of
every app is checked by tests/foundation/test_formula_injection.py (found by subclass, so a new one is too).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from foundation.pdf import html_to_pdf
from foundation.thaidate import format_be_long, format_be_short

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMATS = tuple(CONTENT_TYPES)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | money | int | km
    width: int = 14


class Exporter:
    """One report. Subclasses set ``identifier`` and ``verbose_name`` and implement ``parse_params`` and ``_render``."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    formats: ClassVar[tuple[str, ...]] = FORMATS

    def __init__(self, *, params: Mapping[str, Any], scope: Any) -> None:
        self.params = dict(params)
        self.scope = scope
        self.row_count = 0

    @classmethod
    def parse_params(cls, query: Mapping[str, str]) -> dict[str, Any]:
        """Read the report's parameters from a query string; a JSON-friendly dict or a ValidationError by field."""
        raise NotImplementedError

    def check(self) -> None:
        """Refuse (ValidationError) a report that makes no sense for the data, e.g. a month with no charge."""

    def estimated_rows(self) -> int:
        raise NotImplementedError

    def filename(self, file_format: str) -> str:
        raise NotImplementedError

    def render(self, file_format: str, *, progress: Progress | None = None) -> tuple[str, str, bytes]:
        if file_format not in self.formats:
            raise ValidationError({"format": f"ไม่รองรับรูปแบบ “{file_format}”: เลือก {', '.join(self.formats)}"})
        content = self._render(file_format, progress or (lambda _percent: None))
        return self.filename(file_format), CONTENT_TYPES[file_format], content

    def _render(self, file_format: str, progress: Progress) -> bytes:
        raise NotImplementedError


def money_text(value: Decimal) -> str:
    return f"{value:,.2f}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """Text as a spreadsheet shows it and never runs it: a leading apostrophe before a formula's first sign.

    Only text is touched: a number the report computed (a negative adjustment, say) stays a number. Numbers typed
    as text (an invoice number "-0042", a name "+66...") are text and get the apostrophe like any other.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_value(value: Any) -> Any:
    """A value for an XLSX cell: numbers, dates and empty cells as they are; anything else as inert text.

    Anything that is not a plain value (a lazy translation, a model whose ``str()`` is a name someone typed) is
    turned into text first, so it goes through :func:`spreadsheet_text` like any string.
    """
    if value is None or isinstance(value, (bool, int, float, Decimal, datetime.date, datetime.time)):
        return value
    return spreadsheet_text(str(value))


class TableExporter(Exporter):
    """A report that is a table: title lines, a header, rows, footer rows (totals) and notes under the table."""

    pdf_template: ClassVar[str] = "exports/table.html"
    landscape: ClassVar[bool] = True
    signature_block: ClassVar[bool] = False
    PROGRESS_EVERY = 200
    PDF_CHUNK = 40
    KEEP_WITH_SIGNATURE = 3  # rows printed on the signature block's page, so that it never stands alone

    def load(self) -> None:
        """Run the report's queries (a fixed number); called once before rows are asked for."""

    def title_lines(self) -> list[str]:
        raise NotImplementedError

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self) -> Iterable[list]:
        raise NotImplementedError

    def footer_rows(self) -> list[list]:
        return []

    def notes(self) -> list[str]:
        return []

    def printed_on(self) -> str:
        return f"พิมพ์เมื่อ {format_be_short(timezone.now(), with_time=True)}"

    # --- rendering ------------------------------------------------------------------------------------------

    def _render(self, file_format: str, progress: Progress) -> bytes:
        self.load()
        body = []
        total = max(self.estimated_rows(), 1)
        for number, row in enumerate(self.rows(), start=1):
            body.append(row)
            if number % self.PROGRESS_EVERY == 0:
                progress(min(80, number * 80 // total))
        self.row_count = len(body)
        renderer = {"csv": self._csv, "xlsx": self._xlsx, "pdf": self._pdf}[file_format]
        content = renderer(body)
        progress(100)
        return content

    def signature_lines(self) -> list[list[str]]:
        """The signature block as text rows (CSV/XLSX); the PDF draws it from its template."""
        if not self.signature_block:
            return []
        lines = []
        for role in ("ผู้จัดทำ", "ผู้ตรวจสอบ"):
            lines += [
                [role],
                ["ลงชื่อ ........................................"],
                ["( ........................................ )"],
                ["ตำแหน่ง ........................................"],
                ["วันที่ ......./......./..........."],
                [],
            ]
        return lines

    @staticmethod
    def _plain(value: Any, kind: str) -> str:
        if value is None:
            return ""
        if kind == "money" and isinstance(value, (int, Decimal)):
            return f"{value:.2f}"  # a number the report computed, written as a number (-12.50 stays a number)
        return spreadsheet_text(str(value))

    def _csv(self, body: list[list]) -> bytes:
        columns = self.columns()
        kinds = [c.kind for c in columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for line in self.title_lines():
            writer.writerow([spreadsheet_text(str(line))])
        writer.writerow([])
        writer.writerow([spreadsheet_text(str(c.title)) for c in columns])
        for row in [*body, *self.footer_rows()]:
            writer.writerow([self._plain(value, kind) for value, kind in zip(row, kinds, strict=True)])
        writer.writerow([])
        for note in self.notes():
            writer.writerow([spreadsheet_text(str(note))])
        for line in self.signature_lines():
            writer.writerow([spreadsheet_text(text) for text in line])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

    def _xlsx(self, body: list[list]) -> bytes:
        # Local: openpyxl is loaded only by the workers that write a workbook.
        from openpyxl import Workbook  # noqa: PLC0415 - see above
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - see above
        from openpyxl.styles import Alignment, Border, Font, Side  # noqa: PLC0415 - see above
        from openpyxl.utils import get_column_letter  # noqa: PLC0415 - see above

        columns = self.columns()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=self.identifier[:31])
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.page_setup.orientation = "landscape" if self.landscape else "portrait"
        sheet.page_setup.paperSize = "9"  # A4
        thai = "TH Sarabun New"
        bold = Font(name=thai, bold=True, size=14)
        plain = Font(name=thai, size=14)
        thin = Side(style="thin")
        box = Border(top=thin, bottom=thin, left=thin, right=thin)
        formats = {"money": "#,##0.00", "int": "#,##0", "km": "#,##0.0"}

        def cell(value, *, font=plain, kind="text", border=None):
            item = WriteOnlyCell(sheet, value=spreadsheet_value(value))  # openpyxl writes "=..." as a formula
            item.font = font
            if kind in formats:
                item.number_format = formats[kind]
            if border is not None:
                item.border = border
            return item

        for line in self.title_lines():
            sheet.append([cell(line, font=bold)])
        sheet.append([])
        header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header = []
        for column in columns:
            item = cell(column.title, font=bold, border=box)
            item.alignment = header_alignment
            header.append(item)
        sheet.append(header)
        kinds = [c.kind for c in columns]
        for row in body:
            sheet.append([cell(v, kind=k, border=box) for v, k in zip(row, kinds, strict=True)])
        for row in self.footer_rows():
            sheet.append([cell(v, font=bold, kind=k, border=box) for v, k in zip(row, kinds, strict=True)])
        sheet.append([])
        for note in self.notes():
            sheet.append([cell(note)])
        for line in self.signature_lines():
            sheet.append([cell(text) for text in line])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def _pdf_chunks(self, rows: list) -> list[list]:
        """The rows in chunks of PDF_CHUNK; with a signature block, the last KEEP_WITH_SIGNATURE rows are a chunk of
        their own, which the template keeps on one page with the totals, the notes and the signatures."""
        keep = self.KEEP_WITH_SIGNATURE if self.signature_block and len(rows) > self.KEEP_WITH_SIGNATURE else 0
        head, tail = rows[: len(rows) - keep], rows[len(rows) - keep :]
        chunks = [head[i : i + self.PDF_CHUNK] for i in range(0, len(head), self.PDF_CHUNK)]
        return [*chunks, tail] if tail else chunks or [[]]

    def _pdf(self, body: list[list]) -> bytes:
        columns = self.columns()
        kinds = [c.kind for c in columns]

        def shown(row: list) -> list[tuple[str, str]]:
            out = []
            for value, kind in zip(row, kinds, strict=True):
                if value is None or value == "":
                    out.append(("", kind))
                elif kind == "money":
                    out.append((money_text(value), kind))
                elif kind == "int":
                    out.append((f"{value:,}", kind))
                elif kind == "km":
                    out.append((f"{value:,.1f}", kind))
                else:
                    out.append((str(value), kind))
            return out

        html = render_to_string(
            self.pdf_template,
            {
                "title_lines": self.title_lines(),
                "columns": columns,
                "widths": [f"{column.width * 100 / sum(c.width for c in columns):.2f}%" for column in columns],
                # Several short tables rather than one long one: WeasyPrint lays a long table out again at every
                # page break, so a country-wide report is much faster in chunks (each repeats its header).
                "row_chunks": self._pdf_chunks([shown(row) for row in body]),
                "footer_rows": [shown(row) for row in self.footer_rows()],
                "notes": self.notes(),
                "signature_block": self.signature_block,
                "landscape": self.landscape,
                "printed_on": self.printed_on(),
                "today_long": format_be_long(timezone.localdate()),
            },
        )
        return html_to_pdf(html)
