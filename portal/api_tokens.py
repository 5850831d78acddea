"""API tokens: issued to a person, stored hashed, shown once.

The tokens are django-rest-knox's: the database keeps the SHA-512 digest of each key and its first 15 characters
(to find the row), never the key itself; nobody, administrators included, can read a token after it was issued.
Programs send `Authorization: Token <key>` (knox.auth.TokenAuthentication, REST_KNOX in the settings). A person may
hold several tokens (one per script or machine), each with its own expiry or none.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken


@transaction.atomic
def api_token_issue(*, user: AbstractBaseUser, expires_in: timedelta | None = None) -> tuple[AuthToken, str]:
    """A new token of `user`: its row and its key, which exists only in the answer (show it once, then forget it)."""
    if not user.is_active:
        raise ValidationError(_("บัญชีนี้ถูกปิดใช้งาน ออกโทเค็นไม่ได้"))
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValidationError(_("อายุของโทเค็นต้องมากกว่าศูนย์"))
    return AuthToken.objects.create(user=user, expiry=expires_in)


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, key_start: str | None = None) -> int:
    """Revoke `user`'s tokens: the one whose key starts with `key_start` (at least 8 characters of the key), or
    every one of them; returns how many were revoked."""
    tokens = AuthToken.objects.filter(user=user)
    if key_start is not None:
        if len(key_start) < 8:
            raise ValidationError(_("ระบุอย่างน้อย 8 ตัวอักษรแรกของโทเค็น"))
        tokens = tokens.filter(token_key__startswith=key_start[:15])
    deleted, _by_model = tokens.delete()
    return deleted


def api_token_user(*, username: str) -> AbstractBaseUser:
    """The person named `username`, or a ValidationError saying there is none."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError(_("ไม่พบผู้ใช้ %(username)s") % {"username": username})
    return user
