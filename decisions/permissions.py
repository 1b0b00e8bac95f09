"""Who may do what with requests, contributions and decisions: one table, as referrals/permissions.py has.

Roles come from the person's assignments in the referral's hub. The manager's powers (override the agreement gate,
sign off, return, see restricted contributions) go to whoever *acts* as manager at the moment: the accountable
manager, or the deputy inside the delegation (agencies.permissions.acts_as_manager). An action missing from the
table raises KeyError: nothing is allowed by omission.
"""

from django.db import models

from agencies.models import Role, RoleAssignment
from agencies.permissions import acts_as_manager


class DecisionAction(models.TextChoices):
    REQUEST_INFORMATION = "request", "Ask agencies for their information"
    PROPOSE = "propose", "Propose or revise a joint decision"
    CONTRIBUTE = "contribute", "Contribute the agency's information"
    COMPLETE_ACTION = "complete_action", "Mark an agreed action done"
    MANAGE = "manage", "Override the gate, sign off or return a decision, see restricted information"


HUB_STAFF = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY})
MANAGING = "acting manager"  # not a role: the manager, or the deputy inside the delegation

POLICY: dict[DecisionAction, frozenset] = {
    DecisionAction.REQUEST_INFORMATION: HUB_STAFF,
    DecisionAction.PROPOSE: HUB_STAFF,
    DecisionAction.CONTRIBUTE: frozenset({Role.AGENCY_OFFICER}),
    DecisionAction.COMPLETE_ACTION: HUB_STAFF | {Role.AGENCY_OFFICER},
    DecisionAction.MANAGE: frozenset({MANAGING}),
}


def roles_in(user, hub, agency=None) -> set[str]:
    """The user's roles in the hub; with `agency`, an officer's role counts only for that agency."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return {
        a.role
        for a in RoleAssignment.objects.filter(hub=hub, user=user)
        if a.role != Role.AGENCY_OFFICER or agency is None or a.agency_id == getattr(agency, "pk", agency)
    }


def may(user, action: DecisionAction, hub, agency=None) -> bool:
    allowed = POLICY[DecisionAction(action)]
    if MANAGING in allowed and acts_as_manager(user, hub):
        return True
    return bool(roles_in(user, hub, agency) & allowed)


def officer_agencies(user, hub) -> set:
    """The ids of the agencies the user is an officer of in this hub."""
    if not (user.is_authenticated and user.is_active):
        return set()
    return set(
        RoleAssignment.objects.filter(hub=hub, user=user, role=Role.AGENCY_OFFICER).values_list("agency_id", flat=True)
    )
