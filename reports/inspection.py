"""Ofsted inspection lists (Annex A) of the hub's child referrals received in a date range, for its accountable
manager: list 1, contacts (everything the hub received about a child), and list 3, referrals (the contacts that were
screened, so went on beyond contact). A few queries whatever the number of rows; personal data, so the views that
export them are manager-only and audited.

A child is the referral's subject; the child id is that person's id. Dates are local (Europe/London) dates of the
time received; an age is in whole years on that date, from the date of birth, or the estimated age given with the
referral where there is none."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from decisions.models import ChildOutcome
from referrals.matching import is_re_referral
from referrals.models import MatchState, Person, PersonRole, Referral, ReferralCohort, SubjectMatch

CHILD_COLUMNS = ["Child ID", "Gender", "Ethnicity", "Date of birth", "Age"]
CONTACT_COLUMNS = [*CHILD_COLUMNS, "Date of contact", "Contact source"]
REFERRAL_COLUMNS = [
    *CHILD_COLUMNS,
    "Referral date",
    "Referral source",
    "Referral NFA",
    "Number of referrals in last 12 months",
    "Allocated team",
    "Allocated worker",
]


def age_on(date_of_birth: date | None, estimated_age: int | None, day: date) -> int | None:
    """Whole years on `day`; the estimated age (given when the referral was received) where there is no birth date."""
    if date_of_birth is None:
        return estimated_age
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


@dataclass(frozen=True)
class _Row:
    referral_id: UUID
    child_id: UUID | None
    gender: str
    ethnicity: str
    date_of_birth: date | None
    age: int | None
    day: date  # the date of contact or referral
    source: str  # the Children in Need referral-source code

    def _child_cells(self) -> list:
        dob = self.date_of_birth.isoformat() if self.date_of_birth else ""
        return [self.child_id or "", self.gender, self.ethnicity, dob, "" if self.age is None else self.age]


@dataclass(frozen=True)
class ContactRow(_Row):
    def cells(self) -> list:
        return [*self._child_cells(), self.day.isoformat(), self.source]


@dataclass(frozen=True)
class ReferralRow(_Row):
    nfa: str  # "Yes", "No", or "" while undecided
    earlier_referrals: int
    team: str
    worker: str

    def cells(self) -> list:
        return [
            *self._child_cells(),
            self.day.isoformat(),
            self.source,
            self.nfa,
            self.earlier_referrals,
            self.team,
            self.worker,
        ]


def _child_referrals(hub, since: date, until: date) -> QuerySet[Referral]:
    """The hub's child referrals received from the start of `since` to the end of `until` (local dates), oldest
    first, each with its subject prefetched as `subjects`."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time(), zone)
    end = datetime.combine(until + timedelta(days=1), time(), zone)
    subjects = Person.objects.filter(role=PersonRole.SUBJECT).only(
        "id", "referral_id", "date_of_birth", "estimated_age", "gender", "ethnicity"
    )
    return (
        Referral.objects.filter(hub=hub, cohort=ReferralCohort.CHILD, received_at__gte=start, received_at__lt=end)
        .prefetch_related(Prefetch("persons", queryset=subjects, to_attr="subjects"))
        .order_by("received_at", "reference")
    )


def _child_fields(referral: Referral) -> dict:
    day = timezone.localdate(referral.received_at)
    # Every referral is stored with its subject; a blank person stands in should one ever be missing.
    child = referral.subjects[0] if referral.subjects else Person(id=None)
    return {
        "referral_id": referral.pk,
        "child_id": child.pk,
        "gender": child.gender,
        "ethnicity": child.ethnicity,
        "date_of_birth": child.date_of_birth,
        "age": age_on(child.date_of_birth, child.estimated_age, day),
        "day": day,
        "source": referral.source_code,
    }


def contacts(hub, since: date, until: date) -> list[ContactRow]:
    """List 1: every child referral received in the range. Two queries: the referrals, their subjects."""
    return [ContactRow(**_child_fields(r)) for r in _child_referrals(hub, since, until)]


def _nfa(outcome: str) -> str:
    if not outcome:
        return ""
    return "Yes" if outcome == ChildOutcome.NFA else "No"


def _earlier_referrals(referral: Referral) -> int:
    """How many earlier referrals of the hub had this child as their subject (by a confirmed match, not undone) in the twelve
    months before this one (`is_re_referral`'s window)."""
    earlier = {m.candidate.referral_id: m.candidate.referral for m in referral.confirmed_matches}
    return sum(1 for e in earlier.values() if is_re_referral(referral, [e]))


def referrals(hub, since: date, until: date) -> list[ReferralRow]:
    """List 3: the child referrals received in the range that were screened (have a rating). Three queries: the
    referrals with their allocated worker, their subjects, and the confirmed matches of their subjects to the
    subjects of earlier referrals (with those referrals' cohort and time received)."""
    confirmed = (
        SubjectMatch.objects.filter(state=MatchState.CONFIRMED, candidate__role=PersonRole.SUBJECT)
        .exclude(links__kind="same_person", links__undone_at__isnull=False)  # the link was undone: not this child
        .select_related("candidate__referral")
        .only("referral_id", "candidate__referral__cohort", "candidate__referral__received_at")
    )
    screened = (
        _child_referrals(hub, since, until)
        .exclude(rating="")
        .select_related("assigned_to")
        .prefetch_related(Prefetch("matches", queryset=confirmed, to_attr="confirmed_matches"))
    )
    rows = []
    for referral in screened:
        worker = referral.assigned_to
        rows.append(
            ReferralRow(
                **_child_fields(referral),
                nfa=_nfa(referral.outcome),
                earlier_referrals=_earlier_referrals(referral),
                team=hub.name,
                worker=(worker.get_full_name() or worker.username) if worker else "",
            )
        )
    return rows
