"""Pages of the multi-agency part: asking agencies, the agency officer's queue and answer, the joint decision,
the manager's sign-off queue and review, releases, actions and the chronology. Views parse, call one service or
selector, and render; every page showing case data logs the read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import selectors as hub_selectors
from agencies.models import HubMembership, MembershipKind
from agencies.permissions import Action, acts_as_manager
from audit.services import log_read
from decisions import selectors, services
from decisions.forms import ConsentForm, ContributionForm, DecisionForm, ReasonForm, RequestForm, ReviewForm
from decisions.models import (
    AgreedAction,
    Contribution,
    Decision,
    DecisionState,
    RequestState,
    lawful_basis_for,
    outcome_label,
)
from decisions.permissions import officer_agencies
from mash.paging import window_page
from referrals import selectors as referral_selectors
from referrals.models import PersonRole
from referrals.permissions import ReferralAction
from referrals.views import staff_hub_for

PAGE_SIZE = 50
REFERRALS = "referrals.referral"


def _posted(request: HttpRequest):
    """The submitted data on POST (even when empty: an empty form is still validated), None on GET."""
    return request.POST if request.method == "POST" else None


def _referral(request: HttpRequest, hub_id, referral_id):
    """The hub and referral for a member of hub staff who may see it; 404 otherwise."""
    hub, _ = staff_hub_for(request, hub_id, ReferralAction.VIEW)
    referral = (
        referral_selectors.referrals_visible_to(request.user, ReferralAction.VIEW, hub=hub)
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    return hub, referral


def _back(hub, referral) -> str:
    return reverse("referral-detail", args=[hub.id, referral.id]) + "#multi-agency"


def _officer_hub(request: HttpRequest, hub_id):
    hub = hub_selectors.hub_for(request.user, hub_id, Action.VIEW_CASE_DATA)
    if not officer_agencies(request.user, hub):
        raise Http404("No such hub")
    return hub


def _manager_hub(request: HttpRequest, hub_id):
    hub, _ = staff_hub_for(request, hub_id, ReferralAction.VIEW)
    if not acts_as_manager(request.user, hub):
        raise Http404("No such hub")
    return hub


# Hub staff ------------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    hub, referral = _referral(request, hub_id, referral_id)
    members = HubMembership.objects.filter(hub=hub).select_related("agency")
    core = [m.agency for m in members if m.kind == MembershipKind.CORE]
    contributing = [m.agency for m in members if m.kind == MembershipKind.CONTRIBUTING]
    form = RequestForm(contributing, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.information_request(
                referral=referral,
                by=request.user,
                agencies=form.cleaned_data["agencies"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Asked {len(made)} agenc{'y' if len(made) == 1 else 'ies'} for their information"
            )
            return redirect(_back(hub, referral))
    problems = {a: hub_selectors.missing_agreement_message(a, hub) for a in core + contributing}
    context = {"hub": hub, "referral": referral, "form": form, "core": core, "problems": problems}
    return render(request, "decisions/request_new.html", context)


def _decision_form(request: HttpRequest, hub, referral, sharing: dict) -> DecisionForm:
    signed, returned = sharing["signed"], sharing["returned"]
    start = returned if returned and (not signed or returned.version > signed.version) else signed
    initial = {}
    if start is not None:
        initial = {
            "outcome": start.outcome, "threshold_level": start.threshold_level, "rationale": start.rationale,
            "participants": [str(a.pk) for a in start.participants.all()],
        }  # fmt: skip
        for i, action in enumerate(start.actions.all()[:3]):
            initial.update({f"action_{i}_owner": str(action.owner_id), f"action_{i}_description": action.description,
                            f"action_{i}_due_on": action.due_on.isoformat()})  # fmt: skip
    else:
        initial = {
            "participants": [str(a.pk) for a in services.core_agencies(hub)],
            "threshold_level": referral.threshold_level,
        }
    version = referral_selectors.thresholds_current(hub, referral.cohort)
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    levels = (last.threshold_version if last else version).levels
    return DecisionForm(
        _posted(request), initial=initial, cohort=referral.cohort, levels=levels,
        members=HubMembership.objects.filter(hub=hub).select_related("agency"), amending=signed is not None,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def decision_propose(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    hub, referral = _referral(request, hub_id, referral_id)
    sharing = selectors.referral_sharing(request.user, hub, referral)
    form = _decision_form(request, hub, referral, sharing)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_propose(referral=referral, by=request.user, **form.data_for_service())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Decision version {decision.version} proposed: the manager will sign it off")
            return redirect(_back(hub, referral))
    log_read("contribution.viewed", hub=hub, object_type="decisions.contribution",
             ids=[c.id for c in sharing["contributions"]])  # fmt: skip
    context = {"hub": hub, "referral": referral, "form": form, **sharing}
    return render(request, "decisions/propose.html", context)


@require_http_methods(["GET", "POST"])
def gate_override(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    hub, referral = _referral(request, hub_id, referral_id)
    if not acts_as_manager(request.user, hub):
        raise Http404("No such page")
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.gate_override(referral=referral, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "A decision may now be proposed without every core agency's answer")
            return redirect(_back(hub, referral))
    missing = services.missing_core_agencies(referral)
    context = {"hub": hub, "referral": referral, "form": form, "missing": missing}
    return render(request, "decisions/override.html", context)


@require_GET
def sign_off_queue(request: HttpRequest, hub_id) -> HttpResponse:
    hub = _manager_hub(request, hub_id)
    page = window_page(selectors.sign_off_queue(hub), PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    log_read("sign_off_queue.listed", hub=hub, object_type=REFERRALS, ids=[d.referral_id for d in rows])
    return render(request, "decisions/sign_off_queue.html", {"hub": hub, "page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def decision_review(request: HttpRequest, hub_id, decision_id) -> HttpResponse:
    hub = _manager_hub(request, hub_id)
    decision = (
        Decision.objects.filter(pk=decision_id, referral__hub=hub).select_related("referral", "proposed_by").first()
    )
    if decision is None:
        raise Http404("No such decision")
    referral = decision.referral
    form = ReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        verdict, comments = form.cleaned_data["verdict"], form.cleaned_data["comments"]
        try:
            if verdict == "sign":
                services.decision_sign_off(decision=decision, by=request.user)
                messages.success(request, f"Decision signed off: referral {referral.reference} is closed")
            elif verdict == "return":
                services.decision_return(decision=decision, by=request.user, comments=comments)
                messages.success(
                    request, f"Decision returned to {decision.proposed_by.get_full_name() or 'its proposer'}"
                )
            else:
                raise ValidationError({"verdict": "Choose to sign it off or return it"})
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("sign-off-queue", hub.id)
    sharing = selectors.referral_sharing(request.user, hub, referral)
    log_read("decision.viewed", hub=hub, object_type="decisions.decision", ids=[decision.id])
    context = {"hub": hub, "referral": referral, "decision": decision, "form": form, **sharing}
    return render(request, "decisions/review.html", context)


@require_GET
def chronology(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    hub, referral = _referral(request, hub_id, referral_id)
    entries = selectors.chronology(request.user, hub, referral)
    subject = referral.persons.filter(role=PersonRole.SUBJECT).first()
    log_read("chronology.viewed", hub=hub, object_type=REFERRALS, ids=sorted({e["referral"].id for e in entries}))
    return render(request, "decisions/chronology.html", {"hub": hub, "referral": referral, "subject": subject,
                                                           "entries": entries})  # fmt: skip


# Agency officers ------------------------------------------------------------------------------------------------------


@require_GET
def officer_queue(request: HttpRequest, hub_id) -> HttpResponse:
    hub = _officer_hub(request, hub_id)
    allowed, problems = selectors.agreement_split(request.user, hub)
    page = window_page(selectors.officer_requests(hub, allowed), PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    log_read(
        "information_request.listed", hub=hub, object_type="decisions.informationrequest", ids=[r.id for r in rows]
    )
    context = {"hub": hub, "page": page, "rows": rows, "problems": problems, "now": timezone.now()}
    return render(request, "decisions/officer_queue.html", context)


@require_http_methods(["GET", "POST"])
def officer_request(request: HttpRequest, hub_id, request_id) -> HttpResponse:
    hub = _officer_hub(request, hub_id)
    info_request = selectors.officer_request(request.user, hub, request_id)
    problem = hub_selectors.missing_agreement_message(info_request.agency, hub)
    if problem:
        return render(request, "decisions/agreement_missing.html", {"hub": hub, "problem": problem}, status=403)
    referral = info_request.referral
    form = ContributionForm(
        _posted(request), initial={"lawful_basis": lawful_basis_for(info_request.agency), "disclosure": "shared"}
    )
    if request.method == "POST" and info_request.state == RequestState.OPEN and form.is_valid():
        try:
            services.contribution_add(request=info_request, by=request.user, data=form.data_for_service())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Your agency's information on {referral.reference} is with the hub")
            return redirect("officer-request", hub.id, info_request.id)
    contribution = Contribution.objects.filter(request=info_request).first()
    persons = sorted(referral.persons.all(), key=lambda p: (p.role != PersonRole.SUBJECT, p.family_name))
    log_read("information_request.viewed", hub=hub, object_type=REFERRALS, ids=[referral.id])
    context = {
        "hub": hub, "info_request": info_request, "referral": referral, "persons": persons, "form": form,
        "contribution": contribution, "consent_form": ConsentForm(),
    }  # fmt: skip
    return render(request, "decisions/officer_request.html", context)


# Either -------------------------------------------------------------------------------------------------------------


@require_POST
def contribution_release(request: HttpRequest, hub_id, contribution_id) -> HttpResponse:
    hub = hub_selectors.hub_for(request.user, hub_id, Action.VIEW_CASE_DATA)
    contribution = (
        selectors.contributions_visible_to(
            request.user, hub, Contribution.objects.filter(pk=contribution_id).values("referral_id")
        )
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None:
        raise Http404("No such contribution")
    form = ConsentForm(request.POST)
    form.is_valid()
    try:
        services.contribution_release(
            contribution=contribution, by=request.user, consent=form.cleaned_data.get("consent", "")
        )
        messages.success(request, "Released to the hub's decision-makers, with the recorded consent")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if acts_as_manager(request.user, hub):
        return redirect(_back(hub, contribution.referral))
    return redirect("officer-request", hub.id, contribution.request_id)


@require_POST
def action_complete(request: HttpRequest, hub_id, action_id) -> HttpResponse:
    hub = hub_selectors.hub_for(request.user, hub_id, Action.VIEW_CASE_DATA)
    action = (
        AgreedAction.objects.filter(pk=action_id, decision__referral__hub=hub, decision__state=DecisionState.SIGNED)
        .select_related("decision__referral")
        .first()
    )
    referral = action.decision.referral if action else None
    staff = referral is not None and (
        referral_selectors.referrals_visible_to(request.user, ReferralAction.VIEW, hub=hub)
        .filter(pk=referral.pk)
        .exists()
    )
    owner = action is not None and action.owner_id in officer_agencies(request.user, hub)
    if not (staff or owner):
        raise Http404("No such action")  # outside the reader's scope: the same answer as no action at all
    try:
        services.action_complete(action=action, by=request.user)
        messages.success(request, "Action marked done")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if staff:
        return redirect(_back(hub, referral))
    return redirect("officer-actions", hub.id)


@require_GET
def officer_actions(request: HttpRequest, hub_id) -> HttpResponse:
    """The actions agreed for the officer's agencies (those with a current agreement) in signed decisions, not yet
    done."""
    hub = _officer_hub(request, hub_id)
    allowed, problems = selectors.agreement_split(request.user, hub)
    actions = list(
        AgreedAction.objects.filter(
            decision__referral__hub=hub, decision__state=DecisionState.SIGNED, completed_at=None, owner__in=allowed,
        ).select_related("decision__referral", "owner", "deadline").order_by("due_on")[:200]
    )  # fmt: skip
    log_read(
        "information_request.listed", hub=hub, object_type=REFERRALS, ids=[a.decision.referral_id for a in actions]
    )
    return render(request, "decisions/officer_actions.html", {"hub": hub, "actions": actions, "problems": problems})


@require_GET
def officer_sent(request: HttpRequest, hub_id) -> HttpResponse:
    """The referrals the officer's agency sent to the hub, with their status, rating and outcome only: what the
    referrer is told back (the same as the API's status endpoint)."""
    hub = hub_selectors.hub_for(request.user, hub_id, Action.VIEW_CASE_DATA)
    referrals = referral_selectors.referrals_visible_to(request.user, ReferralAction.VIEW_STATUS, hub=hub).order_by(
        "-received_at", "-id"
    )
    page = window_page(referrals.only("id", "reference", "status", "rating", "outcome", "decided_at", "received_at",
                                      "cohort", "hub", "referring_agency"), PAGE_SIZE, request.GET.get("page"))  # fmt: skip
    rows = [(r, outcome_label(r.cohort, r.outcome) if r.outcome else "") for r in page.object_list]
    log_read("referral.listed", hub=hub, object_type=REFERRALS, ids=[r.id for r, _ in rows])
    return render(request, "decisions/officer_sent.html", {"hub": hub, "page": page, "rows": rows})
