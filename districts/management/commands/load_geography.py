from django.core.management.base import BaseCommand

from districts.services import geography_load


class Command(BaseCommand):
    help = "Load Thailand's 77 provinces and 928 districts from the shipped data (idempotent)."

    def handle(self, *args, **options) -> None:
        provinces, districts = geography_load()
        self.stdout.write(
            f"provinces: {provinces.created} created, {provinces.updated} updated, {provinces.unchanged} unchanged; "
            f"districts: {districts.created} created, {districts.updated} updated, {districts.unchanged} unchanged"
        )
