"""Who is asking, resolved once per request: the hub, the person's roles in it, whether they act as manager now, and
the agencies they work for with the standing of each one's information sharing agreement. The policy
(agencies/policy.py) answers every question about what they may do from this object alone.

- `access_for(user, hub_id)`: a person in a hub; Http404 if they hold no role in it (the same answer as for no hub).
- `access_for_client(client)`: an agency's system (its API client): its agency in its hub.
- `access_for_agency(hub, agency)`: the agency itself, for what the service sends it (an outcome notice).

A person's role assignments are read in one query, shared with the navigation; the agreements of an officer's
agencies in one more. Inside a request (AccessMiddleware) both are kept for the rest of the request, so the view,
the service it calls and the templates it renders all see the same answer for the cost of one.

Separation of duties holds here too, whatever the tables say: someone who administers a hub holds no case role in
it (the services refuse to give one; should the data ever disagree, the case roles are not counted).
"""

import contextlib
import contextvars
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from agencies.agreements import NEWEST_FIRST, AgreementStatus, current_agreement, problem_sentence, state_of
from agencies.models import (
    Agency,
    DocumentKind,
    DocumentVersion,
    Hub,
    Role,
    RoleAssignment,
    Signature,
)
from agencies.policy import AGENCY_SYSTEM, require
from mash.prepared import Prepared

CASE_ROLES = frozenset(Role) - {Role.HUB_ADMIN}
_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("mash_access_cache", default=None)


@dataclass
class Access:
    hub: Hub
    user: object | None = None  # the person; None for an agency's system
    client: object | None = None  # the agency's API client (or the agency itself as a receiver)
    roles: frozenset = frozenset()
    acting_manager: bool = False
    agencies: dict = field(default_factory=dict)  # each agency the officer works for (the system's own agency)
    agreed: frozenset = frozenset()  # those of them whose information sharing agreement is current
    at: datetime = field(default_factory=timezone.now)
    _problems: dict = field(default_factory=dict, repr=False)

    @cached_property
    def principals(self) -> frozenset:
        return self.roles | ({AGENCY_SYSTEM} if self.client is not None else frozenset())

    @cached_property
    def agency_ids(self) -> frozenset:
        return frozenset(self.agencies)

    @property
    def agreed_agency_ids(self) -> frozenset:
        return self.agreed

    def agreement_problem(self, agency_id) -> str | None:
        """None when the agency's agreement is current; otherwise the sentence that says what is missing (looked up
        only when someone is refused: one query)."""
        if agency_id in self.agreed or agency_id not in self.agencies:
            return None
        if agency_id not in self._problems:
            missing = [a for pk, a in self.agencies.items() if pk not in self.agreed]
            self._problems.update(agreement_problems(self.hub, missing, self.at))
        return self._problems[agency_id]

    def agreement_problems(self) -> dict:
        """Each of the person's agencies and the missing-agreement sentence (None where the agreement is current)."""
        return {agency: self.agreement_problem(pk) for pk, agency in self.agencies.items()}


