"""Subject matching: is this referral's subject someone the hub already knows? The worker (referrals/tasks.py) runs
`subject_matches_find` once the referral commits, and beat's sweep runs it for any referral still unmatched.

Candidates are the hub's records from earlier referrals (any role) that share a blocking key with the subject
(`PersonKey`, referrals/person_blocking.py): an index lookup on (hub, key), never a scan of the hub's people, capped
at MAX_CANDIDATES records, those sharing most keys first and then the most recent. Records of the subject's own index
person, and of anyone linked to it already (any kind of link: same person, sibling, not related…), are left out.
Each candidate is scored (referrals/person_match.py); an index person is suggested once, by its best-scoring record,
when the verdict is "match" or "possible", with the scorer's reasons in words. A practitioner confirms or rejects
each suggestion (docs/adr/0011-person-match-scoring.md)."""

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from agencies.access import access_for
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import MatchConfirmed, MatchRejected
from audit.services import record
from referrals import people_index
from referrals.models import (
    LinkKind,
    MatchState,
    Person,
    PersonKey,
    PersonLink,
    PersonRole,
    Referral,
    ReferralCohort,
    SubjectMatch,
)
from referrals.person_blocking import blocking_keys
from referrals.person_match import score

RE_REFERRAL_WITHIN = timedelta(days=365)
# The most candidate records read and scored for one subject: those sharing most blocking keys, then the newest.
MAX_CANDIDATES = 200
# The sweep matches referrals still unmatched this long after they were received and recorded (their task was lost).
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 200
# What scoring reads of a candidate record.
PERSON_FIELDS = (
    "id", "referral_id", "index_person_id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number",
    "address",
)  # fmt: skip


def name_key(family_name: str, given_name: str) -> str:
    """Letters only, case-folded: 'O'Brien-Smith, Zoë' and 'obriensmith zoë' are the same name."""
    letters = lambda text: re.sub(r"[\W\d_]+", "", text.casefold())  # noqa: E731
    return f"{letters(family_name)}|{letters(given_name)}"


def _left_out(referral: Referral, subject: Person) -> list:
    """The records never offered: the referral's own, and those of the subject's index person and of every index
    person with an active link of any kind to it (same person, sibling, not related…)."""
    people = {subject.index_person_id} - {None}
    if people:
        pairs = PersonLink.objects.filter(
            Q(person__index_person_id=subject.index_person_id) | Q(other__index_person_id=subject.index_person_id),
            undone_at__isnull=True,
        ).values_list("person__index_person_id", "other__index_person_id")
        people |= {i for pair in pairs for i in pair if i is not None}
    return list(Person.objects.filter(Q(referral_id=referral.pk) | Q(index_person_id__in=people)).values_list("pk"))


def candidates_query(referral: Referral, subject: Person) -> QuerySet[Person] | None:
    """The hub's records in earlier referrals sharing a blocking key with the subject (PersonKey stores keys cut to
    120 characters): ranked on the (hub, key) index alone, the most keys shared first and then the most recently
    written, at most MAX_CANDIDATES, and only those records read. None when the subject has no key at all."""
    keys = sorted({key[:120] for key in blocking_keys(people_index.person_record(subject))})
    if not keys:
        return None
    ranked = (
        PersonKey.objects.filter(hub_id=referral.hub_id, key__in=keys)
        .exclude(person_id__in=[pk for (pk,) in _left_out(referral, subject)])
        .values("person_id")
        .annotate(shared=Count("id"), newest=Max("id"))
        .order_by("-shared", "-newest")
        .values("person_id")[:MAX_CANDIDATES]
    )
    return (
        Person.objects.filter(
            pk__in=ranked, referral__hub_id=referral.hub_id, referral__received_at__lt=referral.received_at
        )
        .only(*PERSON_FIELDS)
        .order_by()
    )


