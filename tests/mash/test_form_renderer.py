"""The form renderer (mash/form_renderer.py) keeps a choice widget's HTML once rendered: the same HTML as Django's
TemplatesSetting renderer for every value, language and attribute; free text and model choices are never kept."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.utils import translation
from django.utils.translation import gettext_lazy

from mash import form_renderer
from mash.form_renderer import KeepingRenderer

MONTHS = [("1", gettext_lazy("January")), ("2", gettext_lazy("February"))]  # translated by Django's catalogues


class Filters(forms.Form):
    month = forms.ChoiceField(choices=MONTHS, required=False)
    rating = forms.ChoiceField(choices=[("", "Any"), ("red", "Red"), ("amber", "Amber")], required=False)
    words = forms.CharField(required=False)


def _html(form, name, renderer) -> str:
    form.renderer = renderer
    return str(form[name])


def test_the_service_renders_forms_with_the_keeping_renderer():
    assert isinstance(get_default_renderer(), KeepingRenderer)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_kept_select_is_the_html_django_renders_for_each_value(language):
    keeping, plain = KeepingRenderer(), TemplatesSetting()
    with translation.override(language):
        for data in ({}, {"rating": "red"}, {"rating": "amber", "month": "2"}, {"rating": "purple"}):
            for name in ("rating", "month"):
                form = Filters(data)
                form.is_valid()
                first = _html(Filters(data), name, keeping)
                assert first == _html(Filters(data), name, keeping) == _html(form, name, plain), (data, name)
        assert len(keeping._kept) == 6  # each distinct select once: four ratings (one in error), two months
        chosen = _html(Filters({"rating": "amber"}), "rating", keeping)
        assert '<option value="amber" selected>Amber</option>' in chosen and 'red" selected' not in chosen
    with translation.override("cy"):
        assert "Ionawr" in _html(Filters({}), "month", keeping)  # a label in the language of the page
    with translation.override("en"):
        assert "January" in _html(Filters({}), "month", keeping)


def test_free_text_and_model_choices_are_rendered_afresh_not_kept(hub):
    hubs = type(hub).objects.all()

    class People(forms.Form):
        words = forms.CharField(required=False)
        place = forms.ModelChoiceField(queryset=hubs)

    keeping = KeepingRenderer()
    typed = _html(People({"words": "what a person typed"}), "words", keeping)
    assert 'value="what a person typed"' in typed
    assert hub.name in _html(People({}), "place", keeping)
    assert keeping._kept == {}


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(form_renderer, "MAX_KEPT", 2)
    keeping = KeepingRenderer()
    for rating in ("", "red", "amber"):
        _html(Filters({"rating": rating}), "rating", keeping)
    assert len(keeping._kept) == 1  # full at two: started again
