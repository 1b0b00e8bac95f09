"""The handover on the hub's pages: its state on the referral page, the handovers still unacknowledged past the
hub's time on the manager's dashboard, and the receiving agency's officer's page to acknowledge them. Both are panels the referrals app asks for by dotted path
(settings.REFERRAL_PAGE_PANELS, settings.DASHBOARD_PANELS): referrals/ sits below decisions/ (docs/adr/0003)."""

from datetime import date, datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agencies.access import hub_access
from agencies.policy import Action
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions.handover import handover_acknowledge
from decisions.handover_selectors import handover_of, handovers_of, handovers_of_referral, unacknowledged_overdue
from mash.errors import SERVICE_ERRORS, said

OBJECT = "decisions.handover"
PAGE = 100  # the newest handovers an officer's page lists (the API pages through them all)


def handover_panel(request, hub, referral) -> dict:
    """The referral page's line on each handover (the page's reader may see the whole referral already)."""
    rows = handovers_of_referral(referral)
    if rows:
        log_read(AuditAction.HANDOVER_VIEWED, hub=hub, object_type=OBJECT, ids=[h.id for h in rows])
    return {"template": "decisions/handover_panel.html", "handovers": rows}


def dashboard_handover_panel(request, hub) -> dict:
    """The manager's dashboard (the dashboard view has checked DASHBOARD_VIEW): unacknowledged handovers past the
    hub's handover_ack_hours, with the referral, the receiving agency and how long each has waited."""
    rows = unacknowledged_overdue(hub)
    if rows:
        log_read(
            AuditAction.HANDOVER_LISTED, hub=hub, object_type=OBJECT, ids=[h.id for h in rows], view="manager_dashboard"
        )
    return {"template": "decisions/handover_dashboard.html", "handovers": rows, "hours": hub.handover_ack_hours}


@require_GET
def officer_handovers(request: HttpRequest, hub_id) -> HttpResponse:
    """The cases handed to the officer's agency (one with a current agreement), unacknowledged first."""
    access = hub_access(request, hub_id, Action.HANDOVER_ACKNOWLEDGE)
    rows = list(handovers_of(access).order_by("-state", "-sent_at")[:PAGE])
    if rows:
        log_read(AuditAction.HANDOVER_LISTED, hub=access.hub, object_type=OBJECT, ids=[h.id for h in rows])
    return render(request, "decisions/officer_handovers.html", {"hub": access.hub, "handovers": rows})


@require_GET
def officer_handover(request: HttpRequest, hub_id, handover_id) -> HttpResponse:
    """One case handed to the officer's agency, as its service receives it: the package in words (the person and
    household, the referral, the decision and its rationale, the section 47 start, the actions), with the
    acknowledgement. 404 for another agency's."""
    access = hub_access(request, hub_id, Action.HANDOVER_ACKNOWLEDGE)
    handover = handover_of(access, handover_id)
    log_read(AuditAction.HANDOVER_VIEWED, hub=access.hub, object_type=OBJECT, ids=[handover.id])
    package = handover.package
    episode = (package.get("social_care_episodes") or [{}])[0]
    decision = package.get("decision") or {}
    context = {
        "hub": access.hub,
        "handover": handover,
        "package": package,
        "person": _dated(package.get("child_details") or package.get("person_details") or {}),
        "household": [_dated(p) for p in package.get("household", [])],
        "episode": episode,
        "referral_date": _day(episode.get("referral_date")),
        "s47_start": _day(((episode.get("section_47_assessments") or [{}])[0]).get("start_date")),
        "decision": decision,
        "signed_off_at": _instant(decision.get("signed_off_at")),
        "actions": [{**a, "due": _day(a.get("due_on"))} for a in decision.get("agreed_actions", [])],
    }
    return render(request, "decisions/officer_handover.html", context)


def _day(value):
    """A package's ISO date as a date to show, None when absent (the package is JSON: its dates are text)."""
    return date.fromisoformat(value) if value else None


def _instant(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _dated(person: dict) -> dict:
    return {**person, "born": _day(person.get("date_of_birth"))}


@require_POST
def officer_acknowledge(request: HttpRequest, hub_id, handover_id) -> HttpResponse:
    """The receiving agency's officer acknowledges a handover: their service has the case."""
    access = hub_access(request, hub_id)
    handover = handover_of(access, handover_id)  # 404 for another agency's
    try:
        handover_acknowledge(handover=handover, by=request.user)
        messages.success(
            request, _("Handover of %(reference)s acknowledged") % {"reference": handover.referral.reference}
        )
    except SERVICE_ERRORS as error:
        messages.error(request, said(error))
    return redirect("officer-handovers", access.hub.pk)
