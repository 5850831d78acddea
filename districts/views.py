from django.db import transaction
from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.generic import ListView, TemplateView

from .access import Role, RoleRequiredMixin, require_site, staff_of
from .selectors import site_get_by_code, site_list_for


class SiteListView(RoleRequiredMixin, ListView):
    allowed_roles = (Role.SCHEDULER, Role.ADMINISTRATOR, Role.FINANCE)
    template_name = "districts/site_list.html"
    context_object_name = "sites"

    def get_queryset(self):
        return site_list_for(self.request.user)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SiteDetailView(RoleRequiredMixin, TemplateView):
    """A site's own page: what the clerk opens every morning — its meetings with their join buttons, calendar
    files, QR codes and join sheets, the test call and the calendar feed (meetings.join); `?all=1` lists every
    coming meeting instead of the next two weeks.

    It reads, and writes only through services that are atomic on their own (a missing join pass or feed link
    issued on the first visit), so it runs outside the request's transaction: no BEGIN and COMMIT round trips
    on the page a clerk opens most."""

    allowed_roles = tuple(Role.values)
    template_name = "districts/site_detail.html"

    def get_site(self):
        code = self.kwargs["code"]
        staff = staff_of(self.request.user)
        if staff is not None and staff.site.code == code:
            return staff.site  # their own site: read with their Staff row (and its district and province)
        site = site_get_by_code(code=code)
        if site is None:
            raise Http404("ไม่พบสถานที่นี้")
        return site

    def dispatch(self, request, *args, **kwargs):
        from meetings.join.views import site_page_read_ahead

        with site_page_read_ahead(request, code=kwargs["code"]):
            return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        from meetings.join.views import site_page_context, site_page_response

        site = self.get_site()
        require_site(request.user, site)
        everything = request.GET.get("all") == "1"

        def render_page(extra_context: dict):
            context = site_page_context(user=request.user, site=site, everything=everything)
            return self.render_to_response(self.get_context_data(site=site, **context, **extra_context))

        return site_page_response(request, site=site, everything=everything, render_page=render_page)
