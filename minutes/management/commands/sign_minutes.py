"""`manage.py sign_minutes`: sign every approved version of the minutes still unsigned (after configuring the
province's certificate: PRACHUM_MINUTES_SIGNING_CERT/_KEY or _PKCS12)."""

from django.core.management.base import BaseCommand

from minutes.models import MinutesVersion
from minutes.services import minutes_sign


class Command(BaseCommand):
    help = "Sign the approved minutes that are still unsigned, with the province's certificate from the environment."

    def handle(self, *args, **options):
        pending = MinutesVersion.objects.filter(state__in=["approved", "superseded"], signed_pdf="").exclude(pdf="")
        signed = failed = 0
        for version_id in pending.values_list("pk", flat=True):
            version = minutes_sign(version_id=version_id)
            if version.signed_pdf:
                signed += 1
            else:
                failed += 1
                self.stderr.write(f"version {version.pk}: {version.sign_error}")
        self.stdout.write(f"signed {signed}, not signed {failed}")
