"""The ledger events a month's return is computed from, read once.

Referrals count in the month they were received: a `referral.received` event counts in the month of its payload's
`received_at`, whenever it was recorded, provided it was recorded before the build's cutoff (the build's start, kept
on the return). A referral received on 30 November and recorded on 1 December counts in November's return built
after 1 December; November's return built before then does not count it, and says how many of its referrals were
recorded after the month ended (`recorded_late`). A received event is recorded at or after its `received_at`, so
those of a month are read from the month's start to the cutoff and filtered on the payload in Python (measured:
bench/returns; README). Rebuilt with the same cutoff, a return reads the same events and gives the same figures.

Every other figure (screenings, requests and answers, decisions, breaches, strategy discussions) counts what
happened in its month by the event's time, which is when it happened: the hub's events that occurred from the
first of the month to the first of the next (Europe/London), and before the cutoff. Where a figure needs earlier
context (the referral behind a decision, the rating's due time, the agreements and funding in force), it reads
earlier events too, but never another event that occurred after the month: a later amendment, decision or re-rating cannot change a past month's figures. One correction is read up to
the build: a same-person link undone since (`person.link_undone`) takes its confirmed match out of the re-referrals.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from agencies.models import Agency
from audit.events.actions import BY_VALUE, AuditAction
from audit.events.reading import events_of
from audit.models import AuditEvent
from referrals.models import DeadlineKind

CHUNK = 500  # ids per IN (...) query: well inside SQLite's parameter limit

MONTH_ACTIONS = (
    AuditAction.REFERRAL_RECEIVED,
    AuditAction.REFERRAL_SCREENED,
    AuditAction.REFERRAL_RE_RATED,
    AuditAction.REFERRAL_CLOSED_NO_RESPONSE,
    AuditAction.SUBJECT_MATCH_CONFIRMED,
    AuditAction.INFORMATION_REQUESTED,
    AuditAction.CONTRIBUTION_ADDED,
    AuditAction.DECISION_SIGNED_OFF,
    AuditAction.ACTION_COMPLETED,
    AuditAction.DEADLINE_BREACHED,
    AuditAction.STRATEGY_DISCUSSION_RECORDED,
    AuditAction.STRATEGY_DISCUSSION_REASON_GIVEN,
)
STANDING_ACTIONS = (
    AuditAction.MEMBERSHIP_SET,
    AuditAction.DOCUMENT_VERSION_PUBLISHED,
    AuditAction.AGREEMENT_SIGNED,
    AuditAction.FUNDING_RECORDED,
    AuditAction.FUNDING_CHANGED,
)


class Event(NamedTuple):
    """One ledger event as a return reads it (a tuple: a month's 80,000 are built in a fraction of the time a frozen
    dataclass takes)."""

    id: int
    at: datetime
    action: AuditAction
    object_id: str
    data: dict


@dataclass
class MonthEvents:
    start: datetime
    end: datetime  # the first instant of the next month
    until: datetime  # events before this count: the month's end, or the build's start for a month still running
    cutoff: datetime | None = None  # the build's start: referrals received in the month and recorded before it count
    recorded_late: int = 0  # of the month's referrals, those recorded after the month ended (and before the cutoff)
    month: list[Event] = field(default_factory=list)  # the month's events of MONTH_ACTIONS, in id order
    standing: list[Event] = field(default_factory=list)  # configuration events up to the month's end, in id order
    # referral id -> its referral.received, for the month's referrals and those screened or decided in it
    received: dict[str, Event] = field(default_factory=dict)
    rating_deadlines: dict[str, list[Event]] = field(default_factory=dict)  # referral id -> its rating deadline.set
    # The same-person links undone before the build (`person.link_undone`), by link id and by (referral id, other
    # referral id): a confirmed match whose link was undone is no re-referral in a return built afterwards.
    undone_links: set[str] = field(default_factory=set)
    undone_pairs: set[tuple[str, str]] = field(default_factory=set)
    _by_action: dict[str, list[Event]] | None = field(default=None, repr=False)

    def of(self, action: AuditAction) -> list[Event]:
        """The month's events of one action, in id order."""
        if self._by_action is None:
            self._by_action = {}
            for e in self.month:
                self._by_action.setdefault(e.action, []).append(e)
        return self._by_action.get(action, [])

    def cohort(self, referral_id: str) -> str:
        received = self.received.get(referral_id)
        return received.data["cohort"] if received else ""


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the hub's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def _events(queryset) -> list[Event]:
    """The events in id order. Sorted here, not by the database: rows come nearly in id order, and sorting a month's
    wide rows on the server spilled to disk (bench/returns)."""
    if connection.vendor == "postgresql":
        # The time as text, parsed by datetime.fromisoformat (in C): Django's time-zone loader for timestamptz runs in
        # Python and took a quarter of a month's read (80,000 events). The session's time zone is UTC. The rows come
        # straight from the cursor: Django's per-row iteration cost as much again.
        rows = queryset.order_by().annotate(at=Cast("occurred_at", TextField()))
        sql, params = rows.values_list("id", "at", "action", "object_id", "payload").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            events = [
                Event(i, datetime.fromisoformat(at), BY_VALUE[action], object_id, orjson.loads(payload))
                for i, at, action, object_id, payload in cursor.fetchall()
            ]
    else:
        rows = queryset.order_by().values_list("id", "occurred_at", "action", "object_id", "payload")
        events = [
            Event(i, at, BY_VALUE[action], object_id, orjson.loads(payload))
            for i, at, action, object_id, payload in rows
        ]
    events.sort()  # by id: ids are unique, so no further field is compared
    return events


