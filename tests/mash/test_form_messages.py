"""A missing answer is named, as GOV.UK asks ("Enter the name", "Choose the agency"), never Django's bare "This
field is required." — on every form of the service."""

import copy
import importlib
import inspect

import pytest
from django import forms

from mash.forms import GovukFormMixin, _say_what_is_missing

FORM_MODULES = ["agencies.forms", "agencies.twofactor", "agencies.password_views", "referrals.forms", "referrals.triage_forms",
                "decisions.forms", "reports.forms", "reports.return_forms"]  # fmt: skip
DJANGO_DEFAULT = forms.Field.default_error_messages["required"]


def _service_forms():
    for module in map(importlib.import_module, FORM_MODULES):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            ours = issubclass(cls, GovukFormMixin) and cls.__module__ == module.__name__
            if ours and any(field.required for field in getattr(cls, "base_fields", {}).values()):
                yield cls


class Example(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Name of the school")
    role = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, label="Role")
    code = forms.CharField(label="ISA reference")
    reason = forms.CharField(error_messages={"required": "Say why"})


def test_an_empty_form_names_each_missing_answer():
    form = Example(data={})
    assert not form.is_valid()
    assert form.errors == {
        "name": ["Enter the name of the school"],
        "role": ["Choose the role"],
        "code": ["Enter the ISA reference"],
        "reason": ["Say why"],
    }


@pytest.mark.parametrize("form_class", list(_service_forms()), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_no_form_of_the_service_says_only_this_field_is_required(form_class):
    """Each required field as the mixin leaves it when the form is made (forms take different arguments, so the
    mixin's step is applied to a copy of the declared fields, as `BaseForm.__init__` copies them)."""
    fields = copy.deepcopy(form_class.base_fields)
    for name, field in fields.items():
        _say_what_is_missing(field, name)
    messages = {name: field.error_messages["required"] for name, field in fields.items() if field.required}
    assert DJANGO_DEFAULT not in messages.values(), messages
