"""Ofsted inspection lists (Annex A) of the hub's child referrals, for its accountable manager: list 1, contacts
(everything the hub received about a child), list 3, referrals (the contacts that were screened, so went on beyond
contact), and list 5, section 47 enquiries (the children whose strategy discussion started one). A few queries
whatever the number of rows; personal data, so whatever exports them is manager-only and audited.

These are the rows as the hub holds them (gender and ethnicity as typed, the census source code); reports/annex_a.py
gives each list's columns, headings and Ofsted's coded values.

A child is the referral's subject; the child id is the person index's id for that child (one id however often the child
is referred, and split again if a same-person link is undone), or the record's own id before the index has it. Each child is a referral of their own (a
household contact is one referral per child), so one row per child. Dates are local (Europe/London) dates of the
time received; an age is in whole years on the row's date, from the date of birth, or the estimated age given with
the referral where there is none."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from decisions.models import ChildOutcome, StrategyDiscussion
from decisions.models.strategy import S47_DECISIONS
from referrals.matching import RE_REFERRAL_WITHIN, is_re_referral
from referrals.models import MatchState, Person, PersonRole, Referral, ReferralCohort, SubjectMatch


def age_on(date_of_birth: date | None, estimated_age: int | None, day: date) -> int | None:
    """Whole years on `day`; the estimated age (given when the referral was received) where there is no birth date."""
    if date_of_birth is None:
        return estimated_age
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


@dataclass(frozen=True)
class ContactRow:
    referral_id: UUID
    child_id: UUID | None
    gender: str  # as typed
    ethnicity: str  # as typed
    date_of_birth: date | None
    age: int | None
    day: date  # the date of contact, referral or s47 start
    source: str  # the Children in Need referral-source code


@dataclass(frozen=True)
class ReferralRow(ContactRow):
    nfa: bool | None  # None while undecided
    earlier_referrals: int
    team: str
    worker: str


@dataclass(frozen=True)
class S47Row(ContactRow):
    earlier_enquiries: int  # the child's s47 enquiries that started in the twelve months before this one
    team: str
    worker: str


def _child_referrals(hub) -> QuerySet[Referral]:
    """The hub's child referrals, each with its subject prefetched as `subjects`."""
    subjects = Person.objects.filter(role=PersonRole.SUBJECT).only(
        "id", "referral_id", "index_person_id", "date_of_birth", "estimated_age", "gender", "ethnicity"
    )
    return Referral.objects.filter(hub=hub, cohort=ReferralCohort.CHILD).prefetch_related(
        Prefetch("persons", queryset=subjects, to_attr="subjects")
    )


def _received_between(hub, since: date, until: date) -> QuerySet[Referral]:
    """The hub's child referrals received from the start of `since` to the end of `until` (local dates), oldest
    first."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time(), zone)
    end = datetime.combine(until + timedelta(days=1), time(), zone)
    return (
        _child_referrals(hub).filter(received_at__gte=start, received_at__lt=end).order_by("received_at", "reference")
    )


def _child_fields(referral: Referral, day: date | None = None) -> dict:
    day = day or timezone.localdate(referral.received_at)
    # Every referral is stored with its subject; a blank person stands in should one ever be missing.
    child = referral.subjects[0] if referral.subjects else Person(id=None)
    return {
        "referral_id": referral.pk,
        "child_id": child.index_person_id or child.pk,
        "gender": child.gender,
        "ethnicity": child.ethnicity,
        "date_of_birth": child.date_of_birth,
        "age": age_on(child.date_of_birth, child.estimated_age, day),
        "day": day,
        "source": referral.source_code,
    }


def _allocation(hub, referral: Referral) -> dict:
    worker = referral.assigned_to
    return {"team": hub.name, "worker": (worker.get_full_name() or worker.username) if worker else ""}


def contacts(hub, since: date, until: date) -> list[ContactRow]:
    """List 1: every child referral received in the range. Two queries: the referrals, their subjects."""
    return [ContactRow(**_child_fields(r)) for r in _received_between(hub, since, until)]


def _confirmed_matches() -> QuerySet[SubjectMatch]:
    """Confirmed matches of a referral's subject to the subject of an earlier referral (a link undone is not this
    child), with that referral's cohort and time received."""
    return (
        SubjectMatch.objects.filter(state=MatchState.CONFIRMED, candidate__role=PersonRole.SUBJECT)
        .exclude(links__kind="same_person", links__undone_at__isnull=False)
        .select_related("candidate__referral")
        .only("referral_id", "candidate__referral__cohort", "candidate__referral__received_at")
    )


