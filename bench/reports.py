"""Benchmark: the fiscal-year summary for the whole country (878 district offices × 12 months) in CSV, XLSX and PDF.

Starts its own PostgreSQL, migrates, loads the national geography, gives every amphoe district office (not the 50
Bangkok khet, province 10) a site and a line, bills FY 2562 in bulk, then renders the report three times per format
(medians), counting SQL queries, and times the bare SQL aggregate of the same numbers (one GROUP BY) in the same run.

    .venv/bin/python bench/reports.py

The last line of output is one JSON object; `ratio_to_sql` is the XLSX time divided by the SQL aggregate's time
(`ratio_basis` says so).
"""

from __future__ import annotations

import io
import json
import logging
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services.postgres import PostgresServer  # noqa: E402

FY = 2562
RUNS = 3
FORMATS = ("csv", "xlsx", "pdf")
SQL_AGGREGATE = """
    SELECT d.code, c.month, SUM(c.total)
    FROM billing_charge c
    JOIN billing_connectivityline l ON l.id = c.line_id
    JOIN districts_site s ON s.id = l.site_id
    JOIN districts_district d ON d.id = s.district_id
    WHERE c.month BETWEEN %s AND %s
    GROUP BY d.code, c.month
"""


def _setup_country() -> dict:
    from django.core.management import call_command

    from billing.services import charges_generate_range, lines_for_province_create
    from districts.models import Province
    from districts.services import province_sites_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    call_command("load_geography", verbosity=0, stdout=io.StringIO())
    provinces = list(Province.objects.exclude(code="10").values_list("code", flat=True))
    lines = 0
    for code in provinces:
        province_sites_create(province_code=code)
        lines += lines_for_province_create(province_code=code).created
    result = charges_generate_range(start_month=date(2018, 10, 1), end_month=date(2019, 9, 1))
    return {
        "provinces": len(provinces),
        "lines": lines,
        "charges": result.created,
        "setup_s": round(time.perf_counter() - started, 2),
    }


def _render(scope, file_format: str) -> tuple[float, int, bytes, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.exporters import FiscalYearSummary

    exporter = FiscalYearSummary(params={"fy": FY}, scope=scope)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        _name, _type, content = exporter.render(file_format)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), content, exporter


def _sql_aggregate() -> tuple[float, list]:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(SQL_AGGREGATE, [date(2018, 10, 1), date(2019, 9, 1)])
        rows = cursor.fetchall()
        elapsed = time.perf_counter() - started
    return elapsed, rows


def main() -> dict:
    with PostgresServer() as postgres:
        os.environ["DATABASE_URL"] = postgres.url
        os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
        import django

        django.setup()
        for noisy in ("weasyprint", "fontTools", "axes"):
            logging.getLogger(noisy).setLevel(logging.WARNING)

        from billing.scope import BillingScope
        from districts.models import Province

        setup = _setup_country()
        country = BillingScope.country()
        timings: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
        queries: dict[str, set[int]] = {fmt: set() for fmt in FORMATS}
        sizes: dict[str, int] = {}
        exporter = None
        for _ in range(RUNS):
            for fmt in FORMATS:
                elapsed, count, content, exporter = _render(country, fmt)
                timings[fmt].append(elapsed)
                queries[fmt].add(count)
                sizes[fmt] = len(content)
        sql_times, sql_rows = [], []
        for _ in range(RUNS):
            elapsed, sql_rows = _sql_aggregate()
            sql_times.append(elapsed)

        # The report and the bare aggregate hold the same numbers.
        sql_total = sum((row[2] for row in sql_rows), Decimal(0))
        assert exporter.grand_total == sql_total, (exporter.grand_total, sql_total)
        assert len(exporter.matrix_rows) == setup["lines"]

        udon = Province.objects.get(code="41")
        _e, province_queries, _c, _x = _render(BillingScope(province_id=udon.pk, label="อุดรธานี"), "xlsx")
        all_counts = set().union(*queries.values())
        medians = {fmt: statistics.median(values) for fmt, values in timings.items()}
        sql_s = statistics.median(sql_times)
        return {
            "districts": len(exporter.matrix_rows),
            "months": 12,
            "fiscal_year": FY,
            "charges": setup["charges"],
            "grand_total": f"{exporter.grand_total:.2f}",
            "csv_s": round(medians["csv"], 4),
            "xlsx_s": round(medians["xlsx"], 4),
            "pdf_s": round(medians["pdf"], 4),
            "sql_s": round(sql_s, 4),
            "queries": max(all_counts),
            "queries_fixed": len(all_counts) == 1 and province_queries in all_counts,
            "queries_one_province": province_queries,
            "ratio_to_sql": round(medians["xlsx"] / sql_s, 1),
            "ratio_basis": "xlsx_s / sql_s (median of 3 each, same run, same PostgreSQL)",
            "xlsx_under_3s": medians["xlsx"] < 3,
            "bytes": sizes,
            "runs": RUNS,
            "setup_s": setup["setup_s"],
        }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
