"""Triage pages: the hub's queue, screening and rating, claiming and assigning, the manager's dashboard and each
person's notifications. Views parse, call one service or selector, and render; what each page shows is logged as a
read."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.access import hub_access
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.errors import SERVICE_ERRORS, Refused, said
from mash.paging import window_page
from mash.paths import path_for_each, safe_next
from mash.sessions import worth_logging
from referrals import selectors, triage
from referrals.models import Person, Rating, ReferralCohort, ReferralStatus
from referrals.templatetags.triage import RAG_TAGS
from referrals.triage_forms import (
    ReasonForm,
    ReRatingForm,
    ScreeningForm,
    ThresholdsForm,
    TriageQueueFilterForm,
    thresholds_as_text,
)
from referrals.views import OBJECT_TYPE

PAGE_SIZE = 50
REFRESH_SECONDS = 30


def _referral(request: HttpRequest, hub_id, referral_id, action: Action) -> tuple:
    """The access and the referral, if the person may take `action` on it: Http404 outside their scope, Refused
    (403, with the reason) if they may see it but not do this."""
    access = hub_access(request, hub_id)
    referral = selectors.referral_for(access, referral_id)
    require(access, action, referral)
    return access, referral


def _rating_name(rating: str) -> str:
    return RAG_TAGS.get(rating, RAG_TAGS[""])[1]


@require_GET
def triage_queue(request: HttpRequest, hub_id) -> HttpResponse:
    access = hub_access(request, hub_id, Action.REFERRAL_LIST)
    hub = access.hub
    form = TriageQueueFilterForm(request.GET)
    form.is_valid()  # every filter is optional; a value that is not a choice is shown as an error and ignored
    referrals = selectors.triage_queue(access, **form.filters())
    page = window_page(referrals, PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    query = request.GET.copy()
    query.pop("partial", None)
    here = reverse("triage-queue", args=[hub.id])
    this_page = f"{here}?{query.urlencode()}" if query else here
    ids = [r.id for r in rows]
    if worth_logging(request, this_page, [page.number, *ids]):  # a background refresh: only if what it shows changed
        log_read(AuditAction.TRIAGE_QUEUE_LISTED, hub=hub, object_type=OBJECT_TYPE, ids=ids, page=page.number)
    query.pop("page", None)
    detail, assign = path_for_each("referral-detail", hub.id), path_for_each("referral-assign", hub.id)
    context = {
        "hub": hub,
        "form": form,
        "page": page,
        "rows": [
            (r, None if r.subject_name is None else Person.name_from(r.subject_name), detail(r.id), assign(r.id))
            for r in rows
        ],
        "now": timezone.now(),
        "query": query.urlencode(),
        "this_page": this_page,
        "refresh_url": f"{this_page}{'&' if '?' in this_page else '?'}partial=1",
        "refresh_seconds": REFRESH_SECONDS,
        "filtered": any(form.cleaned_data.get(name) for name in form.fields),
    }
    if request.GET.get("partial") == "1":
        return render(request, "referrals/queue_table.html", context)
    return render(request, "referrals/queue.html", context)


def _assignee(request: HttpRequest, to: str):
    """`me` is the person claiming; otherwise a user's id (the service checks they work in the hub)."""
    if to == "me":
        return request.user
    try:
        return get_user_model().objects.filter(pk=to, is_active=True).first()
    except (ValueError, ValidationError):
        return None


