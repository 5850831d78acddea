"""Invited agencies get join passes of their own (issue 15, point 7): JoinPass.site becomes optional beside a new
JoinPass.agency (exactly one of them), one live pass per agency and meeting; Attendance rows may belong to an
agency. Every existing row is kept as it is. The passes of the agencies already invited are issued by 0009 (rows
written apart from the ALTER TABLEs: PostgreSQL refuses an ALTER on a table with pending trigger events)."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
