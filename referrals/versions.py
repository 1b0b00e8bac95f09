"""A referral's versions: its dataset as the API's JSON (what each ReferralVersion keeps from before and after an
amendment), what changed between two versions in words, and the web form's values for a version."""

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.codes import ReferralSource
from referrals.models import (
    AdultRiskLocation,
    AdultRiskSource,
    AdultRiskType,
    ChildConcern,
    Consent,
    PersonRole,
    Referral,
    ReferralCohort,
)

PERSON_COLUMNS = (
    "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "nhs_number", "address",
    "postcode",
)  # fmt: skip
TOP = ("cohort", "source_code", "concerns", "adult_risk_location", "adult_risk_source", "narrative",
       "immediate_risk", "consent", "consent_reason")  # fmt: skip
LABELS = {
    "referrer.name": _("Referrer's name"), "referrer.role": _("Referrer's role"), "referrer.contact": _("Referrer's contact"),
    "subject.given_name": _("Given name"), "subject.family_name": _("Family name"), "subject.date_of_birth": _("Date of birth"),
    "subject.estimated_age": _("Estimated age"), "subject.gender": _("Gender"), "subject.ethnicity": _("Ethnicity"),
    "subject.nhs_number": _("NHS number"), "subject.address": _("Address"), "subject.postcode": _("Postcode"),
    "cohort": _("Child or adult"), "source_code": _("Referral source"), "concerns": _("Concerns"),
    "adult_risk_location": _("Where the risk is"), "adult_risk_source": _("Who the risk is from"),
    "narrative": _("The concern"), "immediate_risk": _("Immediate risk"), "consent": _("Consent"),
    "consent_reason": _("Why consent was not obtained"), "others": _("Other people"),
}  # fmt: skip
WORDS = {
    **dict(ReferralCohort.choices), **dict(Consent.choices), **dict(AdultRiskLocation.choices),
    **dict(AdultRiskSource.choices), **dict(AdultRiskType.choices), **dict(ChildConcern.choices),
    **{code: format_lazy("{}: {}", code, label) for code, label in ReferralSource.choices},
}  # fmt: skip
ROLES = dict(PersonRole.choices)


def person_order(person) -> tuple:
    """The subject first, then by role as PersonRole lists them (parents before the alleged source), then name."""
    return ROLE_ORDER.index(person.role), person.family_name, person.given_name


ROLE_ORDER = list(PersonRole.values)


def _person(person, **extra) -> dict:
    values = {c: getattr(person, c) for c in PERSON_COLUMNS}
    if values["date_of_birth"] is not None:
        values["date_of_birth"] = values["date_of_birth"].isoformat()
    return {**extra, **values}


def dataset_of(referral: Referral) -> dict:
    """The referral's current version in the dataset's shape, as JSON (people in the order they were named)."""
    people = sorted(referral.persons.all(), key=person_order)
    subject = next(p for p in people if p.role == PersonRole.SUBJECT)
    return {
        "referrer": {"name": referral.referrer_name, "role": referral.referrer_role,
                     "contact": referral.referrer_contact},
        "subject": _person(subject),
        "others": [_person(p, role=p.role) for p in people if p.role != PersonRole.SUBJECT],
        "received_at": referral.received_at.isoformat(),
        **{key: getattr(referral, key) for key in TOP},
        "cohort_overridden": referral.cohort_overridden,
    }  # fmt: skip


def _flat(dataset: dict) -> dict:
    flat = {f"{part}.{key}": value for part in ("referrer", "subject") for key, value in dataset[part].items()}
    flat.update({key: dataset.get(key) for key in TOP})
    flat["others"] = [_who(p) for p in dataset["others"]]
    return flat


def _who(person: dict) -> str:
    name = f"{person.get('given_name', '')} {person.get('family_name', '')}".strip() or gettext("Name not known")
    age = person.get("date_of_birth") or (
        gettext("about %(age)s") % {"age": person["estimated_age"]} if person.get("estimated_age") else ""
    )
    return f"{name} ({ROLES.get(person.get('role'), person.get('role'))}{', ' + age if age else ''})"


def _words(value) -> str:
    if value in (None, "", []):
        return gettext("Not given")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return "; ".join(_words(v) for v in value)
    return str(WORDS.get(value, value))


def changed_fields(before: dict, after: dict) -> list[str]:
    """The dotted names of the fields whose value differs (others: the people, as a whole)."""
    old, new = _flat(before), _flat(after)
    return [key for key in new if old.get(key) != new[key]]


def changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """What an amendment changed, in words: (what, before, after) for each field that differs."""
    old, new = _flat(before), _flat(after)
    return [
        (str(LABELS.get(key, key)), _words(old.get(key)), _words(new[key])) for key in changed_fields(before, after)
    ]


def form_values(dataset: dict) -> dict:
    """A version's values as the referral form's fields (the form's initial values when amending)."""
    prefix = "adult" if dataset["cohort"] == ReferralCohort.ADULT else "child"
    values = {f"referrer_{k}": v for k, v in dataset["referrer"].items()}
    values.update({f"subject_{k}": "" if v is None else v for k, v in dataset["subject"].items()})
    for n, person in enumerate(dataset["others"] or [{}]):
        values.update({f"other_{n}_{k}": "" if v is None else v for k, v in person.items()})
    values.update({key: dataset.get(key) or "" for key in TOP})
    values["concerns"] = [f"{prefix}:{c}" for c in dataset["concerns"]]
    values["cohort"] = dataset["cohort"] if dataset.get("cohort_overridden") else ""
    values["immediate_risk"] = "yes" if dataset["immediate_risk"] else "no"
    return values
