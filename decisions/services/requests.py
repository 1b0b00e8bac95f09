"""Requests for information: the hub asks agencies for their checks on a referral, each due by the rating's
partner timescale; a request is cancelled when the referral is decided first."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import access_for, agreement_problems
from agencies.models import AgencyKind, MembershipKind
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import InformationRequested, RequestCancelled
from audit.services import record
from decisions.models import InformationRequest, RequestState
from decisions.schemas import RequestSchema
from decisions.services.common import childrens_services_by_default, id_of, locked, memberships_by_agency
from mash.errors import Conflict, ValidationError
from mash.schemas import validated
from referrals import deadlines
from referrals.models import DeadlineKind, DeadlineState, Referral


@transaction.atomic
def information_request(
    *, referral: Referral, by, agencies: list | None = None, note: str = "", household=None
) -> list:
    """Ask agencies for their checks: every core agency of the hub not yet asked, plus the contributing agencies
    chosen (`agencies`) — children's social care only when chosen for an adult's referral naming no child — but only agencies with a current signed information sharing agreement (a core agency
    without one is left out; a chosen one is refused by name, as it could never see the request). Each request is due by the rating's partner timescale and lets the agency's officers see
    the subject details for their checks."""
    referral = locked(referral)
    hub = referral.hub
    require(access_for(by, hub.pk), Action.INFORMATION_REQUEST, referral)
    if not referral.is_open:
        raise Conflict(gettext("This referral is closed"))
    if not referral.can_request_information():
        raise Conflict(
            gettext(
                "Screen and rate the referral Red, Amber or Green before asking agencies (Blue has no MASH response)"
            )
        )
    allowance = deadlines.partner_allowance(hub, referral.rating)
    members = memberships_by_agency(hub)
    clean = validated(RequestSchema, {"agencies": [id_of(a) for a in agencies or []], "note": note}, members=members)
    chosen = set(clean["agencies"])
    asked = set(referral.information_requests.exclude(state=RequestState.CANCELLED).values_list("agency_id", flat=True))
    by_default = childrens_services_by_default(referral)
    wanted = [
        m.agency
        for key, m in members.items()
        if key in chosen
        or (m.kind == MembershipKind.CORE and (by_default or m.agency.kind != AgencyKind.CHILDRENS_SOCIAL_CARE))
    ]
    now = timezone.now()
    problems = agreement_problems(hub, wanted, now)
    refused = [problems[m.agency.pk] for key, m in sorted(members.items()) if key in chosen and problems[m.agency.pk]]
    if refused:
        # A request the agency cannot see would wait for ever: refuse it by name (the page does not offer it).
        raise ValidationError({"agencies": refused})
    new = [agency for agency in wanted if agency.pk not in asked and problems[agency.pk] is None]
    if not new:
        raise Conflict(gettext("Every agency that can receive a request has already been asked about this referral"),
                       field="agencies")  # fmt: skip
    requests = []
    for agency in sorted(new, key=lambda a: a.name):
        deadline = deadlines.deadline_add(referral, DeadlineKind.REQUEST, allowance=allowance)
        request = InformationRequest.objects.create(
            referral=referral,
            agency=agency,
            note=clean["note"],
            requested_by=by,
            requested_at=now,
            deadline=deadline,
            household=household,
        )
        record(
            AuditAction.INFORMATION_REQUESTED,
            hub=hub,
            obj=request,
            payload=InformationRequested(
                referral_id=str(referral.pk),
                agency_id=str(agency.pk),
                core=members[str(agency.pk)].kind == MembershipKind.CORE,
                due_at=deadline.due_at.isoformat(),
            ),
        )
        requests.append(request)
    referral.await_information()
    return requests


@transaction.atomic
def household_information_request(*, household, by, agencies: list | None = None, note: str = "") -> list:
    """Ask agencies once about a household: for every open child's referral rated Red, Amber or Green, the requests
    `information_request` makes (the same rules, each due by that child's timescale), each marked with the household
    so that the agency answers them once. A child whose agencies were all asked already is passed over; Conflict
    when no child can be asked."""
    referrals = Referral.objects.filter(household=household).order_by("received_at", "reference")
    askable = [r for r in referrals if r.can_request_information()]
    if not askable:
        raise Conflict(gettext("Screen and rate a child of this household Red, Amber or Green before asking agencies"))
    made = []
    for referral in askable:
        try:
            made += information_request(referral=referral, by=by, agencies=agencies, note=note, household=household)
        except Conflict:  # every agency already asked about this child (its savepoint rolled back): pass over it
            continue
    if not made:
        raise Conflict(gettext("Every agency that can receive a request has already been asked about these children"),
                       field="agencies")  # fmt: skip
    return made


def cancel_request(request: InformationRequest, reason: str) -> None:
    request.cancel()
    deadlines.deadline_close(request.deadline, DeadlineState.CANCELLED, reason)
    record(
        AuditAction.INFORMATION_REQUEST_CANCELLED,
        hub=request.referral.hub_id,
        obj=request,
        payload=RequestCancelled(referral_id=str(request.referral_id), agency_id=str(request.agency_id), reason=reason),
    )
