"""The handover on the hub's pages: its state on the referral page, the handovers still unacknowledged past the
hub's time on the manager's dashboard, and the receiving agency's officer's page to acknowledge them. Both are panels the referrals app asks for by dotted path
(settings.REFERRAL_PAGE_PANELS, settings.DASHBOARD_PANELS): referrals/ sits below decisions/ (docs/adr/0003)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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


@require_POST
def officer_acknowledge(request: HttpRequest, hub_id, handover_id) -> HttpResponse:
    """The receiving agency's officer acknowledges a handover: their service has the case."""
    access = hub_access(request, hub_id)
    handover = handover_of(access, handover_id)  # 404 for another agency's
    try:
        handover_acknowledge(handover=handover, by=request.user)
        messages.success(request, f"Handover of {handover.referral.reference} acknowledged")
    except SERVICE_ERRORS as error:
        messages.error(request, said(error))
    return redirect("officer-handovers", access.hub.pk)
