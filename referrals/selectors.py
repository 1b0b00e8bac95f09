"""Reads of referrals, scoped first: a referral the user may not see does not exist for them (404)."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.access import access_for, assignments_of
from agencies.policy import Action, may, scoped
from mash.words import in_words
from referrals import deadlines
from referrals.default_thresholds import DEFAULT_LEVELS
from referrals.models import (
    DEADLINE_OWNERS,
    Deadline,
    DeadlineState,
    Notification,
    Person,
    PersonRole,
    Rating,
    Referral,
    ReferralStatus,
    ThresholdVersion,
)


def referrals_visible_to(access, action: Action = Action.REFERRAL_LIST) -> QuerySet[Referral]:
    """The hub's referrals on which the access may take `action` (the hub's staff: all of them; an agency: its own
    referrals' status, with a current agreement), by the one policy."""
    return scoped(access, action, Referral.objects.all()).select_related("hub", "referring_agency")


def referral_for(access, referral_id, action: Action = Action.REFERRAL_VIEW) -> Referral:
    """One referral of the access's hub that the access may take `action` on; Http404 for any other (a referral of
    another hub, or one outside the reader's scope, is no referral at all)."""
    referral = referrals_visible_to(access, action).filter(pk=referral_id).prefetch_related("persons").first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def referrals_of_client(access) -> QuerySet[Referral]:
    """An agency's system sees the status of the referrals its own agency made to its hub, and nothing else."""
    return scoped(access, Action.REFERRAL_STATUS_VIEW, Referral.objects.all()).order_by("-received_at", "-id")


def referral_of_client(access, referral_id) -> Referral:
    """One of the agency's own referrals; Http404 for any other. Its agreement is the caller's `require`."""
    referral = Referral.objects.filter(
        pk=referral_id, hub_id=access.hub.pk, referring_agency_id__in=access.agency_ids
    ).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def matches_of(referral: Referral) -> tuple[list, list[Referral]]:
    """The referral's suggested and answered matches (with the earlier referral), verdict "match" before
    "possible" and the highest score first, and the earlier referrals of the people confirmed to be its subject."""
    from referrals.models import MatchState, SubjectMatch

    matches = list(SubjectMatch.objects.filter(referral=referral).select_related("candidate__referral", "decided_by"))
    matches.sort(key=lambda m: (m.verdict != "match", -m.score, -m.candidate.referral.received_at.timestamp()))
    earlier = [m.candidate.referral for m in matches if m.state == MatchState.CONFIRMED]
    return matches, sorted({r.pk: r for r in earlier}.values(), key=lambda r: r.received_at, reverse=True)


UNRATED = "none"  # the queue's filter value for referrals not yet rated (a rating of "")


def triage_queue(
    access, *, rating: str = "", cohort: str = "", status: str = "", mine: bool = False, immediate: bool = False
) -> QuerySet[Referral]:
    """The hub's open referrals the reader may see, most urgent first: everyone at immediate risk of harm above
    everything else, then the earliest unmet due time, then the oldest; those with no deadline last. `rating` is a
    Rating value or UNRATED; an empty filter filters nothing."""
    referrals = scoped(access, Action.REFERRAL_LIST, Referral.objects.all()).exclude(status=ReferralStatus.CLOSED)
    if immediate:
        referrals = referrals.filter(immediate_risk=True)
    if rating:
        referrals = referrals.filter(rating="" if rating == UNRATED else rating)
    if cohort:
        referrals = referrals.filter(cohort=cohort)
    if status:
        referrals = referrals.filter(status=status)
    if mine:
        referrals = referrals.filter(assigned_to=access.user)
    return (
        referrals.select_related("assigned_to")
        .prefetch_related(
            Prefetch("persons", queryset=Person.objects.filter(role=PersonRole.SUBJECT), to_attr="subjects")
        )
        .order_by("-immediate_risk", F("due_at").asc(nulls_last=True), "received_at", "reference")
    )


def last_screening_thresholds(referral: Referral) -> ThresholdVersion:
    """The thresholds the referral was last screened against (the manager's change of level keeps to them); the
    hub's current ones if it was never screened."""
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    return last.threshold_version if last else thresholds_current(referral.hub, referral.cohort)


