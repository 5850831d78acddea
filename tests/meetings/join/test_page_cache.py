"""The clerk's page's cache: an entry is used only while it is of the site's current version, and a write makes
the version new at once and again when it commits. On this process's memory and on Redis (production's)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.db import transaction

from meetings.join.page_cache import MAX_AGE, site_page_get, site_page_set, site_pages_changed

pytestmark = [pytest.mark.integration]

VARIANT = ("th", "join", "14d")


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    if request.param == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("REDIS_URL is not set: run through `python -m tests.services`")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": os.environ["REDIS_URL"]}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": "page-cache-test"}}
    cache.clear()
    yield request.param
    cache.clear()


def test_an_entry_is_used_only_while_its_version_is_current(any_cache):
    html, version = site_page_get(7, VARIANT)
    assert html is None
    assert version
    site_page_set(7, VARIANT, version, "<section>list</section>", MAX_AGE)
    assert site_page_get(7, VARIANT) == ("<section>list</section>", version)
    assert site_page_get(7, ("en", "join", "14d"))[0] is None  # another language: its own entry
    assert site_page_get(8, VARIANT)[0] is None  # another site

    site_pages_changed(site_ids=[7])
    html, newer = site_page_get(7, VARIANT)
    assert html is None
    assert newer != version


@pytest.mark.django_db
def test_a_list_rendered_during_a_write_is_not_used_after_the_commit(any_cache, django_capture_on_commit_callbacks):
    _html, before = site_page_get(7, VARIANT)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        site_pages_changed(site_ids=[7, 9])
        # Another request, before the commit: it reads the rows as they were, and keeps what it rendered.
        html, during = site_page_get(7, VARIANT)
        assert html is None
        assert during != before
        site_page_set(7, VARIANT, during, "<section>rows before the commit</section>", MAX_AGE)
    html, after = site_page_get(7, VARIANT)
    assert html is None  # the commit made the version new again
    assert after not in (before, during)


def test_nothing_is_kept_for_a_list_that_is_already_out_of_date(any_cache):
    _html, version = site_page_get(7, VARIANT)
    site_page_set(7, VARIANT, version, "<section>a button opened a second ago</section>", -1)
    assert site_page_get(7, VARIANT)[0] is None
