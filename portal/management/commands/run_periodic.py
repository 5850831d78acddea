"""Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process, for the embedded mode (no broker, no beat).

Production runs `celery beat`; `make run` starts this beside the web server so that sweeps, reminders and monthly
charges still happen on a single machine with nothing else installed.
"""

from __future__ import annotations

import time

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.celery import app


class Command(BaseCommand):
    help = "Run the periodic tasks in-process (embedded mode). --once runs every task once and exits."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run every periodic task once, then exit")

    def handle(self, *args, once: bool = False, **options) -> None:
        app.loader.import_default_modules()
        entries = {
            name: (entry["task"], maybe_schedule(entry["schedule"]), entry.get("args", ()))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last_run: dict[str, object] = {}
        while True:
            now = timezone.now()
            for name, (task_name, schedule, task_args) in entries.items():
                due = once or name not in last_run or schedule.is_due(last_run[name]).is_due
                if not due:
                    continue
                last_run[name] = now
                result = app.tasks[task_name].apply(args=task_args)
                state = "ok" if result.successful() else f"failed: {result.result!r}"
                self.stdout.write(f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} {name}: {state}")
            if once:
                return
            time.sleep(5)
