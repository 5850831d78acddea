"""Join passes, calendar feeds, test calls and attendance become the join app's. Their tables were made by the
meetings app (meetings/migrations/0002 and 0004) and keep their names and rows: only Django's state moves here
(meetings/migrations/0005 forgets them there)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_follow(apps, schema_editor):
    """Permissions and admin history of the moved models follow them to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ['joinpass', 'calendarfeed', 'testcall', 'attendance']:
        if not content_type.objects.filter(app_label="join", model=model).exists():
            content_type.objects.filter(app_label="meetings", model=model).update(app_label="join")


def content_types_back(apps, schema_editor):
    """Unapplied: the content types (ids, permissions, admin history) go back to the meetings app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ['joinpass', 'calendarfeed', 'testcall', 'attendance']:
        if not content_type.objects.filter(app_label="meetings", model=model).exists():
            content_type.objects.filter(app_label="join", model=model).update(app_label="meetings")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('districts', '0002_site_notification_channels'),
        ('meetings', '0005_join_and_notifications_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='JoinPass',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(editable=False, max_length=64, unique=True, verbose_name='รหัสลิงก์')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='ออกเมื่อ')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='ยกเลิกเมื่อ')),
                        ('revoked_reason', models.CharField(blank=True, max_length=200, verbose_name='เหตุที่ยกเลิก')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='join_passes', to='meetings.meeting', verbose_name='การประชุม')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='join_passes', to='districts.site', verbose_name='สถานที่')),
                    ],
                    options={
                        'verbose_name': 'ลิงก์เข้าร่วมประชุม',
                        'verbose_name_plural': 'ลิงก์เข้าร่วมประชุม',
                        'db_table': 'meetings_joinpass',
                        'ordering': ['meeting', 'site'],
                    },
                ),
                migrations.CreateModel(
                    name='TestCall',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(editable=False, max_length=64, unique=True, verbose_name='รหัสลิงก์')),
                        ('room_number', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='หมายเลขห้องทดสอบ')),
                        ('pin', models.CharField(blank=True, max_length=20, verbose_name='PIN')),
                        ('secret', models.CharField(blank=True, max_length=64, verbose_name='รหัสลับของห้อง')),
                        ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='เริ่มทดสอบ')),
                        ('result', models.CharField(choices=[('pending', 'ยังไม่ทราบผล'), ('ok', 'เห็นภาพและได้ยินเสียง'), ('media_ok', 'เบราว์เซอร์รับภาพและเสียงกลับได้'), ('problem', 'มีปัญหา')], default='pending', max_length=10, verbose_name='ผล')),
                        ('saw_video', models.BooleanField(blank=True, null=True, verbose_name='เห็นภาพตนเอง')),
                        ('heard_audio', models.BooleanField(blank=True, null=True, verbose_name='ได้ยินเสียงตนเอง')),
                        ('media_flowing', models.BooleanField(blank=True, null=True, verbose_name='เบราว์เซอร์รับภาพกลับจากเซิร์ฟเวอร์')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='บันทึกผลเมื่อ')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='หมายเหตุ')),
                        ('room_closed_at', models.DateTimeField(blank=True, null=True)),
                        ('join_pass', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='test_calls', to='join.joinpass', verbose_name='ผ่านลิงก์เข้าร่วมประชุม')),
                        ('server', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='meetings.mediaserver', verbose_name='เซิร์ฟเวอร์')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='test_calls', to='districts.site', verbose_name='สถานที่')),
                        ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ผู้ทดสอบ')),
                    ],
                    options={
                        'verbose_name': 'การทดสอบระบบ',
                        'verbose_name_plural': 'การทดสอบระบบ',
                        'db_table': 'meetings_testcall',
                        'ordering': ['-started_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Attendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('display', models.CharField(max_length=200, verbose_name='ชื่อที่แสดงในห้อง')),
                        ('joined_at', models.DateTimeField(verbose_name='เชื่อมต่อเมื่อ')),
                        ('last_seen_at', models.DateTimeField(verbose_name='พบล่าสุด')),
                        ('left_at', models.DateTimeField(blank=True, null=True, verbose_name='ออกเมื่อ')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='meetings.meeting', verbose_name='การประชุม')),
                        ('site', models.ForeignKey(blank=True, help_text='ว่างเมื่อผู้เข้าร่วมไม่ใช่สถานที่ที่ได้รับเชิญ', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attendances', to='districts.site', verbose_name='สถานที่')),
                    ],
                    options={
                        'verbose_name': 'การเข้าร่วมประชุม',
                        'verbose_name_plural': 'การเข้าร่วมประชุม',
                        'db_table': 'meetings_attendance',
                        'ordering': ['meeting', 'joined_at', 'pk'],
                        'indexes': [models.Index(fields=['meeting', 'left_at'], name='attendance_meeting_open_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('left_at__isnull', True), ('site__isnull', False)), fields=('meeting', 'site'), name='attendance_one_open_per_site'), models.UniqueConstraint(condition=models.Q(('left_at__isnull', True), ('site__isnull', True)), fields=('meeting', 'display'), name='attendance_one_open_per_guest'), models.CheckConstraint(condition=models.Q(('left_at__isnull', True), ('left_at__gte', models.F('joined_at')), _connector='OR'), name='attendance_leaves_after_joining')],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarFeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(editable=False, max_length=64, unique=True, verbose_name='รหัสลิงก์')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='ออกเมื่อ')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='ยกเลิกเมื่อ')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to='districts.site', verbose_name='สถานที่')),
                    ],
                    options={
                        'verbose_name': 'ลิงก์ปฏิทินของสถานที่',
                        'verbose_name_plural': 'ลิงก์ปฏิทินของสถานที่',
                        'db_table': 'meetings_calendarfeed',
                        'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('site',), name='calendarfeed_one_per_site')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='joinpass',
                    constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('meeting', 'site'), name='joinpass_one_per_site'),
                ),
                migrations.AddConstraint(
                    model_name='joinpass',
                    constraint=models.CheckConstraint(condition=models.Q(('token', ''), _negated=True), name='joinpass_token_not_empty'),
                ),
                migrations.AddIndex(
                    model_name='testcall',
                    index=models.Index(fields=['site', '-finished_at'], name='testcall_site_finished_idx'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
