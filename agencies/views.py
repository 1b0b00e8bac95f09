"""Hub pages: profile, agencies, agreements, funding and people. Readable by every member of the hub, editable by
its hub administrators. Views parse, call one service or selector, and render."""

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies import document_files, handover, selectors, services
from agencies.access import access_for, assignments_of, hub_access
from agencies.forms import (
    DocumentVersionForm,
    FundingForm,
    HandOverForm,
    HubForm,
    MembershipForm,
    RoleGrantForm,
    SignatureForm,
)
from agencies.models import Agency, DocumentVersion, FundingContribution, Role, RoleAssignment, financial_year_of
from agencies.policy import Action
from mash.downloads import file_response
from mash.errors import SERVICE_ERRORS, Conflict, Refused
from mash.tasks import last_heartbeat


def home(request: HttpRequest) -> HttpResponse:
    roles = assignments_of(request.user)
    hubs: dict = {}
    for assignment in roles:
        if assignment.role == Role.AGENCY_OFFICER:
            access = access_for(request.user, assignment.hub_id)
            assignment.missing_agreement = access.agreement_problem(assignment.agency_id)
        hubs.setdefault(assignment.hub, []).append(assignment)
    beat = last_heartbeat()
    return render(
        request,
        "agencies/home.html",
        {
            "hubs": hubs,
            "role_names": {r.role for r in roles},
            "beat": beat,
            "beat_stale": beat is None or (timezone.now() - beat).total_seconds() > 180,
        },
    )


def _form_page(request: HttpRequest, form, context: dict) -> HttpResponse:
    """The form again, with its errors (403 when the policy refused the change)."""
    return render(request, "agencies/form_page.html", context, status=getattr(form, "http_status", 200))


def _save_form(
    request: HttpRequest, form, save: Callable[[dict], object], success: str, message: str | Callable[[object], str]
) -> HttpResponse | None:
    """Validate `form`, call the service through `save`, and redirect; None means render the form again. `message`
    may be made from what `save` returned."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except SERVICE_ERRORS as error:
        form.add_service_errors(error)
        return None
    except Refused as refused:  # the policy refuses this person (their own role, say): 403, said on the form
        form.add_error(None, refused.reason)
        form.http_status = 403
        return None
    messages.success(request, message(saved) if callable(message) else message)
    return redirect(success)


def hub_profile(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_VIEW).hub
    return render(
        request,
        "agencies/hub_profile.html",
        {
            "hub": hub,
            "memberships": selectors.memberships_of(hub),
            "manager": hub.roles.filter(role=Role.MANAGER).select_related("user").first(),
            "deputy": hub.roles.filter(role=Role.DEPUTY).select_related("user").first(),
            "acting": selectors.manager_acting(hub),
        },
    )


@require_http_methods(["GET", "POST"])
def hub_edit(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_CONFIGURE).hub
    form = HubForm(request.POST or None, instance=hub)
    done = _save_form(
        request,
        form,
        lambda data: services.hub_update(hub=hub, data=data, by=request.user),
        reverse("hub-profile", args=[hub.id]),
        _("Hub profile saved"),
    )
    return done or _form_page(request, form, {"hub": hub, "form": form, "title": _("Change hub profile")})


def hub_agencies(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_VIEW).hub
    _, rows = selectors.agreements_overview(hub)
    isa_state = {
        row.membership.agency_id: next((state for doc, state, _ in row.statuses if doc.kind == "isa"), None)
        for row in rows
    }
    return render(
        request,
        "agencies/agencies.html",
        {
            "hub": hub,
            "rows": [(row.membership, isa_state[row.membership.agency_id]) for row in rows],
        },
    )


@require_http_methods(["GET", "POST"])
def hub_agency_add(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_CONFIGURE).hub
    form = MembershipForm(request.POST or None)
    done = _save_form(
        request,
        form,
        lambda data: services.membership_set(hub=hub, agency=data["agency"], kind=data["kind"], by=request.user),
        reverse("hub-agencies", args=[hub.id]),
        _("Agency membership saved"),
    )
    return done or _form_page(
        request, form, {"hub": hub, "form": form, "title": _("Add or change an agency's membership")}
    )


def hub_agreements(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_VIEW).hub
    documents, rows = selectors.agreements_overview(hub)
    today = timezone.localdate()
    return render(
        request,
        "agencies/agreements.html",
        {
            "hub": hub,
            "documents": documents,
            "rows": rows,
            "today": today,
            "soon": today + timedelta(days=30),
        },
    )


@require_http_methods(["GET", "POST"])
def document_version_new(request: HttpRequest, hub_id, document_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_CONFIGURE).hub
    document = get_object_or_404(hub.documents, pk=document_id)
    form = DocumentVersionForm(request.POST or None, request.FILES or None)
    done = _save_form(
        request,
        form,
        lambda data: services.document_version_publish(document=document, by=request.user, **data),
        reverse("hub-agreements", args=[hub.id]),
        _("New version of %(title)s published") % {"title": document.title},
    )
    title = _("Publish a new version of %(title)s") % {"title": document.title}
    return done or _form_page(request, form, {"hub": hub, "form": form, "title": title, "multipart": True})


@require_GET
def document_file(request: HttpRequest, hub_id, version_id) -> HttpResponse:
    """A core document version's file, for members of the hub only (agencies/document_files.py), audited."""
    access = hub_access(request, hub_id)
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), pk=version_id,
                                document__hub=access.hub)  # fmt: skip
    data = document_files.document_file_download(version=version, access=access)
    return file_response(data, name=version.file_name or "document", content_type=version.file_type)


