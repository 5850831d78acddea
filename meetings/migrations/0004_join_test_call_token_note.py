import secrets

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    TestCall = apps.get_model("meetings", "TestCall")
    for test_call in TestCall.objects.filter(token__isnull=True).only("pk"):
        test_call.token = secrets.token_urlsafe(32)
        test_call.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_notification"),
    ]

    operations = [
        migrations.AddField(
            model_name="testcall",
            name="note",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="หมายเหตุ"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="testcall",
            name="token",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="รหัสลิงก์"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="testcall",
            name="token",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="รหัสลิงก์"),
        ),
    ]
