"""What the standard referral dataset knows of people: NHS numbers (Modulus 11), UK postcodes, the age that makes
an adult. The rules themselves are the referral's declared schema (referrals/schemas.py)."""

import re
from datetime import date

from django.utils.translation import gettext

POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
ADULT_AGE = 18


def nhs_number_problem(value: str) -> str | None:
    """None if `value` is a valid NHS number: 10 digits, the last a Modulus 11 check digit."""
    digits = value.replace(" ", "").replace("-", "")
    if not re.fullmatch(r"\d{10}", digits):
        return gettext("Enter an NHS number of 10 digits")
    if nhs_check_digit(digits[:9]) != digits[9]:
        return gettext("Enter a valid NHS number: the check digit does not match")
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


def age_on(person: dict, day: date) -> int | None:
    """Whole years on `day`, from the date of birth, else the estimated age given."""
    if person.get("date_of_birth"):
        dob = person["date_of_birth"]
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return person.get("estimated_age")
