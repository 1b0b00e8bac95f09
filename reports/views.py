"""The audit trail of the hub for its accountable manager: one record's history, one person's actions (and who has
viewed a record, for subject access requests), filterable, paginated and exportable as CSV. Reading the trail and
exporting it are themselves audited."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import hub_access
from agencies.policy import Action
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.csvsafe import rows_to_csv
from mash.paging import window_page
from reports import selectors
from reports.forms import TrailFilterForm

PAGE_SIZE = 50
EXPORT_LIMIT = 5000
# Words for the person who opens it in a spreadsheet; the ledger's own codes last, for anyone matching them by program.
CSV_HEADINGS = [
    _("Event"), _("When"), _("What"), _("Who"), _("Agency"), _("Record type"), _("Record id"), _("Facts"),
    _("Web request"), _("IP address"), _("Action code"), _("Record type code"),
]  # fmt: skip


def audit_trail(request, hub_id):
    hub = hub_access(request, hub_id, Action.AUDIT_TRAIL_VIEW).hub
    form = TrailFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "reports/trail.html", {"hub": hub, "form": form, "rows": [], "page": None})
    if not form.is_bound:
        form = TrailFilterForm({})
        form.is_valid()
    filters = form.filters()
    page = window_page(selectors.trail(hub, **filters), PAGE_SIZE, request.GET.get("page"))
    rows = selectors.describe(list(page.object_list))
    log_read(
        AuditAction.AUDIT_TRAIL_VIEWED,
        hub=hub,
        object_type="audit.auditevent",
        ids=[row.event.id for row in rows],
        page=page.number,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/trail.html",
        {"hub": hub, "form": form, "rows": rows, "page": page, "query": query.urlencode()},
    )


def audit_trail_csv(request, hub_id):
    hub = hub_access(request, hub_id, Action.AUDIT_TRAIL_VIEW).hub
    form = TrailFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/trail.html", {"hub": hub, "form": form, "rows": [], "page": None}, status=400)
    events = list(selectors.trail(hub, **form.filters())[:EXPORT_LIMIT])
    rows = selectors.describe(events)
    log_read(AuditAction.AUDIT_TRAIL_EXPORTED, hub=hub, object_type="audit.auditevent", ids=[e.id for e in events])
    local = timezone.localtime
    body = rows_to_csv(
        [str(heading) for heading in CSV_HEADINGS],  # in the reader's language
        (
            [
                r.event.id,
                local(r.event.occurred_at).isoformat(timespec="seconds"),
                r.action_label,
                r.actor,
                r.agency,
                r.record_type,
                r.event.object_id,
                r.facts,
                r.event.request_id,
                r.event.client_ip or "",
                r.event.action,
                r.event.object_type,
            ]
            for r in rows
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{hub.slug}-{timezone.localdate()}.csv"'
    return response
