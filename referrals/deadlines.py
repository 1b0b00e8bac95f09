"""Deadlines: due times from the hub's timescales, and the sweep that records warnings and breaches.

The deadline table is the source of truth. The sweep takes due rows with `SELECT … FOR UPDATE SKIP LOCKED`, so two
sweeps at once never handle one row twice, and in the same transaction marks the row, writes the audit event, the
outbox notice (unique per deadline and kind) and each recipient's in-app notification. A sweep that runs late
still catches everything that fell due; emails go out afterwards from the notifications (`notices_deliver`).
"""

import time as clock
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.models import Counting, Hub, Role, RoleAssignment
from audit.events.actions import AuditAction
from audit.events.payloads import DeadlineCancelled, DeadlineFacts
from audit.services import event, record_many
from mash.dates import date as date_text
from mash.queue import after_commit
from mash.workinghours import due_after
from referrals.models import (
    DEADLINE_OWNERS,
    SINGLE_KINDS,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Notice,
    NoticeKind,
    Notification,
    Rating,
    Referral,
    SweepRun,
)

SWEEP = "deadlines"


def _calendar(hub: Hub) -> dict:
    return {
        "working_days": hub.working_days,
        "day_starts": hub.working_day_starts,
        "day_ends": hub.working_day_ends,
        "tz": settings.TIME_ZONE,
    }


def _hours(hours: float) -> timedelta:
    return timedelta(seconds=hours * settings.TIMESCALE_HOUR_SECONDS)


def timescale(hub: Hub, rating: str) -> tuple[timedelta, str] | None:
    """The rating's time allowed and how it is counted; None for Blue (no MASH response, no target)."""
    if rating == Rating.BLUE:
        return None
    hours = getattr(hub, f"{rating}_hours")
    return _hours(hours), getattr(hub, f"{rating}_counting")


def decision_allowance(hub: Hub, immediate_risk: bool = False) -> tuple[timedelta, str]:
    """One working day by default: the hub's working-day length times its decision days, in working hours; when
    someone is at immediate risk, the hub's immediate-risk timescale in clock hours (one by default)."""
    if immediate_risk:
        return _hours(hub.immediate_risk_hours), Counting.CLOCK
    day = datetime.combine(datetime.min, hub.working_day_ends) - datetime.combine(datetime.min, hub.working_day_starts)
    return _hours(day.total_seconds() / 3600 * hub.decision_working_days), Counting.WORKING


def partner_allowance(hub: Hub, rating: str) -> tuple[timedelta, str] | None:
    """The time agencies have to answer a request for information: the rating's partner hours, counted as the
    rating's timescale is; None for Blue (no MASH response) or a referral not yet rated."""
    if rating not in (Rating.RED, Rating.AMBER, Rating.GREEN):
        return None
    return _hours(getattr(hub, f"{rating}_partner_hours")), getattr(hub, f"{rating}_counting")


def _new(
    hub: Hub, referral: Referral, kind: str, allowance: tuple[timedelta, str], rating: str = "", start=None
) -> Deadline:
    duration, counting = allowance
    start = start or referral.received_at
    return Deadline(
        hub=hub,
        referral=referral,
        kind=kind,
        rating=rating,
        starts_at=start,
        warn_at=due_after(start, duration * hub.warn_at_percent / 100, counting=counting, **_calendar(hub)),
        due_at=due_after(start, duration, counting=counting, **_calendar(hub)),
    )


def _facts(d: Deadline, reason: str) -> DeadlineFacts | DeadlineCancelled:
    facts = DeadlineFacts(deadline_id=str(d.pk), kind=d.kind, rating=d.rating, due_at=d.due_at.isoformat())
    return DeadlineCancelled(**facts, reason=reason) if reason else facts


def _events_for(deadlines: list[Deadline], action: AuditAction, now: datetime, reason: str = "") -> list:
    return [event(action, hub=d.hub_id, obj=d.referral, payload=_facts(d, reason)) for d in deadlines]


CLOSED = {DeadlineState.MET: AuditAction.DEADLINE_MET, DeadlineState.CANCELLED: AuditAction.DEADLINE_CANCELLED}


