"""Shared form helpers: GOV.UK Design System classes, GOV.UK's date input, and service errors mapped onto form
fields."""

import re
from collections.abc import Callable
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.errors import Conflict

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)

# ---- GOV.UK's date input: a day, a month and a year box (https://design-system.service.gov.uk/components/date-input/)

PARTS = ("day", "month", "year")
# Each box's name in a message ("must include a day and month") and as its label ("Day"), in the active language.
PART_WORDS = {"day": _("day"), "month": _("month"), "year": _("year")}
PART_LABELS = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
NUMBER = re.compile(r"[0-9]{1,4}")  # ASCII digits only: str.isdigit() takes "²" too


def _month(typed: str) -> int | None:
    """A month as a number or, as GOV.UK asks services to accept, its name in full or short ("jan", "Sept")."""
    if NUMBER.fullmatch(typed):
        return int(typed)
    name = typed.lower().rstrip(".")
    found = [n for n, month in enumerate(MONTHS, 1) if len(name) >= 3 and month.startswith(name)]
    return found[0] if found else None


class TypedDate(str):
    """A date as typed in the three boxes. Its text is YYYY-MM-DD when the parts make a real date (what the schemas
    and the forms' date fields read); otherwise `fault` says what is wrong ("missing", "year" without 4 numbers,
    "unreal"), `wrong` names the boxes at fault, and the text is the parts as typed ("31 / 2 / 2020", which a schema's `Day`
    refuses too).
    `parts` keeps what was typed, for the page to show it again."""

    def __new__(cls, day: str, month: str, year: str):
        parts = (day, month, year)
        fault, wrong, real = None, tuple(part for part, typed in zip(PARTS, parts, strict=True) if not typed), None
        if wrong:
            fault = "missing"
        else:
            numbers = (int(day) if NUMBER.fullmatch(day) else None, _month(month),
                       int(year) if NUMBER.fullmatch(year) and len(year) == 4 else None)  # fmt: skip
            ranges = (range(1, 32), range(1, 13), range(1, 10000))
            wrong = tuple(part for part, n, allowed in zip(PARTS, numbers, ranges, strict=True) if n not in allowed)
            if wrong == ("year",) and NUMBER.fullmatch(year) and len(year) != 4:
                fault = "year"
            elif wrong:  # more than one box wrong: GOV.UK marks the date as a whole
                fault, wrong = "unreal", wrong if len(wrong) == 1 else PARTS
            else:
                try:
                    real = date(numbers[2], numbers[1], numbers[0])
                except ValueError:  # 31 February
                    fault, wrong = "unreal", ("day",)
        typed = super().__new__(cls, real.isoformat() if real else " / ".join(parts))
        typed.parts, typed.fault, typed.wrong = parts, fault, wrong
        return typed

    def problem(self, words: str) -> str:
        """GOV.UK's message for what is wrong, about `words` ("The date of birth")."""
        if self.fault == "missing":
            joiner = " " + gettext("and") + " "
            parts = joiner.join(str(PART_WORDS[part]) for part in self.wrong)
            return gettext("%(words)s must include a %(parts)s") % {"words": words, "parts": parts}
        if self.fault == "year":
            return gettext("The year in %(words)s must include 4 numbers") % {"words": words[:1].lower() + words[1:]}
        return gettext("%(words)s must be a real date") % {"words": words}


def read_date(day: str, month: str, year: str) -> str:
    """The three boxes as one value: "" when all are empty, otherwise a TypedDate."""
    parts = [str(part or "").strip() for part in (day, month, year)]
    return TypedDate(*parts) if any(parts) else ""


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: boxes named `<name>_day`, `<name>_month` and `<name>_year` (ids likewise), read as one
    value (`read_date`). govuk/field.html puts them in a fieldset whose legend is the field's label, with the hint
    and the error message; the form marks the boxes in error (`error_parts`)."""

    template_name = "govuk/date_input.html"
    input_type = "govuk-date"  # how govuk/field.html and the error summary tell it apart
    error_parts: tuple[str, ...] = ()

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in PARTS}, attrs)

    def value_from_datadict(self, data, files, name):
        return read_date(*(data.get(f"{name}_{part}", "") for part in PARTS))

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{part}" not in data for part in PARTS)

    def decompress(self, value):
        if isinstance(value, TypedDate):
            return list(value.parts)
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return ["", "", ""]
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id", "")
        for part, box in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            box.update(label=PART_LABELS[part], width=4 if part == "year" else 2, error=part in self.error_parts)
            if id_:
                box["attrs"]["id"] = f"{id_}_{part}"
        return context


# Widgets whose markup govuk/field.html (or their own template) writes with its classes; a date's fieldset also
# carries its hint and error.
OWN_MARKUP = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput, GovukDateInput)
EXAMPLE = date(2007, 3, 27)


def weeks_ahead(weeks: int) -> Callable[[], date]:
    """A hint's example for a date that must be ahead (a due date): `weeks` from the day the form is shown."""
    return lambda: timezone.localdate() + timedelta(weeks=weeks)


