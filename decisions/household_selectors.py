"""Reads of a household's part in the multi-agency work, scoped by the one policy like the rest of
decisions/selectors.py:

- an agency's officer sees a household's requests to their agency as one item, naming every person once;
- the decision pages show the siblings' decisions side by side.
"""

from django.db.models import Prefetch
from django.utils.translation import ngettext

from agencies.policy import Action, scoped
from decisions.models import Decision, DecisionState, InformationRequest, RequestState
from referrals.models import Person, PersonRole, Referral

CHILD_ROLES = (PersonRole.SUBJECT, PersonRole.SIBLING)


def _people(persons) -> tuple[list, list]:
    """The household's children (each child's own record, one each) and its adults and regular visitors, each
    person once: records joined by same-person links are one person."""
    children = {p.index_person_id or p.pk: p for p in persons if p.role == PersonRole.SUBJECT}
    adults = {}
    for p in persons:
        if p.role not in CHILD_ROLES:
            adults.setdefault(p.index_person_id or p.pk, p)
    return list(children.values()), list(adults.values())


def household_summaries(access, rows) -> dict:
    """For the officer's queue: each household among `rows` (requests) and what the agency checks, "3 children,
    2 adults", counting only the referrals the reader's agencies were asked about. One query, none without a
    household."""
    ids = {r.household_id for r in rows if r.household_id}
    if not ids:
        return {}
    asked = scoped(access, Action.REQUEST_LIST, InformationRequest.objects.filter(household_id__in=ids))
    asked = asked.exclude(state=RequestState.CANCELLED).values("referral_id")
    persons = (
        Person.objects.filter(referral_id__in=asked)
        .select_related("referral")
        .only("pk", "role", "index_person_id", "referral__household_id")
    )
    by_household: dict = {}
    for person in persons:
        by_household.setdefault(person.referral.household_id, []).append(person)
    summaries = {}
    for household_id, people in by_household.items():
        summaries[household_id] = _summary(*_people(people))
    return summaries


def _summary(children: list, adults: list) -> str:
    """ "3 children, 2 adults"."""
    children_words = ngettext("%(n)s child", "%(n)s children", len(children)) % {"n": len(children)}
    adults_words = ngettext("%(n)s adult", "%(n)s adults", len(adults)) % {"n": len(adults)}
    return f"{children_words}, {adults_words}"


def household_group(access, info_request: InformationRequest) -> dict:
    """For the officer's page of a household's request: the household's requests to the same agency that the reader
    may see (one per child), and every person to check once, the children first. Two queries."""
    requests = list(
        scoped(access, Action.REQUEST_VIEW, InformationRequest.objects.exclude(state=RequestState.CANCELLED))
        .filter(household_id=info_request.household_id, agency_id=info_request.agency_id)
        .select_related("referral", "deadline", "household")
        .prefetch_related("referral__persons")
        .order_by("referral__received_at", "referral__reference")
    )
    persons = [p for r in requests for p in r.referral.persons.all()]
    children, adults = _people(persons)
    return {"group": requests, "household": requests[0].household if requests else None,
            "summary": _summary(children, adults),
            "persons": children + sorted(adults, key=lambda p: (p.family_name, p.given_name))}  # fmt: skip


def siblings_decisions(referral: Referral) -> list[dict]:
    """The decision pages' "Siblings in this household": each other child's referral with its subject, rating,
    status and latest decision (outcome, state, the rationale's first line). No query without a household, three
    with one (the siblings, their subjects, their decisions)."""
    if referral.household_id is None:
        return []
    decisions = Decision.objects.exclude(state__in=[DecisionState.RETURNED, DecisionState.SUPERSEDED]).order_by(
        "-version"
    )
    siblings = (
        Referral.objects.filter(household_id=referral.household_id)
        .exclude(pk=referral.pk)
        .prefetch_related(
            Prefetch("persons", queryset=Person.objects.filter(role=PersonRole.SUBJECT), to_attr="subjects"),
            Prefetch("decisions", queryset=decisions, to_attr="current_decisions"),
        )
        .order_by("received_at", "reference")
    )
    rows = []
    for sibling in siblings:
        decision = sibling.current_decisions[0] if sibling.current_decisions else None
        sibling.hub = referral.hub  # a household is one hub's: its procedures name the outcomes, with no query
        if decision is not None:
            decision.referral = sibling  # its outcome's words need the cohort: no query per row
        rows.append({
            "referral": sibling,
            "subject": sibling.subjects[0] if sibling.subjects else None,
            "decision": decision,
            "rationale": decision.rationale.strip().splitlines()[0] if decision and decision.rationale.strip() else "",
        })  # fmt: skip
    return rows
