"""GOV.UK forms for referrals. The recording form only arranges what was typed into the standard dataset's shape:
the rules are `referrals.dataset`'s, and its messages (dotted paths) are put back next to the fields here."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.codes import ReferralSource
from mash.forms import GovukDateField, GovukDateText, GovukFormMixin
from referrals.models import (
    AdultRiskLocation,
    AdultRiskSource,
    AdultRiskType,
    Channel,
    ChildConcern,
    Consent,
    ReferralCohort,
    ReferralStatus,
)
from referrals.people_form import OtherPeopleMixin, blocks_posted

PERSON_KEYS = (
    "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "nhs_number", "address",
    "postcode",
)  # fmt: skip
# Child and adult concerns share some values (neglect, physical, sexual): the form keeps them apart by a prefix.
CONCERN_GROUPS = (
    ("child", _("Children: category of abuse"), ChildConcern),
    ("adult", _("Adults: type of risk (Safeguarding Adults Collection)"), AdultRiskType),
)


WIDTH = {n: {"class": f"govuk-input--width-{n}"} for n in (3, 10)}  # GOV.UK's boxes sized to their answers


def _text(label: str, *, rows: int = 0, **kwargs) -> forms.CharField:
    """A box whose rules (required, length) are the input's schema's: the form only gathers what was typed."""
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(required=False, label=label, **kwargs)


class ReferralForm(OtherPeopleMixin, GovukFormMixin, forms.Form):
    """A referral taken by phone or email: it arranges what was typed in the dataset's shape (`dataset()`), and the
    referral's schema (referrals/schemas.py) decides what is valid."""

    needed = (
        "referrer_name", "referrer_contact", "subject_family_name", "subject_date_of_birth", "subject_estimated_age",
        "adult_risk_location", "adult_risk_source", "source_code", "narrative", "consent_reason",
    )  # fmt: skip

    channel = forms.ChoiceField(
        label=_("How did the referral come in?"),
        choices=[(Channel.PHONE, _("Phone")), (Channel.EMAIL, _("Email"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the referral came by phone or email")},
    )
    received_date = GovukDateField(required=False, label=_("Date received"))
    received_time = _text(
        _("Time received"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        help_text=_("UK time on the 24-hour clock, like 14:30"),
    )
    referrer_name = _text(_("Referrer's name"))
    referrer_role = _text(_("Referrer's role or job title"))
    referrer_contact = _text(_("Referrer's phone number or email address"))

    subject_given_name = _text(_("Given name"))
    subject_family_name = _text(_("Family name"), help_text=_("Enter 'Unknown' if it is not known"))
    subject_date_of_birth = GovukDateText(
        required=False, label=_("Date of birth"), help_text=_("If it is not known, give an estimated age below")
    )
    subject_estimated_age = _text(
        _("Estimated age in years"), help_text=_("If the date of birth is not known"), widget=forms.TextInput(WIDTH[3])
    )
    cohort = forms.ChoiceField(
        required=False,
        label=_("Child or adult"),
        choices=[("", _("Work it out from the date of birth or age")), *ReferralCohort.choices],
        widget=forms.RadioSelect,
        help_text=_("Under 18 is a child. Choose only to override the age."),
    )
    subject_gender = _text(_("Gender"))
    subject_ethnicity = _text(_("Ethnicity"))
    subject_nhs_number = _text(
        _("NHS number"), help_text=_("10 digits, like 943 476 5919"), widget=forms.TextInput(WIDTH[10])
    )
    subject_address = _text(_("Address"), rows=3)
    subject_postcode = _text(_("Postcode"), widget=forms.TextInput(WIDTH[10]))
    concerns = forms.MultipleChoiceField(
        required=False,
        label=_("Concerns"),
        help_text=_("Children's categories for a child, adults' types of risk for an adult"),
        choices=[
            (f"{prefix}:{value}", label) for prefix, _heading, kind in CONCERN_GROUPS for value, label in kind.choices
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    adult_risk_location = forms.ChoiceField(
        required=False,
        label=_("Where is the risk? (adults only)"),
        choices=[("", _("Not recorded (a child)")), *AdultRiskLocation.choices],
    )
    adult_risk_source = forms.ChoiceField(
        required=False,
        label=_("Who is the risk from? (adults only)"),
        choices=[("", _("Not recorded (a child)")), *AdultRiskSource.choices],
    )
    source_code = forms.ChoiceField(
        required=False,
        label=_("Referral source (Children in Need code)"),
        choices=[
            ("", _("Choose the source")),
            *((v, format_lazy("{}: {}", v, label)) for v, label in ReferralSource.choices),
        ],
        help_text=_("Required for a child; optional for an adult"),
    )
    narrative = _text(_("What is the concern?"), rows=8, help_text=_("In the referrer's words"))
    immediate_risk = forms.ChoiceField(
        required=False,
        label=_("Is anyone at immediate risk of harm?"),
        choices=[
            ("yes", _("Yes: the referral goes first in the queue and the manager is told at once")),
            ("no", _("No")),
        ],
        widget=forms.RadioSelect,
    )
    consent = forms.ChoiceField(
        required=False, label=_("Consent to share information"), choices=Consent.choices, widget=forms.RadioSelect
    )
    consent_reason = _text(
        _("Why consent was not obtained or was dispensed with"),
        rows=3,
        help_text=_("Needed unless consent was obtained"),
    )

    def __init__(self, data=None, *args, focus: int | None = None, **kwargs):
        """`data` decides how many people blocks there are (one on a new form); `focus` is the block just added."""
        super().__init__(data, *args, **kwargs)
        self.add_people_blocks(blocks_posted(data if data is not None else kwargs.get("initial")))
        self.focus = focus

    def clean(self):
        """The one rule of the web form's own: the date and time received make one instant in UK time."""
        data = super().clean()
        day, clock = data.get("received_date"), data.get("received_time", "")
        data["received_at"] = None
        typed_wrong = "received_date" in self.errors  # its own message says what to fix
        if not day and not clock and not typed_wrong:
            return data
        if not day and not typed_wrong:
            self.add_error("received_date", gettext("Enter the date received"))
        try:
            parsed_time = time.fromisoformat(clock)
        except ValueError:
            self.add_error("received_time", gettext("Enter the time received, like 14:30"))
            parsed_time = None
        if day and parsed_time:
            data["received_at"] = timezone.make_aware(datetime.combine(day, parsed_time))
        return data

    def dataset(self) -> dict:
        """The referral in the standard dataset's shape (the API's JSON), from what the form parsed."""
        value = self.cleaned_data.get
        data = {
            "referrer": {"name": value("referrer_name", ""), "role": value("referrer_role", ""),
                         "contact": value("referrer_contact", "")},
            "subject": {key: value(f"subject_{key}", "") for key in PERSON_KEYS},
            "concerns": _concerns(value("concerns") or []),
            "adult_risk_location": value("adult_risk_location", ""),
            "adult_risk_source": value("adult_risk_source", ""),
            "source_code": value("source_code", ""),
            "narrative": value("narrative", ""),
            "immediate_risk": {"yes": True, "no": False}.get(value("immediate_risk")),
            "consent": value("consent", ""),
            "consent_reason": value("consent_reason", ""),
            "others": self.others_dataset(value),
        }  # fmt: skip
        if value("received_at"):
            data["received_at"] = value("received_at").isoformat()
        if value("cohort"):
            data["cohort"] = value("cohort")
        for person in [data["subject"], *data["others"]]:
            person["estimated_age"] = _whole(person["estimated_age"])
        return data

    def add_dataset_errors(self, error: ValidationError) -> None:
        """Put each of the dataset's messages on the field its dotted path names; a path with no field goes on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for path, messages in error.message_dict.items():
            parts = path.split(".")
            field = self.other_field(parts) if parts[0] == "others" else field_for(path)
            if field and field.startswith("other_"):
                number = int(field.split("_")[1]) + 1
                messages = [gettext("Other person %(number)s: %(message)s") % {"number": number, "message": m}
                             for m in messages]  # fmt: skip
            if field in self.fields and field in self.errors:
                continue  # the form's own message on this field already says what to fix
            self.add_error(field if field in self.fields else None, messages)

    def concern_groups(self) -> list[tuple[str, list]]:
        """The concern checkboxes under a heading per cohort, numbered as the error summary links them."""
        options = list(self["concerns"])
        groups, start = [], 0
        for _prefix, heading, kind in CONCERN_GROUPS:
            groups.append((heading, options[start : start + len(kind.choices)]))
            start += len(kind.choices)
        return groups


class AmendmentForm(ReferralForm):
    """A new version of a recorded referral: the same form, without how and when it came in (those stay), and with
    the reason for the change; `referrals.services.referral_amend` decides."""

    needed = (*ReferralForm.needed, "reason")
    reason = _text(_("Why are you amending the referral?"), rows=4,
                   help_text=_("For example: the mother named her partner when we called her back"))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("channel", "received_date", "received_time"):
            del self.fields[name]


def _whole(typed: str):
    """What was typed in an age box as the dataset's number: nothing, a whole number, or (left as typed, for the
    schema to refuse by its message) anything else."""
    typed = (typed or "").strip()
    if not typed:
        return None
    return int(typed) if typed.isdigit() else typed


def _concerns(chosen: list[str]) -> list[str]:
    """The values without their cohort prefix, in the order ticked, each once."""
    return list(dict.fromkeys(c.split(":", 1)[1] for c in chosen))


def field_for(path: str) -> str | None:
    """The form field that shows a dataset message: `subject.nhs_number` → subject_nhs_number, `received_at` →
    received_date (the other people's: OtherPeopleMixin.other_field)."""
    parts = path.split(".")
    if parts[0] == "received_at":
        return "received_date"
    if parts[0] in ("referrer", "subject") and len(parts) == 2:
        return f"{parts[0]}_{parts[1]}"
    if parts[0] == "referrer":
        return "referrer_name"
    if parts[0] == "subject":
        return "subject_family_name"
    return parts[0] if len(parts) == 1 else None


class ReferralFilterForm(GovukFormMixin, forms.Form):
    filter_form = True
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Search"),
        help_text=_("A reference, anyone's name, a postcode, a date of birth (like 27/3/2007) or an NHS number"),
    )
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any status")), *ReferralStatus.choices]
    )
    cohort = forms.ChoiceField(
        required=False, label=_("Cohort"), choices=[("", _("Children and adults")), *ReferralCohort.choices]
    )
    channel = forms.ChoiceField(required=False, label=_("Came in by"), choices=[("", _("Any way")), *Channel.choices])
    immediate_risk = forms.ChoiceField(
        required=False,
        label=_("Immediate risk"),
        choices=[("", _("With or without")), ("yes", _("Someone at immediate risk")), ("no", _("No immediate risk"))],
    )

    def filters(self) -> dict:
        data = self.cleaned_data
        risk = {"yes": True, "no": False}.get(data.get("immediate_risk", ""))
        return {
            "search": data.get("q", "").strip(),
            "status": data.get("status", ""),
            "cohort": data.get("cohort", ""),
            "channel": data.get("channel", ""),
            "immediate_risk": risk,
        }
