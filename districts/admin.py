import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from foundation.personal_data import personal_data_erase, personal_data_export

from .models import Agency, District, Province, Site, Staff
from .services import staff_create, staff_password_set, staff_role_change


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


class StaffAddForm(forms.ModelForm):
    """A new person: their account and their role in one form (a province's administrator sees no account that is
    not already someone of their province)."""

    username = forms.CharField(label=_("ชื่อผู้ใช้"), max_length=150)
    first_name = forms.CharField(label=_("ชื่อ"), max_length=150, required=False)
    last_name = forms.CharField(label=_("นามสกุล"), max_length=150, required=False)
    email = forms.EmailField(label=_("อีเมล"), required=False)
    password = forms.CharField(label=_("รหัสผ่านเริ่มต้น"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = Staff
        fields = ("role", "site", "phone")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("มีผู้ใช้ชื่อนี้แล้ว: เลือกชื่ออื่น"))
        return username

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "site", "phone")
    list_filter = ("role", "site__province")
    search_fields = ("user__username", "user__first_name", "user__last_name", "site__name")
    list_select_related = ("user", "site")
    autocomplete_fields = ("site",)
    readonly_fields = ("user", "password_link")
    actions = ["export_personal_data", "erase_personal_data"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StaffAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("username", "first_name", "last_name", "email", "password", "role", "site", "phone")
        return ("user", "password_link", "role", "site", "phone", "preferred_language")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    @admin.display(description=_("รหัสผ่าน"))
    def password_link(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:districts_staff_password", args=[obj.pk]),
                           _("ตั้งรหัสผ่านใหม่"))

    def get_urls(self):
        own = [path("<int:staff_id>/password/", self.admin_site.admin_view(self.password_view),
                    name="districts_staff_password")]
        return own + super().get_urls()

    def password_view(self, request, staff_id: int):
        """A new password for someone of the administrator's province (their account's own page is the
        operators'); another province's person is a 404."""
        staff = self.get_object(request, str(staff_id))
        if not self.has_change_permission(request, staff):
            raise PermissionDenied
        form = AdminPasswordChangeForm(staff.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            staff_password_set(staff=staff, password=form.cleaned_data["password1"], by=request.user)
            messages.success(request, _("ตั้งรหัสผ่านใหม่ของ %(name)s แล้ว") % {"name": staff.user.get_username()})
            return HttpResponseRedirect(reverse("admin:districts_staff_change", args=[staff.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("ตั้งรหัสผ่านใหม่: %(name)s") % {"name": staff.user.get_username()},
            "form": form, "adminform": form, "form_url": "", "is_popup": False, "add": False, "change": True,
            "has_view_permission": True, "has_add_permission": False, "has_change_permission": True,
            "has_delete_permission": False, "has_absolute_url": False, "opts": self.model._meta,
            "original": staff.user, "save_as": False, "show_save": True,
        }
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            data = form.cleaned_data
            created = staff_create(
                username=data["username"], password=data["password"], role=obj.role, site=obj.site,
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"], phone=obj.phone,
                by=request.user,
            )
            obj.pk, obj.user = created.pk, created.user
            return
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
