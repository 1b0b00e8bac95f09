"""The person index's pages on a referral: answering a suggested earlier record (same person, sibling, parent or
carer, household member, not related — with why), confirming a same-person answer where the records differ, and
undoing a link with the reason. Views parse, call one service, render; what each page shows is logged as a read."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from agencies.access import hub_access
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.errors import SERVICE_ERRORS
from referrals import matching, people_index, selectors
from referrals.link_forms import LinkForm, UndoForm
from referrals.models import LinkKind, MatchState
from referrals.person_match import reason_in_words

OBJECT_TYPE = "referrals.referral"
ANSWERED = {
    LinkKind.SAME_PERSON: _("Earlier record linked: the same person"),
    LinkKind.NOT_RELATED: _("Recorded: not related"),
}
# What the earlier record is to the subject, for the other answers ("Recorded: Sam Example is a sibling").
RECORDED = {
    LinkKind.SIBLING: _("Recorded: %(person)s is a sibling"),
    LinkKind.PARENT_CARER: _("Recorded: %(person)s is a parent or carer"),
    LinkKind.HOUSEHOLD: _("Recorded: %(person)s is a household member"),
}


def reason_words(match) -> str:
    """Why a record was suggested: the scorer's words joined by "; ", in the reader's language (codes stored earlier
    became words in migration referrals 0017)."""
    return capfirst("; ".join(reason_in_words(reason) for reason in match.reasons))


def verdict_words(match) -> str:
    return gettext("Likely match") if match.verdict == "match" else gettext("Possible match")


def _decide_page(request, hub, referral, subject, match, form, **more) -> HttpResponse:
    log_read(
        AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=[referral.id, match.candidate.referral_id]
    )
    match.reason_words, match.verdict_words = reason_words(match), verdict_words(match)
    context = {"hub": hub, "referral": referral, "subject": subject, "match": match, "form": form, **more}
    template = "referrals/link_confirm.html" if "differences" in more else "referrals/match_decide.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def subject_match_decide(request: HttpRequest, hub_id, referral_id, match_id) -> HttpResponse:
    """One suggestion: the two records side by side and what the earlier one is to the subject, with why. A
    same-person answer where the records differ asks again, naming the differences; only the confirmed answer
    links."""
    access = hub_access(request, hub_id)
    hub = access.hub
    referral = selectors.referral_for(access, referral_id)
    require(access, Action.MATCH_DECIDE, referral)
    match = get_object_or_404(referral.matches.select_related("candidate__referral", "decided_by"), pk=match_id)
    subject = selectors.subject_of(referral)
    form = LinkForm(request.POST if request.method == "POST" else None, prefix=LinkForm.prefix_for(match))
    if request.method == "POST" and form.is_valid():
        kind, reason = form.cleaned_data["kind"], form.cleaned_data["reason"]
        try:
            matching.subject_match_decide(match=match, kind=kind, by=request.user, reason=reason,
                                          confirmed=request.POST.get("confirmed") == "yes")  # fmt: skip
        except people_index.Unconfirmed as error:
            return _decide_page(request, hub, referral, subject, match, form, differences=error.differences)
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            if kind in ANSWERED:
                messages.success(request, str(ANSWERED[kind]))
            else:
                messages.success(request, str(RECORDED[kind]) % {"person": match.candidate})
            return redirect("referral-detail", hub.id, referral.id)
    return _decide_page(request, hub, referral, subject, match, form)


@require_http_methods(["GET", "POST"])
def link_undo(request: HttpRequest, hub_id, referral_id, link_id) -> HttpResponse:
    """Undo one of the subject's links, with the reason; a same-person link's undo separates the chronologies."""
    access = hub_access(request, hub_id)
    hub = access.hub
    referral = selectors.referral_for(access, referral_id)
    require(access, Action.MATCH_DECIDE, referral)
    link = get_object_or_404(selectors.links_of(referral).filter(undone_at__isnull=True), pk=link_id)
    selectors.link_seen_from(link, selectors.subject_of(referral))  # as the referral page reads it
    form = UndoForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            people_index.link_undo(link=link, by=request.user, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                gettext("Link undone: %(kind)s, %(person)s")
                % {"kind": link.get_kind_display().lower(), "person": link.far},
            )
            return redirect("referral-detail", hub.id, referral.id)
    log_read(AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=[referral.id, link.far.referral_id])
    return render(request, "referrals/link_undo.html", {"hub": hub, "referral": referral, "link": link, "form": form})


def match_forms(access, referral, matches) -> None:
    """The referral page's matches: each with its reasons and verdict in words, and a form when it awaits an answer
    and the reader may give one (no query)."""
    deciding = may(access, Action.MATCH_DECIDE, referral)
    for match in matches:
        match.reason_words, match.verdict_words = reason_words(match), verdict_words(match)
        match.form = (
            LinkForm(prefix=LinkForm.prefix_for(match)) if deciding and match.state == MatchState.SUGGESTED else None
        )
