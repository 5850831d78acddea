"""Mounted by portal/urls.py under /meetings/<meeting_id>/notifications/ (namespace "notifications")."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.MeetingNotificationsView.as_view(), name="meeting"),
    path("<int:pk>/resend/", views.NotificationResendView.as_view(), name="resend"),
]
