"""Pages of the multi-agency part: asking agencies, the agency officer's queue and answer, the joint decision,
the manager's sign-off queue and review, releases, actions and the chronology. Views parse, call one service or
selector, and render; every page showing case data logs the read. Who may open each page is the one policy's
(agencies/policy.py): outside the person's scope is 404, refused with a reason is 403."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.access import hub_access
from agencies.models import AgencyKind, HubMembership, MembershipKind
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import attachment_selectors, household_selectors, selectors, services
from decisions.attachment_forms import file_field
from decisions.forms import ConsentForm, ContributionForm, DecisionForm, ReasonForm, RequestForm, ReviewForm
from decisions.models import AgreedAction, Contribution, Decision, DecisionState, RequestState, lawful_basis_for
from mash.errors import SERVICE_ERRORS, said
from mash.paging import window_page
from mash.paths import path_for_each
from referrals import selectors as referral_selectors
from referrals.models import PersonRole

PAGE_SIZE = 50
REFERRALS = "referrals.referral"


def _posted(request: HttpRequest):
    """The submitted data on POST (even when empty: an empty form is still validated), None on GET."""
    return request.POST if request.method == "POST" else None


def _referral(request: HttpRequest, hub_id, referral_id, action: Action):
    """The access and the referral, if the person may take `action` on it: Http404 outside their scope, Refused
    (403, with the reason) if they may see it but not do this."""
    access = hub_access(request, hub_id)
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, action, referral)
    return access, referral


def _back(hub, referral) -> str:
    return reverse("referral-detail", args=[hub.id, referral.id]) + "#multi-agency"


def _said(error: Exception) -> str:
    return said(error)


# Hub staff ------------------------------------------------------------------------------------------------------------


def _request_form(request: HttpRequest, hub, referral=None) -> tuple[RequestForm, dict]:
    """The form asking agencies for information (a referral's or a household's), and what the page says beside it:
    the core agencies always asked and each agency's agreement problem. Only an agency with a current signed
    agreement can see a request: the others are named with the reason. For an adult's referral naming no child,
    children's social care is offered to tick rather than asked by default."""
    members = HubMembership.objects.filter(hub=hub).select_related("agency")
    core = [m.agency for m in members if m.kind == MembershipKind.CORE]
    contributing = [m.agency for m in members if m.kind == MembershipKind.CONTRIBUTING]
    problems = selectors.agreement_problems_of(hub, core + contributing)
    optional_core = []
    if referral is not None and not services.childrens_services_by_default(referral):
        optional_core = [a for a in core if a.kind == AgencyKind.CHILDRENS_SOCIAL_CARE]
        core = [a for a in core if a not in optional_core]
    form = RequestForm([a for a in optional_core + contributing if problems[a] is None], _posted(request))
    return form, {"core": [a for a in core if problems[a] is None], "problems": problems,
                  "not_by_default": [a for a in optional_core if problems[a] is None]}  # fmt: skip


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.INFORMATION_REQUEST)
    hub = access.hub
    form, asking = _request_form(request, hub, referral)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.information_request(
                referral=referral,
                by=request.user,
                agencies=form.cleaned_data["agencies"],
                note=form.cleaned_data["note"],
            )
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            asked = ngettext(
                "Asked %(n)s agency for their information", "Asked %(n)s agencies for their information", len(made)
            )
            messages.success(request, asked % {"n": len(made)})
            return redirect(_back(hub, referral))
    context = {"hub": hub, "referral": referral, "form": form, **asking}
    return render(request, "decisions/request_new.html", context)


