"""The media tokens filled in (0004): unique, and made for every new row (a migration of its own, so the ALTER runs
after the rows were written and committed)."""

from django.db import migrations, models

import join.models


class Migration(migrations.Migration):
    dependencies = [("join", "0004_media_tokens")]

    operations = [
        migrations.AlterField(
            "joinpass", "media_token",
            models.CharField(default=join.models.new_media_token, editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            "testcall", "media_token",
            models.CharField(default=join.models.new_media_token, editable=False, max_length=64, unique=True),
        ),
    ]
