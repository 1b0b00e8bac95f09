"""Triage writes: publishing thresholds, screening and RAG rating, the manager's re-rating, and assignment.

Each is one transaction with its audit events; a rating sets its deadline (referrals/deadlines.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from agencies.access import access_for
from agencies.models import Hub
from agencies.policy import Action, may, require
from audit.services import record
from mash.errors import Conflict
from referrals import deadlines
from referrals.default_thresholds import DEFAULT_LEVELS
from referrals.models import (
    Rating,
    Referral,
    ReferralCohort,
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
    if by is not None:
        require(access_for(by, hub.pk), Action.THRESHOLDS_PUBLISH)
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
    access = access_for(by, referral.hub_id)
    require(access, Action.REFERRAL_SCREEN, referral)
    if not referral.can("screen"):
        raise Conflict("This referral is closed: it cannot be screened")
    version = _thresholds_in_force(referral.hub, referral.cohort)
    errors = {}
    if version.level(level) is None:
        errors["level"] = "Choose the threshold level that applies"
    known = version.criteria_codes()
    if not isinstance(criteria, list) or any(c not in known for c in criteria):
        errors["criteria"] = "Choose criteria from the hub's current thresholds"
    if rating not in Rating.values:
        errors["rating"] = "Choose a RAG rating"
    elif referral.rating and rating != referral.rating and not may(access, Action.REFERRAL_RE_RATE, referral):
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
    referral.screen(rating=rating, level=level)
    record("referral.screened", hub=referral.hub, obj=referral, payload=_screening_payload(screening))
    deadlines.rating_deadline_set(referral, rating)
    return screening


@transaction.atomic
def referral_re_rate(*, referral: Referral, by, rating: str, reason: str) -> Screening:
    """The accountable manager (or the deputy inside the delegation) changes the rating, with a reason; the old
    rating's deadline is cancelled and the new one set."""
    referral = _locked(referral)
    require(access_for(by, referral.hub_id), Action.REFERRAL_RE_RATE, referral)
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
    previous = referral.rating
    referral.re_rate(rating=rating)
    payload = {**_screening_payload(screening), "previous_rating": previous}
    record("referral.re_rated", hub=referral.hub, obj=referral, payload=payload)
    deadlines.rating_deadline_set(referral, rating)
    return screening


def may_work_on(user, referral: Referral) -> bool:
    """Whether `user` could claim the referral themselves: who it may be assigned to."""
    try:
        return may(access_for(user, referral.hub_id), Action.REFERRAL_CLAIM, referral)
    except Http404:
        return False


@transaction.atomic
def referral_assign(*, referral: Referral, by, to) -> Referral:
    """A practitioner claims a referral (to = themselves); the manager assigns it to any practitioner of the hub."""
    referral = _locked(referral)
    access = access_for(by, referral.hub_id)
    require(access, Action.REFERRAL_CLAIM if to == by else Action.REFERRAL_ASSIGN, referral)
    if not referral.can("assign"):
        raise Conflict("This referral is closed")
    if not may_work_on(to, referral):
        raise ValidationError({"assignee": "Choose a practitioner of this hub"})
    if referral.assigned_to_id == to.pk:
        return referral
    previous = referral.assigned_to_id
    referral.assign(to=to)
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
    referral = _locked(referral)
    require(access_for(by, referral.hub_id), Action.REFERRAL_CLOSE, referral)
    if not referral.can_close_no_response():
        raise Conflict(
            "This referral is closed" if not referral.is_open
            else "Only a referral rated Blue (no MASH response) is closed this way; others need a decision"
        )  # fmt: skip
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the hub gives no MASH response"})
    now = timezone.now()
    referral.close_no_response(at=now)
    deadlines.deadlines_meet(referral, ["decision", "rating"])
    record("referral.closed_no_response", hub=referral.hub, obj=referral, payload={"decided_at": now.isoformat()})
    return referral
