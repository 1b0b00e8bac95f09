"""Who may do what: the one policy table of every action of the service, web and API alike.

Each action has a rule: the grants that allow it (which roles, or an agency's system, and on what conditions), the
sentence a person reads when it is refused, the path from an object to its hub, and the OAuth scope an agency's
system needs. `may(access, action, obj)` answers views, API endpoints, services and templates; `require` raises
Http404 when the object is outside the person's scope and `Refused` (403, with the reason) when they may see it but
not do this; `scoped` narrows a queryset to the objects the action allows, from the same conditions. An action
missing from the table raises KeyError: nothing is allowed by omission. The permission matrix test is generated
from this table (tests/agencies/test_policy_matrix.py).

`access` is the object agencies/access.py resolves once per request: the hub, the person's roles in it (or the
agency's system), whether they act as manager now, and their agencies with the standing of each one's information
sharing agreement.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies import policy_attachments
from agencies.actions import Action
from agencies.models import Role
from mash.errors import NoAgreement, Refused

AGENCY_SYSTEM = "agency_system"  # an agency's API client: not a role anyone can be given


def _get(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _lookup(path: str) -> str:
    return path.replace(".", "__")


NOTHING = Q(pk__in=[])
# Everything, as a condition that survives `|` (an empty Q() would vanish from an OR and narrow it instead).
EVERYTHING = Q(pk__isnull=False)


class Condition:
    """A test on the person and the object. Failing a scope condition puts the object outside the person's scope
    (404); failing a refusing one refuses them with a reason (403)."""

    refuses = False

    def holds(self, access, obj) -> bool:
        raise NotImplementedError

    def q(self, access) -> Q:
        raise NotImplementedError

    def reason(self, access, obj) -> str | None:
        return None


class ActingManager(Condition):
    """The accountable manager, or the deputy inside the delegation period, now."""

    refuses = True

    def holds(self, access, obj) -> bool:
        return access.acting_manager

    def q(self, access) -> Q:
        return EVERYTHING if access.acting_manager else NOTHING


@dataclass(frozen=True)
class OwnAgency(Condition):
    """The object's agency (at `path`) is one the officer works for, or the agency's system's own. No path: the
    person works for some agency of the hub."""

    path: str | None = None

    def holds(self, access, obj) -> bool:
        if obj is None or self.path is None:
            return bool(access.agency_ids)
        return _get(obj, self.path) in access.agency_ids

    def q(self, access) -> Q:
        return Q(**{f"{_lookup(self.path)}__in": access.agency_ids}) if self.path else EVERYTHING


@dataclass(frozen=True)
class Agreement(Condition):
    """That agency has signed the hub's information sharing agreement in force, not past its review: the gate for
    everything an agency's officer or system sees or does with case data."""

    path: str | None = None
    refuses = True

    def holds(self, access, obj) -> bool:
        if obj is None or self.path is None:
            return bool(access.agreed_agency_ids)
        return _get(obj, self.path) in access.agreed_agency_ids

    def q(self, access) -> Q:
        return Q(**{f"{_lookup(self.path)}__in": access.agreed_agency_ids}) if self.path else EVERYTHING

    def reason(self, access, obj) -> str | None:
        if obj is not None and self.path is not None:
            return access.agreement_problem(_get(obj, self.path))
        return next((p for p in access.agreement_problems().values() if p), None)


@dataclass(frozen=True)
class Shared(Condition):
    """A contribution shared with the hub's decision-makers: from the start, or restricted and then released."""

    def holds(self, access, obj) -> bool:
        return obj is None or obj.is_shared

    def q(self, access) -> Q:
        return Q(disclosure="shared") | Q(released_at__isnull=False)


