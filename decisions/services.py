"""Every write of the multi-agency part: requests for information, contributions and their release, the gate
override, proposing, returning and signing off decisions, and agreed actions. Web pages and the API call these.

Each is one transaction with its audit events; bad input raises ValidationError with the field's name and changes
nothing. Who may act is checked here (decisions/permissions.py), not only in the views.
"""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.models import Agency, ApiClient, HubMembership, MembershipKind
from agencies.selectors import missing_agreement_message
from audit.services import record
from decisions import webhooks
from decisions.models import (
    OUTCOMES,
    AgreedAction,
    Contribution,
    Decision,
    DecisionState,
    Disclosure,
    DisclosureEntry,
    GateOverride,
    InformationRequest,
    LawfulBasis,
    RequestState,
    RiskIndicator,
    lawful_basis_for,
)
from decisions.permissions import DecisionAction, may
from referrals import deadlines
from referrals import services as referral_services
from referrals.models import DeadlineKind, DeadlineState, Referral, ReferralStatus, ThresholdVersion

DECISION_MAKERS = "The hub's decision-makers (practitioners and the accountable manager)"
MANAGER_ONLY = "The accountable manager only (restricted by the owning agency)"


def _refuse(message: str, field: str = "__all__"):
    raise ValidationError({field: message})


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("hub").get(pk=referral.pk)


def _members(hub) -> dict:
    """The hub's memberships by agency id as text (ids arrive as UUIDs from code, as strings from forms and JSON)."""
    return {str(m.agency_id): m for m in HubMembership.objects.filter(hub=hub).select_related("agency")}


def _id(value) -> str:
    return str(getattr(value, "pk", value))


def core_agencies(hub) -> list[Agency]:
    return [m.agency for m in _members(hub).values() if m.kind == MembershipKind.CORE]


# Requests for information ------------------------------------------------------------------------------------------


@transaction.atomic
def information_request(*, referral: Referral, by, agencies: list | None = None, note: str = "") -> list:
    """Ask agencies for their checks: every core agency of the hub not yet asked, plus the contributing agencies
    chosen (`agencies`). Each request is due by the rating's partner timescale and lets the agency's officers see
    the subject details for their checks."""
    referral = _locked(referral)
    hub = referral.hub
    if not may(by, DecisionAction.REQUEST_INFORMATION, hub):
        _refuse("Only the hub's practitioners and managers ask agencies for information")
    if not referral.is_open:
        _refuse("This referral is closed")
    allowance = deadlines.partner_allowance(hub, referral.rating)
    if allowance is None:
        _refuse("Screen and rate the referral Red, Amber or Green before asking agencies (Blue has no MASH response)")
    members = _members(hub)
    chosen = {_id(a) for a in agencies or []}
    unknown = [a for a in chosen if a not in members]
    if unknown:
        _refuse("Choose agencies that are members of this hub", "agencies")
    asked = set(referral.information_requests.exclude(state=RequestState.CANCELLED).values_list("agency_id", flat=True))
    wanted = [m.agency for key, m in members.items() if m.kind == MembershipKind.CORE or key in chosen]
    new = [agency for agency in wanted if agency.pk not in asked]
    if not new:
        _refuse("Every agency chosen has already been asked about this referral", "agencies")
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


def _cancel_request(request: InformationRequest, reason: str) -> None:
    InformationRequest.objects.filter(pk=request.pk).update(state=RequestState.CANCELLED)
    deadlines.deadline_close(request.deadline, DeadlineState.CANCELLED, reason)
    referral_services.referral_checks_revoke(request.referral, request.agency)
    record(
        "information_request.cancelled",
        hub=request.referral.hub_id,
        obj=request,
        payload={"referral_id": str(request.referral_id), "agency_id": str(request.agency_id), "reason": reason},
    )


# Contributions --------------------------------------------------------------------------------------------------------


