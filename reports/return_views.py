"""Monthly returns for strategic leads and managers: ask for a month (built by a Celery job, its progress shown on
the page), read it, download it as PDF, CSV or JSON, and compare the hubs a lead covers side by side. Every read
and download is audited; anyone without the hub's reports permission gets 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import access_for, hub_access
from agencies.policy import Action, may
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.errors import SERVICE_ERRORS
from mash.paging import window_page
from mash.sessions import worth_logging
from mash.words import fte, money
from reports import exports, pdf, selectors, services
from reports.charts import return_charts
from reports.return_forms import CompareForm, ReturnRequestForm, ended_months
from reports.suppression import RULE, for_viewer, suppressed_count

PAGE_SIZE = 24
REFRESH_SECONDS = 2
FORMATS = {
    # A manager's PDF is the one drawn at the build; a strategic lead's is drawn from the suppressed figures when
    # downloaded (only leads pay for it, and the build stays one PDF: bench/returns).
    "pdf": ("application/pdf", lambda row, exact: bytes(row.pdf) if exact else pdf.render(row, exact=False)),
    "csv": ("text/csv; charset=utf-8", exports.return_csv),
    "json": ("application/json", exports.return_json),
}


def _hub(request, hub_id, action=Action.RETURNS_VIEW):
    return hub_access(request, hub_id, action).hub


def _exact(request, hub_id) -> bool:
    """Whether the person sees a return's exact figures (a manager) or small numbers suppressed (a lead)."""
    return may(access_for(request.user, hub_id), Action.RETURNS_VIEW_EXACT)


