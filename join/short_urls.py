"""The short form of a join link, mounted at the top-level `/k/` (namespace "k"): a box to type the 12 digits
printed on the sheet, and /k/<digits>/, which sends the browser to the pass's join page."""

from django.urls import path

from . import views

app_name = "k"
urlpatterns = [
    path("", views.ShortCodeView.as_view(), name="form"),
    path("<str:code>/", views.ShortCodeView.as_view(), name="code"),
]
