"""Reads of referrals, scoped first: a referral the user may not see does not exist for them (404)."""

from datetime import datetime, time, timedelta

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Least
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import access_for, assignments_of
from agencies.policy import Action, may, scoped
from mash.prepared import Prepared
from mash.words import in_words, plain
from referrals import deadlines
from referrals.default_thresholds import DEFAULT_LEVELS, default_levels
from referrals.models import (
    DEADLINE_OWNERS,
    Deadline,
    DeadlineState,
    Household,
    LinkKind,
    Notification,
    Person,
    PersonLink,
    PersonRole,
    Rating,
    Referral,
    ReferralStatus,
    Screening,
    SubjectMatch,
    ThresholdVersion,
)


def referrals_visible_to(access, action: Action = Action.REFERRAL_LIST) -> QuerySet[Referral]:
    """The hub's referrals on which the access may take `action` (the hub's staff: all of them; an agency: its own
    referrals' status, with a current agreement), by the one policy."""
    return scoped(access, action, Referral.objects.all()).select_related("hub", "referring_agency")


def referral_for(access, referral_id, action: Action = Action.REFERRAL_VIEW) -> Referral:
    """One referral of the access's hub that the access may take `action` on; Http404 for any other (a referral of
    another hub, or one outside the reader's scope, is no referral at all)."""
    referral = (
        referrals_visible_to(access, action)
        .filter(pk=referral_id)
        .select_related("household", "assigned_to")  # the page names who has it
        .prefetch_related("persons")
        .first()
    )
    if referral is None:
        raise Http404(gettext("No such referral"))
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
        raise Http404(gettext("No such referral"))
    return referral


def subject_of(referral: Referral) -> Person | None:
    """The referral's subject, from its prefetched people when they are (referral_for prefetches them)."""
    return next((p for p in referral.persons.all() if p.role == PersonRole.SUBJECT), None)


def matches_of(referral: Referral) -> tuple[list, list[Referral]]:
    """The referral's suggested and answered matches (matches first, then possible ones, the best scored first, each
    with the earlier referral), and the other referrals of this person (`same_person_referrals`). Two queries."""
    matches = _matches_of(referral.pk)
    matches.sort(key=lambda m: (m.verdict != "match", -m.score))  # stable: the newest earlier record first
    return matches, same_person_referrals(referral)


def same_person_referrals(referral: Referral) -> list[Referral]:
    """The other referrals of this referral's subject, newest first: those whose *subject* is a record of the
    subject's index person (joined by same-person links only; a sibling or parent named there brings nothing). Read
    afresh each time, so an undone link separates them again. One query (none without a subject)."""
    subject = subject_of(referral)
    if subject is None or subject.index_person_id is None:
        return []
    return _same_person_referrals(subject.index_person_id, referral.pk)


_same_person_referrals = Prepared(
    lambda index_person_id, referral_id: (
        Referral.objects.filter(persons__index_person_id=index_person_id, persons__role=PersonRole.SUBJECT)
        .exclude(pk=referral_id)
        .distinct()
        .order_by("-received_at")
    ),
    Person._meta.get_field("index_person"),
    Referral._meta.pk,
)


RELATED_KINDS = (LinkKind.SIBLING, LinkKind.PARENT_CARER, LinkKind.HOUSEHOLD)


def _links(subject_id, index_person_id, hub_id) -> QuerySet[PersonLink]:
    touches = Q(person_id=subject_id) | Q(other_id=subject_id)
    if index_person_id:
        touches |= Q(person__index_person_id=index_person_id) | Q(other__index_person_id=index_person_id)
    return (
        PersonLink.objects.filter(touches, hub_id=hub_id)
        .select_related("person__referral", "other__referral", "decided_by", "undone_by")
        .order_by("-decided_at")
    )


def links_of(referral: Referral) -> QuerySet[PersonLink]:
    """Every link, active or undone, touching the referral's subject or a record of the subject's index person, with
    both records, their referrals and who decided and undid; the newest first."""
    subject = subject_of(referral)
    if subject is None:
        return PersonLink.objects.none()
    return _links(subject.pk, subject.index_person_id, referral.hub_id)


