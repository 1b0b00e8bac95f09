"""The standard referral dataset: one set of rules for the web form and the API, one message per field.

`clean(raw, hub=…, now=…)` takes the referral as plain data (the API's JSON, or the web form's fields arranged the
same way) and returns it cleaned, or raises ValidationError whose keys are dotted paths — `narrative`,
`referrer.contact`, `subject.nhs_number`, `others.1.postcode` — so each message lands on its own field.
"""

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from agencies.codes import ReferralSource
from agencies.models import Cohort
from referrals.models import (
    AdultRiskLocation,
    AdultRiskSource,
    AdultRiskType,
    ChildConcern,
    Consent,
    PersonRole,
    ReferralCohort,
)

POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
ADULT_AGE = 18
TOP_LEVEL = {
    "cohort", "received_at", "referrer", "source_code", "concerns", "adult_risk_location", "adult_risk_source",
    "narrative", "immediate_risk", "consent", "consent_reason", "subject", "others",
}  # fmt: skip
PERSON_FIELDS = {
    "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "nhs_number", "address",
    "postcode",
}  # fmt: skip
REFERRER_FIELDS = {"name", "role", "contact"}


def nhs_number_problem(value: str) -> str | None:
    """None if `value` is a valid NHS number: 10 digits, the last a Modulus 11 check digit."""
    digits = value.replace(" ", "").replace("-", "")
    if not re.fullmatch(r"\d{10}", digits):
        return "Enter an NHS number of 10 digits"
    if nhs_check_digit(digits[:9]) != digits[9]:
        return "Enter a valid NHS number: the check digit does not match"
    return None


def nhs_check_digit(first_nine: str) -> str | None:
    """The Modulus 11 check digit that completes nine digits, or None where no NHS number can begin with them."""
    check = (11 - sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11) % 11
    return None if check == 10 else str(check)


def normal_postcode(value: str) -> str | None:
    """The postcode in capitals with one space before the last three characters, or None if not a UK postcode."""
    compact = re.sub(r"\s+", "", value.upper())
    if not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


class _Errors:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)


def _text(raw: dict, key: str, errors: _Errors, path: str, *, required: str | None = None, limit: int = 200) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, "Enter text")
        return ""
    value = value.strip()
    if "\x00" in value or not _encodable(value):
        errors.add(path, "Remove the invalid characters from this text")
        return ""
    if required and not value:
        errors.add(path, required)
    elif len(value) > limit:
        errors.add(path, f"Enter no more than {limit} characters")
    return value


def _parsed(parse, text: str):
    """Django's parsers return None for a malformed value but raise for a well-formed impossible one (month 13)."""
    try:
        return parse(text)
    except ValueError:
        return None


