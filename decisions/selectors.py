"""Reads of the multi-agency part, each scoped by the one policy (agencies/policy.py) to what the reader may see:

- the hub's staff (practitioners, the manager, the deputy) see every request, the *shared* contributions (shared
  from the start, or restricted and released with consent) and the decisions;
- whoever acts as manager also sees restricted contributions;
- an agency's officer or system sees only its own agency's requests and contributions, and the people a request
  names, until the hub's decision is signed off plus the hub's grace period; nothing at all while the agency lacks
  a current signed information sharing agreement.
"""

from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import agreement_problems
from agencies.policy import Action, may, require, scoped
from decisions.disclosure_log import consent_and_sharing_entries, consent_rows
from decisions.models import (
    AdultVoice,
    AgreedAction,
    Contribution,
    Decision,
    DecisionState,
    GateOverride,
    InformationRequest,
    RequestState,
    Webhook,
    WebhookDelivery,
)
from decisions.models.attachments import Attachment
from decisions.models.strategy import StrategyAction, StrategyDiscussion
from decisions.note_selectors import note_heading, notes_of_referrals
from decisions.services import missing_core_agencies
from mash.prepared import Prepared, rows_of
from referrals.models import Person, PersonRole, Referral
from referrals.selectors import level_names_of, referral_triage, same_person_referrals


def contributions_visible_to(access, referral_ids) -> QuerySet[Contribution]:
    """The contributions on these referrals of the access's hub that the reader may see."""
    rows = Contribution.objects.filter(referral_id__in=referral_ids).select_related("agency")
    return scoped(access, Action.CONTRIBUTION_VIEW, rows)


# The referral's rows that every member of the hub's staff sees, written once per process (mash/prepared.py).
_requests_of = rows_of(
    InformationRequest,
    "referral",
    lambda rows: rows.exclude(state=RequestState.CANCELLED).select_related("agency", "deadline"),
)
_answered_by = Prepared(
    lambda referral_id: Contribution.objects.filter(referral=referral_id).values_list("agency_id", flat=True),
    Contribution._meta.get_field("referral"),
)
_decisions_of = rows_of(
    Decision,
    "referral",
    lambda rows: (
        rows.select_related("proposed_by", "reviewed_by")
        .prefetch_related("participants", Prefetch("actions", queryset=AgreedAction.objects.select_related("owner")))
        .order_by("-version")
    ),
)
_overrides_of = rows_of(
    GateOverride, "referral", lambda rows: rows.select_related("by").prefetch_related("missing_agencies")
)


def referral_sharing(access, referral: Referral) -> dict:
    """The referral page's multi-agency section for a member of hub staff: requests, the contributions they may
    see with their disclosure log, the core agencies still to answer, overrides, and every decision version."""
    requests = _requests_of(referral)
    contributions = list(contributions_visible_to(access, [referral.pk]).prefetch_related("disclosures"))
    for contribution in contributions:
        contribution.referral = referral  # the policy asks each one's hub through it: no query per row
    answered = _answered_by(referral.pk)  # every one, seen or not
    hidden = len(answered) - len(contributions)
    decisions = _decisions_of(referral)
    overrides = _overrides_of(referral)
    names = level_names_of(referral, {d.threshold_level for d in decisions}) if decisions else {}
    for decision in decisions:
        decision.level_name = names[decision.threshold_level]  # the hub's name for it, not the code's words
    return {
        "requests": requests,
        "contributions": contributions,
        "restricted_hidden": hidden,
        "missing_core": missing_core_agencies(referral, answered=set(answered)),
        "overrides": overrides,
        "decisions": decisions,
        "proposed": next((d for d in decisions if d.state == DecisionState.PROPOSED), None),
        "signed": next((d for d in decisions if d.state == DecisionState.SIGNED), None),
        "returned": next((d for d in decisions if d.state == DecisionState.RETURNED), None),
    }


def agreement_problems_of(hub, agencies: list) -> dict:
    """Each agency and why it cannot see or answer a request yet (None where its agreement is current): one query."""
    problems = agreement_problems(hub, agencies, timezone.now())
    return {agency: problems[agency.pk] for agency in agencies}


