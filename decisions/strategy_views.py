"""Strategy discussions on the referral page: its panel (settings.REFERRAL_PAGE_PANELS, docs/adr/0003), recording
one, and the accountable manager's reason when one went ahead without a required agency."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import hub_access
from agencies.models import HubMembership
from agencies.policy import Action, may, require
from decisions import selectors, services
from decisions.models.strategy import StrategyAction, StrategyDiscussion
from decisions.strategy_forms import StrategyDiscussionForm, StrategyReasonForm
from decisions.strategy_selectors import discussions_of, recommended_absent, strategy_due
from mash.errors import SERVICE_ERRORS, said
from referrals import selectors as referral_selectors


def _back(hub, referral) -> str:
    return reverse("referral-detail", args=[hub.id, referral.id]) + "#strategy-discussions"


def strategy_panel(request, hub, referral) -> dict:
    """The referral page's strategy discussions: each one, flagged when a required agency did not take part, and
    when the next is due for a Red referral without one."""
    access = hub_access(request, hub.pk)
    if not may(access, Action.REFERRAL_VIEW, referral):
        return {"template": "decisions/strategy_panel.html", "hidden": True}
    discussions = discussions_of([referral.pk])
    for d in discussions:
        d.recommended_absent = recommended_absent(d)
    return {
        "template": "decisions/strategy_panel.html",
        "discussions": discussions,
        "due": strategy_due(referral, discussions, hours=hub.strategy_discussion_hours),
    }


@require_http_methods(["GET", "POST"])
def strategy_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, Action.STRATEGY_RECORD, referral)
    hub = access.hub
    members = list(HubMembership.objects.filter(hub=hub).select_related("agency").order_by("agency__name"))
    contributions = list(selectors.contributions_visible_to(access, [referral.pk]))
    form = StrategyDiscussionForm(
        request.POST if request.method == "POST" else None, cohort=referral.cohort, members=members,
        contributions=contributions,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.strategy_discussion_record(
                referral=referral, by=request.user, data=form.data_for_service()
            )
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            if discussion.flagged:
                messages.warning(
                    request,
                    f"Strategy discussion recorded. {' and '.join(discussion.missing_labels)} did not take part: "
                    "the manager must give the reason before it counts as complete",
                )
            else:
                messages.success(request, "Strategy discussion recorded")
            return redirect(_back(hub, referral))
    context = {"hub": hub, "referral": referral, "form": form}
    return render(request, "decisions/strategy_new.html", context)


@require_http_methods(["GET", "POST"])
def strategy_reason(request: HttpRequest, hub_id, discussion_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    found = StrategyDiscussion.objects.filter(pk=discussion_id, referral__hub=hub).values_list("referral_id", flat=True)
    if not found:
        raise Http404("No such strategy discussion")
    referral = referral_selectors.referral_for(access, found[0])
    require(access, Action.STRATEGY_REASON, referral)
    discussion = StrategyDiscussion.objects.get(pk=discussion_id)
    form = StrategyReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.strategy_reason_give(discussion=discussion, by=request.user, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Your reason is recorded: the strategy discussion counts as complete")
            return redirect(_back(hub, referral))
    context = {"hub": hub, "referral": referral, "discussion": discussion, "form": form}
    return render(request, "decisions/strategy_reason.html", context)


@require_POST
def strategy_action_done(request: HttpRequest, hub_id, action_id) -> HttpResponse:
    """Mark an action agreed in a strategy discussion done (the hub's staff); 404 outside the reader's scope."""
    access = hub_access(request, hub_id)
    hub = access.hub
    found = StrategyAction.objects.filter(pk=action_id, discussion__referral__hub=hub)
    referral_id = found.values_list("discussion__referral_id", flat=True).first()
    if referral_id is None:
        raise Http404("No such action")
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, Action.STRATEGY_RECORD, referral)
    try:
        services.strategy_action_complete(action=found.get(), by=request.user)
        messages.success(request, "Action marked done")
    except SERVICE_ERRORS as error:
        messages.error(request, said(error))
    return redirect(_back(hub, referral))
