"""The agencies already invited to meetings still ahead get their join pass (issue 15, point 7); back to 0008, the
agencies' passes go and their attendance rows become guests' rows (display name kept), so 0007's schema (a pass
always of a site) can come back. Running it again issues nothing twice."""

import secrets

from django.db import migrations
from django.utils import timezone


def issue_agency_passes(apps, schema_editor):
    AgencyInvitation = apps.get_model("meetings", "AgencyInvitation")
    JoinPass = apps.get_model("join", "JoinPass")
    invitations = AgencyInvitation.objects.filter(meeting__end__gt=timezone.now()).exclude(
        meeting__status="cancelled"
    )
    have = set(
        JoinPass.objects.filter(agency__isnull=False, revoked_at__isnull=True).values_list("meeting_id", "agency_id")
    )
    JoinPass.objects.bulk_create(
        [
            JoinPass(
                meeting_id=invitation.meeting_id,
                agency_id=invitation.agency_id,
                token=secrets.token_urlsafe(32),
                media_token=secrets.token_urlsafe(32),
                short_code=f"{secrets.randbelow(10**12):012d}",
            )
            for invitation in invitations.order_by("pk")
            if (invitation.meeting_id, invitation.agency_id) not in have
        ]
    )


def drop_agency_passes(apps, schema_editor):
    """Back to passes of sites only: an agency's attendance rows become guests' rows (their display name kept),
    the agencies' passes go."""
    Attendance = apps.get_model("join", "Attendance")
    JoinPass = apps.get_model("join", "JoinPass")
    Attendance.objects.filter(agency__isnull=False).update(agency=None)
    JoinPass.objects.filter(agency__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("join", "0008_agency_passes"), ("meetings", "0010_meeting_cancel_reason")]

    operations = [migrations.RunPython(issue_agency_passes, drop_agency_passes, elidable=True)]
