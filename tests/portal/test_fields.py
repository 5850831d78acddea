"""ThaiDateField: BE or CE typed in, a date out, Thai errors that say how to fix the entry."""

from datetime import UTC, date, datetime

import pytest
from django import forms

from foundation.fields import ThaiDateField

pytestmark = pytest.mark.unit


class MeetingDateForm(forms.Form):
    day = ThaiDateField()
    until = ThaiDateField(required=False)


@pytest.mark.parametrize("typed", ["27/02/2561", "27/2/2018", "2561-02-27", "27 ก.พ. 2561", "๒๗/๐๒/๒๕๖๑"])
def test_form_cleans_be_and_ce_to_the_same_date(typed):
    form = MeetingDateForm(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2018, 2, 27)
    assert form.cleaned_data["until"] is None


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("31/02/2561", "ไม่มีวันที่ 31"), ("27/02/61", "4 หลัก"), ("abc", "อ่านไม่ออก")],
)
def test_form_error_says_what_is_wrong_and_how_to_fix_it(typed, reason):
    form = MeetingDateForm(data={"day": typed})
    assert not form.is_valid()
    [message] = form.errors["day"]
    assert reason in message
    assert "วว/ดด/ปปปป เช่น 27/02/2561" in message
    assert form.errors.as_data()["day"][0].code == "invalid"


def test_required_field_left_empty():
    form = MeetingDateForm(data={"day": ""})
    assert not form.is_valid()
    assert "day" in form.errors


def test_field_clean_directly():
    field = ThaiDateField()
    assert field.clean("01/10/2560") == date(2017, 10, 1)
    assert field.clean(date(2017, 10, 1)) == date(2017, 10, 1)
    # An aware datetime gives its Bangkok date: 30 Sep 20:00 UTC is 1 Oct in Bangkok.
    assert field.clean(datetime(2017, 9, 30, 20, 0, tzinfo=UTC)) == date(2017, 10, 1)
    with pytest.raises(forms.ValidationError):
        field.clean("31/02/2561")


def test_prepare_value_renders_be():
    field = ThaiDateField()
    assert field.prepare_value(date(2018, 2, 27)) == "27/02/2561"
    assert field.prepare_value(datetime(2018, 4, 11, 20, 0, tzinfo=UTC)) == "12/04/2561"
    assert field.prepare_value("27 ก.พ. 2561") == "27 ก.พ. 2561"
    assert field.prepare_value(None) is None


def test_rendered_widget_shows_be_initial_and_reads_it_back():
    form = MeetingDateForm(initial={"day": date(2018, 2, 27)})
    html = str(form["day"])
    assert 'value="27/02/2561"' in html
    assert 'placeholder="วว/ดด/ปปปป"' in html
    assert ThaiDateField().clean("27/02/2561") == date(2018, 2, 27)


def test_bound_form_with_an_error_shows_back_what_was_typed():
    form = MeetingDateForm(data={"day": "31/02/2561"})
    assert not form.is_valid()
    assert 'value="31/02/2561"' in str(form["day"])


def test_has_changed_compares_dates_not_text():
    form = MeetingDateForm(initial={"day": date(2018, 2, 27)}, data={"day": "27/2/2018"})
    assert form.is_valid(), form.errors
    assert "day" not in form.changed_data
