"""Joining meetings: the sites' join passes, the clerk's page, the join page, test calls, the control centre and
attendance.

Its models are the `meetings` app's (app label "meetings"): `meetings/models.py` imports them at its end.
"""

from . import checks as _checks  # noqa: F401  (registers the system check of the join page's libraries)
