"""Triage writes: publishing thresholds, screening and RAG rating, the manager's re-rating, and assignment.

Each is one transaction with its audit events; a rating sets its deadline (referrals/deadlines.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.models import Hub
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.events.payloads import Assigned, ClosedNoResponse, ReRated, Screened, ThresholdsPublished
from audit.services import record
from mash.errors import Conflict
from mash.schemas import validated
from referrals import acknowledgement, deadlines, immediate
from referrals.default_thresholds import default_levels
from referrals.models import (
    Referral,
    Screening,
    ScreeningKind,
    ThresholdVersion,
)
from referrals.triage_schemas import ClosingSchema, ReRatingSchema, ScreeningSchema, ThresholdsSchema


@transaction.atomic
def thresholds_publish(*, hub: Hub, cohort: str, levels: list[dict], by=None, note: str = "") -> ThresholdVersion:
    """Publish the next version of the hub's thresholds for a cohort. Earlier screenings keep their version."""
    if by is not None:
        require(access_for(by, hub.pk), Action.THRESHOLDS_PUBLISH)
    clean = validated(ThresholdsSchema, {"cohort": cohort, "levels": levels, "note": note})
    cohort, levels, note = clean["cohort"], clean["levels"], clean["note"]
    Hub.objects.select_for_update().filter(pk=hub.pk).first()  # one publisher at a time per hub
    last = ThresholdVersion.objects.filter(hub=hub, cohort=cohort).aggregate(n=Max("number"))["n"] or 0
    version = ThresholdVersion.objects.create(
        hub=hub, cohort=cohort, number=last + 1, levels=levels, note=note, published_by=by
    )
    record(
        AuditAction.THRESHOLDS_PUBLISHED,
        hub=hub,
        obj=version,
        payload=ThresholdsPublished(cohort=cohort, number=version.number, levels=[lv["code"] for lv in levels]),
    )
    return version


def _thresholds_in_force(hub: Hub, cohort: str) -> ThresholdVersion:
    """The hub's newest published thresholds for the cohort; the first screening of a hub that has published none
    publishes the defaults as version 1 (a screening must point at a version that exists): England's, or for a hub
    in Wales the Wales Safeguarding Procedures' words."""
    version = ThresholdVersion.objects.filter(hub=hub, cohort=cohort).order_by("-number").first()
    if version is not None:
        return version
    with translation.override(hub.language):  # kept with the version, in the hub's language
        note, levels = gettext("Defaults"), default_levels(hub.procedures, cohort)
    return thresholds_publish(hub=hub, cohort=cohort, levels=levels, note=note)


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("hub", "assigned_to").get(pk=referral.pk)


def _screening_payload(s: Screening, **flags: bool) -> Screened:
    """The screening's facts; `flags`: `contradictions_confirmed` and `concern_lowered` (the acting manager's, each
    with the reason the screening keeps)."""
    return Screened(
        screening_id=str(s.pk),
        threshold_version=s.threshold_version.number,
        level=s.level,
        criteria=s.criteria,
        rating=s.rating,
        immediate_risk=s.immediate_risk,
        contradictions_confirmed=flags.get("contradictions_confirmed", False),
        **({"concern_lowered": True} if flags.get("concern_lowered") else {}),
    )


