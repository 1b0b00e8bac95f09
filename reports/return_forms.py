from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.forms import GovukFormMixin
from reports.services import previous_month

MONTHS_OFFERED = 24


def ended_months(today: date | None = None, count: int = MONTHS_OFFERED) -> list[date]:
    """The first days of the last `count` months that have ended, newest first."""
    months = [previous_month(today or timezone.localdate())]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months


def month_choices() -> list[tuple[str, str]]:
    """An empty choice, this month to date, then the months that have ended, newest first."""
    this_month = timezone.localdate().replace(day=1)
    to_date = gettext("%(month)s to date (provisional)") % {"month": date_format(this_month, "F Y")}
    choices = [("", gettext("Choose a month")), (this_month.isoformat(), to_date)]
    return choices + [(m.isoformat(), date_format(m, "F Y")) for m in ended_months()]


class ReturnRequestForm(GovukFormMixin, forms.Form):
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=date.fromisoformat,
        error_messages={"required": _("Choose the month the return covers")},
    )
    # Its length is the return's schema's rule (reports/schemas.py), shown by the field when it is broken.
    commentary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Commentary"),
        help_text=_(
            "Printed with the return: context for the figures, such as staffing or funding changes. "
            "Do not name or describe anyone."
        ),
    )
    language = forms.ChoiceField(
        required=False,  # the hub's language when not given
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        label=_("Language of the PDF"),
        help_text=_("The figures are the same in either language."),
        error_messages={"invalid_choice": _("Choose English or Cymraeg for the return")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()
        self.fields["month"].error_messages["invalid_choice"] = _("Choose one of the months listed")


class CompareForm(GovukFormMixin, forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), coerce=date.fromisoformat)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()[1:]
        self.fields["month"].error_messages["invalid_choice"] = _("Choose one of the months listed")
