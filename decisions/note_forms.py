"""The GOV.UK form of a case note and of its correction. Every rule is the schema's (decisions/note_schemas.py): the
form gathers the values and puts the service's messages back by their fields."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.attachment_forms import file_field
from decisions.models.notes import NoteKind
from mash.forms import GovukDateText, GovukFormMixin

WHEN_HINT = _("Leave the date and the time empty if it is now")


class CorrectionForm(GovukFormMixin, forms.Form):
    needed = ("text",)
    occurred_on = GovukDateText(
        required=False,
        label=_("Date of what the note records"),
        help_text=WHEN_HINT,
        example=lambda: timezone.localdate() - timedelta(days=1),
    )
    occurred_time = forms.CharField(
        required=False,
        label=_("Time of what the note records"),
        help_text=_("On the 24-hour clock, like 14:30. Leave it empty if it is now."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    text = forms.CharField(required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 6}))

    def data_for_service(self) -> dict:
        """What was typed, for the schema to judge (a date typed wrong is the form's own error, left out here)."""
        values = {name: self.cleaned_data.get(name, "") for name in self.fields if name != "file"}
        values["occurred_on"] = values.get("occurred_on") or None
        return values


class NoteForm(CorrectionForm):
    needed = ("kind", "text")
    # Text with the allowed types as radios: the schema judges what was sent (a practitioner sending "management
    # oversight" reads why it is refused).
    kind = forms.CharField(required=False, label=_("Type of note"), widget=forms.RadioSelect)
    field_order = ["kind", "occurred_on", "occurred_time", "text"]

    def __init__(self, *args, may_oversee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = file_field(required=False, label=_("Attach a document or image"))
        kinds = NoteKind.choices
        if not may_oversee:
            kinds = [c for c in kinds if c[0] != NoteKind.MANAGEMENT_OVERSIGHT]
        self.fields["kind"].widget.choices = kinds
