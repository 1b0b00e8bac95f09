"""Reads of the multi-agency part, each scoped to what the reader may see.

- Hub staff (practitioners, the manager, the deputy) see every request, the *shared* contributions (shared from the
  start, or restricted and released with consent) and the decisions.
- Whoever acts as manager also sees restricted contributions.
- An agency officer sees only their own agency's requests and contributions, and the subject details a live
  request needs; nothing at all while their agency lacks a current signed information sharing agreement.
"""

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from agencies.models import Role
from agencies.permissions import acts_as_manager
from agencies.selectors import missing_agreement_message
from decisions.models import (
    AgreedAction,
    Contribution,
    Decision,
    DecisionState,
    Disclosure,
    InformationRequest,
    RequestState,
)
from decisions.permissions import HUB_STAFF, officer_agencies, roles_in
from decisions.services import missing_core_agencies
from referrals.models import Person, PersonRole, Referral
from referrals.selectors import matches_of, referral_triage


def contributions_visible_to(user, hub, referral_ids) -> QuerySet[Contribution]:
    roles = roles_in(user, hub)
    contributions = Contribution.objects.filter(referral_id__in=referral_ids).select_related("agency")
    if acts_as_manager(user, hub):
        return contributions
    scope = Q(pk__in=[])
    if roles & HUB_STAFF:
        scope |= Q(disclosure=Disclosure.SHARED) | Q(released_at__isnull=False)
    if Role.AGENCY_OFFICER in roles:
        scope |= Q(agency_id__in=officer_agencies(user, hub))
    return contributions.filter(scope)


def referral_sharing(user, hub, referral: Referral) -> dict:
    """The referral page's multi-agency section for a member of hub staff: requests, the contributions they may
    see with their disclosure log, the core agencies still to answer, overrides, and every decision version."""
    requests = list(
        referral.information_requests.exclude(state=RequestState.CANCELLED).select_related("agency", "deadline")
    )
    contributions = list(contributions_visible_to(user, hub, [referral.pk]).prefetch_related("disclosures"))
    hidden = referral.contributions.count() - len(contributions)
    decisions = list(
        referral.decisions.select_related("proposed_by", "reviewed_by")
        .prefetch_related("participants", Prefetch("actions", queryset=AgreedAction.objects.select_related("owner")))
        .order_by("-version")
    )
    return {
        "requests": requests,
        "contributions": contributions,
        "restricted_hidden": hidden,
        "missing_core": missing_core_agencies(referral),
        "overrides": list(referral.gate_overrides.select_related("by").prefetch_related("missing_agencies")),
        "decisions": decisions,
        "proposed": next((d for d in decisions if d.state == DecisionState.PROPOSED), None),
        "signed": next((d for d in decisions if d.state == DecisionState.SIGNED), None),
        "returned": next((d for d in decisions if d.state == DecisionState.RETURNED), None),
    }


def agreement_problems(user, hub) -> dict:
    """For each agency the user is an officer of in the hub: the missing-agreement message, or None."""
    from agencies.models import Agency

    return {a: missing_agreement_message(a, hub) for a in Agency.objects.filter(pk__in=officer_agencies(user, hub))}


def agreement_split(user, hub) -> tuple[list, dict]:
    """The user's agencies in the hub that may see case data, and the missing-agreement message of each that may
    not."""
    checked = agreement_problems(user, hub)
    return [a for a, problem in checked.items() if problem is None], {a: p for a, p in checked.items() if p}


