from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from foundation.api_errors import FORBIDDEN, LIST_NOT_FOUND, NOT_FOUND

from .access import HasRole, Role
from .selectors import site_list_for
from .serializers import SiteSerializer


@extend_schema_view(
    list=extend_schema(responses={200: SiteSerializer(many=True), 403: FORBIDDEN, 404: LIST_NOT_FOUND}),
    retrieve=extend_schema(responses={200: SiteSerializer, 403: FORBIDDEN, 404: NOT_FOUND}),
)
class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """The sites the caller may see: their province for schedulers, finance and administrators, their own for clerks."""

    serializer_class = SiteSerializer
    permission_classes = [HasRole]
    allowed_roles = tuple(Role.values)

    def get_queryset(self):
        return site_list_for(self.request.user)
