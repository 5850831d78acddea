from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.periods import current_month, month_label, parse_month
from billing.services import charges_generate_range


class Command(BaseCommand):
    help = "Bill every connectivity line for a month or a range of months (idempotent). Months: 2561-04 or 2018-04."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="start", help="first month (default: this month)")
        parser.add_argument("--to", dest="end", help="last month (default: this month)")

    def handle(self, *args, start: str | None = None, end: str | None = None, **options) -> None:
        try:
            end_month = parse_month(end) if end else current_month()
            start_month = parse_month(start) if start else end_month
            result = charges_generate_range(start_month=start_month, end_month=end_month)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{month_label(start_month)} – {month_label(end_month)}: "
            f"{result.created} charges created, {result.existing} already there"
        )
        for missing in result.missing_tariff:
            self.stderr.write(f"no tariff in force, not billed: {missing}")
