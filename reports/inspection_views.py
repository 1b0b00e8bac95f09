"""Ofsted inspection lists (Annex A) as CSV downloads, for the hub's accountable manager: they name children, so
anyone else gets 404, and every download is audited with the referrals in it."""

from django.http import HttpResponse
from django.shortcuts import render

from agencies.access import hub_access
from agencies.policy import Action
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.csvsafe import rows_to_csv
from reports import inspection
from reports.forms import InspectionListForm

LISTS = {
    1: (inspection.contacts, inspection.CONTACT_COLUMNS),
    3: (inspection.referrals, inspection.REFERRAL_COLUMNS),
}


def inspection_lists(request, hub_id):
    """The form; with valid answers, the list as a CSV download."""
    hub = hub_access(request, hub_id, Action.INSPECTION_LISTS).hub
    form = InspectionListForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(request, "reports/inspection.html", {"hub": hub, "form": form})
    number, since, until = form.cleaned_data["list"], form.cleaned_data["since"], form.cleaned_data["until"]
    select, columns = LISTS[number]
    rows = select(hub, since, until)
    log_read(
        AuditAction.INSPECTION_LIST_EXPORTED,
        hub=hub,
        object_type="referrals.referral",
        ids=[row.referral_id for row in rows],
        list=number,
        since=since.isoformat(),
        until=until.isoformat(),
    )
    response = HttpResponse(rows_to_csv(columns, (row.cells() for row in rows)), content_type="text/csv; charset=utf-8")
    name = f"ofsted-list-{number}-{hub.slug}-{since.isoformat()}-{until.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
