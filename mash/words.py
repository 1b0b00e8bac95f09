"""Words for people where the service holds codes, and the one possessive: template filters, built in to every
template (settings.TEMPLATES `builtins`), and the functions behind them for Python that writes text.

- `possessive`: "Northshire Police's", "Children's Services'" (a name ending in s takes the apostrophe alone);
- `in_words`: a code ("own_home", "early_help") as the label its field's choices give it, else the code with spaces;
- `one_of`: the labels of choices joined for a message ("own home, care home or hospital").
"""

from functools import cache

from django import template
from django.apps import apps
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def possessive(name) -> str:
    """ "Northshire Police's", and "Children's Services'" for a name ending in s (not "Children's Services's"). In
    Welsh the name alone: the owner follows what is owned ("trothwyon Hyb Gogledd"), which the sentence places."""
    name = str(name or "").rstrip()
    if not name or get_language() == "cy":
        return name
    return f"{name}'" if name[-1] in "sS" else f"{name}'s"


@cache
def _labels_in(language: str | None) -> dict[str, str]:
    """Every code the models' fields choose from, with its label in `language` (the first label wins where codes
    repeat); kept per language, since a label is the active language's text when it is read."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in (
                getattr(field, "flatchoices", None)
                or getattr(getattr(field, "base_field", None), "flatchoices", None)
                or []
            ):
                if isinstance(value, str):
                    labels.setdefault(value, str(label))
    return labels


def _labels() -> dict[str, str]:
    return _labels_in(get_language())


@register.filter
def in_words(code) -> str:
    """The label of `code`, or the code itself with its underscores as spaces, first letter capital."""
    code = "" if code is None else str(code)
    words = _labels().get(code) or code.replace("_", " ")
    return words[:1].upper() + words[1:]


def plain(value):
    """`value` with every lazy text in it (a choice's label) as the text itself, in the active language: what JSON
    and a digest take."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return str(value) if isinstance(value, Promise) else value


# The words that join the last two labels of a list, in the active language.
JOINERS = {"or": _("or"), "and": _("and")}


def one_of(choices, joiner: str = "or") -> str:
    """The labels of `choices` (pairs of code and label), lower case, as a list in a sentence, in the active language
    ("or" and "and" too). A message made at import (a schema's field) takes `one_of_lazy`, read when it is shown."""
    labels = [str(label) for _code, label in choices]
    labels = [label[:1].lower() + label[1:] if label[1:2].islower() else label for label in labels]  # "UK" stays
    word = str(JOINERS.get(joiner, joiner))
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} {word} {labels[-1]}"


one_of_lazy = lazy(one_of, str)


def filled(text, **values):
    """A lazy text (gettext_lazy) with `%(name)s` placeholders, filled with `values` when it is read, in the language
    active then: for a message with a value that is made at import (a schema's field, a class attribute)."""
    return _filled(text, values)


def _fill(text, values) -> str:
    return str(text) % values


_filled = lazy(_fill, str)


def _decimal(value):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def translated(text):
    """A text kept in the source language (a choice's label in a return's figures), in the active language where the
    catalogue has it; anything else as it is."""
    return gettext(text) if isinstance(text, str) and text else text


@register.filter
def duration(value) -> str:
    """A length of time in words, from a timedelta or seconds: "30 minutes", "1 hour 30 minutes"."""
    from mash.sessions import in_words as time_in_words

    seconds = value.total_seconds() if hasattr(value, "total_seconds") else value
    try:
        return time_in_words(int(seconds))
    except (TypeError, ValueError):
        return ""


@register.filter
def money(value) -> str:
    """Pounds as people write them: £1,365,000, or £1,365,000.50 when there are pence; anything else unchanged."""
    amount = _decimal(value)
    if amount is None or value in (None, ""):
        return value
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


@register.filter
def fte(value) -> str:
    """Full-time equivalents without trailing zeros: 24.5, 3."""
    amount = _decimal(value)
    if amount is None or value in (None, ""):
        return value
    text = f"{amount:,.2f}".rstrip("0").rstrip(".")
    return text


@register.filter
def day(value) -> str:
    """A date as people write it, "14 July 2026", from a date or the ISO text a return's figures keep; anything
    else unchanged."""
    from datetime import date

    from django.utils.dateformat import format as date_format

    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value, "j F Y") if isinstance(value, date) else value


# Figures of a return as a reader expects them: "10,000" referrals, "87 %", "3.8" hours. Each passes text through
# unchanged (a suppressed count reads "<5") and shows a missing figure (None) in words: the filter's argument, else
# "Not applicable".
NOT_APPLICABLE = _("Not applicable")


def _number(value):
    """`value` as a number, or None when it is text (a suppressed "<5"), missing or not a number."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    return _decimal(value)


def _rounded(amount, places: int = 0) -> str:
    """`amount` to `places` decimals, halves up as people round (2.5 → 3, not Python's 2), with separators."""
    from decimal import ROUND_HALF_UP, Decimal

    return f"{amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


@register.filter
def count(value, missing: str = NOT_APPLICABLE) -> str:
    """A whole number with thousands separators: 10,000."""
    if value is None:
        return missing
    amount = _number(value)
    return value if amount is None else _rounded(amount)


@register.filter
def percent(value, missing: str = NOT_APPLICABLE) -> str:
    """A percentage, whole, with a space before the sign: "87 %"; one decimal where a whole number would round a
    part to none or all ("0.4 %", "99.6 %"). The space is a no-break space: the sign never wraps on its own."""
    if value is None:
        return missing
    amount = _number(value)
    if amount is None:
        return value
    whole = _rounded(amount)
    if whole in ("0", "100") and amount not in (0, 100):
        return f"{_rounded(amount, 1)}\u00a0%"
    return f"{whole}\u00a0%"


@register.filter
def hours(value, missing: str = NOT_APPLICABLE) -> str:
    """Hours with one decimal: 3.8, 144.0, 1,250.5."""
    if value is None:
        return missing
    amount = _number(value)
    return value if amount is None else _rounded(amount, 1)


@register.filter
def plural(value, suffixes: str = "s") -> str:
    """Django's `pluralize` for a figure that may be text: a suppressed count ("<5") is more than one (`pluralize`
    gives "" for text it cannot read as a number: "<5 referral")."""
    from django.template.defaultfilters import pluralize

    if isinstance(value, str) and _decimal(value) is None:
        return suffixes.split(",")[-1] if "," in suffixes else suffixes
    return pluralize(value, suffixes)
