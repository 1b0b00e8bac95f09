"""Case note pages: a new note on a referral or a household, and a correction of a note. There is no edit page: a
note is never changed, only followed by a correction. Views parse, call one service, and render."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.access import hub_access
from agencies.policy import Action, may, require
from decisions import services
from decisions.models.notes import CaseNote
from decisions.note_forms import CorrectionForm, NoteForm
from mash.errors import SERVICE_ERRORS
from referrals import selectors as referral_selectors
from referrals.models import Household, Referral


def _back(hub, on) -> str:
    name = "referral-detail" if isinstance(on, Referral) else "household-detail"
    return reverse(name, args=[hub.id, on.id]) + "#notes"


def _title(on) -> str:
    if isinstance(on, Referral):
        return _("referral %(reference)s") % {"reference": on.reference}
    return _("household %(reference)s") % {"reference": on.reference}


def _new(request: HttpRequest, access, on) -> HttpResponse:
    require(access, Action.NOTE_ADD, on)
    hub = access.hub
    may_oversee = may(access, Action.NOTE_OVERSIGHT, on)
    posted = request.method == "POST"
    form = NoteForm(request.POST if posted else None, request.FILES if posted else None, may_oversee=may_oversee)
    if posted:
        valid = form.is_valid()  # a date typed wrong is the form's; the schema judges the rest
        data = form.data_for_service()
        try:
            if valid:
                services.note_clean(on=on, by=request.user, data=data)  # the note's own errors before the scan
                upload = form.cleaned_data.get("file")
                files = [services.upload_check(upload=upload, hub=on.hub_id, on_type="note")] if upload else []
                services.note_add(on=on, by=request.user, data=data, files=files)
                messages.success(request, _("Note added to %(title)s") % {"title": _title(on)})
                return redirect(_back(hub, on))
            services.note_clean(on=on, by=request.user, data={**data, "occurred_on": None})
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
    context = {"hub": hub, "on": on, "title": _title(on), "back": _back(hub, on), "form": form}
    return render(request, "decisions/note_new.html", context)


@require_http_methods(["GET", "POST"])
def referral_note_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    return _new(request, access, referral_selectors.referral_for(access, referral_id))


@require_http_methods(["GET", "POST"])
def household_note_new(request: HttpRequest, hub_id, household_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    household = Household.objects.filter(pk=household_id, hub_id=access.hub.pk).first()
    if household is None:
        raise Http404("No such household")
    return _new(request, access, household)


@require_http_methods(["GET", "POST"])
def note_correct(request: HttpRequest, hub_id, note_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    note = CaseNote.objects.filter(pk=note_id, hub_id=hub.pk).select_related("referral", "household", "written_by")
    note = note.first()
    if note is None:
        raise Http404("No such note")
    require(access, Action.NOTE_CORRECT, note)
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_correct(note=note, by=request.user, data=form.data_for_service())
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Correction added: the original note is kept, struck through"))
            return redirect(_back(hub, note.on))
    context = {"hub": hub, "note": note, "on": note.on, "title": _title(note.on), "back": _back(hub, note.on),
               "form": form}  # fmt: skip
    return render(request, "decisions/note_correct.html", context)
