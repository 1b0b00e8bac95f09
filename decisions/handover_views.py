"""The handover on the hub's pages: its state on the referral page, and the handovers still unacknowledged past the
hub's time on the manager's dashboard. Both are panels the referrals app asks for by dotted path
(settings.REFERRAL_PAGE_PANELS, settings.DASHBOARD_PANELS): referrals/ sits below decisions/ (docs/adr/0003)."""

from audit.events.actions import AuditAction
from audit.services import log_read
from decisions.handover_selectors import handovers_of_referral, unacknowledged_overdue

OBJECT = "decisions.handover"


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
