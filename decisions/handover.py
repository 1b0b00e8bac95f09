"""Handing the case to the service that will work it (issue 19, part 6; README, "Handover to the service that works
the case"): which outcomes hand over and to whom, the handover package, and the services that write a handover at
sign-off and record its acknowledgement.

The package is one versioned JSON document, built here only (`package_of`). Its child's part follows the Department
for Education's children's social care data standard (the CSC API: `child_details`, `social_care_episodes` with
`referral_date`, `referral_source`, `referral_no_further_action_flag` and `section_47_assessments`); a coded field
carries the standard's code and its words. What the standard has no place for (the hub's decision, the household,
the agreed actions, the signing manager) is in sections of its own.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from agencies.access import access_for, access_for_agency, access_for_client
from agencies.codes import ReferralSource
from agencies.models import AgencyKind, HubMembership
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.events.payloads import HandoverFacts
from audit.services import record
from decisions import webhooks
from decisions.models import AdultOutcome, ChildOutcome, Decision, Handover, StrategyDiscussion
from decisions.models.strategy import S47_DECISIONS
from mash.instants import instant
from mash.words import plain
from mash.workinghours import due_after
from referrals.models import Person, PersonRole, ReferralCohort

PACKAGE_SCHEMA = "mash.handover"
PACKAGE_VERSION = 1
# The outcomes that pass the case to social care to work: an assessment or an enquiry. No further action, advice,
# signposting, early help and a police investigation are not handed over (the police hear through their own route).
HANDED_OVER = {
    ReferralCohort.CHILD: {ChildOutcome.S17, ChildOutcome.S47},
    ReferralCohort.ADULT: {AdultOutcome.CARE_NEEDS, AdultOutcome.S42, AdultOutcome.OTHER_ENQUIRY},
}
RECEIVER_KIND = {
    ReferralCohort.CHILD: AgencyKind.CHILDRENS_SOCIAL_CARE,
    ReferralCohort.ADULT: AgencyKind.ADULT_SOCIAL_CARE,
}
# The CSC API's sex codes; the referral records gender in the referrer's words.
SEX = {"male": ("M", "Male"), "female": ("F", "Female")}
# The census's ethnicity codes with their words; the referral records ethnicity as the referrer gave it.
ETHNICITIES = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy/Roma", "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African", "MWAS": "White and Asian", "MOTH": "Any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean", "BAFR": "Black African", "BOTH": "Any other Black background", "CHNE": "Chinese",
    "OOTH": "Any other ethnic group", "REFU": "Refused", "NOBT": "Information not yet obtained",
}  # fmt: skip
ETHNICITY_CODES = {words.lower(): code for code, words in ETHNICITIES.items()}


def hands_over(decision: Decision) -> bool:
    return decision.outcome in HANDED_OVER.get(decision.referral.cohort, set())


def receiving_agency(referral):
    """The hub's children's social care agency for a child, adult social care for an adult (a core member first);
    None when the hub has none."""
    kind = RECEIVER_KIND.get(referral.cohort)
    membership = (
        HubMembership.objects.filter(hub_id=referral.hub_id, agency__kind=kind)
        .select_related("agency")
        .order_by("kind", "agency__name")
        .first()
    )
    return membership.agency if membership else None


def _coded(code: str, label: str) -> dict:
    return {"code": code or None, "label": label}


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _person(person: Person) -> dict:
    sex = SEX.get(person.gender.strip().lower(), ("U", person.gender or "Not recorded"))
    ethnicity = person.ethnicity.strip()
    code = ethnicity.upper() if ethnicity.upper() in ETHNICITIES else ETHNICITY_CODES.get(ethnicity.lower(), "")
    return {
        "person_id": str(person.pk),
        "first_name": person.given_name,
        "surname": person.family_name,
        "date_of_birth": _day(person.date_of_birth),
        "estimated_age": person.estimated_age,
        "sex": _coded(*sex),
        "ethnicity": _coded(code, ETHNICITIES.get(code) or ethnicity or "Not recorded"),
        "nhs_number": person.nhs_number or None,
        "unique_pupil_number": None,  # not held by the hub
        "address": person.address,
        "postcode": person.postcode,
    }


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _s47_start(referral) -> str | None:
    discussion = (
        StrategyDiscussion.objects.filter(referral=referral, decision__in=S47_DECISIONS, s47_started_on__isnull=False)
        .order_by("-held_at")
        .first()
    )
    return _day(discussion.s47_started_on) if discussion else None


def _level_name(referral, code: str) -> str:
    screening = referral.screenings.select_related("threshold_version").order_by("-at").first()
    level = screening.threshold_version.level(code) if screening and screening.threshold_version else None
    return level["name"] if level else code.replace("_", " ").capitalize()


def package_of(decision: Decision, *, receiver, handover_id: str = "") -> dict:
    """The handover package of a signed decision: the versioned JSON document the receiving service is sent. Its
    labels are the source language's (English) whoever signs off: the document is the integration's contract."""
    with translation.override(settings.LANGUAGE_CODE):
        return plain(_package(decision, receiver=receiver, handover_id=handover_id))


def _package(decision: Decision, *, receiver, handover_id: str) -> dict:
    referral = decision.referral
    people = list(referral.persons.all())
    subject = next((p for p in people if p.role == PersonRole.SUBJECT), Person())
    source = referral.source_code
    episode = {
        "social_care_episode_id": str(referral.pk),
        "referral_date": _day(timezone.localdate(referral.received_at)),
        "referral_source": _coded(source, ReferralSource(source).label if source else "Not recorded"),
        "referral_no_further_action_flag": decision.outcome == ChildOutcome.NFA,
    }
    s47_start = _s47_start(referral) if referral.cohort == ReferralCohort.CHILD else None
    if s47_start:
        episode["section_47_assessments"] = [{"start_date": s47_start}]
    return {
        "schema": PACKAGE_SCHEMA,
        "version": PACKAGE_VERSION,
        "handover_id": handover_id,
        "hub": {"id": str(referral.hub_id), "name": referral.hub.name},
        "referral": {
            "id": str(referral.pk),
            "reference": referral.reference,
            "received_at": instant(referral.received_at),
            "cohort": _coded(referral.cohort, ReferralCohort(referral.cohort).label),
        },  # fmt: skip
        "receiving_agency": {"id": str(receiver.pk), "name": receiver.name},
        "la_child_id" if referral.cohort == ReferralCohort.CHILD else "person_id": str(subject.pk or ""),
        "child_details" if referral.cohort == ReferralCohort.CHILD else "person_details": _person(subject),
        "household": [
            {**_person(p), "relationship": _coded(p.role, PersonRole(p.role).label)}
            for p in people
            if p.role != PersonRole.SUBJECT
        ],
        "social_care_episodes": [episode],
        "decision": {
            "id": str(decision.pk),
            "version": decision.version,
            "outcome": _coded(decision.outcome, decision.outcome_label),
            "threshold_level": _coded(decision.threshold_level, _level_name(referral, decision.threshold_level)),
            "rationale": decision.rationale,
            "signed_off_at": instant(decision.reviewed_at),
            "signed_off_by": _name(decision.reviewed_by),
            "agreed_actions": [
                {"owner": a.owner.name, "description": a.description, "due_on": _day(a.due_on)}
                for a in decision.actions.select_related("owner")
            ],
        },
    }


def _facts(handover: Handover) -> HandoverFacts:
    return HandoverFacts(
        referral_id=str(handover.referral_id), decision_id=str(handover.decision_id), agency_id=str(handover.agency_id)
    )


def handover_create(decision: Decision) -> Handover | None:
    """In the sign-off's transaction: when the outcome hands the case over and the hub has the receiving service,
    the handover with its package, audited, and its notice to each of the agency's webhooks (sent after the commit,
    if the agency's agreement lets it hear the case)."""
    if not hands_over(decision):
        return None
    referral = decision.referral
    receiver = receiving_agency(referral)
    if receiver is None:
        return None
    hub, now = referral.hub, timezone.now()
    handover = Handover(hub=hub, referral=referral, decision=decision, agency=receiver, created_at=now, sent_at=now)
    handover.ack_due_at = ack_due(hub, now)
    handover.package = package_of(decision, receiver=receiver, handover_id=str(handover.pk))
    handover.save(force_insert=True)
    record(AuditAction.HANDOVER_SENT, hub=hub, obj=handover, payload=_facts(handover))
    if may(access_for_agency(hub, receiver), Action.HANDOVER_RECEIVE, referral):
        notice = webhooks.envelope(webhooks.HANDED_OVER, now, handover.package)
        webhooks.notices_queue(referral, receiver.pk, notice, decision=decision)
    return handover


