"""Reads of referrals, scoped first: a referral the user may not see does not exist for them (404)."""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from referrals import deadlines
from referrals.default_thresholds import DEFAULT_LEVELS
from referrals.models import (
    Deadline,
    DeadlineState,
    Notification,
    Person,
    PersonRole,
    Rating,
    Referral,
    ReferralGroupObjectPermission,
    ReferralStatus,
    ReferralUserObjectPermission,
    ThresholdVersion,
)
from referrals.permissions import PERMISSION, ReferralAction


def _permission_id(action: ReferralAction) -> Subquery:
    """The permission's id as a subquery: PostgreSQL computes it once per statement (an InitPlan), no extra query."""
    return Subquery(
        Permission.objects.filter(content_type__app_label="referrals", codename=PERMISSION[action]).values("pk")[:1]
    )


def referrals_visible_to(user, action: ReferralAction = ReferralAction.VIEW, hub=None) -> QuerySet[Referral]:
    """Referrals on which the user holds `action`, through one of their groups or directly."""
    if not (user.is_authenticated and user.is_active):
        return Referral.objects.none()
    permission = _permission_id(action)
    # The user's groups as a list of ids (one small query), so that each referral's check is one probe of the
    # (group, permission, object) index; a join to the user's groups inside the EXISTS lets PostgreSQL hash every
    # grant of the group instead (a million rows for a big hub).
    groups = list(user.groups.values_list("id", flat=True))
    through_group = ReferralGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission_id=permission, group_id__in=groups
    )
    direct = ReferralUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission_id=permission, user=user
    )
    referrals = Referral.objects.filter(Exists(through_group) | Exists(direct))
    if hub is not None:
        referrals = referrals.filter(hub=hub)
    return referrals.select_related("hub", "referring_agency")


def referral_for(user, referral_id, action: ReferralAction = ReferralAction.VIEW) -> Referral:
    referral = referrals_visible_to(user, action).filter(pk=referral_id).prefetch_related("persons").first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def referrals_of_client(client) -> QuerySet[Referral]:
    """An agency's API client sees the referrals its own agency made to its hub, and nothing else."""
    return Referral.objects.filter(hub_id=client.hub_id, referring_agency_id=client.agency_id).order_by(
        "-received_at", "-id"
    )


def referral_of_client(client, referral_id) -> Referral:
    referral = referrals_of_client(client).filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def matches_of(referral: Referral) -> tuple[list, list[Referral]]:
    """The referral's suggested and answered matches (with the earlier referral), and the earlier referrals of the
    people confirmed to be its subject."""
    from referrals.models import MatchState, SubjectMatch

    matches = list(SubjectMatch.objects.filter(referral=referral).select_related("candidate__referral", "decided_by"))
    earlier = [m.candidate.referral for m in matches if m.state == MatchState.CONFIRMED]
    return matches, sorted({r.pk: r for r in earlier}.values(), key=lambda r: r.received_at, reverse=True)


UNRATED = "none"  # the queue's filter value for referrals not yet rated (a rating of "")


def triage_queue(
    user, hub, *, rating: str = "", cohort: str = "", status: str = "", mine: bool = False
) -> QuerySet[Referral]:
    """The hub's open referrals the user may see, most urgent first: the earliest unmet due time, then the oldest;
    those with no deadline last. `rating` is a Rating value or UNRATED; an empty filter filters nothing."""
    referrals = referrals_visible_to(user, ReferralAction.VIEW, hub=hub).exclude(status=ReferralStatus.CLOSED)
    if rating:
        referrals = referrals.filter(rating="" if rating == UNRATED else rating)
    if cohort:
        referrals = referrals.filter(cohort=cohort)
    if status:
        referrals = referrals.filter(status=status)
    if mine:
        referrals = referrals.filter(assigned_to=user)
    return (
        referrals.select_related("assigned_to")
        .prefetch_related(
            Prefetch("persons", queryset=Person.objects.filter(role=PersonRole.SUBJECT), to_attr="subjects")
        )
        .order_by(F("due_at").asc(nulls_last=True), "received_at", "reference")
    )


