"""Settings shared by every way prachum runs. Everything that differs comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PrachumAdminConfig",  # django.contrib.admin, scoped by province (portal/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_prometheus",
    "drf_spectacular_sidecar",
    "rest_framework",
    "knox",  # API tokens stored hashed (SHA-512), several per person, each with its own expiry
    "drf_spectacular",
    "django_htmx",
    "foundation",
    "portal",
    "districts",
    "meetings",
    "join",
    "notifications",
    "billing",
    "national",
    "proceedings",
    "minutes",
    "recordings",
    "evidence",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'prachum.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded mode: the web server and the periodic runner share one file; wait for each other's writes.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # Queries the pages send again and again (the join page's one, the clerk's page's eight) are bound on the server
    # and prepared after their second run on a connection, so PostgreSQL stops planning them each time: measured
    # with bench/pages.py, join page 11.0 -> 5.5 ms, clerk's page 17.8 -> 12.8 ms in-process. Off with
    # DATABASE_PREPARED_STATEMENTS=false (e.g. behind a pooler in transaction mode, which cannot keep them).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis in production (CACHE_URL=redis://..., django-redis), this process's memory otherwise. It holds
# only what can be made again (QR code drawings, task counters for /metrics): no page, session or user. A Redis
# that fails or hangs never fails a page: errors are ignored (logged) and the short timeouts bound the wait.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://prachum")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
    )
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# The embedded mode's demo accounts and simulated-media banner (portal/settings/embedded.py turns them on).
PRACHUM_DEMO_ACCOUNTS = False
PRACHUM_FAKE_MEDIA = False
# Uploaded documents are sent by the portal itself, unless production names nginx's internal location.
PRACHUM_MEDIA_ACCEL_REDIRECT = ""
PRACHUM_WEB_WORKERS = 1  # the embedded and development servers: one process (production counts gunicorn's)
# Sessions: Django's own, in the database (the truth; a sign-out is final even while Redis is away).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Content-Security-Policy (django-csp): our own scripts, styles and fonts only, no inline script, never framed.
# The join page adds the origin of its meeting's media server to connect-src (join/views/call.py); more origins
# (a media server the browsers reach directly) can be listed in PRACHUM_CSP_CONNECT_SRC.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF, *env.list("PRACHUM_CSP_CONNECT_SRC", default=[])],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): 5 failures for one username from one address lock it for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "districts.authentication.PrincipalBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: REMOTE_ADDR here (the embedded and development servers face the browser); production reads
# the address nginx saw (portal/settings/production.py).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Thai first, English second. Everything happens in Bangkok time; the database stores UTC.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# Celery: the broker is Redis in production and in the tests; the embedded default runs tasks in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work. Production runs `celery beat`; the embedded mode runs the same entries in-process
# (`manage.py run_periodic`, started by `make run`).
# Seconds between two asks of the media servers who is in each room (the control centre refreshes every 5 s).
PRACHUM_ATTENDANCE_POLL_SECONDS = env.int("PRACHUM_ATTENDANCE_POLL_SECONDS", default=10)
CELERY_BEAT_SCHEDULE = {
    # Media servers: health, and rooms that are pending, vanished (Janus restarted) or on a failed server.
    "meetings-servers-check": {"task": "meetings.servers_check", "schedule": 60.0},
    "meetings-rooms-sweep": {"task": "meetings.rooms_sweep", "schedule": 60.0},
    # Who is connected: attendance from the media servers' participant lists.
    # The control centre shows what these polls wrote (its pages never ask the servers).
    "meetings-join-attendance-sweep": {
        "task": "meetings.join.attendance_sweep",
        "schedule": float(PRACHUM_ATTENDANCE_POLL_SECONDS),
    },
    # Notifications: lost or due messages, and reminders at their offsets.
    "notifications-sweep": {"task": "meetings.notifications.sweep", "schedule": 60.0},
    "notifications-reminders": {"task": "meetings.notifications.reminders", "schedule": 60.0},
    # Billing: each month's charges on the 1st (and the two months before, in case a run was missed).
    "billing-charges-generate-month": {
        "task": "billing.charges_generate_month",
        "schedule": crontab(minute=5, hour=0, day_of_month=1),
    },
    "billing-exports-sweep": {"task": "billing.exports_sweep", "schedule": crontab(minute="*/5")},
    # Minutes: approved versions whose signing was lost or waited for a certificate.
    "minutes-sign-pending": {"task": "minutes.sign_pending", "schedule": crontab(minute="*/10")},
}
BILLING_EXPORT_ASYNC_ROWS = env.int("BILLING_EXPORT_ASYNC_ROWS", default=300)  # larger reports render in the background

# --- recordings (issue 17) ---
# Janus writes a meeting's raw recordings (.mjr) into RECORDINGS_RAW_ROOT/<meeting dir> (RECORDINGS_JANUS_ROOT: the
# same directory as Janus sees it, when Janus runs elsewhere with it mounted; "" = the same path); the playable
# files are kept in RECORDINGS_ROOT, outside the web root, and sent only through the permission check (nginx's
# internal location RECORDINGS_ACCEL_REDIRECT in production, e.g. "/protected-recordings/").
RECORDINGS_RAW_ROOT = env.path("PRACHUM_RECORDINGS_RAW_ROOT", default=BASE_DIR / "var" / "recordings-raw")
RECORDINGS_JANUS_ROOT = env("PRACHUM_RECORDINGS_JANUS_ROOT", default="")
RECORDINGS_ROOT = env.path("PRACHUM_RECORDINGS_ROOT", default=BASE_DIR / "var" / "recordings")
RECORDINGS_ACCEL_REDIRECT = env("PRACHUM_RECORDINGS_ACCEL_REDIRECT", default="")
# Days a recording is kept after its meeting ends, per kind of meeting (the province's records policy).
RECORDINGS_RETENTION_DAYS = {
    "regular": env.int("PRACHUM_RECORDINGS_RETENTION_REGULAR_DAYS", default=1825),
    "special": env.int("PRACHUM_RECORDINGS_RETENTION_SPECIAL_DAYS", default=730),
}
# Processing: a worker holds a row this long (then the sweep gives it to another), retries after these back-offs.
RECORDINGS_PROCESSING_LEASE_SECONDS = env.int("PRACHUM_RECORDINGS_LEASE_SECONDS", default=1800)
RECORDINGS_PROCESSING_BACKOFF = env.list("PRACHUM_RECORDINGS_BACKOFF", cast=int, default=[60, 300, 1800])
RECORDINGS_STOP_AFTER_END_MINUTES = env.int("PRACHUM_RECORDINGS_STOP_AFTER_END_MINUTES", default=15)
CELERY_BEAT_SCHEDULE.update({
    # Recordings left running after their meeting, and processing lost or due again; expired recordings' files.
    "recordings-sweep": {"task": "recordings.sweep", "schedule": 60.0},
    "recordings-retention": {"task": "recordings.retention_sweep", "schedule": crontab(minute=30, hour=2)},
})
# --- end of recordings (issue 17) ---

# --- evidence (issue 17) ---
# The meetings' evidence packs (zip archives with a signed manifest) are kept in EVIDENCE_ROOT, outside the web root,
# and sent only through the permission check (nginx's internal location EVIDENCE_ACCEL_REDIRECT in production, e.g.
# "/protected-evidence/"). The manifest is signed with the minutes' certificate (PRACHUM_MINUTES_SIGNING_*).
EVIDENCE_ROOT = env.path("PRACHUM_EVIDENCE_ROOT", default=BASE_DIR / "var" / "evidence")
EVIDENCE_ACCEL_REDIRECT = env("PRACHUM_EVIDENCE_ACCEL_REDIRECT", default="")
# A worker holds a pack this long (then the sweep gives it to another); tries, and the back-off between them.
EVIDENCE_BUILD_LEASE_SECONDS = env.int("PRACHUM_EVIDENCE_LEASE_SECONDS", default=1800)
EVIDENCE_BUILD_ATTEMPTS = env.int("PRACHUM_EVIDENCE_ATTEMPTS", default=3)
EVIDENCE_BUILD_BACKOFF_SECONDS = env.int("PRACHUM_EVIDENCE_BACKOFF_SECONDS", default=120)
CELERY_BEAT_SCHEDULE.update({
    # Packs whose message was lost or whose worker died.
    "evidence-sweep": {"task": "evidence.sweep", "schedule": crontab(minute="*/5")},
})
# --- end of evidence (issue 17) ---

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # `Authorization: Token <key>`: the key is checked against its hash; the database holds no usable key.
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",  # what integrators' scripts send, as with DRF's tokens before
    "TOKEN_TTL": None,  # nosec B105  # a lifetime, not a password: each token's is chosen at issue
}
SPECTACULAR_SETTINGS = {
    "TITLE": "prachum API",
    "DESCRIPTION": "Meetings, sites and charges of a province's cloud-conference network.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the sidecar package: the docs page works with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "role", "state" or "status" of their own: each choice set gets its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "StaffRoleEnum": "districts.models.Staff.Role",
        "ParticipationRoleEnum": "meetings.models.Participation.Role",
        "RollEntryRoleEnum": "proceedings.models.RollEntry.Role",
        "MediaServerStateEnum": "meetings.models.MediaServer.State",
        "RoomStateEnum": "meetings.models.Room.State",
        "NotificationStateEnum": "notifications.models.Notification.State",
        "MinutesVersionStateEnum": "minutes.models.MinutesVersion.State",
        "RecordingStateEnum": "recordings.models.MeetingRecording.State",
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "ChargeStatusEnum": "billing.models.Charge.Status",
        "ExportStatusEnum": "billing.models.Export.Status",
        "VoteStatusEnum": "proceedings.models.Vote.Status",
        "ConnectionStateEnum": ["connected", "left", "not_yet"],  # the control centre's sites and agencies
        "AttendanceStatusEnum": ["present", "late", "absent"],  # the attendance report's
    },
}

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="prachum <noreply@prachum.local>")

# Notifications: reminders at these offsets (minutes before the start), and the LINE Messaging API (push to a
# site's LINE group through the province's official account). LINE Notify no longer exists.
PRACHUM_REMINDER_OFFSETS = env.list("PRACHUM_REMINDER_OFFSETS", cast=int, default=[1440, 30])
LINE_CHANNEL_ACCESS_TOKEN = env("LINE_CHANNEL_ACCESS_TOKEN", default="")
LINE_API_BASE = env("LINE_API_BASE", default="https://api.line.me")

# Meetings: the shared token in the Jitsi reservation API's URL (Prosody's reservations_api_prefix ends with it;
# empty refuses every reservation call), the largest document, and how far ahead the sweep checks rooms exist.
MEETINGS_JITSI_RESERVATION_TOKEN = env("PRACHUM_JITSI_RESERVATION_TOKEN", default="")
MEETINGS_DOCUMENT_MAX_BYTES = env.int("MEETINGS_DOCUMENT_MAX_BYTES", default=200 * 1024 * 1024)
MEETINGS_ROOM_CHECK_HOURS = env.int("MEETINGS_ROOM_CHECK_HOURS", default=6)
# STUN/TURN servers the join page's browsers use (RTCIceServer objects, JSON); none on a closed network where every
# site reaches Janus directly. A TURN credential here is a secret of the environment, never of the code.
MEETINGS_JOIN_ICE_SERVERS = env.json("MEETINGS_JOIN_ICE_SERVERS", default=[])

# The address people use to reach the portal, for links in emails, QR codes and calendar files.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Logs: plain lines for people by default, one JSON object per line where a collector reads them
# (DJANGO_LOG_FORMAT=json, the default in production).
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # No capability token (a join link's, a feed's, ...) in any line: foundation/log_filters.py.
    "filters": {"without_capabilities": {"()": "foundation.log_filters.WithoutCapabilities"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["without_capabilities"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
