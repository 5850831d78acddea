"""Tasks and commands: the monthly beat run (with catch-up), the export task (idempotent), seeding."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.models import Charge, ConnectivityLine, Export
from billing.tasks import charges_generate_month, export_render, exports_sweep

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL
D = datetime.date


def test_the_monthly_run_bills_the_month_and_catches_up_two_missed_months(lines):
    result = charges_generate_month.apply(kwargs={"month": "2019-01-01"}).get()
    assert result == {"created": 60, "existing": 0, "missing_tariff": 0}
    assert sorted(set(Charge.objects.values_list("month", flat=True))) == [
        D(2018, 11, 1),
        D(2018, 12, 1),
        D(2019, 1, 1),
    ]
    assert charges_generate_month.apply(kwargs={"month": "2019-01-01"}).get()["created"] == 0
    assert charges_generate_month.name == "billing.charges_generate_month"
    assert charges_generate_month.acks_late


def test_the_monthly_run_without_a_month_bills_this_month(lines):
    charges_generate_month.apply().get()
    this_month = timezone.localdate().replace(day=1)
    assert Charge.objects.filter(month=this_month).count() == 20


def test_the_export_task_renders_once_and_a_rerun_changes_nothing(fy2562, media_root, django_user_model):
    user = django_user_model.objects.create_user("finance-task")
    export = Export.objects.create(
        user=user, exporter="fiscal_year", file_format="csv", parameters={"fy": 2562}, scope={}
    )
    assert export_render.apply(args=[export.pk]).get() == "done"
    export.refresh_from_db()
    path = export.file.path
    assert (export.status, export.progress, export.filename) == ("done", 100, "fiscal-year-2562.csv")
    with export.file.open("rb") as handle:
        assert "321000.00" in handle.read().decode("utf-8-sig")
    assert export_render.apply(args=[export.pk]).get() == "done"
    export.refresh_from_db()
    assert export.file.path == path
    assert export_render.name == "billing.export_render"


def test_an_export_that_cannot_render_is_marked_failed(fy2562, media_root, django_user_model):
    user = django_user_model.objects.create_user("finance-task")
    export = Export.objects.create(user=user, exporter="monthly", file_format="csv", parameters={}, scope={})
    assert export_render.apply(args=[export.pk]).get() == "failed"
    export.refresh_from_db()
    assert export.error


def test_the_sweep_requeues_a_lost_export(fy2562, media_root, django_user_model):
    user = django_user_model.objects.create_user("finance-task")
    export = Export.objects.create(user=user, exporter="fiscal_year", file_format="csv", parameters={"fy": 2562})
    Export.objects.filter(pk=export.pk).update(created_at=export.created_at - datetime.timedelta(minutes=5))
    assert exports_sweep.apply().get() == 1
    export.refresh_from_db()
    assert export.status == "done"


def test_seed_connectivity_creates_lines_and_bills_since_april_2561_idempotently(capsys):
    call_command("seed_connectivity", "41")
    call_command("seed_connectivity", "41")
    out = capsys.readouterr().out
    assert "lines: 20 created, 0 unchanged" in out
    assert "lines: 0 created, 20 unchanged" in out
    assert ConnectivityLine.objects.count() == 20
    assert Charge.objects.order_by("month").first().month == D(2018, 4, 1)
    per_line = Charge.objects.filter(line=ConnectivityLine.objects.first()).count()
    today = timezone.localdate()
    assert per_line == (today.year - 2018) * 12 + today.month - 4 + 1


def test_generate_charges_command_takes_be_months(lines, capsys):
    call_command("generate_charges", "--from", "2561-10", "--to", "2562-09")
    assert "240 charges created" in capsys.readouterr().out
