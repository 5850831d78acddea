from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api_documents as documents_api
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
    # The clerk's page's buttons: a new join link, the calendar feed and a new one, test calls.
    path("sites/<str:code>/meetings/<int:meeting_id>/join-pass/renew/", join_api.JoinPassRenewView.as_view(),
         name="site-meeting-join-pass-renew"),
    path("sites/<str:code>/calendar-feed/", join_api.CalendarFeedView.as_view(), name="site-calendar-feed"),
    path("sites/<str:code>/calendar-feed/renew/", join_api.CalendarFeedRenewView.as_view(),
         name="site-calendar-feed-renew"),
    path("sites/<str:code>/test-calls/", join_api.SiteTestCallsView.as_view(), name="site-test-calls"),
    # A meeting's documents: the list and an upload (the meeting's page), one file (as the page's download link).
    path("meetings/<int:meeting_id>/documents/", documents_api.MeetingDocumentsView.as_view(),
         name="meeting-documents"),
    path("meetings/<int:meeting_id>/documents/<int:document_id>/", documents_api.MeetingDocumentFileView.as_view(),
         name="meeting-document"),
    path("meetings/<int:meeting_id>/connections/", join_api.MeetingConnectionsView.as_view(),
         name="meeting-connections"),
    path("meetings/<int:meeting_id>/attendance/", join_api.MeetingAttendanceView.as_view(),
         name="meeting-attendance"),
    path("meetings/<int:meeting_id>/notifications/", notifications_api.MeetingNotificationsView.as_view(),
         name="meeting-notifications"),
    path("meetings/<int:meeting_id>/notifications/<int:notification_id>/resend/",
         notifications_api.NotificationResendView.as_view(), name="meeting-notification-resend"),
]
