"""/api/agencies/: the province's agencies (ส่วนราชการ) that a meeting can invite, read-only, for the schedulers and
administrators of the province: the list the scheduling form offers (districts.selectors.agencies_for_scheduling).
Agencies are kept in the Django admin."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from foundation.api_errors import FORBIDDEN, LIST_NOT_FOUND

from .access import HasRole, Role
from .models import Agency
from .selectors import agencies_for_scheduling


class AgencySerializer(serializers.ModelSerializer):
    district_code = serializers.CharField(
        source="district.code", read_only=True, default=None, allow_null=True,
        help_text="อำเภอ ถ้าเป็นหน่วยงานระดับอำเภอ (null: ระดับจังหวัด)",
    )

    class Meta:
        model = Agency
        fields = ["id", "name", "district_code", "contact_name", "email", "phone"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(responses={200: AgencySerializer(many=True), 403: FORBIDDEN, 404: LIST_NOT_FOUND})
)
class AgencyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The active agencies of the caller's province, by name (the ones a meeting can invite)."""

    serializer_class = AgencySerializer
    permission_classes = [HasRole]
    allowed_roles = (Role.SCHEDULER, Role.ADMINISTRATOR)

    def get_queryset(self):
        return agencies_for_scheduling(user=self.request.user).select_related("district").order_by("name", "pk")
