"""Every date the service asks for is GOV.UK's date input (mash/forms.py GovukDateInput): a fieldset whose legend is
the question, a hint with an example, and a Day, a Month and a Year box; a date typed in part or wrong is named in
GOV.UK's words, the boxes at fault marked, and what was typed shown again."""

from datetime import date, timedelta

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.utils import timezone

from mash.forms import GovukDateField, GovukDateText, GovukFormMixin, weeks_ahead


class Example(GovukFormMixin, forms.Form):
    needed = ("born",)
    born = GovukDateText(required=False, label="Date of birth", help_text="If it is not known, give an age")
    signed = GovukDateField(label="Date signed")
    since = GovukDateField(required=False, label="From", words="The start date")


def _boxes(name: str, day: str, month: str, year: str) -> dict:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


SIGNED = _boxes("signed", "1", "2", "2024")


def _html(form) -> str:
    return form.render()


def test_the_widget_is_govuks_date_input_in_a_fieldset_with_its_legend_and_hint():
    page = parse_html(_html(Example()))
    expected = parse_html("""
    <fieldset class="govuk-fieldset" role="group" aria-describedby="id_born-hint">
      <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth</legend>
      <div id="id_born-hint" class="govuk-hint">For example, 27 3 2007<br>If it is not known, give an age</div>
      <div class="govuk-date-input" id="id_born">
        <div class="govuk-date-input__item"><div class="govuk-form-group">
          <label class="govuk-label govuk-date-input__label" for="id_born_day">Day</label>
          <input class="govuk-input govuk-date-input__input govuk-input--width-2" id="id_born_day" name="born_day"
                 type="text" inputmode="numeric">
        </div></div>
        <div class="govuk-date-input__item"><div class="govuk-form-group">
          <label class="govuk-label govuk-date-input__label" for="id_born_month">Month</label>
          <input class="govuk-input govuk-date-input__input govuk-input--width-2" id="id_born_month" name="born_month"
                 type="text" inputmode="numeric">
        </div></div>
        <div class="govuk-date-input__item"><div class="govuk-form-group">
          <label class="govuk-label govuk-date-input__label" for="id_born_year">Year</label>
          <input class="govuk-input govuk-date-input__input govuk-input--width-4" id="id_born_year" name="born_year"
                 type="text" inputmode="numeric">
        </div></div>
      </div>
    </fieldset>""")
    assert page.count(expected) == 1
    assert 'type="date"' not in _html(Example())  # never the browser's date picker


def test_only_a_date_that_may_be_left_says_optional():
    page = _html(Example())
    assert ">Date of birth</legend>" in page  # needed by the schema (or an age): not optional
    assert ">Date signed</legend>" in page
    assert ">From (optional)</legend>" in page


def test_a_full_date_round_trips():
    form = Example({**_boxes("born", "9", "Mar", "2017"), **SIGNED, **_boxes("since", "01", "12", "2025")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"born": "2017-03-09", "signed": date(2024, 2, 1), "since": date(2025, 12, 1)}
    # Shown again as typed (the month's name too), and a date given as the form's initial value in numbers.
    assert 'name="born_month" type="text" inputmode="numeric" value="Mar"' in _html(form)
    shown = _html(Example(initial={"born": "2017-03-09", "signed": date(2024, 2, 1)}))
    for box, value in [("born_day", "9"), ("born_month", "3"), ("born_year", "2017"), ("signed_month", "2")]:
        assert f'name="{box}" type="text" inputmode="numeric" value="{value}"' in shown


def test_three_empty_boxes_are_no_date():
    form = Example({**_boxes("born", "", " ", ""), **SIGNED})
    assert form.is_valid() and form.cleaned_data["born"] == "" and form.cleaned_data["since"] is None
    assert Example({}).errors == {"signed": ["Enter the date signed"]}


@pytest.mark.parametrize(
    ("typed", "message", "marked"),
    [
        (("27", "3", ""), "The date of birth must include a year", ["year"]),
        (("", "", "2007"), "The date of birth must include a day and month", ["day", "month"]),
        (("27", "", "2007"), "The date of birth must include a month", ["month"]),
        (("31", "2", "2007"), "The date of birth must be a real date", ["day"]),
        (("12", "13", "2007"), "The date of birth must be a real date", ["month"]),
        (("x", "3", "2007"), "The date of birth must be a real date", ["day"]),
        (("x", "y", "2007"), "The date of birth must be a real date", ["day", "month", "year"]),  # the whole date
        (("27", "3", "07"), "The year in the date of birth must include 4 numbers", ["year"]),
        (("²7", "3", "2007"), "The date of birth must be a real date", ["day"]),  # a digit that is not 0 to 9
    ],
)
def test_a_date_typed_in_part_or_wrong_is_named_and_its_boxes_marked(typed, message, marked):
    form = Example({**_boxes("born", *typed), **SIGNED})
    assert not form.is_valid()
    assert form.errors == {"born": [message]}
    page = _html(form)
    assert (
        f'id="id_born-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {message}'
        in page
    )
    assert 'aria-describedby="id_born-hint id_born-error"' in page
    for part, text in zip(("day", "month", "year"), typed, strict=True):
        error = " govuk-input--error" if part in marked else ""
        value = f' value="{text}"' if text else ""
        box = f'class="govuk-input govuk-date-input__input{error} govuk-input--width-{4 if part == "year" else 2}"'
        assert f'{box} id="id_born_{part}" name="born_{part}" type="text" inputmode="numeric"{value}>' in page
    summary = render_to_string("govuk/error_summary.html", {"form": form})
    assert f'<a href="#id_born_{marked[0]}">{message}</a>' in summary  # to the first box at fault


def test_a_message_about_the_whole_date_marks_all_three_boxes():
    """A rule about the date itself (a service's "must be in the past", added after validation) marks every box."""
    form = Example({**_boxes("born", "1", "1", "2999"), **SIGNED})
    assert form.is_valid()
    form.add_error("born", "The date of birth must be in the past")
    assert _html(form).count("govuk-input--error") == 3
    assert '<a href="#id_born_day">The date of birth must be in the past</a>' in render_to_string(
        "govuk/error_summary.html", {"form": form}
    )


def test_a_date_that_must_be_ahead_has_an_example_ahead():
    """GOV.UK: an example date in a hint must be one the question accepts (a due date: today or later)."""

    class Due(GovukFormMixin, forms.Form):
        due = GovukDateText(required=False, label="Due by", example=weeks_ahead(4))

    ahead = timezone.localdate() + timedelta(weeks=4)
    assert f"For example, {ahead.day} {ahead.month} {ahead.year}" in _html(Due())
