"""A PostgreSQL exclusion constraint that other databases skip, and the range functions it is built with.

The embedded mode runs on SQLite, which has no exclusion constraints: there the services' own checks are the only
guard (SQLite serialises writers anyway). On PostgreSQL the database enforces the rule as the last line, so two
people saving at the same moment cannot both win (a site double-booked, two overlapping tariffs for one line).
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField
from django.db.models import Func


class TsTzRange(Func):
    """``TSTZRANGE(start, end)``: a meeting's time, end excluded."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class DateRange(Func):
    """``DATERANGE(lower, upper, '[]')``: both ends included; a NULL upper end is open (in force until changed)."""

    function = "DATERANGE"
    output_field = DateRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=None):
        """Not checked row by row: the services check the rule for every row at once, with a clear message."""
        return
