from django.http import Http404
from django.views.generic import ListView, TemplateView

from .access import Role, RoleRequiredMixin, require_site
from .selectors import site_get_by_code, site_list_for


class SiteListView(RoleRequiredMixin, ListView):
    allowed_roles = (Role.SCHEDULER, Role.ADMINISTRATOR, Role.FINANCE)
    template_name = "districts/site_list.html"
    context_object_name = "sites"

    def get_queryset(self):
        return site_list_for(self.request.user)


class SiteDetailView(RoleRequiredMixin, TemplateView):
    """A site's own page: what the clerk opens every morning — its meetings with their join buttons, calendar
    files, QR codes and join sheets, the test call and the calendar feed (meetings.join)."""

    allowed_roles = tuple(Role.values)
    template_name = "districts/site_detail.html"

    def get_context_data(self, **kwargs):
        from meetings.join.views import site_page_context

        site = site_get_by_code(code=self.kwargs["code"])
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        require_site(self.request.user, site)
        return super().get_context_data(site=site, **site_page_context(user=self.request.user, site=site), **kwargs)
