"""Triage writes: publishing thresholds, screening and RAG rating, the manager's re-rating, and assignment.

Each is one transaction with its audit events; a rating sets its deadline (referrals/deadlines.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import Hub, Role, RoleAssignment
from agencies.permissions import acts_as_manager
from audit.services import record
from referrals import deadlines
from referrals.default_thresholds import DEFAULT_LEVELS
from referrals.models import (
    NO_MASH_RESPONSE,
    Rating,
    Referral,
    ReferralCohort,
    ReferralStatus,
    Screening,
    ScreeningKind,
    ThresholdVersion,
)


def _check_levels(levels) -> None:
    if not isinstance(levels, list) or not levels:
        raise ValidationError({"levels": "Give at least one level"})
    codes = set()
    for i, level in enumerate(levels, 1):
        if not isinstance(level, dict) or not str(level.get("name", "")).strip():
            raise ValidationError({"levels": f"Level {i}: give it a name"})
        criteria = level.get("criteria")
        if not isinstance(criteria, list) or not criteria or not all(str(c.get("text", "")).strip() for c in criteria):
            raise ValidationError({"levels": f"Level {i} ({level['name']}): give at least one criterion, in words"})
        for code in [level.get("code"), *(c.get("code") for c in criteria)]:
            if not code or code in codes:
                raise ValidationError({"levels": f"Level {i}: each level and criterion needs its own code"})
            codes.add(code)


@transaction.atomic
def thresholds_publish(*, hub: Hub, cohort: str, levels: list[dict], by=None, note: str = "") -> ThresholdVersion:
    """Publish the next version of the hub's thresholds for a cohort. Earlier screenings keep their version."""
    if cohort not in ReferralCohort.values:
        raise ValidationError({"cohort": "Choose child or adult"})
    _check_levels(levels)
    Hub.objects.select_for_update().filter(pk=hub.pk).first()  # one publisher at a time per hub
    last = ThresholdVersion.objects.filter(hub=hub, cohort=cohort).aggregate(n=Max("number"))["n"] or 0
    version = ThresholdVersion.objects.create(
        hub=hub, cohort=cohort, number=last + 1, levels=levels, note=note, published_by=by
    )
    record(
        "thresholds.published",
        hub=hub,
        obj=version,
        payload={"cohort": cohort, "number": version.number, "levels": [lv["code"] for lv in levels]},
    )
    return version


def _thresholds_in_force(hub: Hub, cohort: str) -> ThresholdVersion:
    """The hub's newest published thresholds for the cohort; the first screening of a hub that has published none
    publishes the defaults as version 1 (a screening must point at a version that exists)."""
    version = ThresholdVersion.objects.filter(hub=hub, cohort=cohort).order_by("-number").first()
    return version or thresholds_publish(hub=hub, cohort=cohort, levels=DEFAULT_LEVELS[cohort], note="Defaults")


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("hub", "assigned_to").get(pk=referral.pk)


def _screening_payload(s: Screening) -> dict:
    return {
        "screening_id": str(s.pk),
        "threshold_version": s.threshold_version.number,
        "level": s.level,
        "criteria": s.criteria,
        "rating": s.rating,
    }


@transaction.atomic
def referral_screen(*, referral: Referral, by, level: str, criteria: list[str], rating: str, rationale: str):
    """A practitioner records the criteria that apply, the level, the RAG rating and the rationale."""
    referral = _locked(referral)
    if not referral.is_open:
        raise ValidationError("This referral is closed")
    version = _thresholds_in_force(referral.hub, referral.cohort)
    errors = {}
    if version.level(level) is None:
        errors["level"] = "Choose the threshold level that applies"
    known = version.criteria_codes()
    if not isinstance(criteria, list) or any(c not in known for c in criteria):
        errors["criteria"] = "Choose criteria from the hub's current thresholds"
    if rating not in Rating.values:
        errors["rating"] = "Choose a RAG rating"
    elif referral.rating and rating != referral.rating and not acts_as_manager(by, referral.hub):
        # A second screening may add what is new; changing a rating is the manager's, with a reason.
        label = Rating(referral.rating).label
        errors["rating"] = f"The rating is {label}: only the accountable manager may change it, with a reason"
    if not (rationale or "").strip():
        errors["rationale"] = "Give the rationale for the level and rating"
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        referral=referral, kind=ScreeningKind.SCREENING, threshold_version=version, level=level,
        criteria=criteria, rating=rating, rationale=rationale.strip(), by=by, at=timezone.now(),
    )  # fmt: skip
    first = referral.status == ReferralStatus.RECEIVED
    Referral.objects.filter(pk=referral.pk).update(
        rating=rating, threshold_level=level, status=ReferralStatus.SCREENED if first else referral.status
    )
    record("referral.screened", hub=referral.hub, obj=referral, payload=_screening_payload(screening))
    deadlines.rating_deadline_set(referral, rating)
    return screening


