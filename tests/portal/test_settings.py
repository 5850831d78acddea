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


def test_embedded_default_needs_no_variable():
    result = _manage("check", env=_bare_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_bare_env(DJANGO_SETTINGS_MODULE="portal.settings.production"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_passes_check_deploy_with_no_warning():
    env = _bare_env(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-prod-secret-for-the-check-only-" + "z" * 20,
        DJANGO_ALLOWED_HOSTS="prachum.udonthani.go.th",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/prachum-check.sqlite3"),
    )
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: run through tests.services")
@pytest.mark.parametrize("near", ["true", "false"])
def test_production_keeps_copies_of_the_hot_cache_keys_in_each_process_unless_told_not_to(near):
    env = _bare_env(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY="k" * 20 + "-prod-secret-for-the-check-only-" + "z" * 20,
        DJANGO_ALLOWED_HOSTS="prachum.udonthani.go.th",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/prachum-check.sqlite3"),
        CACHE_URL=os.environ["REDIS_URL"],
        PRACHUM_CACHE_NEAR=near,
    )
    # The keys as the code names them (a renamed namespace must not silently lose its copies).
    shown = (
        "from django.core.cache import cache; from portal.sessions import session_cache_key; "
        "from districts.principals import principals; from meetings.join.page_cache import site_pages; "
        "near = cache._cache._near; cache.set('principal:7', 'who', 5); "
        "keys = [session_cache_key('k'), *principals.keys(7), *site_pages.keys(3, ('th',)), 'celery:x']; "
        "print(near and [near.kept(cache.make_key(k)) for k in keys], cache.get('principal:7'))"
    )
    result = _manage("shell", "-c", shown, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = f"[{', '.join(['True'] * 6)}, False] who" if near == "true" else "None who"
    assert result.stdout.strip().splitlines()[-1] == expected  # after the shell's own lines (auto-imports)
