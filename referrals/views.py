"""Referral pages: the hub's list, recording a referral taken by phone or email, and one referral. Views parse, call
one service or selector, and render; what each page shows is logged as a read."""

from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from agencies import selectors as hub_selectors
from agencies.access import hub_access
from agencies.models import Role
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.errors import SERVICE_ERRORS
from mash.paging import window_page
from mash.paths import path_for_each
from referrals import acknowledgement, matching, selectors, services
from referrals.forms import AmendmentForm, ReferralFilterForm, ReferralForm
from referrals.link_views import match_forms
from referrals.models import AdultRiskType, ChildConcern, Person, PersonRole, Referral, ReferralCohort, ReferralStatus
from referrals.people_form import initial_from, people_change
from referrals.person_blocking import day_month_swapped
from referrals.person_search import postcode_q
from referrals.schemas import referral_clean
from referrals.versions import changes, dataset_of, form_values

PAGE_SIZE = 50
OBJECT_TYPE = "referrals.referral"


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d")


def _typed_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date of birth, no time
        except ValueError:
            continue
    return None


def _search(referrals: QuerySet[Referral], *, search, status, cohort, channel, immediate_risk) -> QuerySet[Referral]:
    """The search box finds a reference, anyone named in the referral by a name or part of one (the given and family
    names typed together too), a postcode or its start, a date of birth (its day and month swapped too) or an NHS
    number. Spellings and sound-alikes are the person search's (referrals/person_search.py)."""
    if search:
        digits = search.replace(" ", "").replace("-", "")
        named = Person.objects.filter(referral=OuterRef("pk"))
        names = Q(family_name__icontains=search) | Q(given_name__icontains=search)
        if len(words := search.split()) > 1:
            names |= Q(given_name__icontains=words[0], family_name__icontains=" ".join(words[1:]))
        match = Q(reference__icontains=search) | Q(Exists(named.filter(names)))
        if digits.isdigit():
            match |= Q(Exists(named.filter(nhs_number=digits)))
        if (postcode := postcode_q(search)) is not None:
            match |= Q(Exists(named.filter(postcode)))
        if born := _typed_date(search):
            match |= Q(Exists(named.filter(date_of_birth__in=[born, day_month_swapped(born) or born])))
        referrals = referrals.filter(match)
    for field, value in (("status", status), ("cohort", cohort), ("channel", channel)):
        if value:
            referrals = referrals.filter(**{field: value})
    if immediate_risk is not None:
        referrals = referrals.filter(immediate_risk=immediate_risk)
    return referrals


