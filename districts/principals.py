"""Who is asking: the user and their Staff row (with its site, district and province), read once per request.

Every page needs them; the clerk's page needs nothing else from the database. With a cache shared by the web
processes (Redis, CACHE_URL: `PRACHUM_CACHE_PRINCIPALS`), they are kept there per user, under a version
(portal/versioned_cache.py) that changes when the user, their Staff row, or any site, district or province is
saved or deleted (the signals below): a role taken away, a password changed or an account disabled is seen by
the next request once the change commits. Without a shared cache (the embedded mode's process memory: another
process could not be told of a change) they are read from the database each time, one query.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from portal.versioned_cache import VersionedEntries

from .models import District, Province, Site, Staff

# The longest a principal is kept, in seconds, whatever happens (a change made with .update() or raw SQL,
# which sends no signal, is seen after this at the latest).
MAX_AGE = 300
principals = VersionedEntries("principal", max_age=MAX_AGE, whole_namespace=True)


def _principal_from_db(user_id):
    """The user with their Staff row (or None) attached as staff_of reads it: one query."""
    user_model = get_user_model()
    found = list(
        user_model._default_manager.select_related("staff__site__province", "staff__site__district")
        .filter(pk=user_id)
        .order_by()[:1]
    )
    if not found:
        return None
    user = found[0]
    try:
        user._prachum_staff = user.staff
    except Staff.DoesNotExist:
        user._prachum_staff = None
    return user


def principal_get(user_id):
    """The user of that id with their Staff row, from the cache when it is shared and current, else the
    database. None when there is no such user."""
    if not settings.PRACHUM_CACHE_PRINCIPALS:
        return _principal_from_db(user_id)
    user, version = principals.get(user_id)
    if user is not None:
        return user
    user = _principal_from_db(user_id)
    if user is not None:
        principals.set(user_id, (), version, user)
    return user


def _user_changed(sender, instance, **kwargs) -> None:
    principals.changed([instance.pk])


def _staff_changed(sender, instance, **kwargs) -> None:
    principals.changed([instance.user_id])


def _place_changed(sender, instance, **kwargs) -> None:
    principals.everything_changed()


def connect_signals() -> None:
    """Called by DistrictsConfig.ready()."""
    for model, receiver in ((get_user_model(), _user_changed), (Staff, _staff_changed),
                            (Site, _place_changed), (District, _place_changed), (Province, _place_changed)):
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(receiver, sender=model, dispatch_uid=f"principals:{model._meta.label}:{name}")
