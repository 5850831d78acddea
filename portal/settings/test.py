"""The test suite: the production shape (PostgreSQL, Redis) started by tests/services on free ports."""

from .base import *
from .base import env

SECRET_KEY = "test-only-" + "t" * 50
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Tests log in with force_login and Client.login (no request): login throttling is tested on its own with the
# production backends (tests/portal/test_security.py).
AUTHENTICATION_BACKENDS = ["districts.authentication.PrincipalBackend"]
AXES_ENABLED = False
SILENCED_SYSTEM_CHECKS = ["axes.W003"]  # the axes backend is left out on purpose, see above