def _clean_contribution(data: dict, agency: Agency) -> dict:
    errors: dict[str, str] = {}
    known = data.get("known")
    if not isinstance(known, bool):
        errors["known"] = "Say whether the agency knows the subject, or record no trace"
    indicators = data.get("risk_indicators") or []
    if not isinstance(indicators, list) or any(i not in RiskIndicator.values for i in indicators):
        errors["risk_indicators"] = f"Choose risk indicators from: {', '.join(RiskIndicator.values)}"
    summary = str(data.get("summary") or "").strip()
    detail = str(data.get("detail") or "").strip()
    if known is True and not summary:
        errors["summary"] = "Summarise what the agency knows"
    if len(summary) > 2000:
        errors["summary"] = "Keep the summary to 2,000 characters; put the rest in the detail"
    if len(detail) > 20000:
        errors["detail"] = "Keep the detail to 20,000 characters"
    basis = data.get("lawful_basis") or lawful_basis_for(agency)
    if basis not in LawfulBasis.values:
        errors["lawful_basis"] = f"Choose the lawful basis: {', '.join(LawfulBasis.values)}"
    disclosure = data.get("disclosure") or Disclosure.SHARED
    if disclosure not in Disclosure.values:
        errors["disclosure"] = "Choose shared or restricted"
    if errors:
        raise ValidationError(errors)
    if known is False:
        indicators = []
    return {
        "known": known,
        "risk_indicators": sorted(set(indicators)),
        "summary": summary,
        "detail": detail,
        "lawful_basis": basis,
        "disclosure": disclosure,
    }


def agreement_gate(agency: Agency, hub) -> None:
    """An agency without a current signed information sharing agreement sees and shares nothing; the message
    says which agreement is missing."""
    message = missing_agreement_message(agency, hub)
    if message:
        raise ValidationError({"agreement": message}, code="no_agreement")


@transaction.atomic
def contribution_add(
    *, request: InformationRequest, data: dict, by=None, client: ApiClient | None = None
) -> Contribution:
    """The agency answers: known or no trace, risk indicators, summary and detail, lawful basis and disclosure.
    From an officer of the agency (`by`) or the agency's API client (`client`)."""
    request = (
        InformationRequest.objects.select_for_update()
        .select_related("referral__hub", "agency", "deadline")
        .get(pk=request.pk)
    )
    referral, agency, hub = request.referral, request.agency, request.referral.hub
    if client is not None:
        if client.agency_id != agency.pk or client.hub_id != hub.pk or client.revoked_at is not None:
            _refuse("This request is not to your agency")
    elif by is None or not may(by, DecisionAction.CONTRIBUTE, hub, agency):
        _refuse("Only officers of the agency asked may answer this request")
    agreement_gate(agency, hub)
    if request.state == RequestState.ANSWERED:
        _refuse("Your agency has already answered this request")
    if request.state != RequestState.OPEN:
        _refuse("This request was cancelled")
    clean = _clean_contribution(data, agency)
    now = timezone.now()
    contribution = Contribution.objects.create(
        request=request, referral=referral, agency=agency, contributed_by=by, contributed_by_client=client,
        contributed_at=now, **clean,
    )  # fmt: skip
    InformationRequest.objects.filter(pk=request.pk).update(state=RequestState.ANSWERED)
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
        "contribution.added",
        hub=hub,
        obj=contribution,
        actor_agency=agency,
        payload={
            "referral_id": str(referral.pk),
            "agency_id": str(agency.pk),
            "known": clean["known"],
            "risk_indicators": clean["risk_indicators"],
            "lawful_basis": clean["lawful_basis"],
            "disclosure": clean["disclosure"],
            "requested_at": request.requested_at.isoformat(),
            "due_at": request.deadline.due_at.isoformat(),
            "on_time": now <= request.deadline.due_at,
        },
    )
    still_open = referral.information_requests.filter(state=RequestState.OPEN).exists()
    if not still_open and referral.status == ReferralStatus.AWAITING_INFORMATION:
        referral_services.referral_status_set(referral, ReferralStatus.AWAITING_DECISION)
    return contribution


