"""Recording a contact: about one child or adult (the referral form) or about a household (one referral per child,
referrals/households.py), and the household's page. Views parse, call one service or selector, and render."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from agencies.access import hub_access
from agencies.policy import Action
from mash.errors import SERVICE_ERRORS
from referrals.household_form import HouseholdForm, household_change
from referrals.households import household_clean, household_create
from referrals.people_form import initial_from

CHOICES = {"one": "referral-new", "household": "household-new"}


@require_http_methods(["GET", "POST"])
def referral_start(request: HttpRequest, hub_id) -> HttpResponse:
    """Who the contact is about: one child or adult (today's form) or a household (several children)."""
    hub = hub_access(request, hub_id, Action.REFERRAL_CREATE).hub
    error = None
    if request.method == "POST":
        if request.POST.get("about") in CHOICES:
            return redirect(CHOICES[request.POST["about"]], hub.id)
        error = gettext("Choose whether the contact is about one child or adult, or about a household")
    return render(request, "referrals/start.html", {"hub": hub, "error": error})


@require_http_methods(["GET", "POST"])
def household_new(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.REFERRAL_CREATE).hub
    if request.method == "GET":
        now = timezone.localtime()
        form = HouseholdForm(initial={"received_date": now.date().isoformat(), "received_time": now.strftime("%H:%M")})
        return render(request, "referrals/household_new.html", {"hub": hub, "form": form})
    if change := household_change(request.POST):
        data, focus = change
        form = HouseholdForm(initial=initial_from(HouseholdForm(data)), focus=focus)
        return render(request, "referrals/household_new.html", {"hub": hub, "form": form})
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            household = household_create(
                hub=hub, data=form.dataset(), channel=form.cleaned_data["channel"], recorded_by=request.user
            )
        except SERVICE_ERRORS as error:
            form.add_dataset_errors(error)
        else:
            count = len(household.created)
            messages.success(request, ngettext(
                "Household contact %(reference)s recorded: %(count)s referral",
                "Household contact %(reference)s recorded: %(count)s referrals",
                count,
            ) % {"reference": household.reference, "count": count})  # fmt: skip
            return redirect("household-detail", hub.id, household.id)
    else:  # the channel, date or time needs fixing first; show the contact's other messages now too
        try:
            household_clean(form.dataset(), hub=hub)
        except SERVICE_ERRORS as error:
            form.add_dataset_errors(error)
    return render(request, "referrals/household_new.html", {"hub": hub, "form": form})
