"""Strategy discussions: recording one on a referral (the practitioner or a manager), and the accountable manager's
reason when it went ahead without a required agency. Each is one transaction with its audit event."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.policy import Action, require, scoped
from audit.events.actions import AuditAction
from audit.events.payloads import StrategyActionCompleted, StrategyDiscussionRecorded, StrategyReasonGiven
from audit.services import record
from decisions.models import Contribution
from decisions.models.strategy import REQUIRED_KINDS, StrategyAction, StrategyDiscussion, StrategyParticipant
from decisions.services.common import id_of, locked, memberships_by_agency
from decisions.strategy_schemas import StrategyDiscussionSchema, StrategyReasonSchema
from decisions.strategy_selectors import red_since
from mash.schemas import validated
from referrals import deadlines
from referrals.models import DeadlineKind, DeadlineState, Referral


def _rows(rows, key: str):
    """Rows as the schema takes them: an agency given as itself (from code) becomes its id."""
    if not isinstance(rows, list):
        return rows
    return [{**row, key: id_of(row[key])} if isinstance(row, dict) and row.get(key) else row for row in rows]


@transaction.atomic
def strategy_discussion_record(*, referral: Referral, by, data: dict) -> StrategyDiscussion:
    """Record a strategy discussion held about the referral. `data`: held_on (YYYY-MM-DD), held_time (HH:MM, UK
    time), mode, participants [{agency, role}], shared [contribution ids], decision, reason, s47_started_on,
    actions [{owner, description, due_on}]; only contributions the recorder may see can be named as shared. A discussion without a required agency is flagged until the manager gives the reason."""
    referral = locked(referral)
    hub = referral.hub
    access = access_for(by, hub.pk)
    require(access, Action.STRATEGY_RECORD, referral)
    visible = scoped(access, Action.CONTRIBUTION_VIEW, Contribution.objects.filter(referral=referral))
    members = memberships_by_agency(hub)
    data = dict(data or {})
    data["participants"] = _rows(data.get("participants"), "agency")
    data["actions"] = _rows(data.get("actions") or [], "owner")
    if isinstance(data.get("shared"), list):
        data["shared"] = [id_of(c) for c in data["shared"]]
    clean = validated(
        StrategyDiscussionSchema, data, cohort=referral.cohort, members=members, received_at=referral.received_at,
        contributions={str(pk) for pk in visible.values_list("pk", flat=True)},
    )  # fmt: skip
    present = {members[p["agency"]].agency.kind for p in clean["participants"]}
    missing = [str(kind) for kind in REQUIRED_KINDS[referral.cohort] if kind not in present]
    discussion = StrategyDiscussion.objects.create(
        referral=referral, held_at=clean["held_at"], mode=clean["mode"], decision=clean["decision"],
        reason=clean["reason"], s47_started_on=clean["s47_started_on"], missing_kinds=missing, recorded_by=by,
        recorded_at=timezone.now(),
    )  # fmt: skip
    StrategyParticipant.objects.bulk_create(
        StrategyParticipant(discussion=discussion, agency_id=p["agency"], role=p["role"]) for p in clean["participants"]
    )
    for a in clean["actions"]:  # each with its deadline, due at the end of its working day, as a decision's action
        due_at = timezone.make_aware(datetime.combine(a["due_on"], hub.working_day_ends or time(17, 0)))
        StrategyAction.objects.create(
            discussion=discussion, owner_id=a["owner"], description=a["description"], due_on=a["due_on"],
            deadline=deadlines.deadline_add(referral, DeadlineKind.ACTION, due_at=due_at),
        )  # fmt: skip
    deadlines.deadlines_meet(referral, [DeadlineKind.STRATEGY])  # the discussion after a Red rating was held
    shared = sorted(set(clean.get("shared") or []))
    discussion.shared.set(shared)
    record(
        AuditAction.STRATEGY_DISCUSSION_RECORDED,
        hub=hub,
        obj=discussion,
        payload=StrategyDiscussionRecorded(
            referral_id=str(referral.pk),
            held_at=clean["held_at"].isoformat(),
            mode=clean["mode"],
            decision=clean["decision"],
            agency_ids=sorted({p["agency"] for p in clean["participants"]}),
            missing_kinds=missing,
            s47_started_on=clean["s47_started_on"].isoformat() if clean["s47_started_on"] else None,
            shared_contribution_ids=shared,
            action_count=len(clean["actions"]),
            cohort=referral.cohort,
            agency_kinds=sorted(str(kind) for kind in present),
            received_at=referral.received_at.isoformat(),
            red_at=red.isoformat() if (red := red_since(referral)) else None,
            due_hours=hub.strategy_discussion_hours,
        ),
    )
    return discussion


@transaction.atomic
def household_strategy_record(*, referrals: list[Referral], by, data: dict) -> list[StrategyDiscussion]:
    """One strategy discussion about a household's children, recorded on each child's referral named (one record a
    child, each in that child's chronology and counted once a child in the returns, as Annex A counts section 47
    enquiries by child): the same time, people and decision, the actions agreed for each child, and of what was shared
    the contributions on that child's referral. All or none: a refusal for one child records nothing."""
    if not referrals:
        raise ValidationError({"children": gettext("Choose the children the discussion was about")})
    shared = {str(c) for c in (data.get("shared") or [])}
    recorded = []
    for referral in referrals:
        own = {str(pk) for pk in Contribution.objects.filter(referral=referral).values_list("pk", flat=True)}
        recorded.append(
            strategy_discussion_record(referral=referral, by=by, data={**data, "shared": sorted(shared & own)})
        )
    return recorded


