"""Joining, under /meetings/join/ (namespace "join")."""

from django.urls import include, path

from . import views

app_name = "join"
urlpatterns = [
    path("p/", include("join.pass_urls")),
    path("site/<str:code>/meeting/<int:pk>.ics", views.MeetingIcsView.as_view(), name="meeting-ics"),
    path("site/<str:code>/meeting/<int:pk>/sheet/", views.JoinSheetView.as_view(), name="sheet"),
    path("site/<str:code>/meeting/<int:pk>/sheet.pdf", views.JoinSheetPdfView.as_view(), name="sheet-pdf"),
    path("site/<str:code>/meeting/<int:pk>/renew-link/", views.JoinPassRenewView.as_view(), name="renew-link"),
    path("site/<str:code>/feed/renew/", views.FeedRenewView.as_view(), name="feed-renew"),
    path("site/<str:code>/test/", views.SiteTestCallStartView.as_view(), name="site-test-call"),
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
    path("test/<str:token>/", views.TestCallPageView.as_view(), name="test-call"),
    path("test/<str:token>/result/", views.TestCallResultView.as_view(), name="test-call-result"),
    path("control/", views.ControlCentreView.as_view(), name="control"),
    path("control/board/", views.ControlBoardView.as_view(), name="control-board"),
    path("meeting/<int:pk>/attendance/", views.AttendanceReportView.as_view(), name="attendance"),
    path("meeting/<int:pk>/attendance.csv", views.AttendanceExportView.as_view(), name="attendance-csv"),
    path(
        "meeting/<int:pk>/attendance.<str:file_format>", views.AttendanceExportView.as_view(), name="attendance-export"
    ),
]