@transaction.atomic
def referral_re_rate(*, referral: Referral, by, rating: str, reason: str) -> Screening:
    """The accountable manager (or the deputy inside the delegation) changes the rating, with a reason; the old
    rating's deadline is cancelled and the new one set."""
    referral = _locked(referral)
    if not acts_as_manager(by, referral.hub):
        raise ValidationError("Only the hub's accountable manager, or the deputy while delegated, may change a rating")
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    errors = {}
    if last is None:
        errors["rating"] = "Screen the referral before changing its rating"
    elif rating not in Rating.values:
        errors["rating"] = "Choose a RAG rating"
    elif rating == referral.rating:
        errors["rating"] = "Choose a rating different from the current one"
    if not (reason or "").strip():
        errors["reason"] = "Give the reason for the change"
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        referral=referral, kind=ScreeningKind.RE_RATING, threshold_version=last.threshold_version, level=last.level,
        criteria=last.criteria, rating=rating, rationale=reason.strip(), by=by, at=timezone.now(),
    )  # fmt: skip
    Referral.objects.filter(pk=referral.pk).update(rating=rating)
    payload = {**_screening_payload(screening), "previous_rating": referral.rating}
    record("referral.re_rated", hub=referral.hub, obj=referral, payload=payload)
    deadlines.rating_deadline_set(referral, rating)
    return screening


@transaction.atomic
def referral_assign(*, referral: Referral, by, to) -> Referral:
    """A practitioner claims a referral (to = themselves); the manager assigns it to any practitioner of the hub."""
    referral = _locked(referral)
    if not referral.is_open:
        raise ValidationError({"assignee": "This referral is closed"})
    roles = {Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY}
    if not RoleAssignment.objects.filter(hub=referral.hub, user=to, role__in=roles, user__is_active=True).exists():
        raise ValidationError({"assignee": "Choose a practitioner of this hub"})
    if to != by and not acts_as_manager(by, referral.hub):
        raise ValidationError({"assignee": "Only the manager assigns a referral to someone else; you may claim it"})
    if referral.assigned_to_id == to.pk:
        return referral
    previous = referral.assigned_to_id
    Referral.objects.filter(pk=referral.pk).update(assigned_to=to)
    referral.assigned_to = to
    record(
        "referral.assigned",
        hub=referral.hub,
        obj=referral,
        payload={"to": str(to.pk), "previous": str(previous) if previous else None, "claimed": to == by},
    )
    return referral


@transaction.atomic
def referral_close_no_response(*, referral: Referral, by, reason: str) -> Referral:
    """A referral rated Blue (no MASH response) is closed by the acting manager with a reason: that is its decision,
    so the decision and rating deadlines are met and the referrer reads the outcome."""
    from referrals.services import referral_decided

    referral = _locked(referral)
    if not acts_as_manager(by, referral.hub):
        raise ValidationError("Only the hub's accountable manager, or the deputy while delegated, may close a referral")
    if not referral.is_open:
        raise ValidationError("This referral is closed")
    errors = {}
    if referral.rating != Rating.BLUE:
        errors["rating"] = "Only a referral rated Blue (no MASH response) is closed this way; others need a decision"
    if not (reason or "").strip():
        errors["reason"] = "Say why the hub gives no MASH response"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    referral_decided(referral, outcome=NO_MASH_RESPONSE, at=now)
    record("referral.closed_no_response", hub=referral.hub, obj=referral, payload={"decided_at": now.isoformat()})
    return referral
