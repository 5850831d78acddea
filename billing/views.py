"""Finance pages: charges by month and fiscal year, payment, reports to download, and the travel savings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin

from .exporters import EXPORTERS, FORMATS
from .forms import ChargeFilterForm, ChargePayForm
from .models import Charge, Export
from .periods import (
    current_month,
    fiscal_year,
    fiscal_years_available,
    parse_fiscal_year,
    parse_month,
)
from .scope import BillingScope
from .selectors import (
    TRAVEL_RULE,
    charge_get_visible,
    charge_list,
    charge_totals,
    district_offices,
    monthly_report_charges,
    travel_savings,
)
from .services import charge_mark_paid, export_request, month_close
from .templatetags.billing_text import district_name, month_text, month_text_long, site_text

FINANCE_ROLES = (Role.FINANCE, Role.ADMINISTRATOR)


class FinanceMixin(RoleRequiredMixin):
    allowed_roles = FINANCE_ROLES

    @property
    def scope(self) -> BillingScope:
        return BillingScope.for_user(self.request.user)


def _be_month_param(month) -> str:
    return f"{month.year + 543}-{month.month:02d}"


def report_links(*, exporter_id: str, **params) -> list[tuple[str, str]]:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return [(fmt.upper(), f"{reverse('billing:report', args=[exporter_id, fmt])}?{query}") for fmt in FORMATS]


class ChargeListView(FinanceMixin, TemplateView):
    """Charges of a month or a whole fiscal year, filtered by district and status. A fixed number of queries."""

    template_name = "billing/charge_list.html"

    def get_context_data(self, **kwargs):
        scope = self.scope
        offices = list(district_offices(scope=scope))
        data = self.request.GET.copy() if self.request.GET else ChargeFilterForm.defaults()
        form = ChargeFilterForm(data, districts=[(s.district.code, district_name(s.district)) for s in offices])
        context = super().get_context_data(form=form, scope=scope, fiscal_years=fiscal_years_available(), **kwargs)
        if not form.is_valid():
            return context
        months = form.months
        charges = list(
            charge_list(
                scope=scope,
                months=months,
                district_code=form.cleaned_data["district"] or None,
                status=form.cleaned_data["status"] or None,
            )
        )
        fy = form.cleaned_data["fy"]
        context.update(
            charges=charges,
            totals=charge_totals(charges),
            fy=fy,
            period=month_text(months[0]) if len(months) == 1 else _("ปีงบประมาณ %(fy)s") % {"fy": fy},
            single_month=months[0] if len(months) == 1 else None,
            fy_links=report_links(exporter_id="fiscal_year", fy=fy),
            savings_links=report_links(exporter_id="travel_savings", fy=fy),
        )
        if len(months) == 1:
            context["monthly_links"] = report_links(exporter_id="monthly", month=_be_month_param(months[0]))
            context["close_url"] = reverse("billing:close_month", args=[_be_month_param(months[0])])
        return context


class ChargePayView(FinanceMixin, View):
    """Record a payment with the operator's invoice number."""

    template_name = "billing/charge_pay.html"

    def _charge(self, pk: int) -> Charge:
        charge = charge_get_visible(scope=self.scope, pk=pk)
        if charge is None:
            raise Http404(_("ไม่พบรายการค่าบริการนี้ในขอบเขตของท่าน"))
        return charge

    def get(self, request, pk: int):
        charge = self._charge(pk)
        return render(request, self.template_name, {"charge": charge, "form": ChargePayForm()})

    def post(self, request, pk: int):
        charge = self._charge(pk)
        form = ChargePayForm(request.POST)
        if form.is_valid():
            try:
                charge_mark_paid(charge=charge, **form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("บันทึกการชำระค่าบริการเดือน %(month)s ของ%(site)s แล้ว (ใบแจ้งหนี้ %(invoice)s)")
                    % {"month": month_text(charge.month), "site": site_text(charge.line.site),
                       "invoice": form.cleaned_data["invoice_number"].strip()},
                )
                fy = fiscal_year(charge.month)
                return redirect(f"{reverse('billing:home')}?fy={fy}&month={charge.month.month}")
        return render(request, self.template_name, {"charge": charge, "form": form}, status=400)