def _encodable(text: str) -> bool:
    """Stores as UTF-8 (a lone surrogate from JSON's \\ud800 escapes does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unknown(raw: dict, allowed: set, errors: _Errors, prefix: str) -> None:
    for key in sorted(set(raw) - allowed):
        errors.add(f"{prefix}{key}", "This field is not part of the referral dataset")


def _person(raw, path: str, errors: _Errors, today: date, *, subject: bool) -> dict:
    if not isinstance(raw, dict):
        errors.add(path, "Enter the person's details")
        return {}
    allowed = PERSON_FIELDS if subject else PERSON_FIELDS | {"role"}
    _unknown(raw, allowed, errors, f"{path}.")
    person = {
        "given_name": _text(raw, "given_name", errors, f"{path}.given_name", limit=100),
        "family_name": _text(
            raw, "family_name", errors, f"{path}.family_name", limit=100,
            required="Enter the family name, or 'Unknown'" if subject else None,
        ),
        "gender": _text(raw, "gender", errors, f"{path}.gender", limit=40),
        "ethnicity": _text(raw, "ethnicity", errors, f"{path}.ethnicity", limit=80),
        "address": _text(raw, "address", errors, f"{path}.address", limit=300),
    }  # fmt: skip
    if not subject:
        role = raw.get("role")
        if role not in PersonRole.values or role == PersonRole.SUBJECT:
            errors.add(f"{path}.role", "Choose how this person is involved: " + ", ".join(PersonRole.values[1:]))
        person["role"] = role
    dob_raw = raw.get("date_of_birth") or None
    dob = _parsed(parse_date, dob_raw) if isinstance(dob_raw, str) else dob_raw if isinstance(dob_raw, date) else None
    if dob_raw is not None and dob is None:
        errors.add(f"{path}.date_of_birth", "Enter the date of birth as YYYY-MM-DD")
    elif dob and dob > today:
        errors.add(f"{path}.date_of_birth", "The date of birth must be in the past")
    elif dob and dob.year < today.year - 120:
        errors.add(f"{path}.date_of_birth", "Enter a date of birth within the last 120 years")
    age = raw.get("estimated_age")
    if age in ("", None):
        age = None
    elif isinstance(age, str) and age.isdigit():
        age = int(age)
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120):
        errors.add(f"{path}.estimated_age", "Enter an estimated age in whole years, from 0 to 120")
        age = None
    if subject and dob is None and age is None and not errors.errors.get(f"{path}.date_of_birth"):
        errors.add(f"{path}.date_of_birth", "Enter the date of birth, or an estimated age")
    person["date_of_birth"], person["estimated_age"] = dob, age
    nhs = _text(raw, "nhs_number", errors, f"{path}.nhs_number", limit=12)
    if nhs and (problem := nhs_number_problem(nhs)):
        errors.add(f"{path}.nhs_number", problem)
    person["nhs_number"] = nhs.replace(" ", "").replace("-", "")
    postcode = _text(raw, "postcode", errors, f"{path}.postcode", limit=10)
    if postcode and normal_postcode(postcode) is None:
        errors.add(f"{path}.postcode", "Enter a real UK postcode, like SW1A 1AA")
    person["postcode"] = normal_postcode(postcode) if postcode else ""
    return person


def _age_on(person: dict, day: date) -> int | None:
    if person.get("date_of_birth"):
        dob = person["date_of_birth"]
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return person.get("estimated_age")


def clean(raw: dict, *, hub, now: datetime | None = None) -> dict:
    """The referral, cleaned; or ValidationError with one message per field (dotted paths)."""
    errors = _Errors()
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not isinstance(raw, dict):
        raise ValidationError({"non_field_errors": ["Send the referral as a JSON object"]})
    _unknown(raw, TOP_LEVEL, errors, "")
    data: dict = {}

    received = raw.get("received_at")
    if received in (None, ""):
        data["received_at"] = now
    else:
        parsed = _parsed(parse_datetime, received) if isinstance(received, str) else received
        if not isinstance(parsed, datetime) or timezone.is_naive(parsed):
            errors.add("received_at", "Enter the time received with its offset, like 2026-11-25T09:30:00+00:00")
        elif parsed > now:
            errors.add("received_at", "The time received cannot be in the future")
        else:
            data["received_at"] = parsed

    referrer = raw.get("referrer")
    if not isinstance(referrer, dict):
        errors.add("referrer", "Enter who made the referral")
        referrer = {}
    _unknown(referrer, REFERRER_FIELDS, errors, "referrer.")
    data["referrer"] = {
        "name": _text(referrer, "name", errors, "referrer.name", required="Enter the referrer's name", limit=120),
        "role": _text(referrer, "role", errors, "referrer.role", limit=120),
        "contact": _text(
            referrer, "contact", errors, "referrer.contact",
            required="Enter a phone number or email address for the referrer",
        ),
    }  # fmt: skip

    data["subject"] = _person(raw.get("subject"), "subject", errors, today, subject=True)
    others = raw.get("others", [])
    if others is None:
        others = []
    if not isinstance(others, list):
        errors.add("others", "Send the other people as a list")
        others = []
    data["others"] = [_person(p, f"others.{i}", errors, today, subject=False) for i, p in enumerate(others[:20])]
    if len(others) > 20:
        errors.add("others", "Name no more than 20 other people")

    age = _age_on(data["subject"], today)
    cohort = raw.get("cohort") or None
    if cohort is not None and cohort not in ReferralCohort.values:
        errors.add("cohort", "Choose child or adult")
        cohort = None
    data["cohort_overridden"] = cohort is not None
    data["cohort"] = cohort or (ReferralCohort.ADULT if age is not None and age >= ADULT_AGE else ReferralCohort.CHILD)
    served = {Cohort.CHILDREN: {ReferralCohort.CHILD}, Cohort.ADULTS: {ReferralCohort.ADULT}}.get(
        hub.cohorts, {ReferralCohort.CHILD, ReferralCohort.ADULT}
    )
    if data["cohort"] not in served:
        noun = "children" if data["cohort"] == ReferralCohort.CHILD else "adults"
        errors.add("cohort", f"{hub.name} does not take referrals about {noun}")
    child = data["cohort"] == ReferralCohort.CHILD

    source = raw.get("source_code") or ""
    if child and source not in ReferralSource.values:
        errors.add(
            "source_code", "Choose the referral source: one of the 22 Children in Need codes, such as 6 for police"
        )
    elif source and source not in ReferralSource.values:
        errors.add("source_code", "Choose a Children in Need referral-source code, or leave it out for an adult")
    data["source_code"] = source

    concerns = raw.get("concerns") or []
    allowed = ChildConcern.values if child else AdultRiskType.values
    if not isinstance(concerns, list) or not concerns:
        errors.add("concerns", "Choose at least one concern")
        concerns = []
    else:
        unknown = [c for c in concerns if c not in allowed]
        if unknown:
            errors.add("concerns", f"Choose concerns from: {', '.join(allowed)}")
    data["concerns"] = sorted({c for c in concerns if c in allowed})

    location = raw.get("adult_risk_location") or ""
    if not child and location not in AdultRiskLocation.values:
        errors.add("adult_risk_location", "Choose where the risk is, such as own_home")
    elif child and location:
        errors.add("adult_risk_location", "Location of risk is recorded for adults only")
    data["adult_risk_location"] = location if not child else ""

    risk_source = raw.get("adult_risk_source") or ""
    if not child and risk_source not in AdultRiskSource.values:
        errors.add(
            "adult_risk_source",
            "Choose who the risk is from: service_provider, known_to_individual or unknown_to_individual",
        )
    elif child and risk_source:
        errors.add("adult_risk_source", "Source of risk is recorded for adults only")
    data["adult_risk_source"] = risk_source if not child else ""

    data["narrative"] = _text(
        raw, "narrative", errors, "narrative", required="Describe the concern in your own words", limit=20_000
    )
    immediate = raw.get("immediate_risk", False)
    if immediate in ("true", "on", "yes"):
        immediate = True
    elif immediate in ("", "false", "no", None):
        immediate = False
    if not isinstance(immediate, bool):
        errors.add("immediate_risk", "Say whether anyone is at immediate risk: true or false")
    data["immediate_risk"] = bool(immediate)

    consent = raw.get("consent")
    if consent not in Consent.values:
        errors.add("consent", "Choose whether consent was obtained, not obtained, or dispensed with")
    data["consent"] = consent
    data["consent_reason"] = _text(raw, "consent_reason", errors, "consent_reason", limit=2000)
    if consent in (Consent.NOT_OBTAINED, Consent.DISPENSED_WITH) and not data["consent_reason"]:
        errors.add("consent_reason", "Say why consent was not obtained or was dispensed with")

    if errors.errors:
        raise ValidationError(errors.errors)
    return data
