"""Every write to referrals. The web form and the API call the same service."""

import uuid

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.models import Agency, Hub
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import ReferralAmended, ReferralReceived
from audit.services import record
from audit.services import together as audit_together
from mash.queue import after_commit
from mash.schemas import validated
from referrals import acknowledgement, deadlines, immediate, matching, people_index
from referrals.models import (
    Household,
    Person,
    PersonRole,
    ReferenceSequence,
    Referral,
    ReferralVersion,
)
from referrals.schemas import referral_clean
from referrals.triage_schemas import AmendingSchema
from referrals.versions import PERSON_COLUMNS, changed_fields, dataset_of

MATCH_TASK = "referrals.tasks.subject_matches_find"


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


def _provisional_reference() -> str:
    """Unique, never seen: the referral's reference until `_next_reference` gives its own, in the same transaction."""
    return f"~{uuid.uuid4().hex[:31]}"  # 32 characters, as the field allows


def referral_create(
    *,
    hub: Hub,
    data: dict,
    channel: str,
    recorded_by=None,
    referring_agency: Agency | None = None,
    history: bool = False,
    household: Household | None = None,
) -> Referral:
    """Validate the standard dataset, store the referral and the people in it and record `referral.received`, all
    in one transaction (who may see it is the policy's: agencies/policy.py). Bad data raises ValidationError (dotted
    field paths) and stores nothing. The time received is within the hub's `late_referral_days`; `history=True`
    lifts that bound for trusted internal callers only (the demo's history, test factories), never for what an
    agency or a practitioner sends. `household`: the household contact the referral is one child's of
    (referrals/households.py)."""
    if recorded_by is not None:
        require(access_for(recorded_by, hub.pk), Action.REFERRAL_CREATE)
    clean = referral_clean(data, hub=hub, agency=referring_agency, history=history)
    # Checked before the transaction, so what follows raises only what rolls the caller's back too: the caller's
    # transaction (an agency's idempotency record, a household) is used as it is, without a savepoint.
    with transaction.atomic(savepoint=False), audit_together():
        return _referral_store(hub, clean, channel, recorded_by, referring_agency, household)


def _referral_store(hub, clean, channel, recorded_by, referring_agency, household) -> Referral:
    referral = Referral(
        hub=hub,
        reference=_provisional_reference(),
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
        household=household,
    )
    deadline = deadlines.decision_deadline_new(referral)  # inserted with the referral's due time
    referral.save(force_insert=True)
    people = [(PersonRole.SUBJECT, clean["subject"])] + [(p["role"], p) for p in clean["others"]]
    # The records in the order given, the subject first (a household contact links them across its referrals), each
    # inserted with its own index person, then their blocking keys.
    named = [_person(referral, role, person) for role, person in people]
    people_index.index_people_give(named, hub=hub)
    referral.named_people = Person.objects.bulk_create(named)
    people_index.keys_write(named, hub=hub)
    # The hub-year counter's row stays locked until this transaction commits, so it is taken after the writes that
    # do not need the reference: the hub's other referrals wait for the rest only.
    referral.reference = _next_reference(hub, clean["received_at"].year)
    Referral.objects.filter(pk=referral.pk).update(reference=referral.reference)
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
    deadlines.deadline_save(deadline)
    if referral.immediate_risk:
        immediate.alert(referral, deadline=deadline)  # everyone who must act told at once
    acknowledgement.receipt_tell(referral)  # the referrer is told at once (referrals/acknowledgement.py)
    # Once the referral has committed, the worker looks for the subject among the hub's earlier records (beat's
    # matching sweep catches a task lost with the broker): never in the agency's request, never losing the referral.
    after_commit(MATCH_TASK, str(referral.pk))
    return referral


def referral_decided(referral: Referral, *, outcome: str, at, strategy_follows: bool = False) -> None:
    """A decision (a signed one, or the manager's Blue closure) closes the referral with its outcome; the decision
    and rating deadlines are met, and an open strategy discussion deadline is cancelled unless the decision is to
    hold one (`strategy_follows`: it stays due until the discussion is recorded). Part of the caller's transaction,
    which writes the decision's audit event."""
    referral.decide(outcome=outcome, at=at)
    deadlines.deadlines_meet(referral, ["decision", "rating"])
    if not strategy_follows:
        deadlines.strategy_deadline_cancel(referral, "closed")
    acknowledgement.outcome_tell(referral)  # the referrer is told within one working day


