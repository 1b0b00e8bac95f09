"""Reads of the audit ledger for the hub's accountable manager: the trail of one object or one person."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from agencies.models import Agency
from audit.actions import ACTIONS
from audit.models import AuditEvent


def trail(hub, *, object_type="", object_id="", actor_id="", action="", since=None, until=None) -> QuerySet:
    """The hub's events, newest first, narrowed by whichever filters are given."""
    events = AuditEvent.objects.filter(hub_id=hub.pk).order_by("-id")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor_id:
        events = events.filter(actor_type="user", actor_id=str(actor_id))
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events


@dataclass
class TrailRow:
    event: AuditEvent
    action_label: str
    actor: str
    agency: str
    facts: str


def describe(events: list[AuditEvent]) -> list[TrailRow]:
    """Names for the people and agencies in `events`: two queries whatever the number of events."""
    user_ids = {int(e.actor_id) for e in events if e.actor_type == "user" and e.actor_id.isdigit()}
    users = {str(u.pk): u for u in get_user_model().objects.filter(pk__in=user_ids)}
    agency_ids = {e.actor_agency_id for e in events if e.actor_agency_id}
    agencies = {a.pk: a.name for a in Agency.objects.filter(pk__in=agency_ids)}
    rows = []
    for e in events:
        user = users.get(e.actor_id) if e.actor_type == "user" else None
        actor = (
            (user.get_full_name() or user.username)
            if user
            else (e.actor_type if not e.actor_id else f"{e.actor_type} {e.actor_id}")
        )
        facts = "; ".join(f"{k}: {v}" for k, v in e.data.items())
        rows.append(TrailRow(e, ACTIONS.get(e.action, e.action), actor, agencies.get(e.actor_agency_id, ""), facts))
    return rows
