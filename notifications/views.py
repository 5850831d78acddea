"""The notifications page of a meeting (schedulers): who was told what and when, what failed, "send again"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from districts.access import Role, RoleRequiredMixin, staff_of

from . import selectors, services
from .models import Notification

ROLES = (Role.SCHEDULER, Role.ADMINISTRATOR)


def _province_id(request) -> int:
    return staff_of(request.user).site.province_id


class MeetingNotificationsView(RoleRequiredMixin, TemplateView):
    """Every notification about one meeting of the scheduler's province, newest first. Fixed query count."""

    allowed_roles = ROLES
    template_name = "notifications/meeting_notifications.html"

    def get_context_data(self, **kwargs):
        log = selectors.meeting_notification_log(
            meeting_id=self.kwargs["meeting_id"], province_id=_province_id(self.request)
        )
        if log is None:
            raise Http404("ไม่พบการประชุมนี้ในจังหวัดของท่าน")
        return super().get_context_data(
            log=log, meeting=log.meeting, rows=log.rows, states=Notification.State, kinds=Notification.Kind, **kwargs
        )


class NotificationResendView(RoleRequiredMixin, View):
    """POST: send one notification again (a new row, same recipient and kind, the meeting as it is now)."""

    allowed_roles = ROLES
    http_method_names = ["post"]

    def post(self, request, meeting_id: int, pk: int):
        notification = selectors.notification_for_resend(
            meeting_id=meeting_id, notification_id=pk, province_id=_province_id(request)
        )
        if notification is None:
            raise Http404("ไม่พบการแจ้งเตือนนี้")
        try:
            expected = int(request.POST.get("resends", ""))
        except ValueError:
            expected = None
        try:
            services.notification_resend(notification=notification, by=request.user, expected_resends=expected)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"ส่ง{notification.get_kind_display()}ถึง {notification.address} อีกครั้งแล้ว")
        return HttpResponseRedirect(reverse("notifications:meeting", kwargs={"meeting_id": meeting_id}))
