from rest_framework import viewsets

from .access import HasRole, Role
from .selectors import site_list_for
from .serializers import SiteSerializer


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """The sites the caller may see: their province for schedulers, finance and administrators, their own for clerks."""

    serializer_class = SiteSerializer
    permission_classes = [HasRole]
    allowed_roles = tuple(Role.values)

    def get_queryset(self):
        return site_list_for(self.request.user)
