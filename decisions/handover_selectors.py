"""Reading handovers: the receiving agency's own (API and officer's page), the manager's overdue ones, and the
referral page's line. Writes are in decisions/handover.py."""

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.policy import Action, scoped
from decisions.models import Handover, HandoverState
from mash.prepared import Prepared


def handovers_of(access) -> QuerySet[Handover]:
    """The handovers to the agency of `access` (its system or officer) in its hub, with a current agreement."""
    return scoped(access, Action.HANDOVER_ACKNOWLEDGE, Handover.objects.all()).select_related(
        "referral", "agency", "acknowledged_by", "acknowledged_by_client"
    )


def handover_of(access, handover_id) -> Handover:
    """One of the agency's handovers; Http404 for another agency's, another hub's or none."""
    handover = handovers_of(access).filter(pk=handover_id).first()
    if handover is None:
        raise Http404("No such handover to your agency")
    return handover


def waiting_for(delta: timedelta) -> str:
    """How long something has waited, in words: "3 hours 5 minutes", "2 days 4 hours"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    in_days = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    in_hours = ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    in_minutes = ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    parts = [(days, in_days), (hours, in_hours)] if days else [(hours, in_hours), (minutes, in_minutes)]
    return " ".join(words for n, words in parts if n) or _("less than a minute")


def unacknowledged_overdue(hub, now=None) -> list[Handover]:
    """The hub's handovers still unacknowledged past their time (the hub's handover_ack_hours), oldest first, each
    with `waiting` in words: for the manager's dashboard."""
    now = now or timezone.now()
    rows = list(
        Handover.objects.filter(hub=hub, state=HandoverState.SENT, ack_due_at__lte=now)
        .select_related("referral", "agency")
        .order_by("sent_at")
    )
    for row in rows:
        row.waiting = waiting_for(now - row.sent_at)
    return rows


def handovers_of_referral(referral) -> list[Handover]:
    """The referral's handovers, newest first (an amended decision hands over again), for the referral page."""
    return _handovers_of_referral(referral.pk)


_handovers_of_referral = Prepared(  # on every referral page: written once per process (docs/adr/0025)
    lambda referral_id: Handover.objects.filter(referral_id=referral_id).select_related(
        "agency", "acknowledged_by", "acknowledged_by_client"
    ),
    Handover._meta.get_field("referral"),
)
