"""The notifications outbox becomes the notifications app's. Its table (meetings_notification, made by
meetings/migrations/0003) keeps its name and rows: only Django's state moves here."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_follow(apps, schema_editor):
    """Permissions and admin history of the moved models follow them to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ['notification']:
        if not content_type.objects.filter(app_label="notifications", model=model).exists():
            content_type.objects.filter(app_label="meetings", model=model).update(app_label="notifications")


def content_types_back(apps, schema_editor):
    """Unapplied: the content type (id, permissions, admin history) goes back to the meetings app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="meetings", model="notification").exists():
        content_type.objects.filter(app_label="notifications", model="notification").update(app_label="meetings")


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
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('invitation', 'เชิญประชุม'), ('update', 'แจ้งเปลี่ยนแปลง'), ('cancellation', 'แจ้งยกเลิก'), ('reminder', 'เตือนก่อนประชุม')], max_length=12, verbose_name='ประเภท')),
                        ('reminder_minutes', models.PositiveIntegerField(blank=True, help_text='เฉพาะการเตือนก่อนประชุม', null=True, verbose_name='เตือนก่อน (นาที)')),
                        ('channel', models.CharField(choices=[('email', 'อีเมล'), ('line', 'LINE')], max_length=8, verbose_name='ช่องทาง')),
                        ('audience', models.CharField(choices=[('clerk', 'เจ้าหน้าที่ประจำสถานที่'), ('host', 'ผู้จัดการประชุม'), ('agency', 'ส่วนราชการ'), ('site_group', 'กลุ่ม LINE ของสถานที่')], max_length=12, verbose_name='ผู้รับในฐานะ')),
                        ('address', models.CharField(help_text='อีเมล หรือรหัสกลุ่ม LINE', max_length=254, verbose_name='ที่อยู่ผู้รับ')),
                        ('recipient_name', models.CharField(blank=True, max_length=200, verbose_name='ชื่อผู้รับ')),
                        ('language', models.CharField(default='th', max_length=2, verbose_name='ภาษา')),
                        ('sequence', models.PositiveIntegerField(help_text='SEQUENCE ของการประชุมเมื่อเขียนแถวนี้', verbose_name='ฉบับแก้ไขที่')),
                        ('meeting_start', models.DateTimeField(verbose_name='เวลาเริ่มที่แจ้ง')),
                        ('dedupe_key', models.CharField(max_length=400, unique=True)),
                        ('message_id', models.CharField(max_length=200, verbose_name='Message-ID')),
                        ('state', models.CharField(choices=[('pending', 'รอส่ง'), ('sending', 'กำลังส่ง'), ('sent', 'ส่งแล้ว'), ('failed', 'ส่งไม่สำเร็จ'), ('superseded', 'ไม่ต้องส่งแล้ว')], default='pending', max_length=12, verbose_name='สถานะ')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='จำนวนครั้งที่ลองส่ง')),
                        ('last_error', models.CharField(blank=True, max_length=500, verbose_name='ข้อผิดพลาดล่าสุด')),
                        ('next_attempt_at', models.DateTimeField(blank=True, help_text='หลังเวลานี้ งานกวาดตกค้างจะส่งแถวที่ยังรอส่งอีกครั้ง', null=True, verbose_name='ตรวจซ้ำเมื่อ')),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('lease_token', models.CharField(blank=True, max_length=32)),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='ส่งเมื่อ')),
                        ('provider_reference', models.CharField(blank=True, max_length=200, verbose_name='เลขอ้างอิงผู้ให้บริการ')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='สร้างเมื่อ')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='districts.agency', verbose_name='ส่วนราชการ')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='meetings.meeting', verbose_name='การประชุม')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('resend_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='resends', to='notifications.notification', verbose_name='ส่งซ้ำจาก')),
                        ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='districts.site', verbose_name='สถานที่')),
                        ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='districts.staff', verbose_name='บุคลากร')),
                    ],
                    options={
                        'verbose_name': 'การแจ้งเตือน',
                        'verbose_name_plural': 'การแจ้งเตือน',
                        'db_table': 'meetings_notification',
                        'ordering': ['meeting', 'created_at', 'pk'],
                        'indexes': [models.Index(fields=['state', 'next_attempt_at'], name='notification_state_due_idx'), models.Index(fields=['meeting', 'channel', 'address'], name='notification_recipient_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'reminder'), ('reminder_minutes__isnull', False)), models.Q(models.Q(('kind', 'reminder'), _negated=True), ('reminder_minutes__isnull', True)), _connector='OR'), name='notification_reminder_has_offset'), models.CheckConstraint(condition=models.Q(models.Q(('state', 'sending'), _negated=True), ('lease_until__isnull', False), _connector='OR'), name='notification_sending_has_lease')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
