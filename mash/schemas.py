"""One declared schema per input (docs/adr/0007): a DRF serializer that validates the web form's fields (arranged in the
input's shape by the form) and the API's JSON body alike, carries the GOV.UK messages, holds the cross-field rules
in one place, and is the request body of the OpenAPI document.

`Schema` differs from a plain serializer in what people need of it:
- every problem is reported at once: each field's own, then the rules across fields (`check_together`) on the
  values that passed, so a form shows its whole error summary in one go;
- a key the schema does not declare is refused by name, never ignored;
- the fields are strict about JSON types (text is text, a number is a number, true is a boolean: "34" and "false" are
  refused), and their messages say what to do.

`validated(SchemaClass, data, **context)` returns the cleaned values or raises Django's ValidationError keyed by
dotted paths (`subject.nhs_number`, `others.1.role`, `actions.0.due_on`): the one error services raise for bad input.
"""

import threading
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty

from mash.words import filled


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as {dotted path: [messages]}."""
    if isinstance(detail, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            for path, messages in flatten(value, f"{prefix}{key}.").items():
                out.setdefault(path, []).extend(messages)
        return out
    if isinstance(detail, list) and detail and not all(isinstance(item, str) for item in detail):
        out = {}
        for i, item in enumerate(detail):
            if item:
                for path, messages in flatten(item, f"{prefix}{i}.").items():
                    out.setdefault(path, []).extend(messages)
        return out
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix.rstrip(".") or "__all__": [str(m) for m in messages]}


def validated(schema_class, data, **context) -> dict:
    """The input cleaned by its schema, or Django's ValidationError with a message per dotted path.

    Each thread keeps an idle instance of each schema and gives it this call's context: its fields are built once
    (DRF builds a serializer's fields by copying every declared field, most of the cost of checking a small API
    request). Schemas keep no state while they check (what they find is returned or raised); a schema checked
    inside its own check (none today) gets an instance of its own."""
    idle = _idle.__dict__.setdefault("schemas", {})
    schema = idle.pop(schema_class, None) or schema_class()
    schema._context = context
    try:
        return schema.run_validation(data)
    except ValidationError as exc:
        raise DjangoValidationError(flatten(exc.detail)) from None
    finally:
        schema._context = {}
        idle[schema_class] = schema


_idle = threading.local()


class Schema(serializers.Serializer):
    """A declared input: see the module's docstring."""

    unknown = _("This field is not part of this form")
    not_an_object = _("Send this as a JSON object")

    def run_validation(self, data=empty):
        if data is empty or data is None:
            data = {}
        return self.to_internal_value(data)

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise ValidationError([str(self.not_an_object)])
        errors: dict = {key: [str(self.unknown)] for key in sorted(set(data) - set(self.fields), key=str)}
        values: dict = {}
        for field in self._writable_fields:
            try:
                values[field.field_name] = field.run_validation(field.get_value(data))
            except ValidationError as exc:
                errors[field.field_name] = exc.detail
                if getattr(exc, "partial", None) is not None:
                    # A nested input's parts that passed still count in the rules across fields (the subject's
                    # age decides the cohort even when their family name is missing); `failed` names the rest.
                    values[field.field_name] = exc.partial
            except SkipField:
                continue  # DRF's way of saying an absent field without a default: it is left out of the values
        failed = set(flatten(errors))
        for path, messages in self.check_together(values, failed).items():
            if path not in failed:  # a field's own message says what to fix first
                errors[path] = messages if isinstance(messages, list) else [messages]
        if errors:
            refused = ValidationError(errors)
            refused.partial = values
            raise refused
        return values

    def check_together(self, values: dict, failed: set) -> dict:
        """The rules across fields, on the values that passed their own checks (`failed`: the dotted paths that did
        not). Returns {dotted path: message or [messages]}; may also complete `values` (defaults, derived facts)."""
        return {}


def _given(message) -> bool:
    """Whether a message was given: a lazy text (gettext_lazy, made at import) is, without being read before the
    translations are ready."""
    return isinstance(message, Promise) or bool(message)


class Lenient:
    """A field whose missing, null or empty value goes through its own checks (so it can say what is missing):
    `to_internal_value` is the whole of its validation."""

    def run_validation(self, data=empty):
        return self.to_internal_value(None if data is empty else data)

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, None) if isinstance(dictionary, Mapping) else None


class Text(Lenient, serializers.CharField):
    """Text, trimmed: `required` is the message when it is empty (None: it may be); at most `limit` characters
    (`too_long` says so in the field's own words)."""

    def __init__(self, *, limit: int, required: str | None = None, too_long: str | None = None, **kwargs):
        self.required_message = required
        self.too_long = too_long if _given(too_long) else filled(_("Enter no more than %(limit)s characters"),
                                                                limit=f"{limit:,}")  # fmt: skip
        # The length validator stays for the OpenAPI document; the check itself is below, in the service's words.
        # An optional text may be sent as null (read as empty): the OpenAPI document says so.
        kwargs.setdefault("allow_null", not _given(required))
        super().__init__(max_length=limit, required=_given(required), allow_blank=not _given(required), **kwargs)

    def to_internal_value(self, data):
        if data is None:
            data = ""
        if not isinstance(data, str):
            self.fail_with(_("Enter text"))
        value = data.strip()
        if not _encodable(value) or any(_refused(c, multiline=self.max_length >= MULTILINE) for c in value):
            self.fail_with(_("Remove the invalid characters from this text (control or text-direction characters)"))
        if value and all(_invisible(c) for c in value):
            self.fail_with(_("Enter text with visible characters, or leave this empty"))
        if self.required_message and not value:
            self.fail_with(self.required_message)
        if len(value) > self.max_length:
            self.fail_with(self.too_long)
        return value

    def fail_with(self, message: str):
        raise ValidationError(message)


