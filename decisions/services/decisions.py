"""The joint decision: the manager's override of the core-agency gate, proposing (a revision after a return, an
amendment after sign-off), returning and signing off. A decision is never edited: each change is a new version."""

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.models import Agency
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import DecisionProposed, DecisionReturned, DecisionSignedOff, GateOverridden
from audit.services import record
from decisions import handover, webhooks
from decisions.models import (
    AdultVoice,
    AgreedAction,
    Decision,
    DecisionState,
    GateOverride,
    RequestState,
    proposal_conflict,
)
from decisions.models.strategy import STRATEGY_OUTCOMES
from decisions.schemas import DecisionSchema, OverrideSchema, ReturnSchema
from decisions.services.common import core_agencies_for, id_of, locked, memberships_by_agency
from decisions.services.requests import cancel_request
from mash.errors import Conflict
from mash.schemas import validated
from referrals import deadlines
from referrals import services as referral_services
from referrals.models import DeadlineKind, DeadlineState, Referral, ReferralCohort, ThresholdVersion


def missing_core_agencies(referral: Referral, answered: set | None = None) -> list[Agency]:
    """Core agencies of the hub that have neither contributed nor recorded no trace on this referral. `answered`:
    the ids of the agencies with a contribution on it, where the caller has read them already."""
    if answered is None:
        answered = set(referral.contributions.values_list("agency_id", flat=True))
    return [a for a in core_agencies_for(referral) if a.pk not in answered]


def gate_overridden(referral: Referral) -> bool:
    return referral.gate_overrides.exists()


@transaction.atomic
def gate_override(*, referral: Referral, by, reason: str) -> GateOverride:
    """The acting manager lets a decision be proposed before every core agency has answered, with a reason."""
    referral = locked(referral)
    require(access_for(by, referral.hub_id), Action.GATE_OVERRIDE, referral)
    reason = validated(OverrideSchema, {"reason": reason})["reason"]
    missing = missing_core_agencies(referral)
    if not missing:
        raise Conflict(gettext("Every core agency has answered: no override is needed"))
    override = GateOverride.objects.create(referral=referral, reason=reason, by=by, at=timezone.now())
    override.missing_agencies.set(missing)
    record(
        AuditAction.DECISION_GATE_OVERRIDDEN,
        hub=referral.hub,
        obj=referral,
        payload=GateOverridden(missing_agency_ids=sorted(str(a.pk) for a in missing)),
    )
    return override


def outcomes_expressed(referral: Referral) -> bool:
    """Whether this is an adult's referral whose desired outcomes were expressed (the decision then says whether
    they were met)."""
    if referral.cohort != ReferralCohort.ADULT:
        return False
    voice = AdultVoice.objects.filter(referral=referral).first()
    return voice is not None and voice.outcomes_expressed


def _adult_facts(referral: Referral, decision: Decision) -> dict:
    """The Making Safeguarding Personal facts of the sign-off event, for an adult's referral with the voice recorded."""
    voice = AdultVoice.objects.filter(referral=referral).first() if referral.cohort == ReferralCohort.ADULT else None
    if voice is None:
        return {}
    facts = {"adult_asked": voice.asked, "outcomes_expressed": voice.outcomes_expressed}
    if decision.outcomes_met:
        facts["outcomes_met"] = decision.outcomes_met
    return facts


def _level_codes(referral: Referral) -> set[str]:
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    version = last.threshold_version if last else None
    version = version or ThresholdVersion.objects.filter(hub=referral.hub, cohort=referral.cohort).first()
    return {level["code"] for level in version.levels} if version else set()