@dataclass(frozen=True)
class WithinGrace(Condition):
    """An agency's view of a referral's people lasts until the hub's decision is signed off plus the hub's grace
    period (`Hub.officer_access_days`)."""

    referral: str = "referral"

    def holds(self, access, obj) -> bool:
        if obj is None:
            return True
        decided = _get(obj, self.referral).decided_at
        return decided is None or decided + timedelta(days=access.hub.officer_access_days) >= access.at

    def q(self, access) -> Q:
        decided = f"{_lookup(self.referral)}__decided_at"
        since = access.at - timedelta(days=access.hub.officer_access_days)
        return Q(**{f"{decided}__isnull": True}) | Q(**{f"{decided}__gte": since})


@dataclass(frozen=True)
class NotTheirOwn(Condition):
    """Separation of duties: the person at `path` (who proposed a decision, whose role it is) is not the actor."""

    path: str
    why: str
    refuses = True

    def holds(self, access, obj) -> bool:
        return obj is None or access.user is None or _get(obj, self.path) != access.user.pk

    def q(self, access) -> Q:
        return ~Q(**{_lookup(self.path): access.user.pk}) if access.user else EVERYTHING

    def reason(self, access, obj) -> str | None:
        return self.why


@dataclass(frozen=True)
class Grant:
    who: frozenset
    conditions: tuple = ()


@dataclass(frozen=True)
class Rule:
    grants: tuple
    refusal: str
    hub: str | None = None  # the path from an object of this action to its hub's id
    scope: tuple | None = None  # (action, path): seeing the object is that action on obj.<path> ("" for obj)
    api_scope: str | None = None  # the OAuth scope an agency's system needs for it


STAFF = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY})
MANAGERS = frozenset({Role.MANAGER, Role.DEPUTY})
OFFICERS = frozenset({Role.AGENCY_OFFICER})
SYSTEMS = frozenset({AGENCY_SYSTEM})
ADMINS = frozenset({Role.HUB_ADMIN})
EVERYONE = frozenset(Role)
LEADS = frozenset({Role.STRATEGIC_LEAD, Role.MANAGER, Role.DEPUTY})


# Translators: `what` is one of the refusals the table gives _manager ("change a rating", "close a referral").
MANAGER_ONLY = _("Only the hub's accountable manager, or the deputy while the delegation runs, may {what}")


def _manager(what, **rule) -> Rule:
    """Only the acting manager may do `what` (lazy: "change a rating"), said in the active language."""
    return Rule(grants=(Grant(MANAGERS, (ActingManager(),)),), refusal=format_lazy(MANAGER_ONLY, what=what), **rule)


def _agency(path: str, *extra) -> tuple:
    """An officer's or system's conditions on an object of its agency: its own agency, with a current agreement."""
    return (OwnAgency(path), *extra, Agreement(path))


ON_REFERRAL = {"hub": "hub_id", "scope": (Action.REFERRAL_VIEW, "")}

