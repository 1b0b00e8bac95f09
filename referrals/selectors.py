"""Reads of referrals, scoped first: a referral the user may not see does not exist for them (404)."""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from referrals.models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from referrals.permissions import PERMISSION, ReferralAction


def _permission_id(action: ReferralAction) -> int:
    return Permission.objects.get(content_type__app_label="referrals", codename=PERMISSION[action]).pk


def referrals_visible_to(user, action: ReferralAction = ReferralAction.VIEW, hub=None) -> QuerySet[Referral]:
    """Referrals on which the user holds `action`, through one of their groups or directly."""
    if not (user.is_authenticated and user.is_active):
        return Referral.objects.none()
    permission = _permission_id(action)
    through_group = ReferralGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission_id=permission, group__user=user
    )
    direct = ReferralUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission_id=permission, user=user
    )
    referrals = Referral.objects.filter(Exists(through_group) | Exists(direct))
    if hub is not None:
        referrals = referrals.filter(hub=hub)
    return referrals.select_related("hub", "referring_agency")


def referral_for(user, referral_id, action: ReferralAction = ReferralAction.VIEW) -> Referral:
    referral = referrals_visible_to(user, action).filter(pk=referral_id).prefetch_related("persons").first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def referrals_of_client(client) -> QuerySet[Referral]:
    """An agency's API client sees the referrals its own agency made to its hub, and nothing else."""
    return Referral.objects.filter(hub_id=client.hub_id, referring_agency_id=client.agency_id).order_by(
        "-received_at", "-id"
    )


def referral_of_client(client, referral_id) -> Referral:
    referral = referrals_of_client(client).filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def matches_of(referral: Referral) -> tuple[list, list[Referral]]:
    """The referral's suggested and answered matches (with the earlier referral), and the earlier referrals of the
    people confirmed to be its subject."""
    from referrals.models import MatchState, SubjectMatch

    matches = list(SubjectMatch.objects.filter(referral=referral).select_related("candidate__referral", "decided_by"))
    earlier = [m.candidate.referral for m in matches if m.state == MatchState.CONFIRMED]
    return matches, sorted({r.pk: r for r in earlier}.values(), key=lambda r: r.received_at, reverse=True)
