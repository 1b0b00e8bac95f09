"""The forms of the person index's pages: what a suggested record is to the subject, and undoing a link. Each only
gathers what was typed; the schemas (referrals/link_schemas.py `LinkSchema`, `LinkUndoSchema`) decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mash.forms import GovukFormMixin
from referrals.models import LinkKind


class LinkForm(GovukFormMixin, forms.Form):
    """One suggestion answered: prefixed by the suggestion (`prefix_for`), so the referral page's forms keep their
    own ids."""

    needed = ("kind", "reason")
    kind = forms.ChoiceField(
        required=False, label=_("What is this record to the subject?"), choices=LinkKind.choices,
        widget=forms.RadioSelect,
        help_text=_("Same person joins the two chronologies; the others show on the household view only"),
    )  # fmt: skip
    reason = forms.CharField(
        required=False, label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for every answer. For example: same NHS number and date of birth; school confirms "
                    "they are brothers"),
    )  # fmt: skip

    @staticmethod
    def prefix_for(match) -> str:
        return f"match-{match.pk}"


class UndoForm(GovukFormMixin, forms.Form):
    needed = ("reason",)
    reason = forms.CharField(
        required=False, label=_("Why is this link wrong?"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the school confirms these are twins, not one child"),
    )  # fmt: skip
