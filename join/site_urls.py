"""The site's page at /sites/<code>/ (namespace "site"): the project mounts it beside districts' site list."""

from django.urls import path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.SitePageView.as_view(), name="page"),
]
