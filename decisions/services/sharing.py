"""Consent and sharing decisions on a referral: the practitioner records whether the family (or the adult) was told
and agreed, each decision to share without consent and each decision not to share; the acting manager overrides a
sharing decision with a reason. Each write is one transaction with its audit event."""

from django.db import transaction
from django.utils import timezone

from agencies.access import access_for
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import ConsentRecorded, SharingDecided, SharingOverridden
from audit.services import record
from decisions.models import ConsentRecord, SharingDecision
from decisions.schemas import ConsentSchema, SharingDecisionSchema, SharingOverrideSchema
from decisions.services.common import locked
from mash.schemas import validated
from referrals.models import Referral


@transaction.atomic
def consent_record(*, referral: Referral, by, data: dict) -> ConsentRecord:
    """A new consent record: it supersedes the earlier ones, which stay as the history."""
    referral = locked(referral)
    require(access_for(by, referral.hub_id), Action.CONSENT_RECORD, referral)
    clean = validated(ConsentSchema, data, cohort=referral.cohort)
    consent = ConsentRecord.objects.create(referral=referral, recorded_by=by, at=timezone.now(), **clean)
    record(
        AuditAction.CONSENT_RECORDED,
        hub=referral.hub,
        obj=consent,
        payload=ConsentRecorded(
            referral_id=str(referral.pk), told=consent.told, agreed=consent.agreed, reason=consent.reason
        ),
    )
    return consent


@transaction.atomic
def sharing_decision_record(*, referral: Referral, by, data: dict) -> SharingDecision:
    """A decision to share without consent (with its rationale and lawful basis) or not to share (rationale)."""
    referral = locked(referral)
    require(access_for(by, referral.hub_id), Action.CONSENT_RECORD, referral)
    clean = validated(SharingDecisionSchema, data)
    decision = SharingDecision.objects.create(referral=referral, recorded_by=by, at=timezone.now(), **clean)
    record(
        AuditAction.SHARING_DECISION_RECORDED,
        hub=referral.hub,
        obj=decision,
        payload=SharingDecided(referral_id=str(referral.pk), kind=decision.kind, lawful_basis=decision.lawful_basis),
    )
    return decision


@transaction.atomic
def sharing_decision_override(*, decision: SharingDecision, by, reason: str) -> SharingDecision:
    """The acting manager overrides a sharing decision, once, with a reason; both stay on the record."""
    decision = SharingDecision.objects.select_for_update(of=("self",)).select_related("referral").get(pk=decision.pk)
    require(access_for(by, decision.referral.hub_id), Action.SHARING_OVERRIDE, decision.referral)
    reason = validated(SharingOverrideSchema, {"reason": reason})["reason"]
    decision.override(by=by, reason=reason, at=timezone.now())
    record(
        AuditAction.SHARING_DECISION_OVERRIDDEN,
        hub=decision.referral.hub,
        obj=decision,
        payload=SharingOverridden(referral_id=str(decision.referral_id), kind=decision.kind),
    )
    return decision
