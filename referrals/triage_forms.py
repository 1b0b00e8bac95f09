"""The triage forms: the queue's filters, a screening, a manager's re-rating, a new version of the thresholds and the
reason for a Blue closure (split from referrals/forms.py, which holds the referral's)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.forms import GovukFormMixin
from referrals.forms import _text
from referrals.models import Rating, ReferralCohort, ReferralStatus
from referrals.selectors import UNRATED

RATING_CHOICES = [
    (Rating.RED, _("Red")),
    (Rating.AMBER, _("Amber")),
    (Rating.GREEN, _("Green")),
    (Rating.BLUE, _("Blue")),
]
RATING_HINTS = {Rating.BLUE: _("No MASH response")}


class TriageQueueFilterForm(GovukFormMixin, forms.Form):
    filter_form = True
    rating = forms.ChoiceField(
        required=False, label=_("Rating"), choices=[("", _("Any rating")), *RATING_CHOICES, (UNRATED, _("Not rated"))]
    )
    cohort = forms.ChoiceField(
        required=False, label=_("Cohort"), choices=[("", _("Children and adults")), *ReferralCohort.choices]
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            ("", _("Any open status")),
            *((v, label) for v, label in ReferralStatus.choices if v != ReferralStatus.CLOSED),
        ],
    )
    mine = forms.BooleanField(required=False, label=_("Only mine"))
    immediate = forms.BooleanField(required=False, label=_("Only immediate risk"))

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "immediate": bool(data.get("immediate")),
            "rating": data.get("rating", ""),
            "cohort": data.get("cohort", ""),
            "status": data.get("status", ""),
            "mine": bool(data.get("mine")),
        }


class _RatingFormMixin:
    def rating_options(self) -> list[tuple]:
        """The rating radios with each one's hint (Blue: no MASH response), numbered as the error summary links."""
        return [(option, RATING_HINTS.get(option.data["value"], "")) for option in self["rating"]]


class ScreeningForm(_RatingFormMixin, GovukFormMixin, forms.Form):
    """A screening against one version of the hub's thresholds. Every field is optional here:
    `referrals.triage.referral_screen` decides, and its messages go back by the fields."""

    needed = ("rationale", "confirm_reason")  # the reason: for some answers, as its hint says

    criteria = forms.MultipleChoiceField(
        required=False,
        label=_("Which criteria apply?"),
        help_text=_("Tick every criterion the referral meets"),
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.ChoiceField(required=False, label=_("Threshold level"), widget=forms.RadioSelect)
    rating = forms.ChoiceField(required=False, label=_("RAG rating"), choices=RATING_CHOICES, widget=forms.RadioSelect)
    rationale = _text(
        _("Rationale"),
        rows=8,
        help_text=_("Why this level and rating: what in the referral meets the criteria"),
    )

    immediate_risk = forms.BooleanField(required=False, label=_("Someone is at immediate risk of harm"))
    confirm_reason = _text(
        _("Your reason as accountable manager"),
        rows=3,
        help_text=_(
            "Needed when this screening lowers the rating or the level, says no one is now at immediate risk, "
            "or has criteria or immediate risk that say more concern than its level or rating. It is kept with the "
            "screening."
        ),
    )

    def __init__(self, version, *args, manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        if not manager:
            del self.fields["confirm_reason"]
        self.fields["level"].choices = [(level["code"], level["name"]) for level in version.levels]
        self.fields["criteria"].choices = [
            (criterion["code"], criterion["text"]) for level in version.levels for criterion in level["criteria"]
        ]

    def criteria_groups(self) -> list[tuple[str, list]]:
        """The criteria checkboxes under their level's name, lowest level first."""
        options = list(self["criteria"])
        groups, start = [], 0
        for level in self.version.levels:
            groups.append((level["name"], options[start : start + len(level["criteria"])]))
            start += len(level["criteria"])
        return groups

    def screening(self) -> dict:
        data = self.cleaned_data
        screening = {
            "level": data.get("level", ""),
            "criteria": list(data.get("criteria") or []),
            "rating": data.get("rating", ""),
            "rationale": data.get("rationale", ""),
            "immediate_risk": bool(data.get("immediate_risk")),
        }
        if "confirm_reason" in self.fields:
            screening["confirm_reason"] = data.get("confirm_reason", "")
        return screening


class ReRatingForm(_RatingFormMixin, GovukFormMixin, forms.Form):
    """The manager's change of rating; `referrals.triage.referral_re_rate` decides."""

    needed = ("reason",)

    rating = forms.ChoiceField(
        required=False, label=_("New RAG rating"), choices=RATING_CHOICES, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(required=False, label=_("Threshold level"), widget=forms.RadioSelect)
    reason = _text(_("Reason for the change"), rows=8)

    def __init__(self, version, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(level["code"], level["name"]) for level in version.levels]


LEVEL_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def thresholds_as_text(levels: list[dict]) -> str:
    """A version's levels in the form's words: a line `code | Name` per level, then `- criterion` lines."""
    lines = []
    for level in levels:
        lines.append(f"{level['code']} | {level['name']}")
        lines += [f"- {c['text']}" for c in level["criteria"]]
    return "\n".join(lines)


class ThresholdsForm(GovukFormMixin, forms.Form):
    """A new version of a cohort's thresholds, written as plain lines a hub administrator can edit."""

    levels = forms.CharField(
        label=_("Levels and criteria"),
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=_(
            "One line per level: its code (lower case letters, digits and _; kept from version to version so that "
            "returns can count it), a bar, and its name in your hub's words. Under it, one line per criterion, "
            "starting with a dash. Example: early_help | Early help, then - Additional needs one agency can meet"
        ),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        help_text=_("For example: wording agreed by the board"),
        error_messages={"required": _("Say what changed")},
    )

    def clean_levels(self) -> list[dict]:
        levels: list[dict] = []
        for number, raw in enumerate(self.cleaned_data["levels"].splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("-"):
                if not levels:
                    raise ValidationError(
                        gettext("Line %(number)s: a criterion comes under a level; start with a level line")
                        % {"number": number}
                    )
                text = line[1:].strip()
                if not text:
                    raise ValidationError(
                        gettext("Line %(number)s: write the criterion after the dash") % {"number": number}
                    )
                criteria = levels[-1]["criteria"]
                criteria.append({"code": f"{levels[-1]['code']}.{len(criteria) + 1}", "text": text})
                continue
            code, bar, name = (part.strip() for part in line.partition("|"))
            if not bar or not name:
                raise ValidationError(
                    gettext("Line %(number)s: write a level as code | Name, or a criterion as - text")
                    % {"number": number}
                )
            if not LEVEL_CODE.match(code):
                raise ValidationError(
                    gettext(
                        "Line %(number)s: the code %(code)s must start with a lower-case letter and hold only "
                        "lower-case letters, digits and _"
                    )
                    % {"number": number, "code": repr(code[:40])}
                )
            levels.append({"code": code, "name": name, "criteria": []})
        if not levels:
            raise ValidationError(gettext("Write at least one level"))
        return levels


class ReasonForm(GovukFormMixin, forms.Form):
    """Closing a Blue referral; `referrals.triage_schemas.ClosingSchema` decides what is valid."""

    needed = ("reason",)
    reason = _text(
        _("Why does the hub give no MASH response?"),
        rows=4,
        help_text=_("For example: signposted to the school nurse; no safeguarding concern"),
    )