POLICY: dict[Action, Rule] = {
    Action.HUB_VIEW: Rule((Grant(EVERYONE),), _("Only the hub's members see it"), hub="pk"),
    Action.HUB_CONFIGURE: Rule((Grant(ADMINS),), _("Only the hub's administrators change its configuration")),
    Action.THRESHOLDS_PUBLISH: Rule((Grant(ADMINS),), _("Only the hub's administrators publish its thresholds")),
    Action.ROLES_MANAGE: Rule(
        (Grant(ADMINS, (NotTheirOwn("user_id", _("Nobody gives, changes or removes their own roles")),)),),
        _("Only the hub's administrators give, change or remove roles"),
        hub="hub_id",
    ),
    Action.API_CLIENTS_MANAGE: Rule(
        (Grant(ADMINS),), _("Only the hub's administrators issue or revoke API credentials")
    ),
    Action.REFERRAL_LIST: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers see its referrals"), hub="hub_id"
    ),
    Action.REFERRAL_VIEW: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers see referrals"), hub="hub_id"
    ),
    # An agency's referral is its own report: it is never refused for a missing agreement (a child must not go
    # unreferred); the agreement gates what the agency may read back.
    Action.REFERRAL_CREATE: Rule(
        (Grant(STAFF), Grant(SYSTEMS)),
        _("Only the hub's practitioners and managers record referrals"),
        api_scope="referrals:write",
    ),  # fmt: skip
    Action.REFERRAL_SCREEN: Rule((Grant(STAFF),), _("Only the hub's practitioners and managers screen"), **ON_REFERRAL),
    Action.REFERRAL_AMEND: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers amend referrals"), **ON_REFERRAL
    ),  # fmt: skip
    Action.REFERRAL_RE_RATE: _manager(_("change a rating"), **ON_REFERRAL),
    Action.REFERRAL_CLAIM: Rule((Grant(STAFF),), _("Only the hub's practitioners claim referrals"), **ON_REFERRAL),
    Action.REFERRAL_ASSIGN: _manager(_("assign a referral to someone else; you may claim it"), **ON_REFERRAL),
    Action.REFERRAL_CLOSE: _manager(_("close a referral"), **ON_REFERRAL),
    Action.MATCH_DECIDE: Rule((Grant(STAFF),), _("Only the hub's practitioners link records"), **ON_REFERRAL),
    Action.CHRONOLOGY_VIEW: Rule((Grant(STAFF),), _("Only the hub's practitioners see chronologies"), **ON_REFERRAL),
    Action.REFERRAL_STATUS_VIEW: Rule(
        (Grant(OFFICERS | SYSTEMS, _agency("referring_agency_id")),),
        _("Only the referring agency sees its referrals' status"),
        hub="hub_id",
        api_scope="referrals:read",
    ),  # fmt: skip
    Action.DASHBOARD_VIEW: _manager(_("see the manager's dashboard")),
    # Case data across every referral of the hub's people: the hub's staff only, as they list its referrals.
    Action.PERSON_SEARCH: Rule((Grant(STAFF),), _("Only the hub's practitioners and managers search its people")),
    Action.INFORMATION_REQUEST: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers ask agencies for information"), **ON_REFERRAL
    ),
    Action.REQUEST_LIST: Rule(
        (Grant(OFFICERS | SYSTEMS, _agency("agency_id", WithinGrace())),),
        _("Only the officers of the agency asked see its requests"),
        hub="referral.hub_id",
        api_scope="contributions:write",
    ),  # fmt: skip
    Action.REQUEST_VIEW: Rule(
        (Grant(OFFICERS | SYSTEMS, _agency("agency_id", WithinGrace())),),
        _("Only the officers of the agency asked see the request"),
        hub="referral.hub_id",
        api_scope="contributions:write",
    ),  # fmt: skip
    Action.CONTRIBUTE: Rule(
        (Grant(OFFICERS | SYSTEMS, _agency("agency_id", WithinGrace())),),
        _("Only the officers of the agency asked may answer this request"),
        hub="referral.hub_id",
        api_scope="contributions:write",
    ),  # fmt: skip
    Action.CONTRIBUTION_VIEW: Rule(
        (
            Grant(STAFF, (Shared(),)),
            Grant(MANAGERS, (ActingManager(),)),
            Grant(OFFICERS, _agency("agency_id", WithinGrace())),
        ),
        _("Restricted by the owning agency: only the accountable manager sees it until the agency consents"),
        hub="referral.hub_id",
    ),
    Action.CONTRIBUTION_RELEASE: Rule(
        (Grant(MANAGERS, (ActingManager(),)), Grant(OFFICERS, _agency("agency_id"))),
        _("Only the owning agency or the accountable manager may release restricted information"),
        hub="referral.hub_id",
        scope=(Action.CONTRIBUTION_VIEW, ""),
    ),  # fmt: skip
    # Consent and sharing decisions are the hub's own record: its staff only (agencies' officers never see them).
    Action.CONSENT_RECORD: Rule(
        (Grant(STAFF),),
        _("Only the hub's practitioners and managers record consent and sharing decisions"),
        **ON_REFERRAL,
    ),
    Action.SHARING_OVERRIDE: _manager(_("override a sharing decision"), **ON_REFERRAL),
    Action.GATE_OVERRIDE: _manager(_("decide without every core agency"), **ON_REFERRAL),
    Action.DECISION_PROPOSE: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers propose decisions"), **ON_REFERRAL
    ),
    Action.ADULT_VOICE_RECORD: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers record the adult's voice"), **ON_REFERRAL
    ),
    Action.STRATEGY_RECORD: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers record strategy discussions"), **ON_REFERRAL
    ),
    Action.STRATEGY_REASON: _manager(_("accept a strategy discussion without a required agency"), **ON_REFERRAL),
    Action.DECISION_REVIEW: Rule(
        (
            Grant(
                MANAGERS,
                (
                    ActingManager(),
                    NotTheirOwn("proposed_by_id", _("You proposed this decision: another manager must sign it off")),
                ),
            ),
        ),
        format_lazy(MANAGER_ONLY, what=_("sign off or return decisions")),
        hub="referral.hub_id",
        scope=(Action.REFERRAL_VIEW, "referral"),
    ),
    Action.SIGN_OFF_QUEUE_VIEW: _manager(_("see the decisions awaiting sign-off")),
    # Case notes: the hub's staff only. An agency's officer neither sees nor adds them: officers do not see the
    # referral or household pages the notes are on (README, "Case notes").
    Action.NOTE_ADD: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers add case notes"), **ON_REFERRAL
    ),
    Action.NOTE_OVERSIGHT: _manager(_("add a management oversight note"), **ON_REFERRAL),
    Action.NOTE_VIEW: Rule(
        (Grant(STAFF),), _("Only the hub's practitioners and managers see case notes"), hub="hub_id"
    ),
    Action.NOTE_CORRECT: Rule(
        (Grant(STAFF),),
        _("Only the hub's practitioners and managers correct case notes"),
        hub="hub_id",
        scope=(Action.NOTE_VIEW, ""),
    ),
    Action.ACTION_LIST: Rule(
        (Grant(OFFICERS, _agency("owner_id")),),
        _("Only the owning agency's officers see its actions"),
        hub="decision.referral.hub_id",
    ),  # fmt: skip
    Action.ACTION_COMPLETE: Rule(
        (Grant(STAFF), Grant(OFFICERS, _agency("owner_id"))),
        _("Only the owning agency or the hub's staff may mark this action done"),
        hub="decision.referral.hub_id",
    ),  # fmt: skip
    # A strategy discussion's actions: as a decision's (the owning agency's officers see and complete theirs; the
    # hub's staff complete any), found through the discussion's referral.
    Action.STRATEGY_ACTION_LIST: Rule(
        (Grant(OFFICERS, _agency("owner_id")),),
        _("Only the owning agency's officers see its actions"),
        hub="discussion.referral.hub_id",
    ),  # fmt: skip
    Action.STRATEGY_ACTION_COMPLETE: Rule(
        (Grant(STAFF), Grant(OFFICERS, _agency("owner_id"))),
        _("Only the owning agency or the hub's staff may mark this action done"),
        hub="discussion.referral.hub_id",
    ),  # fmt: skip
    Action.WEBHOOK_REGISTER: Rule(
        (Grant(SYSTEMS, (Agreement(),)),), _("Only an agency's system registers webhooks"), api_scope="webhooks:write"
    ),
    # Its own webhooks only (another agency's are 404); no case data, so no agreement needed to stop or rotate one.
    Action.WEBHOOK_MANAGE: Rule(
        (Grant(SYSTEMS, (OwnAgency("agency_id"),)),),
        _("Only the agency's own system manages its webhooks"),
        hub="hub_id",
        api_scope="webhooks:write",
    ),
    Action.OUTCOME_NOTICE: Rule(
        (Grant(SYSTEMS, _agency("referring_agency_id")),),
        _("Only the referring agency hears the outcome"),
        hub="hub_id",
    ),
    Action.HANDOVER_RECEIVE: Rule((Grant(SYSTEMS, (Agreement(),)),), _("Only the receiving agency"), hub="hub_id"),
    Action.HANDOVER_ACKNOWLEDGE: Rule(
        (Grant(OFFICERS | SYSTEMS, _agency("agency_id")),),
        _("Receiver only"),
        hub="hub_id",
        api_scope="handovers:write",
    ),
    # The change feed: each event is narrowed to the agency's own referrals and requests (referrals/events.py).
    Action.EVENTS_VIEW: Rule(
        (Grant(SYSTEMS, (Agreement(),)),),
        _("Only an agency's system reads its agency's events"),
        api_scope="referrals:read",
    ),
    Action.AUDIT_TRAIL_VIEW: _manager(_("see the audit trail")),
    Action.INSPECTION_LISTS: _manager(_("download the inspection lists, which name children")),
    Action.RETURNS_VIEW: Rule((Grant(LEADS),), _("Only strategic leads and managers see the hub's returns")),
    Action.RETURN_REQUEST: Rule((Grant(LEADS),), _("Only strategic leads and managers ask for returns")),
    Action.RETURNS_VIEW_EXACT: _manager(
        _("see a return's exact figures; strategic leads see small numbers suppressed")
    ),
}
POLICY.update(policy_attachments.rules(globals()))  # attachments' rows, on the parts above


