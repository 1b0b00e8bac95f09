"""The ledger events a month's return is computed from, read once.

A return counts what happened in its month: the hub's events that occurred from the first of the month to the first
of the next (Europe/London). Where a figure needs earlier context (the referral behind a decision, the rating's due
time, the agreements and funding in force), it reads earlier events too, but never an event that occurred after the
month: a later amendment, decision or re-rating cannot change a past month's figures. One correction is read up to
the build: a same-person link undone since (`person.link_undone`) takes its confirmed match out of the re-referrals.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.utils import timezone

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


@dataclass(frozen=True)
class Event:
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
    rows = queryset.order_by("id").values_list("id", "occurred_at", "action", "object_id", "payload")
    return [
        Event(i, at, BY_VALUE[action], object_id, orjson.loads(payload)) for i, at, action, object_id, payload in rows
    ]


def _hub_events(hub, **filters):
    return AuditEvent.objects.filter(hub_id=hub.pk, **filters)


def rating_deadlines_set(hub, **filters):
    """The hub's `deadline.set` events of rating deadlines (a JSON lookup of the payload's `kind`)."""
    return events_of(AuditAction.DEADLINE_SET, _hub_events(hub, **filters), kind=DeadlineKind.RATING)


def month_events(hub, month: date, until: datetime | None = None) -> MonthEvents:
    """The events a return of `month` reads; `until` cuts a month still running at the build's start."""
    start, month_end = month_bounds(month)
    end = min(month_end, until) if until else month_end
    loaded = MonthEvents(start=start, end=month_end, until=end)
    loaded.month = _events(_hub_events(hub, occurred_at__gte=start, occurred_at__lt=end, action__in=MONTH_ACTIONS))
    loaded.standing = _events(_hub_events(hub, occurred_at__lt=end, action__in=STANDING_ACTIONS))
    loaded.received = {e.object_id: e for e in loaded.of(AuditAction.REFERRAL_RECEIVED)}
    decided = {e.data["referral_id"] for e in loaded.of(AuditAction.DECISION_SIGNED_OFF)}
    worked = {
        e.object_id for e in loaded.month if e.action in (AuditAction.REFERRAL_SCREENED, AuditAction.REFERRAL_RE_RATED)
    }
    earlier = sorted((decided | worked) - loaded.received.keys())
    for chunk in _chunks(earlier):
        for e in _events(
            _hub_events(hub, occurred_at__lt=end, action=AuditAction.REFERRAL_RECEIVED, object_id__in=chunk)
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
        undone = events_of(AuditAction.PERSON_LINK_UNDONE, _hub_events(hub, occurred_at__lt=until or timezone.now()),
                           kind="same_person")  # fmt: skip
        for e in _events(undone):
            loaded.undone_links.add(e.data["link_id"])
            loaded.undone_pairs.add((e.object_id, e.data["other_referral_id"]))
    return loaded


def _chunks(ids: list[str]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]
