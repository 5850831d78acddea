"""QR codes of join links (segno): inline SVG for pages and printed sheets, PNG for anything else."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_code(url: str) -> segno.QRCode:
    """Error correction M (15 %): still reads from a creased or smudged printed sheet."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, scale: int = 4, title: str = "") -> SafeString:
    """Inline `<svg>` markup (segno escapes the title); safe to put in a template as it is."""
    return mark_safe(qr_code(url).svg_inline(scale=scale, border=2, title=title or None))  # noqa: S308


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
