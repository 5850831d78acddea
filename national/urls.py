from django.urls import path

from . import views

app_name = "national"
urlpatterns = [
    path("", views.NationalView.as_view(), name="home"),
    path("report.<slug:file_format>", views.NationalReportView.as_view(), name="report"),
]
