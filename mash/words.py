"""Small pieces of wording shared by code and templates (a built-in template library: no `{% load %}` needed)."""

from django import template

register = template.Library()


@register.filter
def possessive(name) -> str:
    """ "Northshire Police's", and "Children's Services'" for a name ending in s (not "Children's Services's")."""
    name = str(name or "").rstrip()
    if not name:
        return ""
    return f"{name}'" if name[-1] in "sS" else f"{name}'s"
