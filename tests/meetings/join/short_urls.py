"""The project's URLs with the short join route the lead adds to portal/urls.py: `path("j/", include(...))`."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("j/", include("meetings.join.pass_urls")), *portal_urlpatterns]
