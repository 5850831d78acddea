"""/api/ of the evidence app: a meeting's fault reports and evidence packs (evidence/api.py)."""

from django.urls import path

from . import api

F = "meetings/<int:meeting_id>/fault-reports/"
P = "meetings/<int:meeting_id>/evidence-packs/"
urlpatterns = [
    path(F, api.FaultReportsView.as_view(), name="meeting-fault-reports"),
    path(f"{F}<int:report_id>/resolve/", api.FaultReportResolveView.as_view(), name="meeting-fault-report-resolve"),
    path(P, api.EvidencePacksView.as_view(), name="meeting-evidence-packs"),
    path(f"{P}<int:pack_id>/file/", api.EvidencePackFileView.as_view(), name="meeting-evidence-pack-file"),
]
