"""The service navigation for the signed-in person: which hub they are in, the pages their access opens, and that
access itself for the templates' `{% may %}` (agencies/templatetags/access.py). Each item is shown by the same
policy that guards its page."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import access_for, assignments_of
from agencies.models import Role
from agencies.policy import Action, may

# (label, URL name, the action that opens the page), in the order shown after the hub's own pages.
HUB_PAGES = [
    (_("Requests"), "officer-queue", Action.REQUEST_LIST),
    (_("Queue"), "triage-queue", Action.REFERRAL_LIST),
    (_("Referrals"), "referral-list", Action.REFERRAL_LIST),
    (_("Find a person"), "people-search", Action.PERSON_SEARCH),
    (_("Hub"), "hub-profile", Action.HUB_VIEW),
    (_("Agencies"), "hub-agencies", Action.HUB_VIEW),
    (_("Agreements"), "hub-agreements", Action.HUB_VIEW),
    (_("Funding"), "hub-funding", Action.HUB_VIEW),
    (_("People"), "hub-people", Action.HUB_VIEW),
    (_("Dashboard"), "manager-dashboard", Action.DASHBOARD_VIEW),
    (_("Sign-off"), "sign-off-queue", Action.SIGN_OFF_QUEUE_VIEW),
    (_("Audit trail"), "audit-trail", Action.AUDIT_TRAIL_VIEW),
    (_("Inspection lists"), "inspection-lists", Action.INSPECTION_LISTS),
    (_("Returns"), "returns", Action.RETURNS_VIEW),
]
CASE_READERS = {Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY}
# Pages whose address sits under no item of their own (/hubs/<hub>/handovers/ would fall under "Hub", whose address is
# the hub's): the item they belong to, by URL name.
BELONGS_TO = {"officer-actions": "officer-queue", "officer-handovers": "officer-queue", "officer-sent": "officer-queue",
              "evidence": "returns"}  # fmt: skip


def _access(user, hub_id):
    try:
        return access_for(user, hub_id)
    except Http404:
        return None


def navigation(request):
    # The language switch names each language in itself ("English", "Cymraeg"), whatever the page's language.
    service = {"service_name": settings.SERVICE_NAME, "service_phase": settings.SERVICE_PHASE,
               "languages_offered": settings.LANGUAGES}  # fmt: skip
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return service
    roles = assignments_of(user)
    hub_id = getattr(getattr(request, "resolver_match", None), "kwargs", {}).get("hub_id")
    hubs = {r.hub.id: r.hub for r in roles}
    hub = hubs.get(hub_id) or (next(iter(hubs.values())) if len(hubs) == 1 else None)
    access = _access(user, hub.id) if hub is not None else None
    path = request.path
    items = [{"text": _("Home"), "href": reverse("home")}]
    if access is not None:
        items += [{"text": text, "href": reverse(name, args=[hub.id])} for text, name, action in HUB_PAGES
                  if may(access, action)]  # fmt: skip
    if any(r.role in CASE_READERS for r in roles):
        items.append({"text": _("Notifications"), "href": reverse("notifications")})
    if user.is_superuser or any(r.role == Role.HUB_ADMIN for r in roles):
        items.append({"text": _("Administration"), "href": reverse("admin:index")})
    # The item whose address is the longest prefix of this page's is the one the page belongs to.
    best = max((i for i in items if path.startswith(i["href"])), key=lambda i: len(i["href"]), default=None)
    if (owner := BELONGS_TO.get(getattr(request.resolver_match, "url_name", None))) and hub is not None:
        best = next((i for i in items if i["href"] == reverse(owner, args=[hub.id])), best)
    for item in items:
        item["current"] = item is best and item["href"] == path
        item["active"] = item is best and item["href"] != path
    return {**service, "nav_items": items, "current_hub": hub, "my_roles": roles, "access": access}
