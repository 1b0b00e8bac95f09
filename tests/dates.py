"""Dates as a person types them into GOV.UK's date input (mash/forms.py GovukDateInput): a day, a month and a year
box, named `<field>_day`, `<field>_month` and `<field>_year`."""

from datetime import date


def typed_date(name: str, day: date | str | None) -> dict[str, str]:
    """The boxes of the date field `name` holding `day` (a date, or YYYY-MM-DD) as a person would type it (27 3
    2007); empty boxes for "" or None."""
    if not day:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    day = day if isinstance(day, date) else date.fromisoformat(day)
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def typed_dates(data: dict, *names: str) -> dict:
    """`data` with each of the date fields `names` (those present, as YYYY-MM-DD) in its three boxes instead."""
    typed = {key: value for key, value in data.items() if key not in names}
    for name in names:
        if name in data:
            typed.update(typed_date(name, data[name]))
    return typed
