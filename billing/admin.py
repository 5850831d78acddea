"""Back office (Thai). Charges, exports and logs are read-only here: money moves through the services and pages."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from foundation.admin import ReadOnlyAdmin

from .models import Charge, ConnectivityLine, Export, ExportLog, Tariff, VatRate
from .services import tariff_set, vat_rate_set


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 0
    fields = ("monthly_fee", "effective_from", "effective_until")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConnectivityLine)
class ConnectivityLineAdmin(admin.ModelAdmin):
    list_display = ("site", "provider", "circuit_id", "speed", "start_date", "end_date")
    list_filter = ("site__province", "provider")
    search_fields = ("circuit_id", "site__name", "site__district__code")
    list_select_related = ("site",)
    autocomplete_fields = ("site",)
    inlines = [TariffInline]


class ServiceAddAdmin(admin.ModelAdmin):
    """Rows added through a service (its checks, its re-pricing); never edited afterwards: add a new dated row.

    The service runs when the form is cleaned, so its Thai error shows on the form; the request's transaction
    (ATOMIC_REQUESTS) keeps it all-or-nothing.
    """

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        admin_site = self

        class ServiceForm(base):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    obj = self.instance
                    for name, value in cleaned.items():
                        setattr(obj, name, value)
                    try:
                        self.saved = admin_site.save_through_service(obj)
                    except ValidationError as error:
                        raise forms.ValidationError(error.messages) from None
                return cleaned

            def _post_clean(self):  # the model's own checks ran in the service
                return

        return ServiceForm

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = form.saved.pk

    def save_through_service(self, obj):
        raise NotImplementedError


@admin.register(Tariff)
class TariffAdmin(ServiceAddAdmin):
    list_display = ("line", "monthly_fee", "effective_from", "effective_until")
    list_filter = ("line__site__province",)
    search_fields = ("line__circuit_id", "line__site__name")
    list_select_related = ("line__site",)
    autocomplete_fields = ("line",)

    def save_through_service(self, obj):
        return tariff_set(
            line=obj.line,
            monthly_fee=obj.monthly_fee,
            effective_from=obj.effective_from,
            effective_until=obj.effective_until,
        )


@admin.register(VatRate)
class VatRateAdmin(ServiceAddAdmin):
    list_display = ("effective_from", "rate", "note")

    def save_through_service(self, obj):
        return vat_rate_set(rate=obj.rate, effective_from=obj.effective_from, note=obj.note)


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ("month", "line", "kind", "fee", "vat", "total", "status", "invoice_number", "paid_on", "locked_at")
    list_filter = ("status", "kind", "line__site__province", "month")
    search_fields = ("line__circuit_id", "line__site__name", "invoice_number")
    list_select_related = ("line__site",)
    date_hierarchy = "month"


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "exporter", "file_format", "status", "progress")
    list_filter = ("status", "exporter")
    list_select_related = ("user",)


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "exporter", "file_format", "scope", "row_count")
    list_filter = ("exporter", "file_format")
    search_fields = ("user__username", "scope")
    list_select_related = ("user",)
