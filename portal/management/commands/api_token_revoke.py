"""Revoke a person's API tokens: one (by the first characters of its key) or all; without either, list them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken

from foundation.thaidate import format_be_long
from portal.api_tokens import api_token_revoke, api_token_user


class Command(BaseCommand):
    help = (
        "Revoke USERNAME's API token whose key starts with --key (at least 8 characters), or --all of them. "
        "Without --key or --all, list the person's tokens (the first 8 characters of each key, its dates)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--key", metavar="START", help="the first characters (8 or more) of the token's key")
        which.add_argument("--all", dest="every", action="store_true", help="every token of the person")

    def handle(self, *args, username: str, key: str | None = None, every: bool = False, **options) -> None:
        try:
            user = api_token_user(username=username)
            if key is None and not every:
                for token in AuthToken.objects.filter(user=user).order_by("created"):
                    expiry = format_be_long(token.expiry, with_time=True) if token.expiry else "-"
                    created = format_be_long(token.created, with_time=True)
                    self.stdout.write(f"{token.token_key[:8]}…  ออกเมื่อ {created}  หมดอายุ {expiry}")
                return
            revoked = api_token_revoke(user=user, key_start=key)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if key is not None and not revoked:
            raise CommandError(f"{username} ไม่มีโทเค็นที่ขึ้นต้นด้วย {key[:8]}")
        self.stdout.write(f"เพิกถอนโทเค็นของ {username} แล้ว {revoked} รายการ")