@require_http_methods(["GET", "POST"])
def household_request_new(request: HttpRequest, hub_id, household_id) -> HttpResponse:
    """Ask agencies once about a household: the referral's form, a request per agency for each child who can be
    asked (open, rated Red, Amber or Green)."""
    access = hub_access(request, hub_id)
    hub = access.hub
    page = referral_selectors.household_for(access, household_id)
    household = page["household"]
    askable = [c["referral"] for c in page["children"] if c["referral"].can_request_information()]
    for referral in askable:
        require(access, Action.INFORMATION_REQUEST, referral)
    form, asking = _request_form(request, hub)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.household_information_request(
                household=household, by=request.user, agencies=form.cleaned_data["agencies"],
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            children = len({r.referral_id for r in made})
            asked = ngettext(
                "Asked %(agencies)s agencies about %(n)s child of household %(reference)s",
                "Asked %(agencies)s agencies about %(n)s children of household %(reference)s",
                children,
            )
            messages.success(request, asked % {"agencies": len({r.agency_id for r in made}), "n": children,
                                               "reference": household.reference})  # fmt: skip
            return redirect("household-detail", hub.id, household.id)
    context = {"hub": hub, "household": household, "askable": askable, "form": form, **asking}
    return render(request, "decisions/household_request_new.html", context)


def _decision_form(request: HttpRequest, hub, referral, sharing: dict) -> DecisionForm:
    signed, returned = sharing["signed"], sharing["returned"]
    start = returned if returned and (not signed or returned.version > signed.version) else signed
    initial = {}
    if start is not None:
        initial = {
            "outcome": start.outcome, "threshold_level": start.threshold_level, "rationale": start.rationale,
            "participants": [str(a.pk) for a in start.participants.all()], "outcomes_met": start.outcomes_met,
        }  # fmt: skip
        for i, action in enumerate(start.actions.all()[:3]):
            initial.update({f"action_{i}_owner": str(action.owner_id), f"action_{i}_description": action.description,
                            f"action_{i}_due_on": action.due_on.isoformat()})  # fmt: skip
    else:
        initial = {
            "participants": [str(a.pk) for a in services.core_agencies_for(referral)],
            "threshold_level": referral.threshold_level,
        }
    version = referral_selectors.thresholds_current(hub, referral.cohort)
    last = referral.screenings.select_related("threshold_version").order_by("-at").first()
    levels = (last.threshold_version if last else version).levels
    return DecisionForm(
        _posted(request), initial=initial, cohort=referral.cohort, procedures=hub.procedures, levels=levels,
        members=HubMembership.objects.filter(hub=hub).select_related("agency"), amending=signed is not None,
        outcomes_expressed=services.outcomes_expressed(referral),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def decision_propose(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.DECISION_PROPOSE)
    hub = access.hub
    sharing = selectors.referral_sharing(access, referral)
    form = _decision_form(request, hub, referral, sharing)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_propose(referral=referral, by=request.user, **form.data_for_service())
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Decision version %(version)s proposed: the manager will sign it off")
                % {"version": decision.version},
            )
            return redirect(_back(hub, referral))
    log_read(AuditAction.CONTRIBUTION_VIEWED, hub=hub, object_type="decisions.contribution",
             ids=[c.id for c in sharing["contributions"]])  # fmt: skip
    context = {"hub": hub, "referral": referral, "form": form, **sharing,
               "siblings": household_selectors.siblings_decisions(referral)}  # fmt: skip
    return render(request, "decisions/propose.html", context)


@require_http_methods(["GET", "POST"])
def gate_override(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.GATE_OVERRIDE)
    hub = access.hub
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.gate_override(referral=referral, by=request.user, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("A decision may now be proposed without every core agency's answer"))
            return redirect(_back(hub, referral))
    missing = services.missing_core_agencies(referral)
    context = {"hub": hub, "referral": referral, "form": form, "missing": missing}
    return render(request, "decisions/override.html", context)


@require_GET
def sign_off_queue(request: HttpRequest, hub_id) -> HttpResponse:
    access = hub_access(request, hub_id, Action.SIGN_OFF_QUEUE_VIEW)
    hub = access.hub
    page = window_page(selectors.sign_off_queue(access), PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    review = path_for_each("decision-review", hub.id)
    for d in rows:
        d.review_path = review(d.id)
    log_read(AuditAction.SIGN_OFF_QUEUE_LISTED, hub=hub, object_type=REFERRALS, ids=[d.referral_id for d in rows])
    context = {"hub": hub, "page": page, "rows": rows, "now": timezone.now()}
    return render(request, "decisions/sign_off_queue.html", context)


@require_http_methods(["GET", "POST"])
def decision_review(request: HttpRequest, hub_id, decision_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    decision = (
        Decision.objects.filter(pk=decision_id, referral__hub=hub)
        .select_related("referral__household", "proposed_by")
        .first()
    )
    if decision is None:
        raise Http404("No such decision")
    require(access, Action.DECISION_REVIEW, decision)
    referral = decision.referral
    referral.hub = hub
    form = ReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        verdict, comments = form.cleaned_data["verdict"], form.cleaned_data["comments"]
        try:
            if verdict == "sign":
                services.decision_sign_off(decision=decision, by=request.user)
                messages.success(
                    request,
                    _("Decision signed off: referral %(reference)s is closed") % {"reference": referral.reference},
                )
            elif verdict == "return":
                services.decision_return(decision=decision, by=request.user, comments=comments)
                proposer = decision.proposed_by.get_full_name()
                returned = (
                    _("Decision returned to %(name)s") % {"name": proposer}
                    if proposer
                    else _("Decision returned to its proposer")
                )
                messages.success(request, returned)
            else:
                raise ValidationError({"verdict": _("Choose to sign it off or return it")})
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            return redirect("sign-off-queue", hub.id)
    sharing = selectors.referral_sharing(access, referral)
    if sharing["contributions"]:  # the agencies' files with their answers (one query)
        files = attachment_selectors.files_of_referral(request, referral)
        attachment_selectors.attach_files(sharing["contributions"], files, "contribution")
    # The version under review, as the referral's versions were read (with its participants and actions).
    decision = next((d for d in sharing["decisions"] if d.pk == decision.pk), decision)
    log_read(AuditAction.DECISION_VIEWED, hub=hub, object_type="decisions.decision", ids=[decision.id])
    context = {"hub": hub, "referral": referral, "decision": decision, "form": form, "consent_form": ConsentForm(),
               **sharing, **selectors.review_facts(referral), "now": timezone.now(),
               "siblings": household_selectors.siblings_decisions(referral)}  # fmt: skip
    return render(request, "decisions/review.html", context)


@require_GET
def chronology(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.CHRONOLOGY_VIEW)
    hub = access.hub
    entries = selectors.chronology(access, referral)
    subject = next((p for p in referral.persons.all() if p.role == PersonRole.SUBJECT), None)  # prefetched
    log_read(
        AuditAction.CHRONOLOGY_VIEWED, hub=hub, object_type=REFERRALS, ids=sorted({e["referral"].id for e in entries})
    )
    return render(request, "decisions/chronology.html", {"hub": hub, "referral": referral, "subject": subject,
                                                           "entries": entries})  # fmt: skip


# Agency officers ------------------------------------------------------------------------------------------------------


@require_GET
def officer_queue(request: HttpRequest, hub_id) -> HttpResponse:
    access = hub_access(request, hub_id, Action.REQUEST_LIST)
    hub = access.hub
    _usable, problems = selectors.agreement_split(access)
    page = window_page(selectors.officer_requests(access), PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    log_read(
        AuditAction.INFORMATION_REQUEST_LISTED,
        hub=hub,
        object_type="decisions.informationrequest",
        ids=[r.id for r in rows],
    )
    context = {"hub": hub, "page": page, "rows": rows, "problems": problems, "now": timezone.now(),
               "households": household_selectors.household_summaries(access, rows)}  # fmt: skip
    return render(request, "decisions/officer_queue.html", context)


@require_http_methods(["GET", "POST"])
def officer_request(request: HttpRequest, hub_id, request_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    info_request = selectors.officer_request(access, request_id)
    referral = info_request.referral
    # A household's requests to the agency are one item: every person once, one answer written to each request.
    household = household_selectors.household_group(access, info_request) if info_request.household_id else None
    group = household["group"] if household else [info_request]
    form = ContributionForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"lawful_basis": lawful_basis_for(info_request.agency), "disclosure": "shared"},
    )
    form.fields["file"] = file_field(required=False, label=_("Attach a document or image"))
    if household:  # one answer about every person named, not only a subject
        form.fields["known"].label = _("Does your agency know anyone in this household?")
    if request.method == "POST" and any(r.state == RequestState.OPEN for r in group) and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            files = [services.upload_check(upload=upload, hub=hub.pk, on_type="contribution")] if upload else []
            data = form.data_for_service()
            if household:
                services.household_contribution_add(requests=group, by=request.user, data=data, files=files)
            else:
                services.contribution_add(request=info_request, by=request.user, data=data, files=files)
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            if household:
                sent = _("Your agency's information on household %(reference)s is with the hub") % {
                    "reference": household["household"].reference
                }
            else:
                sent = _("Your agency's information on %(reference)s is with the hub") % {
                    "reference": referral.reference
                }
            messages.success(request, sent)
            return redirect("officer-request", hub.id, info_request.id)
    contribution = Contribution.objects.filter(request=info_request).first()
    if contribution is not None:
        contribution.files = attachment_selectors.files_of(contribution, "contribution")
    if household:
        persons = household["persons"]
    else:
        persons = sorted(referral.persons.all(), key=lambda p: (p.role != PersonRole.SUBJECT, p.family_name))
    ids = [r.referral_id for r in group]
    log_read(AuditAction.INFORMATION_REQUEST_VIEWED, hub=hub, object_type=REFERRALS, ids=ids)
    context = {
        "hub": hub, "info_request": info_request, "referral": referral, "persons": persons, "form": form,
        "contribution": contribution, "consent_form": ConsentForm(), "household": household,
    }  # fmt: skip
    return render(request, "decisions/officer_request.html", context)


@require_GET
def officer_actions(request: HttpRequest, hub_id) -> HttpResponse:
    """The actions agreed for the officer's agencies (those with a current agreement) in signed decisions, not yet
    done."""
    access = hub_access(request, hub_id, Action.ACTION_LIST)
    hub = access.hub
    _usable, problems = selectors.agreement_split(access)
    actions = selectors.officer_actions(access)
    strategy_actions = selectors.officer_strategy_actions(access)
    log_read(
        AuditAction.INFORMATION_REQUEST_LISTED,
        hub=hub,
        object_type=REFERRALS,
        ids=[a.decision.referral_id for a in actions] + [a.discussion.referral_id for a in strategy_actions],
    )
    context = {"hub": hub, "actions": actions, "strategy_actions": strategy_actions, "problems": problems}
    return render(request, "decisions/officer_actions.html", context)


@require_GET
def officer_sent(request: HttpRequest, hub_id) -> HttpResponse:
    """The referrals the officer's agency sent to the hub, with their status, rating and outcome only: what the
    referrer is told back (the same as the API's status endpoint), while the agency's agreement is current."""
    from decisions.models import outcome_label

    access = hub_access(request, hub_id, Action.REFERRAL_STATUS_VIEW)
    hub = access.hub
    referrals = referral_selectors.referrals_visible_to(access, Action.REFERRAL_STATUS_VIEW).order_by(
        "-received_at", "-id"
    )
    page = window_page(referrals.only("id", "reference", "status", "rating", "outcome", "decided_at", "received_at",
                                      "cohort", "hub", "referring_agency"), PAGE_SIZE, request.GET.get("page"))  # fmt: skip
    rows = [(r, outcome_label(r.cohort, r.outcome, hub.procedures) if r.outcome else "") for r in page.object_list]
    log_read(AuditAction.REFERRAL_LISTED, hub=hub, object_type=REFERRALS, ids=[r.id for r, _outcome in rows])
    return render(request, "decisions/officer_sent.html", {"hub": hub, "page": page, "rows": rows})


# Either -------------------------------------------------------------------------------------------------------------


@require_POST
def contribution_release(request: HttpRequest, hub_id, contribution_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    contribution = (
        Contribution.objects.filter(pk=contribution_id, referral__hub_id=hub.pk)
        .select_related("referral", "agency")
        .first()
    )
    if contribution is None:
        raise Http404("No such contribution")
    require(access, Action.CONTRIBUTION_RELEASE, contribution)
    form = ConsentForm(request.POST)
    form.is_valid()
    try:
        services.contribution_release(
            contribution=contribution, by=request.user, consent=form.cleaned_data.get("consent", "")
        )
        messages.success(request, _("Released to the hub's decision-makers, with the recorded consent"))
    except SERVICE_ERRORS as error:
        messages.error(request, said(error))
    if may(access, Action.REFERRAL_VIEW, contribution.referral):
        return redirect(_back(hub, contribution.referral))
    return redirect("officer-request", hub.id, contribution.request_id)


@require_POST
def action_complete(request: HttpRequest, hub_id, action_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    action = (
        AgreedAction.objects.filter(pk=action_id, decision__referral__hub=hub, decision__state=DecisionState.SIGNED)
        .select_related("decision__referral")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    require(access, Action.ACTION_COMPLETE, action)
    try:
        services.action_complete(action=action, by=request.user)
        messages.success(request, _("Action marked done"))
    except SERVICE_ERRORS as error:
        messages.error(request, said(error))
    if may(access, Action.REFERRAL_VIEW, action.decision.referral):
        return redirect(_back(hub, action.decision.referral))
    return redirect("officer-actions", hub.id)