class AccessMiddleware:
    """Keeps people's roles and resolved access for the length of one request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)


@contextlib.contextmanager
def remembered():
    """Keep resolved access for the length of the block, as the middleware does for a request (a job that acts for
    people many times: the demo's history, one simulated day at a time)."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _remembered(key, compute):
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _remember(key, value) -> None:
    cache = _cache.get()
    if cache is not None:
        cache[key] = value


def _agreed(hub: Hub, agency: Agency) -> bool:
    """Whether the agency's agreement with the hub is current: looked up once a request (the API client's, read with
    its token, is remembered by `access_for_client`; the receipt notice asks again for the same agency)."""
    return _remembered(("agreed", hub.pk, agency.pk), lambda: agreement_problem(hub, agency) is None)


def assignments_of(user) -> list[RoleAssignment]:
    """Every role the person holds, in every hub, with the hub, the agency and whether that agency's information
    sharing agreement with the hub is current (`agreement_current`): one query per request."""
    if user is None or not (user.is_authenticated and user.is_active):
        return []
    return _remembered(("assignments", user.pk), lambda: _roles(user.pk, timezone.localdate()))


_roles = Prepared(
    lambda user_id, today: (
        RoleAssignment.objects.filter(user_id=user_id)
        .select_related("hub", "agency")
        .annotate(agreement_current=current_agreement(OuterRef("hub_id"), OuterRef("agency_id"), today))
        .order_by("hub__name", "role")
    ),
    RoleAssignment._meta.get_field("user"),
    DocumentVersion._meta.get_field("effective_from"),
)  # written once per process (mash/prepared.py): it runs on every signed-in page


def acts_as_manager(assignments, at: datetime) -> bool:
    return any(a.acts_as_manager(at) for a in assignments)


def access_for(user, hub_id) -> Access:
    """The person's access to the hub; Http404 if they hold no role in it."""
    hub_id = getattr(hub_id, "pk", hub_id)
    return _remembered(("access", getattr(user, "pk", None), str(hub_id)), lambda: _resolve(user, hub_id))


def _resolve(user, hub_id) -> Access:
    mine = [a for a in assignments_of(user) if str(a.hub_id) == str(hub_id)]
    now = timezone.now()
    if not mine:
        if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
            hub = Hub.objects.filter(pk=hub_id).first()
            if hub is not None:  # the service's administrator configures every hub and sees no case data
                return Access(hub=hub, user=user, roles=frozenset({Role.HUB_ADMIN}), at=now)
        raise Http404("No such hub")
    roles = frozenset(a.role for a in mine)
    if Role.HUB_ADMIN in roles:
        mine = [a for a in mine if a.role == Role.HUB_ADMIN]
        roles = frozenset({Role.HUB_ADMIN})
    officers = [a for a in mine if a.role == Role.AGENCY_OFFICER]
    return Access(
        hub=mine[0].hub,
        user=user,
        roles=roles,
        acting_manager=acts_as_manager(mine, now),
        agencies={a.agency_id: a.agency for a in officers},
        agreed=frozenset(a.agency_id for a in officers if a.agreement_current),
        at=now,
    )


def with_agreement(clients):
    """API clients (a queryset) with `agreement_current`: whether their agency's agreement with their hub is."""
    return clients.annotate(agreement_current=current_agreement(OuterRef("hub_id"), OuterRef("agency_id"), _today()))


def _today():
    return timezone.localdate()


def access_for_client(client) -> Access:
    """An agency's system: its own agency in its own hub, with that agency's agreement (read with the client by
    `with_agreement`, or looked up here)."""
    current = getattr(client, "agreement_current", None)
    if current is None:
        current = _agreed(client.hub, client.agency)
    else:
        _remember(("agreed", client.hub_id, client.agency_id), current)
    return Access(
        hub=client.hub,
        client=client,
        agencies={client.agency_id: client.agency},
        agreed=frozenset({client.agency_id}) if current else frozenset(),
    )


def access_for_agency(hub: Hub, agency: Agency) -> Access:
    """The agency as the receiver of what the service sends it (an outcome notice to its system)."""
    current = _agreed(hub, agency)
    return Access(
        hub=hub, client=agency, agencies={agency.pk: agency}, agreed=frozenset({agency.pk}) if current else frozenset()
    )


def hub_access(request, hub_id, action=None, obj=None) -> Access:
    """The signed-in person's access to the hub of this page: Http404 if they hold no role in it; with `action`,
    also required of them by the policy (Http404 outside their scope, Refused with the reason otherwise)."""
    access = access_for(request.user, hub_id)
    if action is not None:
        require(access, action, obj)
    return access


# Information sharing agreements -------------------------------------------------------------------------------------


def agreement_problem(hub: Hub, agency: Agency, on=None) -> str | None:
    """None when the agency has a current information sharing agreement with the hub (on the day `on`, today by
    default); otherwise the sentence that says which agreement is missing and why."""
    at = timezone.now() if on is None else timezone.make_aware(datetime.combine(on, datetime.min.time()))
    return agreement_problems(hub, [agency], at)[agency.pk]


def agreement_problems(hub: Hub, agencies: list[Agency], at: datetime) -> dict:
    """For each agency: None when it has signed the hub's information sharing agreement in force and the version is
    not past its review; otherwise the sentence that says what is missing. One query whatever the agencies."""
    if not agencies:
        return {}
    signed = {
        f"signed_{i}": Exists(Signature.objects.filter(version=OuterRef("pk"), agency_id=agency.pk))
        for i, agency in enumerate(agencies)
    }
    versions = list(
        DocumentVersion.objects.filter(document__hub=hub, document__kind=DocumentKind.INFORMATION_SHARING_AGREEMENT)
        .select_related("document")
        .annotate(**signed)
        .order_by(*NEWEST_FIRST)
    )
    on = timezone.localdate(at)
    problems = {}
    for i, agency in enumerate(agencies):
        state, in_force = state_of(versions, {v.id for v in versions if getattr(v, f"signed_{i}")}, on)
        document = in_force.document if in_force else None
        problems[agency.pk] = problem_sentence(AgreementStatus(state, document, in_force), agency, hub)
    return problems
