"""Who may do what in a hub: one policy table, mirrored into django-guardian object permissions on the hub.

Each role's group in a hub is granted the hub permissions of the actions its role may take (services.py keeps
that in step), so a check is `user.has_perm(codename, hub)`. Tests are generated from POLICY. An action missing
from the table raises KeyError: nothing is allowed by omission.
"""

from django.db import models

from agencies.models import Role


class Action(models.TextChoices):
    VIEW_HUB = "hub.view", "See the hub profile, agencies, agreements and funding"
    CONFIGURE_HUB = "hub.configure", "Change the hub's configuration, agreements, funding and people"
    VIEW_CASE_DATA = "case.view", "See referrals and case data"
    VIEW_REPORTS = "reports.view", "See the hub's returns"


ALL_ROLES = frozenset(Role)

POLICY: dict[Action, frozenset[Role]] = {
    Action.VIEW_HUB: ALL_ROLES,
    # Hub administrators configure the hub and never see case data; strategic leads see returns, never personal data.
    Action.CONFIGURE_HUB: frozenset({Role.HUB_ADMIN}),
    Action.VIEW_CASE_DATA: frozenset({Role.PRACTITIONER, Role.AGENCY_OFFICER, Role.MANAGER, Role.DEPUTY}),
    Action.VIEW_REPORTS: frozenset({Role.STRATEGIC_LEAD, Role.MANAGER, Role.DEPUTY}),
}

# The guardian permission on Hub that stands for each action.
HUB_PERMISSION: dict[Action, str] = {
    Action.VIEW_HUB: "view_hub",
    Action.CONFIGURE_HUB: "configure_hub",
    Action.VIEW_CASE_DATA: "view_case_data",
    Action.VIEW_REPORTS: "view_reports",
}


def hub_permissions_for(role: Role) -> set[str]:
    """The Hub permission codenames that the group of `role` holds on its hub."""
    return {HUB_PERMISSION[action] for action, roles in POLICY.items() if role in roles}


def can(user, action: Action, hub) -> bool:
    """Whether `user` may take `action` in `hub`. Inactive and anonymous users may do nothing."""
    codename = HUB_PERMISSION[Action(action)]
    if not (user.is_authenticated and user.is_active):
        return False
    return user.has_perm(f"agencies.{codename}", hub)


def acts_as_manager(user, hub, at=None) -> bool:
    """The hub's accountable manager, or its deputy inside the delegation period (never by group permission alone)."""
    from django.utils import timezone

    from agencies.models import RoleAssignment

    if not (user.is_authenticated and user.is_active):
        return False
    at = at or timezone.now()
    assignments = RoleAssignment.objects.filter(hub=hub, user=user, role__in=[Role.MANAGER, Role.DEPUTY])
    return any(a.acts_as_manager(at) for a in assignments)
