"""/api/ of the roll-call and the votes (proceedings/api.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("meetings/<int:meeting_id>/roll/", api.MeetingRollView.as_view(), name="meeting-roll"),
    path("meetings/<int:meeting_id>/votes/", api.MeetingVotesView.as_view(), name="meeting-votes"),
    path("meetings/<int:meeting_id>/votes/<int:vote_id>/close/", api.VoteCloseView.as_view(),
         name="meeting-vote-close"),
    path("sites/<str:code>/meetings/<int:meeting_id>/roll/", api.SiteRollView.as_view(), name="site-meeting-roll"),
    path("sites/<str:code>/meetings/<int:meeting_id>/roll/<int:entry_id>/", api.SiteRollEntryView.as_view(),
         name="site-meeting-roll-entry"),
    path("sites/<str:code>/meetings/<int:meeting_id>/votes/<int:vote_id>/ballots/", api.SiteBallotView.as_view(),
         name="site-meeting-vote-ballots"),
]
