"""/api/audit/: the audit log (who created, changed, cancelled, exported, changed a role, exported or erased a
person's data), read-only, for administrators: what the Django admin shows them (portal.admin.AuditEntryAdmin).
Nobody writes it through the API: the services write it, in the transaction of the change they record."""

from __future__ import annotations

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from districts.access import HasRole, Role, staff_of
from foundation.api_errors import FORBIDDEN, LIST_NOT_FOUND, bad_request
from foundation.models import AuditEntry
from foundation.selectors import audit_entries
from foundation.thaidate import parse_thai_date


class AuditEntrySerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.IntegerField(
        source="actor_id", read_only=True, allow_null=True, help_text="รหัสผู้ใช้ (null: ระบบ หรือบัญชีที่ถูกลบ)"
    )
    detail = serializers.DictField(read_only=True, help_text="รายละเอียดตามการกระทำ")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "action",
            "action_display",
            "actor",
            "actor_username",
            "target_type",
            "target_id",
            "target_repr",
            "detail",
        ]
        read_only_fields = fields


class AuditQuerySerializer(serializers.Serializer):
    """The list's filters (query parameters), each optional."""

    action = serializers.ChoiceField(
        choices=AuditEntry.Action.choices,
        required=False,
        error_messages={"invalid_choice": "ไม่รู้จักการกระทำ “{input}”: ใช้ " + ", ".join(AuditEntry.Action.values)},
    )
    actor = serializers.CharField(required=False, max_length=150, help_text="ชื่อผู้ใช้ของผู้กระทำ")
    target_type = serializers.CharField(required=False, max_length=100, help_text="เช่น meetings.Meeting")
    target_id = serializers.CharField(required=False, max_length=64)
    since = serializers.CharField(required=False, help_text="ตั้งแต่วันที่ (เวลาประเทศไทย) เช่น 2568-06-01 หรือ 1/6/2568")
    until = serializers.CharField(required=False, help_text="ถึงวันที่ (รวมวันนั้น)")

    @staticmethod
    def _day(value: str) -> date:
        try:
            return parse_thai_date(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate_since(self, value: str) -> date:
        return self._day(value)

    def validate_until(self, value: str) -> date:
        return self._day(value)

    def validate(self, attrs):
        if "since" in attrs and "until" in attrs and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": ["วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"]})
        return attrs


def _query_parameters() -> list[OpenApiParameter]:
    fields = AuditQuerySerializer().fields
    action = OpenApiParameter("action", OpenApiTypes.STR, enum=AuditEntry.Action.values, description="การกระทำ")
    return [action] + [
        OpenApiParameter(name, OpenApiTypes.STR, description=str(fields[name].help_text or ""))
        for name in ("actor", "target_type", "target_id", "since", "until")
    ]


@extend_schema_view(
    list=extend_schema(
        operation_id="audit_list",
        parameters=_query_parameters(),
        responses={
            200: AuditEntrySerializer(many=True),
            400: bad_request("ตัวกรองไม่ถูกต้อง: {ชื่อตัวกรอง: [ข้อความ]} เช่น วันที่อ่านไม่ออก"),
            403: FORBIDDEN,
            404: LIST_NOT_FOUND,
        },
    )
)
class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit log of the administrator's province, newest first, 50 to a page; filter by `action`, `actor`
    (username), `target_type` and `target_id`, and by day with `since` and `until` (Thailand time; BE or CE
    years). The installation's operators read the operators' own entries in the Django admin."""

    serializer_class = AuditEntrySerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.ADMINISTRATOR,)

    def get_queryset(self):
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return audit_entries(**query.validated_data, province_code=staff_of(self.request.user).site.province.code)
