"""Settings for the real Celery worker the notifications tests (and bench/invitations.py) start.

The test settings, with what those tests need the worker process to do differently: real SMTP (to the test's
sink, from EMAIL_HOST/EMAIL_PORT), the LINE stub, and short back-offs so a retry comes within a test's patience.
"""

from portal.settings.base import env
from portal.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# LINE_API_BASE, LINE_CHANNEL_ACCESS_TOKEN and PRACHUM_REMINDER_OFFSETS: read from the environment by the base
# settings, as in production (the tests set them in the worker's environment).
PRACHUM_NOTIFICATION_BACKOFF = env.list("PRACHUM_NOTIFICATION_BACKOFF", cast=int, default=[2, 2, 4, 8, 16])
PRACHUM_NOTIFICATION_LEASE_SECONDS = env.int("PRACHUM_NOTIFICATION_LEASE_SECONDS", default=120)

# A worker started with PRACHUM_TEST_BEAT=<queue> runs beat too: the reminders every second, on that queue only
# (so the worker that consumes it, with its own reminder offsets, is the one that plans them).
if env("PRACHUM_TEST_BEAT", default=""):
    CELERY_BEAT_SCHEDULE = {
        "notifications-reminders": {
            "task": "meetings.notifications.reminders",
            "schedule": 1.0,
            "options": {"queue": env("PRACHUM_TEST_BEAT")},
        },
    }
