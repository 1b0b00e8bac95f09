"""GOV.UK forms for consent and sharing decisions: they gather the values; every rule and message is the service's
schema's (decisions.schemas.ConsentSchema, SharingDecisionSchema)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.forms import _ServiceErrors as ServiceErrors
from decisions.forms import _text as text_box
from decisions.models import LawfulBasis, NotAgreedReason, SharingKind
from mash.forms import GovukFormMixin

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
AS_FLAG = {"yes": True, "no": False}


class ConsentRecordForm(ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("reason_detail",)  # for another reason
    told = forms.ChoiceField(required=False, choices=YES_NO, widget=forms.RadioSelect)
    agreed = forms.ChoiceField(required=False, choices=YES_NO, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        required=False, label=_("If not, why not?"), widget=forms.RadioSelect,
        help_text=_("Required when they were not told or did not agree"),
    )  # fmt: skip
    reason_detail = text_box(
        _("More about the reason"), rows=3, help_text=_("Required for another reason: say what it is")
    )

    def __init__(self, *args, adult: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if adult:
            self.fields["told"].label = _("Was the adult told of the referral?")
            self.fields["agreed"].label = _("Did the adult agree to the referral and to information being shared?")
        else:
            self.fields["told"].label = _("Was the parent or carer told of the referral?")
            self.fields["agreed"].label = _(
                "Did the parent or carer agree to the referral and to information being shared?"
            )
        self.fields["agreed"].help_text = _("Answer no if they were not told")
        self.fields["reason"].choices = [
            (value, label) for value, label in NotAgreedReason.choices
            if adult or value != NotAgreedReason.LACKS_CAPACITY
        ]  # fmt: skip

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        told = AS_FLAG.get(data.get("told"))
        agreed = AS_FLAG.get(data.get("agreed"))
        if told is False and agreed is None:
            agreed = False  # not told: they cannot have agreed
        return {"told": told, "agreed": agreed, "reason": data.get("reason", ""),
                "reason_detail": data.get("reason_detail", "")}  # fmt: skip


class SharingDecisionForm(ServiceErrors, GovukFormMixin, forms.Form):
    needed = ("what", "with_whom", "rationale")
    kind = forms.ChoiceField(
        required=False, label=_("What was decided?"), choices=SharingKind.choices, widget=forms.RadioSelect
    )
    what = text_box(_("What information?"), rows=3)
    with_whom = text_box(_("With whom?"), help_text=_("The agency or person it is shared with, or would have been"))
    rationale = text_box(_("Rationale"), rows=5, help_text=_("Why, weighing the risk of sharing against not sharing"))
    lawful_basis = forms.ChoiceField(
        required=False, label=_("Lawful basis"), choices=LawfulBasis.choices, widget=forms.RadioSelect,
        help_text=_("Required to share without consent; leave it when deciding not to share"),
    )  # fmt: skip

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in ("kind", "what", "with_whom", "rationale",
                                                                   "lawful_basis")}  # fmt: skip
