"""A month of synthetic activity in the North hub (September 2026), made through the real services with the clock
set to each moment, so that the ledger holds exactly what a real month would and every figure is known.

September 2026 (Europe/London, BST):
- A  Tue 1 09:00, child, police by API (source 6). Screened Red (specialist) 09:30. Requests 09:45 to the three
     core agencies and the school, due 11:45 (2 partner hours). Police answer 10:15 (known), children's social care
     11:03 (no trace), health 12:45 (known, late); the school never answers. Proposed 12:48, signed off 12:50 (Red
     timescale 4 h: due 13:00, within), outcome s47 strategy, one action for social care due Fri 4, completed Thu 3.
     Amended Tue 8 (same outcome, no actions): an amendment, not a second decision. No strategy discussion is recorded:
     its deadline (72 hours after the Red rating: Fri 4 09:30) is breached by the Fri 4 sweep.
- B  Tue 1 10:00, child, the school on the web form (2A). Amber (targeted) 10:30; the manager overrides the gate;
     signed off Mon 7 10:00 (Amber 24 working hours: due Fri 4 10:00, late), early help, no actions.
- C  Wed 2 09:00, adult, health by API (3A): financial + neglect, own home, service provider. Green (prevention).
- D  Wed 2 11:00, child, no agency, web (1A). Blue (universal), closed: no MASH response.
- E  Thu 10 09:00, child, police by API (6): the same child as R0 (3 August): a re-referral within 12 months.
- F  Thu 10 10:00, adult, housing on the web (4): physical, care home (residential), known to the individual.
Outside the month: R0 (3 Aug), R-Aug (Mon 31 Aug 23:30 BST, a bank holiday), R-Oct (Thu 1 Oct 00:10 BST).
Sweeps: Mon 31 Aug 22:00 (R0's breach falls in August), Tue 1 Sep 12:00 (health and school requests breached),
Fri 4 Sep 12:00 (B's decision and rating, C's decision, R-Aug's decision, A's strategy discussion breached).
Agreements: the ISA (all but housing signed); a data protection protocol, effective 1 Aug, review due 15 Nov 2026,
signed by the police only. Funding 2026–27: police £120,000 / 3.5 FTE co-located, social care £250,000 / 6 FTE
hybrid; health has 2025–26 funding only.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from agencies import services as hub_services
from agencies.models import DocumentKind, Hub, WorkingPattern
from decisions import services as decisions
from decisions.models import InformationRequest
from referrals import acknowledgement, deadlines, triage
from referrals.matching import subject_match_decide, subject_matches_find
from referrals.models import SubjectMatch
from referrals.services import referral_create
from tests.factories import referral_data
from tests.people import Mash, build_mash

LONDON = ZoneInfo("Europe/London")
MONTH = date(2026, 9, 1)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def child(given: str, family: str, **changes) -> dict:
    subject = {**referral_data()["subject"], "given_name": given, "family_name": family, "nhs_number": ""}
    return referral_data(subject=subject, **changes)


def adult(given: str, **changes) -> dict:
    subject = {**referral_data()["subject"], "given_name": given, "family_name": "Adult", "nhs_number": ""}
    subject["date_of_birth"] = "1948-02-03"
    return referral_data(subject=subject, others=[], consent="obtained", consent_reason="", **changes)


@dataclass
class Month:
    mash: Mash
    referrals: dict


def build_month() -> Month:
    with time_machine.travel(at(8, 3, 9), tick=False) as clock:
        mash = build_mash()
        # The timescales this month was written for, the defaults before issue 16 (Amber 24 working hours, Green 72
        # clock, information 2 / 6 / 24 hours, a decision in one working day): a hub saved before the coherence rule
        # keeps them until it is next edited, and its returns must still count right. Set as such a hub holds them.
        Hub.objects.filter(pk=mash.hub.pk).update(
            amber_hours=24, green_hours=72, green_counting="clock", amber_partner_hours=6, green_partner_hours=24
        )
        mash.hub.refresh_from_db()
        m = mash
        _agreements_and_funding(m)
        made = {"R0": referral_create(hub=m.hub, data=referral_data(), channel="api", referring_agency=m.police)}

        clock.move_to(at(8, 31, 22))
        _sweep()
        clock.move_to(at(8, 31, 23, 30))
        made["R-Aug"] = referral_create(
            hub=m.hub, data=child("Late", "August"), channel="web", recorded_by=m.practitioner
        )

        # A: Red, asked, answered, decided in time, amended later.
        clock.move_to(at(9, 1, 9))
        a = made["A"] = referral_create(hub=m.hub, data=child("Ada", "Alpha"), channel="api", referring_agency=m.police)
        clock.move_to(at(9, 1, 9, 30))
        _screen(m, a, "red", "specialist")
        clock.move_to(at(9, 1, 9, 45))
        decisions.information_request(referral=a, by=m.practitioner, agencies=[m.school])
        _answer(m, a, "police", at(9, 1, 10, 15), clock, known=True)
        _answer(m, a, "social_care", at(9, 1, 11, 3), clock, known=False)
        clock.move_to(at(9, 1, 12))
        _sweep()
        _answer(m, a, "health", at(9, 1, 12, 45), clock, known=True)
        clock.move_to(at(9, 1, 12, 48))
        proposal = decisions.decision_propose(
            referral=a, by=m.practitioner, outcome="s47_strategy", threshold_level="specialist",
            rationale="Police and health both know of injuries.", participants=_core(m, "school"),
            actions=[{"owner": m.social_care.pk, "description": "Strategy meeting", "due_on": date(2026, 9, 4)}],
        )  # fmt: skip
        clock.move_to(at(9, 1, 12, 50))
        signed = decisions.decision_sign_off(decision=proposal, by=m.manager)

        # B: Amber, decided late without the agencies (the manager's override).
        clock.move_to(at(9, 1, 10))
        b = made["B"] = referral_create(
            hub=m.hub, data=child("Ben", "Beta", source_code="2A"), channel="web", referring_agency=m.school,
            recorded_by=m.practitioner,
        )  # fmt: skip
        clock.move_to(at(9, 1, 10, 30))
        _screen(m, b, "amber", "targeted")
        clock.move_to(at(9, 1, 10, 40))
        decisions.gate_override(referral=b, by=m.manager, reason="The school holds all that is needed.")

        # C: an adult, Green, undecided.
        clock.move_to(at(9, 2, 9))
        c = made["C"] = referral_create(
            hub=m.hub, channel="api", referring_agency=m.health,
            data=adult("Cy", source_code="3A", concerns=["financial", "neglect"], adult_risk_location="own_home",
                       adult_risk_source="service_provider"),
        )  # fmt: skip
        clock.move_to(at(9, 2, 9, 30))
        _screen(m, c, "green", "prevention")

        # D: Blue, closed with no MASH response.
        clock.move_to(at(9, 2, 11))
        d = made["D"] = referral_create(
            hub=m.hub, data=child("Dee", "Delta", source_code="1A"), channel="web", recorded_by=m.practitioner
        )
        clock.move_to(at(9, 2, 11, 10))
        _screen(m, d, "blue", "universal")
        clock.move_to(at(9, 2, 11, 20))
        triage.referral_close_no_response(referral=d, by=m.manager, reason="Universal services already involved.")

        clock.move_to(at(9, 3, 10))
        action = signed.actions.get()
        decisions.action_complete(action=action, by=m.officers["social_care"])
        clock.move_to(at(9, 4, 12))
        _sweep()

        clock.move_to(at(9, 7, 9, 50))
        late = decisions.decision_propose(
            referral=b, by=m.practitioner, outcome="early_help", threshold_level="targeted",
            rationale="Early help through the school.", participants=[m.school.pk], actions=[],
        )  # fmt: skip
        clock.move_to(at(9, 7, 10))
        decisions.decision_sign_off(decision=late, by=m.manager)

        clock.move_to(at(9, 8, 9))
        amendment = decisions.decision_propose(
            referral=a, by=m.practitioner, outcome="s47_strategy", threshold_level="specialist",
            rationale="Strategy meeting held: same outcome.", participants=_core(m), actions=[],
            amendment_reason="Record the strategy meeting's conclusion.",
        )  # fmt: skip
        clock.move_to(at(9, 8, 9, 30))
        decisions.decision_sign_off(decision=amendment, by=m.manager)

        # E: the same child as R0, referred again; F: a second adult.
        clock.move_to(at(9, 10, 9))
        e = made["E"] = referral_create(hub=m.hub, data=referral_data(), channel="api", referring_agency=m.police)
        subject_matches_find(referral_id=e.pk)
        match = SubjectMatch.objects.get(referral=e, candidate__referral=made["R0"])
        subject_match_decide(match=match, kind="same_person", by=m.practitioner, reason="Same NHS number")
        clock.move_to(at(9, 10, 10))
        made["F"] = referral_create(
            hub=m.hub, channel="web", referring_agency=m.housing, recorded_by=m.practitioner,
            data=adult("Fay", source_code="4", concerns=["physical"], adult_risk_location="care_home_residential",
                       adult_risk_source="known_to_individual"),
        )  # fmt: skip

        clock.move_to(at(10, 1, 0, 10))
        made["R-Oct"] = referral_create(
            hub=m.hub, data=child("Early", "October"), channel="api", referring_agency=m.police
        )
    return Month(mash=mash, referrals=made)


def _sweep() -> None:
    """The worker as beat runs it: the referrers' waiting emails go (so their outcome deadlines are met), then the
    deadline sweep."""
    acknowledgement.referrer_emails_send()
    deadlines.deadlines_sweep()


def _core(m: Mash, *extra: str) -> list:
    return [m.police.pk, m.social_care.pk, m.health.pk, *(getattr(m, key).pk for key in extra)]


def _screen(m: Mash, referral, rating: str, level: str) -> None:
    triage.referral_screen(
        referral=referral, by=m.practitioner, level=level, criteria=[f"{level}.1"], rating=rating,
        rationale="Screened against the hub's thresholds.",
    )  # fmt: skip


def _answer(m: Mash, referral, key: str, moment: datetime, clock, *, known: bool) -> None:
    clock.move_to(moment)
    request = InformationRequest.objects.get(referral=referral, agency=getattr(m, key))
    data = {"known": known, "summary": "Known to us: two incidents." if known else ""}
    decisions.contribution_add(request=request, data=data, by=m.officers[key])


def _agreements_and_funding(m: Mash) -> None:
    protocol = hub_services.document_create(
        hub=m.hub, kind=DocumentKind.DATA_PROTECTION_PROTOCOL, title="Data protection protocol"
    )
    version = hub_services.document_version_publish(
        document=protocol, effective_from=date(2026, 8, 1), review_due=date(2026, 11, 15), text="DPP"
    )
    hub_services.agreement_sign(
        version=version, agency=m.police, signatory_name="A Chief", signatory_role="Chief Constable",
        signed_on=date(2026, 8, 3), by=m.admin,
    )  # fmt: skip
    for agency, year, amount, fte, pattern in [
        (m.police, 2026, "120000.00", "3.50", WorkingPattern.CO_LOCATED),
        (m.social_care, 2026, "250000.00", "6.00", WorkingPattern.HYBRID),
        (m.health, 2025, "90000.00", "2.00", WorkingPattern.REMOTE),
    ]:
        hub_services.funding_record(
            hub=m.hub, agency=agency, financial_year=year, amount_gbp=Decimal(amount), staff_fte=Decimal(fte),
            working_pattern=pattern,
        )  # fmt: skip
