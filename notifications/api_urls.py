"""/api/ of notifications: a meeting's notifications and resending one."""

from django.urls import path

from . import api as notifications_api

urlpatterns = [
    path("meetings/<int:meeting_id>/notifications/", notifications_api.MeetingNotificationsView.as_view(),
         name="meeting-notifications"),
    path("meetings/<int:meeting_id>/notifications/<int:notification_id>/resend/",
         notifications_api.NotificationResendView.as_view(), name="meeting-notification-resend"),
]
