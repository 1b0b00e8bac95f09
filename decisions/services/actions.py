"""Agreed actions: the owning agency's officer, or the hub's staff, mark an action of the signed decision done."""

from django.db import transaction
from django.utils import timezone

from agencies.access import access_for
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import ActionCompleted
from audit.services import record
from decisions.models import AgreedAction
from referrals import deadlines
from referrals.models import DeadlineState


@transaction.atomic
def action_complete(*, action: AgreedAction, by) -> AgreedAction:
    """The owning agency's officer, or the hub's staff, mark an agreed action done; its deadline is met."""
    action = (
        AgreedAction.objects.select_for_update(of=("self",))
        .select_related("decision__referral__hub", "deadline", "owner")
        .get(pk=action.pk)
    )
    hub = action.decision.referral.hub
    require(access_for(by, hub.pk), Action.ACTION_COMPLETE, action)
    now = timezone.now()
    action.complete(by=by, at=now)  # Conflict unless an undone action of the signed decision
    on_time = action.deadline is None or now <= action.deadline.due_at
    if action.deadline is not None:
        deadlines.deadline_close(action.deadline, DeadlineState.MET)
    record(
        AuditAction.ACTION_COMPLETED,
        hub=hub,
        obj=action,
        payload=ActionCompleted(
            referral_id=str(action.decision.referral_id), owner_id=str(action.owner_id), on_time=on_time
        ),
    )
    action.refresh_from_db()
    return action