def refresh_due(referral: Referral) -> None:
    """Keep the referral's earliest unmet due time (open or breached deadlines), which orders the triage queue."""
    due = referral.deadlines.filter(
        kind__in=SINGLE_KINDS, state__in=[DeadlineState.OPEN, DeadlineState.BREACHED]
    ).aggregate(d=Min("due_at"))
    referral.due_at = due["d"]
    Referral.objects.filter(pk=referral.pk).update(due_at=referral.due_at)


def decision_deadline_new(referral: Referral) -> Deadline:
    """A new referral's decision deadline, built before the referral is inserted (`deadline_save` writes it after):
    due one working day (the hub's setting) after the referral was received, or the hub's immediate-risk hours when
    someone is at immediate risk. Nothing else is due yet, so its due time is the referral's, which orders the
    triage queue."""
    deadline = _new(
        referral.hub, referral, DeadlineKind.DECISION, decision_allowance(referral.hub, referral.immediate_risk)
    )
    referral.due_at = deadline.due_at
    return deadline


def deadline_save(deadline: Deadline) -> None:
    deadline.save(force_insert=True)
    record_many(_events_for([deadline], AuditAction.DEADLINE_SET, timezone.now()))


def decision_deadline_set(referral: Referral, start: datetime) -> Deadline:
    """From `start` (a risk found at screening: now), a decision deadline as at receipt (`decision_deadline_new`):
    the open one is replaced when the new one is sooner."""
    now = timezone.now()
    allowance = decision_allowance(referral.hub, referral.immediate_risk)
    deadline = _new(referral.hub, referral, DeadlineKind.DECISION, allowance, start=start)
    old = list(Deadline.objects.select_for_update().filter(referral=referral, kind=DeadlineKind.DECISION, state="open"))
    if old and min(d.due_at for d in old) <= deadline.due_at:
        return old[0]
    if old:
        Deadline.objects.filter(pk__in=[d.pk for d in old]).close(DeadlineState.CANCELLED, now)
        record_many(_events_for(old, AuditAction.DEADLINE_CANCELLED, now, reason="immediate_risk"))
    deadline_save(deadline)
    refresh_due(referral)
    return deadline


def rating_deadline_set(referral: Referral, rating: str) -> Deadline | None:
    """A (re-)rating cancels the open rating deadline and sets the new rating's one (none for Blue)."""
    now = timezone.now()
    old = list(Deadline.objects.select_for_update().filter(referral=referral, kind=DeadlineKind.RATING, state="open"))
    if old:
        Deadline.objects.filter(pk__in=[d.pk for d in old]).close(DeadlineState.CANCELLED, now)
        record_many(_events_for(old, AuditAction.DEADLINE_CANCELLED, now, reason="re_rated"))
    allowance = timescale(referral.hub, rating)
    deadline = None
    if allowance is not None:
        deadline = _new(referral.hub, referral, DeadlineKind.RATING, allowance, rating)
        deadline_save(deadline)
    refresh_due(referral)
    return deadline


def deadline_add(referral: Referral, kind: str, *, allowance=None, due_at: datetime | None = None) -> Deadline:
    """A deadline of its own for a request (from now, by `allowance`) or an agreed action (due at `due_at`, warned
    at the hub's share of the time from now). The caller keeps the returned row with its request or action."""
    now = timezone.now()
    hub = referral.hub
    if allowance is not None:
        deadline = _new(hub, referral, kind, allowance, referral.rating, start=now)
    else:
        warn_at = now + (due_at - now) * hub.warn_at_percent / 100 if due_at > now else due_at
        deadline = Deadline(hub=hub, referral=referral, kind=kind, starts_at=now, warn_at=warn_at, due_at=due_at)
    deadline.save(force_insert=True)
    record_many(_events_for([deadline], AuditAction.DEADLINE_SET, now))
    return deadline


def strategy_deadline_follow(referral: Referral, rating: str) -> Deadline | None:
    """A Red rating sets the strategy discussion's deadline, due the hub's strategy_discussion_hours (clock hours)
    after it, unless one is open or was met (the discussion was held); a rating below Red cancels the open one."""
    now = timezone.now()
    mine = Deadline.objects.filter(referral=referral, kind=DeadlineKind.STRATEGY)  # the referral is locked
    if rating != Rating.RED:
        strategy_deadline_cancel(referral, "re_rated")
        return None
    if mine.filter(state__in=[DeadlineState.OPEN, DeadlineState.MET]).exists():
        return None
    allowance = (_hours(referral.hub.strategy_discussion_hours), Counting.CLOCK)
    deadline = _new(referral.hub, referral, DeadlineKind.STRATEGY, allowance, Rating.RED, start=now)
    deadline.save(force_insert=True)
    record_many(_events_for([deadline], AuditAction.DEADLINE_SET, now))
    return deadline


