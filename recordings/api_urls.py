from django.urls import path

from . import api

R = "meetings/<int:meeting_id>/recording/"
urlpatterns = [
    path(R, api.RecordingView.as_view(), name="meeting-recording"),
    path(f"{R}start/", api.RecordingStartView.as_view(), name="meeting-recording-start"),
    path(f"{R}stop/", api.RecordingStopView.as_view(), name="meeting-recording-stop"),
    path(f"{R}files/<int:file_id>/", api.RecordingFileView.as_view(), name="meeting-recording-file"),
]
