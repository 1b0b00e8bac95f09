"""The people section of the referral form: any number of other people, each with how they are involved, in the GOV.UK
"add another" pattern without JavaScript. "Add another person" and each "Remove" are submit buttons named `people`:
the page comes back with one block more or less and everything typed kept (`people_change`), and nothing is stored
or checked until the referral is recorded. Block `n`'s fields are `other_<n>_<key>`; the dataset's message at
`others.<i>.<key>` goes back by the field of the block it came from."""

import re

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.forms import GovukDateText
from referrals.models import PersonRole
from referrals.schemas import MAX_OTHERS

OTHER_KEYS = (
    "role", "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "nhs_number",
    "address", "postcode",
)  # fmt: skip
BLOCK_FIELD = re.compile(r"^other_(\d+)_(\w+)$")
ADD, REMOVE = "add", "remove-"


def blocks_posted(data) -> int:
    """How many people blocks the page had: one more than the highest block number posted (one, on a new form)."""
    numbers = [int(m.group(1)) for key in (data or {}) if (m := BLOCK_FIELD.match(key))]
    return min(max(numbers, default=0) + 1, MAX_OTHERS)


def block_fields(n: int) -> dict[str, forms.Field]:
    """Block `n`'s fields (labels in words; whether one is needed is the schema's, so none is required here)."""
    text = {"required": False}
    return {
        f"other_{n}_role": forms.ChoiceField(
            required=False,
            label=_("How are they involved?"),
            choices=[(value, label) for value, label in PersonRole.choices if value != PersonRole.SUBJECT],
            widget=forms.RadioSelect,
        ),
        f"other_{n}_given_name": forms.CharField(label=_("Given name"), **text),
        f"other_{n}_family_name": forms.CharField(label=_("Family name"), **text),
        f"other_{n}_date_of_birth": GovukDateText(
            label=_("Date of birth"),
            words=gettext("The date of birth of other person %(number)s") % {"number": n + 1},
            **text,
        ),
        f"other_{n}_estimated_age": forms.CharField(
            label=_("Estimated age in years"),
            help_text=_("If the date of birth is not known"),
            **text,
            widget=forms.TextInput({"class": "govuk-input--width-3"}),
        ),  # fmt: skip
        # What the agencies check them by: an amendment keeps them only if the form asks them.
        f"other_{n}_gender": forms.CharField(label=_("Gender"), **text),
        f"other_{n}_ethnicity": forms.CharField(label=_("Ethnicity"), **text),
        f"other_{n}_nhs_number": forms.CharField(
            label=_("NHS number"),
            help_text=_("10 digits, like 943 476 5919"),
            **text,
            widget=forms.TextInput({"class": "govuk-input--width-10"}),
        ),  # fmt: skip
        f"other_{n}_address": forms.CharField(
            label=_("Address"),
            help_text=_("Where they live, if it is not the address above"),
            widget=forms.Textarea(attrs={"rows": 2}),
            **text,
        ),  # fmt: skip
        f"other_{n}_postcode": forms.CharField(
            label=_("Postcode"), widget=forms.TextInput({"class": "govuk-input--width-10"}), **text
        ),
    }


def people_change(data: QueryDict) -> tuple[QueryDict, int | None] | None:
    """What the page holds after "Add another person" or "Remove" (and the block to move to), or None when the
    form was sent to be recorded."""
    asked = data.get("people", "")
    if asked != ADD and not asked.startswith(REMOVE):
        return None
    count = blocks_posted(data)
    kept = data.copy()
    kept.pop("people", None)
    if asked == ADD:
        if count >= MAX_OTHERS:
            return kept, None
        for key in OTHER_KEYS:
            kept[f"other_{count}_{key}"] = ""
        return kept, count
    gone = int(asked.removeprefix(REMOVE)) if asked.removeprefix(REMOVE).isdigit() else -1
    for key in list(kept):
        if BLOCK_FIELD.match(key):
            kept.pop(key)
    later = 0
    for n in range(count):
        if n == gone:
            continue
        for key in OTHER_KEYS:
            kept.setlist(f"other_{later}_{key}", data.getlist(f"other_{n}_{key}"))
        for key in data:  # and the boxes of a field typed in several (other_<n>_date_of_birth_day, …)
            if (m := BLOCK_FIELD.match(key)) and int(m.group(1)) == n and m.group(2) not in OTHER_KEYS:
                kept.setlist(f"other_{later}_{m.group(2)}", data.getlist(key))
        later += 1
    return kept, None


def initial_from(posted: forms.Form) -> dict:
    """What was posted, as each field of the form reads it (a date's three boxes as one value, each checkbox
    ticked), to be a new form's initial values: the form again, with no messages yet."""
    return {name: posted[name].data for name in posted.fields}


class OtherPeopleMixin:
    """For ReferralForm: the blocks, their dataset entries (an empty block is no one), and where their messages go."""

    def add_people_blocks(self, count: int) -> None:
        self.block_count = count
        for n in range(count):
            fields = block_fields(n)
            self.fields.update(fields)
            self.govuk_fields(fields)

    def can_add_person(self) -> bool:
        return self.block_count < MAX_OTHERS

    def people_blocks(self) -> list[dict]:
        """Each block's number (from 1, as people read it), its bound fields and its Remove button's value."""
        return [
            {
                "number": n + 1,
                "remove": f"{REMOVE}{n}",
                "focus": n == getattr(self, "focus", None),
                "fields": [self[f"other_{n}_{key}"] for key in OTHER_KEYS],
            }
            for n in range(self.block_count)
        ]

    def others_dataset(self, value) -> list[dict]:
        """The other people typed, in the dataset's shape; `self.block_of` maps each one back to its block."""
        others, self.block_of = [], []
        for n in range(self.block_count):
            person = {key: value(f"other_{n}_{key}", "") or "" for key in OTHER_KEYS}
            if any(person.values()):
                others.append(person)
                self.block_of.append(n)
        return others

    def other_field(self, parts: list[str]) -> str | None:
        """The field that shows the message at `others.<i>[.<key>]` (a block's message without a key: its role)."""
        if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(getattr(self, "block_of", [])):
            return None
        key = parts[2] if len(parts) == 3 and parts[2] in OTHER_KEYS else "role"
        return f"other_{self.block_of[int(parts[1])]}_{key}"
