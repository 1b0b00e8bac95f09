"""What the decisions services share: locking a referral, the hub's member agencies."""

from agencies.models import Agency, AgencyKind, HubMembership, MembershipKind
from referrals.models import PersonRole, Referral, ReferralCohort

ADULT_AGE = 18


def locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("hub").get(pk=referral.pk)


def memberships_by_agency(hub) -> dict:
    """The hub's memberships by agency id as text (ids arrive as UUIDs from code, as strings from forms and JSON)."""
    return {str(m.agency_id): m for m in HubMembership.objects.filter(hub=hub).select_related("agency")}


def id_of(value) -> str:
    return str(getattr(value, "pk", value))


def core_agencies(hub) -> list[Agency]:
    return [m.agency for m in memberships_by_agency(hub).values() if m.kind == MembershipKind.CORE]


def names_a_child(referral: Referral) -> bool:
    """Whether anyone named besides the subject (a sibling, a household member, the subject's children, …) is under
    18 on the day the referral was received, by date of birth or estimated age."""
    day = referral.received_at.date()
    for person in referral.persons.exclude(role=PersonRole.SUBJECT):
        born = person.date_of_birth
        if born is not None:
            if (day.year - born.year - ((day.month, day.day) < (born.month, born.day))) < ADULT_AGE:
                return True
        elif person.estimated_age is not None and person.estimated_age < ADULT_AGE:
            return True
    return False


def childrens_services_by_default(referral: Referral) -> bool:
    """Children's social care is asked by default (as a core agency) unless the referral is about an adult and names
    no child: then only when the practitioner chooses it."""
    return referral.cohort != ReferralCohort.ADULT or names_a_child(referral)


def core_agencies_for(referral: Referral) -> list[Agency]:
    """The core agencies a referral needs: the hub's, less children's social care for an adult's referral naming no
    child, unless it was asked all the same."""
    core = core_agencies(referral.hub)
    if childrens_services_by_default(referral):
        return core
    asked = set(referral.information_requests.exclude(state="cancelled").values_list("agency_id", flat=True))
    return [a for a in core if a.kind != AgencyKind.CHILDRENS_SOCIAL_CARE or a.pk in asked]
