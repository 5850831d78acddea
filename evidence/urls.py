"""The evidence pages, under /evidence/ (namespace "evidence"): see views.py."""

from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    # A site's pass (no login): the join page's "แจ้งปัญหา" (masked in every log as the other pass links are)
    path("p/<str:token>/faults/", views.PassFaultReportView.as_view(), name="pass-fault"),
    # The control centre: a meeting's open reports (its board's fragment), and resolving one
    path("meeting/<int:pk>/faults/board/", views.BoardFaultsView.as_view(), name="board-faults"),
    path("meeting/<int:pk>/faults/<int:report_id>/resolve/", views.FaultResolveView.as_view(), name="fault-resolve"),
    # The evidence pack
    path("meeting/<int:pk>/", views.PackPageView.as_view(), name="meeting"),
    path("meeting/<int:pk>/packs/", views.PackRequestView.as_view(), name="pack-request"),
    path("meeting/<int:pk>/packs/<int:pack_id>/download/", views.PackDownloadView.as_view(), name="pack-download"),
]
