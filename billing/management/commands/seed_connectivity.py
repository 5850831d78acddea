from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.periods import SERVICE_START, current_month
from billing.services import charges_generate_range, lines_for_province_create


class Command(BaseCommand):
    help = (
        "Give every district office of a province its NT fibre line (200/80 Mbps, 1,250 baht/month excl. VAT from "
        "1 April 2561) and bill every month since then (idempotent)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("province_code", help="2-digit DOPA province code, e.g. 41 for Udon Thani")
        parser.add_argument("--no-charges", action="store_true", help="create the lines only, bill nothing")

    def handle(self, *args, province_code: str, no_charges: bool = False, **options) -> None:
        try:
            lines = lines_for_province_create(province_code=province_code)
            self.stdout.write(f"lines: {lines.created} created, {lines.unchanged} unchanged")
            if not no_charges:
                result = charges_generate_range(start_month=SERVICE_START, end_month=current_month())
                self.stdout.write(f"charges: {result.created} created, {result.existing} already there")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