@transaction.atomic
def subject_matches_find(*, referral_id) -> list[SubjectMatch]:
    """Suggest each index person of the hub who may be this referral's subject, scored, and mark the referral
    matched. Run again (a retried task, the sweep, an amended subject) it updates the suggestions still to check,
    removes those no longer found, and never touches an answered one."""
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    subject = referral.persons.get(role=PersonRole.SUBJECT)
    subject_record = people_index.person_record(subject)
    best: dict = {}  # index person (or the record itself, if it has none) -> (score, candidate)
    for candidate in candidates_query(referral, subject) or []:
        result = score(subject_record, people_index.person_record(candidate))
        if result.verdict is None:
            continue
        who = candidate.index_person_id or candidate.pk
        if who not in best or result.score > best[who][0].score:
            best[who] = (result, candidate)
    existing = list(
        SubjectMatch.objects.filter(referral=referral).select_related("candidate").only(
            "id", "state", "candidate_id", "candidate__index_person_id", "score", "verdict", "reasons"
        )
    )  # fmt: skip
    answered = {m.candidate.index_person_id or m.candidate_id for m in existing if m.state != MatchState.SUGGESTED}
    answered |= {m.candidate_id for m in existing if m.state != MatchState.SUGGESTED}
    open_by_who = {
        m.candidate.index_person_id or m.candidate_id: m for m in existing if m.state == MatchState.SUGGESTED
    }
    new, changed = [], []
    for who, (result, candidate) in best.items():
        if who in answered or candidate.pk in answered:
            continue
        fields = {"score": result.score, "verdict": result.verdict, "reasons": list(result.reasons)}
        if (match := open_by_who.pop(who, None)) is not None:
            match.candidate_id = candidate.pk
            for name, value in fields.items():
                setattr(match, name, value)
            changed.append(match)
        else:
            new.append(SubjectMatch(referral=referral, candidate=candidate, **fields))
    if open_by_who:
        SubjectMatch.objects.filter(pk__in=[m.pk for m in open_by_who.values()]).delete()
    SubjectMatch.objects.bulk_update(changed, ["candidate", "score", "verdict", "reasons"])
    created = SubjectMatch.objects.bulk_create(new, ignore_conflicts=True)
    Referral.objects.filter(pk=referral.pk).update(matched_at=timezone.now())
    return changed + created


def matching_sweep(*, now=None) -> int:
    """Match the referrals left unmatched more than SWEEP_AFTER after they were received and recorded (a task lost
    with the broker or a worker); beat runs it every minute. Returns how many were matched."""
    before = (now or timezone.now()) - SWEEP_AFTER
    waiting = list(
        Referral.objects.filter(matched_at__isnull=True, received_at__lt=before, created_at__lt=before)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for referral_id in waiting:
        subject_matches_find(referral_id=referral_id)
    return len(waiting)


def is_re_referral(referral: Referral, earlier: list[Referral]) -> bool:
    """A child's referral within twelve months of an earlier one for the same child."""
    return referral.cohort == ReferralCohort.CHILD and any(
        timedelta(0) <= referral.received_at - e.received_at <= RE_REFERRAL_WITHIN for e in earlier
    )


@transaction.atomic
def subject_match_decide(*, match: SubjectMatch, kind: str, by, reason: str, confirmed: bool = False) -> SubjectMatch:
    """Record a practitioner's answer, with why: the candidate is this referral's subject (`kind` same_person: the
    suggestion is confirmed), or their sibling, parent or carer, household member, or not related (rejected). Every
    answer is a link between the two records (people_index.link_create), "not related" too, so the suggestion does
    not come back. A same-person answer where the records differ needs `confirmed` (people_index.Unconfirmed)."""
    match = SubjectMatch.objects.select_for_update().select_related("referral", "candidate__referral").get(pk=match.pk)
    require(access_for(by, match.referral.hub_id), Action.MATCH_DECIDE, match.referral)
    same_person = kind == LinkKind.SAME_PERSON
    match.decide(same_person=same_person, by=by, at=timezone.now())
    subject = match.referral.persons.get(role=PersonRole.SUBJECT)
    link = people_index.link_create(person=subject, other=match.candidate, kind=kind, by=by, reason=reason,
                                    match=match, confirmed=confirmed)  # fmt: skip
    earlier = match.candidate.referral
    rejected = MatchRejected(candidate_referral_id=str(earlier.pk), reasons=match.reasons)
    if same_person:
        action, payload = (
            AuditAction.SUBJECT_MATCH_CONFIRMED,
            MatchConfirmed(
                **rejected,
                re_referral=is_re_referral(match.referral, [earlier]),
                days_since_earlier=(match.referral.received_at - earlier.received_at).days,
                link_id=str(link.pk),
            ),
        )
    else:
        action, payload = AuditAction.SUBJECT_MATCH_REJECTED, rejected
    record(action, hub=match.referral.hub, obj=match.referral, payload=payload)
    return match
