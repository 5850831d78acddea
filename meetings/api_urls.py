from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api_documents as documents_api
from .api import MeetingViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("meetings", MeetingViewSet, basename="meeting")
urlpatterns = [
    *router.urls,
    # A meeting's documents: the list and an upload (the meeting's page), one file (as the page's download link).
    path("meetings/<int:meeting_id>/documents/", documents_api.MeetingDocumentsView.as_view(),
         name="meeting-documents"),
    path("meetings/<int:meeting_id>/documents/<int:document_id>/", documents_api.MeetingDocumentFileView.as_view(),
         name="meeting-document"),
]
