"""Ofsted inspection lists (Annex A): the workbook or one list as CSV, for the hub's accountable manager. They name
children, so anyone else in the hub is refused and anyone outside it gets 404; every download is audited with the
referrals in it (reports/annex_a_workbook.py)."""

from django.http import HttpResponse
from django.shortcuts import render

from agencies.access import hub_access
from agencies.policy import Action
from reports.annex_a_workbook import annex_a_export
from reports.forms import InspectionListForm


def inspection_lists(request, hub_id):
    """The form; with valid answers, the download."""
    hub = hub_access(request, hub_id, Action.INSPECTION_LISTS).hub
    form = InspectionListForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(request, "reports/inspection.html", {"hub": hub, "form": form})
    data = form.cleaned_data
    export = annex_a_export(hub=hub, since=data["since"], until=data["until"], number=data["list"])
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
