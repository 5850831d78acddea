"""The short codes filled in (0006): unique, and made for every new pass."""

from django.db import migrations, models

import join.models


class Migration(migrations.Migration):
    dependencies = [("join", "0006_short_codes")]

    operations = [
        migrations.AlterField(
            "joinpass", "short_code",
            models.CharField(default=join.models.new_short_code, editable=False, max_length=12, unique=True,
                             verbose_name="รหัสเข้าร่วม 12 หลัก"),
        ),
    ]
