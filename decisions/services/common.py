"""What the decisions services share: locking a referral, the hub's member agencies."""

from agencies.models import Agency, HubMembership, MembershipKind
from referrals.models import Referral


def locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("hub").get(pk=referral.pk)


def memberships_by_agency(hub) -> dict:
    """The hub's memberships by agency id as text (ids arrive as UUIDs from code, as strings from forms and JSON)."""
    return {str(m.agency_id): m for m in HubMembership.objects.filter(hub=hub).select_related("agency")}


def id_of(value) -> str:
    return str(getattr(value, "pk", value))


def core_agencies(hub) -> list[Agency]:
    return [m.agency for m in memberships_by_agency(hub).values() if m.kind == MembershipKind.CORE]
