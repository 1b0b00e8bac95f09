"""Every write to referrals. The web form and the API call the same service."""

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F

from agencies.models import Agency, Hub, HubGroup, Role
from audit.services import record
from referrals import dataset, matching
from referrals.models import Person, PersonRole, ReferenceSequence, Referral, ReferralGroupObjectPermission
from referrals.permissions import PERMISSION, POLICY, ReferralAction


def _next_reference(hub: Hub, year: int) -> str:
    """HUBSLUG-2026-000123, unique per hub: the hub-year counter row is locked until the referral commits."""
    sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(hub=hub, year=year)
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{hub.slug.upper()[:12]}-{year}-{sequence.last:06d}"


def _grant(referral: Referral) -> None:
    """Give the hub's role groups the referral permissions the policy gives their roles, in one insert."""
    codenames = {action: PERMISSION[action] for action in (ReferralAction.VIEW, ReferralAction.VIEW_STATUS)}
    permissions = {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="referrals", codename__in=codenames.values())
    }
    groups = HubGroup.objects.filter(hub_id=referral.hub_id, role__in=POLICY[ReferralAction.VIEW], agency=None)
    rows = [
        ReferralGroupObjectPermission(
            group_id=g.group_id, permission=permissions[codenames[ReferralAction.VIEW]], content_object=referral
        )
        for g in groups
    ]
    if referral.referring_agency_id:
        officers = HubGroup.objects.filter(
            hub_id=referral.hub_id, role=Role.AGENCY_OFFICER, agency_id=referral.referring_agency_id
        )
        rows += [
            ReferralGroupObjectPermission(
                group_id=g.group_id,
                permission=permissions[codenames[ReferralAction.VIEW_STATUS]],
                content_object=referral,
            )
            for g in officers
        ]
    ReferralGroupObjectPermission.objects.bulk_create(rows)


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
            "immediate_risk": referral.immediate_risk,
            "consent": referral.consent,
            "others": len(clean["others"]),
            "received_at": referral.received_at.isoformat(),
        },
    )
    # Once the referral has committed: look for the subject among the hub's earlier referrals. A failure there
    # can never lose the referral.
    transaction.on_commit(lambda: matching.subject_matches_find(referral_id=referral.pk))
    return referral