def dashboard_figures(hub, now) -> dict:
    """The manager's figures for the hub at `now`: open referrals by rating and by status, deadlines breached today
    and this week (local time, the week from Monday 00:00), the oldest open referral and the sweep's heartbeat.
    Counts only, for the manager of the whole hub: the one piece of case data is the oldest referral's reference."""
    open_referrals = Referral.objects.filter(hub=hub).exclude(status=ReferralStatus.CLOSED)
    ratings = ["", *Rating.values]
    statuses = [s for s in ReferralStatus.values if s != ReferralStatus.CLOSED]
    by_rating = open_referrals.aggregate(**{f"r{i}": Count("pk", filter=Q(rating=r)) for i, r in enumerate(ratings)})
    by_status = open_referrals.aggregate(**{s: Count("pk", filter=Q(status=s)) for s in statuses})
    local = timezone.localtime(now)
    midnight = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time.min, tzinfo=local.tzinfo)
    breaches = Deadline.objects.filter(hub=hub, state=DeadlineState.BREACHED).aggregate(
        today=Count("pk", filter=Q(closed_at__gte=midnight)), week=Count("pk", filter=Q(closed_at__gte=monday))
    )
    last_sweep = deadlines.sweep_last_run()
    return {
        "by_rating": {r: by_rating[f"r{i}"] for i, r in enumerate(ratings)},
        "by_status": {s: by_status[s] for s in statuses},
        "open": sum(by_status.values()),
        "breached_today": breaches["today"],
        "breached_this_week": breaches["week"],
        "oldest": open_referrals.order_by("received_at", "reference").only("id", "reference", "received_at").first(),
        "sweep_last_run": last_sweep,
        "stale": deadlines.sweep_is_stale(now, last_sweep),
    }


def notifications_of(user, limit: int = 50) -> list:
    """The user's own in-app notifications, newest first, about referrals they may still see."""
    visible = referrals_visible_to(user, ReferralAction.VIEW).values("pk")
    return list(Notification.objects.filter(recipient=user, referral__in=visible).order_by("-created_at")[:limit])


def referral_triage(referral: Referral) -> dict:
    """What the referral page shows of triage: its deadlines (earliest first), its screenings with who made them
    and the name of each one's level, and the current level's name."""
    deadline_rows = list(referral.deadlines.order_by("due_at"))
    screenings = []
    if referral.rating:  # only a screening sets a rating: an unrated referral has none to fetch
        screenings = list(referral.screenings.select_related("by", "threshold_version").order_by("at"))
    for screening in screenings:
        version = screening.threshold_version
        level = version.level(screening.level)
        screening.level_name = level["name"] if level else screening.level
        texts = {c["code"]: c["text"] for lv in version.levels for c in lv["criteria"]}
        screening.criteria_texts = [texts.get(code, code) for code in screening.criteria]
    return {
        "deadlines": deadline_rows,
        "screenings": screenings,
        "level_name": screenings[-1].level_name if screenings else "",
    }


def threshold_versions(hub, cohort: str) -> list[ThresholdVersion]:
    """Every published version of the hub's thresholds for the cohort, newest first, with who published it."""
    return list(
        ThresholdVersion.objects.filter(hub=hub, cohort=cohort).select_related("published_by").order_by("-number")
    )


def thresholds_current(hub, cohort: str) -> ThresholdVersion:
    """The hub's newest thresholds for the cohort. A hub that has published none reads the defaults, as an unsaved
    version 1 (no `pk`): reading never publishes; the first screening does."""
    version = ThresholdVersion.objects.filter(hub=hub, cohort=cohort).select_related("published_by").first()
    return version or ThresholdVersion(hub=hub, cohort=cohort, number=1, levels=DEFAULT_LEVELS[cohort], note="Defaults")
