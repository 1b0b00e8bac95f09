"""The form renderer: Django's `TemplatesSetting` (widget templates may live in templates/, as govuk/date_input.html
does), keeping each choice widget's HTML once rendered.

A select box's HTML is a template per option, rendered afresh on every page although it depends on nothing but the
widget's name, attributes, options and the option chosen: the triage queue's three filter boxes cost a tenth of the
page's CPU. Here a choice widget (one with options) is rendered once per process for each distinct context, keyed
by everything the template reads, and the HTML is reused. Only widgets whose whole context is plain values (text,
numbers, booleans, None; a lazily translated label as the text it reads in the active language) are kept, so a key
always says everything the HTML shows. Free-text inputs are never kept: what a person typed is not held beyond the
request, and such keys would never repeat.

Libraries checked first: django-cachalot and cacheops (query results, not HTML), Django's `{% cache %}` (a cache
backend round trip per fragment, slower than rendering a select here) and its Jinja2 form renderer (needs every
widget and form template of the project rewritten for Jinja2).
"""

import threading

from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise

# The most widget renderings kept per process; past it the store starts again (a select per filter and value, and
# the forms' choice fields, come to a few hundred).
MAX_KEPT = 2048
_PLAIN = (str, int, float, bool, type(None))


class Unkeyable(Exception):
    """A value of the context that cannot stand in a key (a model, a callable…): the widget is rendered as usual."""


def frozen(value):
    """`value` as a hashable key of the same content; a lazy translation as its text in the active language."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)  # 1, True and "1" are different options
    if isinstance(value, dict):
        return tuple((key, frozen(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(frozen(item) for item in value))
    raise Unkeyable(type(value).__name__)


class KeepingRenderer(TemplatesSetting):
    def __init__(self):
        super().__init__()
        self._kept: dict = {}
        self._lock = threading.Lock()

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if request is None and len(context) == 1 else None
        if not isinstance(widget, dict) or "optgroups" not in widget:
            return super().render(template_name, context, request)
        try:
            key = (template_name, frozen(widget))
        except Unkeyable:
            return super().render(template_name, context, request)
        html = self._kept.get(key)
        if html is None:
            html = super().render(template_name, context, request)
            with self._lock:
                if len(self._kept) >= MAX_KEPT:
                    self._kept.clear()
                self._kept[key] = html
        return html
