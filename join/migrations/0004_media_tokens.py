"""Each join pass and test call gets its own media-server token (Janus token_auth), distinct from its link."""

import secrets

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    for name in ("JoinPass", "TestCall"):
        model = apps.get_model("join", name)
        rows = list(model.objects.filter(media_token__isnull=True).only("pk"))
        for row in rows:
            row.media_token = secrets.token_urlsafe(32)
        model.objects.bulk_update(rows, ["media_token"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("join", "0003_attendance_poll")]

    operations = [
        migrations.AddField("joinpass", "media_token", models.CharField(max_length=64, null=True, editable=False)),
        migrations.AddField("testcall", "media_token", models.CharField(max_length=64, null=True, editable=False)),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
    ]
