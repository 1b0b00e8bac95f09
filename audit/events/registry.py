"""The one check every audit event passes before it is written: a registered action, with the payload declared for it."""

from collections.abc import Mapping

from audit.events.actions import AuditAction, is_registered
from audit.events.payloads import PAYLOADS


class AuditEventError(TypeError, ValueError):
    """An event the registry does not declare: a programming error, raised before anything is written (a ValueError too,
    as an unknown action was before the registry)."""


def action_of(action: str) -> AuditAction:
    """The registered action for `action` (a member or its stored value); refuses any other."""
    if not is_registered(action):
        raise AuditEventError(f"Unknown audit action {action!r}: add it to audit/events/actions.py")
    return AuditAction(action)


def payload_type(action: str) -> type:
    return PAYLOADS[action_of(action)]


def check(action: str, payload: Mapping) -> AuditAction:
    """The registered action, if `payload` has every key the action's payload type requires and no other."""
    member = action_of(action)
    shape = PAYLOADS[member]
    keys = set(payload)
    missing = shape.__required_keys__ - keys
    unknown = keys - shape.__required_keys__ - shape.__optional_keys__
    if missing or unknown:
        problems = [f"missing {sorted(missing)}" if missing else "", f"undeclared {sorted(unknown)}" if unknown else ""]
        raise AuditEventError(
            f"Payload of {member.value!r} does not match {shape.__name__} (audit/events/payloads.py): "
            + ", ".join(p for p in problems if p)
        )
    return member
