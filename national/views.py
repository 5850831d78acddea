"""The national view: every province's figures for a fiscal year, read-only, for holders of the national permission.

National users (Ministry, Department of Provincial Administration) have no Staff row, so every other page of the
portal refuses them; these pages ask for the permission ``national.view_national`` (the group
``ผู้บริหารระดับประเทศ``, or a superuser) and nothing else. Anonymous visitors go to the login page; anyone else gets
403.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from billing.periods import fiscal_year, fiscal_years_available, parse_fiscal_year
from billing.selectors import TRAVEL_RULE
from foundation.exporters import FORMATS

from .chart import net_chart
from .exporters import NationalFiscalYearReport
from .models import VIEW_NATIONAL
from .selectors import national_summary


class NationalMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = VIEW_NATIONAL
    permission_denied_message = "หน้านี้สำหรับผู้บริหารระดับประเทศ: หากต้องการสิทธิ์ โปรดติดต่อผู้ดูแลระบบ"


class NationalView(NationalMixin, TemplateView):
    """Per province: meetings held, invited sites that connected, connectivity cost, travel saved and the net."""

    template_name = "national/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(fiscal_years=fiscal_years_available(), rule=_(TRAVEL_RULE), **kwargs)
        try:
            fy = parse_fiscal_year(self.request.GET.get("fy") or fiscal_year(timezone.localdate()))
        except ValidationError as error:
            context["errors"] = error.messages
            return context
        summary = national_summary(fy=fy)
        context.update(
            fy=fy,
            summary=summary,
            totals=summary.totals,
            chart=net_chart(summary.provinces),
            links=[(fmt.upper(), f"{reverse('national:report', args=[fmt])}?fy={fy}") for fmt in FORMATS],
        )
        return context


class NationalReportView(NationalMixin, View):
    """The national view as a file (77 rows: rendered at once, never queued)."""

    def get(self, request, file_format: str):
        try:
            params = NationalFiscalYearReport.parse_params(request.GET)
            filename, content_type, content = NationalFiscalYearReport(params=params).render(file_format)
        except ValidationError as error:
            return render(request, "national/report_error.html", {"errors": error.messages}, status=400)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
