"""The test suite: the production shape (PostgreSQL, Redis) started by tests/services on free ports."""

from .base import *
from .base import env

SECRET_KEY = "test-only-" + "t" * 50
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRACHUM_DEMO_ACCOUNTS = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
