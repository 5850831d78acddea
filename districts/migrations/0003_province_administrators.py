"""Province administrators are no longer superusers: they join the province administrators' group (its permissions
are set after migrate, districts.administrators.group_sync), and the audit log's entries belong to the province of
the staff who wrote them."""

from django.db import migrations

GROUP = "ผู้ดูแลระบบจังหวัด"  # districts.administrators.GROUP when this migration was written


def forward(apps, schema_editor):
    staff_model = apps.get_model("districts", "Staff")
    group_model = apps.get_model("auth", "Group")
    group, _created = group_model.objects.get_or_create(name=GROUP)
    for staff in staff_model.objects.select_related("user").filter(role="admin"):
        user = staff.user
        user.is_staff, user.is_superuser = True, False
        user.save(update_fields=["is_staff", "is_superuser"])
        user.groups.add(group)
    for staff in staff_model.objects.exclude(role="admin").filter(user__is_superuser=True).select_related("user"):
        staff.user.is_superuser = staff.user.is_staff = False
        staff.user.save(update_fields=["is_staff", "is_superuser"])
    entry_model = apps.get_model("foundation", "AuditEntry")
    for user_id, code in staff_model.objects.values_list("user_id", "site__province__code"):
        entry_model.objects.filter(actor_id=user_id, province_code="").update(province_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0002_site_notification_channels"),
        ("foundation", "0002_province_tenancy"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
