"""The embedded default: `make run` on a fresh machine, no variable needed.

SQLite in var/, Celery tasks in-process, emails to var/mail/. Demo accounts exist only here.
"""

from .base import *
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="embedded-only-not-a-secret-" + "x" * 32)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
PRACHUM_DEMO_ACCOUNTS = True
# `make run` sets this when no Janus could be started: every page then says the rooms are simulated.
PRACHUM_FAKE_MEDIA = env.bool("PRACHUM_FAKE_MEDIA", default=False)
