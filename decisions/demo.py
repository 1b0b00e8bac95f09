"""Demo data for the multi-agency part: the hub's older referrals worked through to a signed decision, as the hub
would have done them, through the same services (requests, every core agency's answer, a proposal, sign-off)."""

import random
from datetime import timedelta

from django.utils import timezone

from decisions import handover as handovers
from decisions import services
from decisions.models import OUTCOMES, Handover
from referrals import selectors as referral_selectors
from referrals import triage
from referrals.demo import screening_for
from referrals.models import Referral, ReferralStatus

DEMO_HANDOVERS_WAITING = 3
FINDINGS = [
    {"known": False},
    {"known": True, "summary": "Known to the agency: one previous contact, no current involvement.",
     "risk_indicators": ["previous_concerns"]},
    {"known": True, "summary": "Attendance has fallen this term; parents did not attend two meetings.",
     "risk_indicators": ["non_engagement"]},
]  # fmt: skip


def decide_older(hub, *, practitioner, manager, officers: dict, stdout, older_than_days: int = 7) -> None:
    """Every referral received more than `older_than_days` ago and not yet worked: screened if need be, every core
    agency asked and answering, a decision proposed by the practitioner and signed off by the manager."""
    rng = random.Random(7)  # noqa: S311 - repeatable synthetic data, not security
    cutoff = timezone.now() - timedelta(days=older_than_days)
    waiting = Referral.objects.filter(
        hub=hub, received_at__lt=cutoff, status__in=[ReferralStatus.RECEIVED, ReferralStatus.SCREENED]
    ).order_by("received_at")
    decided = 0
    handed = []
    for referral in waiting:
        version = referral_selectors.thresholds_current(hub, referral.cohort)
        if not referral.rating or referral.rating == "blue":
            screening = screening_for(version, rng.choice(["amber", "green", "green"]), referral.immediate_risk)
            triage.referral_screen(referral=referral, by=practitioner, **screening, rationale="Demo screening.")
            referral.refresh_from_db()
        for request in services.information_request(referral=referral, by=practitioner):
            services.contribution_add(request=request, by=officers[request.agency_id], data=rng.choice(FINDINGS))
        outcome = rng.choice(OUTCOMES[referral.cohort].values[:4])
        decision = services.decision_propose(
            referral=referral, by=practitioner, outcome=outcome, threshold_level=referral.threshold_level,
            rationale="Demo decision: the agencies' information read together with the referral.",
            participants=services.core_agencies(hub), actions=[],
        )  # fmt: skip
        services.decision_sign_off(decision=decision, by=manager)
        handed.extend(Handover.objects.filter(decision=decision).select_related("agency"))
        decided += 1
    # The receiving services have acknowledged all but the newest few of the cases handed to them (weeks ago, as the
    # hub's history goes): the officer's page and the manager's dashboard show those few waiting.
    for handover in handed[:-DEMO_HANDOVERS_WAITING]:
        if handover.agency_id in officers:
            handovers.handover_acknowledge(handover=handover, by=officers[handover.agency_id])
    stdout.write(f"Demo decisions: {decided} older referrals decided and signed off")
