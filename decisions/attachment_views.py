"""Attachment pages: a file attached to a referral, the download of any attachment (only through the policy: who
may see what it belongs to; 404 for anyone else, as for the owner itself), and the referral page's panel of files.
Views parse, call one service, and render."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies.access import hub_access
from agencies.policy import Action, may, require
from decisions import attachment_selectors, services
from decisions.attachment_forms import AttachmentForm
from decisions.models.attachments import Attachment
from mash.downloads import file_response
from mash.errors import SERVICE_ERRORS
from referrals import selectors as referral_selectors


@require_GET
def attachment_download(request: HttpRequest, hub_id, attachment_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    attachment = (
        Attachment.objects.filter(pk=attachment_id, hub_id=access.hub.pk)
        .select_related("referral", "contribution__referral", "note")
        .first()
    )
    if attachment is None:
        raise Http404("No such file")
    data = services.attachment_download(attachment=attachment, access=access)
    return file_response(data, name=attachment.name, content_type=attachment.content_type)


@require_http_methods(["GET", "POST"])
def referral_attachment_new(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    referral = referral_selectors.referral_for(access, referral_id)
    require(access, Action.ATTACHMENT_ADD, referral)
    back = reverse("referral-detail", args=[access.hub.id, referral.id]) + "#attachments"
    posted = request.method == "POST"
    form = AttachmentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            attachment = services.attachment_add(referral=referral, by=request.user, upload=form.cleaned_data["file"])
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(name)s attached to referral %(reference)s")
                % {"name": attachment.name, "reference": referral.reference},
            )
            return redirect(back)
    context = {"hub": access.hub, "referral": referral, "form": form, "back": back,
               "title": _("referral %(reference)s") % {"reference": referral.reference}}  # fmt: skip
    return render(request, "decisions/attachment_new.html", context)


def attachments_panel(request, hub, referral) -> dict:
    """The referral's own files (the notes' and contributions' files show with them). Part of the page's read."""
    access = hub_access(request, hub.pk)
    files = [f for f in attachment_selectors.files_of_referral(request, referral) if f.referral_id]
    return {
        "template": "decisions/attachments_panel.html",
        "files": files,
        "may_add": may(access, Action.ATTACHMENT_ADD, referral),
        "add_url": reverse("referral-attachment-new", args=[hub.id, referral.id]),
    }
