"""Strategy discussions on the referral page: its panel (settings.REFERRAL_PAGE_PANELS, docs/adr/0003), recording
one, and the accountable manager's reason when one went ahead without a required agency."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import hub_access
from agencies.models import HubMembership
from agencies.policy import Action, may, require
from decisions import selectors, services
from decisions.models.strategy import StrategyAction, StrategyDiscussion
from decisions.strategy_forms import (
    HouseholdStrategyForm,
    StrategyDiscussionForm,
    StrategyReasonForm,
    more_asked,
    rows_posted,
)
from decisions.strategy_selectors import discussions_of, discussions_of_referral, recommended_absent, strategy_due
from mash.errors import SERVICE_ERRORS, said
from referrals import selectors as referral_selectors
from referrals.people_form import initial_from


def _back(hub, referral) -> str:
    return reverse("referral-detail", args=[hub.id, referral.id]) + "#strategy-discussions"


def strategy_panel(request, hub, referral) -> dict:
    """The referral page's strategy discussions: each one, flagged when a required agency did not take part, and
    when the next is due for a Red referral without one."""
    access = hub_access(request, hub.pk)
    if not may(access, Action.REFERRAL_VIEW, referral):
        return {"template": "decisions/strategy_panel.html", "hidden": True}
    discussions = discussions_of_referral(referral)
    for d in discussions:
        d.recommended_absent = recommended_absent(d)
    return {
        "template": "decisions/strategy_panel.html",
        "discussions": discussions,
        "due": strategy_due(referral, discussions, hours=hub.strategy_discussion_hours),
    }


def _form(request, form_class=StrategyDiscussionForm, **kwargs) -> StrategyDiscussionForm:
    """The form as sent; after an "add another" button, unbound with what was typed and a row more (no errors)."""
    if request.method != "POST":
        return form_class(**kwargs)
    if more := more_asked(request.POST):
        typed = initial_from(form_class(request.POST, rows=rows_posted(request.POST), **kwargs))
        return form_class(initial=typed, rows=rows_posted(request.POST, more), **kwargs)
    return form_class(request.POST, **kwargs)


@require_http_methods(["GET", "POST"])
def strategy_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, Action.STRATEGY_RECORD, referral)
    hub = access.hub
    members = list(HubMembership.objects.filter(hub=hub).select_related("agency").order_by("agency__name"))
    contributions = list(selectors.contributions_visible_to(access, [referral.pk]))
    form = _form(request, cohort=referral.cohort, members=members, contributions=contributions)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            discussion = services.strategy_discussion_record(
                referral=referral, by=request.user, data=form.data_for_service()
            )
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            if discussion.flagged:
                and_ = f" {_('and')} "
                messages.warning(
                    request,
                    _(
                        "Strategy discussion recorded. %(agencies)s did not take part: "
                        "the manager must give the reason before it counts as complete"
                    )
                    % {"agencies": and_.join(str(label) for label in discussion.missing_labels)},
                )
            else:
                messages.success(request, _("Strategy discussion recorded"))
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
            messages.success(request, _("Your reason is recorded: the strategy discussion counts as complete"))
            return redirect(_back(hub, referral))
    context = {"hub": hub, "referral": referral, "discussion": discussion, "form": form}
    return render(request, "decisions/strategy_reason.html", context)


@require_POST
def strategy_action_done(request: HttpRequest, hub_id, action_id) -> HttpResponse:
    """Mark an action agreed in a strategy discussion done: the hub's staff (back to the referral) or the owning
    agency's officer (back to their actions); 404 outside the reader's scope."""
    access = hub_access(request, hub_id)
    hub = access.hub
    action = (
        StrategyAction.objects.filter(pk=action_id, discussion__referral__hub=hub)
        .select_related("discussion__referral")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    require(access, Action.STRATEGY_ACTION_COMPLETE, action)
    try:
        services.strategy_action_complete(action=action, by=request.user)
        messages.success(request, _("Action marked done"))
    except SERVICE_ERRORS as error:
        messages.error(request, said(error))
    referral = action.discussion.referral
    if may(access, Action.REFERRAL_VIEW, referral):
        return redirect(_back(hub, referral))
    return redirect("officer-actions", hub.id)


def _child_name(child: dict) -> str:
    subject = child["subject"]
    name = f"{subject.given_name} {subject.family_name}".strip() if subject else _("Child not named")
    return _("%(name)s (referral %(reference)s)") % {"name": name, "reference": child["referral"].reference}


def household_strategy_panel(request, hub, household) -> dict:
    """The household page's strategy discussions (settings.HOUSEHOLD_PAGE_PANELS): those of its children's referrals
    the reader sees (one query, and three for who took part, what was shared and the actions when there are some),
    and a way to convene one about the children."""
    access = hub_access(request, hub.pk)
    seen = referral_selectors.referrals_visible_to(access, Action.REFERRAL_VIEW).filter(household=household)
    return {
        "template": "decisions/household_strategy_panel.html",
        "household": household,
        "discussions": discussions_of(seen.values("pk"), with_referral=True),
        "may_record": may(access, Action.STRATEGY_RECORD, household),
    }


@require_http_methods(["GET", "POST"])
def household_strategy_new(request: HttpRequest, hub_id, household_id) -> HttpResponse:
    """A strategy discussion about a household's children: one form, recorded on each child's referral chosen."""
    access = hub_access(request, hub_id)
    hub = access.hub
    page = referral_selectors.household_for(access, household_id)  # 404 outside the reader's scope
    children = [c for c in page["children"] if may(access, Action.STRATEGY_RECORD, c["referral"])]
    if not children:
        raise Http404("No such household")
    household, by_id = page["household"], {str(c["referral"].pk): c["referral"] for c in children}
    members = list(HubMembership.objects.filter(hub=hub).select_related("agency").order_by("agency__name"))
    contributions = list(selectors.contributions_visible_to(access, [c["referral"].pk for c in children]))
    form = _form(
        request, HouseholdStrategyForm, cohort="child", members=members, contributions=contributions,
        children=[(str(c["referral"].pk), _child_name(c)) for c in children],
    )  # fmt: skip
    if request.method == "POST" and form.is_bound and form.is_valid():
        chosen = [by_id[pk] for pk in form.cleaned_data["children"] if pk in by_id]
        try:
            recorded = services.household_strategy_record(
                referrals=chosen, by=request.user, data=form.data_for_service()
            )
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            done = ngettext(
                "Strategy discussion recorded for %(n)s child.",
                "Strategy discussion recorded for %(n)s children.",
                len(recorded),
            ) % {"n": len(recorded)}
            if any(d.flagged for d in recorded):
                done += " " + _("The discussion lacked a required agency: the manager must give the reason.")
            messages.success(request, done)
            return redirect(reverse("household-detail", args=[hub.id, household.id]) + "#strategy-discussions")
    context = {"hub": hub, "household": household, "form": form}
    return render(request, "decisions/household_strategy_new.html", context)
