"""A PostgreSQL exclusion constraint that other databases skip, and the DATERANGE function it needs.

The embedded mode runs on SQLite, which has no exclusion constraints: there the services' own checks are the only
guard (SQLite serialises writers anyway). On PostgreSQL the database refuses two overlapping tariffs for one line
even if two people save at the same moment.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField
from django.db.models import Func


class DateRange(Func):
    """``DATERANGE(lower, upper, '[]')``: both ends included; a NULL upper end is open (in force until changed)."""

    function = "DATERANGE"
    output_field = DateRangeField()


class PostgresOnlyExclusionConstraint(ExclusionConstraint):
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
        """Not checked row by row: ``tariff_set`` checks overlaps itself and says which tariff is in the way."""
        return
