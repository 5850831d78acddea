"""From a MediaServer row to a backend client. The row names its secrets; they are read from the environment.

`secret_env = "JANUS_MAIN"` reads `JANUS_MAIN_ADMIN_SECRET`, `JANUS_MAIN_ADMIN_KEY` (and the optional
`JANUS_MAIN_API_SECRET`) for Janus, `JANUS_MAIN_APP_SECRET` for Jitsi. Clients are kept per thread and per
configuration, so their HTTP connections are reused from one room to the next.
"""

from __future__ import annotations

import json
import logging
import os
import threading

from .backends import backend_for
from .backends.base import MediaBackend, MediaServerError, PermanentMediaError, RoomSpec
from .conf import setting
from .models import MediaServer, Room

logger = logging.getLogger(__name__)

SECRETS_BY_KIND: dict[str, tuple[tuple[str, str, bool], ...]] = {
    # (environment suffix, backend argument, required)
    MediaServer.Kind.JANUS: (("ADMIN_SECRET", "admin_secret", True), ("ADMIN_KEY", "admin_key", False),
                             ("API_SECRET", "api_secret", False)),
    MediaServer.Kind.JITSI: (("APP_SECRET", "app_secret", True),),
    MediaServer.Kind.FAKE: (),
}

_clients = threading.local()


def server_secrets(server: MediaServer) -> dict[str, str]:
    """The server's secrets from the environment; a missing required one is a clear, permanent error."""
    values: dict[str, str] = {}
    for suffix, argument, needed in SECRETS_BY_KIND.get(server.kind, ()):
        # Without the Admin API, Janus needs no admin secret.
        required = needed and not (argument == "admin_secret" and not server.admin_url)
        name = f"{server.secret_env}_{suffix}" if server.secret_env else ""
        value = os.environ.get(name, "") if name else ""
        if required and not value:
            raise PermanentMediaError(
                f"ไม่พบรหัสลับของเซิร์ฟเวอร์ {server.name}: ตั้งตัวแปรสภาพแวดล้อม "
                f"{name or '<secret_env>_' + suffix} แล้วเริ่มบริการใหม่"
            )
        if value:
            values[argument] = value
    return values


def server_config(server: MediaServer) -> dict:
    timeout = float(setting("MEETINGS_MEDIA_TIMEOUT"))
    secrets_ = server_secrets(server)
    if server.kind == MediaServer.Kind.JANUS:
        return {
            "base_url": server.url,
            "admin_url": server.admin_url,
            "public_url": server.public_url or server.url,
            "timeout": timeout,
            **secrets_,
        }
    if server.kind == MediaServer.Kind.JITSI:
        options = dict(server.options or {})
        domain = options.pop("domain", "") or server.url.split("://", 1)[-1].split("/", 1)[0]
        return {"domain": domain, "base_url": server.public_url or server.url, **options, **secrets_}
    return {"name": server.name, **(server.options or {})}


def backend_for_server(server: MediaServer) -> MediaBackend:
    """A client for this server row (cached per thread while the row's configuration stays the same)."""
    config = server_config(server)
    key = (server.pk, server.kind, json.dumps(config, sort_keys=True, default=str))
    cache: dict = getattr(_clients, "cache", None) or {}
    _clients.cache = cache
    client = cache.get(key)
    if client is None:
        for old_key in [k for k in cache if k[0] == server.pk]:
            old = cache.pop(old_key)
            close = getattr(old, "close", None)
            if callable(close):
                close()
        try:
            client = backend_for(server.kind, **config)
        except (TypeError, ValueError) as error:  # a row whose settings its backend cannot take: that row's error
            raise PermanentMediaError(
                f"ค่าตั้งของเซิร์ฟเวอร์ {server.name} ไม่ครบหรือไม่ถูกต้อง ({error}): แก้ไขในหน้าผู้ดูแลระบบ"
            ) from error
        cache[key] = client
    return client


def site_user_id(code: str) -> str:
    """The user id signed into a site's Jitsi join token: Prosody reports it back for the occupant, and
    attendance counts the occupant for that site (never by the name it shows)."""
    return f"site-{code}"


def room_spec(room: Room, *, description: str, max_publishers: int) -> RoomSpec:
    return RoomSpec(
        room_id=room.number,
        name=room.name,
        description=description,
        pin=room.pin,
        secret=room.secret,
        max_publishers=max_publishers,
    )


def media_servers_health() -> dict[str, dict]:
    """For /healthz: each media server that is switched on, asked now (timeouts bound the wait). Anyone may read
    /healthz: a failure says its kind only, never the server's address or the variables of its secrets (the
    admin's server page and the log have the detail)."""

    checks: dict[str, dict] = {}
    for server in MediaServer.objects.exclude(state=MediaServer.State.DOWN).order_by("name"):
        try:
            ok = backend_for_server(server).health()
            checks[f"media:{server.name}"] = {"ok": ok, "kind": server.kind, "state": server.state}
        except MediaServerError as error:
            logger.warning("health: media server %s: %s", server.name, error)
            checks[f"media:{server.name}"] = {"ok": False, "kind": server.kind, "error": type(error).__name__}
    return checks
