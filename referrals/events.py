"""The agencies' change feed: an agency's own events, read from the audit ledger in the order they committed.

An agency's system sees, of its hub's ledger, only:
- its own referrals (the policy's REFERRAL_STATUS_VIEW scope) being received, rated or re-rated, decided (signed off,
  or closed Blue with no MASH response) and amended;
- the hub's requests for information opened to its agency.
Each event says only what the referral status endpoint already shows (the new rating, the outcome) or, for a request,
when the answer is due: never another agency's contribution or the case's details.

Order and resumption. Events are read in (txid, id) order, and on PostgreSQL only those of transactions that have
finished (below the oldest running transaction, as the sealer reads them: audit/services.py): a transaction that
commits late has a txid above every event already shown, so a client that resumes from its last cursor misses
nothing. On SQLite writers take turns and txid is 0, so the order is the id's.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, CharField, Exists, F, Func, JSONField, OuterRef, Q, UUIDField, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from agencies.policy import Action, scoped
from audit.events.actions import AuditAction
from audit.models import AuditEvent
from referrals.models import NO_MASH_RESPONSE, Referral
from referrals.schemas import CURSOR_PATTERN

A = AuditAction
# The ledger's actions the feed shows, by the type an agency reads (received and amended keep the ledger's name).
TYPES = {
    A.REFERRAL_RECEIVED: A.REFERRAL_RECEIVED.value,
    A.REFERRAL_SCREENED: "referral.rated",
    A.REFERRAL_RE_RATED: "referral.rated",
    A.DECISION_SIGNED_OFF: "referral.decided",
    A.REFERRAL_CLOSED_NO_RESPONSE: "referral.decided",
    A.REFERRAL_AMENDED: A.REFERRAL_AMENDED.value,
    A.INFORMATION_REQUESTED: "information_request.opened",
}
EVENT_TYPES = sorted(set(TYPES.values()))
REFERRAL_OBJECT = "referrals.referral"


class _AsReferralId(Func):
    """A referral's id written as text (the ledger's object id or a payload's `referral_id`) in the form of the
    referral table's key: a uuid on PostgreSQL, 32 hex digits on SQLite."""

    output_field = UUIDField()

    def as_sql(self, compiler, connection, **extra):
        template = (
            "(%(expressions)s)::uuid" if connection.vendor == "postgresql" else "REPLACE(%(expressions)s, '-', '')"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


MAX_ID = 10**18 - 1


@dataclass(frozen=True)
class Position:
    """Where a reader stands in the feed: after the event (txid, id). Clients keep it as given (`cursor`)."""

    txid: int
    id: int

    def cursor(self) -> str:
        return f"{max(self.txid, 0)}.{self.id}"

    @classmethod
    def of_cursor(cls, text: str) -> "Position | None":
        if not re.fullmatch(CURSOR_PATTERN, text):
            return None
        txid, event_id = text.split(".")
        return cls(int(txid), int(event_id))


START = Position(-1, 0)


def _settled(rows):
    """On PostgreSQL, only the events of finished transactions (and the reader's own), so that none can later
    appear behind a position already read."""
    if connection.vendor != "postgresql":
        return rows
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
            "pg_current_xact_id_if_assigned()::text::bigint"
        )
        horizon, own = cursor.fetchone()
    return rows.filter(Q(txid__lt=horizon) | Q(txid=own) if own else Q(txid__lt=horizon))


def events_of_client(access):
    """The calling agency's events in its hub, oldest first, with `referral_key` (the referral's id as text) and
    `facts` (the payload as JSON). Its agreement is the caller's `require`."""
    rows = (
        AuditEvent.objects.filter(hub_id=access.hub.pk, action__in=[a.value for a in TYPES])
        .annotate(
            facts=Cast("payload", JSONField()),
            referral_key=Case(
                When(object_type=REFERRAL_OBJECT, then=F("object_id")),
                default=KeyTextTransform("referral_id", "facts"),
                output_field=CharField(),
            ),
        )
        .order_by("txid", "id")
    )
    own_referral = Exists(
        scoped(access, Action.REFERRAL_STATUS_VIEW, Referral.objects.all()).filter(
            pk=_AsReferralId(OuterRef("referral_key"))
        )
    )
    agencies = [str(a) for a in access.agreed_agency_ids]
    request_to_agency = Q(action=A.INFORMATION_REQUESTED.value, facts__agency_id__in=agencies)
    return _settled(rows.filter(request_to_agency | (~Q(action=A.INFORMATION_REQUESTED.value) & own_referral)))


def page_of(events, after: Position, size: int) -> tuple[list[AuditEvent], bool]:
    """Up to `size` events after `after`, and whether more follow."""
    rows = list(
        events.filter(Q(txid__gt=after.txid) | Q(txid=after.txid, id__gt=after.id)).only(
            "id", "txid", "occurred_at", "action", "object_id", "payload"
        )[: size + 1]
    )
    return rows[:size], len(rows) > size


def position_of_event(event_id: int) -> Position | None:
    """The position just after the event with this id (`after=<event id>`), whatever event it is."""
    txid = AuditEvent.objects.filter(pk=event_id).values_list("txid", flat=True).first()
    return None if txid is None else Position(txid, event_id)


def shown(event: AuditEvent, references: dict[str, str]) -> dict:
    """One event as the feed shows it: what the agency may know, nothing more."""
    facts = event.data
    kind = TYPES[A(event.action)]
    referral_id = event.object_id if event.action in _ON_REFERRAL else facts["referral_id"]
    data: dict = {}
    if kind == "referral.rated":
        data = {"rating": facts["rating"]}
    elif kind == "referral.decided":
        data = {"outcome": facts.get("outcome", NO_MASH_RESPONSE)}  # a Blue closure is its own outcome
    elif kind == "information_request.opened":
        data = {"information_request_id": event.object_id, "due_at": facts["due_at"]}
    return {
        "id": str(event.id),
        "type": kind,
        "occurred_at": event.occurred_at,
        "referral": {"id": referral_id, "reference": references.get(referral_id, "")},
        "data": data,
    }


_ON_REFERRAL = {
    A.REFERRAL_RECEIVED.value,
    A.REFERRAL_SCREENED.value,
    A.REFERRAL_RE_RATED.value,
    A.REFERRAL_CLOSED_NO_RESPONSE.value,
    A.REFERRAL_AMENDED.value,
}


def references_of(events: list[AuditEvent]) -> dict[str, str]:
    """The references of the events' referrals, in one query."""
    ids = {e.object_id if e.action in _ON_REFERRAL else e.data["referral_id"] for e in events}
    return {str(pk): reference for pk, reference in Referral.objects.filter(pk__in=ids).values_list("id", "reference")}
