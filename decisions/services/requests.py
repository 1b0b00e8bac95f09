"""Requests for information: the hub asks agencies for their checks on a referral, each due by the rating's
partner timescale; a request is cancelled when the referral is decided first."""

from django.db import transaction
from django.utils import timezone

from agencies.models import MembershipKind
from audit.services import record
from decisions.models import InformationRequest, RequestState
from decisions.permissions import DecisionAction, may
from decisions.services.common import id_of, locked, memberships_by_agency, refuse
from referrals import deadlines
from referrals import services as referral_services
from referrals.models import DeadlineKind, DeadlineState, Referral, ReferralStatus


@transaction.atomic
def information_request(*, referral: Referral, by, agencies: list | None = None, note: str = "") -> list:
    """Ask agencies for their checks: every core agency of the hub not yet asked, plus the contributing agencies
    chosen (`agencies`). Each request is due by the rating's partner timescale and lets the agency's officers see
    the subject details for their checks."""
    referral = locked(referral)
    hub = referral.hub
    if not may(by, DecisionAction.REQUEST_INFORMATION, hub):
        refuse("Only the hub's practitioners and managers ask agencies for information")
    if not referral.is_open:
        refuse("This referral is closed")
    allowance = deadlines.partner_allowance(hub, referral.rating)
    if allowance is None:
        refuse("Screen and rate the referral Red, Amber or Green before asking agencies (Blue has no MASH response)")
    members = memberships_by_agency(hub)
    chosen = {id_of(a) for a in agencies or []}
    unknown = [a for a in chosen if a not in members]
    if unknown:
        refuse("Choose agencies that are members of this hub", "agencies")
    asked = set(referral.information_requests.exclude(state=RequestState.CANCELLED).values_list("agency_id", flat=True))
    wanted = [m.agency for key, m in members.items() if m.kind == MembershipKind.CORE or key in chosen]
    new = [agency for agency in wanted if agency.pk not in asked]
    if not new:
        refuse("Every agency chosen has already been asked about this referral", "agencies")
    now = timezone.now()
    requests = []
    for agency in sorted(new, key=lambda a: a.name):
        deadline = deadlines.deadline_add(referral, DeadlineKind.REQUEST, allowance=allowance)
        request = InformationRequest.objects.create(
            referral=referral, agency=agency, note=note.strip(), requested_by=by, requested_at=now, deadline=deadline
        )
        referral_services.referral_checks_grant(referral, agency)
        record(
            "information.requested",
            hub=hub,
            obj=request,
            payload={
                "referral_id": str(referral.pk),
                "agency_id": str(agency.pk),
                "core": members[str(agency.pk)].kind == MembershipKind.CORE,
                "due_at": deadline.due_at.isoformat(),
            },
        )
        requests.append(request)
    if referral.status in (ReferralStatus.RECEIVED, ReferralStatus.SCREENED, ReferralStatus.AWAITING_DECISION):
        referral_services.referral_status_set(referral, ReferralStatus.AWAITING_INFORMATION)
    return requests


def cancel_request(request: InformationRequest, reason: str) -> None:
    InformationRequest.objects.filter(pk=request.pk).update(state=RequestState.CANCELLED)
    deadlines.deadline_close(request.deadline, DeadlineState.CANCELLED, reason)
    referral_services.referral_checks_revoke(request.referral, request.agency)
    record(
        "information_request.cancelled",
        hub=request.referral.hub_id,
        obj=request,
        payload={"referral_id": str(request.referral_id), "agency_id": str(request.agency_id), "reason": reason},
    )