@transaction.atomic
def contribution_release(*, contribution: Contribution, by, consent: str) -> Contribution:
    """A restricted contribution is released to the hub's decision-makers with the owning agency's consent,
    recorded by one of its officers or by the acting manager (who says who consented)."""
    contribution = (
        Contribution.objects.select_for_update().select_related("referral__hub", "agency").get(pk=contribution.pk)
    )
    hub = contribution.referral.hub
    if not (may(by, DecisionAction.MANAGE, hub) or may(by, DecisionAction.CONTRIBUTE, hub, contribution.agency)):
        _refuse("Only the owning agency or the accountable manager may release restricted information")
    if contribution.disclosure != Disclosure.RESTRICTED or contribution.released_at:
        _refuse("This information is already shared with the hub's decision-makers")
    if not (consent or "").strip():
        _refuse("Record who at the owning agency consented, and when", "consent")
    now = timezone.now()
    Contribution.objects.filter(pk=contribution.pk).update(released_at=now, release_consent=consent.strip())
    contribution.released_at, contribution.release_consent = now, consent.strip()
    DisclosureEntry.objects.create(
        contribution=contribution,
        shared_with=DECISION_MAKERS,
        purpose=f"Released with {contribution.agency}'s consent for the decision on {contribution.referral.reference}",
        lawful_basis=contribution.lawful_basis,
        recorded_by=by,
        at=now,
    )
    record(
        "contribution.released",
        hub=hub,
        obj=contribution,
        payload={"referral_id": str(contribution.referral_id), "agency_id": str(contribution.agency_id)},
    )
    return contribution


# Joint decisions ------------------------------------------------------------------------------------------------------


def missing_core_agencies(referral: Referral) -> list[Agency]:
    """Core agencies of the hub that have neither contributed nor recorded no trace on this referral."""
    answered = set(referral.contributions.values_list("agency_id", flat=True))
    return [a for a in core_agencies(referral.hub) if a.pk not in answered]


def _gate_overridden(referral: Referral) -> bool:
    return referral.gate_overrides.exists()


@transaction.atomic
def gate_override(*, referral: Referral, by, reason: str) -> GateOverride:
    """The acting manager lets a decision be proposed before every core agency has answered, with a reason."""
    referral = _locked(referral)
    if not may(by, DecisionAction.MANAGE, referral.hub):
        _refuse("Only the accountable manager, or the deputy while delegated, may override")
    if not (reason or "").strip():
        _refuse("Give the reason for deciding without every core agency", "reason")
    missing = missing_core_agencies(referral)
    if not missing:
        _refuse("Every core agency has answered: no override is needed")
    override = GateOverride.objects.create(referral=referral, reason=reason.strip(), by=by, at=timezone.now())
    override.missing_agencies.set(missing)
    record(
        "decision.gate_overridden",
        hub=referral.hub,
        obj=referral,
        payload={"missing_agency_ids": sorted(str(a.pk) for a in missing)},
    )
    return override


def _level_codes(referral: Referral) -> set[str]:
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    version = last.threshold_version if last else None
    version = version or ThresholdVersion.objects.filter(hub=referral.hub, cohort=referral.cohort).first()
    return {level["code"] for level in version.levels} if version else set()