def rule_of(action) -> Rule:
    """The action's rule; KeyError for anything the table does not name."""
    return POLICY[Action(action)]


def _in_hub(rule: Rule, access, obj) -> bool:
    return obj is None or rule.hub is None or str(_get(obj, rule.hub)) == str(access.hub.pk)


def _granted(access, rule: Rule, obj, *, scope_only: bool = False) -> bool:
    principals = access.principals
    for grant in rule.grants:
        if grant.who & principals and all(
            c.holds(access, obj) for c in grant.conditions if not (scope_only and c.refuses)
        ):
            return True
    return False


def may(access, action, obj=None) -> bool:
    """Whether the person (or agency's system) of `access` may take `action` on `obj` (None: in the hub)."""
    rule = rule_of(action)
    if access is None or not _in_hub(rule, access, obj):
        return False
    return _granted(access, rule, obj)


def in_scope(access, action, obj) -> bool:
    """Whether the object is one the person may see at all: otherwise it is a 404, as if it did not exist."""
    rule = rule_of(action)
    if obj is None:
        return True  # the hub itself: resolving the access already answered 404 for a hub they are not in
    if not _in_hub(rule, access, obj):
        return False
    if rule.scope is not None:
        seen, path = rule.scope
        return in_scope(access, seen, _get(obj, path) if path else obj)
    return _granted(access, rule, obj, scope_only=True)


