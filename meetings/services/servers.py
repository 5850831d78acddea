"""Media-server rows for operators: register (or update) one from the command line, e.g. the local Janus."""

from __future__ import annotations

from django.db import transaction

from ..models import MediaServer


@transaction.atomic
def media_server_ensure(
    *,
    name: str,
    kind: str,
    url: str,
    admin_url: str = "",
    public_url: str = "",
    secret_env: str = "",
    capacity_sites: int = 100,
    options: dict | None = None,
) -> tuple[MediaServer, bool]:
    """Create the server row, or bring an existing one (by name) in line. Returns (server, created)."""
    server = MediaServer.objects.select_for_update().filter(name=name).first()
    created = server is None
    server = server or MediaServer(name=name)
    server.kind, server.url, server.admin_url, server.public_url = kind, url, admin_url, public_url
    server.secret_env, server.capacity_sites = secret_env, capacity_sites
    server.options = options or {}
    if created:
        server.state = MediaServer.State.ACTIVE
    server.full_clean()
    server.save()
    return server, created
