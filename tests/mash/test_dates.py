"""The templates' `date` filter (mash/dates.py) writes what Django's own writes, for every format a template uses,
in English and in Welsh, for times and for dates alone; formats it does not write itself go to Django's filter."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template, engines
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation

from mash import dates

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
USED = sorted({m for path in TEMPLATES.rglob("*.html") for m in re.findall(r'\|date:"([^"]*)"', path.read_text())})
MOMENTS = [
    datetime(2026, 1, 5, 0, 0, 0, tzinfo=UTC),  # a Monday at midnight, single-digit day
    datetime(2026, 3, 29, 0, 30, 5, tzinfo=UTC),  # the clocks go forward in London at 01:00
    datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC),  # a summer evening: the next day in London
    datetime(2026, 9, 9, 9, 7, 3, tzinfo=UTC),
    datetime(2026, 12, 25, 13, 45, 0, tzinfo=UTC),
    datetime(999, 5, 17, 8, 0, 0, tzinfo=UTC),  # a year of three digits, as Django pads it
]
DAYS = [date(2026, 1, 5), date(2026, 2, 28), date(2024, 2, 29), date(2026, 11, 1)]
EXTRA = ["D j M Y", "l, d/m/y G:i", "n/j/Y", "j F Y \\a\\t H:i", "e", "P", "N j, Y", "c"]  # fast and slow


def _rendered(format_string: str, value) -> str:
    return Template(f'{{{{ value|date:"{format_string}" }}}}').render(Context({"value": value}))


def _djangos(format_string: str, value) -> str:
    """Django's own filter, given the value as the template engine gives it (in the current time zone)."""
    return django_date(timezone.localtime(value) if isinstance(value, datetime) else value, format_string)


def _outcome(write, format_string: str, value):
    """The text, or the error's type where Django refuses (a time of day asked of a date alone)."""
    try:
        return write(format_string, value)
    except TypeError as error:
        return type(error)


def test_every_format_the_templates_use_is_written_by_the_fast_path():
    assert len(USED) >= 8 and "j F Y H:i" in USED and "j M Y" in USED
    assert [f for f in USED if dates.pieces(f) is None] == []
    assert engines["django"].engine.template_builtins[-1].filters["date"] is dates.date  # it replaces Django's


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_text_is_djangos_for_every_format_time_and_language(language):
    with translation.override(language), timezone.override("Europe/London"):
        for format_string in USED + EXTRA:
            for moment in MOMENTS:
                assert _rendered(format_string, moment) == _djangos(format_string, moment), (format_string, moment)
            for day in DAYS:
                assert _outcome(_rendered, format_string, day) == _outcome(_djangos, format_string, day)
    if language == "cy":  # the names are Django's Welsh ones, not the English
        with translation.override("cy"):
            assert _rendered("j F Y", MOMENTS[4]) == "25 Rhagfyr 2026"


def test_a_summer_time_is_shown_in_london_time():
    with timezone.override("Europe/London"):
        assert _rendered("j M Y H:i", datetime(2026, 6, 30, 23, 59, tzinfo=UTC)) == "1 Jul 2026 00:59"


def test_what_is_not_a_date_is_as_djangos():
    for value in (None, "", "not a date", 42, timedelta(hours=1)):
        assert _rendered("j M Y", value) == django_date(value, "j M Y")
    assert _rendered("j M Y", None) == ""
    with timezone.override("Europe/London"):  # no format: the DATE_FORMAT setting, through Django's filter
        assert Template("{{ value|date }}").render(Context({"value": MOMENTS[4]})) == django_date(
            timezone.localtime(MOMENTS[4])
        )
    # a time of day asked of a date alone: Django's filter decides (it refuses), not a made-up midnight
    with pytest.raises(TypeError):
        _rendered("j M Y H:i", date(2026, 1, 5))
