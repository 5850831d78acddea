"""Notifications of meetings: invitations, updates, cancellations and reminders, by email and by LINE.

The Notification row is the truth (DESIGN.md, "Side effects"): `services.notifications_plan` writes one row per
recipient and channel inside the scheduling transaction and enqueues their ids on commit; the send task claims
each row (pending -> sending, with a lease), sends it through its channel and records the outcome; the periodic
sweep re-enqueues what is still pending and what a dead worker left in flight.
"""
