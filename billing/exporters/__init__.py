"""The exporters registry: identifier -> exporter class. Add a report by adding a class here."""

from foundation.exporters import CONTENT_TYPES, FORMATS, Column, Exporter, TableExporter

from .fiscal_year import FiscalYearSummary
from .monthly import MonthlyUtilityReport
from .travel_savings import TravelSavingsReport

EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter for exporter in (MonthlyUtilityReport, FiscalYearSummary, TravelSavingsReport)
}

__all__ = [
    "CONTENT_TYPES",
    "EXPORTERS",
    "FORMATS",
    "Column",
    "Exporter",
    "FiscalYearSummary",
    "MonthlyUtilityReport",
    "TableExporter",
    "TravelSavingsReport",
]
