"""The household contact's web form: the referral form's shared questions (how it came in, the referrer, the
concern, consent) with the children and the adults in repeating blocks, the GOV.UK "add another" pattern without
JavaScript (as referrals/people_form.py does for a referral's other people). "Add another child", "Add another
adult" and each "Remove" are submit buttons named `children` or `adults`: the page comes back with a block more or
less and everything typed kept, nothing stored. Child block `n`'s fields are `child_<n>_<key>`, adult block `n`'s
`adult_<n>_<key>`, and the adult's relationship to child `c`, where it differs, `adult_<n>_to_<c>`. The contact's
messages (`children.1.date_of_birth`, `adults.0.relationships.0.child`) go back by the field they came from."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.forms import GovukDateText
from referrals.forms import PERSON_KEYS, ReferralForm, _whole, field_for
from referrals.households import ADULT_ROLES, MAX_ADULTS, MAX_CHILDREN
from referrals.models import ChildConcern
from referrals.people_form import ADD, REMOVE, block_fields

BLOCK = re.compile(r"^(child|adult)_(\d+)_(\w+)$")
ADULT_KEYS = ("role", *PERSON_KEYS)
MOST = {"child": MAX_CHILDREN, "adult": MAX_ADULTS}
BUTTON = {"child": "children", "adult": "adults"}
CHILD_NEEDED = ("family_name", "date_of_birth", "estimated_age")


def counts_posted(data) -> dict[str, int]:
    """How many child and adult blocks the page had: one child and one adult block on a new form."""
    numbers: dict[str, list[int]] = {"child": [], "adult": []}
    for key in data or {}:
        if m := BLOCK.match(key):
            numbers[m.group(1)].append(int(m.group(2)))
    return {kind: min(max(found, default=0) + 1, MOST[kind]) for kind, found in numbers.items()}


def household_change(data: QueryDict) -> tuple[QueryDict, str | None] | None:
    """What the page holds after an add or a remove (and the id of the block to move to), or None when the form
    was sent to be recorded."""
    kind = next((k for k, button in BUTTON.items() if button in data), None)
    if kind is None:
        return None
    asked, counts = data.get(BUTTON[kind], ""), counts_posted(data)
    kept = data.copy()
    kept.pop(BUTTON[kind], None)
    if asked == ADD:
        if counts[kind] >= MOST[kind]:
            return kept, None
        kept[f"{kind}_{counts[kind]}_given_name"] = ""
        return kept, f"{kind}-{counts[kind] + 1}"
    gone = asked.removeprefix(REMOVE)
    gone = int(gone) if gone.isdigit() else -1
    for key in list(kept):
        if (m := BLOCK.match(key)) and (m.group(1) == kind or (kind == "child" and m.group(3).startswith("to_"))):
            kept.pop(key)
    later = 0
    for n in range(counts[kind]):
        if n == gone:
            continue
        for key in data:
            if (m := BLOCK.match(key)) and m.group(1) == kind and int(m.group(2)) == n:
                kept.setlist(f"{kind}_{later}_{m.group(3)}", data.getlist(key))
        later += 1
    if kind == "child":  # the adults' relationships follow the children they are about
        for key in data:
            if (m := BLOCK.match(key)) and m.group(3).startswith("to_") and m.group(3)[3:].isdigit():
                child = int(m.group(3)[3:])
                if child != gone:
                    kept.setlist(f"adult_{m.group(2)}_to_{child - (child > gone)}", data.getlist(key))
    return kept, None


class HouseholdForm(ReferralForm):
    """A household contact taken by phone or email, arranged in the contact's shape (`dataset()`); the household's
    schema (referrals/households.py) decides what is valid."""

    needed = ("referrer_name", "referrer_contact", "source_code", "narrative", "consent_reason")
    concerns = forms.MultipleChoiceField(
        required=False,
        label=_("Concerns"),
        choices=[(f"child:{value}", label) for value, label in ChildConcern.choices],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *args, focus: str | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        for name in [n for n in self.fields if n.startswith(("subject_", "other_"))]:
            del self.fields[name]
        for name in ("cohort", "adult_risk_location", "adult_risk_source"):
            del self.fields[name]
        self.fields["source_code"].help_text = ""  # every one of a household's referrals is about a child
        self.counts = counts_posted(data if data is not None else kwargs.get("initial"))
        for n in range(self.counts["child"]):
            words = gettext("The date of birth of child %(number)s") % {"number": n + 1}
            fields = {f"child_{n}_{key}": field for key, field in _person_fields(n, words).items()}
            # Each child is a referral's subject: the family name, and a date of birth or an age, are needed.
            self.needed = (*self.needed, *(f"child_{n}_{key}" for key in CHILD_NEEDED))
            fields[f"child_{n}_family_name"].help_text = _("Enter 'Unknown' if it is not known")
            fields[f"child_{n}_date_of_birth"].help_text = _("Or give an estimated age below")
            fields[f"child_{n}_address"].help_text = _("Where they live")
            self._add(fields)
        for n in range(self.counts["adult"]):
            words = gettext("The date of birth of adult %(number)s") % {"number": n + 1}
            fields = {f"adult_{n}_{key}": field for key, field in _person_fields(n, words).items()}
            fields[f"adult_{n}_role"] = forms.ChoiceField(
                required=False, label=_("How are they related to the children?"), choices=ADULT_ROLES,
                widget=forms.RadioSelect,
            )  # fmt: skip
            for c in range(self.counts["child"]):
                fields[f"adult_{n}_to_{c}"] = forms.ChoiceField(
                    required=False,
                    label=gettext("Their relationship to child %(number)s, if different") % {"number": c + 1},
                    choices=[("", _("As above")), *ADULT_ROLES],
                )  # fmt: skip
            self._add(fields)
        self.focus = focus

    def add_people_blocks(self, count: int) -> None:
        self.block_count = 0  # no referral "other people" blocks: the children and adults are the household's

    def _add(self, fields: dict) -> None:
        self.fields.update(fields)
        self.govuk_fields(fields)

    def blocks(self, kind: str) -> list[dict]:
        keys = PERSON_KEYS if kind == "child" else (*ADULT_KEYS, *(f"to_{c}" for c in range(self.counts["child"])))
        return [
            {"number": n + 1, "remove": f"{REMOVE}{n}", "id": f"{kind}-{n + 1}", "focus": self.focus == f"{kind}-{n + 1}",
             "fields": [self[f"{kind}_{n}_{key}"] for key in keys]}
            for n in range(self.counts[kind])
        ]  # fmt: skip

    def child_blocks(self):
        return self.blocks("child")

    def adult_blocks(self):
        return self.blocks("adult")

    def can_add_child(self) -> bool:
        return self.counts["child"] < MAX_CHILDREN

    def can_add_adult(self) -> bool:
        return self.counts["adult"] < MAX_ADULTS

    def dataset(self) -> dict:
        """The contact in the API's shape; an empty block is no one (`self.block_of` maps each back to its block)."""
        data = super().dataset()
        value = self.cleaned_data.get
        for key in ("subject", "others", "cohort", "adult_risk_location", "adult_risk_source"):
            data.pop(key, None)
        self.block_of = {"child": [], "adult": []}
        children, adults = [], []
        for n in range(self.counts["child"]):
            child = {key: value(f"child_{n}_{key}", "") or "" for key in PERSON_KEYS}
            if any(child.values()):
                children.append({**child, "estimated_age": _whole(child["estimated_age"])})
                self.block_of["child"].append(n)
        for n in range(self.counts["adult"]):
            adult = {key: value(f"adult_{n}_{key}", "") or "" for key in ADULT_KEYS}
            if not any(adult.values()):
                continue
            adult["estimated_age"] = _whole(adult["estimated_age"])
            adult["relationships"] = [
                {"child": i, "role": role}
                for i, c in enumerate(self.block_of["child"])
                if (role := value(f"adult_{n}_to_{c}", "")) and role != adult["role"]
            ]
            adults.append(adult)
            self.block_of["adult"].append(n)
        return {**data, "children": children, "adults": adults}

    def add_dataset_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for path, messages in error.message_dict.items():
            field, who = self._field_of(path.split("."))
            if who:
                messages = [f"{who}: {m}" for m in messages]
            if field in self.fields and field in self.errors:
                continue
            self.add_error(field if field in self.fields else None, messages)

    def _field_of(self, parts: list[str]) -> tuple[str | None, str]:
        kind = {"children": "child", "adults": "adult"}.get(parts[0])
        if kind is None:
            return field_for(".".join(parts)), ""
        blocks = getattr(self, "block_of", {}).get(kind, [])
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(blocks):
            return None, ""
        n = blocks[int(parts[1])]
        who = (gettext("Child %(number)s") if kind == "child" else gettext("Adult %(number)s")) % {"number": n + 1}
        if len(parts) >= 5 and parts[2] == "relationships" and parts[3].isdigit():
            return f"adult_{n}_role", who
        key = parts[2] if len(parts) == 3 else ("family_name" if kind == "child" else "role")
        return f"{kind}_{n}_{key}", who

    def concern_groups(self):
        return [(gettext("Category of abuse"), list(self["concerns"]))]


def _person_fields(n: int, words: str) -> dict[str, forms.Field]:
    """A person's boxes (the referral form's; `words` name their date of birth in messages), keyed by the dataset's
    names."""
    fields = {key.removeprefix(f"other_{n}_"): field for key, field in block_fields(n).items()}
    fields.pop("role")
    fields["date_of_birth"] = GovukDateText(required=False, label=_("Date of birth"), words=words)
    return fields
