"""Every write to referrals. The web form and the API call the same service."""

from django.db import connection, transaction

from agencies.access import access_for
from agencies.models import Agency, Hub
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import ReferralReceived
from audit.services import record
from referrals import deadlines, immediate, matching
from referrals.models import (
    Person,
    PersonRole,
    ReferenceSequence,
    Referral,
)
from referrals.schemas import referral_clean


def _next_reference(hub: Hub, year: int) -> str:
    """HUBSLUG-2026-000123, unique per hub and without gaps: one statement takes the hub-year counter's next value,
    and its row stays locked until the referral commits."""
    table = ReferenceSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (hub_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608 - our own table name
            f"ON CONFLICT (hub_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [Hub._meta.pk.get_db_prep_value(hub.pk, connection), year],
        )
        number = cursor.fetchone()[0]
    return f"{hub.slug.upper()[:12]}-{year}-{number:06d}"


PERSON_COLUMNS = (
    "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "nhs_number", "address",
    "postcode",
)  # fmt: skip


@transaction.atomic
def referral_create(
    *, hub: Hub, data: dict, channel: str, recorded_by=None, referring_agency: Agency | None = None
) -> Referral:
    """Validate the standard dataset, store the referral and the people in it and record `referral.received`, all
    in one transaction (who may see it is the policy's: agencies/policy.py). Bad data raises ValidationError (dotted field paths) and
    stores nothing."""
    if recorded_by is not None:
        require(access_for(recorded_by, hub.pk), Action.REFERRAL_CREATE)
    clean = referral_clean(data, hub=hub)
    referral = Referral.objects.create(
        hub=hub,
        reference=_next_reference(hub, clean["received_at"].year),
        cohort=clean["cohort"],
        cohort_overridden=clean["cohort_overridden"],
        received_at=clean["received_at"],
        channel=channel,
        referring_agency=referring_agency,
        referrer_name=clean["referrer"]["name"],
        referrer_role=clean["referrer"]["role"],
        referrer_contact=clean["referrer"]["contact"],
        source_code=clean["source_code"],
        concerns=clean["concerns"],
        adult_risk_location=clean["adult_risk_location"],
        adult_risk_source=clean["adult_risk_source"],
        narrative=clean["narrative"],
        immediate_risk=clean["immediate_risk"],
        consent=clean["consent"],
        consent_reason=clean["consent_reason"],
        recorded_by=recorded_by,
    )
    people = [(PersonRole.SUBJECT, clean["subject"])] + [(p["role"], p) for p in clean["others"]]
    Person.objects.bulk_create(
        Person(
            referral=referral,
            role=role,
            name_key=matching.name_key(person["family_name"], person["given_name"]),
            **{c: person[c] for c in PERSON_COLUMNS},
        )
        for role, person in people
    )
    record(
        AuditAction.REFERRAL_RECEIVED,
        hub=hub,
        obj=referral,
        actor_agency=referring_agency,
        payload=ReferralReceived(
            reference=referral.reference,
            cohort=referral.cohort,
            channel=channel,
            source_code=referral.source_code,
            referring_agency_id=str(referring_agency.pk) if referring_agency else None,
            concerns=referral.concerns,
            adult_risk_location=referral.adult_risk_location,
            adult_risk_source=referral.adult_risk_source,
            immediate_risk=referral.immediate_risk,
            consent=referral.consent,
            others=len(clean["others"]),
            received_at=referral.received_at.isoformat(),
        ),
    )
    if referral.immediate_risk:
        immediate.alert(referral)  # the decision due in the hub's immediate-risk hours, and everyone told at once
    else:
        deadlines.decision_deadline_set(referral)
    # Once the referral has committed: look for the subject among the hub's earlier referrals. A failure there
    # can never lose the referral.
    transaction.on_commit(lambda: matching.subject_matches_find(referral_id=referral.pk))
    return referral


def referral_decided(referral: Referral, *, outcome: str, at) -> None:
    """A decision (a signed one, or the manager's Blue closure) closes the referral with its outcome; the decision
    and rating deadlines are met. Part of the caller's transaction, which writes the decision's audit event."""
    referral.decide(outcome=outcome, at=at)
    deadlines.deadlines_meet(referral, ["decision", "rating"])
