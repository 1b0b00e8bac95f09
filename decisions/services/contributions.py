"""Contributions: an agency answers a request (known or no trace, under a lawful basis and a disclosure level), and
a restricted contribution is released with the owning agency's consent. Each write keeps the disclosure log."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from agencies.access import access_for, access_for_client
from agencies.models import ApiClient
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import ContributionAdded, ContributionReleased
from audit.services import record
from decisions.models import (
    Contribution,
    Disclosure,
    DisclosureEntry,
    InformationRequest,
    RequestState,
)
from decisions.schemas import ContributionSchema, ReleaseSchema
from decisions.services.attachments import attachments_store
from mash.errors import Conflict, Refused
from mash.schemas import validated
from mash.words import possessive
from referrals import deadlines
from referrals.models import DeadlineState, ReferralStatus

# Kept in the disclosure log in English, the record's language; marked so that a page can show them translated.
DECISION_MAKERS = gettext_noop("The hub's decision-makers (practitioners and the accountable manager)")


MANAGER_ONLY = gettext_noop("The accountable manager only (restricted by the owning agency)")


@transaction.atomic
def contribution_add(
    *, request: InformationRequest, data: dict, by=None, client: ApiClient | None = None, files=()
) -> Contribution:
    """The agency answers: known or no trace, risk indicators, summary and detail, lawful basis and disclosure.
    From an officer of the agency (`by`) or the agency's API client (`client`); an officer's answer may carry files
    already checked and scanned (decisions/services/attachments.py `upload_check`)."""
    request = (
        InformationRequest.objects.select_for_update()
        .select_related("referral__hub", "agency", "deadline")
        .get(pk=request.pk)
    )
    referral, agency, hub = request.referral, request.agency, request.referral.hub
    if client is not None and client.revoked_at is not None:
        raise Refused(gettext("This client has been revoked"))
    access = access_for_client(client) if client is not None else access_for(by, hub.pk)
    require(access, Action.CONTRIBUTE, request)
    clean = validated(ContributionSchema, data, agency=agency)
    request.answer()  # Conflict if already answered or cancelled
    now = timezone.now()
    contribution = Contribution.objects.create(
        request=request, referral=referral, agency=agency, contributed_by=by, contributed_by_client=client,
        contributed_at=now, **clean,
    )  # fmt: skip
    deadlines.deadline_close(request.deadline, DeadlineState.MET)
    shared = clean["disclosure"] == Disclosure.SHARED
    DisclosureEntry.objects.create(
        contribution=contribution,
        shared_with=DECISION_MAKERS if shared else MANAGER_ONLY,
        purpose=f"The hub's decision on referral {referral.reference}",
        lawful_basis=clean["lawful_basis"],
        recorded_by=by,
        at=now,
    )
    record(
        AuditAction.CONTRIBUTION_ADDED,
        hub=hub,
        obj=contribution,
        actor_agency=agency,
        payload=ContributionAdded(
            referral_id=str(referral.pk),
            agency_id=str(agency.pk),
            known=clean["known"],
            risk_indicators=clean["risk_indicators"],
            lawful_basis=clean["lawful_basis"],
            disclosure=clean["disclosure"],
            requested_at=request.requested_at.isoformat(),
            due_at=request.deadline.due_at.isoformat(),
            on_time=now <= request.deadline.due_at,
        ),
    )
    still_open = referral.information_requests.filter(state=RequestState.OPEN).exists()
    if not still_open and referral.status == ReferralStatus.AWAITING_INFORMATION:
        referral.await_decision()
    attachments_store(on=contribution, by=by, files=files)
    return contribution


@transaction.atomic
def household_contribution_add(
    *, requests: list, data: dict, by=None, client: ApiClient | None = None, files=()
) -> list:
    """The agency answers a household's requests once: the same answer written to each child's open request through
    `contribution_add` (one contribution each, with its deadline met, disclosure log and audit), all or none."""
    open_ones = [r for r in requests if r.is_open]
    if not open_ones:
        raise Conflict(gettext("Your agency has already answered this request"))
    return [contribution_add(request=r, data=data, by=by, client=client, files=files) for r in open_ones]


@transaction.atomic
def contribution_release(*, contribution: Contribution, by, consent: str) -> Contribution:
    """A restricted contribution is released to the hub's decision-makers with the owning agency's consent,
    recorded by one of its officers or by the acting manager (who says who consented)."""
    contribution = (
        Contribution.objects.select_for_update().select_related("referral__hub", "agency").get(pk=contribution.pk)
    )
    hub = contribution.referral.hub
    require(access_for(by, hub.pk), Action.CONTRIBUTION_RELEASE, contribution)
    if not contribution.can_release():
        raise Conflict(gettext("This information is already shared with the hub's decision-makers"))
    consent = validated(ReleaseSchema, {"consent": consent})["consent"]
    now = timezone.now()
    contribution.release(consent=consent, at=now)
    DisclosureEntry.objects.create(
        contribution=contribution,
        shared_with=DECISION_MAKERS,
        purpose=f"Released with {possessive(contribution.agency)} consent for the decision on {contribution.referral.reference}",
        lawful_basis=contribution.lawful_basis,
        recorded_by=by,
        at=now,
    )
    record(
        AuditAction.CONTRIBUTION_RELEASED,
        hub=hub,
        obj=contribution,
        payload=ContributionReleased(referral_id=str(contribution.referral_id), agency_id=str(contribution.agency_id)),
    )
    return contribution
