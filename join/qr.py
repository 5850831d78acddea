"""QR codes of join links (segno): inline SVG for pages and printed sheets, PNG for anything else.

Drawing one takes segno ~4 ms (in pure Python it tries the eight masks and keeps the one easiest to scan), and a
link never changes (a renewed link is a new link): `qr_svgs` keeps the SVGs in the cache, keyed by a hash of
what is drawn, so a page draws only the codes of links it has not shown before.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable

import segno
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

# A drawn code is kept this long (a link lives until its meeting ends; the cache may drop it any time).
QR_CACHE_SECONDS = 60 * 60 * 24 * 30


def qr_code(url: str) -> segno.QRCode:
    """Error correction M (15 %): still reads from a creased or smudged printed sheet."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, scale: int = 4, title: str = "") -> SafeString:
    """Inline `<svg>` markup (segno escapes the title); safe to put in a template as it is."""
    svg = qr_code(url).svg_inline(scale=scale, border=2, title=title or None)
    return mark_safe(svg)  # nosec B308, B703  # noqa: S308 - segno draws it from our own join URL, escapes the title


def _key(url: str, scale: int, title: str) -> str:
    digest = hashlib.sha256(f"{scale}\n{title}\n{url}".encode()).hexdigest()[:32]
    return f"join:qr:svg:{digest}"


def _drawn_through_cache(drawings: dict[str, Callable[[], str | bytes]]) -> dict[str, str | bytes]:
    """{key: drawing} for each key: from the cache (one read for all), the missing ones drawn and kept (one write)."""
    try:
        found = cache.get_many(list(drawings))
    except Exception:
        logger.warning("the cache cannot be read: QR codes are drawn again", exc_info=True)
        found = {}
    drawn = {key: draw() for key, draw in drawings.items() if found.get(key) is None}
    if drawn:
        try:
            cache.set_many(drawn, timeout=QR_CACHE_SECONDS)
        except Exception:
            logger.warning("the cache cannot be written", exc_info=True)
    return found | drawn


def qr_svgs(items: list[tuple[str, str]], *, scale: int = 4) -> list[SafeString]:
    """`qr_svg` of each (url, title), through the cache: one cache read for all, one write for the new ones."""

    def drawing(url: str, title: str) -> Callable[[], str]:
        return lambda: str(qr_svg(url, scale=scale, title=title))

    keys = [_key(url, scale, title) for url, title in items]
    svgs = _drawn_through_cache({key: drawing(*item) for key, item in zip(keys, items, strict=True)})
    return [mark_safe(svgs[key]) for key in keys]  # nosec B308, B703  # noqa: S308 - qr_svg's markup, kept in our cache


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg_document(url: str) -> bytes:
    """A standalone SVG file (with its namespace, and a viewBox so that it scales to the size the page gives it)
    for `<img src>`, through the cache like `qr_svgs`."""

    def draw() -> bytes:
        buffer = io.BytesIO()
        qr_code(url).save(buffer, kind="svg", border=2, xmldecl=False, svgns=True, omitsize=True)
        return buffer.getvalue()

    key = "join:qr:file:" + hashlib.sha256(url.encode()).hexdigest()[:32]
    return _drawn_through_cache({key: draw})[key]
