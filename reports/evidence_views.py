"""The evidence on practice of one month, for strategic leads and managers (anyone else: 404): computed from the
ledger when asked, as the return's section is, with the month picked as YYYY-MM. Each showing is audited."""

import re
from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.access import hub_access
from agencies.policy import Action, may
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.forms import GovukFormMixin
from reports.evidence_trend import evidence_of
from reports.services import previous_month
from reports.suppression import RULE, for_viewer

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST = date(2000, 1, 1)


class EvidenceForm(GovukFormMixin, forms.Form):
    month = forms.CharField(
        label=_("Month"),
        help_text=_("As year and month, for example 2026-09"),
        max_length=7,
        error_messages={"required": _("Enter the month, for example 2026-09")},
    )

    def clean_month(self) -> date:
        text = self.cleaned_data["month"].strip()
        found = MONTH.match(text)
        if not found or not 1 <= int(found[2]) <= 12:
            raise forms.ValidationError(_("Enter the month as year and month, for example 2026-09"))
        month = date(int(found[1]), int(found[2]), 1)
        if month < EARLIEST:
            raise forms.ValidationError(_("Enter a month from January 2000"))
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("Enter a month that has started"))
        return month


def evidence_page(request, hub_id):
    access = hub_access(request, hub_id, Action.RETURNS_VIEW)
    hub = access.hub
    form = EvidenceForm(request.GET or {"month": f"{previous_month(timezone.localdate()):%Y-%m}"})
    context = {"hub": hub, "form": form, "evidence": None, "month": None, "procedures": hub.procedures}
    if not form.is_valid():
        return render(request, "reports/evidence.html", context, status=400)
    month = form.cleaned_data["month"]
    exact = may(access, Action.RETURNS_VIEW_EXACT)
    evidence = for_viewer(evidence_of(hub, month), exact)
    context.update(month=month, evidence=evidence, running=month == timezone.localdate().replace(day=1),
                   suppressed=not exact, rule=RULE)  # fmt: skip
    log_read(AuditAction.EVIDENCE_VIEWED, hub=hub, object_type="agencies.hub", ids=[hub.pk], month=f"{month:%Y-%m}")
    return render(request, "reports/evidence.html", context)
