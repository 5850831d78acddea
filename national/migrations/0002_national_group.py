"""The group of national users (Ministry / Department of Provincial Administration) with the national permission.

The permission is created here too (Django creates permissions only after every migration has run), under the same
content type and codename, so the group holds it from the start and the post-migrate step finds it there.
"""

from django.db import migrations

GROUP = "ผู้บริหารระดับประเทศ"
CODENAME = "view_national"


def create_group(apps, schema_editor):
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    group_model = apps.get_model("auth", "Group")
    content_type, _ = content_type_model.objects.get_or_create(app_label="national", model="nationaloverview")
    permission, _ = permission_model.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": "ดูภาพรวมระดับประเทศ"}
    )
    group, _ = group_model.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
