"""Each join pass gets a short form of its link (12 random digits) a person can type or read over the phone."""

import secrets

from django.db import migrations, models


def fill_codes(apps, schema_editor):
    model = apps.get_model("join", "JoinPass")
    rows = list(model.objects.filter(short_code__isnull=True).only("pk"))
    used = set()
    for row in rows:
        code = f"{secrets.randbelow(10**12):012d}"
        while code in used:
            code = f"{secrets.randbelow(10**12):012d}"
        used.add(code)
        row.short_code = code
    model.objects.bulk_update(rows, ["short_code"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("join", "0005_media_tokens_unique")]

    operations = [
        migrations.AddField("joinpass", "short_code", models.CharField(max_length=12, null=True, editable=False)),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