def _earlier_referrals(referral: Referral) -> int:
    """How many earlier referrals of the hub had this child as their subject (by a confirmed match, not undone) in the
    twelve months before this one (`is_re_referral`'s window)."""
    earlier = {m.candidate.referral_id: m.candidate.referral for m in referral.confirmed_matches}
    return sum(1 for e in earlier.values() if is_re_referral(referral, [e]))


def referrals(hub, since: date, until: date) -> list[ReferralRow]:
    """List 3: the child referrals received in the range that were screened (have a rating). Three queries: the
    referrals with their allocated worker, their subjects, and the confirmed matches of their subjects to the
    subjects of earlier referrals (with those referrals' cohort and time received)."""
    screened = (
        _received_between(hub, since, until)
        .exclude(rating="")
        .select_related("assigned_to")
        .prefetch_related(Prefetch("matches", queryset=_confirmed_matches(), to_attr="confirmed_matches"))
    )
    return [
        ReferralRow(
            **_child_fields(referral),
            nfa=(referral.outcome == ChildOutcome.NFA) if referral.outcome else None,
            earlier_referrals=_earlier_referrals(referral),
            **_allocation(hub, referral),
        )
        for referral in screened
    ]


def _s47_start(referral: Referral) -> date | None:
    """When the referral's s47 enquiry started: as the latest strategy discussion that decided one recorded it (the
    handover package's rule)."""
    return referral.s47_discussions[0].s47_started_on if referral.s47_discussions else None


def s47_enquiries(hub, since: date, until: date) -> list[S47Row]:
    """List 5: the children whose section 47 enquiry started in the range (by the strategy discussion that recorded
    its start), oldest first. Five queries: the referrals with their allocated worker, their subjects, their s47
    discussions, the confirmed matches to earlier referrals, and those referrals' s47 discussions."""
    started = StrategyDiscussion.objects.filter(decision__in=S47_DECISIONS, s47_started_on__isnull=False).order_by(
        "-held_at"
    )
    s47 = started.only("id", "referral_id", "s47_started_on", "held_at")
    earlier = _confirmed_matches().prefetch_related(
        Prefetch("candidate__referral__strategy_discussions", queryset=s47, to_attr="s47_discussions")
    )
    enquired = (
        _child_referrals(hub)
        .filter(pk__in=started.filter(s47_started_on__gte=since, s47_started_on__lte=until).values("referral_id"))
        .select_related("assigned_to")
        .order_by("received_at", "reference")
        .prefetch_related(
            Prefetch("strategy_discussions", queryset=s47, to_attr="s47_discussions"),
            Prefetch("matches", queryset=earlier, to_attr="confirmed_matches"),
        )
    )
    rows = []
    for referral in enquired:
        start = _s47_start(referral)
        if start is None or not since <= start <= until:  # a later discussion moved the start out of the range
            continue
        before = {m.candidate.referral_id: _s47_start(m.candidate.referral) for m in referral.confirmed_matches}
        count = sum(1 for day in before.values() if day and timedelta(0) < start - day <= RE_REFERRAL_WITHIN)
        rows.append(S47Row(**_child_fields(referral, start), earlier_enquiries=count, **_allocation(hub, referral)))
    return sorted(rows, key=lambda row: row.day)  # stable: referrals received on the same day stay in that order
