"""Shared form helpers: GOV.UK Design System classes and service errors mapped onto form fields."""

from django import forms
from django.forms.utils import pretty_name

from mash.errors import Conflict

WIDGET_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)


def _say_what_is_missing(field: forms.Field, name: str) -> None:
    """GOV.UK's error messages name what is missing ("Enter the name", "Choose the agency") where Django would say
    only "This field is required."; a message a form sets itself (where the label is not a noun) is kept."""
    if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
        return
    label = str(field.label or pretty_name(name))
    label = label[:1].lower() + label[1:] if label[1:2].islower() else label  # "Role" -> "role", "ISA" stays
    verb = "Choose" if isinstance(field, CHOSEN) else "Enter"
    field.error_messages["required"] = f"{verb} the {label}"


class GovukFormMixin:
    """Adds the GOV.UK classes to each widget; templates/govuk/field.html renders labels, hints and errors."""

    template_name = "govuk/form.html"
    # Fields the form leaves to the input's schema that the schema requires, always or for some answers (its hint
    # says which): their labels never say "(optional)".
    needed: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            self._govuk(name, field)

    def add_field(self, name: str, field: forms.Field) -> None:
        """A field the form makes in its own `__init__` (after this one has run), given the same GOV.UK classes:
        without them a textarea keeps the browser's 40 columns and pushes a phone's page sideways."""
        self.fields[name] = field
        self._govuk(name, field)

    def _govuk(self, name: str, field: forms.Field) -> None:
        field.needed = name in self.needed
        _say_what_is_missing(field, name)
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            return
        css = next((c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)), "govuk-input")
        if isinstance(widget, forms.NumberInput):
            css += " govuk-input--width-10"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if field.help_text:
            widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self):
        """After validation, mark each widget in error as GOV.UK asks: a red border and a link to its message."""
        super().full_clean()
        for name, field in self.fields.items():
            if name not in self.errors or isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            attrs = field.widget.attrs
            error_class = attrs.get("class", "govuk-input").split()[0] + "--error"
            attrs["class"] = f"{attrs.get('class', '')} {error_class}".strip()
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} id_{self.add_prefix(name)}-error".strip()

    def add_service_errors(self, error) -> None:
        """Show a service's error on the form: a ValidationError per field where it names one, otherwise (and a
        Conflict: the referral closed meanwhile, say) at the top."""
        if isinstance(error, Conflict):
            self.add_error(error.field if error.field in self.fields else None, str(error))
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
