"""The GOV.UK form for a strategy discussion. Every rule is the service's schema's (decisions/strategy_schemas.py):
the form gathers the values and puts the service's messages back by their fields."""

from django import forms
from django.core.exceptions import ValidationError

from decisions.forms import ReasonForm, _text
from decisions.models.strategy import StrategyMode, decision_choices
from mash.forms import GovukDateText, GovukFormMixin, weeks_ahead

PARTICIPANT_ROWS = 6
ACTION_ROWS = 3
ROWS = {"participants": "participant", "actions": "action"}


class StrategyDiscussionForm(GovukFormMixin, forms.Form):
    needed = ("held_on", "held_time", "reason", "s47_started_on", "participant_0_agency", "participant_0_role")
    held_on = GovukDateText(required=False, label="Date held", words="The date of the discussion")
    held_time = _text(
        "Time held", widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        help_text="UK time on the 24-hour clock, like 14:30",
    )  # fmt: skip
    mode = forms.ChoiceField(
        required=False, label="How was it held?", choices=StrategyMode.choices, widget=forms.RadioSelect
    )
    decision = forms.ChoiceField(required=False, label="What was decided?", widget=forms.RadioSelect)
    reason = _text("Why will there be no enquiry?", rows=3, help_text="Required when no enquiry will be made")
    s47_started_on = GovukDateText(
        required=False, label="Date the section 47 enquiry started", words="The date the section 47 enquiry started",
        help_text="Required for a section 47 enquiry (the Annex A return lists it)",
    )  # fmt: skip
    shared = forms.MultipleChoiceField(
        required=False, label="What was shared in the discussion", widget=forms.CheckboxSelectMultiple,
        help_text="The agencies' information on this referral that the discussion considered",
    )  # fmt: skip

    def __init__(self, *args, cohort: str, members: list, contributions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = decision_choices(cohort)
        if cohort != "child":
            del self.fields["s47_started_on"]
        self.fields["shared"].choices = [
            (str(c.pk), f"{c.agency.name}: {'no trace' if c.no_trace else c.summary[:120]}") for c in contributions
        ]
        agencies = [("", "Choose the agency"), *((str(m.agency_id), m.agency.name) for m in members)]
        for i in range(PARTICIPANT_ROWS):
            self.fields[f"participant_{i}_agency"] = forms.ChoiceField(
                required=False, label=f"Person {i + 1}: agency", choices=agencies
            )
            self.fields[f"participant_{i}_role"] = _text(f"Person {i + 1}: role or name")
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}_owner"] = forms.ChoiceField(
                required=False, label=f"Action {i + 1}: owner", choices=agencies
            )
            self.fields[f"action_{i}_description"] = _text(f"Action {i + 1}: what will be done", rows=2)
            self.fields[f"action_{i}_due_on"] = GovukDateText(
                required=False, label=f"Action {i + 1}: due by", words=f"The due date of action {i + 1}",
                example=weeks_ahead(2),
            )  # fmt: skip
        added = [n for n in self.fields if n.startswith(("participant_", "action_")) and not n.endswith("_due_on")]
        self.govuk_fields(added)

    def participant_rows(self) -> list[list]:
        return [[self[f"participant_{i}_{part}"] for part in ("agency", "role")] for i in range(PARTICIPANT_ROWS)]

    def action_rows(self) -> list[list]:
        return [[self[f"action_{i}_{part}"] for part in ("owner", "description", "due_on")] for i in range(ACTION_ROWS)]

    def _rows(self, prefix: str, count: int, parts: tuple) -> list[dict]:
        data, rows = self.cleaned_data, []
        for i in range(count):
            row = {part: data.get(f"{prefix}_{i}_{part}") or "" for part in parts}
            if any(row.values()):
                rows.append(row)
        return rows

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "held_on": data.get("held_on", ""),
            "held_time": data.get("held_time", ""),
            "mode": data.get("mode", ""),
            "participants": self._rows("participant", PARTICIPANT_ROWS, ("agency", "role")),
            "shared": list(data.get("shared") or []),
            "decision": data.get("decision", ""),
            "reason": data.get("reason", ""),
            "s47_started_on": data.get("s47_started_on", ""),
            "actions": self._rows("action", ACTION_ROWS, ("owner", "description", "due_on")),
        }

    def add_service_errors(self, error) -> None:
        """The service's messages by field: participants.1.role is participant_1_role (the rows sent are the rows
        filled in, so the n-th sent is the n-th filled)."""
        if not isinstance(error, ValidationError):
            return super().add_service_errors(error)
        if not hasattr(error, "error_dict"):
            return self.add_error(None, error)
        filled = {key: self._filled(prefix) for key, prefix in ROWS.items()}
        for key, errors in error.error_dict.items():
            parts = key.split(".")
            name = key
            if len(parts) == 3 and parts[0] in ROWS and parts[1].isdigit() and int(parts[1]) < len(filled[parts[0]]):
                name = f"{ROWS[parts[0]]}_{filled[parts[0]][int(parts[1])]}_{parts[2]}"
            elif parts[0] == "participants":
                name = "participant_0_agency"
            self.add_error(name if name in self.fields else None, errors)

    def _filled(self, prefix: str) -> list[int]:
        count = PARTICIPANT_ROWS if prefix == "participant" else ACTION_ROWS
        return [
            i for i in range(count)
            if any(v for n, v in self.cleaned_data.items() if n.startswith(f"{prefix}_{i}_"))
        ]  # fmt: skip


class StrategyReasonForm(ReasonForm):
    """The manager's reason for accepting a discussion without a required agency."""
