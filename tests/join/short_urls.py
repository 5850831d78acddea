"""The project's URLs with the short join route the lead adds to portal/urls.py: `path("j/", include(...))`."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("j/", include("join.pass_urls")),
    *(pattern for pattern in portal_urlpatterns if str(pattern.pattern) != "j/"),  # once the lead has added it
]
