"""The audit log moves from the project shell (portal) to the foundation: the table (portal_auditentry) and its
rows stay as they are; only Django's idea of which app owns the model changes (portal/migrations/0002 forgets it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_foundation(apps, schema_editor):
    """Permissions and admin history of the audit log follow the model to its new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="foundation", model="auditentry").exists():
        content_type.objects.filter(app_label="portal", model="auditentry").update(app_label="foundation")


def content_type_back_to_portal(apps, schema_editor):
    """Unapplied: the content type (id, permissions, admin history) goes back to the portal app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="portal", model="auditentry").exists():
        content_type.objects.filter(app_label="foundation", model="auditentry").update(app_label="portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='เวลา')),
                        ('actor_username', models.CharField(blank=True, max_length=150, verbose_name='ชื่อผู้ใช้ของผู้กระทำ')),
                        ('action', models.CharField(choices=[('create', 'สร้าง'), ('update', 'แก้ไข'), ('cancel', 'ยกเลิก'), ('delete', 'ลบ'), ('export', 'ส่งออกรายงาน'), ('role_change', 'เปลี่ยนบทบาท'), ('pd_export', 'ส่งออกข้อมูลส่วนบุคคล'), ('pd_erase', 'ลบข้อมูลส่วนบุคคล')], max_length=20, verbose_name='การกระทำ')),
                        ('target_type', models.CharField(blank=True, max_length=100, verbose_name='ประเภทข้อมูล')),
                        ('target_id', models.CharField(blank=True, max_length=64, verbose_name='รหัสข้อมูล')),
                        ('target_repr', models.CharField(blank=True, max_length=300, verbose_name='ข้อมูล')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='รายละเอียด')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ผู้กระทำ')),
                    ],
                    options={
                        'verbose_name': 'บันทึกการใช้งาน',
                        'verbose_name_plural': 'บันทึกการใช้งาน',
                        'ordering': ['-at', '-id'],
                        'db_table': 'portal_auditentry',
                        'indexes': [models.Index(fields=['target_type', 'target_id'], name='portal_audi_target__204585_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_foundation, content_type_back_to_portal),
    ]