# `links_of` for the referral page, written once per process (mash/prepared.py): one query for each of its two shapes.
_LINK_FIELDS = (PersonLink._meta.get_field("person"), PersonLink._meta.get_field("hub"))
_links_of_record = Prepared(lambda subject_id, hub_id: _links(subject_id, None, hub_id), *_LINK_FIELDS)
_links_of_person = Prepared(
    lambda subject_id, hub_id, index_person_id: _links(subject_id, index_person_id, hub_id),
    *_LINK_FIELDS,
    Person._meta.get_field("index_person"),
)


def link_seen_from(link: PersonLink, subject: Person | None) -> PersonLink:
    """Set `far` (the record on the other side from the subject, or from a record of the subject's index person)
    and `far_is` (what that record is to the subject). A link reads "other is person's <kind>": a parent seen from
    the child's side is the parent, the child seen from the parent's side is the one cared for."""
    if subject and subject.pk in (link.person.pk, link.other.pk):
        near = link.person.pk == subject.pk
    else:
        mine = subject.index_person_id if subject else None
        near = mine is not None and link.person.index_person_id == mine
    link.far = link.other if near else link.person
    reverse = not near and link.kind == LinkKind.PARENT_CARER
    link.far_is = gettext("Child or person cared for") if reverse else link.get_kind_display()
    return link


def links_panel(referral: Referral) -> dict:
    """What the referral page shows of the person index, in one query: the links of the subject (each with `far`,
    the record on the other side) — active ones and undone ones as history — and the related people (siblings,
    parents or carers, household members: the household view, never the chronology)."""
    subject = subject_of(referral)
    if subject is None:
        links = []
    elif subject.index_person_id:
        links = _links_of_person(subject.pk, referral.hub_id, subject.index_person_id)
    else:
        links = _links_of_record(subject.pk, referral.hub_id)
    for link in links:
        link_seen_from(link, subject)
    active = [link for link in links if link.is_active]
    return {
        "links": active,
        "undone_links": [link for link in links if not link.is_active],
        "related": [link for link in active if link.kind in RELATED_KINDS],
    }


def red_sibling_exists():
    """True where another child of the referral's household is rated Red: for a queryset's annotation."""
    return Exists(
        Referral.objects.filter(household_id=OuterRef("household_id"), rating=Rating.RED).exclude(pk=OuterRef("pk"))
    )


def household_red_sibling(referral: Referral) -> bool:
    """Whether another child of the referral's household is rated Red (no query when it has no household)."""
    if referral.household_id is None:
        return False
    return (
        Referral.objects.filter(household_id=referral.household_id, rating=Rating.RED).exclude(pk=referral.pk).exists()
    )


# The household page's order: a Red child first, then Amber, Green, Blue, and those not rated yet.
RATING_ORDER = {Rating.RED: 0, Rating.AMBER: 1, Rating.GREEN: 2, Rating.BLUE: 3, "": 4}
CHILDREN = (PersonRole.SUBJECT, PersonRole.SIBLING)  # a sibling's record is another child's: shown as that child


def household_for(access, household_id) -> dict:
    """The household page: the household of the access's hub, each child's referral the reader may see (with its
    subject, the Red ones first), and the adults and regular visitors once, with their relationship to each child
    (records joined by same-person links are one person). Http404 when the household is another hub's or the reader
    may see none of its referrals (an agency's officer). Two queries."""
    household = Household.objects.filter(pk=household_id, hub_id=access.hub.pk).first()
    referrals = []
    if household is not None:
        referrals = list(
            referrals_visible_to(access, Action.REFERRAL_VIEW)
            .filter(household=household)
            .select_related("assigned_to")
            .prefetch_related("persons")
            .order_by("received_at", "reference")
        )
    if not referrals:
        raise Http404(gettext("No such household"))
    referrals.sort(key=lambda r: RATING_ORDER.get(r.rating, 4))
    children, adults = [], {}
    for referral in referrals:
        subject = next((p for p in referral.persons.all() if p.role == PersonRole.SUBJECT), None)
        children.append({"referral": referral, "subject": subject})
        for person in referral.persons.all():
            if person.role in CHILDREN:
                continue
            adult = adults.setdefault(person.index_person_id or person.pk, {"person": person, "to": {}})
            adult["to"][referral.pk] = person.get_role_display()
    rows = [
        {**adult, "relationships": [adult["to"].get(c["referral"].pk, gettext("Not named")) for c in children]}
        for adult in adults.values()
    ]
    return {"household": household, "children": children, "adults": rows,
            "red": any(r.rating == Rating.RED for r in referrals)}  # fmt: skip