# Text this long (an address, a narrative) may have several lines: newlines and tabs are kept (a name is one line).
MULTILINE = 300
# Characters that reorder how text is shown (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates): a name
# could read one way and sort or match another. The marks U+200E/U+200F stay (right-to-left names need them).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Blank or invisible by themselves (besides whitespace and format characters such as zero-width spaces, U+FEFF).
_BLANKS = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")


def _refused(char: str, *, multiline: bool) -> bool:
    """A control character (newline, carriage return and tab only in text of several lines) or a bidi control."""
    if char in _BIDI_CONTROLS:
        return True
    if unicodedata.category(char) != "Cc":
        return False
    return not (multiline and char in "\n\r\t")


def _invisible(char: str) -> bool:
    return char.isspace() or char in _BLANKS or unicodedata.category(char) == "Cf"


def _encodable(text: str) -> bool:
    """Stores as UTF-8 (a lone surrogate from JSON's \\ud800 escapes does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Choice(Lenient, serializers.ChoiceField):
    """One of `choices`; `message` when it is anything else (or missing, unless `optional`: then "")."""

    def __init__(self, choices, *, message: str, optional: bool = False, **kwargs):
        self.message, self.optional = message, optional
        super().__init__(choices=choices, required=not optional, allow_blank=optional, **kwargs)

    def to_internal_value(self, data):
        if data in (None, "") and self.optional:
            return ""
        if not isinstance(data, str) or data not in self.choices:
            raise ValidationError(self.message)
        return data


class Choices(Lenient, serializers.MultipleChoiceField):
    """A list of values from `choices` (each once, in the order given); `required` is the message when empty. `loose`
    leaves which values are allowed to the schema's rules across fields (they depend on another field)."""

    def __init__(self, choices, *, message: str, required: str | None = None, loose: bool = False, **kwargs):
        self.message, self.required_message, self.loose = message, required, loose
        super().__init__(choices=choices, required=_given(required), allow_empty=not _given(required), **kwargs)

    def to_internal_value(self, data):
        if data is None:
            data = []
        if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
            raise ValidationError(self.message)
        if not self.loose and any(v not in self.choices for v in data):
            raise ValidationError(self.message)
        if self.required_message and not data:
            raise ValidationError(self.required_message)
        return list(dict.fromkeys(data))


class Flag(Lenient, serializers.BooleanField):
    """true or false (JSON booleans; the text "false" is not one); missing is `default`."""

    def __init__(self, *, message: str, default: bool | None = False, **kwargs):
        self.message, self.fallback = message, default
        super().__init__(required=default is None, **kwargs)

    def to_internal_value(self, data):
        if data is None and self.fallback is not None:
            return self.fallback
        if not isinstance(data, bool):
            raise ValidationError(self.message)
        return data


class Whole(Lenient, serializers.IntegerField):
    """A whole number (a JSON number, not text) from `low` to `high`, or nothing."""

    def __init__(self, *, low: int, high: int, message: str, **kwargs):
        self.message = message
        super().__init__(min_value=low, max_value=high, required=False, allow_null=True, **kwargs)
        self.validators = []

    def to_internal_value(self, data):
        if data is None:
            return None
        if isinstance(data, bool) or not isinstance(data, int) or not self.min_value <= data <= self.max_value:
            raise ValidationError(self.message)
        return data


def _parsed(data, parser):
    """`parser`'s reading of text, or None for anything it cannot read (or that is not text)."""
    try:
        return parser(data) if isinstance(data, str) else None
    except ValueError:
        return None


class _Optional(Lenient):
    """A field that may be left out (None), whose one message says what to send instead."""

    def __init__(self, *, message: str, **kwargs):
        self.message = message
        super().__init__(required=False, allow_null=True, **kwargs)


# No date or time before this year is a real one in this service (the earliest records, or a date of birth, are
# checked against tighter bounds by each schema); years before it only break arithmetic on dates.
FIRST_YEAR = 1900


class Day(_Optional, serializers.DateField):
    """A date as YYYY-MM-DD (an impossible one, like month 13, is refused too), or nothing."""

    def to_internal_value(self, data):
        if data in (None, ""):
            return None
        if isinstance(data, date) and not isinstance(data, datetime):
            return data
        parsed = _parsed(data, parse_date)
        if parsed is None:
            raise ValidationError(self.message)
        if parsed.year < FIRST_YEAR:
            raise ValidationError(gettext("Enter a date from the year %(year)s onwards") % {"year": FIRST_YEAR})
        return parsed


class Moment(_Optional, serializers.DateTimeField):
    """An instant with its offset (2026-11-25T09:30:00+00:00 or …Z), in UTC, from FIRST_YEAR on; or nothing (null or
    left out: "" is not a date-time, as the schema says)."""

    def to_internal_value(self, data):
        if data is None:
            return None
        parsed = data if isinstance(data, datetime) else _parsed(data, parse_datetime)
        if parsed is None or timezone.is_naive(parsed):
            raise ValidationError(self.message)
        try:  # in UTC, which year 1 at +01:00 (or 9999 at -01:00) cannot be: refused, never a 500 later on
            parsed = parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError(self.message) from None
        if not FIRST_YEAR <= parsed.year < 9999:
            raise ValidationError(gettext("Enter a time from the year %(year)s onwards") % {"year": FIRST_YEAR})
        return parsed