def _clean_actions(actions, members: dict) -> list[dict]:
    errors: dict[str, str] = {}
    clean = []
    today = timezone.localdate()
    if not isinstance(actions, list):
        raise ValidationError({"actions": "Give the agreed actions as a list"})
    for i, action in enumerate(actions):
        owner = _id(action.get("owner"))
        description = str(action.get("description") or "").strip()
        due_on = action.get("due_on")
        if isinstance(due_on, str):
            try:
                due_on = date.fromisoformat(due_on)
            except ValueError:
                due_on = None
        if owner not in members:
            errors[f"actions.{i}.owner"] = "Choose the agency that owns this action"
        if not description:
            errors[f"actions.{i}.description"] = "Describe the action"
        if not isinstance(due_on, date):
            errors[f"actions.{i}.due_on"] = "Give the date the action is due"
        elif due_on < today:
            errors[f"actions.{i}.due_on"] = "The due date must be today or later"
        clean.append({"owner_id": owner, "description": description, "due_on": due_on})
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def decision_propose(
    *,
    referral: Referral,
    by,
    outcome: str,
    threshold_level: str,
    rationale: str,
    participants: list,
    actions: list,
    amendment_reason: str = "",
) -> Decision:
    """Propose the joint decision (or its revision after a return, or an amendment of a signed one: a new version
    each time). Needs every core agency's answer unless the manager has overridden."""
    referral = _locked(referral)
    hub = referral.hub
    if not may(by, DecisionAction.PROPOSE, hub):
        _refuse("Only the hub's practitioners and managers propose decisions")
    signed = referral.decisions.filter(state=DecisionState.SIGNED).first()
    if referral.decisions.filter(state=DecisionState.PROPOSED).exists():
        _refuse("A decision on this referral is already awaiting sign-off")
    if signed is None and not referral.is_open:
        _refuse("This referral is closed")
    if signed is not None and not (amendment_reason or "").strip():
        _refuse("The decision is signed off: say why it is being amended", "amendment_reason")
    if signed is None:
        missing = missing_core_agencies(referral)
        if missing and not _gate_overridden(referral):
            names = ", ".join(a.name for a in missing)
            _refuse(f"Every core agency must contribute or record no trace first. Still waiting for: {names}")
    errors: dict[str, str] = {}
    outcomes = OUTCOMES[referral.cohort]
    if outcome not in outcomes.values:
        errors["outcome"] = "Choose the outcome"
    if threshold_level not in _level_codes(referral):
        errors["threshold_level"] = "Choose the threshold level"
    if not (rationale or "").strip():
        errors["rationale"] = "Give the rationale for the decision"
    members = _members(hub)
    participant_ids = {_id(p) for p in participants or []}
    if not participant_ids or not participant_ids <= set(members):
        errors["participants"] = "Choose the agencies that took part in the decision"
    elif not _gate_overridden(referral) and signed is None:
        absent = [a.name for a in core_agencies(hub) if str(a.pk) not in participant_ids]
        if absent:
            errors["participants"] = f"Core agencies take part in every decision: add {', '.join(absent)}"
    try:
        clean_actions = _clean_actions(actions or [], members)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    version = (referral.decisions.aggregate(n=Max("version"))["n"] or 0) + 1
    decision = Decision.objects.create(
        referral=referral, version=version, outcome=outcome, threshold_level=threshold_level,
        rationale=rationale.strip(), amendment_reason=(amendment_reason or "").strip(), proposed_by=by,
        proposed_at=timezone.now(),
    )  # fmt: skip
    decision.participants.set(participant_ids)
    AgreedAction.objects.bulk_create(AgreedAction(decision=decision, **a) for a in clean_actions)
    if signed is None:
        referral_services.referral_status_set(referral, ReferralStatus.AWAITING_SIGN_OFF)
    record(
        "decision.proposed",
        hub=hub,
        obj=decision,
        payload={
            "referral_id": str(referral.pk),
            "version": version,
            "outcome": outcome,
            "threshold_level": threshold_level,
            "participant_ids": sorted(participant_ids),
            "actions": len(clean_actions),
            "amendment": signed is not None,
            "gate_overridden": _gate_overridden(referral),
        },
    )
    return decision


def _reviewable(decision: Decision, by) -> Decision:
    decision = Decision.objects.select_for_update(of=("self",)).select_related("referral__hub").get(pk=decision.pk)
    if not may(by, DecisionAction.MANAGE, decision.referral.hub):
        _refuse("Only the accountable manager, or the deputy while delegated, signs off or returns decisions")
    if decision.state != DecisionState.PROPOSED:
        _refuse("This decision is not awaiting sign-off")
    if decision.proposed_by_id == by.pk:
        _refuse("You proposed this decision: another manager must sign it off or return it")
    return decision


@transaction.atomic
def decision_return(*, decision: Decision, by, comments: str) -> Decision:
    """The manager sends a proposed decision back with comments; the practitioner proposes a revision."""
    decision = _reviewable(decision, by)
    if not (comments or "").strip():
        _refuse("Say what needs to change", "comments")
    now = timezone.now()
    Decision.objects.filter(pk=decision.pk).update(
        state=DecisionState.RETURNED, reviewed_by=by, reviewed_at=now, review_comments=comments.strip()
    )
    referral = decision.referral
    if referral.is_open:
        referral_services.referral_status_set(referral, ReferralStatus.AWAITING_DECISION)
    record(
        "decision.returned",
        hub=referral.hub,
        obj=decision,
        payload={"referral_id": str(referral.pk), "version": decision.version},
    )
    decision.refresh_from_db()
    return decision