def referral_list(request: HttpRequest, hub_id) -> HttpResponse:
    access = hub_access(request, hub_id, Action.REFERRAL_LIST)
    hub = access.hub
    form = ReferralFilterForm(request.GET)
    form.is_valid()  # every filter is optional; a value that is not a choice is shown as an error and ignored
    referrals = _search(selectors.referrals_visible_to(access), **form.filters())
    referrals = referrals.prefetch_related(
        Prefetch("persons", queryset=Person.objects.filter(role=PersonRole.SUBJECT), to_attr="subjects")
    ).order_by("-received_at", "reference")
    page = window_page(referrals, PAGE_SIZE, request.GET.get("page"))
    rows = list(page.object_list)
    log_read(AuditAction.REFERRAL_LISTED, hub=hub, object_type=OBJECT_TYPE, ids=[r.id for r in rows], page=page.number)
    detail = path_for_each("referral-detail", hub.id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/list.html",
        {
            "hub": hub,
            "form": form,
            "page": page,
            "rows": [(r, r.subjects[0] if r.subjects else None, detail(r.id)) for r in rows],
            "query": query.urlencode(),
            "filtered": any(form.cleaned_data.get(name) for name in form.fields),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.REFERRAL_CREATE).hub
    if request.method == "GET":
        now = timezone.localtime()
        form = ReferralForm(initial={"received_date": now.date().isoformat(), "received_time": now.strftime("%H:%M")})
        return render(request, "referrals/new.html", {"hub": hub, "form": form})
    if change := people_change(request.POST):
        return _people_changed(request, hub, *change)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            referral = services.referral_create(
                hub=hub, data=form.dataset(), channel=form.cleaned_data["channel"], recorded_by=request.user
            )
        except SERVICE_ERRORS as error:
            form.add_dataset_errors(error)
        else:
            messages.success(request, gettext("Referral %(reference)s recorded") % {"reference": referral.reference})
            return redirect("referral-detail", hub.id, referral.id)
    else:
        # The channel, date or time needs fixing first; show the dataset's other messages now too. Nothing is stored.
        try:
            referral_clean(form.dataset(), hub=hub)
        except SERVICE_ERRORS as error:
            form.add_dataset_errors(error)
    return render(request, "referrals/new.html", {"hub": hub, "form": form})


def _people_changed(request: HttpRequest, hub, data, focus, form_class=ReferralForm, **context) -> HttpResponse:
    """The form again after "Add another person" or "Remove": what was typed kept, no messages yet, nothing stored."""
    form = form_class(initial=initial_from(form_class(data)), focus=focus)
    return render(request, "referrals/new.html", {"hub": hub, "form": form, **context})


@require_http_methods(["GET", "POST"])
def referral_amend(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    """A new version of a recorded referral, with the reason (the practitioner's or the manager's)."""
    access = hub_access(request, hub_id)
    hub = access.hub
    referral = selectors.referral_for(access, referral_id)
    require(access, Action.REFERRAL_AMEND, referral)
    context = {"referral": referral, "amending": True}
    if not referral.can("amend"):
        referral.amend()  # Conflict: the page says why (409)
    if request.method == "GET":
        form = AmendmentForm(initial=form_values(dataset_of(referral)))
        return render(request, "referrals/new.html", {"hub": hub, "form": form, **context})
    if change := people_change(request.POST):
        return _people_changed(request, hub, *change, form_class=AmendmentForm, **context)
    form = AmendmentForm(request.POST)
    valid = form.is_valid()  # the form's own checks: a date typed wrong, a choice not offered
    amendment = {"referral": referral, "data": form.dataset(), "reason": form.cleaned_data.get("reason", "")}
    try:
        if not valid:  # the date needs fixing first; show the dataset's other messages now too. Nothing changes.
            services.amendment_clean(**amendment)
        else:
            version = services.referral_amend(by=request.user, **amendment)
            messages.success(
                request,
                gettext("Referral %(reference)s amended: version %(number)s")
                % {"reference": referral.reference, "number": version.number},
            )
            return redirect("referral-detail", hub.id, referral.id)
    except ValidationError as error:  # a Conflict (closed meanwhile) is the 409 page
        form.add_dataset_errors(error)
    return render(request, "referrals/new.html", {"hub": hub, "form": form, **context})


def _concern_labels(referral: Referral) -> list[str]:
    kind = ChildConcern if referral.cohort == ReferralCohort.CHILD else AdultRiskType
    labels = dict(kind.choices)
    return [labels.get(value, value) for value in referral.concerns]


def referral_detail(request: HttpRequest, hub_id, referral_id) -> HttpResponse:
    access = hub_access(request, hub_id)
    hub = access.hub
    referral = selectors.referral_for(access, referral_id)
    persons = sorted(referral.persons.all(), key=lambda p: (p.role != PersonRole.SUBJECT, p.role, p.family_name))
    matches, earlier = selectors.matches_of(referral)
    match_forms(access, referral, matches)
    index = selectors.links_panel(referral)
    answers = {link.match_id: link for link in [*index["links"], *index["undone_links"]] if link.match_id}
    for match in matches:
        match.answer = answers.get(match.pk)
    log_read(AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=[referral.id])
    return render(
        request,
        "referrals/detail.html",
        {
            "hub": hub,
            "referral": referral,
            "persons": persons,
            "subject": selectors.subject_of(referral),
            "concerns": _concern_labels(referral),
            "is_child": referral.cohort == ReferralCohort.CHILD,
            "matches": matches,
            "earlier": earlier,
            "re_referral": matching.is_re_referral(referral, earlier),
            **index,
            "may_link": may(access, Action.MATCH_DECIDE, referral),
            "versions": [(v, changes(v.before, v.after)) for v in referral.versions.select_related("by")],
            "red_sibling": selectors.household_red_sibling(referral),
            "referrer_told": acknowledgement.told_of(referral),
            **_triage_context(access, referral),
            # Sections of the apps above this one (decisions/): docs/adr/0003-referral-page-panels.md
            "panels": [import_string(path)(request, hub, referral) for path in settings.REFERRAL_PAGE_PANELS],
        },
    )


def household_detail(request: HttpRequest, hub_id, household_id) -> HttpResponse:
    """One household: each child's referral (the Red ones first), the adults and regular visitors once with their
    relationship to each child, and what to do next: screen each child not yet rated, ask agencies once."""
    access = hub_access(request, hub_id)
    hub = access.hub
    page = selectors.household_for(access, household_id)
    ids = [c["referral"].id for c in page["children"]]
    log_read(AuditAction.REFERRAL_VIEWED, hub=hub, object_type=OBJECT_TYPE, ids=ids, view="household")
    outcome_label = import_string(settings.OUTCOME_LABEL)  # the decisions app's words (docs/adr/0003)
    for child in page["children"]:
        referral = child["referral"]
        child["age"] = child["subject"].age_on(timezone.localdate()) if child["subject"] else gettext("Not known")
        child["outcome"] = outcome_label(referral.cohort, referral.outcome, hub.procedures) if referral.outcome else ""
        child["can_screen"] = referral.is_open and not referral.rating and may(access, Action.REFERRAL_SCREEN, referral)
    askable = [c["referral"] for c in page["children"] if c["referral"].can_request_information()]
    can_ask = bool(askable) and all(may(access, Action.INFORMATION_REQUEST, r) for r in askable)
    asked = any(r.status == ReferralStatus.AWAITING_INFORMATION for r in askable)  # more agencies may still be asked
    context = {"hub": hub, **page, "can_ask": can_ask, "asked": asked, "now": timezone.now()}
    # Sections of the apps above this one (decisions/: the household's case notes), as on the referral page.
    context["panels"] = [
        import_string(path)(request, hub, page["household"]) for path in settings.HOUSEHOLD_PAGE_PANELS
    ]
    return render(request, "referrals/household.html", context)


ASSIGNABLE_ROLES = (Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY)


def _triage_context(access, referral: Referral) -> dict:
    """The referral page's triage section: rating, level, assignee, deadlines and screenings, and the people the
    referral may be assigned to (asked only when the reader may assign it)."""
    assignable = []
    if referral.is_open and may(access, Action.REFERRAL_ASSIGN, referral):
        people = {a.user_id: a.user for a in hub_selectors.people_of(access.hub) if a.role in ASSIGNABLE_ROLES}
        assignable = [user for user in people.values() if user.is_active and user.pk != referral.assigned_to_id]
    return {**selectors.referral_triage(referral), "assignable": assignable, "now": timezone.now()}
