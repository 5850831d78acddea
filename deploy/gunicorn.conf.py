"""gunicorn for prachum: `gunicorn --config deploy/gunicorn.conf.py portal.wsgi:application` (deploy/start/web).

Everything an operator tunes comes from the environment (documented in deploy/env.production.example):
    GUNICORN_BIND                 address to listen on (default 127.0.0.1:8001: nginx on the same machine)
    GUNICORN_WORKERS              worker processes (default 2 x cores + 1)
    GUNICORN_THREADS              threads per worker (default 1)
    GUNICORN_TIMEOUT              seconds before a silent worker is killed and restarted (default 60)
    GUNICORN_MAX_REQUESTS         requests a worker answers before it is replaced (default 20000; 0: never)
    GUNICORN_FORWARDED_ALLOW_IPS  proxies trusted for X-Forwarded-* (default 127.0.0.1: nginx on this machine)
Access log: one JSON object per line on stdout (journald / docker logs), errors on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re

from gunicorn.glogging import Logger

# A link's token is the capability itself: the log keeps the page, never the token ("/j/<token>/" -> "/j/…/").
# The same pages as foundation/log_filters.py (this file is read before Django, so it does not import it).
CAPABILITY_IN_PATH = re.compile(
    r"(/j/|/k/|/meetings/join/p/|/meetings/join/feed/|/meetings/join/test/|/meetings/jitsi/reservations/"
    r"|/proceedings/p/|/recordings/p/|/evidence/p/)[^/?.\s]+"
)
# The short form's box sends its 12 digits in the query (/k/?code=...).
CODE_IN_QUERY = re.compile(r"(^|&)(code=)[^&]*")


def _without_capabilities(text: str | None) -> str | None:
    return CAPABILITY_IN_PATH.sub(r"\1…", text) if text else text


def _query(environ: dict) -> str | None:
    query = environ.get("QUERY_STRING") or None
    if query and (environ.get("PATH_INFO") or "").startswith("/k/"):
        return CODE_IN_QUERY.sub(r"\1\2…", query)
    return query


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's or a cgroup's share)
    except AttributeError:
        return os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# The production settings count the workers the same way (PRACHUM_WEB_WORKERS) to refuse a per-process cache.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * _cores() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows into an outage. Not too often: a new worker loads
# Django again; at 2,000 a busy node replaced each worker every few seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 20_000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# The heartbeat files of the workers: in memory, never on a slow or read-only disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented choice
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "prachum-web"
# gunicorn 25+ opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn: under systemd the home directory is
# read-only, and two instances of one user would fight over the one path. Not needed: systemctl reload sends SIGHUP.
control_socket_disable = True


class JsonAccessLogger(Logger):
    """One JSON object per request: parsed by any log shipper, and safe whatever a client puts in its headers."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in req.headers}
        record = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD"),
            "path": _without_capabilities(environ.get("PATH_INFO")),
            "query": _query(environ),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": headers.get("x-forwarded-for"),
            "request_id": headers.get("x-request-id"),
            "host": headers.get("host"),
            "user_agent": headers.get("user-agent"),
            "referer": _without_capabilities(headers.get("referer")),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info("%s", json.dumps(record, ensure_ascii=False))
        except Exception:
            self.exception("could not write the access log")


logger_class = JsonAccessLogger