def _person(referral: Referral, role: str, person: dict) -> Person:
    return Person(
        referral=referral,
        role=role,
        name_key=matching.name_key(person["family_name"], person["given_name"]),
        **{c: person[c] for c in PERSON_COLUMNS},
    )


REFERRAL_COLUMNS = (
    "cohort", "cohort_overridden", "source_code", "concerns", "adult_risk_location", "adult_risk_source", "narrative",
    "immediate_risk", "consent", "consent_reason",
)  # fmt: skip


@transaction.atomic
def referral_amend(*, referral: Referral, by, data: dict, reason: str) -> ReferralVersion:
    """A new version of an open referral: the whole dataset again, checked by the same schema as when it was
    recorded (the time received stays), with the reason. The referral and its people become the new version (so
    agencies already asked check the people it names); the version keeps the dataset before and after, and
    `referral.amended` is recorded. Conflict (409) once the referral is closed; ValidationError if nothing changed."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require(access_for(by, referral.hub_id), Action.REFERRAL_AMEND, referral)
    if not referral.can("amend"):
        referral.amend()  # raises Conflict with the lifecycle's reason
    clean, why = amendment_clean(referral=referral, data=data, reason=reason)
    before = dataset_of(referral)
    referral.amend(**{column: clean[column] for column in REFERRAL_COLUMNS},
                   referrer_name=clean["referrer"]["name"], referrer_role=clean["referrer"]["role"],
                   referrer_contact=clean["referrer"]["contact"])  # fmt: skip
    _people_replace(referral, clean)
    after = dataset_of(referral)
    changed = changed_fields(before, after)
    if not changed:
        raise ValidationError(gettext("Nothing has changed: change the referral's details, or cancel"))
    version = ReferralVersion.objects.create(
        referral=referral, number=referral.versions.count() + 2, before=before, after=after, reason=why, by=by,
        at=timezone.now(),
    )  # fmt: skip
    record(
        AuditAction.REFERRAL_AMENDED,
        hub=referral.hub,
        obj=referral,
        payload=ReferralAmended(
            reference=referral.reference, version=version.number, changed=changed, others=len(clean["others"]),
            reason=why,
        ),
    )  # fmt: skip
    if any(key.startswith("subject.") for key in changed):
        after_commit(MATCH_TASK, str(referral.pk))
    return version


def amendment_clean(*, referral: Referral, data: dict, reason: str) -> tuple[dict, str]:
    """An amendment's dataset and reason, cleaned, or ValidationError with every message of both (the web form
    shows them all, even when one of its own fields needs fixing first and nothing is amended)."""
    errors: dict = {}
    clean = why = None
    try:
        # The time received stays, however long ago it now is (`history`).
        clean = referral_clean(
            {**data, "received_at": referral.received_at.isoformat()}, hub=referral.hub, history=True
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        why = validated(AmendingSchema, {"reason": reason})["reason"]
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean, why


def _people_replace(referral: Referral, clean: dict) -> None:
    """The people of the new version. A row keeps standing for the same person (the same role and name), so that
    earlier records matched with it stay right: those rows and the subject's are written over, people no longer
    named are removed, new ones added."""
    rows = list(referral.persons.all())
    wanted = [_person(referral, PersonRole.SUBJECT, clean["subject"])]
    wanted += [_person(referral, p["role"], p) for p in clean["others"]]
    free = {row.pk: row for row in rows}
    added = []
    for person in wanted:
        row = next((r for r in free.values() if (r.role, r.name_key) == (person.role, person.name_key)), None)
        if row is None:
            added.append(person)
            continue
        del free[row.pk]
        for field in PERSON_COLUMNS:
            setattr(row, field, getattr(person, field))
        row.save()
    subject = next((row for row in free.values() if row.role == PersonRole.SUBJECT), None)
    if subject is not None:  # the subject renamed: the same row, new details
        del free[subject.pk]
        new = added.pop(0)
        for field in ("name_key", *PERSON_COLUMNS):
            setattr(subject, field, getattr(new, field))
        subject.save()
    Person.objects.filter(pk__in=list(free)).delete()
    Person.objects.bulk_create(added)
    people_index.records_index(list(referral.persons.all()), hub=referral.hub)
