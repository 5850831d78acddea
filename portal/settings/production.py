"""Production: PostgreSQL, Redis, gunicorn behind nginx. Refuses to start without its secrets."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import LOGGING, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is missing or shorter than 50 characters: production settings refuse to start "
        "without one. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
# Behind nginx every request comes from nginx's address: the client is the address nginx appended last to
# X-Forwarded-For ($proxy_add_x_forwarded_for), whatever a client put before it. (A load balancer in front of nginx:
# give nginx its address with set_real_ip_from, so that $remote_addr is the client's.) Without this every client
# was "no address" and five wrong passwords locked the person out from everywhere.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_COUNT = None

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Uploaded documents are never public: the portal checks who asks, then nginx sends the file from this internal
# location (deploy/nginx/prachum-locations.conf).
PRACHUM_MEDIA_ACCEL_REDIRECT = env("PRACHUM_MEDIA_ACCEL_REDIRECT", default="/protected-media/")
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# The web workers gunicorn starts, counted as deploy/gunicorn.conf.py counts them: with more than one, a
# per-process cache is refused by the system check portal.E001 (portal/checks.py).
PRACHUM_WEB_WORKERS = int(os.environ.get("GUNICORN_WORKERS") or 0) or 2 * len(os.sched_getaffinity(0)) + 1
