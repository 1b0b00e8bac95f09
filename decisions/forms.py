"""GOV.UK forms for requests, contributions and decisions. Every rule is the service's: the forms only gather the
values and put the service's messages back by their fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from decisions.models import Capacity, Disclosure, LawfulBasis, OutcomesMet, RiskIndicator
from decisions.models.outcomes import outcome_choices
from mash.forms import GovukDateText, GovukFormMixin, weeks_ahead

ACTION_ROWS = 3


def _text(label: str, *, rows: int = 0, **kwargs) -> forms.CharField:
    """A box whose rules (required, length) are the service's schema's: the form only gathers what was typed."""
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(required=False, label=label, **kwargs)


class _ServiceErrors:
    """Service error keys that are not field names are mapped (actions.0.owner -> action_0_owner)."""

    def add_service_errors(self, error) -> None:
        if not isinstance(error, ValidationError):
            return super().add_service_errors(error)
        if hasattr(error, "error_dict"):
            mapped = {}
            for key, errors in error.error_dict.items():
                parts = key.split(".")
                name = f"action_{parts[1]}_{parts[2]}" if len(parts) == 3 and parts[0] == "actions" else key
                mapped.setdefault(name if name in self.fields else None, []).extend(errors)
            for name, errors in mapped.items():
                self.add_error(name, errors)
        else:
            self.add_error(None, error)


class RequestForm(_ServiceErrors, GovukFormMixin, forms.Form):
    agencies = forms.MultipleChoiceField(
        required=False,
        label=_("Which contributing agencies should also check?"),
        help_text=_("Every core agency is asked. Tick the contributing agencies whose checks would help."),
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text(
        _("What should the agencies check?"), rows=3, help_text=_("Optional: names, addresses, dates to check")
    )

    def __init__(self, contributing, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = [(str(a.pk), a.name) for a in contributing]


class ContributionForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("summary",)  # when the agency knows the subject
    known = forms.ChoiceField(
        required=False,
        label=_("Does your agency know the subject?"),
        choices=[("yes", _("Yes: we hold information")), ("no", _("No trace: we hold nothing on them"))],
        widget=forms.RadioSelect,
    )
    risk_indicators = forms.MultipleChoiceField(
        required=False, label=_("Risk indicators"), choices=RiskIndicator.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = _text(_("Summary"), rows=3, help_text=_("What the hub's decision-makers need to know, in a few lines"))
    detail = _text(_("Detail"), rows=8, help_text=_("Dates, incidents and sources"))
    lawful_basis = forms.ChoiceField(
        required=False, label=_("Lawful basis for sharing"), choices=LawfulBasis.choices, widget=forms.RadioSelect
    )
    disclosure = forms.ChoiceField(
        required=False, label=_("Who may see it"), choices=Disclosure.choices, widget=forms.RadioSelect,
        help_text=_("Restrict it when sharing could harm an investigation: only the manager sees it until you consent"),
    )  # fmt: skip

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "known": {"yes": True, "no": False}.get(data.get("known")),
            "risk_indicators": list(data.get("risk_indicators") or []),
            "summary": data.get("summary", ""),
            "detail": data.get("detail", ""),
            "lawful_basis": data.get("lawful_basis", ""),
            "disclosure": data.get("disclosure", ""),
        }


class DecisionForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("rationale", "amendment_reason", "outcomes_met")
    outcome = forms.ChoiceField(required=False, label=_("Outcome"), widget=forms.RadioSelect)
    threshold_level = forms.ChoiceField(required=False, label=_("Threshold level"), widget=forms.RadioSelect)
    rationale = _text(_("Rationale"), rows=6, help_text=_("Why the hub decided this, on what information"))
    participants = forms.MultipleChoiceField(
        required=False,
        label=_("Agencies that took part"),
        help_text=_("Every core agency takes part in every decision"),
        widget=forms.CheckboxSelectMultiple,
    )
    amendment_reason = _text(_("Why is the signed decision being amended?"), rows=3)

    outcomes_met = forms.ChoiceField(
        required=False, label=_("Were the outcomes the adult wanted met?"), choices=OutcomesMet.choices,
        widget=forms.RadioSelect, help_text=_("Making Safeguarding Personal: what the adult said they wanted"),
    )  # fmt: skip

    def __init__(self, *args, cohort: str, levels: list[dict], members: list, amending: bool,
                 outcomes_expressed: bool = False, procedures: str = "england", **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        if not outcomes_expressed:
            del self.fields["outcomes_met"]
        self.fields["outcome"].choices = outcome_choices(cohort, procedures)  # England's words or Wales'

        self.fields["threshold_level"].choices = [(lv["code"], lv["name"]) for lv in levels]
        self.fields["participants"].choices = [(str(m.agency_id), m.agency.name) for m in members]
        owners = [("", gettext("Choose the owning agency")), *((str(m.agency_id), m.agency.name) for m in members)]
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}_owner"] = forms.ChoiceField(
                required=False, label=gettext("Action %(n)s: owner") % {"n": i + 1}, choices=owners
            )
            self.fields[f"action_{i}_description"] = _text(
                gettext("Action %(n)s: what will be done") % {"n": i + 1}, rows=2
            )
            self.fields[f"action_{i}_due_on"] = GovukDateText(
                required=False, label=gettext("Action %(n)s: due by") % {"n": i + 1},
                words=gettext("The due date of action %(n)s") % {"n": i + 1}, example=weeks_ahead(4),
            )  # fmt: skip
        if not amending:
            del self.fields["amendment_reason"]
        self.govuk_fields([f"action_{i}_{part}" for i in range(ACTION_ROWS) for part in ("owner", "description")])

    def action_rows(self) -> list[list]:
        return [[self[f"action_{i}_{part}"] for part in ("owner", "description", "due_on")] for i in range(ACTION_ROWS)]

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        actions = []
        for i in range(ACTION_ROWS):
            row = {part: data.get(f"action_{i}_{part}") or "" for part in ("owner", "description", "due_on")}
            if any(row.values()):
                actions.append(row)
        return {
            "outcome": data.get("outcome", ""),
            "threshold_level": data.get("threshold_level", ""),
            "rationale": data.get("rationale", ""),
            "participants": list(data.get("participants") or []),
            "actions": actions,
            "amendment_reason": data.get("amendment_reason", ""),
            "outcomes_met": data.get("outcomes_met", ""),
        }


class ReviewForm(_ServiceErrors, GovukFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        required=False,
        label=_("Your decision"),
        choices=[("sign", _("Sign off this decision")), ("return", _("Return it for revision"))],
        widget=forms.RadioSelect,
    )
    comments = _text(_("Comments"), rows=4, help_text=_("Required when you return it: say what needs to change"))
    needed = ("comments",)


class ReasonForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("reason",)
    reason = _text(_("Reason"), rows=4)


class ConsentForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("consent",)
    consent = _text(_("Who at the owning agency consented, and when"), rows=2)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(label: str, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(required=False, label=label, choices=YES_NO, widget=forms.RadioSelect, **kwargs)


class AdultVoiceForm(_ServiceErrors, GovukFormMixin, forms.Form):
    """The adult's voice: every rule is AdultVoiceSchema's (decisions/schemas.py)."""

    needed = ("asked", "desired_outcomes", "not_asked_reason", "capacity", "assessor_name", "assessor_role",
              "assessed_on", "best_interests_decision", "best_interests_reasons", "advocacy_needed", "advocate")  # fmt: skip
    asked = _yes_no(_("Was the adult asked what they want to happen?"))
    desired_outcomes = _text(_("What does the adult want to happen?"), rows=4,
                             help_text=_("Their desired outcomes, in their own words. Needed when they were asked"))  # fmt: skip
    not_asked_reason = _text(_("Why was the adult not asked?"), rows=3, help_text=_("Needed when they were not asked"))
    capacity = forms.ChoiceField(
        required=False, label=_("Mental capacity to make decisions about their safety"), choices=Capacity.choices,
        widget=forms.RadioSelect,
    )  # fmt: skip
    assessor_name = _text(_("Who assessed capacity: name"), help_text=_("Needed when capacity was assessed"))
    assessor_role = _text(_("Who assessed capacity: role"), help_text=_("Needed when capacity was assessed"))
    assessed_on = GovukDateText(
        required=False, label=_("When was capacity assessed?"), words=_("The date of the assessment")
    )
    best_interests_decision = _text(
        _("Best-interests decision"), rows=3, help_text=_("Needed when the adult lacks capacity")
    )
    best_interests_reasons = _text(_("Reasons for the best-interests decision"), rows=3,
                                   help_text=_("Needed when the adult lacks capacity"))  # fmt: skip
    advocacy_needed = _yes_no(_("Does the adult need an advocate?"))
    advocacy_offered = forms.BooleanField(required=False, label=_("An advocate was offered"))
    advocacy_provided = forms.BooleanField(required=False, label=_("An advocate was provided"))
    advocate = _text(_("Who provides the advocacy?"), help_text=_("Needed when an advocate was provided"))

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        flag = {"yes": True, "no": False}
        return {
            **{name: data.get(name) or "" for name in self.fields},
            "asked": flag.get(data.get("asked")),
            "advocacy_needed": flag.get(data.get("advocacy_needed")),
            "advocacy_offered": bool(data.get("advocacy_offered")),
            "advocacy_provided": bool(data.get("advocacy_provided")),
        }
