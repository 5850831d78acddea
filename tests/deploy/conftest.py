"""Fixtures of the deploy tests: a database of their own, the broker, and the environment of production settings.

The suite runs under `python -m tests.services`, which exports DATABASE_URL and REDIS_URL: the deploy tests create a
separate database on that PostgreSQL (the pytest-django test database is left alone) and drop it at the end. Run on
their own, they start a throw-away PostgreSQL and Redis instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.services.postgres import PostgresServer
from tests.services.redis import RedisServer

# A key of the length production settings insist on; random per run, never a real one.
TEST_SECRET_KEY = "deploy-test-" + secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def deploy_database_url() -> Iterator[str]:
    """The URL of a new, empty database (not yet migrated) for the processes the deploy tests start."""
    server = None
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        server = PostgresServer().start()
        url = server.url
    name = f"prachum_deploy_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if server is not None:
            server.stop()
        else:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def broker_url() -> Iterator[str]:
    url = os.environ.get("REDIS_URL", "")
    if url:
        yield url
        return
    with RedisServer() as server:
        yield server.url


@pytest.fixture(scope="session")
def production_env(deploy_database_url: str, broker_url: str) -> dict[str, str]:
    """What /etc/prachum/env would hold, for this machine: production settings, nothing inherited by accident."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": TEST_SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": "https://prachum.udonthani.go.th",  # what the links say (deploy/start/web checks it)
        "DATABASE_URL": deploy_database_url,
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": broker_url.rsplit("/", 1)[0] + "/1",  # the shared cache several gunicorn workers need
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