def officer_requests(hub, allowed_agencies: list) -> QuerySet[InformationRequest]:
    """The requests in the hub to the agencies given (the reader's, with a current agreement: see
    `agreement_problems`): open ones first, by due time, then answered ones, newest first. Subjects prefetched."""
    allowed = [getattr(a, "pk", a) for a in allowed_agencies]
    subjects = Prefetch(
        "referral__persons", queryset=Person.objects.filter(role=PersonRole.SUBJECT), to_attr="subjects"
    )
    return (
        InformationRequest.objects.filter(referral__hub=hub, agency_id__in=allowed)
        .exclude(state=RequestState.CANCELLED)
        .select_related("referral", "agency", "deadline")
        .prefetch_related(subjects)
        .order_by(
            # "answered" sorts before "open" as text: rank the open ones first, by due time; the answered ones have
            # no due time here and fall to the newest first.
            Case(When(state=RequestState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
            Case(When(state=RequestState.OPEN, then=F("deadline__due_at"))).asc(nulls_last=True),
            "-requested_at",
        )
    )


def officer_request(user, hub, request_id) -> InformationRequest:
    """One live request to one of the user's agencies; 404 for anything else (the gate is the caller's check)."""
    request = (
        InformationRequest.objects.filter(pk=request_id, referral__hub=hub, agency_id__in=officer_agencies(user, hub))
        .exclude(state=RequestState.CANCELLED)
        .select_related("referral", "agency", "deadline")
        .first()
    )
    if request is None:
        raise Http404("No such request")
    return request


def sign_off_queue(hub) -> QuerySet[Decision]:
    """Decisions of the hub awaiting sign-off, oldest proposal first."""
    return (
        Decision.objects.filter(referral__hub=hub, state=DecisionState.PROPOSED)
        .select_related("referral", "proposed_by")
        .order_by("proposed_at")
    )


def chronology(user, hub, referral: Referral) -> list[dict]:
    """One timeline for the referral's subject across the hub's referrals of them (this one and the earlier ones
    confirmed to be the same person): receipt, screenings, contributions the reader may see, decisions and actions,
    oldest first."""
    _, earlier = matches_of(referral)
    referrals = [referral, *earlier]
    ids = [r.pk for r in referrals]
    by_id = {r.pk: r for r in referrals}
    entries = [{"at": r.received_at, "referral": r, "kind": "Referral received", "text": r.get_source_code_display()}
               for r in referrals]  # fmt: skip
    for r in referrals:
        for s in referral_triage(r)["screenings"]:
            text = f"{s.get_rating_display()}, {s.level}" + (f": {s.rationale}" if s.kind == "re_rating" else "")
            entries.append({"at": s.at, "referral": r, "kind": s.get_kind_display(), "text": text})
    for c in contributions_visible_to(user, hub, ids):
        text = "No trace" if c.no_trace else c.summary
        entries.append({"at": c.contributed_at, "referral": by_id[c.referral_id], "kind": f"{c.agency}", "text": text})
    for d in Decision.objects.filter(referral_id__in=ids).exclude(state=DecisionState.RETURNED):
        r = by_id[d.referral_id]
        entries.append({"at": d.proposed_at, "referral": r, "kind": f"Decision v{d.version} proposed",
                        "text": d.outcome_label})  # fmt: skip
        if d.state in (DecisionState.SIGNED, DecisionState.SUPERSEDED) and d.reviewed_at:
            entries.append({"at": d.reviewed_at, "referral": r, "kind": f"Decision v{d.version} signed off",
                            "text": d.outcome_label})  # fmt: skip
    actions = AgreedAction.objects.filter(decision__referral_id__in=ids, decision__state=DecisionState.SIGNED)
    for a in actions.select_related("owner", "decision"):
        when = a.completed_at
        if when:
            entries.append({"at": when, "referral": by_id[a.decision.referral_id], "kind": f"Action done by {a.owner}",
                            "text": a.description})  # fmt: skip
    return sorted(entries, key=lambda e: e["at"])


# Reads scoped to an API client: its agency in its hub.


def requests_of_client(client) -> QuerySet[InformationRequest]:
    """The open requests to the client's agency in its hub, with the referral, deadline and the people to check
    (the subject first)."""
    people = Person.objects.order_by(
        Case(When(role=PersonRole.SUBJECT, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "family_name",
        "given_name",
    )
    return (
        InformationRequest.objects.filter(
            referral__hub_id=client.hub_id, agency_id=client.agency_id, state=RequestState.OPEN
        )
        .select_related("referral", "deadline")
        .prefetch_related(Prefetch("referral__persons", queryset=people))
    )


def request_of_client(client, referral_id) -> InformationRequest:
    """The live (open or answered) request to the client's agency about one referral of its hub; 404 otherwise."""
    request = (
        InformationRequest.objects.filter(
            referral_id=referral_id, referral__hub_id=client.hub_id, agency_id=client.agency_id
        )
        .exclude(state=RequestState.CANCELLED)
        .first()
    )
    if request is None:
        raise Http404("No such referral")
    return request
