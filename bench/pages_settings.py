"""Settings of `bench/pages.py`: the production settings, as gunicorn runs them, on loopback without TLS.

The production middleware stack (sessions, CSRF, axes, prometheus, ...) is kept as it is: the figures are the
production path. Only what a plain-HTTP loopback run needs differs: no TLS redirect, 127.0.0.1 as the host, and
the benchmark's own URL configuration (`bench.pages_urls`: the portal's URLs plus one bare view).
The secret key comes from the benchmark (one key for its process and every gunicorn worker, so the sessions it
creates are valid in the workers); started alone, a fresh one is generated.
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

from portal.settings.production import *  # noqa: F403
from portal.settings.production import DATABASES, LOGGING, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False
ROOT_URLCONF = env("PRACHUM_BENCH_URLCONF", default="bench.pages_urls")
DATABASES["default"]["CONN_MAX_AGE"] = 60
LOGGING["root"]["level"] = "WARNING"