def _as_input(action):
    """An agreed action as the schema takes it: the owner as its id (code passes the agency itself)."""
    if not isinstance(action, dict) or action.get("owner") in (None, ""):
        return action
    return {**action, "owner": id_of(action["owner"])}


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
    outcomes_met: str = "",
) -> Decision:
    """Propose the joint decision (or its revision after a return, or an amendment of a signed one: a new version
    each time). Needs every core agency's answer unless the manager has overridden."""
    referral = locked(referral)
    hub = referral.hub
    require(access_for(by, hub.pk), Action.DECISION_PROPOSE, referral)
    versions = list(referral.decisions.all())
    if conflict := proposal_conflict(referral, versions):
        raise Conflict(conflict)
    signed = next((d for d in versions if d.state == DecisionState.SIGNED), None)
    overridden = gate_overridden(referral)
    if signed is None:
        missing = missing_core_agencies(referral)
        if missing and not overridden:
            names = ", ".join(a.name for a in missing)
            raise Conflict(
                gettext("Every core agency must contribute or record no trace first. Still waiting for: %(names)s")
                % {"names": names}
            )
    members = memberships_by_agency(hub)
    clean = validated(
        DecisionSchema,
        {
            "outcome": outcome, "threshold_level": threshold_level, "rationale": rationale,
            "participants": [id_of(p) for p in participants or []],
            "actions": [_as_input(a) for a in actions] if isinstance(actions, list) else actions,
            "amendment_reason": amendment_reason, "outcomes_met": outcomes_met,
        },
        cohort=referral.cohort, levels=_level_codes(referral), members=members,
        core=[(str(a.pk), a.name) for a in core_agencies_for(referral)], all_core_needed=signed is None and not overridden,
        amending=signed is not None, outcomes_expressed=outcomes_expressed(referral),
    )  # fmt: skip
    participant_ids = set(clean["participants"])
    clean_actions = [
        {"owner_id": a["owner"], "description": a["description"], "due_on": a["due_on"]} for a in clean["actions"]
    ]
    version = (referral.decisions.aggregate(n=Max("version"))["n"] or 0) + 1
    decision = Decision.objects.create(
        referral=referral, version=version, outcome=clean["outcome"], threshold_level=clean["threshold_level"],
        rationale=clean["rationale"], amendment_reason=clean["amendment_reason"], proposed_by=by,
        proposed_at=timezone.now(), outcomes_met=clean["outcomes_met"],
    )  # fmt: skip
    decision.participants.set(participant_ids)
    AgreedAction.objects.bulk_create(AgreedAction(decision=decision, **a) for a in clean_actions)
    if signed is None:
        referral.await_sign_off()
    record(
        AuditAction.DECISION_PROPOSED,
        hub=hub,
        obj=decision,
        payload=DecisionProposed(
            referral_id=str(referral.pk),
            version=version,
            outcome=clean["outcome"],
            threshold_level=clean["threshold_level"],
            participant_ids=sorted(participant_ids),
            actions=len(clean_actions),
            amendment=signed is not None,
            gate_overridden=overridden,
            **({"outcomes_met": clean["outcomes_met"]} if clean["outcomes_met"] else {}),
        ),
    )
    return decision


def _reviewable(decision: Decision, by) -> Decision:
    decision = Decision.objects.select_for_update(of=("self",)).select_related("referral__hub").get(pk=decision.pk)
    require(access_for(by, decision.referral.hub_id), Action.DECISION_REVIEW, decision)
    if not decision.awaits_sign_off:
        raise Conflict(gettext("This decision is not awaiting sign-off"))
    return decision


@transaction.atomic
def decision_return(*, decision: Decision, by, comments: str) -> Decision:
    """The manager sends a proposed decision back with comments; the practitioner proposes a revision."""
    decision = _reviewable(decision, by)
    comments = validated(ReturnSchema, {"comments": comments})["comments"]
    decision.return_for_revision(by=by, at=timezone.now(), comments=comments)
    referral = decision.referral
    if referral.is_open:
        referral.await_decision()
    record(
        AuditAction.DECISION_RETURNED,
        hub=referral.hub,
        obj=decision,
        payload=DecisionReturned(referral_id=str(referral.pk), version=decision.version),
    )
    with translation.override(referral.hub.language):  # emailed: in the hub's language
        subject = gettext("%(reference)s: the manager returned your proposed decision") % {
            "reference": referral.reference
        }
    deadlines.people_notify(referral, [decision.proposed_by_id], subject)
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
        previous.supersede()
    decision.sign_off(by=by, at=now)
    referral_services.referral_decided(
        referral, outcome=decision.outcome, at=now, strategy_follows=decision.outcome in STRATEGY_OUTCOMES
    )
    for request in referral.information_requests.filter(state=RequestState.OPEN).select_related("deadline", "agency"):
        request.referral = referral
        cancel_request(request, "decided")
    if previous is not None:
        for action in previous.actions.filter(completed_at=None, deadline__isnull=False).select_related("deadline"):
            deadlines.deadline_close(action.deadline, DeadlineState.CANCELLED, "amended")
    for action in decision.actions.all():
        action.deadline = deadlines.deadline_add(
            referral, DeadlineKind.ACTION, due_at=_end_of(action.due_on, referral.hub)
        )
        action.save(update_fields=["deadline"])
    record(
        AuditAction.DECISION_SIGNED_OFF,
        hub=referral.hub,
        obj=decision,
        payload=DecisionSignedOff(
            referral_id=str(referral.pk),
            version=decision.version,
            outcome=decision.outcome,
            threshold_level=decision.threshold_level,
            proposed_at=decision.proposed_at.isoformat(),
            received_at=referral.received_at.isoformat(),
            rating=referral.rating,
            rationale_recorded=bool(decision.rationale),
            actions=decision.actions.count(),
            amendment=previous is not None,
            **_adult_facts(referral, decision),
        ),
    )
    if referral.assigned_to_id != by.pk:  # the assignee learns of it unless they signed it themselves
        with translation.override(referral.hub.language):  # emailed: in the hub's language
            subject = gettext("%(reference)s: the decision was signed off") % {"reference": referral.reference}
        deadlines.people_notify(referral, [referral.assigned_to_id], subject)
    decision.refresh_from_db()
    webhooks.deliveries_queue(decision)
    handover.handover_create(decision)
    return decision
