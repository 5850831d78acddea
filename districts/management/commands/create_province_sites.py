from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from districts.services import province_sites_create


class Command(BaseCommand):
    help = "Create a province's sites (the provincial hall + one per district office) from its code (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("province_code", help="2-digit DOPA province code, e.g. 41 for Udon Thani")

    def handle(self, *args, province_code: str, **options) -> None:
        try:
            result = province_sites_create(province_code=province_code)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"sites: {result.created} created, {result.unchanged} unchanged; "
            f"road distances estimated: {result.updated}"
        )
