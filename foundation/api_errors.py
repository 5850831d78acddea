"""The error answers of /api/, as the OpenAPI schema documents them: every app's views name the ones they give.

What DRF sends, and so what the schema promises:
- 400: a JSON object of what was wrong, by field: `{"title": ["..."], "sites": {"0": ["..."]}}`, the service's
  errors as `{"non_field_errors": ["..."]}` or `{"detail": ["..."]}`, a body that is not JSON as `{"detail": "..."}`.
- 403: `{"detail": "..."}` for a caller who is not signed in (session authentication comes first, so DRF answers 403
  rather than 401) or whose role may not use the operation.
- 404: `{"detail": "..."}` for a row outside the caller's scope or that does not exist, for a page number of a
  list that does not exist, and (`not_found`, the portal's handler404) for a URL under /api/ that no route matches.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_MESSAGES = {"type": "array", "items": {"type": "string"}}
_FIELD_ERRORS = {
    "type": "object",
    "description": "ข้อความผิดพลาดตามชื่อช่อง",
    "additionalProperties": {"anyOf": [_MESSAGES, {"type": "object"}, {"type": "string"}]},
}


def bad_request(description: str = "ข้อมูลไม่ถูกต้อง: {ชื่อช่อง: [ข้อความ]}") -> OpenApiResponse:
    return OpenApiResponse(response=_FIELD_ERRORS, description=description)


def detail_response(description: str) -> OpenApiResponse:
    """Another error answer with a `{"detail": "..."}` body (e.g. 503 when a media server cannot be reached)."""
    return OpenApiResponse(response=_DETAIL, description=description)


BAD_REQUEST = bad_request()
FORBIDDEN = OpenApiResponse(response=_DETAIL, description="ยังไม่ได้เข้าสู่ระบบ หรือบทบาทของท่านใช้ส่วนนี้ไม่ได้")
NOT_FOUND = OpenApiResponse(response=_DETAIL, description="ไม่พบ หรืออยู่นอกขอบเขตของท่าน")
LIST_NOT_FOUND = OpenApiResponse(response=_DETAIL, description="ไม่มีหน้านี้ (page เกินจำนวนหน้า)")


def service_errors(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as the 400 above: its errors by field, or `{"non_field_errors": [...]}`."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class FileOrJSONErrors(DefaultContentNegotiation):
    """For an operation that answers a file: whatever the client accepts (`Accept: application/octet-stream`), an
    error is JSON as documented (DRF would otherwise answer 406, having no renderer of the file's type)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


def not_found(request, exception):
    """handler404: JSON under /api/ (a URL that no API route matches, e.g. `/api/meetings/1.5/`), the page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)
