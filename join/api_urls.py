"""/api/ of joining: a site's meetings with their join links, the clerk's page's buttons, and a meeting's
connections and attendance. One object each (not lists of rows): plain API views."""

from django.urls import path

from . import api as join_api

urlpatterns = [
    path("sites/<str:code>/meetings/", join_api.SiteMeetingsView.as_view(), name="site-meetings"),
    # The clerk's page's buttons: a new join link, the calendar feed and a new one, test calls.
    path("sites/<str:code>/meetings/<int:meeting_id>/join-pass/renew/", join_api.JoinPassRenewView.as_view(),
         name="site-meeting-join-pass-renew"),
    path("sites/<str:code>/calendar-feed/", join_api.CalendarFeedView.as_view(), name="site-calendar-feed"),
    path("sites/<str:code>/calendar-feed/renew/", join_api.CalendarFeedRenewView.as_view(),
         name="site-calendar-feed-renew"),
    path("sites/<str:code>/test-calls/", join_api.SiteTestCallsView.as_view(), name="site-test-calls"),
    path("meetings/<int:meeting_id>/connections/", join_api.MeetingConnectionsView.as_view(),
         name="meeting-connections"),
    path("meetings/<int:meeting_id>/attendance/", join_api.MeetingAttendanceView.as_view(),
         name="meeting-attendance"),
]