def strategy_deadline_cancel(referral: Referral, reason: str) -> int:
    """The open strategy discussion deadline is cancelled with the reason (re_rated: no longer Red; closed: the
    referral was decided without one)."""
    now = timezone.now()
    old = list(Deadline.objects.select_for_update().filter(referral=referral, kind=DeadlineKind.STRATEGY, state="open"))
    if old:
        Deadline.objects.filter(pk__in=[d.pk for d in old]).close(DeadlineState.CANCELLED, now)
        record_many(_events_for(old, AuditAction.DEADLINE_CANCELLED, now, reason=reason))
    return len(old)


def deadline_close(deadline: Deadline, state: str, reason: str = "") -> bool:
    """An open request or action deadline is met or cancelled now; False when it was no longer open (a breached
    deadline stays breached: the answer came late)."""
    now = timezone.now()
    closed = Deadline.objects.filter(pk=deadline.pk).close(state, now)
    if closed:
        deadline.state, deadline.closed_at = state, now
        record_many(_events_for([deadline], CLOSED[state], now, reason))
    return bool(closed)


def deadlines_meet(referral: Referral, kinds: list[str]) -> int:
    """The referral's open deadlines of these kinds are met now (a decision signed off, say)."""
    now = timezone.now()
    met = list(Deadline.objects.select_for_update().filter(referral=referral, kind__in=kinds, state="open"))
    Deadline.objects.filter(pk__in=[d.pk for d in met]).close(DeadlineState.MET, now)
    record_many(_events_for(met, AuditAction.DEADLINE_MET, now))
    refresh_due(referral)
    return len(met)


def _recipients(deadlines: list[Deadline], now: datetime) -> dict:
    return acting_managers({d.hub_id for d in deadlines}, now)


def acting_managers(hubs: set, now: datetime) -> dict:
    """For each hub: who acts as its manager now (the manager; a deputy inside the delegation)."""
    managers: dict = {hub: set() for hub in hubs}
    assignments = RoleAssignment.objects.filter(
        hub_id__in=hubs, role__in=[Role.MANAGER, Role.DEPUTY], user__is_active=True
    )
    for a in assignments:
        if a.acts_as_manager(now):
            managers[a.hub_id].add(a.user_id)
    return managers


def _notify(deadlines: list[Deadline], kind: str, now: datetime) -> None:
    # The unique (deadline, kind) constraint makes a second notice fail the whole batch: at most once.
    notices = Notice.objects.bulk_create([Notice(deadline=d, kind=kind, created_at=now) for d in deadlines])
    managers = _recipients(deadlines, now)
    languages = hub_languages({d.hub_id for d in deadlines})
    rows = []
    for notice, d in zip(notices, deadlines, strict=True):
        people = set(managers[d.hub_id])
        if d.referral.assigned_to_id and d.referral.assigned_to.is_active:
            people.add(d.referral.assigned_to_id)
        with translation.override(languages[d.hub_id]):  # stored once, in the hub's language, as its emails are
            facts = {"reference": d.referral.reference, "deadline": d.label, "due": when_short(d.due_at)}
            if kind == NoticeKind.BREACH:
                subject = gettext("%(reference)s: deadline breached, %(deadline)s (%(due)s)") % facts
            else:
                subject = gettext("%(reference)s: deadline due soon, %(deadline)s (%(due)s)") % facts
        rows += [
            Notification(
                notice=notice, recipient_id=user, hub_id=d.hub_id, referral=d.referral, subject=subject, created_at=now
            )
            for user in sorted(people)
        ]
    Notification.objects.bulk_create(rows)


def hub_languages(hub_ids: set) -> dict:
    """Each hub's language (of its emails and notices), in one query."""
    return dict(Hub.objects.filter(pk__in=hub_ids).values_list("pk", "language"))


def when_short(moment: datetime) -> str:
    """A due time as a notice names it, '05 Jan 14:30', in the active language."""
    return date_text(timezone.localtime(moment), "d M H:i")