@require_POST
def referral_assign(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.REFERRAL_CLAIM)
    hub = access.hub
    back = safe_next(request, reverse("referral-detail", args=[hub.id, referral.id]))
    assignee = _assignee(request, request.POST.get("to", ""))
    if assignee is None:
        messages.error(request, gettext("Choose a practitioner of this hub"))
        return redirect(back)
    try:
        triage.referral_assign(referral=referral, by=request.user, to=assignee)
    except (*SERVICE_ERRORS, Refused) as error:
        messages.error(request, said(error))
        return redirect(back)
    if assignee == request.user:
        messages.success(
            request, gettext("You have claimed referral %(reference)s") % {"reference": referral.reference}
        )
    else:
        name = assignee.get_full_name() or assignee.get_username()
        messages.success(
            request,
            gettext("Referral %(reference)s assigned to %(name)s") % {"reference": referral.reference, "name": name},
        )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def referral_screen(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.REFERRAL_SCREEN)
    hub = access.hub
    if not referral.is_open:
        messages.error(request, gettext("This referral is closed: it cannot be screened"))
        return redirect("referral-detail", hub.id, referral.id)
    version = selectors.thresholds_current(hub, referral.cohort)
    manager = may(access, Action.REFERRAL_RE_RATE, referral)
    if request.method == "GET":
        form = ScreeningForm(version, manager=manager, initial={"immediate_risk": referral.immediate_risk})
    else:
        form = ScreeningForm(version, request.POST, manager=manager)
        if form.is_valid():
            try:
                screening = triage.referral_screen(referral=referral, by=request.user, **form.screening())
            except SERVICE_ERRORS as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, gettext("Referral screened: %(rating)s") % {"rating": _rating_name(screening.rating)}
                )
                return redirect("referral-detail", hub.id, referral.id)
    log_read(AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=[referral.id])
    return render(request, "referrals/screen.html", {"hub": hub, "referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def referral_re_rate(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access, referral = _referral(request, hub_id, referral_id, Action.REFERRAL_RE_RATE)
    hub = access.hub
    previous = referral.rating
    version = selectors.last_screening_thresholds(referral)
    if request.method == "GET":
        form = ReRatingForm(version, initial={"level": referral.threshold_level})
    else:
        form = ReRatingForm(version, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                screening = triage.referral_re_rate(
                    referral=referral, by=request.user, rating=data["rating"], level=data["level"],
                    reason=data["reason"],
                )  # fmt: skip
            except SERVICE_ERRORS as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    gettext("Rating changed from %(was)s to %(now)s")
                    % {"was": _rating_name(previous), "now": _rating_name(screening.rating)},
                )
                return redirect("referral-detail", hub.id, referral.id)
    log_read(AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=[referral.id])
    return render(request, "referrals/re_rate.html", {"hub": hub, "referral": referral, "form": form})


@require_http_methods(["GET", "POST"])
def referral_close_no_response(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    """The acting manager closes a Blue referral (no MASH response), with a reason."""
    access, referral = _referral(request, hub_id, referral_id, Action.REFERRAL_CLOSE)
    hub = access.hub
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            triage.referral_close_no_response(referral=referral, by=request.user, reason=form.cleaned_data["reason"])
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, gettext("Referral %(reference)s closed: no MASH response") % {"reference": referral.reference}
            )
            return redirect("referral-detail", hub.id, referral.id)
    log_read(AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=[referral.id])
    title = gettext("Close referral %(reference)s: no MASH response") % {"reference": referral.reference}
    return render(request, "agencies/form_page.html", {"hub": hub, "form": form, "title": title})


@require_GET
def manager_dashboard(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.DASHBOARD_VIEW).hub
    now = timezone.now()
    figures = selectors.dashboard_figures(hub, now)
    oldest = figures["oldest"]
    # The counts are not personal data; the oldest referral's reference is, so it is logged as shown.
    log_read(
        AuditAction.REFERRAL_LISTED,
        hub=hub,
        object_type=OBJECT_TYPE,
        ids=[oldest.id] if oldest else [],
        view="manager_dashboard",
    )
    statuses = dict(ReferralStatus.choices)
    return render(
        request,
        "referrals/dashboard.html",
        {
            "hub": hub,
            "figures": figures,
            "now": now,
            # Each figure links to the queue filtered to what it counts (UNRATED: the queue's "not rated").
            "by_rating": [(r, r or selectors.UNRATED, figures["by_rating"][r]) for r in [*Rating.values, ""]],
            "by_status": [(s, statuses[s], n) for s, n in figures["by_status"].items()],
            "today": timezone.localdate(now),
            "week_start": timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday()),
            # Sections of the apps above this one (decisions/): settings.DASHBOARD_PANELS.
            "panels": [import_string(path)(request, hub) for path in settings.DASHBOARD_PANELS],
        },
    )


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    rows = selectors.notifications_of(request.user, limit=50)
    log_read(AuditAction.NOTIFICATION_LISTED, hub=None, object_type="referrals.notification", ids=[n.id for n in rows])
    return render(request, "referrals/notifications.html", {"notifications": rows})


@require_GET
def thresholds(request: HttpRequest, hub_id) -> HttpResponse:
    """The hub's current thresholds for children and adults, with each cohort's earlier versions: every member of
    the hub may read what referrals are screened against."""
    hub = hub_access(request, hub_id, Action.HUB_VIEW).hub
    cohorts = [
        (value, label, selectors.thresholds_current(hub, value), selectors.threshold_versions(hub, value))
        for value, label in ReferralCohort.choices
    ]
    return render(
        request,
        "referrals/thresholds.html",
        {"hub": hub, "cohorts": cohorts},
    )


@require_http_methods(["GET", "POST"])
def thresholds_publish(request: HttpRequest, hub_id, cohort: str) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.THRESHOLDS_PUBLISH).hub
    if cohort not in ReferralCohort.values:
        raise Http404(gettext("No such cohort"))
    current = selectors.thresholds_current(hub, cohort)
    form = ThresholdsForm(request.POST or None, initial={"levels": thresholds_as_text(current.levels)})
    if request.method == "POST" and form.is_valid():
        try:
            version = triage.thresholds_publish(
                hub=hub, cohort=cohort, levels=form.cleaned_data["levels"], by=request.user,
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except SERVICE_ERRORS as error:
            form.add_service_errors(error)
        else:
            if version.cohort == ReferralCohort.CHILD:
                published = gettext("Version %(number)s of the child thresholds published; new screenings use it")
            else:
                published = gettext("Version %(number)s of the adult thresholds published; new screenings use it")
            messages.success(request, published % {"number": version.number})
            return redirect("thresholds", hub.id)
    number = current.number + 1 if current.pk else 1  # the defaults are read, not published, until first used
    if cohort == ReferralCohort.CHILD:
        title = gettext("Publish child thresholds (version %(number)s)") % {"number": number}
    else:
        title = gettext("Publish adult thresholds (version %(number)s)") % {"number": number}
    return render(request, "agencies/form_page.html", {"hub": hub, "form": form, "title": title})
