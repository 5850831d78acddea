"""Issue an API token to a person and print its key, once: prachum keeps only its hash (portal/api_tokens.py)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from foundation.thaidate import format_be_long
from portal.api_tokens import api_token_issue, api_token_user


class Command(BaseCommand):
    help = (
        "Issue an API token to USERNAME and print its key once (it is stored hashed and can never be shown again). "
        "Programs send it as 'Authorization: Token <key>'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--expires-days", type=int, default=None, metavar="N",
            help="the token stops working after N days (default: it works until revoked)",
        )

    def handle(self, *args, username: str, expires_days: int | None = None, **options) -> None:
        try:
            token, key = api_token_issue(
                user=api_token_user(username=username),
                expires_in=timedelta(days=expires_days) if expires_days is not None else None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        until = f"ใช้ได้ถึง {format_be_long(token.expiry, with_time=True)}" if token.expiry else "ใช้ได้จนกว่าจะเพิกถอน"
        self.stderr.write(
            f"โทเค็นของ {username} ({until}); แสดงครั้งเดียว เก็บไว้ให้ดี / "
            "shown once, keep it safe; revoke: manage.py api_token_revoke "
            f"{username} --key {key[:8]}"
        )
        self.stdout.write(key)  # alone on stdout, for scripts: TOKEN=$(manage.py api_token_create someone)