def ack_due(hub, sent_at):
    """When an unacknowledged handover shows on the manager's dashboard: the hub's handover_ack_hours later, counted
    in its working hours (a handover sent on Friday afternoon is due on Monday)."""
    hours = timedelta(seconds=hub.handover_ack_hours * settings.TIMESCALE_HOUR_SECONDS)
    calendar = {"working_days": hub.working_days, "day_starts": hub.working_day_starts,
                "day_ends": hub.working_day_ends, "tz": settings.TIME_ZONE}  # fmt: skip
    return due_after(sent_at, hours, counting="working", **calendar)


@transaction.atomic
def handover_acknowledge(*, handover: Handover, by=None, client=None) -> Handover:
    """The receiving agency's system (`client`) or officer (`by`) acknowledges the handover. Acknowledging again
    answers the same handover, unchanged (idempotent); nothing is recorded twice."""
    access = access_for_client(client) if client is not None else access_for(by, handover.hub_id)
    handover = Handover.objects.select_for_update().select_related("agency", "hub").get(pk=handover.pk)
    require(access, Action.HANDOVER_ACKNOWLEDGE, handover)
    if handover.acknowledged:
        return handover
    handover.acknowledge(at=timezone.now(), by=by, client=client)
    record(
        AuditAction.HANDOVER_ACKNOWLEDGED, hub=handover.hub_id, obj=handover, payload=_facts(handover),
        **({"actor_agency": handover.agency_id} if client is not None else {}),
    )  # fmt: skip
    return handover