def _end_of(day: date, hub) -> datetime:
    """An action due on `day` is due at the end of that working day, local time."""
    return timezone.make_aware(datetime.combine(day, hub.working_day_ends or time(17, 0)))


@transaction.atomic
def decision_sign_off(*, decision: Decision, by) -> Decision:
    """The accountable manager (or the deputy inside the delegation) signs off a decision somebody else proposed.
    The referral closes with the outcome, its decision deadline is met, open requests are cancelled, agreed
    actions get their deadlines, and the referring agency's webhooks are queued. A signed decision never changes."""
    decision = _reviewable(decision, by)
    referral = Referral.objects.select_for_update(of=("self",)).select_related("hub").get(pk=decision.referral_id)
    now = timezone.now()
    previous = referral.decisions.filter(state=DecisionState.SIGNED).first()
    if previous is not None:
        Decision.objects.filter(pk=previous.pk).update(state=DecisionState.SUPERSEDED)
    Decision.objects.filter(pk=decision.pk).update(state=DecisionState.SIGNED, reviewed_by=by, reviewed_at=now)
    referral_services.referral_decided(referral, outcome=decision.outcome, at=now)
    for request in referral.information_requests.filter(state=RequestState.OPEN).select_related("deadline", "agency"):
        request.referral = referral
        _cancel_request(request, "decided")
    if previous is not None:
        for action in previous.actions.filter(completed_at=None, deadline__isnull=False).select_related("deadline"):
            deadlines.deadline_close(action.deadline, DeadlineState.CANCELLED, "amended")
    for action in decision.actions.all():
        action.deadline = deadlines.deadline_add(
            referral, DeadlineKind.ACTION, due_at=_end_of(action.due_on, referral.hub)
        )
        action.save(update_fields=["deadline"])
    record(
        "decision.signed_off",
        hub=referral.hub,
        obj=decision,
        payload={
            "referral_id": str(referral.pk),
            "version": decision.version,
            "outcome": decision.outcome,
            "threshold_level": decision.threshold_level,
            "proposed_at": decision.proposed_at.isoformat(),
            "received_at": referral.received_at.isoformat(),
            "rating": referral.rating,
            "rationale_recorded": bool(decision.rationale),
            "actions": decision.actions.count(),
            "amendment": previous is not None,
        },
    )
    decision.refresh_from_db()
    webhooks.deliveries_queue(decision)
    return decision


@transaction.atomic
def action_complete(*, action: AgreedAction, by) -> AgreedAction:
    """The owning agency's officer, or the hub's staff, mark an agreed action done; its deadline is met."""
    action = (
        AgreedAction.objects.select_for_update(of=("self",))
        .select_related("decision__referral__hub", "deadline", "owner")
        .get(pk=action.pk)
    )
    hub = action.decision.referral.hub
    staff = may(by, DecisionAction.PROPOSE, hub)
    if not (staff or may(by, DecisionAction.CONTRIBUTE, hub, action.owner_id)):
        _refuse("Only the owning agency or the hub's staff may mark this action done")
    if not staff:
        agreement_gate(action.owner, hub)
    if action.decision.state != DecisionState.SIGNED:
        _refuse("Only actions of the signed decision are tracked")
    if action.completed_at:
        _refuse("This action is already done")
    now = timezone.now()
    AgreedAction.objects.filter(pk=action.pk).update(completed_at=now, completed_by=by)
    on_time = action.deadline is None or now <= action.deadline.due_at
    if action.deadline is not None:
        deadlines.deadline_close(action.deadline, DeadlineState.MET)
    record(
        "action.completed",
        hub=hub,
        obj=action,
        payload={"referral_id": str(action.decision.referral_id), "owner_id": str(action.owner_id), "on_time": on_time},
    )
    action.refresh_from_db()
    return action
