from django.urls import path

from . import views

app_name = "minutes"

urlpatterns = [
    path("meeting/<int:pk>/", views.MinutesPageView.as_view(), name="meeting"),
    path("meeting/<int:pk>/draft/", views.MinutesDraftView.as_view(), name="draft"),
    path("meeting/<int:pk>/edit/", views.MinutesEditView.as_view(), name="edit"),
    path("meeting/<int:pk>/send/", views.MinutesSendView.as_view(), name="send"),
    path("meeting/<int:pk>/correct/", views.MinutesCorrectView.as_view(), name="correct"),
    # pk: the approving meeting (the next one of the series); it approves the previous meeting's minutes
    path("meeting/<int:pk>/approve/", views.MinutesApproveView.as_view(), name="approve"),
    path("meeting/<int:pk>/links/", views.MeetingLinksView.as_view(), name="links"),  # the meeting page's card
    path("meeting/<int:pk>/v<int:number>/", views.MinutesVersionView.as_view(), name="version"),
    path("meeting/<int:pk>/v<int:number>.pdf", views.MinutesPdfView.as_view(), name="pdf"),
    path("sites/<str:code>/", views.SiteMinutesView.as_view(), name="site"),
]
