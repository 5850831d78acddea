"""URLs of `bench/pages.py`: every URL of the portal, plus a bare view as the baseline on the same server.

Only `bench.pages_settings` selects this module (ROOT_URLCONF); the product's URLs are not changed.
"""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The least a Django page can be: the full middleware stack and a fixed body."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include("portal.urls")),
]
