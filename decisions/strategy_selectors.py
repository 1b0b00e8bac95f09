"""Reads of strategy discussions for the referral page and the chronology: the discussions of a referral the reader
may see (the referral itself is already scoped by the caller), and when the next one is due."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone

from decisions.models.strategy import RECOMMENDED_KINDS, StrategyAction, StrategyDiscussion, StrategyParticipant
from mash.prepared import rows_of
from referrals.models import Deadline, DeadlineKind, DeadlineState, Rating, Referral


def _discussions(rows):
    return rows.prefetch_related(
        Prefetch("participants", queryset=StrategyParticipant.objects.select_related("agency")),
        Prefetch("actions", queryset=StrategyAction.objects.select_related("owner", "deadline")),
        "shared__agency",
    )


# The referral page's reads of its one referral, written once per process (mash/prepared.py): the referral is
# scoped by the caller and nothing here is scoped further.
_discussions_of_one = rows_of(
    StrategyDiscussion, "referral", lambda rows: _discussions(rows.select_related("recorded_by", "manager_reason_by"))
)
_strategy_deadlines_of = rows_of(
    Deadline, "referral", lambda rows: rows.filter(kind=DeadlineKind.STRATEGY).order_by("-starts_at")
)


def discussions_of(referral_ids, *, with_referral: bool = False) -> list[StrategyDiscussion]:
    """The strategy discussions of these referrals (already scoped by the caller), oldest first, with who took
    part, what was shared and the actions agreed (and each one's referral, for a household's page)."""
    related = ("recorded_by", "manager_reason_by", *(("referral",) if with_referral else ()))
    return list(_discussions(StrategyDiscussion.objects.filter(referral_id__in=referral_ids).select_related(*related)))


def discussions_of_referral(referral: Referral) -> list[StrategyDiscussion]:
    """`discussions_of` one referral (the referral page's), each with its referral."""
    return _discussions_of_one(referral)


def red_since(referral: Referral):
    """When the referral was first rated Red (None if it never was)."""
    return referral.screenings.filter(rating=Rating.RED).order_by("at").values_list("at", flat=True).first()


def strategy_due(referral: Referral, discussions: list, *, hours: int) -> dict | None:
    """For a Red referral with no strategy discussion yet: when one is due and whether that time has passed, from
    its deadline (set at the Red rating, the hub's strategy_discussion_hours later; cancelled when the rating was
    lowered or the referral closed without the need for one). A referral rated Red before deadlines were kept for
    discussions counts from its first Red rating. None otherwise."""
    if discussions or referral.rating != Rating.RED:  # a rating lowered below Red cancelled the deadline
        return None
    rows = _strategy_deadlines_of(referral)
    if rows:
        due = rows[0]
        if due.state not in (DeadlineState.OPEN, DeadlineState.BREACHED):
            return None
        return {"due_at": due.due_at, "overdue": due.state == DeadlineState.BREACHED or timezone.now() > due.due_at}
    since = red_since(referral)
    if since is None:
        return None
    due_at = since + timedelta(hours=hours)
    return {"due_at": due_at, "overdue": timezone.now() > due_at}


def recommended_absent(discussion: StrategyDiscussion) -> list[str]:
    """The recommended agency kinds (education) that did not take part, in words."""
    present = {p.agency.kind for p in discussion.participants.all()}
    return [kind.label for kind in RECOMMENDED_KINDS if kind not in present]
