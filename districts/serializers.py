from rest_framework import serializers

from .models import Site


class SiteSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    province_code = serializers.CharField(source="province.code", read_only=True)
    # The provincial hall has no district: null.
    district_code = serializers.CharField(source="district.code", read_only=True, default=None, allow_null=True)
    district_name = serializers.CharField(source="district.name_th", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Site
        fields = [
            "id", "code", "kind", "name", "province_code", "district_code", "district_name",
            "meeting_room", "contact_phone", "equipment_checklist", "is_active",
        ]
        read_only_fields = fields
