from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from districts.services import DEMO_PASSWORD, demo_accounts_create


class Command(BaseCommand):
    help = (
        "Create the demo accounts admin, scheduler, clerk4122 and finance of Udon Thani, and admin39 and scheduler39 "
        "of Nong Bua Lam Phu (embedded mode only)."
    )

    def handle(self, *args, **options) -> None:
        try:
            accounts = demo_accounts_create()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for staff in accounts:
            self.stdout.write(f"  {staff.user.username:<10} {DEMO_PASSWORD}  {staff.get_role_display()}, {staff.site}")
