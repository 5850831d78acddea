"""Mounted by meetings/urls.py: path("<int:meeting_id>/notifications/", include("meetings.notifications.urls"))."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.MeetingNotificationsView.as_view(), name="meeting"),
    path("<int:pk>/resend/", views.NotificationResendView.as_view(), name="resend"),
]
