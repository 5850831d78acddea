"""`manage.py rooms_sweep`: health-check the media servers, then run the rooms sweep once (what beat runs)."""

import json

from django.core.management.base import BaseCommand

from meetings.services import rooms_sweep, servers_check


class Command(BaseCommand):
    help = "Check every media server, then re-enqueue pending rooms and re-create rooms that vanished."

    def handle(self, *args, **options):
        health = servers_check()
        report = rooms_sweep()
        self.stdout.write(json.dumps({"servers": health, "sweep": report.as_dict()}, ensure_ascii=False))
