"""The policy rows of attachments and core documents' files, kept beside the table (agencies/policy.py was near its
size limit). The table calls `rules(globals())` and adds the rows to POLICY: this module never imports it back (the
table's functions are read from its namespace when a row is asked, by then defined). An attachment is seen by whoever may see what it belongs to: its referral (`REFERRAL_VIEW`), its
contribution (`CONTRIBUTION_VIEW`: an officer sees only their own agency's) or its case note (`NOTE_VIEW`). Outside
that scope it is a 404, as its owner would be; in scope but not allowed (an agreement lapsed), the owner's refusal.

An agency's system (the API) attaches files to the referrals its agency sent (as the referral itself, never refused
for a missing agreement: a DASH form is part of the report) and to its agency's own contributions (as it answers
them); it reads back only what its agency gave: the files it attached to its referrals and the files of its
agency's contributions, while its agreement is current. The hub's own files on a referral are never shown to it."""

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# What an attachment belongs to → the action that sees it (its value) and its model (read lazily: the models live in
# the apps above agencies/).
OWNERS = {
    "referral": ("referral.view", "referrals.Referral"),
    "contribution": ("contribution.view", "decisions.Contribution"),
    "note": ("note.view", "decisions.CaseNote"),
}


def _owner(obj):
    for field, (action, _model) in OWNERS.items():
        if getattr(obj, f"{field}_id", None):
            return action, getattr(obj, field)
    return None, None


class _Table:
    """agencies/policy.py's names, read when used."""

    def __init__(self, names: dict):
        self._names = names

    def __getattr__(self, name):
        return self._names[name]


def rules(table: dict) -> dict:
    """The rows, built from the table's own parts (agencies/policy.py's namespace)."""
    p = _Table(table)

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

    class OwnerAllowed(p.Condition):
        """The person may see what the attachment belongs to now: refused with the owner's own reason."""

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

    class AgencyGaveIt(p.Condition):
        """For an agency's system: a file on one of its agency's contributions, or one its agency's system attached
        to a referral its agency sent."""

        def holds(self, access, obj) -> bool:
            if obj is None:
                return True
            if obj.contribution_id:
                return obj.contribution.agency_id in access.agency_ids
            if obj.referral_id and obj.added_by_client_id:
                return (
                    obj.referral.referring_agency_id in access.agency_ids
                    and obj.added_by_client.agency_id in access.agency_ids
                )
            return False

        def q(self, access) -> Q:
            ids = access.agency_ids
            return Q(contribution__agency_id__in=ids) | Q(
                referral__referring_agency_id__in=ids, added_by_client__agency_id__in=ids
            )

    return {
        p.Action.ATTACHMENT_ADD: p.Rule(
            (p.Grant(p.STAFF), p.Grant(p.SYSTEMS, (p.OwnAgency("referring_agency_id"),))),
            _(
                "Only the hub's practitioners and managers, or the referring agency's system, attach files to a referral"
            ),
            **p.ON_REFERRAL,
            api_scope="referrals:write",
        ),
        p.Action.ATTACHMENT_VIEW: p.Rule(
            (
                p.Grant(p.STAFF | p.OFFICERS, (OwnerInScope(), OwnerAllowed())),
                p.Grant(p.SYSTEMS, (AgencyGaveIt(), p.Agreement())),
            ),
            _("Only those who may see what the file belongs to may download it"),
            hub="hub_id",
            api_scope="referrals:read",
        ),
        p.Action.CONTRIBUTION_ATTACH: p.Rule(
            (p.Grant(p.SYSTEMS, p._agency("agency_id", p.WithinGrace())),),
            _("Only the agency's own system attaches files to its contribution"),
            hub="referral.hub_id",
            api_scope="contributions:write",
        ),
        # Core documents are the hub's own papers: every member of the hub reads them (as the hub's profile).
        p.Action.DOCUMENT_VIEW: p.Rule(
            (p.Grant(p.EVERYONE),), _("Only the hub's members see its core documents"), hub="document.hub_id"
        ),
    }
