"""The service navigation for the signed-in user: which hub they are in and the pages their roles open."""

from django.conf import settings
from django.urls import reverse

from agencies import selectors
from agencies.models import Role
from agencies.permissions import POLICY, Action

# The roles that hold referral CREATE and VIEW (referrals.permissions.POLICY; agencies sits below referrals and does
# not import it: tests/referrals/test_views.py checks the two stay equal).
REFERRAL_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY})
REPORT_ROLES = POLICY[Action.VIEW_REPORTS]


def navigation(request):
    service = {"service_name": settings.SERVICE_NAME, "service_phase": settings.SERVICE_PHASE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return service
    roles = selectors.roles_of(user)
    hub_id = getattr(getattr(request, "resolver_match", None), "kwargs", {}).get("hub_id")
    hubs = {r.hub.id: r.hub for r in roles}
    hub = hubs.get(hub_id) or (next(iter(hubs.values())) if len(hubs) == 1 else None)
    path = request.path
    items = [{"text": "Home", "href": reverse("home")}]
    if hub is not None:
        items += [
            {"text": "Hub", "href": reverse("hub-profile", args=[hub.id])},
            {"text": "Agencies", "href": reverse("hub-agencies", args=[hub.id])},
            {"text": "Agreements", "href": reverse("hub-agreements", args=[hub.id])},
            {"text": "Funding", "href": reverse("hub-funding", args=[hub.id])},
            {"text": "People", "href": reverse("hub-people", args=[hub.id])},
        ]
    if hub is not None and any(r.hub_id == hub.id and r.role in REFERRAL_ROLES for r in roles):
        items[1:1] = [
            {"text": "Queue", "href": reverse("triage-queue", args=[hub.id])},
            {"text": "Referrals", "href": reverse("referral-list", args=[hub.id])},
        ]
    if hub is not None and any(r.hub_id == hub.id and r.role in (Role.MANAGER, Role.DEPUTY) for r in roles):
        items.append({"text": "Dashboard", "href": reverse("manager-dashboard", args=[hub.id])})
        items.append({"text": "Sign-off", "href": reverse("sign-off-queue", args=[hub.id])})
        items.append({"text": "Audit trail", "href": reverse("audit-trail", args=[hub.id])})
        items.append({"text": "Inspection lists", "href": reverse("inspection-lists", args=[hub.id])})
    if hub is not None and any(r.hub_id == hub.id and r.role in REPORT_ROLES for r in roles):
        items.append({"text": "Returns", "href": reverse("returns", args=[hub.id])})
    if hub is not None and any(r.hub_id == hub.id and r.role == Role.AGENCY_OFFICER for r in roles):
        items.insert(1, {"text": "Requests", "href": reverse("officer-queue", args=[hub.id])})
    if any(r.role in REFERRAL_ROLES for r in roles):
        items.append({"text": "Notifications", "href": reverse("notifications")})
    if user.is_superuser or any(r.role == Role.HUB_ADMIN for r in roles):
        items.append({"text": "Administration", "href": reverse("admin:index")})
    # The item whose address is the longest prefix of this page's is the one the page belongs to.
    best = max((i for i in items if path.startswith(i["href"])), key=lambda i: len(i["href"]), default=None)
    for item in items:
        item["current"] = item is best and item["href"] == path
        item["active"] = item is best and item["href"] != path
    return {**service, "nav_items": items, "current_hub": hub, "my_roles": roles}