class MonthCloseView(FinanceMixin, View):
    """Closing a month: a page that says what closing means (GET reads only), then a confirmed POST (CSRF)."""

    template_name = "billing/month_close.html"

    def _month(self, text: str):
        try:
            return parse_month(text)
        except ValidationError as error:
            raise Http404(" ".join(error.messages)) from None

    def _render(self, request, month, *, errors=(), status=200):
        charges = monthly_report_charges(scope=self.scope, month=month)
        context = {
            "scope": self.scope,
            "month": month,
            "period": month_text(month),
            "period_long": month_text_long(month),
            "month_param": _be_month_param(month),
            "totals": charge_totals(charges),
            "open_count": sum(not charge.is_locked for charge in charges),
            "paid_count": sum(charge.status == Charge.Status.PAID for charge in charges),
            "errors": list(errors),
            "monthly_links": report_links(exporter_id="monthly", month=_be_month_param(month)),
            "back": f"{reverse('billing:home')}?fy={fiscal_year(month)}&month={month.month}",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, month: str):
        return self._render(request, self._month(month))

    def post(self, request, month: str):
        month = self._month(month)
        if request.POST.get("confirm") != "yes":
            return self._render(request, month, errors=[_("กดปุ่ม “ยืนยันปิดงวด” ในหน้านี้เพื่อปิดงวด")], status=400)
        try:
            closing = month_close(user=request.user, month=month, scope=self.scope)
        except ValidationError as error:
            return self._render(request, month, errors=error.messages, status=400)
        messages.success(
            request,
            _("ปิดงวดเดือน %(month)s ของ%(scope)s แล้ว: ล็อกยอด %(locked)s รายการ (ล็อกไว้ก่อนแล้ว %(already)s รายการ)")
            % {
                "month": month_text(month),
                "scope": self.scope.label,
                "locked": closing.locked,
                "already": closing.already,
            },
        )
        return redirect(f"{reverse('billing:home')}?fy={fiscal_year(month)}&month={month.month}")


class SavingsView(FinanceMixin, TemplateView):
    """What meeting online saved in travel, month by month, against the connectivity cost."""

    template_name = "billing/savings.html"

    def get_context_data(self, **kwargs):
        scope = self.scope
        context = super().get_context_data(scope=scope, fiscal_years=fiscal_years_available(), rule=_(TRAVEL_RULE))
        try:
            fy = parse_fiscal_year(self.request.GET.get("fy") or fiscal_year(current_month()))
        except ValidationError as error:
            context["errors"] = error.messages
            return context
        context.update(
            fy=fy, savings=travel_savings(scope=scope, fy=fy), links=report_links(exporter_id="travel_savings", fy=fy)
        )
        return context


class ReportDownloadView(FinanceMixin, View):
    """A report file: sent at once when small, else queued and polled on the export page."""

    def get(self, request, exporter: str, file_format: str):
        try:
            outcome = export_request(
                user=request.user,
                exporter_id=exporter,
                file_format=file_format,
                query=request.GET,
                scope=self.scope,
            )
        except ValidationError as error:
            return render(
                request,
                "billing/report_error.html",
                {"errors": error.messages, "exporter": EXPORTERS.get(exporter)},
                status=400,
            )
        if outcome.queued:
            return redirect("billing:export", pk=outcome.export.pk)
        response = HttpResponse(outcome.content, content_type=outcome.content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=outcome.filename)
        return response


class ExportStatusView(FinanceMixin, View):
    """A queued export: the page polls (htmx) its progress and downloads the file once it is done."""

    def get(self, request, pk: int):
        export = get_object_or_404(Export, pk=pk, user=request.user)
        download = reverse("billing:export_download", args=[export.pk])
        context = {"export": export, "download": download, "exporter": EXPORTERS.get(export.exporter)}
        if request.htmx:
            response = render(request, "billing/_export_progress.html", context)
            if export.status == Export.Status.DONE:
                response["HX-Redirect"] = download
            return response
        return render(request, "billing/export.html", context)


class ExportDownloadView(FinanceMixin, View):
    def get(self, request, pk: int):
        export = get_object_or_404(Export, pk=pk, user=request.user, status=Export.Status.DONE)
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)
