"""Form fields that speak Thai dates."""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from foundation.thaidate import BANGKOK, BE_OFFSET, parse_thai_date


class ThaiDateField(forms.DateField):
    """A date typed with a BE or CE year (``27/02/2561``, ``27/2/2018``, ``27 ก.พ. 2561`` ...).

    Cleans to a ``date`` with :func:`foundation.thaidate.parse_thai_date`; a wrong entry shows that
    function's Thai message, which says what is wrong and which forms are accepted. Dates are shown
    back to the user as ``dd/mm/BBBB`` (``27/02/2561``), which the field reads again unchanged.
    """

    default_error_messages = {"invalid": _("วันที่ไม่ถูกต้อง ใช้รูปแบบ วว/ดด/ปปปป เช่น 27/02/2561")}

    def to_python(self, value: Any) -> date | None:
        """Return a ``date`` (or ``None`` for an empty value); raise ``ValidationError`` in Thai."""
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(BANGKOK)
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return parse_thai_date(str(value))
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        """Show a ``date`` as ``27/02/2561`` (BE); leave text the user typed as it was."""
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(BANGKOK)
            value = value.date()
        if isinstance(value, date):
            return f"{value.day:02d}/{value.month:02d}/{value.year + BE_OFFSET}"
        return value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        """Add a Thai placeholder showing the expected form, unless the form sets its own."""
        attrs = super().widget_attrs(widget)
        if "placeholder" not in widget.attrs:
            attrs["placeholder"] = _("วว/ดด/ปปปป")
        return attrs
