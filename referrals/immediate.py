"""Immediate risk is a fast lane: a referral that says someone is at immediate risk of harm (from the referrer, by
API or on the web, or found at screening) heads the triage queue, has its decision due in the hub's immediate-risk
hours (clock hours, one by default), and the acting manager, the hub's practitioners and the assignee are told at
once: in the service and by email (naming no one).

The alert is an outbox notice on the referral's decision deadline, unique per deadline and kind, so it is written once
with the referral (or the screening) in the same transaction, and delivered by `notices_deliver` right after commit
(and by beat's catch-up if the broker is down)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from agencies.models import Role, RoleAssignment
from mash.queue import after_commit
from referrals import deadlines
from referrals.models import Deadline, Notice, NoticeKind, Notification, Referral

DELIVER = "referrals.tasks.notices_deliver"


def recipients(referral: Referral, now: datetime) -> set:
    """Who is told: the acting manager (the deputy inside the delegation), the hub's practitioners, the assignee."""
    people = set(deadlines.acting_managers({referral.hub_id}, now)[referral.hub_id])
    practitioners = RoleAssignment.objects.filter(hub_id=referral.hub_id, role=Role.PRACTITIONER, user__is_active=True)
    people.update(practitioners.values_list("user_id", flat=True))
    if referral.assigned_to_id:
        people.add(referral.assigned_to_id)
    return people


def alert(referral: Referral, *, start: datetime | None = None, deadline: Deadline | None = None) -> None:
    """The fast lane for a referral now marked immediate risk: a decision deadline of the hub's immediate-risk
    hours from `start` (or a new referral's `deadline`, set at receipt), and one alert to the people who must act.
    Inside the caller's transaction; the alert is sent when it commits."""
    now = timezone.now()
    deadline = deadline or deadlines.decision_deadline_set(referral, start=start)
    try:
        with transaction.atomic():
            notice = Notice.objects.create(deadline=deadline, kind=NoticeKind.IMMEDIATE, created_at=now)
    except IntegrityError:
        return  # this deadline's alert was already written
    with translation.override(referral.hub.language):  # stored once, in the hub's language, as its emails are
        subject = gettext("%(reference)s: someone is at immediate risk of harm: decide by %(due)s") % {
            "reference": referral.reference,
            "due": deadlines.when_short(deadline.due_at),
        }
    Notification.objects.bulk_create(
        Notification(
            notice=notice, recipient_id=user, hub_id=referral.hub_id, referral=referral, subject=subject,
            created_at=now,
        )
        for user in sorted(recipients(referral, now))
    )  # fmt: skip
    after_commit(DELIVER)