class _DateParts:
    """A date field asked as GOV.UK's date input. A date typed wrong fails with GOV.UK's message about `words` (by
    default the field's required message without its "Enter": "The date of birth must include a year"). `example`
    (a date, or a function giving one, for dates that must be in the future) is the hint's example."""

    widget = GovukDateInput

    def __init__(self, *, words: str = "", example: date | Callable[[], date] = EXAMPLE, **kwargs):
        self.words, self.example_date = words, example
        super().__init__(**kwargs)

    @property
    def example(self) -> str:
        day = self.example_date() if callable(self.example_date) else self.example_date
        return gettext("For example, %(day)s %(month)s %(year)s") % {
            "day": day.day,
            "month": day.month,
            "year": day.year,
        }

    def said_as(self) -> str:
        required = str(self.error_messages.get("required", ""))
        if self.words or not required.startswith("Enter the "):
            return str(self.words or self.label)
        return "The " + required.removeprefix("Enter the ")

    def to_python(self, value):
        if isinstance(value, TypedDate) and value.fault:
            raise ValidationError(value.problem(self.said_as()), code="invalid")
        return super().to_python(value)


class GovukDateText(_DateParts, forms.CharField):
    """A date for a schema to judge (its `Day` field): YYYY-MM-DD, or "" when nothing was typed."""


class GovukDateField(_DateParts, forms.DateField):
    """A date the form itself reads: a `datetime.date`, or None when nothing was typed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)


def _say_what_is_missing(field: forms.Field, name: str) -> None:
    """GOV.UK's error messages name what is missing ("Enter the name", "Choose the agency") where Django would say
    only "This field is required."; a message a form sets itself (where the label is not a noun) is kept."""
    if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
        return
    label = str(field.label or pretty_name(name))
    label = label[:1].lower() + label[1:] if label[1:2].islower() else label  # "Role" -> "role", "ISA" stays
    missing = gettext("Choose the %(label)s") if isinstance(field, CHOSEN) else gettext("Enter the %(label)s")
    field.error_messages["required"] = missing % {"label": label}


class GovukFormMixin:
    """Adds the GOV.UK classes to each widget; templates/govuk/field.html renders labels, hints and errors."""

    template_name = "govuk/form.html"
    # Fields the form leaves to the input's schema that the schema requires, always or for some answers (its hint
    # says which): their labels never say "(optional)".
    needed: tuple[str, ...] = ()
    # A form of filters (a list's): every box may be left as it is, so none says "(optional)".
    filter_form = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.govuk_fields(self.fields)

    def govuk_fields(self, names) -> None:
        """Style the fields named (a form adding fields after __init__, such as the referral's people blocks, calls
        it for those): GOV.UK's class on each widget, its hint linked, and the missing-value message in words."""
        for name in names:
            field = self.fields[name]
            field.needed = self.filter_form or name in self.needed
            _say_what_is_missing(field, name)
            widget = field.widget
            if isinstance(widget, OWN_MARKUP):
                continue
            css = next((c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)), "govuk-input")
            if isinstance(widget, forms.NumberInput):
                css += " govuk-input--width-10"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self):
        """After validation, mark each widget in error as GOV.UK asks: a red border and a link to its message."""
        super().full_clean()
        for name, field in self.fields.items():
            skipped = forms.RadioSelect | forms.CheckboxSelectMultiple | GovukDateInput  # add_error marks a date's
            if name not in self.errors or isinstance(field.widget, skipped):
                continue
            attrs = field.widget.attrs
            classes = attrs.get("class", "").split()
            base = next((c for c in classes if c in {"govuk-input", *WIDGET_CLASSES.values()}), "govuk-input")
            error_class = base + "--error"  # govuk-input--error, not the width modifier's
            attrs["class"] = f"{attrs.get('class', '')} {error_class}".strip()
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} id_{self.add_prefix(name)}-error".strip()

    def add_error(self, field, error):
        """A date in error marks its boxes as GOV.UK asks: those at fault in what was typed, otherwise all three (a
        date that must be in the past, say). Done here, so a service's message added after validation does it too."""
        super().add_error(field, error)
        for name, form_field in self.fields.items():
            if isinstance(form_field.widget, GovukDateInput) and name in self._errors:
                typed = self[name].data
                form_field.widget.error_parts = (typed.wrong if isinstance(typed, TypedDate) else ()) or PARTS

    def add_service_errors(self, error) -> None:
        """Show a service's error on the form: a ValidationError per field where it names one, otherwise (and a
        Conflict: the referral closed meanwhile, say) at the top."""
        if isinstance(error, Conflict):
            self.add_error(error.field if error.field in self.fields else None, str(error))
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
