"""Pages for consent and sharing decisions on a referral: the practitioner records consent (a new record supersedes
the last) and decisions to share without consent or not to share; the acting manager overrides a sharing decision
with a reason. Outside the person's scope is 404; refused with a reason is 403 (agencies/policy.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.access import hub_access
from agencies.policy import Action, require
from decisions import services
from decisions.forms import ReasonForm
from decisions.models import SharingDecision
from decisions.sharing_forms import ConsentRecordForm, SharingDecisionForm
from mash.errors import SERVICE_ERRORS
from referrals import selectors as referral_selectors
from referrals.models import ReferralCohort


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _back(hub, referral) -> str:
    return reverse("referral-detail", args=[hub.id, referral.id]) + "#consent"


def _referral(request: HttpRequest, hub_id, referral_id):
    access = hub_access(request, hub_id)
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, Action.CONSENT_RECORD, referral)
    return access.hub, referral


@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    hub, referral = _referral(request, hub_id, referral_id)
    adult = referral.cohort == ReferralCohort.ADULT
    form = ConsentRecordForm(_posted(request), adult=adult)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(referral=referral, by=request.user, data=form.data_for_service())
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Consent recorded"))
            return redirect(_back(hub, referral))
    return render(request, "decisions/consent_record.html", {"hub": hub, "referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def sharing_decision_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    hub, referral = _referral(request, hub_id, referral_id)
    form = SharingDecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.sharing_decision_record(referral=referral, by=request.user, data=form.data_for_service())
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Sharing decision recorded"))
            return redirect(_back(hub, referral))
    return render(request, "decisions/sharing_decision_new.html", {"hub": hub, "referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def sharing_decision_override(request: HttpRequest, hub_id, decision_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    decision = get_object_or_404(SharingDecision.objects.filter(referral__hub=access.hub), pk=decision_id)
    referral = referral_selectors.referral_for(access, decision.referral_id)
    require(access, Action.SHARING_OVERRIDE, referral)
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.sharing_decision_override(decision=decision, by=request.user, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Decision overridden"))
            return redirect(_back(access.hub, referral))
    context = {"hub": access.hub, "referral": referral, "decision": decision, "form": form}
    return render(request, "decisions/sharing_decision_override.html", context)