@transaction.atomic
def referral_screen(
    *, referral: Referral, by, level: str, criteria: list[str], rating: str, rationale: str,
    immediate_risk: bool | None = None, confirm_reason: str = "",
):  # fmt: skip
    """A practitioner records the criteria that apply, the level, the RAG rating, whether anyone is at immediate
    risk (None: as the referral says) and the rationale. Anyone may raise concern; lowering the rating or the level,
    clearing immediate risk, or a screening that contradicts itself needs the acting manager, with their reason
    (`confirm_reason`), kept with the screening and shown in its history. Someone found at immediate risk puts the referral in the fast lane (referrals/immediate.py)."""
    referral = _locked(referral)
    access = access_for(by, referral.hub_id)
    require(access, Action.REFERRAL_SCREEN, referral)
    if not referral.can("screen"):
        raise Conflict(gettext("This referral is closed: it cannot be screened"))
    version = _thresholds_in_force(referral.hub, referral.cohort)
    at_risk = referral.immediate_risk if immediate_risk is None else immediate_risk
    data = {"level": level, "criteria": criteria, "rating": rating, "rationale": rationale,
            "immediate_risk": at_risk, "confirm_reason": confirm_reason}  # fmt: skip
    clean = validated(
        ScreeningSchema, data, version=version, rating=referral.rating, level=referral.threshold_level,
        immediate_risk=referral.immediate_risk, may_lower=may(access, Action.REFERRAL_RE_RATE, referral),
    )  # fmt: skip
    now = timezone.now()
    screening = Screening.objects.create(
        referral=referral, kind=ScreeningKind.SCREENING, threshold_version=version, level=clean["level"],
        criteria=clean["criteria"], rating=clean["rating"], rationale=clean["rationale"],
        immediate_risk=clean["immediate_risk"], confirm_reason=clean["confirm_reason"], by=by, at=now,
    )  # fmt: skip
    referral.screen(rating=clean["rating"], level=clean["level"])
    record(
        AuditAction.REFERRAL_SCREENED,
        hub=referral.hub,
        obj=referral,
        payload=_screening_payload(
            screening,
            contradictions_confirmed=clean["contradictions_confirmed"],
            concern_lowered=clean["concern_lowered"],
        ),
    )
    deadlines.rating_deadline_set(referral, clean["rating"])
    deadlines.strategy_deadline_follow(referral, clean["rating"])
    if clean["immediate_risk"] != referral.immediate_risk:
        referral.mark_immediate_risk(clean["immediate_risk"])
        if clean["immediate_risk"]:
            immediate.alert(referral, start=now)
    return screening


@transaction.atomic
def referral_re_rate(*, referral: Referral, by, rating: str, reason: str, level: str = "") -> Screening:
    """The accountable manager (or the deputy inside the delegation) changes the rating, and the level with it if
    they choose (empty keeps it), with a reason; the old rating's deadline is cancelled and the new one set."""
    referral = _locked(referral)
    require(access_for(by, referral.hub_id), Action.REFERRAL_RE_RATE, referral)
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    if last is None:
        raise Conflict(gettext("Screen the referral before changing its rating"), field="rating")
    clean = validated(
        ReRatingSchema, {"rating": rating, "level": level, "reason": reason},
        rating=referral.rating, level=last.level, version=last.threshold_version,
    )  # fmt: skip
    rating = clean["rating"]
    screening = Screening.objects.create(
        referral=referral, kind=ScreeningKind.RE_RATING, threshold_version=last.threshold_version,
        level=clean["level"], criteria=last.criteria, rating=rating, rationale=clean["reason"],
        immediate_risk=referral.immediate_risk, by=by, at=timezone.now(),
    )  # fmt: skip
    previous = referral.rating
    referral.re_rate(rating=rating, level=clean["level"])
    payload = ReRated(**_screening_payload(screening), previous_rating=previous, previous_level=last.level)
    record(AuditAction.REFERRAL_RE_RATED, hub=referral.hub, obj=referral, payload=payload)
    if rating != previous:
        deadlines.rating_deadline_set(referral, rating)
        deadlines.strategy_deadline_follow(referral, rating)
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
        raise Conflict(gettext("This referral is closed"))
    if not may_work_on(to, referral):
        raise ValidationError({"assignee": gettext("Choose a practitioner of this hub")})
    if referral.assigned_to_id == to.pk:
        return referral
    previous = referral.assigned_to_id
    referral.assign(to=to)
    record(
        AuditAction.REFERRAL_ASSIGNED,
        hub=referral.hub,
        obj=referral,
        payload=Assigned(to=str(to.pk), previous=str(previous) if previous else None, claimed=to == by),
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
            gettext("This referral is closed") if not referral.is_open
            else gettext("Only a referral rated Blue (no MASH response) is closed this way; others need a decision")
        )  # fmt: skip
    validated(ClosingSchema, {"reason": reason})
    now = timezone.now()
    referral.close_no_response(at=now)
    deadlines.deadlines_meet(referral, ["decision", "rating"])
    deadlines.strategy_deadline_cancel(referral, "closed")
    acknowledgement.outcome_tell(referral)  # the referrer is told it was dealt with
    payload = ClosedNoResponse(decided_at=now.isoformat())
    record(AuditAction.REFERRAL_CLOSED_NO_RESPONSE, hub=referral.hub, obj=referral, payload=payload)
    return referral