UNRATED = "none"  # the queue's filter value for referrals not yet rated (a rating of "")


# The triage queue's columns: a row's reference, rating, time left, subject, status and who has it (the page's
# query count, tests/test_query_counts.py, fails if the page reads a column left out).
QUEUE_COLUMNS = (
    "hub_id", "reference", "status", "received_at", "immediate_risk", "rating", "due_at", "household_id",
    "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
)  # fmt: skip


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
    # A child whose sibling is rated Red sorts with the Red ones: by the earlier of its own due time and its open
    # Red siblings' (both in the page's one query).
    red_due = Subquery(
        Referral.objects.filter(household_id=OuterRef("household_id"), rating=Rating.RED, due_at__isnull=False)
        .exclude(status=ReferralStatus.CLOSED)
        .exclude(pk=OuterRef("pk"))
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return (
        referrals.select_related("assigned_to")
        .only(*QUEUE_COLUMNS)  # what a row shows: 10 of the referral's 31 columns
        .annotate(sibling_red=red_sibling_exists(), red_due=red_due, subject_name=subject_name())
        .annotate(sort_due=Least(Coalesce("due_at", "red_due"), Coalesce("red_due", "due_at")))
        .order_by("-immediate_risk", F("sort_due").asc(nulls_last=True), "received_at", "reference")
    )


def subject_name():
    """The referral's subject's "<given> <family>" for a queryset's annotation (None without a subject): the row's
    name in the same query (`Person.name_from` makes it the name a page shows)."""
    return Subquery(
        Person.objects.filter(referral_id=OuterRef("pk"), role=PersonRole.SUBJECT)
        .order_by("pk")
        .annotate(name=Concat("given_name", Value(" "), "family_name", output_field=CharField()))
        .values("name")[:1]
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


# The referral page's reads of one referral, written once per process (docs/adr/0025).
_deadlines_of = Prepared(
    lambda referral_id: (
        Deadline.objects.filter(referral_id=referral_id).select_related(*DEADLINE_OWNERS).order_by("due_at")
    ),
    Deadline._meta.get_field("referral"),
)
_matches_of = Prepared(
    lambda referral_id: SubjectMatch.objects.filter(referral_id=referral_id).select_related(
        "candidate__referral", "decided_by"
    ),
    SubjectMatch._meta.get_field("referral"),
)
_screenings_of = Prepared(
    lambda referral_id: (
        Screening.objects.filter(referral_id=referral_id).select_related("by", "threshold_version").order_by("at")
    ),
    Screening._meta.get_field("referral"),
)


def referral_triage(referral: Referral) -> dict:
    """What the referral page shows of triage: its deadlines (earliest first), its screenings with who made them
    and the name of each one's level, and the current level's name."""
    deadline_rows = _deadlines_of(referral.pk)
    screenings = []
    if referral.rating:  # only a screening sets a rating: an unrated referral has none to fetch
        screenings = _screenings_of(referral.pk)
    for row in [*deadline_rows, *screenings]:
        row.referral = referral  # as `referral.deadlines` would give them
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
    defaults = plain([DEFAULT_LEVELS[cohort]] if cohort else list(DEFAULT_LEVELS.values()))
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
    return version or ThresholdVersion(
        hub=hub, cohort=cohort, number=1, levels=default_levels(hub.procedures, cohort), note=gettext("Defaults")
    )
