"""Sessions live in the database and are read through the shared cache (portal.sessions); with the cache down
people still sign in, work and sign out. The Redis cache keeps one client per pool (portal.redis_cache)."""

from __future__ import annotations

import os

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from districts.models import Staff
from tests.factories.districts import StaffFactory
from tests.services.ports import free_port

pytestmark = [pytest.mark.django_db]

PASSWORD = "a long enough password 2569"


@pytest.fixture
def clerk():
    staff = StaffFactory.create(role=Staff.Role.CLERK, site_code="4101")
    staff.user.set_password(PASSWORD)
    staff.user.save()
    return staff


def _sign_in(client: Client, staff) -> None:
    answer = client.post(reverse("login"), {"username": staff.user.username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:500]


def test_sessions_are_kept_in_the_database_and_read_from_the_cache(clerk, settings):
    assert settings.SESSION_ENGINE == "portal.sessions"
    client = Client()
    _sign_in(client, clerk)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # the truth
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is not None
    Session.objects.filter(session_key=key).update(session_data="")  # the cache answers: the row is not read
    assert client.get(reverse("districts:site", kwargs={"code": "4101"})).status_code == 200


def test_signing_out_ends_the_session_in_both(clerk, settings):
    client = Client()
    _sign_in(client, clerk)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(reverse("districts:site", kwargs={"code": "4101"})).status_code == 302  # to the login page


def test_with_the_cache_down_people_sign_in_work_and_sign_out(clerk, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "portal.redis_cache.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}}  # nothing listens there
    client = Client()
    _sign_in(client, clerk)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("districts:site", kwargs={"code": "4101"})).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("districts:site", kwargs={"code": "4101"})).status_code == 302
    assert "sessions: the cache cannot be" in caplog.text


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: run through tests.services")
def test_the_redis_cache_keeps_one_client_per_pool(settings):
    settings.CACHES = {"default": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    redis_cache = caches["default"]
    redis_cache.clear()
    redis_cache.set("a", {"thai": "ประชุม"}, 60)
    redis_cache.set_many({"b": 1, "c": 2}, 60)
    assert redis_cache.get("a") == {"thai": "ประชุม"}
    assert redis_cache.get_many(["a", "b", "c", "d"]) == {"a": {"thai": "ประชุม"}, "b": 1, "c": 2}
    assert redis_cache.incr("b") == 2
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.clear()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: run through tests.services")
def test_the_redis_cache_takes_keys_memcached_would_refuse(settings, recwarn):
    settings.CACHES = {"default": {"BACKEND": "portal.redis_cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    redis_cache = caches["default"]
    key = "หน้า ของ สถานที่:" + "x" * 300
    redis_cache.set(key, "ok", 60)
    assert redis_cache.get(key) == "ok"
    assert not [w for w in recwarn if "memcached" in str(w.message).lower()]
    redis_cache.delete(key)
