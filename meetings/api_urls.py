from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import MeetingViewSet
from .join import api as join_api

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
]
