"""/api/: every app registers its viewsets here. OpenAPI schema and browsable docs by drf-spectacular."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from .api_audit import AuditEntryViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("audit", AuditEntryViewSet, basename="audit")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("districts.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("join.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("billing.api_urls")),
    path("", include("proceedings.api_urls")),
    path("", include("minutes.api_urls")),
    path("", include("recordings.api_urls")),
    path("", include("evidence.api_urls")),
    *router.urls,
]
