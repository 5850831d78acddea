"""Documents presented in a meeting: PDF, PowerPoint, pictures and video clips, checked before they are kept."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conf import setting
from ..models import Document, Meeting

# extension -> kind
EXTENSIONS = {
    "pdf": Document.Kind.PDF,
    "ppt": Document.Kind.PPTX, "pptx": Document.Kind.PPTX, "ppsx": Document.Kind.PPTX,
    "jpg": Document.Kind.IMAGE, "jpeg": Document.Kind.IMAGE, "png": Document.Kind.IMAGE,
    "gif": Document.Kind.IMAGE, "webp": Document.Kind.IMAGE,
    "mp4": Document.Kind.VIDEO, "m4v": Document.Kind.VIDEO, "mov": Document.Kind.VIDEO, "webm": Document.Kind.VIDEO,
}  # fmt: skip
ALLOWED_TEXT = gettext_lazy("PDF, PowerPoint (.ppt/.pptx), รูปภาพ (.jpg/.png/.gif/.webp) หรือคลิปวิดีโอ (.mp4/.mov/.webm)")


def _looks_like(extension: str, head: bytes) -> bool:
    """The first bytes agree with the extension (a renamed .exe is not a PDF)."""
    checks = {
        "pdf": lambda: head.startswith(b"%PDF-"),
        "pptx": lambda: head.startswith(b"PK\x03\x04"),
        "ppsx": lambda: head.startswith(b"PK\x03\x04"),
        "ppt": lambda: head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        "jpg": lambda: head.startswith(b"\xff\xd8\xff"),
        "jpeg": lambda: head.startswith(b"\xff\xd8\xff"),
        "png": lambda: head.startswith(b"\x89PNG\r\n\x1a\n"),
        "gif": lambda: head[:6] in (b"GIF87a", b"GIF89a"),
        "webp": lambda: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "mp4": lambda: head[4:8] == b"ftyp",
        "m4v": lambda: head[4:8] == b"ftyp",
        "mov": lambda: head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free"),
        "webm": lambda: head.startswith(b"\x1a\x45\xdf\xa3"),
    }
    return checks[extension]()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


@transaction.atomic
def document_attach(*, meeting: Meeting, file: File, uploaded_by=None) -> Document:
    """Keep a document for a meeting after checking its type (by name and content) and its size."""
    name = PurePath(getattr(file, "name", "") or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    _("ไฟล์ “%(name)s” เป็นชนิดที่ไม่รองรับ: แนบได้เฉพาะ %(allowed)s")
                    % {"name": name or _("ไม่มีชื่อ"), "allowed": ALLOWED_TEXT}
                ]
            },
            code="type",
        )
    size = int(getattr(file, "size", 0) or 0)
    limit = int(setting("MEETINGS_DOCUMENT_MAX_BYTES"))
    if size > limit:
        raise ValidationError(
            {
                "file": [
                    _(
                        "ไฟล์ “%(name)s” ใหญ่ %(size)s เกินขนาดสูงสุด %(limit)s: "
                        "ย่อขนาดไฟล์ (เช่น บีบอัดวิดีโอหรือรูปภาพ) แล้วแนบใหม่"
                    )
                    % {"name": name, "size": _megabytes(size), "limit": _megabytes(limit)}
                ]
            },
            code="size",
        )
    if size == 0:
        raise ValidationError(
            {"file": [_("ไฟล์ “%(name)s” ว่างเปล่า: ตรวจสอบไฟล์แล้วแนบใหม่") % {"name": name}]}, code="empty"
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not _looks_like(extension, head):
        raise ValidationError(
            {
                "file": [
                    _("เนื้อหาของไฟล์ “%(name)s” ไม่ใช่ไฟล์ .%(extension)s จริง: บันทึกไฟล์ใหม่จากโปรแกรมต้นฉบับแล้วแนบอีกครั้ง")
                    % {"name": name, "extension": extension}
                ]
            },
            code="type",
        )
    if not meeting.is_open:
        raise ValidationError({"file": [_("การประชุมนี้ยกเลิกหรือเสร็จสิ้นแล้ว: แนบเอกสารไม่ได้")]})
    document = Document(
        meeting=meeting, name=name[:255], kind=EXTENSIONS[extension], size=size,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    document.file.save(name, file, save=False)
    document.full_clean(exclude={"meeting", "uploaded_by"})
    document.save()
    return document
