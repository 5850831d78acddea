from django.views.generic import ListView

from .access import Role, RoleRequiredMixin
from .selectors import site_list_for


class SiteListView(RoleRequiredMixin, ListView):
    allowed_roles = (Role.SCHEDULER, Role.ADMINISTRATOR, Role.FINANCE)
    template_name = "districts/site_list.html"
    context_object_name = "sites"

    def get_queryset(self):
        return site_list_for(self.request.user)
