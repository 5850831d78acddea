from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin


class MeetingListView(RoleRequiredMixin, TemplateView):
    """Placeholder until scheduling lands (issue: meetings on a real media server)."""

    allowed_roles = (Role.SCHEDULER, Role.ADMINISTRATOR)
    template_name = "portal/placeholder.html"
    extra_context = {"title": "การประชุม", "coming": "หน้าจัดการประชุม (กำลังพัฒนา)"}
