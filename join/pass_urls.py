"""The addresses a site's pass opens. The project mounts them at the short top-level `/j/` (namespace "j") for
links on phones and QR codes; `meetings/join/urls.py` also mounts them under /meetings/join/p/."""

from django.urls import path

from . import views

app_name = "j"
urlpatterns = [
    path("<str:token>/", views.JoinPageView.as_view(), name="page"),
    path("<str:token>/qr.svg", views.JoinPassQrView.as_view(), name="qr"),
    path("<str:token>/moderate/", views.PassModerateView.as_view(), name="moderate"),
    path("<str:token>/test/", views.PassTestCallStartView.as_view(), name="test"),
    path("<str:token>/documents/", views.PassDocumentsView.as_view(), name="documents"),
    path("<str:token>/documents/<int:document_id>/", views.PassDocumentsView.as_view(), name="document"),
    path("<str:token>/sheet/", views.PassSheetView.as_view(), name="sheet"),
    path("<str:token>/sheet.pdf", views.PassSheetPdfView.as_view(), name="sheet-pdf"),
    path("<str:token>/calendar.ics", views.PassIcsView.as_view(), name="ics"),
]