@require_http_methods(["GET", "POST"])
def signature_new(request: HttpRequest, hub_id, version_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_CONFIGURE).hub
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), pk=version_id, document__hub=hub)
    form = SignatureForm(request.POST or None, agencies=Agency.objects.filter(memberships__hub=hub))
    done = _save_form(
        request,
        form,
        lambda data: services.agreement_sign(version=version, by=request.user, **data),
        reverse("hub-agreements", args=[hub.id]),
        _("Signature recorded"),
    )
    title = _("Record a signature of %(title)s version %(number)s") % {
        "title": version.document.title,
        "number": version.number,
    }
    return done or _form_page(request, form, {"hub": hub, "form": form, "title": title})


def hub_funding(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_VIEW).hub
    rows = selectors.funding_of(hub)
    years: dict[int, list[FundingContribution]] = {}
    for row in rows:
        years.setdefault(row.financial_year, []).append(row)
    totals = {
        year: {
            "amount": sum((r.amount_gbp for r in items), start=0),
            "fte": sum((r.staff_fte for r in items), start=0),
        }
        for year, items in years.items()
    }
    return render(
        request,
        "agencies/funding.html",
        {
            "hub": hub,
            "years": [(year, items, totals[year]) for year, items in years.items()],
        },
    )


@require_http_methods(["GET", "POST"])
def funding_edit(request: HttpRequest, hub_id, funding_id=None) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_CONFIGURE).hub
    row = get_object_or_404(hub.funding, pk=funding_id) if funding_id else None
    initial = None if row else {"financial_year": financial_year_of(timezone.localdate())}
    form = FundingForm(
        request.POST or None, instance=row, initial=initial, agencies=Agency.objects.filter(memberships__hub=hub)
    )
    done = _save_form(
        request,
        form,
        lambda data: services.funding_record(hub=hub, contribution=row, by=request.user, **data),
        reverse("hub-funding", args=[hub.id]),
        _("Funding saved"),
    )
    title = _("Change funding: %(row)s") % {"row": row} if row else _("Add an agency's funding for a year")
    return done or _form_page(request, form, {"hub": hub, "form": form, "title": title})


def hub_people(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.HUB_VIEW).hub
    return render(
        request,
        "agencies/people.html",
        {
            "hub": hub,
            "people": selectors.people_of(hub),
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def role_grant(request: HttpRequest, hub_id) -> HttpResponse:
    hub = hub_access(request, hub_id, Action.ROLES_MANAGE).hub
    form = RoleGrantForm(request.POST or None, agencies=Agency.objects.filter(memberships__hub=hub))

    def save(data):
        return services.role_grant(
            hub=hub,
            user=data["user"],
            role=data["role"],
            agency=data["agency"],
            delegation_starts=data["delegation_starts"],
            delegation_ends=data["delegation_ends"],
            by=request.user,
        )

    done = _save_form(request, form, save, reverse("hub-people", args=[hub.id]), _("Role given"))
    return done or _form_page(request, form, {"hub": hub, "form": form, "title": _("Give someone a role")})


@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, hub_id, assignment_id) -> HttpResponse:
    """A confirmation page naming the person and the role (or why it cannot be removed); the removal on POST."""
    hub = hub_access(request, hub_id, Action.ROLES_MANAGE).hub
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "agency", "granted_by"), pk=assignment_id, hub=hub
    )
    services.role_change_allowed(assignment=assignment, by=request.user)  # not your own role: 403 before asking
    person = assignment.user.get_full_name() or assignment.user.username
    reason = services.role_revoke_conflict(assignment)
    if request.method == "POST" and reason is None:
        try:
            services.role_revoke(assignment=assignment, by=request.user)
        except Conflict as conflict:  # became the only manager since the page was shown
            reason = conflict.message
        else:
            role = assignment.get_role_display().lower()
            messages.success(request, _("%(person)s is no longer %(role)s") % {"person": person, "role": role})
            return redirect("hub-people", hub.id)
    context = {"hub": hub, "assignment": assignment, "person": person, "reason": reason}
    return render(
        request, "agencies/role_revoke.html", context, status=409 if reason and request.method == "POST" else 200
    )


@require_http_methods(["GET", "POST"])
def manager_hand_over(request: HttpRequest, hub_id, assignment_id) -> HttpResponse:
    """The accountable manager's role handed to a successor, with the reason: the only way it changes hands."""
    hub = hub_access(request, hub_id, Action.ROLES_MANAGE).hub
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user"), pk=assignment_id, hub=hub, role=Role.MANAGER
    )
    services.role_change_allowed(assignment=assignment, by=request.user)  # not your own role: 403 before asking
    form = HandOverForm(request.POST or None)
    outgoing = assignment.user.get_full_name() or assignment.user.username

    def said(role: RoleAssignment) -> str:
        return _("%(successor)s is now the accountable manager in place of %(outgoing)s") % {
            "successor": role.user.get_full_name() or role.user.username,
            "outgoing": outgoing,
        }

    done = _save_form(
        request,
        form,
        lambda data: handover.manager_hand_over(assignment=assignment, data=data, by=request.user),
        reverse("hub-people", args=[hub.id]),
        said,
    )
    if done:
        return done
    context = {"hub": hub, "form": form, "assignment": assignment, "outgoing": outgoing}
    return render(request, "agencies/hand_over.html", context, status=getattr(form, "http_status", 200))
