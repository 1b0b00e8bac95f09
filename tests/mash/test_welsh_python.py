"""Cymraeg (issue 22): the texts people read that Python builds (form labels, hints and messages, a schema's or a
service's errors, flash messages, choices' labels) are marked for translation, as the templates' are. The catalogue
checks (test_welsh.py) see only what is marked; mash/unmarked.py reads the code for what is not."""

import ast

from mash.unmarked import _unmarked_in, unmarked


def test_no_text_a_person_reads_is_left_unmarked():
    assert unmarked() == []


def _found(source: str) -> list[str]:
    return [ast.unparse(node) for node in _unmarked_in(ast.parse(source))]


def test_the_finder_sees_each_kind_of_text_and_passes_marked_ones():
    """The check above can fail: each kind of unmarked text is found, and the same text marked is not."""
    unmarked_source = """
from django import forms, messages
from django.db import models
class Colour(models.TextChoices):
    RED = "red", "Red"
class F(forms.Form):
    name = forms.CharField(label="Name", help_text="As on the passport", error_messages={"required": "Enter a name"})
def view(request, form, n):
    messages.success(request, "Saved")
    form.add_error("name", f"Too long by {n}")
    raise ValidationError({"name": "Enter the name"})
"""
    assert sorted(_found(unmarked_source)) == sorted([
        "'Name'", "'As on the passport'", "'Enter a name'", "'Saved'", "f'Too long by {n}'", "'Enter the name'", "'Red'"
    ])  # fmt: skip
    marked_source = "from django.utils.translation import gettext as _, gettext_lazy\n" + (
        unmarked_source.replace('"Red"', 'gettext_lazy("Red")')
        .replace('label="Name"', 'label=_("Name")')
        .replace('help_text="As on the passport"', 'help_text=_("As on the passport")')
        .replace('"Enter a name"', '_("Enter a name")')
        .replace('"Saved"', '_("Saved")')
        .replace('f"Too long by {n}"', '_("Too long by %(n)s") % {"n": n}')
        .replace('"Enter the name"', '_("Enter the name")')
    )
    assert _found(marked_source) == []
