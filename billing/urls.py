from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [path("", views.BillingHomeView.as_view(), name="home")]
