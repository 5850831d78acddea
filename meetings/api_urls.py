from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import MeetingViewSet
from .join import api as join_api
from .notifications import api as notifications_api

router = DefaultRouter()
router.include_root_view = False
router.register("meetings", MeetingViewSet, basename="meeting")
urlpatterns = [
    *router.urls,
    # One object each (not lists of rows): plain API views beside the router's routes.
    path("sites/<str:code>/meetings/", join_api.SiteMeetingsView.as_view(), name="site-meetings"),
    path("meetings/<int:meeting_id>/connections/", join_api.MeetingConnectionsView.as_view(),
         name="meeting-connections"),
    path("meetings/<int:meeting_id>/attendance/", join_api.MeetingAttendanceView.as_view(),
         name="meeting-attendance"),
    path("meetings/<int:meeting_id>/notifications/", notifications_api.MeetingNotificationsView.as_view(),
         name="meeting-notifications"),
    path("meetings/<int:meeting_id>/notifications/<int:notification_id>/resend/",
         notifications_api.NotificationResendView.as_view(), name="meeting-notification-resend"),
]
