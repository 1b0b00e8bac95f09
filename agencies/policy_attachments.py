"""The policy rows of attachments and core documents' files, kept beside the table (agencies/policy.py imports this
module, which adds them to POLICY; the table was near its size limit). An attachment is seen by whoever may see what it belongs to: its
referral (`REFERRAL_VIEW`), its contribution (`CONTRIBUTION_VIEW`: an officer sees only their own agency's) or its
case note (`NOTE_VIEW`). Outside that scope it is a 404, as its owner would be."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q

from agencies import policy as p

# What an attachment belongs to → the action that sees it, and the model (read lazily: agencies sits below them).
OWNERS = {
    "referral": (p.Action.REFERRAL_VIEW, "referrals.Referral"),
    "contribution": (p.Action.CONTRIBUTION_VIEW, "decisions.Contribution"),
    "note": (p.Action.NOTE_VIEW, "decisions.CaseNote"),
}


def _owner(obj):
    for field, (action, _model) in OWNERS.items():
        if getattr(obj, f"{field}_id", None):
            return action, getattr(obj, field)
    return None, None


@dataclass(frozen=True)
class OwnerInScope(p.Condition):
    """What the attachment belongs to is within the person's scope (otherwise the attachment is a 404 too)."""

    def holds(self, access, obj) -> bool:
        if obj is None:
            return True
        action, owner = _owner(obj)
        return action is not None and p.in_scope(access, action, owner)

    def q(self, access) -> Q:
        q = p.NOTHING
        for field, (action, model) in OWNERS.items():
            seen = p.scoped(access, action, apps.get_model(model).objects.all()).values("pk")
            q |= Q(**{f"{field}__in": seen})
        return q


@dataclass(frozen=True)
class OwnerAllowed(p.Condition):
    """The person may see what the attachment belongs to now (a current agreement, say): refused with its reason."""

    refuses = True

    def holds(self, access, obj) -> bool:
        if obj is None:
            return True
        action, owner = _owner(obj)
        return action is not None and p.may(access, action, owner)

    def q(self, access) -> Q:
        return p.EVERYTHING  # OwnerInScope's scoped querysets already apply every condition

    def reason(self, access, obj) -> str | None:
        action, owner = _owner(obj)
        return p.refusal(access, action, owner).reason if action else None


RULES = {
    p.Action.ATTACHMENT_ADD: p.Rule(
        (p.Grant(p.STAFF),), "Only the hub's practitioners and managers attach files to a referral", **p.ON_REFERRAL
    ),
    p.Action.ATTACHMENT_VIEW: p.Rule(
        (p.Grant(p.STAFF | p.OFFICERS, (OwnerInScope(), OwnerAllowed())),),
        "Only those who may see what the file belongs to may download it",
        hub="hub_id",
    ),
    # Core documents are the hub's own papers: every member of the hub reads them (as the hub's profile).
    p.Action.DOCUMENT_VIEW: p.Rule(
        (p.Grant(p.EVERYONE),), "Only the hub's members see its core documents", hub="document.hub_id"
    ),
}
p.POLICY.update(RULES)
