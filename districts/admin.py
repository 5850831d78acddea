import json

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from foundation.personal_data import personal_data_erase, personal_data_export

from .models import Agency, District, Province, Site, Staff
from .services import staff_role_change


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en")
    search_fields = ("code", "name_th", "name_en")


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name_th", "name_en", "province", "road_distance_km")
    list_filter = ("province",)
    list_editable = ("road_distance_km",)
    search_fields = ("code", "name_th", "name_en")
    list_select_related = ("province",)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province", "meeting_room", "contact_phone", "is_active")
    list_filter = ("kind", "province", "is_active")
    search_fields = ("name", "district__code", "meeting_room")
    list_select_related = ("province", "district")
    autocomplete_fields = ("district",)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "site", "phone")
    list_filter = ("role", "site__province")
    search_fields = ("user__username", "user__first_name", "user__last_name", "site__name")
    list_select_related = ("user", "site")
    autocomplete_fields = ("user", "site")
    actions = ["export_personal_data", "erase_personal_data"]

    def save_model(self, request, obj, form, change) -> None:
        if change and {"role", "site"} & set(form.changed_data):
            staff_role_change(staff=obj, role=obj.role, site=obj.site, by=request.user)
            form.changed_data = [f for f in form.changed_data if f not in {"role", "site"}]
            if not form.changed_data:
                return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("ส่งออกข้อมูลส่วนบุคคล (PDPA) เป็น JSON"))
    def export_personal_data(self, request, queryset):
        data = {s.user.get_username(): personal_data_export(user=s.user, by=request.user) for s in queryset}
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response

    @admin.action(description=_("ลบข้อมูลส่วนบุคคล (PDPA) — ไม่สามารถย้อนกลับได้"))
    def erase_personal_data(self, request, queryset):
        for staff in queryset.select_related("user"):
            personal_data_erase(user=staff.user, by=request.user)
        messages.success(request, _("ลบข้อมูลส่วนบุคคลแล้ว %(n)d คน") % {"n": queryset.count()})


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "district", "email", "phone", "is_active")
    list_filter = ("province", "is_active")
    search_fields = ("name", "email", "contact_name")
    list_select_related = ("province", "district")
    autocomplete_fields = ("district",)
