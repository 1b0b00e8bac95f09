"""Reads for the reports pages: the audit trail of one object or one person (the accountable manager's), and the
hub's monthly returns (leads and managers)."""

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from agencies.access import access_for, assignments_of
from agencies.models import Agency
from agencies.policy import Action, may
from audit.events.actions import AuditAction, is_read, label_of
from audit.events.records import actor_label, record_type_label
from audit.models import AuditEvent
from mash.words import in_words
from referrals.selectors import threshold_words
from reports.models import MonthlyReturn, ReturnState


def trail(hub, *, object_type="", object_id="", actor_id="", action="", seen=False, since=None, until=None) -> QuerySet:
    """The hub's events, newest first, narrowed by whichever filters are given (`seen`: only reads, who was shown
    the record, for a subject access request or a manager's check)."""
    events = AuditEvent.objects.filter(hub_id=hub.pk).order_by("-id")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor_id:
        events = events.filter(actor_type="user", actor_id=str(actor_id))
    if action:
        events = events.filter(action=action)
    if seen:
        events = events.filter(action__in=[a.value for a in AuditAction if is_read(a)])
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events


# Facts that hold threshold codes: levels and criteria, named as the hub names them.
THRESHOLD_KEYS = ("level", "previous_level", "threshold_level", "levels", "criteria")


@dataclass
class TrailRow:
    event: AuditEvent
    action_label: str
    record_type: str
    actor: str
    agency: str
    facts: str


def describe(events: list[AuditEvent]) -> list[TrailRow]:
    """Names for the people and agencies in `events` (actors and the ids in their facts) and words for the threshold
    codes they hold: two queries whatever the number of events, three where a fact names a threshold."""
    facts = [e.data for e in events]
    user_ids = {e.actor_id for e in events if e.actor_type == "user"} | {f.get("user_id") for f in facts}
    users = {
        str(u.pk): u for u in get_user_model().objects.filter(pk__in=[i for i in user_ids if i and str(i).isdigit()])
    }
    agency_ids = {str(e.actor_agency_id) for e in events if e.actor_agency_id} | {f.get("agency_id") for f in facts}
    agencies = {str(a.pk): a.name for a in Agency.objects.filter(pk__in=[i for i in agency_ids if _is_uuid(i)])}

    # The hub's words for the threshold levels and criteria the facts name (a third query, only when one does).
    named = any(key in f for f in facts for key in THRESHOLD_KEYS)
    thresholds = threshold_words({e.hub_id for e in events if e.hub_id}) if named else {}

    def name(user_id) -> str:
        user = users.get(str(user_id))
        return (user.get_full_name() or user.username) if user else str(user_id)

    rows = []
    for event, data in zip(events, facts, strict=True):
        actor = name(event.actor_id) if event.actor_type == "user" else actor_label(event.actor_type)
        shown = []
        for key, value in data.items():
            if key == "agency_id" and value:
                key, value = "agency", agencies.get(value, value)
            elif key == "user_id" and value:
                key, value = "person", name(value)
            elif key in THRESHOLD_KEYS:
                value = (
                    [thresholds.get(v, v) for v in value] if isinstance(value, list) else thresholds.get(value, value)
                )
            shown.append(f"{key.removesuffix('_id').replace('_', ' ').capitalize()}: {_value_in_words(value)}")
        rows.append(
            TrailRow(
                event,
                label_of(event.action),
                record_type_label(event.object_type) if event.object_type else "",
                actor,
                agencies.get(str(event.actor_agency_id), ""),
                "; ".join(shown),
            )
        )
    return rows


def _value_in_words(value) -> str:
    """A fact's value as a person reads it: codes as their labels, lists item by item, yes and no."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(_value_in_words(v) for v in value)
    if isinstance(value, str) and value.islower() and " " not in value and not _is_uuid(value):
        words = in_words(value)  # "api" -> "Agency system (API)", "own_home" -> "Own home", "decided" -> "Decided"
        return words[:1].lower() + words[1:] if words[1:2].islower() else words
    return str(value)


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def returns_of(hub) -> QuerySet:
    """The hub's returns, newest month first, without their PDFs (kept for the download alone)."""
    return MonthlyReturn.objects.filter(hub=hub).select_related("requested_by").defer("pdf", "figures")


def return_of(hub, return_id, *, with_pdf: bool = False):
    """One return of the hub, or Http404: a return of another hub is no return at all."""
    rows = MonthlyReturn.objects.filter(hub=hub).select_related("hub")
    row = (rows if with_pdf else rows.defer("pdf")).filter(pk=return_id).first()
    if row is None:
        raise Http404("No such return")
    return row


def hubs_with_returns_for(user) -> list:
    """The hubs whose returns `user` may see (a lead may cover several), by name."""
    hubs = {a.hub_id: a.hub for a in assignments_of(user)}
    return sorted(
        (hub for hub in hubs.values() if may(access_for(user, hub.pk), Action.RETURNS_VIEW)), key=lambda h: h.name
    )


def latest_ready(hubs: list, month) -> dict:
    """Each hub's newest ready return for `month`, by hub id (hubs without one are absent)."""
    rows = (
        MonthlyReturn.objects.filter(hub__in=hubs, month=month, state=ReturnState.READY)
        .defer("pdf")
        .order_by("hub_id", "-built_at")
    )
    newest: dict = {}
    for row in rows:
        newest.setdefault(row.hub_id, row)
    return newest
