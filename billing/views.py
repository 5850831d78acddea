from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin


class BillingHomeView(RoleRequiredMixin, TemplateView):
    """Placeholder until billing lands (issue: billing and the finance reports)."""

    allowed_roles = (Role.FINANCE, Role.ADMINISTRATOR)
    template_name = "portal/placeholder.html"
    extra_context = {"title": "ค่าใช้จ่าย", "coming": "หน้ารายงานค่าใช้จ่ายวงจรสื่อสาร (กำลังพัฒนา)"}
