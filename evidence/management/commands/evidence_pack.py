"""`manage.py evidence_pack <meeting id> [--out path]`: build a meeting's evidence pack now, in this process (a row
as the page makes, built at once, the same code as the worker's), and copy it to --out if given."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evidence import services
from evidence.models import EvidencePack
from meetings.models import Meeting


class Command(BaseCommand):
    help = "Build a meeting's evidence pack (signed manifest) now; --out copies the archive there."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=int)
        parser.add_argument("--out", type=Path, help="where to copy the pack (.zip)")

    def handle(self, *args, meeting_id: int, out: Path | None = None, **options):
        meeting = Meeting.objects.select_related("host_site__province").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(f"no meeting {meeting_id}")
        try:
            pack = services.pack_request(meeting=meeting, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        outcome = services.pack_build(pack_id=pack.pk)
        pack = EvidencePack.objects.get(pk=pack.pk)
        if pack.state != EvidencePack.State.READY:
            raise CommandError(f"pack {pack.pk} of meeting {meeting_id}: {outcome}: {pack.error}")
        path = services.stored_path(pack)
        if out is not None:
            path = services.pack_copy(pack=pack, out=out)
        self.stdout.write(f"{path}\n{pack.file_count} files, {pack.size} bytes, SHA-256 {pack.sha256}\n"
                          f"manifest signed by {pack.signer}")
