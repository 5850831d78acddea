from django.urls import path

from . import views

app_name = "districts"
urlpatterns = [
    path("", views.SiteListView.as_view(), name="list"),
]
