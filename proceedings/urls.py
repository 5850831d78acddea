"""The roll-call and vote pages, under /proceedings/ (namespace "proceedings")."""

from django.urls import path

from . import views

app_name = "proceedings"

urlpatterns = [
    # A site's pass (no login): the join page's panel, a ballot, the roll
    path("p/<str:token>/panel/", views.PassPanelView.as_view(), name="pass-panel"),
    path("p/<str:token>/votes/<int:vote_id>/", views.PassVoteView.as_view(), name="pass-vote"),
    path("p/<str:token>/roll/", views.PassRollView.as_view(), name="pass-roll"),
    path("p/<str:token>/roll/<int:entry_id>/remove/", views.PassRollRemoveView.as_view(), name="pass-roll-remove"),
    # A site's clerk, signed in
    path("meeting/<int:pk>/site/<str:code>/roll/", views.SiteRollView.as_view(), name="site-roll"),
    path("meeting/<int:pk>/site/<str:code>/roll/<int:entry_id>/remove/", views.SiteRollRemoveView.as_view(),
         name="site-roll-remove"),
    # The chair: the live view (a page and its fragment), opening and closing a vote
    path("meeting/<int:pk>/", views.ChairPageView.as_view(), name="chair"),
    path("meeting/<int:pk>/live/", views.ChairLiveView.as_view(), name="chair-live"),
    path("meeting/<int:pk>/votes/open/", views.VoteOpenView.as_view(), name="vote-open"),
    path("meeting/<int:pk>/votes/<int:vote_id>/close/", views.VoteCloseView.as_view(), name="vote-close"),
]
