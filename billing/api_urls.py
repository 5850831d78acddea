from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ChargeViewSet, ReportView

router = SimpleRouter()
router.register("charges", ChargeViewSet, basename="charge")
urlpatterns = [*router.urls, path("reports/<slug:exporter>/", ReportView.as_view(), name="billing-report")]