def returns_page(request, hub_id):
    hub = _hub(request, hub_id, Action.RETURN_REQUEST if request.method == "POST" else Action.RETURNS_VIEW)
    form = ReturnRequestForm(request.POST or None, initial={"language": hub.language})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.return_request(
                hub=hub,
                month=form.cleaned_data["month"],
                by=request.user,
                commentary=form.cleaned_data["commentary"],
                language=form.cleaned_data["language"],
            )
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The return for %(month)s is being built: this page shows its progress.")
                % {"month": date_format(row.month, "F Y")},
            )
            return redirect("returns", hub_id=hub.id)
    page = window_page(selectors.returns_of(hub), PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    shown = [page.number, *(f"{r.pk} {r.state}" for r in rows)]  # the progress poll logs only when a state moved on
    if worth_logging(request, f"{reverse('returns', args=[hub.id])}?page={page.number}", shown):
        log_read(
            AuditAction.RETURNS_LISTED,
            hub=hub,
            object_type="reports.monthlyreturn",
            ids=[r.pk for r in rows],
            page=page.number,
        )
    context = {
        "hub": hub,
        "form": form,
        "rows": rows,
        "page": page,
        "pending": any(r.is_pending for r in rows),
        "refresh_url": f"{reverse('returns', args=[hub.id])}?partial=1&page={page.number}",
        "refresh_seconds": REFRESH_SECONDS,
    }
    if request.GET.get("partial"):
        return render(request, "reports/returns_table.html", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/returns.html", context, status=status)


def return_detail(request, hub_id, return_id):
    hub = _hub(request, hub_id)
    row = selectors.return_of(hub, return_id)
    log_read(
        AuditAction.RETURN_VIEWED,
        hub=hub,
        object_type="reports.monthlyreturn",
        ids=[row.pk],
        month=f"{row.month:%Y-%m}",
    )
    exact = _exact(request, hub.pk)
    figures = for_viewer(row.figures, exact)
    charts = return_charts(figures) if row.is_ready else []
    context = {"hub": hub, "row": row, "figures": figures, "charts": charts, "suppressed": not exact, "rule": RULE,
               "procedures": hub.procedures}  # fmt: skip
    return render(request, "reports/return_detail.html", context)


def return_download(request, hub_id, return_id, fmt):
    hub = _hub(request, hub_id)
    row = selectors.return_of(hub, return_id, with_pdf=fmt == "pdf")
    if not row.is_ready or fmt not in FORMATS:
        raise Http404("No such return")
    content_type, body = FORMATS[fmt]
    log_read(
        AuditAction.RETURN_EXPORTED, hub=hub, object_type="reports.monthlyreturn", ids=[row.pk], month=f"{row.month:%Y-%m}",
        format=fmt,
    )  # fmt: skip
    response = HttpResponse(body(row, _exact(request, hub.pk)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mash-return-{hub.slug}-{row.month:%Y-%m}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def returns_compare(request):
    """The same figures for every hub the person may see returns of, side by side, for one month."""
    hubs = selectors.hubs_with_returns_for(request.user)
    if not hubs:
        raise Http404("No hub's returns to compare")
    form = CompareForm(request.GET or {"month": ended_months()[0].isoformat()})
    month = form.cleaned_data["month"] if form.is_valid() else None
    ready = selectors.latest_ready(hubs, month) if month else {}
    columns = [(hub, ready.get(hub.pk)) for hub in hubs]
    exact = {hub.pk: _exact(request, hub.pk) for hub in hubs}
    for hub, row in columns:
        if row is not None:
            log_read(AuditAction.RETURNS_COMPARISON_VIEWED, hub=hub, object_type="reports.monthlyreturn", ids=[row.pk],
                     month=f"{month:%Y-%m}")  # fmt: skip
    return render(
        request,
        "reports/returns_compare.html",
        {
            "form": form,
            "month": month,
            "columns": columns,
            "lines": comparison_lines(columns, exact),
            "suppressed": not all(exact.values()),
            "rule": RULE,
        },  # fmt: skip
        status=200 if form.is_valid() else 400,
    )


# The comparison's lines that name a rating, each whole (a translation may order its words otherwise).
RATED = {"red": gettext_lazy("Rated Red"), "amber": gettext_lazy("Rated Amber"), "green": gettext_lazy("Rated Green"),
         "blue": gettext_lazy("Rated Blue")}  # fmt: skip
WITHIN = {"red": gettext_lazy("Red decisions within timescale (%)"),
          "amber": gettext_lazy("Amber decisions within timescale (%)"),
          "green": gettext_lazy("Green decisions within timescale (%)")}  # fmt: skip


def comparison_lines(columns, exact: dict | None = None) -> list[tuple[str, list]]:
    """(what, [each hub's figure or None]) for the headline figures of the return: a hub's exact figures where the
    person sees them (`exact`, by hub id; all if None), otherwise suppressed, a total of counts suppressed as one."""
    shown = {hub.pk: for_viewer(row.figures, exact is None or exact[hub.pk]) for hub, row in columns if row}

    def each(read):
        return [read(shown[hub.pk]) if row else None for hub, row in columns]

    def rating(f, code, key):
        return next(r[key] for r in f["timeliness"]["by_rating"] if r["rating"] == code)

    def rated(f, code):
        return next(r["count"] for r in f["referrals"]["by_rating"] if r["code"] == code)

    def total(f, key):
        return sum(a[key] for a in f["agencies"])

    def each_total(key):
        return [
            None if not row else total(row.figures, key) if exact is None or exact[hub.pk]
            else suppressed_count(total(row.figures, key))
            for hub, row in columns
        ]  # fmt: skip

    lines = [
        (_("Referrals received"), each(lambda f: f["referrals"]["total"])),
        (_("About children"), each(lambda f: f["referrals"]["by_cohort"]["child"])),
        (_("About adults"), each(lambda f: f["referrals"]["by_cohort"]["adult"])),
        (_("Screened"), each(lambda f: f["referrals"]["screened"])),
    ]
    lines += [(RATED[code], each(lambda f, c=code: rated(f, c))) for code in ("red", "amber", "green", "blue")]
    lines += [
        (_("Decisions signed off"), each(lambda f: f["timeliness"]["decisions"])),
        *[(WITHIN[code], each(lambda f, c=code: rating(f, c, "percent_within"))) for code in ("red", "amber", "green")],
        (_("Median hours to decision"), each(lambda f: f["timeliness"]["median_hours"])),
        (_("90th percentile hours to decision"), each(lambda f: f["timeliness"]["p90_hours"])),
        (_("Deadlines breached"), each(lambda f: f["timeliness"]["breaches"]["total"])),
        (_("Requests to agencies"), each_total("requests")),
        (_("Agencies' contributions"), each_total("contributions")),
        (_("Re-referrals within 12 months (%)"), each(lambda f: f["re_referrals"]["percent"])),
        (_("Decisions with rationale (%)"), each(lambda f: f["quality"]["rationale_percent"])),
        (_("Actions completed on time (%)"), each(lambda f: f["quality"]["on_time_percent"])),
        (_("Funding this financial year"), each(lambda f: money(f["funding"]["total_gbp"]))),
        (_("Staff (FTE)"), each(lambda f: fte(f["funding"]["total_fte"]))),
    ]
    return lines
