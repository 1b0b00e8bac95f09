from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.events.actions import AuditAction, label_of
from audit.events.records import record_type_choices
from mash.forms import GovukDateField, GovukFormMixin


class TrailFilterForm(GovukFormMixin, forms.Form):
    filter_form = True
    # The codes stay the values, so links to a record's trail (`?object_type=referrals.referral&object_id=…`) work.
    object_type = forms.ChoiceField(
        required=False,
        label=_("Record type"),
        choices=lambda: [("", _("Any record")), *record_type_choices()],  # sorted in each request's language
        error_messages={"invalid_choice": _("Choose a record type from the list")},
    )
    object_id = forms.CharField(required=False, max_length=64, label=_("Record id"))
    person = forms.CharField(required=False, max_length=150, label=_("Person (username)"))
    action = forms.ChoiceField(
        required=False, choices=[("", _("Any action")), *sorted((a.value, label_of(a)) for a in AuditAction)]
    )
    seen = forms.BooleanField(
        required=False,
        label=_("Only who has seen it"),
        help_text=_("Views and exports of the record, not changes to it"),
    )
    since = GovukDateField(required=False, label=_("From"), words=_("The start date"))
    until = GovukDateField(required=False, label=_("To (inclusive)"), words=_("The end date"))

    def clean_person(self):
        username = self.cleaned_data["person"].strip()
        if not username:
            return ""
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("There is no account with this username"))
        return str(user.pk)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be the same as or after the start date"))
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments: dates become the instants that bound them in Europe/London."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return {
            "object_type": data.get("object_type", ""),
            "object_id": data.get("object_id", ""),
            "actor_id": data.get("person", ""),
            "action": data.get("action", ""),
            "seen": bool(data.get("seen")),
            "since": datetime.combine(data["since"], time(), zone) if data.get("since") else None,
            "until": datetime.combine(data["until"] + timedelta(days=1), time(), zone) if data.get("until") else None,
        }


def _a_year_after(day: date) -> date:
    """The same date twelve months later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, month=3, day=1)


WORKBOOK = "workbook"


def range_problem(since: date, until: date) -> str:
    """What is wrong with the inspection lists' dates ("" if nothing): the end before the start, or more than twelve
    months of dates."""
    if until < since:
        return gettext("The end date must be the same as or after the start date")
    if until >= _a_year_after(since):
        last = _a_year_after(since) - timedelta(days=1)
        return gettext("The dates can be no more than 12 months apart: end on %(last)s or before") % {
            "last": date_format(last, "j F Y")
        }
    return ""


class InspectionListForm(GovukFormMixin, forms.Form):
    """The Annex A workbook or one list as CSV, for which dates (inclusive, no more than twelve months)."""

    list = forms.ChoiceField(
        label=_("What to download"),
        choices=[
            (WORKBOOK, _("The Annex A workbook: lists 1, 3 and 5 (Excel)")),
            ("1", _("List 1: contacts (CSV)")),
            ("3", _("List 3: referrals (CSV)")),
            ("5", _("List 5: section 47 enquiries (CSV)")),
        ],
        initial=WORKBOOK,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which list to download")},
    )
    since = GovukDateField(
        label=_("From"), words=_("The start date"), error_messages={"required": _("Enter the start date")}
    )
    until = GovukDateField(
        label=_("To (inclusive)"), words=_("The end date"), error_messages={"required": _("Enter the end date")}
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        problem = since and until and range_problem(since, until)
        if problem:
            self.add_error("until", problem)
        return data

    def clean_list(self) -> int | None:
        """None for the workbook, else the list's number."""
        chosen = self.cleaned_data["list"]
        return None if chosen == WORKBOOK else int(chosen)
