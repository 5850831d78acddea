from django.urls import path

from . import api

M = "meetings/<int:meeting_id>/minutes/"
urlpatterns = [
    path(M, api.MinutesView.as_view(), name="meeting-minutes"),
    path(f"{M}send/", api.MinutesSendView.as_view(), name="meeting-minutes-send"),
    path(f"{M}correct/", api.MinutesCorrectView.as_view(), name="meeting-minutes-correct"),
    path(f"{M}approve/", api.MinutesApproveView.as_view(), name="meeting-minutes-approve"),
    path(f"{M}versions/<int:number>/", api.MinutesVersionView.as_view(), name="meeting-minutes-version"),
    path(f"{M}versions/<int:number>/pdf/", api.MinutesPdfView.as_view(), name="meeting-minutes-pdf"),
]
