"""GOV.UK forms for requests, contributions and decisions. Every rule is the service's: the forms only gather the
values and put the service's messages back by their fields."""

from django import forms
from django.core.exceptions import ValidationError

from decisions.models import OUTCOMES, Disclosure, LawfulBasis, RiskIndicator
from mash.forms import GovukFormMixin

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
        label="Which contributing agencies should also check?",
        help_text="Every core agency is asked. Tick the contributing agencies whose checks would help.",
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text("What should the agencies check?", rows=3, help_text="Optional: names, addresses, dates to check")

    def __init__(self, contributing, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = [(str(a.pk), a.name) for a in contributing]


class ContributionForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("summary",)  # when the agency knows the subject
    known = forms.ChoiceField(
        required=False,
        label="Does your agency know the subject?",
        choices=[("yes", "Yes: we hold information"), ("no", "No trace: we hold nothing on them")],
        widget=forms.RadioSelect,
    )
    risk_indicators = forms.MultipleChoiceField(
        required=False, label="Risk indicators", choices=RiskIndicator.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = _text("Summary", rows=3, help_text="What the hub's decision-makers need to know, in a few lines")
    detail = _text("Detail", rows=8, help_text="Dates, incidents and sources")
    lawful_basis = forms.ChoiceField(
        required=False, label="Lawful basis for sharing", choices=LawfulBasis.choices, widget=forms.RadioSelect
    )
    disclosure = forms.ChoiceField(
        required=False, label="Who may see it", choices=Disclosure.choices, widget=forms.RadioSelect,
        help_text="Restrict it when sharing could harm an investigation: only the manager sees it until you consent",
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
    needed = ("rationale", "amendment_reason")
    outcome = forms.ChoiceField(required=False, label="Outcome", widget=forms.RadioSelect)
    threshold_level = forms.ChoiceField(required=False, label="Threshold level", widget=forms.RadioSelect)
    rationale = _text("Rationale", rows=6, help_text="Why the hub decided this, on what information")
    participants = forms.MultipleChoiceField(
        required=False,
        label="Agencies that took part",
        help_text="Every core agency takes part in every decision",
        widget=forms.CheckboxSelectMultiple,
    )
    amendment_reason = _text("Why is the signed decision being amended?", rows=3)

    def __init__(self, *args, cohort: str, levels: list[dict], members: list, amending: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = OUTCOMES[cohort].choices
        self.fields["threshold_level"].choices = [(lv["code"], lv["name"]) for lv in levels]
        self.fields["participants"].choices = [(str(m.agency_id), m.agency.name) for m in members]
        owners = [("", "Choose the owning agency"), *((str(m.agency_id), m.agency.name) for m in members)]
        for i in range(ACTION_ROWS):
            self.add_field(
                f"action_{i}_owner", forms.ChoiceField(required=False, label=f"Action {i + 1}: owner", choices=owners)
            )
            self.add_field(f"action_{i}_description", _text(f"Action {i + 1}: what will be done", rows=2))
            self.add_field(
                f"action_{i}_due_on",
                forms.CharField(
                    required=False, label=f"Action {i + 1}: due by", widget=forms.DateInput(attrs={"type": "date"})
                ),
            )
        if not amending:
            del self.fields["amendment_reason"]

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
        }


class ReviewForm(_ServiceErrors, GovukFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        required=False,
        label="Your decision",
        choices=[("sign", "Sign off this decision"), ("return", "Return it for revision")],
        widget=forms.RadioSelect,
    )
    comments = _text("Comments", rows=4, help_text="Required when you return it: say what needs to change")
    needed = ("comments",)


class ReasonForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("reason",)
    reason = _text("Reason", rows=4)


class ConsentForm(_ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("consent",)
    consent = _text("Who at the owning agency consented, and when", rows=2)
