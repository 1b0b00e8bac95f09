"""Agreed actions: the owning agency's officer, or the hub's staff, mark an action of the signed decision done."""

from django.db import transaction
from django.utils import timezone

from audit.services import record
from decisions.models import AgreedAction, DecisionState
from decisions.permissions import DecisionAction, may
from decisions.services.common import refuse
from decisions.services.contributions import agreement_gate
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
    staff = may(by, DecisionAction.PROPOSE, hub)
    if not (staff or may(by, DecisionAction.CONTRIBUTE, hub, action.owner_id)):
        refuse("Only the owning agency or the hub's staff may mark this action done")
    if not staff:
        agreement_gate(action.owner, hub)
    if action.decision.state != DecisionState.SIGNED:
        refuse("Only actions of the signed decision are tracked")
    if action.completed_at:
        refuse("This action is already done")
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
