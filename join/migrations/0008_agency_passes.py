"""Invited agencies get join passes of their own (issue 15, point 7): JoinPass.site becomes optional beside a new
JoinPass.agency (exactly one of them), one live pass per agency and meeting; Attendance rows may belong to an
agency. Every existing row is kept as it is; the agencies already invited to meetings still ahead get their pass."""

import secrets

import django.db.models.deletion
from django.db import migrations, models
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

    dependencies = [
        ('districts', '0003_province_administrators'),
        ('join', '0007_short_codes_unique'),
        ('meetings', '0010_meeting_cancel_reason'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='attendance',
            name='attendance_one_open_per_guest',
        ),
        migrations.AddField(
            model_name='attendance',
            name='agency',
            field=models.ForeignKey(blank=True, help_text='ส่วนราชการที่ได้รับเชิญ ซึ่งเข้าห้องด้วยลิงก์ของตนเอง', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attendances', to='districts.agency', verbose_name='ส่วนราชการ'),
        ),
        migrations.AddField(
            model_name='joinpass',
            name='agency',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='join_passes', to='districts.agency', verbose_name='ส่วนราชการ'),
        ),
        migrations.AlterField(
            model_name='joinpass',
            name='site',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='join_passes', to='districts.site', verbose_name='สถานที่'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', False), ('left_at__isnull', True)), fields=('meeting', 'agency'), name='attendance_one_open_per_agency'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', True), ('left_at__isnull', True), ('site__isnull', True)), fields=('meeting', 'display'), name='attendance_one_open_per_guest'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.CheckConstraint(condition=models.Q(('site__isnull', True), ('agency__isnull', True), _connector='OR'), name='attendance_site_or_agency'),
        ),
        migrations.AddConstraint(
            model_name='joinpass',
            constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', False), ('revoked_at__isnull', True)), fields=('meeting', 'agency'), name='joinpass_one_per_agency'),
        ),
        migrations.AddConstraint(
            model_name='joinpass',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('agency__isnull', True), ('site__isnull', False)), models.Q(('agency__isnull', False), ('site__isnull', True)), _connector='OR'), name='joinpass_site_or_agency'),
        ),
        migrations.RunPython(issue_agency_passes, drop_agency_passes, elidable=True),
    ]
