from django.urls import path

from . import views

app_name = "recordings"

urlpatterns = [
    path("meeting/<int:pk>/", views.RecordingPageView.as_view(), name="meeting"),
    path("meeting/<int:pk>/card/", views.RecordingCardView.as_view(), name="card"),  # the meeting page's card
    path("meeting/<int:pk>/start/", views.RecordingStartView.as_view(), name="start"),
    path("meeting/<int:pk>/stop/", views.RecordingStopView.as_view(), name="stop"),
    path("meeting/<int:pk>/settings/", views.RecordingSettingsView.as_view(), name="settings"),
    path("meeting/<int:pk>/erasure/", views.ErasureRequestView.as_view(), name="erasure"),
    path("meeting/<int:pk>/files/<int:file_id>/", views.RecordingDownloadView.as_view(), name="download"),
    # A site's pass (no login): the join page's "กำลังบันทึก" sign
    path("p/<str:token>/state/", views.PassRecordingStateView.as_view(), name="pass-state"),
]
