"""A stored file sent after the caller's permission check: one way for documents, minutes, recordings and evidence
packs. In production nginx sends it from its internal location (X-Accel-Redirect to `accel_root`, the setting of
that kind of file); otherwise Django streams it. Never cached, never sniffed, always an attachment."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def protected_file_response(*, accel_root: str, relative_path: str, open_file: Callable[[], IO[bytes]],
                            filename: str, content_type: str | None = None) -> HttpResponse:
    if accel_root:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = quote(accel_root.rstrip("/") + "/" + relative_path)  # nginx decodes it
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    else:
        response = FileResponse(open_file(), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