@transaction.atomic
def strategy_reason_give(*, discussion: StrategyDiscussion, by, reason: str) -> StrategyDiscussion:
    """The accountable manager says why the discussion went ahead without a required agency: it then counts as
    complete."""
    discussion = (
        StrategyDiscussion.objects.select_for_update(of=("self",)).select_related("referral__hub").get(pk=discussion.pk)
    )
    referral = discussion.referral
    require(access_for(by, referral.hub_id), Action.STRATEGY_REASON, referral)
    reason = validated(StrategyReasonSchema, {"reason": reason})["reason"]
    discussion.give_reason(reason=reason, by=by, at=timezone.now())  # Conflict unless flagged and not yet given
    record(
        AuditAction.STRATEGY_DISCUSSION_REASON_GIVEN,
        hub=referral.hub,
        obj=discussion,
        payload=StrategyReasonGiven(referral_id=str(referral.pk), missing_kinds=list(discussion.missing_kinds)),
    )
    return discussion


@transaction.atomic
def strategy_action_complete(*, action: StrategyAction, by) -> StrategyAction:
    """The owning agency's officer, or the hub's practitioner or manager, marks an action agreed in a strategy
    discussion done: its deadline is met, on time if by the end of its due day."""
    action = (
        StrategyAction.objects.select_for_update(of=("self",))
        .select_related("discussion__referral__hub", "deadline")
        .get(pk=action.pk)
    )
    referral = action.discussion.referral
    require(access_for(by, referral.hub_id), Action.STRATEGY_ACTION_COMPLETE, action)
    now = timezone.now()
    action.complete(by=by, at=now)  # Conflict if already done
    on_time = action.deadline is None or now <= action.deadline.due_at
    if action.deadline is not None:
        deadlines.deadline_close(action.deadline, DeadlineState.MET)
    record(
        AuditAction.STRATEGY_ACTION_COMPLETED,
        hub=referral.hub,
        obj=action,
        payload=StrategyActionCompleted(
            referral_id=str(referral.pk), discussion_id=str(action.discussion_id), owner_id=str(action.owner_id),
            on_time=on_time,
        ),
    )  # fmt: skip
    return action