def agreement_split(access) -> tuple[list, dict]:
    """The reader's agencies in the hub that may see case data, and the missing-agreement sentence of each that may
    not."""
    problems = access.agreement_problems()
    return [a for a, problem in problems.items() if problem is None], {a: p for a, p in problems.items() if p}


def officer_requests(access) -> QuerySet[InformationRequest]:
    """The hub's requests to the reader's agencies that they may see (a current agreement; until the grace period
    after the decision ends): open ones first, by due time, then answered ones, newest first. Subjects prefetched."""
    subjects = Prefetch(
        "referral__persons", queryset=Person.objects.filter(role=PersonRole.SUBJECT), to_attr="subjects"
    )
    live = InformationRequest.objects.exclude(state=RequestState.CANCELLED)
    # A household's requests to one agency are one item: the first of them stands for the others.
    first_of_household = scoped(access, Action.REQUEST_LIST, live).filter(
        household_id=OuterRef("household_id"), agency_id=OuterRef("agency_id")
    )
    first_of_household = Subquery(first_of_household.order_by("requested_at", "pk").values("pk")[:1])
    return (
        scoped(access, Action.REQUEST_LIST, live)
        .filter(Q(household__isnull=True) | Q(pk=first_of_household))
        .select_related("referral", "agency", "deadline", "household")
        .prefetch_related(subjects)
        .order_by(
            # "answered" sorts before "open" as text: rank the open ones first, by due time; the answered ones have
            # no due time here and fall to the newest first.
            Case(When(state=RequestState.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
            Case(When(state=RequestState.OPEN, then=F("deadline__due_at"))).asc(nulls_last=True),
            "-requested_at",
        )
    )


def officer_request(access, request_id) -> InformationRequest:
    """One request of the hub that the reader may see: Http404 outside their scope (another agency's, past the grace
    period), Refused with the missing agreement when their agency lacks one."""
    request = (
        InformationRequest.objects.filter(pk=request_id, referral__hub_id=access.hub.pk)
        .exclude(state=RequestState.CANCELLED)
        .select_related("referral", "agency", "deadline")
        .first()
    )
    if request is None:
        raise Http404("No such request")
    require(access, Action.REQUEST_VIEW, request)
    return request


def officer_actions(access, limit: int = 200) -> list[AgreedAction]:
    """The actions agreed for the reader's agencies (with a current agreement) in signed decisions, not yet done."""
    actions = AgreedAction.objects.filter(decision__state=DecisionState.SIGNED, completed_at=None)
    return list(
        scoped(access, Action.ACTION_LIST, actions)
        .select_related("decision__referral", "owner", "deadline")
        .order_by("due_on")[:limit]
    )


def officer_strategy_actions(access, limit: int = 200) -> list:
    """The actions strategy discussions agreed for the reader's agencies (with a current agreement), not yet done."""
    actions = StrategyAction.objects.filter(completed_at=None)
    return list(
        scoped(access, Action.STRATEGY_ACTION_LIST, actions)
        .select_related("discussion__referral", "owner", "deadline")
        .order_by("due_on")[:limit]
    )


SIGN_OFF_QUEUE_COLUMNS = (
    "referral_id", "version", "outcome", "proposed_by_id", "proposed_at",
    "referral__reference", "referral__cohort", "referral__rating", "referral__due_at",
    "proposed_by__first_name", "proposed_by__last_name", "proposed_by__username",
    "referral__hub__procedures",  # the outcome in the words of the hub's procedures (England's or Wales')
)  # fmt: skip


def sign_off_queue(access) -> QuerySet[Decision]:
    """Decisions of the hub awaiting sign-off, the referral with the most urgent deadline first (the earliest unmet
    due time, breached ones first of all), then the oldest proposal (the page is the acting manager's)."""
    return (
        Decision.objects.filter(hub_id=access.hub.pk, state=DecisionState.PROPOSED)  # on decision_hub_awaiting
        .select_related("referral__hub", "proposed_by")
        .only(*SIGN_OFF_QUEUE_COLUMNS)  # what a row shows: three whole models a row cost 12 % of the page
        .order_by(F("referral__due_at").asc(nulls_last=True), "proposed_at")
    )


def review_facts(referral: Referral) -> dict:
    """What the manager needs beside the decision: who the subject is and their age today, and the name of the
    referral's threshold level (from the threshold version of its latest screening)."""
    subject = referral.persons.filter(role=PersonRole.SUBJECT).first()
    screening = referral.screenings.select_related("threshold_version").order_by("-at").first()
    level = screening.threshold_version.level(referral.threshold_level) if screening else None
    return {
        "subject": subject,
        "subject_age": subject.age_on(timezone.localdate()) if subject else "",
        "level_name": level["name"] if level else "",
    }


def chronology(access, referral: Referral) -> list[dict]:
    """One timeline for the referral's subject across the hub's referrals of them (this one and those whose subject
    is the same index person: same-person links only, never a sibling's or a household's, recomputed on each read so
    an undone link separates them again): receipt, screenings, contributions the reader may see, strategy
    discussions and their actions done, decisions, actions, consent and sharing decisions (the hub's staff only) and
    case notes (the household's too; a corrected note says so beside its correction), oldest first."""
    earlier = same_person_referrals(referral)
    referrals = [referral, *earlier]
    ids = [r.pk for r in referrals]
    by_id = {r.pk: r for r in referrals}
    for r in earlier:
        r.hub = referral.hub  # one person's referrals are one hub's: its procedures name the outcomes, with no query
    entries = [{"at": r.received_at, "referral": r, "kind": _("Referral received"), "text": r.get_source_code_display()}
               for r in referrals]  # fmt: skip
    for r in referrals:
        for s in referral_triage(r)["screenings"]:
            text = f"{s.get_rating_display()}, {s.level_name}" + (f": {s.rationale}" if s.kind == "re_rating" else "")
            entries.append({"at": s.at, "referral": r, "kind": s.get_kind_display(), "text": text})
    for c in contributions_visible_to(access, ids):
        text = _("No trace") if c.no_trace else c.summary
        entries.append({"at": c.contributed_at, "referral": by_id[c.referral_id], "kind": f"{c.agency}", "text": text})
    for d in Decision.objects.filter(referral_id__in=ids).exclude(state=DecisionState.RETURNED):
        r = d.referral = by_id[d.referral_id]  # its outcome's words need the referral's cohort: no query per row
        entries.append({"at": d.proposed_at, "referral": r,
                        "kind": _("Decision v%(version)s proposed") % {"version": d.version},
                        "text": d.outcome_label})  # fmt: skip
        if d.state in (DecisionState.SIGNED, DecisionState.SUPERSEDED) and d.reviewed_at:
            entries.append({"at": d.reviewed_at, "referral": r,
                            "kind": _("Decision v%(version)s signed off") % {"version": d.version},
                            "text": d.outcome_label})  # fmt: skip
    for s in StrategyDiscussion.objects.filter(referral_id__in=ids):
        text = str(s.get_decision_display())
        if s.flagged:
            text = _("%(decision)s. Without: %(agencies)s") % {
                "decision": text,
                "agencies": ", ".join(s.missing_labels),
            }
        kind = _("Strategy discussion (%(mode)s)") % {"mode": s.get_mode_display().lower()}
        entries.append({"at": s.held_at, "referral": by_id[s.referral_id], "kind": kind, "text": text})
        if s.manager_reason_at:
            entries.append({"at": s.manager_reason_at, "referral": by_id[s.referral_id],
                            "kind": _("Manager's reason for the strategy discussion"), "text": s.manager_reason})  # fmt: skip
    actions = AgreedAction.objects.filter(decision__referral_id__in=ids, decision__state=DecisionState.SIGNED)
    for a in actions.select_related("owner", "decision"):
        when = a.completed_at
        if when:
            entries.append({"at": when, "referral": by_id[a.decision.referral_id],
                            "kind": _("Action done by %(agency)s") % {"agency": a.owner},
                            "text": a.description})  # fmt: skip
    strategy_actions = StrategyAction.objects.filter(discussion__referral_id__in=ids, completed_at__isnull=False)
    for a in strategy_actions.select_related("owner", "discussion"):
        entries.append({"at": a.completed_at, "referral": by_id[a.discussion.referral_id],
                        "kind": _("Strategy action done by %(agency)s") % {"agency": a.owner},
                        "text": a.description})  # fmt: skip
    entries += consent_and_sharing_entries(access, referrals)
    households = {r.household_id: r for r in reversed(referrals) if r.household_id}  # this referral's first
    for n in notes_of_referrals(access, referrals):
        entries.append({"at": n.occurred_at, "referral": by_id.get(n.referral_id) or households[n.household_id],
                        "kind": note_heading(n), "text": n.text})  # fmt: skip
    for f in files_in_chronology(access, ids):
        where = f.referral_id or (f.contribution.referral_id if f.contribution_id else f.note.referral_id)
        entries.append({"at": f.added_at, "referral": by_id[where], "kind": _("Document attached"),
                        "text": _("%(name)s (%(described)s) by %(author)s")
                        % {"name": f.name, "described": f.described, "author": f.author}})  # fmt: skip
    return sorted(entries, key=lambda e: e["at"])


def files_in_chronology(access, ids) -> list[Attachment]:
    """The files on the referrals, their contributions and their notes that the reader may download (one query)."""
    where = Q(referral_id__in=ids) | Q(contribution__referral_id__in=ids) | Q(note__referral_id__in=ids)
    files = scoped(access, Action.ATTACHMENT_VIEW, Attachment.objects.filter(where))
    return list(files.select_related("added_by", "added_by_client__agency", "contribution", "note"))


# Reads scoped to an API client: its agency in its hub.


def requests_of_client(access) -> QuerySet[InformationRequest]:
    """The open requests to the system's agency in its hub, with the referral, deadline and the people to check (the
    subject first)."""
    people = Person.objects.order_by(
        Case(When(role=PersonRole.SUBJECT, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "family_name",
        "given_name",
    )
    return (
        scoped(access, Action.REQUEST_LIST, InformationRequest.objects.filter(state=RequestState.OPEN))
        .select_related("referral", "deadline")
        .prefetch_related(Prefetch("referral__persons", queryset=people))
    )


def request_of_client(access, referral_id) -> InformationRequest:
    """The live (open or answered) request to the system's agency about one referral of its hub; Http404 otherwise.
    Whether the agency may answer it is the service's `require`."""
    request = (
        InformationRequest.objects.filter(
            referral_id=referral_id, referral__hub_id=access.hub.pk, agency_id__in=access.agency_ids
        )
        .exclude(state=RequestState.CANCELLED)
        .first()
    )
    if request is None:
        raise Http404("No such referral")
    return request


def webhooks_of_client(access) -> QuerySet[Webhook]:
    """The system's agency's own webhooks in its hub, active and disabled."""
    return scoped(access, Action.WEBHOOK_MANAGE, Webhook.objects.all())


def webhook_of_client(access, webhook_id) -> Webhook:
    """One of the agency's own webhooks; Http404 for another agency's, another hub's or none."""
    webhook = webhooks_of_client(access).filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404("No such webhook")
    return webhook


def deliveries_of_webhook(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """The notices written for one webhook (the caller has already resolved the webhook in its scope)."""
    return WebhookDelivery.objects.filter(webhook=webhook)


def referral_consent(access, referral) -> dict | None:
    """The referral's consent records (newest first: the first is the current one, the rest its history) and its
    sharing decisions, for the hub's staff; None for anyone else (agencies' officers never see them)."""
    if not may(access, Action.CONSENT_RECORD, referral):
        return None
    records, sharing = consent_rows(referral)  # read once for this page and its disclosure log
    return {"current": records[0] if records else None, "history": records[1:], "sharing": sharing}


def adult_voice_of(referral):
    """The adult's voice recorded on a referral the reader may already see (the referral page scoped it), or None."""
    return AdultVoice.objects.filter(referral=referral).select_related("recorded_by").first()
