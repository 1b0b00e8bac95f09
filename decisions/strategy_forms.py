"""The GOV.UK form for a strategy discussion. Every rule is the service's schema's (decisions/strategy_schemas.py):
the form gathers the values and puts the service's messages back by their fields.

Short at first (three people, one action), it grows by the GOV.UK "add another" pattern without JavaScript, as the
household form does: "Add another person" and "Add another action" are submit buttons named `more`; the page comes
back with a row more and everything typed kept, nothing stored (`rows_posted`, `more_asked`)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from decisions.forms import ReasonForm, _text
from decisions.models.strategy import StrategyMode, decision_choices
from mash.forms import GovukDateText, GovukFormMixin, weeks_ahead

PARTICIPANT_ROWS, MOST_PARTICIPANTS = 3, 12  # rows shown at first, and at most
ACTION_ROWS, MOST_ACTIONS = 1, 10
ROWS = {"participants": "participant", "actions": "action"}
ROW = re.compile(r"^(participant|action)_(\d+)_")
MORE = "more"  # the name of the "add another" buttons; their value says which rows


def rows_posted(data, more: str = "") -> dict[str, int]:
    """How many person and action rows the page had (the first page's few if fewer), one more of the kind asked."""
    found: dict[str, list[int]] = {"participant": [], "action": []}
    for key in data or {}:
        if m := ROW.match(key):
            found[m.group(1)].append(int(m.group(2)))
    counts = {
        "participant": min(max(max(found["participant"], default=-1) + 1, PARTICIPANT_ROWS), MOST_PARTICIPANTS),
        "action": min(max(max(found["action"], default=-1) + 1, ACTION_ROWS), MOST_ACTIONS),
    }
    if more in counts:
        counts[more] = min(counts[more] + 1, MOST_PARTICIPANTS if more == "participant" else MOST_ACTIONS)
    return counts


def more_asked(data) -> str:
    """ "participant" or "action" when an "add another" button was pressed; empty when the form was sent."""
    asked = (data or {}).get(MORE, "")
    return asked if asked in ("participant", "action") else ""


class StrategyDiscussionForm(GovukFormMixin, forms.Form):
    needed = ("held_on", "held_time", "reason", "s47_started_on", "participant_0_agency", "participant_0_role")
    held_on = GovukDateText(required=False, label=_("Date held"), words=_("The date of the discussion"))
    held_time = _text(
        _("Time held"), widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        help_text=_("UK time on the 24-hour clock, like 14:30"),
    )  # fmt: skip
    mode = forms.ChoiceField(
        required=False, label=_("How was it held?"), choices=StrategyMode.choices, widget=forms.RadioSelect
    )
    decision = forms.ChoiceField(required=False, label=_("What was decided?"), widget=forms.RadioSelect)
    reason = _text(_("Why will there be no enquiry?"), rows=3, help_text=_("Required when no enquiry will be made"))
    s47_started_on = GovukDateText(
        required=False, label=_("Date the section 47 enquiry started"),
        words=_("The date the section 47 enquiry started"),
        help_text=_("Required for a section 47 enquiry (the Annex A return lists it)"),
    )  # fmt: skip
    shared = forms.MultipleChoiceField(
        required=False, label=_("What was shared in the discussion"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The agencies' information on this referral that the discussion considered"),
    )  # fmt: skip

    def __init__(self, *args, cohort: str, members: list, contributions: list, rows: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        rows = rows or rows_posted(self.data)
        self.participants, self.actions = rows["participant"], rows["action"]
        self.fields["decision"].choices = decision_choices(cohort)
        if cohort != "child":
            del self.fields["s47_started_on"]
        self.fields["shared"].choices = [
            (
                str(c.pk),
                gettext("%(agency)s: no trace") % {"agency": c.agency.name}
                if c.no_trace
                else f"{c.agency.name}: {c.summary[:120]}",
            )
            for c in contributions
        ]
        agencies = [("", gettext("Choose the agency")), *((str(m.agency_id), m.agency.name) for m in members)]
        for i in range(self.participants):
            self.fields[f"participant_{i}_agency"] = forms.ChoiceField(
                required=False, label=gettext("Person %(n)s: agency") % {"n": i + 1}, choices=agencies
            )
            self.fields[f"participant_{i}_role"] = _text(gettext("Person %(n)s: role or name") % {"n": i + 1})
        for i in range(self.actions):
            self.fields[f"action_{i}_owner"] = forms.ChoiceField(
                required=False, label=gettext("Action %(n)s: owner") % {"n": i + 1}, choices=agencies
            )
            self.fields[f"action_{i}_description"] = _text(
                gettext("Action %(n)s: what will be done") % {"n": i + 1}, rows=2
            )
            self.fields[f"action_{i}_due_on"] = GovukDateText(
                required=False, label=gettext("Action %(n)s: due by") % {"n": i + 1},
                words=gettext("The due date of action %(n)s") % {"n": i + 1}, example=weeks_ahead(2),
            )  # fmt: skip
        added = [n for n in self.fields if n.startswith(("participant_", "action_")) and not n.endswith("_due_on")]
        self.govuk_fields(added)

    def can_add_participant(self) -> bool:
        return self.participants < MOST_PARTICIPANTS

    def can_add_action(self) -> bool:
        return self.actions < MOST_ACTIONS

    def participant_rows(self) -> list[list]:
        return [[self[f"participant_{i}_{part}"] for part in ("agency", "role")] for i in range(self.participants)]

    def action_rows(self) -> list[list]:
        return [
            [self[f"action_{i}_{part}"] for part in ("owner", "description", "due_on")] for i in range(self.actions)
        ]

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
            "participants": self._rows("participant", self.participants, ("agency", "role")),
            "shared": list(data.get("shared") or []),
            "decision": data.get("decision", ""),
            "reason": data.get("reason", ""),
            "s47_started_on": data.get("s47_started_on", ""),
            "actions": self._rows("action", self.actions, ("owner", "description", "due_on")),
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
        count = self.participants if prefix == "participant" else self.actions
        return [
            i for i in range(count)
            if any(v for n, v in self.cleaned_data.items() if n.startswith(f"{prefix}_{i}_"))
        ]  # fmt: skip


class HouseholdStrategyForm(StrategyDiscussionForm):
    """The same discussion about several of a household's children: which of them it was about (all at first)."""

    children = forms.MultipleChoiceField(
        required=False, label=_("Which children was it about?"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The discussion is recorded on each child's referral, with the same people, decision and actions"),
    )  # fmt: skip

    def __init__(self, *args, children: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = children
        self.fields["children"].initial = [value for value, _label in children]
        self.govuk_fields(["children"])


class StrategyReasonForm(ReasonForm):
    """The manager's reason for accepting a discussion without a required agency."""
