"""Joining meetings: the sites' join passes and calendar feeds, the clerk's site page, the join page, test calls,
the control centre and attendance. A Django app of its own (label "join"); its tables keep the names they had when
the models were the meetings app's (join/migrations/0001)."""
