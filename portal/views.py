from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from districts.access import staff_of
from districts.models import Staff

ROLE_HOMES = {
    Staff.Role.SCHEDULER: "meetings:list",
    Staff.Role.FINANCE: "billing:home",
    Staff.Role.ADMINISTRATOR: "admin:index",
}


@login_required
def home(request):
    """Send each role to its own place."""
    staff = staff_of(request.user)
    if staff is None:
        if request.user.has_perm("national.view_national"):  # the Ministry's people (and operators)
            return redirect("national:home")
        return render(request, "portal/no_role.html", status=403)
    if staff.role == Staff.Role.CLERK:
        return redirect("site:page", code=staff.site.code)
    return redirect(ROLE_HOMES[staff.role])
