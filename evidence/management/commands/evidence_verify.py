"""`manage.py evidence_verify <pack> --ca cert.pem`: check a pack offline (the signature of its manifest against the
given trust root, then every file's size and SHA-256, nothing missing or extra). The same code as the standalone
`tools/verify_evidence_pack.py`; exits non-zero naming each file that does not match."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence import pack_verifier


class Command(BaseCommand):
    help = "Verify an evidence pack: the manifest's signature against --ca, then every file's SHA-256 and size."

    def add_arguments(self, parser):
        parser.add_argument("pack", type=Path, help="the pack (.zip) or the directory it was unpacked into")
        parser.add_argument("--ca", type=Path, action="append", required=True,
                            help="a trust root (the province's CA certificate, PEM or DER); may be repeated")

    def handle(self, *args, pack: Path, ca: list[Path], **options):
        try:
            roots = pack_verifier.load_roots(ca)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read a trust root: {error}") from error
        if not pack.exists():
            raise CommandError(f"no such pack: {pack}")
        report = pack_verifier.verify_pack(pack, roots)
        for line in report.lines:
            self.stdout.write(line)
        if not report.ok:
            self.stderr.write(f"FAILED: {', '.join(dict.fromkeys(report.failures))}")
            sys.exit(1)
