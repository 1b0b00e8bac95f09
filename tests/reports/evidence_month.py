"""A month of known practice in the North hub (March 2026), written straight into the ledger as the services would
write it (as bench/returns does): the evidence reads only the ledger and the agencies' names.

Funding 2025–26: the police co-located, health remote, the school hybrid; social care and housing have none.
- Decisions (Amber, due 24 clock hours after receipt), each received on a weekday at 10:00:
  the police refer 40 (36 decided two hours later, 4 three days later); health 40 (12 in two hours, 28 three days
  later); the school 3 (all in two hours). Within one working day: 51 of 83.
- Answers to requests: the police 20 (15 on time), health 20 (13 on time).
"""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from agencies import services as hub_services
from agencies.models import WorkingPattern
from audit.events.actions import AuditAction
from audit.services import event, record_many

LONDON = ZoneInfo("Europe/London")
MONTH = date(2026, 3, 1)
WEEKDAYS = [2, 3, 4, 5, 9, 10, 11, 12, 16, 17, 18, 19, 23, 24, 25, 26]  # Mon–Thu of March 2026


def fund(mash) -> None:
    with time_machine.travel(datetime(2026, 2, 2, 9, tzinfo=LONDON), tick=False):
        for agency, pattern in [
            (mash.police, WorkingPattern.CO_LOCATED),
            (mash.health, WorkingPattern.REMOTE),
            (mash.school, WorkingPattern.HYBRID),
        ]:
            hub_services.funding_record(
                hub=mash.hub, agency=agency, financial_year=2025, amount_gbp=Decimal("1000.00"),
                staff_fte=Decimal("1.00"), working_pattern=pattern,
            )  # fmt: skip


def write_month(mash, *, decided=None, answered=None) -> None:
    """`decided`: {agency: (decisions, within a day)}; `answered`: {agency: (answers, on time)}."""
    decided = decided or {mash.police: (40, 36), mash.health: (40, 12), mash.school: (3, 3)}
    answered = answered or {mash.police: (20, 15), mash.health: (20, 13)}
    pending = []
    n = 0
    with time_machine.travel(datetime(2026, 3, 2, tzinfo=LONDON), tick=False) as clock:

        def add(moment, action, **kw):
            clock.move_to(moment)
            pending.append(event(action, hub=mash.hub, **kw))

        for agency, (count, quick) in decided.items():
            for i in range(count):
                received = datetime(2026, 3, WEEKDAYS[n % len(WEEKDAYS)], 10, tzinfo=LONDON) + timedelta(minutes=n)
                n += 1
                rid = str(uuid.uuid4())
                ref = {"object_type": "referrals.referral", "object_id": rid}
                add(received, AuditAction.REFERRAL_RECEIVED, payload={
                    "reference": f"E-{n}", "cohort": "child", "channel": "api", "source_code": "6",
                    "referring_agency_id": str(agency.pk), "concerns": ["neglect"], "adult_risk_location": "",
                    "adult_risk_source": "", "immediate_risk": False, "consent": "not_obtained", "others": 0,
                    "received_at": received.isoformat(),
                }, **ref)  # fmt: skip
                add(received + timedelta(minutes=1), AuditAction.DEADLINE_SET, payload={
                    "deadline_id": str(uuid.uuid4()), "kind": "rating", "rating": "amber",
                    "due_at": (received + timedelta(hours=24)).isoformat()}, **ref)  # fmt: skip
                when = received + (timedelta(hours=2) if i < quick else timedelta(days=3))
                add(when, AuditAction.DECISION_SIGNED_OFF, payload={
                    "referral_id": rid, "version": 1, "outcome": "early_help" if i % 2 else "nfa",
                    "threshold_level": "targeted", "proposed_at": when.isoformat(), "received_at": received.isoformat(),
                    "rating": "amber", "rationale_recorded": True, "actions": 0, "amendment": False,
                }, object_type="decisions.decision", object_id=str(uuid.uuid4()))  # fmt: skip
        for agency, (count, on_time) in answered.items():
            for i in range(count):
                asked = datetime(2026, 3, 20, 9, tzinfo=LONDON) + timedelta(minutes=i)
                add(asked + timedelta(hours=1), AuditAction.CONTRIBUTION_ADDED, actor_agency=agency, payload={
                    "referral_id": str(uuid.uuid4()), "agency_id": str(agency.pk), "known": True,
                    "risk_indicators": [], "lawful_basis": "uk_gdpr_6_1_e", "disclosure": "shared",
                    "requested_at": asked.isoformat(), "due_at": (asked + timedelta(hours=2)).isoformat(),
                    "on_time": i < on_time,
                }, object_type="decisions.contribution", object_id=str(uuid.uuid4()))  # fmt: skip
    record_many(pending)
