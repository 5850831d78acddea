"""Scheduling: meetings and series, their sites and agencies, rescheduling, edits and cancellations.

Every function checks its input and raises a `ValidationError` keyed by the field at fault, in Thai, saying
what is wrong and how to fix it; nothing is written when it does. A site cannot be in two overlapping meetings:
checked here with a clear message, and enforced by PostgreSQL's exclusion constraint as the last line (its
IntegrityError is turned into the same message).

One module a feature: `meeting` (one meeting: schedule, reschedule, update, cancel), `series` (a daily or weekly
series and its occurrences, edited one at a time, from one on, or all), `checks` (the texts and checks both share:
times, agenda, sites, agencies, clashes). The names used elsewhere are re-exported here.
"""

from .checks import EXCLUSION_CONSTRAINT, MAX_AGENDA_ITEMS, MAX_MEETING_HOURS, site_label, when_text
from .meeting import meeting_cancel, meeting_reschedule, meeting_schedule, meeting_update
from .series import (
    Occurrence,
    Scope,
    occurrence_cancel,
    occurrence_move,
    series_cancel,
    series_occurrences,
    series_schedule,
    series_update,
)

__all__ = [
    "EXCLUSION_CONSTRAINT",
    "MAX_AGENDA_ITEMS",
    "MAX_MEETING_HOURS",
    "Occurrence",
    "Scope",
    "meeting_cancel",
    "meeting_reschedule",
    "meeting_schedule",
    "meeting_update",
    "occurrence_cancel",
    "occurrence_move",
    "series_cancel",
    "series_occurrences",
    "series_schedule",
    "series_update",
    "site_label",
    "when_text",
]
