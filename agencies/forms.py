"""GOV.UK-styled forms for hub configuration. Validation is the models' own (services call full_clean)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from agencies.models import (
    WEEKDAYS,
    Agency,
    DocumentVersion,
    FundingContribution,
    Hub,
    MembershipKind,
    Role,
    WorkingPattern,
)
from agencies.selectors import NO_ACTIVE_ACCOUNT, active_user
from agencies.services import HUB_EDITABLE_FIELDS
from mash.forms import GovukDateField, GovukFormMixin, weeks_ahead


class HubForm(GovukFormMixin, forms.ModelForm):
    working_days = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAYS)),
        coerce=int,
        label=_("Working days"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working day")},
    )
    late_referral_days = forms.IntegerField(
        label=_("Late referrals: days back a time received may be"),
        help_text=_(
            "A referral sent by an agency or entered by a practitioner may say it was received up to this many "
            "days ago (1 to 365); an earlier time is refused, so deadlines and returns stay true."
        ),
        min_value=1,
        max_value=365,
        error_messages={
            "required": _("Enter how many days back a referral's time received may be"),
            "invalid": _("Enter the days as a whole number, from 1 to 365"),
            "min_value": _("Enter a number of days from 1 to 365"),
            "max_value": _("Enter a number of days from 1 to 365"),
        },
    )
    strategy_discussion_hours = forms.IntegerField(
        label=_("Strategy discussion: clock hours after a Red rating"),
        help_text=_(
            "A Red referral without a strategy discussion shows it due this many hours after it was rated Red "
            "(1 to 720; 72 is three days, as local child protection procedures commonly ask)."
        ),
        min_value=1,
        max_value=720,
        error_messages={
            "required": _("Enter the hours within which a strategy discussion must be held"),
            "invalid": _("Enter the hours as a whole number, from 1 to 720"),
            "min_value": _("Enter a number of hours from 1 to 720"),
            "max_value": _("Enter a number of hours from 1 to 720"),
        },
    )
    handover_ack_hours = forms.IntegerField(
        label=_("Handover: working hours to be acknowledged"),
        help_text=_(
            "A case handed to social care and not acknowledged this many working hours after it was sent shows "
            "on the manager's dashboard (1 to 200; 4 is half a working day)."
        ),
        min_value=1,
        max_value=200,
        error_messages={
            "required": _("Enter the working hours within which a handover should be acknowledged"),
            "invalid": _("Enter the hours as a whole number, from 1 to 200"),
            "min_value": _("Enter a number of hours from 1 to 200"),
            "max_value": _("Enter a number of hours from 1 to 200"),
        },
    )

    class Meta:
        model = Hub
        fields = list(HUB_EDITABLE_FIELDS)
        widgets = {
            "cohorts": forms.RadioSelect,
            "language": forms.RadioSelect,
            "procedures": forms.RadioSelect,
            # GOV.UK has no time component: a short text box with an example (the browser's time picker is not one).
            "working_day_starts": forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M"),
            "working_day_ends": forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M"),
        }
        # Every label written here, so that each is in the page's language (the models' names are the admin's).
        labels = {
            "name": _("Name"),
            "area": _("Area"),
            "cohorts": _("Cohorts"),
            "language": _("Language of the hub's emails and returns"),
            "procedures": _("Safeguarding procedures"),
            "working_day_starts": _("Working day starts"),
            "working_day_ends": _("Working day ends"),
            "immediate_risk_hours": _("Immediate risk: clock hours to decide"),
            "red_hours": _("Red: hours to decide"),
            "red_counting": _("Red: count hours as"),
            "amber_hours": _("Amber: hours to decide"),
            "amber_counting": _("Amber: count hours as"),
            "green_hours": _("Green: hours to decide"),
            "green_counting": _("Green: count hours as"),
            "red_partner_hours": _("Red: hours for agencies' information"),
            "amber_partner_hours": _("Amber: hours for agencies' information"),
            "green_partner_hours": _("Green: hours for agencies' information"),
            "decision_working_days": _("Decision working days"),
            "warn_at_percent": _("Warn at percent"),
        }
        help_texts = {
            "procedures": _(
                "A hub in Wales uses the Wales Safeguarding Procedures' words: a child or an adult at risk, the duty "
                "to report (s.128 and s.130) and enquiries under s.126, in its outcomes and in the thresholds it "
                "starts from. The thresholds it publishes are its own words either way."
            ),
            "language": _(
                "Emails to referrers and staff, and monthly returns unless the person asking chooses otherwise. Each "
                "person reads the pages in the language they choose at the top of the page."
            ),
            "red_hours": _(
                "Timescales must agree: Red ends no later than Amber, Amber no later than Green, each "
                "from any start in the week, counting working hours with the working days above."
            ),
            "decision_working_days": _(
                "Every rating's time must end by this decision deadline, which each referral "
                "has from receipt (Working Together 2023: one working day)."
            ),
        }
        # Each rating's messages in full, so that a translation can place the rating where its language puts it.
        error_messages = {
            "name": {"required": _("Enter the hub's name")},
            "working_day_starts": {"required": _("Enter the time the working day starts")},
            "working_day_ends": {"required": _("Enter the time the working day ends")},
            "decision_working_days": {"required": _("Enter the working days the hub has to decide")},
            "warn_at_percent": {"required": _("Enter when to warn, as a percentage of the time allowed")},
            "red_hours": {"required": _("Enter the hours a Red referral has for its decision")},
            "red_counting": {"required": _("Choose how the hours of a Red referral are counted")},
            "red_partner_hours": {"required": _("Enter the hours agencies have to answer on a Red referral")},
            "amber_hours": {"required": _("Enter the hours an Amber referral has for its decision")},
            "amber_counting": {"required": _("Choose how the hours of an Amber referral are counted")},
            "amber_partner_hours": {"required": _("Enter the hours agencies have to answer on an Amber referral")},
            "green_hours": {"required": _("Enter the hours a Green referral has for its decision")},
            "green_counting": {"required": _("Choose how the hours of a Green referral are counted")},
            "green_partner_hours": {"required": _("Enter the hours agencies have to answer on a Green referral")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form sent without them (an older client, the admin) keeps the hub's language and procedures.
        self.fields["language"].required = False
        self.fields["procedures"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean_procedures(self):
        return self.cleaned_data.get("procedures") or self.instance.procedures


class MembershipForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), empty_label=_("Choose an agency"), label=_("Agency"))
    kind = forms.ChoiceField(choices=MembershipKind.choices, widget=forms.RadioSelect, label=_("Membership"))


class DocumentVersionForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = DocumentVersion
        fields = ["effective_from", "review_due", "text", "file"]
        field_classes = {"effective_from": GovukDateField, "review_due": GovukDateField}
        labels = {
            "text": _("Text"),
            "effective_from": _("Takes effect on"),
            "review_due": _("Review due by"),
            "file": _("Or upload the document"),
        }
        error_messages = {
            "effective_from": {"required": _("Enter the date this version takes effect")},
            "review_due": {"required": _("Enter the date this version is due for review")},
        }
        help_texts = {"text": _("Paste the text of this version, or upload a file below.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_due"].example_date = weeks_ahead(52)  # the hint's example: a review a year ahead


class SignatureForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), empty_label=_("Choose an agency"), label=_("Agency")
    )
    signatory_name = forms.CharField(max_length=120, label=_("Name of the person who signed"))
    signatory_role = forms.CharField(
        max_length=120,
        label=_("Their job title"),
        error_messages={"required": _("Enter the job title of the person who signed")},
    )
    signed_on = GovukDateField(label=_("Date signed"))

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()


class FundingForm(GovukFormMixin, forms.ModelForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), empty_label=_("Choose an agency"), label=_("Agency")
    )

    class Meta:
        model = FundingContribution
        fields = ["agency", "financial_year", "amount_gbp", "staff_fte", "working_pattern"]
        widgets = {"working_pattern": forms.RadioSelect}
        labels = {
            "financial_year": _("Financial year starting in April of"),
            "amount_gbp": _("Money contributed (£)"),
            "staff_fte": _("Staff working in the hub (full-time equivalent)"),
            "working_pattern": _("Working pattern"),
        }
        error_messages = {
            "financial_year": {"required": _("Enter the year the financial year starts (in April)")},
            "amount_gbp": {"required": _("Enter the money contributed, in pounds")},
            "staff_fte": {"required": _("Enter the staff working in the hub, as full-time equivalent")},
        }

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        # Radios need no "---------" choice; the model's checks of the figures are shown on their fields, with the
        # form's other errors (the service's check of the whole row would name no field).
        self.fields["working_pattern"].choices = WorkingPattern.choices
        self.fields["amount_gbp"].validators.append(MinValueValidator(0, _("The amount cannot be negative")))
        self.fields["staff_fte"].validators.append(MinValueValidator(0, _("Staff FTE cannot be negative")))

    def validate_unique(self):
        """Uniqueness is checked by the service, which knows the hub."""


DAY_AND_TIME = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M", "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]


class RoleGrantForm(GovukFormMixin, forms.Form):
    needed = ("agency", "delegation_starts", "delegation_ends")  # for one role each: the hints say which
    username = forms.CharField(max_length=150, label=_("Username of the person"))
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect, label=_("Role"))
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("No agency"),
        label=_("Agency"),
        help_text=_("Agency officers only: the agency they belong to."),
    )
    delegation_starts = forms.DateTimeField(
        required=False,
        label=_("Delegation starts"),
        input_formats=DAY_AND_TIME,
        widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M"),
        help_text=_(
            "Deputy managers only: when they start acting for the manager, as a date and a 24-hour time, for example "
            "4/12/2026 09:00."
        ),
        error_messages={"invalid": _("Enter the date and time like 4/12/2026 09:00")},
    )
    delegation_ends = forms.DateTimeField(
        required=False,
        label=_("Delegation ends"),
        input_formats=DAY_AND_TIME,
        widget=forms.DateTimeInput(format="%d/%m/%Y %H:%M"),
        help_text=_(
            "Deputy managers only: when the delegation ends, as a date and a 24-hour time, for example 4/12/2026 09:00."
        ),
        error_messages={"invalid": _("Enter the date and time like 4/12/2026 09:00")},
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()

    def clean_username(self):
        username = self.cleaned_data["username"]
        user = active_user(username)
        if user is None:
            raise forms.ValidationError(NO_ACTIVE_ACCOUNT)
        self.cleaned_data["user"] = user
        return username


class HandOverForm(GovukFormMixin, forms.Form):
    """Who takes over as accountable manager, and why: the rules are agencies.handover's schema's."""

    needed = ("successor", "reason")
    successor = forms.CharField(
        required=False,
        label=_("Username of the new accountable manager"),
        help_text=_("They must have an active account. If they are the deputy manager, they stop being deputy."),
    )
    reason = forms.CharField(
        required=False,
        label=_("Why is the role being handed over?"),
        help_text=_("For example: retirement, a new post, long-term absence. The reason is kept in the audit trail."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignInForm(AuthenticationForm):
    """Django's sign-in, in GOV.UK's words: what is missing, by its field; a wrong username or password, once, with
    no hint of which was wrong."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password you entered is incorrect"),
        "inactive": _("This account has been turned off: ask your hub administrator"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")
