"""The adult's voice page: hub staff record what an adult wants, their mental capacity and advocacy. A child's
referral has no such page (404)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.access import hub_access
from agencies.policy import Action, require
from decisions import services
from decisions.forms import AdultVoiceForm
from decisions.models import AdultVoice
from mash.errors import SERVICE_ERRORS
from referrals import selectors as referral_selectors
from referrals.models import ReferralCohort


def _initial(voice: AdultVoice | None) -> dict:
    if voice is None:
        return {}
    yes_no = {True: "yes", False: "no"}
    initial = {name: getattr(voice, name) for name in AdultVoiceForm.base_fields}
    initial.update(asked=yes_no[voice.asked], advocacy_needed=yes_no[voice.advocacy_needed],
                   assessed_on=voice.assessed_on.isoformat() if voice.assessed_on else "")  # fmt: skip
    return initial


@require_http_methods(["GET", "POST"])
def adult_voice(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, Action.ADULT_VOICE_RECORD, referral)
    if referral.cohort != ReferralCohort.ADULT:
        raise Http404("The adult's voice is recorded on an adult's referral only")
    voice = AdultVoice.objects.filter(referral=referral).first()
    form = AdultVoiceForm(request.POST if request.method == "POST" else None, initial=_initial(voice))
    if request.method == "POST" and form.is_valid():
        try:
            services.adult_voice_record(referral=referral, by=request.user, data=form.data_for_service())
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The adult's wishes, capacity and advocacy are recorded"))
            return redirect(reverse("referral-detail", args=[access.hub.id, referral.id]) + "#adult-voice")
    return render(request, "decisions/adult_voice.html", {"hub": access.hub, "referral": referral, "form": form})
