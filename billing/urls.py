from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.ChargeListView.as_view(), name="home"),
    path("charges/<int:pk>/pay/", views.ChargePayView.as_view(), name="pay"),
    path("months/<slug:month>/close/", views.MonthCloseView.as_view(), name="close_month"),
    path("savings/", views.SavingsView.as_view(), name="savings"),
    path("reports/<slug:exporter>.<slug:file_format>", views.ReportDownloadView.as_view(), name="report"),
    path("exports/<int:pk>/", views.ExportStatusView.as_view(), name="export"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
]