def dashboard_figures(hub, now) -> dict:
    """The manager's figures for the hub at `now`: open referrals by rating and by status, deadlines breached today
    and this week (local time, the week from Monday 00:00), the oldest open referral and the sweep's heartbeat.
    Counts only, for the manager of the whole hub: the one piece of case data is the oldest referral's reference."""
    open_referrals = Referral.objects.filter(hub=hub).exclude(status=ReferralStatus.CLOSED)
    ratings = ["", *Rating.values]
    statuses = [s for s in ReferralStatus.values if s != ReferralStatus.CLOSED]
    by_rating = open_referrals.aggregate(
        **{f"r{i}": Count("pk", filter=Q(rating=r)) for i, r in enumerate(ratings)},
        immediate=Count("pk", filter=Q(immediate_risk=True)),
        immediate_late=Count("pk", filter=Q(immediate_risk=True, due_at__lt=now)),
    )
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
        "immediate": by_rating["immediate"],
        "immediate_late": by_rating["immediate_late"],
        "breached_today": breaches["today"],
        "breached_this_week": breaches["week"],
        "oldest": open_referrals.order_by("received_at", "reference").only("id", "reference", "received_at").first(),
        "sweep_last_run": last_sweep,
        "stale": deadlines.sweep_is_stale(now, last_sweep),
    }


def notifications_of(user, limit: int = 50) -> list:
    """The person's own in-app notifications, newest first, about referrals of the hubs where they may still see
    referrals."""
    hubs = [a.hub_id for a in assignments_of(user) if may(access_for(user, a.hub_id), Action.REFERRAL_LIST)]
    rows = Notification.objects.filter(recipient=user, hub_id__in=hubs).select_related("referral")
    return list(rows.order_by("-created_at")[:limit])


def referral_triage(referral: Referral) -> dict:
    """What the referral page shows of triage: its deadlines (earliest first), its screenings with who made them
    and the name of each one's level, and the current level's name."""
    deadline_rows = list(referral.deadlines.select_related(*DEADLINE_OWNERS).order_by("due_at"))
    screenings = []
    if referral.rating:  # only a screening sets a rating: an unrated referral has none to fetch
        screenings = list(referral.screenings.select_related("by", "threshold_version").order_by("at"))
    for screening in screenings:
        version = screening.threshold_version
        level = version.level(screening.level)
        screening.level_name = level["name"] if level else in_words(screening.level)
        texts = {c["code"]: c["text"] for lv in version.levels for c in lv["criteria"]}
        screening.criteria_texts = [texts.get(code, code) for code in screening.criteria]
    return {
        "deadlines": deadline_rows,
        "screenings": screenings,
        "level_name": screenings[-1].level_name if screenings else "",
    }


def threshold_words(hub_ids, cohort: str | None = None) -> dict[str, str]:
    """The hubs' words for their threshold codes (of one cohort, or both): each level's name and each criterion's
    text, the newest version naming a code winning, then the defaults'. One query."""
    versions = ThresholdVersion.objects.filter(hub_id__in=hub_ids).order_by("-number")
    if cohort:
        versions = versions.filter(cohort=cohort)
    defaults = [DEFAULT_LEVELS[cohort]] if cohort else list(DEFAULT_LEVELS.values())
    words: dict[str, str] = {}
    for levels in [*versions.values_list("levels", flat=True), *defaults]:
        for level in levels:
            words.setdefault(level["code"], level["name"])
            for criterion in level["criteria"]:
                words.setdefault(criterion["code"], criterion["text"])
    return words


def level_names_of(referral: Referral, codes) -> dict[str, str]:
    """The hub's name for each of `codes`, threshold levels a referral's decisions name: the levels of its latest
    screening's thresholds (those a decision chooses from); a code they lack (an older version's) as
    `threshold_words` has it, else the code in words. One query, two where a code is missing."""
    latest = referral.screenings.select_related("threshold_version").order_by("-at").first()
    names = {level["code"]: level["name"] for level in latest.threshold_version.levels} if latest else {}
    if set(codes) - set(names):
        names = {**threshold_words([referral.hub_id], referral.cohort), **names}
    return {code: names.get(code) or in_words(code) for code in codes}


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