def refusal(access, action, obj=None) -> Refused:
    """Why the action is refused: the first refusing condition that fails for a grant the person fits, in its own
    words (a missing agreement names it: NoAgreement), else the rule's sentence."""
    rule = rule_of(action)
    for grant in rule.grants:
        if not grant.who & access.principals:
            continue
        for condition in grant.conditions:
            if condition.refuses and not condition.holds(access, obj):
                why = condition.reason(access, obj)
                if why:
                    return NoAgreement(str(why)) if isinstance(condition, Agreement) else Refused(str(why))
    return Refused(str(rule.refusal))  # the reason in the active language, as plain text (a page, JSON, a log)


def require(access, action, obj=None) -> None:
    """Http404 if `obj` is outside the person's scope; Refused (403, with the reason) if they may see it but not do
    this; nothing if they may."""
    if may(access, action, obj):
        return
    if not in_scope(access, action, obj):
        raise Http404("Not found")
    raise refusal(access, action, obj)


def scoped(access, action, queryset):
    """The objects of `queryset` on which the action is allowed, by the same conditions as `may`, in SQL."""
    rule = rule_of(action)
    if rule.hub is None:
        raise ValueError(f"{action} names no path to a hub, so it cannot scope a list: add `hub` to its rule")
    allowed = None
    for grant in rule.grants:
        if not grant.who & access.principals:
            continue
        q = EVERYTHING
        for condition in grant.conditions:
            q &= condition.q(access)
        allowed = q if allowed is None else allowed | q
    if allowed is None:
        return queryset.none()
    return queryset.filter(allowed, **{_lookup(rule.hub): access.hub.pk})
