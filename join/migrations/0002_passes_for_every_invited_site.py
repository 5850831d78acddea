"""Every site invited to a meeting still ahead has a valid join pass.

Since this house, passes are issued when a site is invited (scheduling calls join_passes_ensure) and no page
issues them on a visit any more. Meetings scheduled before passes existed, or whose pass was revoked without a new
one, are given theirs here once, so the clerk's page (which only reads) shows every link.
"""

import secrets

from django.db import migrations
from django.utils import timezone


def issue_missing_passes(apps, schema_editor):
    Participation = apps.get_model("meetings", "Participation")
    JoinPass = apps.get_model("join", "JoinPass")
    have = set(JoinPass.objects.filter(revoked_at__isnull=True).values_list("meeting_id", "site_id"))
    invited = (
        Participation.objects.filter(active=True, meeting__end__gt=timezone.now())
        .exclude(meeting__status="cancelled")
        .values_list("meeting_id", "site_id")
    )
    missing = [pair for pair in invited.iterator() if pair not in have]
    JoinPass.objects.bulk_create(
        [JoinPass(meeting_id=m, site_id=s, token=secrets.token_urlsafe(32)) for m, s in missing],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("join", "0001_initial"), ("meetings", "0005_join_and_notifications_apps")]

    operations = [migrations.RunPython(issue_missing_passes, migrations.RunPython.noop, elidable=True)]
