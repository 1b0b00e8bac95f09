"""Every write to referrals. The web form and the API call the same service."""

from django.contrib.auth.models import Permission
from django.db import connection, transaction

from agencies.models import Agency, Hub, HubGroup, Role
from audit.services import record
from referrals import dataset, deadlines, matching
from referrals.models import (
    Person,
    PersonRole,
    ReferenceSequence,
    Referral,
    ReferralGroupObjectPermission,
    ReferralStatus,
)
from referrals.permissions import PERMISSION, POLICY, ReferralAction


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


def _grant(referral: Referral) -> None:
    """Give the hub's role groups the referral permissions the policy gives their roles, in one statement: VIEW to
    the hub's own roles, VIEW_STATUS to the officers of the referring agency."""
    hub_roles = sorted(POLICY[ReferralAction.VIEW])
    status_roles = sorted(POLICY[ReferralAction.VIEW_STATUS])
    pk = lambda model, value: model._meta.pk.get_db_prep_value(value, connection)  # noqa: E731
    agency = pk(Agency, referral.referring_agency_id) if referral.referring_agency_id else None
    ids = ", ".join(["%s"] * len(hub_roles)), ", ".join(["%s"] * len(status_roles))
    # Only table names and "%s" placeholders are interpolated; every value is a parameter.
    sql = f"""
        INSERT INTO {ReferralGroupObjectPermission._meta.db_table} (permission_id, group_id, content_object_id)
        SELECT p.id, g.group_id, %s
        FROM {HubGroup._meta.db_table} g
        JOIN auth_permission p ON p.codename = CASE WHEN g.agency_id IS NULL THEN %s ELSE %s END
        JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'referrals' AND t.model = 'referral'
        WHERE g.hub_id = %s
          AND ((g.agency_id IS NULL AND g.role IN ({ids[0]})) OR (g.agency_id = %s AND g.role IN ({ids[1]})))
    """  # noqa: S608
    params = [
        pk(Referral, referral.pk),
        PERMISSION[ReferralAction.VIEW],
        PERMISSION[ReferralAction.VIEW_STATUS],
        pk(Hub, referral.hub_id),
        *hub_roles,
        agency,
        *status_roles,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


PERSON_COLUMNS = (
    "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "nhs_number", "address",
    "postcode",
)  # fmt: skip


@transaction.atomic
def referral_create(
    *, hub: Hub, data: dict, channel: str, recorded_by=None, referring_agency: Agency | None = None
) -> Referral:
    """Validate the standard dataset, store the referral and the people in it, grant access by the policy and
    record `referral.received`, all in one transaction. Bad data raises ValidationError (dotted field paths) and
    stores nothing."""
    clean = dataset.clean(data, hub=hub)
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
    _grant(referral)
    record(
        "referral.received",
        hub=hub,
        obj=referral,
        actor_agency=referring_agency,
        payload={
            "reference": referral.reference,
            "cohort": referral.cohort,
            "channel": channel,
            "source_code": referral.source_code,
            "referring_agency_id": str(referring_agency.pk) if referring_agency else None,
            "concerns": referral.concerns,
            "adult_risk_location": referral.adult_risk_location,
            "adult_risk_source": referral.adult_risk_source,
            "immediate_risk": referral.immediate_risk,
            "consent": referral.consent,
            "others": len(clean["others"]),
            "received_at": referral.received_at.isoformat(),
        },
    )
    deadlines.decision_deadline_set(referral)
    # Once the referral has committed: look for the subject among the hub's earlier referrals. A failure there
    # can never lose the referral.
    transaction.on_commit(lambda: matching.subject_matches_find(referral_id=referral.pk))
    return referral


CHECKS_CODENAME = "view_referral_checks"


def referral_checks_grant(referral: Referral, agency: Agency) -> None:
    """The agency's officers may see the subject details their checks need (while a request to them is live).
    Part of the caller's transaction, which records the request."""
    group_ids = HubGroup.objects.filter(hub_id=referral.hub_id, role=Role.AGENCY_OFFICER, agency=agency).values_list(
        "group_id", flat=True
    )
    permission = Permission.objects.get(content_type__app_label="referrals", codename=CHECKS_CODENAME)
    for group_id in group_ids:
        ReferralGroupObjectPermission.objects.get_or_create(
            permission=permission, group_id=group_id, content_object=referral
        )


def referral_checks_revoke(referral: Referral, agency: Agency) -> None:
    ReferralGroupObjectPermission.objects.filter(
        permission__codename=CHECKS_CODENAME,
        permission__content_type__app_label="referrals",
        content_object=referral,
        group__hub_group__hub_id=referral.hub_id,
        group__hub_group__agency=agency,
    ).delete()


def referral_status_set(referral: Referral, status: str) -> None:
    """The decisions services move an open referral along its path (awaiting information, decision, sign-off).
    The caller's transaction writes the audit event of the step that moved it."""
    if status not in ReferralStatus.values or status == ReferralStatus.CLOSED:
        raise ValueError(f"not a step of an open referral: {status}")
    Referral.objects.filter(pk=referral.pk).exclude(status=ReferralStatus.CLOSED).update(status=status)
    referral.status = status


def referral_decided(referral: Referral, *, outcome: str, at) -> None:
    """A signed decision closes the referral with its outcome; the decision and rating deadlines are met."""
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.CLOSED, outcome=outcome, decided_at=at)
    referral.status, referral.outcome, referral.decided_at = ReferralStatus.CLOSED, outcome, at
    deadlines.deadlines_meet(referral, ["decision", "rating"])
