"""`manage.py media_server_ensure local janus http://127.0.0.1:8088/janus --admin-url ... --secret-env JANUS_LOCAL`"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from meetings.models import MediaServer
from meetings.services.servers import media_server_ensure


class Command(BaseCommand):
    help = "Create or update a media server row (its secrets stay in the environment, named by --secret-env)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("kind", choices=MediaServer.Kind.values)
        parser.add_argument("url")
        parser.add_argument("--admin-url", default="")
        parser.add_argument("--public-url", default="")
        parser.add_argument("--secret-env", default="")
        parser.add_argument("--capacity", type=int, default=100)
        parser.add_argument(
            "--option", action="append", default=[], metavar="KEY=VALUE",
            help="a setting that is not a secret, repeatable: for Jitsi app_id=..., audience=..., muc_size_url=...",
        )

    def handle(self, *args, **options):
        settings = {}
        for item in options["option"]:
            key, equals, value = item.partition("=")
            if not equals or not key.strip():
                raise CommandError(f"--option {item!r}: write it as KEY=VALUE, e.g. --option app_id=prachum")
            settings[key.strip()] = value
        try:
            server, created = media_server_ensure(
                name=options["name"], kind=options["kind"], url=options["url"], admin_url=options["admin_url"],
                public_url=options["public_url"], secret_env=options["secret_env"],
                capacity_sites=options["capacity"], options=settings,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{'created' if created else 'updated'}: {server}")
