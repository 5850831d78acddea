from django.contrib import admin

from .models import Agency, District, Province, Site, Staff


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


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "district", "email", "phone", "is_active")
    list_filter = ("province", "is_active")
    search_fields = ("name", "email", "contact_name")
    list_select_related = ("province", "district")
    autocomplete_fields = ("district",)
