"""Exports: small reports are rendered in the request, large ones by the ``billing.export_render`` task.

Every export, either way, is logged (who, which report, parameters, scope, row count). An export only reads:
closing a month is ``month_close``, a confirmed POST of its own (a GET never writes, and a cross-site link or a
prefetch must not lock a month).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation.audit import Action as AuditAction
from foundation.audit import audit_record
from foundation.enqueue import task_send_on_commit

from ..exporters import EXPORTERS, FORMATS, Exporter
from ..models import Export, ExportLog
from ..scope import BillingScope

logger = logging.getLogger(__name__)
# A running export older than this is taken as lost (its worker died) and may be run again.
STALE_RUNNING = datetime.timedelta(minutes=30)


def async_row_threshold() -> int:
    """Reports with more rows than this are rendered in the background (setting BILLING_EXPORT_ASYNC_ROWS)."""
    return int(settings.BILLING_EXPORT_ASYNC_ROWS)


@dataclass
class ExportOutcome:
    """Either a file to send now, or a queued export to poll."""

    filename: str = ""
    content_type: str = ""
    content: bytes = b""
    export: Export | None = None

    @property
    def queued(self) -> bool:
        return self.export is not None


def exporter_build(*, exporter_id: str, file_format: str, query: Mapping[str, str], scope: BillingScope) -> Exporter:
    """The exporter for a request, its parameters parsed and checked; a ValidationError by field otherwise."""
    exporter_class = EXPORTERS.get(exporter_id)
    if exporter_class is None:
        raise ValidationError(
            {
                "exporter": _("ไม่รู้จักรายงาน “%(exporter)s”: เลือกจาก %(choices)s")
                % {"exporter": exporter_id, "choices": ", ".join(EXPORTERS)}
            }
        )
    if file_format not in exporter_class.formats:
        raise ValidationError(
            {
                "format": _("ไม่รองรับรูปแบบ “%(format)s”: เลือก %(choices)s (เช่น format=xlsx)")
                % {"format": file_format, "choices": ", ".join(exporter_class.formats)}
            }
        )
    exporter = exporter_class(params=exporter_class.parse_params(query), scope=scope)
    exporter.check()
    return exporter


def _record(*, user, exporter: Exporter, file_format: str) -> ExportLog:
    log = ExportLog(
        user=user,
        exporter=exporter.identifier,
        file_format=file_format,
        parameters=exporter.params,
        scope=exporter.scope.label,
        row_count=exporter.row_count,
    )
    log.full_clean()
    log.save()
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target=log,
        detail={"exporter": exporter.identifier, "format": file_format, "rows": exporter.row_count},
    )
    return log


@transaction.atomic
def export_request(
    *,
    user,
    exporter_id: str,
    file_format: str,
    query: Mapping[str, str],
    scope: BillingScope,
    background: bool | None = None,
) -> ExportOutcome:
    """Render a report now (small) or queue it (large, or ``background=True``). Bad parameters: ValidationError."""
    exporter = exporter_build(exporter_id=exporter_id, file_format=file_format, query=query, scope=scope)
    if background is None:
        background = exporter.estimated_rows() > async_row_threshold()
    if background:
        export = Export(
            user=user,
            exporter=exporter.identifier,
            file_format=file_format,
            parameters=exporter.params,
            scope=scope.as_dict(),
        )
        export.full_clean()
        export.save()
        task_send_on_commit("billing.export_render", export.pk)
        return ExportOutcome(export=export)
    filename, content_type, content = exporter.render(file_format)
    _record(user=user, exporter=exporter, file_format=file_format)
    return ExportOutcome(filename=filename, content_type=content_type, content=content)


def export_run(*, export_id: int) -> Export | None:
    """The task's work: claim the row, render with progress, store the file, log. Safe to run twice."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in {Export.Status.DONE, Export.Status.FAILED}:
            return export
        if export.status == Export.Status.RUNNING and export.started_at > timezone.now() - STALE_RUNNING:
            return export  # another worker has it in flight
        export.status = Export.Status.RUNNING
        export.started_at = timezone.now()
        export.progress = 0
        export.save(update_fields=["status", "started_at", "progress"])

    def progress(percent: int) -> None:
        Export.objects.filter(pk=export_id).update(progress=min(percent, 99))

    try:
        exporter_class = EXPORTERS[export.exporter]
        exporter = exporter_class(params=export.parameters, scope=BillingScope.from_dict(export.scope))
        filename, content_type, content = exporter.render(export.file_format, progress=progress)
        with transaction.atomic():
            export.file.save(filename, ContentFile(content), save=False)
            export.filename = filename
            export.content_type = content_type
            export.status = Export.Status.DONE
            export.progress = 100
            export.finished_at = timezone.now()
            export.save()
            _record(user=export.user, exporter=exporter, file_format=export.file_format)
    except Exception as error:  # a report that cannot be rendered will not render on a retry either
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        export.refresh_from_db()
    return export


def exports_stuck() -> list[int]:
    """Ids of exports that should be running but are not: pending for over a minute, or running for too long."""
    now = timezone.now()
    pending = Export.objects.filter(status=Export.Status.PENDING, created_at__lt=now - datetime.timedelta(minutes=1))
    stale = Export.objects.filter(status=Export.Status.RUNNING, started_at__lt=now - STALE_RUNNING)
    return list(pending.values_list("pk", flat=True)) + list(stale.values_list("pk", flat=True))


__all__ = ["FORMATS", "ExportOutcome", "export_request", "export_run", "exporter_build", "exports_stuck"]
