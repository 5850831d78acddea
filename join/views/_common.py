"""What the join pages share: who may join a site's meetings or watch the control centre, and the headers of a
page whose address is a capability (a pass, a feed, a test call)."""

from __future__ import annotations

from django.http import HttpResponse

from districts.access import Role

JOINING_ROLES = (Role.CLERK, Role.SCHEDULER, Role.ADMINISTRATOR)
CONTROL_ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)


def _capability_page(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
