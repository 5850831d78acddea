"""The settings family: PostgreSQL under test, an embedded default with no variables, a strict production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _bare_env(**extra: str) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    return {**keep, **extra}


@pytest.mark.integration
def test_the_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
def test_embedded_default_needs_no_variable():
    result = _manage("check", env=_bare_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_bare_env(DJANGO_SETTINGS_MODULE="portal.settings.production"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
def test_production_passes_check_deploy_with_no_warning(tmp_path):
    cert, key = tmp_path / "province.crt", tmp_path / "province.key"  # the province's, to sign approved minutes
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-subj", "/CN=prachum check", "-days", "2"], check=True, capture_output=True)
    env = _production(CACHE_URL="redis://127.0.0.1:6379/1", PRACHUM_MINUTES_SIGNING_CERT=str(cert),
                      PRACHUM_MINUTES_SIGNING_KEY=str(key))
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def _production(**extra: str) -> dict:
    return _bare_env(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-prod-secret-for-the-check-only-" + "z" * 20,
        DJANGO_ALLOWED_HOSTS="prachum.udonthani.go.th",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/prachum-check.sqlite3"),
        **{"PORTAL_BASE_URL": "https://prachum.udonthani.go.th", **extra},
    )


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
@pytest.mark.parametrize("base_url", ["", "http://127.0.0.1:8000", "https://localhost", "http://prachum.go.th"])
def test_production_refuses_a_portal_base_url_that_would_give_dead_links(base_url):
    env = _production(CACHE_URL="redis://127.0.0.1:6379/1", PORTAL_BASE_URL=base_url)
    if not base_url:
        del env["PORTAL_BASE_URL"]  # missing: the default (loopback) is refused too
    result = _manage("check", "--deploy", "--fail-level", "ERROR", env=env)
    assert result.returncode != 0
    assert "portal.E002" in result.stderr


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
@pytest.mark.parametrize("workers", ["", "3"])
def test_production_refuses_a_per_process_cache_with_several_workers(workers):
    result = _manage("check", env=_production(GUNICORN_WORKERS=workers))  # "" = the default, 2 x cores + 1
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "CACHE_URL" in result.stderr


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
def test_one_worker_may_keep_its_cache_in_its_own_memory():
    result = _manage("check", env=_production(GUNICORN_WORKERS="1"))
    assert result.returncode == 0, result.stderr


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
def test_production_cache_is_django_redis_with_errors_ignored_and_sessions_in_the_database():
    shown = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['OPTIONS']['IGNORE_EXCEPTIONS'], c['OPTIONS']['SOCKET_TIMEOUT'], "
        "settings.SESSION_ENGINE)"
    )
    result = _manage("shell", "-c", shown, env=_production(CACHE_URL="redis://127.0.0.1:6379/1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "django_redis.cache.RedisCache True 0.5 django.contrib.sessions.backends.db")


@pytest.mark.unit  # manage.py in a subprocess on the embedded defaults: no service
def test_stun_and_turn_servers_come_from_the_environment():
    servers = '[{"urls": "stun:stun.example.go.th:3478"}]'
    shown = "from django.conf import settings; print(settings.MEETINGS_JOIN_ICE_SERVERS)"
    result = _manage("shell", "-c", shown, env=_bare_env(MEETINGS_JOIN_ICE_SERVERS=servers))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[{'urls': 'stun:stun.example.go.th:3478'}]"
    empty = _manage("shell", "-c", shown, env=_bare_env())
    assert empty.stdout.strip().splitlines()[-1] == "[]"
