"""Subject matching: is this referral's subject someone the hub already knows? Candidates come from earlier
referrals' people in the same hub — the same NHS number; the same name and date of birth; or the same family name at
the same postcode — and a practitioner confirms or rejects each one."""

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.access import access_for
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import MatchConfirmed, MatchRejected
from audit.services import record
from referrals import people_index
from referrals.models import LinkKind, Person, PersonRole, Referral, ReferralCohort, SubjectMatch

RE_REFERRAL_WITHIN = timedelta(days=365)
# The most recent earlier records offered for checking; a confirmed one links the subject's whole history.
MAX_CANDIDATES = 25


def name_key(family_name: str, given_name: str) -> str:
    """Letters only, case-folded: 'O'Brien-Smith, Zoë' and 'obriensmith zoë' are the same name."""
    letters = lambda text: re.sub(r"[\W\d_]+", "", text.casefold())  # noqa: E731
    return f"{letters(family_name)}|{letters(given_name)}"


def _reasons(subject: Person, candidate: Person) -> list[str]:
    reasons = []
    if subject.nhs_number and subject.nhs_number == candidate.nhs_number:
        reasons.append("nhs_number")
    if (
        subject.date_of_birth
        and subject.name_key == candidate.name_key
        and subject.date_of_birth == candidate.date_of_birth
    ):
        reasons.append("name_and_date_of_birth")
    same_family = subject.name_key.split("|")[0] == candidate.name_key.split("|")[0]
    if subject.postcode and subject.postcode == candidate.postcode and same_family:
        reasons.append("family_name_and_postcode")
    return reasons


@transaction.atomic
def subject_matches_find(*, referral_id) -> list[SubjectMatch]:
    """Suggest every earlier person of the hub who may be this referral's subject (run once the referral commits)."""
    referral = Referral.objects.select_related("hub").get(pk=referral_id)
    subject = referral.persons.get(role=PersonRole.SUBJECT)
    family = subject.name_key.split("|")[0]
    conditions = Q(pk__in=[])
    if subject.nhs_number:
        conditions |= Q(nhs_number=subject.nhs_number)
    if subject.date_of_birth:
        conditions |= Q(name_key=subject.name_key, date_of_birth=subject.date_of_birth)
    if subject.postcode and family:
        conditions |= Q(postcode=subject.postcode, name_key__startswith=f"{family}|")
    candidates = (
        Person.objects.filter(conditions, referral__hub=referral.hub, referral__received_at__lt=referral.received_at)
        .exclude(referral=referral)
        .select_related("referral")
        .order_by("-referral__received_at")[:MAX_CANDIDATES]
    )
    matches = [
        SubjectMatch(referral=referral, candidate=c, reasons=reasons)
        for c in candidates
        if (reasons := _reasons(subject, c))
    ]
    return SubjectMatch.objects.bulk_create(matches, ignore_conflicts=True)


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
