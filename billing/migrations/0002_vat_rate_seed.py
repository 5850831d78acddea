"""Seed VAT at 7 % from 1 January 2018 (2561 BE).

The Revenue Code's rate is 10 %; royal decrees, renewed each year, reduce it to 7 %. It is a dated row, never a
constant: when a decree changes it, add a new rate from its date (`vat_rate_set` or the admin), do not edit this one.
"""

import datetime
from decimal import Decimal

from django.db import migrations

SEED_FROM = datetime.date(2018, 1, 1)
SEED_NOTE = "ประมวลรัษฎากรกำหนดร้อยละ 10 ลดเหลือร้อยละ 7 ตามพระราชกฤษฎีกา (ต่ออายุเป็นรายปี)"


def seed(apps, schema_editor):
    VatRate = apps.get_model("billing", "VatRate")
    VatRate.objects.get_or_create(effective_from=SEED_FROM, defaults={"rate": Decimal("0.0700"), "note": SEED_NOTE})


def unseed(apps, schema_editor):
    VatRate = apps.get_model("billing", "VatRate")
    VatRate.objects.filter(effective_from=SEED_FROM, rate=Decimal("0.0700")).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
