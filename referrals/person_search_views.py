"""The person search page of the hub's practitioners and managers (referrals/person_search.py does the search): a
GOV.UK form, the people found as summary cards with their referrals, and the read in the audit ledger."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.access import hub_access
from agencies.policy import Action
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.forms import PARTS, GovukDateField, GovukFormMixin
from referrals.dataset import nhs_number_problem
from referrals.person_search import FIELDS, MAX_PEOPLE, people_search, postcode_q

OLDEST = 130
AGE = {"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}


def _optional(label: str, *, width: int = 0, **kwargs) -> forms.CharField:
    attrs = {"class": f"govuk-input--width-{width}"} if width else {}
    return forms.CharField(required=False, label=label, widget=forms.TextInput(attrs), **kwargs)


class PersonSearchForm(GovukFormMixin, forms.Form):
    # One box or more is needed (the page says so, and an empty search is answered with that): no box is "optional".
    needed = FIELDS
    name = _optional(
        _("Name"), max_length=100, help_text=_("Any given or family name, or both: other spellings, names that sound "
        "alike and nicknames are found too"),
    )  # fmt: skip
    date_of_birth = GovukDateField(
        required=False, label=_("Date of birth"), words=_("The date of birth"),
        help_text=_("The day and month swapped are found too"),
    )  # fmt: skip
    age_from = forms.CharField(
        required=False, label=_("Age from"), help_text=_("In whole years"), widget=forms.TextInput(AGE)
    )
    age_to = forms.CharField(
        required=False, label=_("Age to"), help_text=_("In whole years"), widget=forms.TextInput(AGE)
    )
    postcode = _optional(
        _("Postcode"), width=10, max_length=10, help_text=_("A whole postcode, or its start, like NT1 or NT1 1")
    )
    address = _optional(_("Address"), max_length=100, help_text=_("Part of an address, like a street name"))
    nhs_number = _optional(_("NHS number"), width=10, max_length=20, help_text=_("10 digits, with or without spaces"))

    def _age(self, name: str, message: str) -> int | None:
        typed = self.cleaned_data.get(name, "").strip()
        if not typed:
            return None
        if not typed.isascii() or not typed.isdigit() or int(typed) > OLDEST:
            raise ValidationError(message % {"oldest": OLDEST})
        return int(typed)

    def clean_age_from(self):
        return self._age(
            "age_from", gettext("The age from must be a whole number of years from 0 to %(oldest)s, like 12")
        )

    def clean_age_to(self):
        return self._age("age_to", gettext("The age to must be a whole number of years from 0 to %(oldest)s, like 12"))

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise ValidationError(gettext("The date of birth must be today or in the past"))
        return born

    def clean_postcode(self):
        typed = " ".join(self.cleaned_data.get("postcode", "").split()).upper()
        if typed and postcode_q(typed) is None:
            raise ValidationError(gettext("Enter a real postcode, or its start, like NT1 1AA, NT1 1 or NT1"))
        return typed

    def clean_nhs_number(self):
        typed = self.cleaned_data.get("nhs_number", "").strip()
        if typed and (problem := nhs_number_problem(typed)):
            raise ValidationError(problem)
        return typed.replace(" ", "").replace("-", "")

    def clean_name(self):
        typed = " ".join(self.cleaned_data.get("name", "").split())
        if typed and not any(c.isalpha() for c in typed):
            raise ValidationError(gettext("Enter a name with letters in it"))
        return typed

    def clean(self):
        data = super().clean()
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None and high is not None and low > high:
            self.add_error("age_to", gettext("The age to must be the same as or more than the age from"))
        if not self.errors and not self.query():
            raise ValidationError(gettext("Enter at least one thing to search for"))
        return data

    def query(self) -> dict:
        """What people_search is asked: the fields given, no others."""
        data = self.cleaned_data
        return {name: data[name] for name in FIELDS if data.get(name) not in (None, "")}


def _submitted(data) -> bool:
    names = {*FIELDS, *(f"date_of_birth_{part}" for part in PARTS)}
    return any(name in data for name in names)


def person_search(request: HttpRequest, hub_id) -> HttpResponse:
    access = hub_access(request, hub_id, Action.PERSON_SEARCH)
    hub = access.hub
    submitted = _submitted(request.GET)
    form = PersonSearchForm(request.GET if submitted else None)
    results = None
    if submitted and form.is_valid():
        query = form.query()
        results = people_search(access, hub=hub, query=query)
        # The ledger holds what was shown and which fields were asked, not what was typed: the terms are case data.
        log_read(
            AuditAction.PERSON_SEARCH_LISTED, hub=hub, object_type="referrals.indexperson",
            ids=[r.index_person_id for r in results], searched_by=sorted(query),
            referral_ids=sorted({str(s.id) for r in results for s in r.referrals}),
        )  # fmt: skip
    return render(
        request,
        "referrals/person_search.html",
        {"hub": hub, "form": form, "results": results, "limit": MAX_PEOPLE},
    )
