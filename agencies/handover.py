"""Handing the accountable manager's role to a successor: the only way the hub's one accountable manager changes.

A hub always has exactly one accountable manager (the database allows one; `role_revoke` refuses removing them), so
the change is one step: the successor gains the role as the outgoing manager loses it, in one transaction, with the
reason. A successor who was the deputy stops being deputy (a deputy acts for the manager, not for themselves). The
policy's rules for roles apply to the new role: only a hub administrator hands it over, never to themselves, and a
hub administrator cannot take a case role in the hub they administer.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Role, RoleAssignment
from agencies.selectors import NO_ACTIVE_ACCOUNT, active_user
from agencies.services import check_roles_apart, record_change, role_change_allowed, role_end, role_start
from audit.events.actions import AuditAction
from audit.events.payloads import ManagerHandedOver
from mash.errors import Conflict
from mash.schemas import Schema, Text, validated


class HandOverSchema(Schema):
    """Who takes over, and why the role changes hands."""

    unknown = _("This field is not part of a handover: send successor and reason")

    successor = Text(limit=150, required=_("Enter the username of the person who will be accountable manager"))
    reason = Text(
        limit=2000,
        required=_("Enter why the role is being handed over"),
        too_long=_("Keep the reason to 2,000 characters"),
    )


def _successor(username: str, outgoing: RoleAssignment):
    user = active_user(username)
    if user is None:
        raise ValidationError({"successor": NO_ACTIVE_ACCOUNT})
    if user.pk == outgoing.user_id:
        raise ValidationError(
            {"successor": gettext("This person is already the accountable manager: choose their successor")}
        )
    return user


@transaction.atomic
def manager_hand_over(*, assignment: RoleAssignment, data: dict, by=None) -> RoleAssignment:
    """Make the person named in `data["successor"]` the hub's accountable manager in place of `assignment`'s holder,
    for `data["reason"]`. Returns the successor's new role. Bad input is a ValidationError by field; a role that is
    not (or no longer) the hub's accountable manager is a Conflict; the policy's refusal is Refused."""
    values = validated(HandOverSchema, data)
    outgoing = RoleAssignment.objects.select_for_update().select_related("hub", "user").filter(pk=assignment.pk).first()
    if outgoing is None or outgoing.role != Role.MANAGER:
        raise Conflict(
            gettext("This person is no longer the hub's accountable manager: the role has changed hands already")
        )
    hub = outgoing.hub
    successor = _successor(values["successor"], outgoing)
    incoming = RoleAssignment(hub=hub, user=successor, role=Role.MANAGER, granted_by=by)
    role_change_allowed(assignment=outgoing, by=by)
    role_change_allowed(assignment=incoming, by=by)  # nobody makes themselves accountable manager
    try:
        check_roles_apart(hub, successor, Role.MANAGER)
    except ValidationError as error:
        raise ValidationError({"successor": error.message_dict["role"]}) from None
    deputy = RoleAssignment.objects.select_for_update().filter(hub=hub, user=successor, role=Role.DEPUTY).first()
    for ended in (outgoing, deputy):
        if ended is not None:
            role_end(ended)
    role_start(incoming)
    record_change(
        AuditAction.MANAGER_HANDED_OVER,
        hub=hub,
        obj=incoming,
        payload=ManagerHandedOver(
            from_user_id=str(outgoing.user_id),
            to_user_id=str(successor.pk),
            reason=values["reason"],
            deputy_role_ended=deputy is not None,
        ),
    )
    return incoming
