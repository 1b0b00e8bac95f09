"""The adult's voice on an adult's referral (Care Act statutory guidance, Making Safeguarding Personal): recorded by
the hub's staff, each time audited; the latest recording is what the referral page and the decision read."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import AdultVoiceRecorded
from audit.services import record
from decisions.models import AdultVoice, Capacity
from decisions.schemas import AdultVoiceSchema
from decisions.services.common import locked
from mash.errors import Conflict
from mash.schemas import validated
from referrals.models import Referral, ReferralCohort


@transaction.atomic
def adult_voice_record(*, referral: Referral, by, data: dict) -> AdultVoice:
    """Record (or record again) what the adult wants, their capacity and advocacy. Conflict for a child's referral;
    ValidationError with a message per field for bad input."""
    referral = locked(referral)
    require(access_for(by, referral.hub_id), Action.ADULT_VOICE_RECORD, referral)
    if referral.cohort != ReferralCohort.ADULT:
        raise Conflict(gettext("The adult's voice is recorded on an adult's referral only"))
    clean = validated(AdultVoiceSchema, data)
    if clean["asked"]:
        clean["not_asked_reason"] = ""
    else:
        clean["desired_outcomes"] = ""
    if clean["capacity"] == Capacity.ASSUMED:
        clean.update(assessor_name="", assessor_role="", assessed_on=None)
    if clean["capacity"] != Capacity.LACKS:
        clean.update(best_interests_decision="", best_interests_reasons="")
    if not clean["advocacy_provided"]:
        clean["advocate"] = ""
    voice, _ = AdultVoice.objects.update_or_create(
        referral=referral, defaults={**clean, "recorded_by": by, "recorded_at": timezone.now()}
    )
    record(
        AuditAction.ADULT_VOICE_RECORDED,
        hub=referral.hub,
        obj=referral,
        payload=AdultVoiceRecorded(
            referral_id=str(referral.pk),
            asked=voice.asked,
            outcomes_expressed=voice.outcomes_expressed,
            capacity=voice.capacity,
            advocacy_needed=voice.advocacy_needed,
            advocacy_offered=voice.advocacy_offered,
            advocacy_provided=voice.advocacy_provided,
        ),
    )
    return voice
