from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("new/", views.MeetingCreateView.as_view(), name="create"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MeetingEditView.as_view(), name="edit"),
    path("<int:pk>/reschedule/", views.MeetingRescheduleView.as_view(), name="reschedule"),
    path("<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="cancel"),
    path("<int:pk>/documents/", views.DocumentUploadView.as_view(), name="document-upload"),
    path("<int:pk>/documents/<int:document_id>/", views.DocumentDownloadView.as_view(), name="document"),
    # Prosody: reservations_api_prefix = "https://<portal>/meetings/jitsi/reservations/<token>"
    path("jitsi/reservations/<str:token>/conference", views.jitsi_conference, name="jitsi-conference"),
    path("jitsi/reservations/<str:token>/conference/<int:reservation_id>", views.jitsi_conference,
         name="jitsi-reservation"),
]