def _hub_events(hub, **filters):
    return AuditEvent.objects.filter(hub_id=hub.pk, **filters)


def rating_deadlines_set(hub, **filters):
    """The hub's `deadline.set` events of rating deadlines (a JSON lookup of the payload's `kind`)."""
    return events_of(AuditAction.DEADLINE_SET, _hub_events(hub, **filters), kind=DeadlineKind.RATING)


def _received_in(hub, start: datetime, month_end: datetime, cutoff: datetime) -> list[Event]:
    """The referrals received in the month (by the payload's `received_at`) and recorded before the cutoff."""
    recorded = _events(
        _hub_events(hub, occurred_at__gte=start, occurred_at__lt=cutoff, action=AuditAction.REFERRAL_RECEIVED)
    )
    return [e for e in recorded if start <= datetime.fromisoformat(e.data["received_at"]) < month_end]


def month_events(hub, month: date, until: datetime | None = None) -> MonthEvents:
    """The events a return of `month` reads; `until` is the build's start (the cutoff; now if None): it cuts a month
    still running, and a referral of the month recorded after it does not count."""
    start, month_end = month_bounds(month)
    cutoff = until or timezone.now()
    end = min(month_end, cutoff)
    loaded = MonthEvents(start=start, end=month_end, until=end, cutoff=cutoff)
    others = [a for a in MONTH_ACTIONS if a != AuditAction.REFERRAL_RECEIVED]
    received = _received_in(hub, start, month_end, cutoff)
    loaded.recorded_late = sum(1 for e in received if e.at >= month_end)
    loaded.month = _events(_hub_events(hub, occurred_at__gte=start, occurred_at__lt=end, action__in=others))
    loaded.month = sorted(loaded.month + received, key=lambda e: e.id)
    loaded.standing = _events(_hub_events(hub, occurred_at__lt=end, action__in=STANDING_ACTIONS))
    loaded.received = {e.object_id: e for e in loaded.of(AuditAction.REFERRAL_RECEIVED)}
    decided = {e.data["referral_id"] for e in loaded.of(AuditAction.DECISION_SIGNED_OFF)}
    worked = {
        e.object_id for e in loaded.month if e.action in (AuditAction.REFERRAL_SCREENED, AuditAction.REFERRAL_RE_RATED)
    }
    earlier = sorted((decided | worked) - loaded.received.keys())
    for chunk in _chunks(earlier):
        for e in _events(
            _hub_events(hub, occurred_at__lt=cutoff, action=AuditAction.REFERRAL_RECEIVED, object_id__in=chunk)
        ):
            loaded.received[e.object_id] = e
    # The rating's due time for each decision: set when the referral was screened, usually in the same month.
    for e in _events(rating_deadlines_set(hub, occurred_at__gte=start, occurred_at__lt=end)):
        loaded.rating_deadlines.setdefault(e.object_id, []).append(e)
    for chunk in _chunks(sorted(decided - loaded.rating_deadlines.keys())):
        for e in _events(rating_deadlines_set(hub, occurred_at__lt=start, object_id__in=chunk)):
            loaded.rating_deadlines.setdefault(e.object_id, []).append(e)
    if loaded.of(AuditAction.SUBJECT_MATCH_CONFIRMED):
        # The one reading past the month's end: a link undone since says the month's match was a mistake, so the
        # return built afterwards does not count it (an undo is a correction, not a later change of the case).
        undone = events_of(AuditAction.PERSON_LINK_UNDONE, _hub_events(hub, occurred_at__lt=cutoff),
                           kind="same_person")  # fmt: skip
        for e in _events(undone):
            loaded.undone_links.add(e.data["link_id"])
            loaded.undone_pairs.add((e.object_id, e.data["other_referral_id"]))
    return loaded


def _chunks(ids: list[str]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def agency_names(events: MonthEvents) -> dict[str, str]:
    """The names of the agencies the month's events name, by id (one query)."""
    ids = {e.data.get("agency_id") for e in events.month + events.standing}
    ids |= {e.data.get("referring_agency_id") for e in events.received.values()}
    ids.discard(None)
    return {str(pk): name for pk, name in Agency.objects.filter(pk__in=ids).values_list("pk", "name")}


def at(text: str) -> datetime:
    """A time a payload carries (ISO 8601 with its offset)."""
    return datetime.fromisoformat(text)


def first_sign_offs(events: MonthEvents) -> list[Event]:
    """The month's first sign-offs (an amendment re-decides a referral already counted when first decided)."""
    return [e for e in events.of(AuditAction.DECISION_SIGNED_OFF) if not e.data.get("amendment")]


def rating_due(events: MonthEvents, referral_id: str, before: datetime) -> datetime | None:
    """The due time of the referral's rating timescale in force at `before` (when it was decided)."""
    due = None
    for e in events.rating_deadlines.get(referral_id, []):
        if e.at <= before:
            due = at(e.data["due_at"])
    return due