def people_notify(referral: Referral, people, subject: str) -> None:
    """Tell each of `people` (user ids) about news that is not a deadline's (a decision returned or signed off): an
    in-app notification, emailed after commit by `notices_deliver`. The subject names the referral, never a person;
    the caller writes it in the hub's language (`translation.override(hub.language)`), as plain text."""
    now = timezone.now()
    subject = str(subject)
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=user, hub_id=referral.hub_id, referral=referral, subject=subject, created_at=now)
        for user in sorted({p for p in people if p})  # an unassigned referral has nobody to tell
    )
    if rows:
        after_commit("referrals.tasks.notices_deliver")


def _take(condition: Q, now: datetime, batch: int) -> list[Deadline]:
    return list(
        Deadline.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(condition, state=DeadlineState.OPEN)
        .select_related("referral__assigned_to", *DEADLINE_OWNERS)
        .order_by("due_at")[:batch]
    )


def _sweep_batch(now: datetime, batch: int) -> int:
    with transaction.atomic():
        due = _take(Q(due_at__lte=now), now, batch)
        if due:
            Deadline.objects.filter(pk__in=[d.pk for d in due]).close(DeadlineState.BREACHED, now)
            record_many(_events_for(due, AuditAction.DEADLINE_BREACHED, now))
            _notify(due, NoticeKind.BREACH, now)
        warn = _take(Q(warned_at=None, warn_at__lte=now, due_at__gt=now), now, batch - len(due))
        if warn:
            Deadline.objects.filter(pk__in=[d.pk for d in warn]).warn(now)
            record_many(_events_for(warn, AuditAction.DEADLINE_WARNED, now))
            _notify(warn, NoticeKind.WARNING, now)
        if due or warn:
            after_commit("referrals.tasks.notices_deliver")
    return len(due) + len(warn)


def deadlines_sweep(now: datetime | None = None, batch: int | None = None) -> int:
    """Record every warning and breach that has come due by `now`, in batches (`DEADLINE_SWEEP_BATCH` rows each,
    one transaction each); returns how many."""
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    began = clock.perf_counter()
    now = now or timezone.now()
    handled = 0
    while True:
        count = _sweep_batch(now, batch)
        handled += count
        if count < batch:
            break
    SweepRun.objects.update_or_create(
        name=SWEEP,
        defaults={
            "last_run_at": timezone.now(),
            "last_duration_ms": int((clock.perf_counter() - began) * 1000),
            "last_count": handled,
        },
    )
    return handled


def notices_deliver(batch: int = 200) -> int:
    """Email each notification not yet emailed, and mark the notices delivered. A worker killed between sending
    and committing may send one email twice; the in-app notification exists exactly once either way."""
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(emailed_at=None, recipient__isnull=False)  # a referrer's: referrals/acknowledgement.py
                .select_related("recipient", "hub")
                .order_by("created_at")[:batch]
            )
            for n in rows:
                if n.recipient.email:
                    send_mail(n.subject, _email_body(n), None, [n.recipient.email])
            now = timezone.now()
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
            Notice.objects.filter(delivered_at=None, notifications__in=rows).update(delivered_at=now)
        sent += len(rows)
        if len(rows) < batch:
            return sent


def _email_body(notification: Notification) -> str:
    # No personal data in email: the reference, the deadline and where to look; in the hub's language.
    with translation.override(notification.hub.language):
        more = gettext(
            "Open the referral in the MASH service to see more. This message names no person; sign in to read more."
        )
    return f"{notification.subject}\n\n{more}"


def sweep_last_run() -> SweepRun | None:
    return SweepRun.objects.filter(name=SWEEP).first()


def sweep_last_run_at() -> datetime | None:
    """When the sweep last ran (by a worker, or by beat itself: mash/beat.py); None if it never ran."""
    return SweepRun.objects.filter(name=SWEEP).values_list("last_run_at", flat=True).first()


_LOOK_IT_UP = object()


def sweep_is_stale(now: datetime | None = None, last=_LOOK_IT_UP) -> bool:
    """Whether the last sweep (looked up unless given, None meaning it never ran) is older than
    DEADLINE_SWEEP_STALE_SECONDS, or never ran."""
    last = sweep_last_run() if last is _LOOK_IT_UP else last
    now = now or timezone.now()
    return last is None or (now - last.last_run_at).total_seconds() > settings.DEADLINE_SWEEP_STALE_SECONDS
