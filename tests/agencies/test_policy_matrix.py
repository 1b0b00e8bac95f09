"""The permission matrix, generated from the one policy table (agencies/policy.py): every action it names, for every
role and an agency's system, on objects of the person's own agency and another, of their own hub and another, with
their agency's information sharing agreement current and missing. What each should be allowed is written out below
by hand, action by action, in the words of the service (not read back from the table); an action the table names
without an expectation here fails the test, so a new action cannot slip in unconsidered.

The same matrix is then asked of the web pages and API endpoints each action guards: allowed is 200 (422 for an API
write with an empty body: the policy let it through to validation), refused is 403 with the reason, and outside the
person's scope is 404, as if it did not exist.

The world is built once for the module inside a transaction that is rolled back at the end; each test runs in a
savepoint of it.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from agencies import services as hub_services
from agencies.access import access_for, access_for_agency, access_for_client
from agencies.models import Role, RoleAssignment
from agencies.policy import POLICY, Action, may, require
from decisions.models import (
    AgreedAction,
    Attachment,
    Contribution,
    Decision,
    Disclosure,
    Handover,
    LawfulBasis,
    StrategyAction,
    StrategyDiscussion,
    Webhook,
)
from decisions.services import note_add
from mash.errors import Refused
from referrals import triage
from referrals.services import referral_create
from tests.factories import ask, referral_data
from tests.people import build_mash


@dataclass(frozen=True)
class Target:
    """An object an action is taken on: whose hub (A is the people's own, B another) and which agency's it is."""

    label: str
    obj: object
    hub: str  # "A" or "B"
    agency: str | None = None  # "police" (an agreement), "housing" (none), "health" (another agency, an agreement)
    shared: bool = True  # a contribution shared with the hub's decision-makers
    whose: str | None = None  # the person whose own it is (their proposal, their role), by name


@dataclass(frozen=True)
class Who:
    name: str
    role: str  # a Role value, "system" or "outsider"
    agency: str | None = None
    acting: bool = False  # acts as accountable manager now


PEOPLE = [
    Who("practitioner", Role.PRACTITIONER),
    Who("manager", Role.MANAGER, acting=True),
    Who("deputy in delegation", Role.DEPUTY, acting=True),
    Who("deputy out of delegation", Role.DEPUTY),
    Who("strategic lead", Role.STRATEGIC_LEAD),
    Who("hub administrator", Role.HUB_ADMIN),
    Who("police officer (agreement)", Role.AGENCY_OFFICER, "police"),
    Who("housing officer (no agreement)", Role.AGENCY_OFFICER, "housing"),
    Who("police system (agreement)", "system", "police"),
    Who("housing system (no agreement)", "system", "housing"),
]
STAFF = {Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY}
AGREED = {"police", "health"}  # housing has not signed the agreement


def _agency_ok(who: Who, t: Target, agreed: set) -> bool:
    """An officer or a system acting on its own agency's object, with a current agreement."""
    return who.agency is not None and t.agency == who.agency and who.agency in agreed


# What each action allows, in words: the hub's staff work cases; the acting manager decides, signs off and reads the
# trail; administrators configure; leads and managers read returns; an agency's officer or system reads and answers
# only for its own agency, and only with a current agreement. Nothing outside the person's own hub, ever.
EXPECTED = {
    Action.HUB_VIEW: lambda w, t, agreed: w.role in set(Role),
    Action.HUB_CONFIGURE: lambda w, t, agreed: w.role == Role.HUB_ADMIN,
    Action.THRESHOLDS_PUBLISH: lambda w, t, agreed: w.role == Role.HUB_ADMIN,
    Action.ROLES_MANAGE: lambda w, t, agreed: w.role == Role.HUB_ADMIN and t.whose != w.name,
    Action.API_CLIENTS_MANAGE: lambda w, t, agreed: w.role == Role.HUB_ADMIN,
    Action.REFERRAL_LIST: lambda w, t, agreed: w.role in STAFF,
    Action.REFERRAL_VIEW: lambda w, t, agreed: w.role in STAFF,
    Action.REFERRAL_CREATE: lambda w, t, agreed: w.role in STAFF or w.role == "system",  # never gated by the agreement
    Action.REFERRAL_SCREEN: lambda w, t, agreed: w.role in STAFF,
    Action.REFERRAL_AMEND: lambda w, t, agreed: w.role in STAFF,  # the practitioner, the manager, the deputy
    Action.REFERRAL_RE_RATE: lambda w, t, agreed: w.acting,
    Action.REFERRAL_CLAIM: lambda w, t, agreed: w.role in STAFF,
    Action.REFERRAL_ASSIGN: lambda w, t, agreed: w.acting,
    Action.REFERRAL_CLOSE: lambda w, t, agreed: w.acting,
    Action.MATCH_DECIDE: lambda w, t, agreed: w.role in STAFF,
    Action.CHRONOLOGY_VIEW: lambda w, t, agreed: w.role in STAFF,
    Action.REFERRAL_STATUS_VIEW: _agency_ok,
    Action.DASHBOARD_VIEW: lambda w, t, agreed: w.acting,
    Action.PERSON_SEARCH: lambda w, t, agreed: w.role in STAFF,  # not officers, leads or administrators
    Action.INFORMATION_REQUEST: lambda w, t, agreed: w.role in STAFF,
    Action.REQUEST_LIST: _agency_ok,
    Action.REQUEST_VIEW: _agency_ok,
    Action.CONTRIBUTE: _agency_ok,
    Action.CONTRIBUTION_VIEW: lambda w, t, agreed: (
        (w.role in STAFF and t.shared) or w.acting or (w.role == Role.AGENCY_OFFICER and _agency_ok(w, t, agreed))
    ),
    Action.CONTRIBUTION_RELEASE: lambda w, t, agreed: (
        w.acting or (w.role == Role.AGENCY_OFFICER and _agency_ok(w, t, agreed))
    ),
    # Consent and sharing decisions: the hub's staff record them, the acting manager overrides; never an officer.
    Action.CONSENT_RECORD: lambda w, t, agreed: w.role in STAFF,
    Action.SHARING_OVERRIDE: lambda w, t, agreed: w.acting,
    Action.GATE_OVERRIDE: lambda w, t, agreed: w.acting,
    Action.DECISION_PROPOSE: lambda w, t, agreed: w.role in STAFF,
    Action.ADULT_VOICE_RECORD: lambda w, t, agreed: w.role in STAFF,
    Action.STRATEGY_RECORD: lambda w, t, agreed: w.role in STAFF,
    Action.STRATEGY_REASON: lambda w, t, agreed: w.acting,
    Action.DECISION_REVIEW: lambda w, t, agreed: w.acting and t.whose != w.name,
    Action.SIGN_OFF_QUEUE_VIEW: lambda w, t, agreed: w.acting,
    # Case notes: the hub's staff only; an agency's officer neither sees nor adds them (README, "Case notes").
    Action.NOTE_ADD: lambda w, t, agreed: w.role in STAFF,
    Action.NOTE_OVERSIGHT: lambda w, t, agreed: w.acting,
    Action.NOTE_VIEW: lambda w, t, agreed: w.role in STAFF,
    Action.NOTE_CORRECT: lambda w, t, agreed: w.role in STAFF,
    # Attachments: the hub's staff attach files to a referral; a file is seen by whoever sees what it belongs to (a
    # contribution's: as the contribution; a referral's or a note's: the hub's staff). Core documents: every member.
    # An agency's system attaches to the referral its agency sent (as the referral itself, whatever its agreement)
    # and to its own contribution; it reads back only what its agency gave, with a current agreement.
    Action.ATTACHMENT_ADD: lambda w, t, agreed: w.role in STAFF or (w.role == "system" and w.agency == t.agency),
    Action.ATTACHMENT_VIEW: lambda w, t, agreed: (
        (_agency_ok(w, t, agreed) if w.role == "system" else EXPECTED[Action.CONTRIBUTION_VIEW](w, t, agreed))
        if t.obj.contribution_id
        else w.role in STAFF or (w.role == "system" and bool(t.obj.added_by_client_id) and _agency_ok(w, t, agreed))
    ),
    Action.CONTRIBUTION_ATTACH: lambda w, t, agreed: w.role == "system" and _agency_ok(w, t, agreed),
    Action.DOCUMENT_VIEW: lambda w, t, agreed: w.role in set(Role),
    Action.ACTION_LIST: lambda w, t, agreed: w.role == Role.AGENCY_OFFICER and _agency_ok(w, t, agreed),
    Action.ACTION_COMPLETE: lambda w, t, agreed: (
        w.role in STAFF or (w.role == Role.AGENCY_OFFICER and _agency_ok(w, t, agreed))
    ),
    Action.STRATEGY_ACTION_LIST: lambda w, t, agreed: w.role == Role.AGENCY_OFFICER and _agency_ok(w, t, agreed),
    Action.STRATEGY_ACTION_COMPLETE: lambda w, t, agreed: (
        w.role in STAFF or (w.role == Role.AGENCY_OFFICER and _agency_ok(w, t, agreed))
    ),
    Action.WEBHOOK_REGISTER: lambda w, t, agreed: w.role == "system" and w.agency in agreed,
    Action.WEBHOOK_MANAGE: lambda w, t, agreed: w.role == "system" and t.agency == w.agency,  # agreement or not
    Action.OUTCOME_NOTICE: lambda w, t, agreed: w.role == "system" and _agency_ok(w, t, agreed),
    # Handover: the receiving agency's system is sent it (asked as the agency); its system or officer acknowledges.
    Action.HANDOVER_RECEIVE: lambda w, t, agreed: w.role == "system" and w.agency in agreed,
    Action.HANDOVER_ACKNOWLEDGE: _agency_ok,
    Action.EVENTS_VIEW: lambda w, t, agreed: w.role == "system" and w.agency in agreed,
    Action.AUDIT_TRAIL_VIEW: lambda w, t, agreed: w.acting,
    Action.INSPECTION_LISTS: lambda w, t, agreed: w.acting,
    Action.RETURNS_VIEW: lambda w, t, agreed: w.role in {Role.STRATEGIC_LEAD, Role.MANAGER, Role.DEPUTY},
    Action.RETURN_REQUEST: lambda w, t, agreed: w.role in {Role.STRATEGIC_LEAD, Role.MANAGER, Role.DEPUTY},
    Action.RETURNS_VIEW_EXACT: lambda w, t, agreed: w.acting,  # a lead (and a deputy off duty) sees them suppressed
}


def _expected(action, who: Who, t: Target) -> bool:
    return t.hub == "A" and EXPECTED[action](who, t, AGREED)


def _only_the_agreement_is_missing(action, who: Who, t: Target) -> bool:
    """Refused, but the same person would be allowed were their agency's agreement signed: the 403 that names it."""
    if who.agency is None or who.agency in AGREED or t.hub != "A":
        return False
    return EXPECTED[action](who, t, AGREED | {who.agency})


def test_every_action_of_the_policy_has_an_expectation_and_nothing_else_does():
    assert set(EXPECTED) == set(POLICY) == set(Action)


# The world -------------------------------------------------------------------------------------------------------


@dataclass
class World:
    a: object  # tests.people.Mash of hub A
    b: object
    people: dict  # Who.name -> user or API client
    targets: dict  # Action -> [Target]
    system_access: dict  # Who.name -> Access of an agency's system


def _contribution(request, *, restricted=False, agency=None):
    """A contribution as stored (housing's is written directly: without an agreement it could not answer)."""
    return Contribution.objects.create(
        request=request, referral=request.referral, agency=agency or request.agency, known=True, summary="Known.",
        lawful_basis=LawfulBasis.PUBLIC_TASK_SCH1_18, contributed_at=timezone.now(),
        disclosure=Disclosure.RESTRICTED if restricted else Disclosure.SHARED,
        contributed_by=request.requested_by,
    )  # fmt: skip


def _decision(referral, by, mash):
    decision = Decision.objects.create(
        referral=referral, version=referral.decisions.count() + 1, outcome="early_help", threshold_level="specialist",
        rationale="Agreed.", proposed_by=by, proposed_at=timezone.now(),
    )  # fmt: skip
    decision.participants.set([mash.police, mash.social_care, mash.health])
    return decision


def _hub_objects(mash, hub: str) -> dict:
    """One of each object the actions are taken on, for the hub of `mash`."""
    by_police = mash.referral()
    by_phone = referral_create(hub=mash.hub, data=referral_data(), channel="phone", recorded_by=mash.practitioner)
    by_housing = referral_create(
        hub=mash.hub, data=referral_data(source_code="4"), channel="api", referring_agency=mash.housing
    )  # fmt: skip
    triage.referral_screen(
        referral=by_housing, by=mash.practitioner, level="specialist", criteria=[], rating="red", rationale="Harm."
    )
    requests = ask(mash, by_police, extra=[mash.school, mash.housing])
    police_request, housing_request = requests[mash.police.pk], requests[mash.housing.pk]
    health_request = requests[mash.health.pk]
    restricted = _contribution(police_request, restricted=True)
    housing_answer = _contribution(housing_request, restricted=True)
    health_answer = _contribution(health_request)
    decision = _decision(by_police, mash.practitioner, mash)
    actions = {
        key: AgreedAction.objects.create(
            decision=decision, owner=getattr(mash, key), description=f"{key} acts", due_on=timezone.localdate()
        )  # fmt: skip
        for key in ("police", "housing", "health")
    }
    discussion = StrategyDiscussion.objects.create(
        referral=by_police, held_at=timezone.now(), mode="meeting", decision="s47_joint", recorded_by=mash.practitioner,
        recorded_at=timezone.now(),
    )  # fmt: skip
    strategy_actions = {
        key: StrategyAction.objects.create(
            discussion=discussion, owner=getattr(mash, key), description=f"{key} visits", due_on=timezone.localdate()
        )  # fmt: skip
        for key in ("police", "housing", "health")
    }
    webhooks = {
        key: Webhook.objects.create(hub=mash.hub, agency=getattr(mash, key), url=f"https://{key}.example/", secret="s")
        for key in ("police", "housing")
    }
    note = note_add(on=by_police, by=mash.practitioner, data={"kind": "visit", "text": "Seen at home."})

    police_files = hub_services.api_client_create(
        hub=mash.hub, agency=mash.police, name="files", scopes="referrals:write"
    )[0]

    def file(label, agency=None, shared=True, by=None, **on):
        attachment = Attachment.objects.create(
            hub=mash.hub, name="scan.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
            file="attachments/none", added_by=None if by else mash.practitioner, added_by_client=by,
            added_at=timezone.now(), **on,
        )  # fmt: skip
        return Target(f"a file of {label} in {hub}", attachment, hub, agency, shared=shared)

    now = timezone.now()
    handovers = {}
    for key in ("police", "housing"):
        decision_handed = _decision(mash.referral(), mash.practitioner, mash)
        handovers[key] = Handover.objects.create(
            hub=mash.hub, referral=decision_handed.referral, decision=decision_handed, agency=getattr(mash, key),
            package={}, created_at=now, sent_at=now, ack_due_at=now,
        )  # fmt: skip
    return {
        "attachments": [
            file("police's referral", referral=by_police),
            file("police's referral by its system", "police", by=police_files, referral=by_police),
            file("a note", note=note),
            file("police's restricted answer", "police", False, contribution=restricted),
            file("housing's restricted answer", "housing", False, contribution=housing_answer),
            file("health's shared answer", "health", contribution=health_answer),
        ],
        "document": Target(f"the agreement's version in {hub}", mash.hub.documents.get().versions.first(), hub),
        "handovers": [Target(f"the handover to {key} in {hub}", h, hub, key) for key, h in handovers.items()],
        "note": Target(f"a note on police's referral in {hub}", note, hub),
        "webhooks": [Target(f"{key}'s webhook in {hub}", w, hub, key) for key, w in webhooks.items()],
        "hub": Target(f"hub {hub}", mash.hub, hub),
        "referral": Target(f"police's referral in {hub}", by_police, hub, "police"),
        "referrals": [
            Target(f"police's referral in {hub}", by_police, hub, "police"),
            Target(f"housing's referral in {hub}", by_housing, hub, "housing"),
            Target(f"a referral taken by phone in {hub}", by_phone, hub, None),
        ],
        "requests": [
            Target(f"the request to police in {hub}", police_request, hub, "police"),
            Target(f"the request to housing in {hub}", housing_request, hub, "housing"),
            Target(f"the request to health in {hub}", health_request, hub, "health"),
        ],
        "contributions": [
            Target(f"police's restricted answer in {hub}", restricted, hub, "police", shared=False),
            Target(f"housing's restricted answer in {hub}", housing_answer, hub, "housing", shared=False),
            Target(f"health's shared answer in {hub}", health_answer, hub, "health"),
        ],
        "decision": decision,
        "actions": [Target(f"{key}'s action in {hub}", a, hub, key) for key, a in actions.items()],
        "strategy_actions": [
            Target(f"{key}'s strategy action in {hub}", a, hub, key) for key, a in strategy_actions.items()
        ],
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        a, b = build_mash("north"), build_mash("south")
        deputy, lead = a.deputy, a.lead
        systems = {
            key: hub_services.api_client_create(hub=a.hub, agency=getattr(a, key), name=key, scopes="referrals:write")[
                0
            ]
            for key in ("police", "housing")
        }
        people = {
            "practitioner": a.practitioner, "manager": a.manager, "deputy in delegation": deputy,
            "deputy out of delegation": deputy, "strategic lead": lead, "hub administrator": a.admin,
            "police officer (agreement)": a.officers["police"], "housing officer (no agreement)": a.officers["housing"],
            "police system (agreement)": systems["police"], "housing system (no agreement)": systems["housing"],
        }  # fmt: skip
        mine = {name: RoleAssignment.objects.filter(hub=a.hub, user=user).first() for name, user in people.items()
                if not hasattr(user, "application")}  # fmt: skip
        objects = {"A": _hub_objects(a, "A"), "B": _hub_objects(b, "B")}
        own_proposal = _decision(objects["A"]["referrals"][2].obj, a.manager, a)  # the manager's own proposal
        targets = {}
        for action in Action:
            rule = POLICY[action]
            if rule.hub is None:  # an action on the hub itself (a page, a list): asked with no object
                targets[action] = [Target("the hub", None, "A")]
        for hub in ("A", "B"):
            o = objects[hub]
            targets.setdefault(Action.HUB_VIEW, []).append(o["hub"])
            targets.setdefault(Action.HANDOVER_ACKNOWLEDGE, []).extend(o["handovers"])
            # A handover is sent about any referral of the hub, whoever referred it: the referrer is not the receiver.
            targets.setdefault(Action.HANDOVER_RECEIVE, []).extend(
                Target(t.label, t.obj, t.hub, None) for t in o["referrals"]
            )
            for action in (Action.REFERRAL_LIST, Action.REFERRAL_STATUS_VIEW, Action.OUTCOME_NOTICE):
                targets.setdefault(action, []).extend(o["referrals"])
            for action in (Action.REFERRAL_VIEW, Action.REFERRAL_SCREEN, Action.REFERRAL_AMEND, Action.REFERRAL_RE_RATE,
                           Action.REFERRAL_CLAIM, Action.REFERRAL_ASSIGN, Action.REFERRAL_CLOSE, Action.MATCH_DECIDE,
                           Action.CHRONOLOGY_VIEW, Action.INFORMATION_REQUEST, Action.GATE_OVERRIDE,
                           Action.DECISION_PROPOSE, Action.CONSENT_RECORD, Action.SHARING_OVERRIDE,
                           Action.NOTE_ADD, Action.NOTE_OVERSIGHT, Action.ADULT_VOICE_RECORD,
                           Action.STRATEGY_RECORD, Action.STRATEGY_REASON):  # fmt: skip
                targets.setdefault(action, []).append(o["referral"])
            targets.setdefault(Action.ATTACHMENT_ADD, []).append(o["referral"])
            targets.setdefault(Action.ATTACHMENT_VIEW, []).extend(o["attachments"])
            targets.setdefault(Action.DOCUMENT_VIEW, []).append(o["document"])
            for action in (Action.NOTE_VIEW, Action.NOTE_CORRECT):
                targets.setdefault(action, []).append(o["note"])
            for action in (Action.REQUEST_LIST, Action.REQUEST_VIEW, Action.CONTRIBUTE):
                targets.setdefault(action, []).extend(o["requests"])
            for action in (Action.CONTRIBUTION_VIEW, Action.CONTRIBUTION_RELEASE, Action.CONTRIBUTION_ATTACH):
                targets.setdefault(action, []).extend(o["contributions"])
            for action in (Action.ACTION_LIST, Action.ACTION_COMPLETE):
                targets.setdefault(action, []).extend(o["actions"])
            for action in (Action.STRATEGY_ACTION_LIST, Action.STRATEGY_ACTION_COMPLETE):
                targets.setdefault(action, []).extend(o["strategy_actions"])
            targets.setdefault(Action.WEBHOOK_MANAGE, []).extend(o["webhooks"])
            targets.setdefault(Action.DECISION_REVIEW, []).append(
                Target(f"a practitioner's proposal in {hub}", o["decision"], hub)
            )
        targets[Action.DECISION_REVIEW].append(Target("the manager's own proposal", own_proposal, "A", whose="manager"))
        targets[Action.ROLES_MANAGE] = [
            Target("someone else's role", mine["practitioner"], "A"),
            Target("another hub's role", RoleAssignment.objects.filter(hub=b.hub).first(), "B"),
        ]
        world = World(a=a, b=b, people=people, targets=targets, system_access={})
        world.own_roles = mine
        yield world
        transaction.set_rollback(True)


def _off_duty(world, who: Who) -> None:
    """The deputy outside the delegation: the same person, their delegation ended yesterday (in this test's
    savepoint only)."""
    if who.name == "deputy out of delegation":
        now = timezone.now()
        RoleAssignment.objects.filter(user=world.people[who.name], role=Role.DEPUTY).update(
            delegation_starts=now - timedelta(days=10), delegation_ends=now - timedelta(days=1)
        )


def _access(world, who: Who):
    person = world.people[who.name]
    if who.role == "system":
        return access_for_client(person)
    _off_duty(world, who)
    return access_for(person, world.a.hub.pk)


def _targets(world, action, who: Who) -> list[Target]:
    targets = list(world.targets[action])
    if action == Action.ROLES_MANAGE and who.name in world.own_roles:
        targets.append(Target("their own role", world.own_roles[who.name], "A", whose=who.name))
    return targets


# The matrix --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", PEOPLE, ids=[w.name for w in PEOPLE])
@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_the_policy_allows_exactly_what_each_person_should(world, action, who):
    access = _access(world, who)
    if action in (Action.OUTCOME_NOTICE, Action.HANDOVER_RECEIVE) and who.role == "system":
        # Outcome and handover notices are sent to the agency itself, asked as the agency (decisions/webhooks.py).
        access = access_for_agency(world.a.hub, getattr(world.a, who.agency))
    wrong = []
    for target in _targets(world, action, who):
        expected = _expected(action, who, target)
        if may(access, action, target.obj) is not expected:
            wrong.append(f"{target.label}: expected {'allowed' if expected else 'refused'}")
            continue
        if expected:
            continue
        # Refused: outside the person's scope is 404 (another hub's, another agency's); otherwise 403 with a reason.
        try:
            require(access, action, target.obj)
        except Http404:
            outcome = 404
        except Refused as refused:
            outcome = 403
            assert refused.reason.strip(), target.label
        else:
            outcome = 200
        if target.hub == "B" and outcome != 404:
            wrong.append(f"{target.label}: another hub's object answered {outcome}, not 404")
        if who.agency and target.agency and target.agency != who.agency and outcome != 404:
            wrong.append(f"{target.label}: another agency's object answered {outcome}, not 404")
        if _only_the_agreement_is_missing(action, who, target) and outcome != 403:
            wrong.append(f"{target.label}: no agreement answered {outcome}, not 403 with the reason")
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("action", [a for a in Action if POLICY[a].hub is not None], ids=lambda a: a.value)
def test_no_one_acts_in_a_hub_where_they_hold_no_role(world, action):
    """People of another hub (hub B's own staff and officers) get 404 for hub A: their access never resolves."""
    for person in (world.b.practitioner, world.b.manager, world.b.officers["police"], world.b.admin):
        with pytest.raises(Http404):
            access_for(person, world.a.hub.pk)


# The same matrix through the pages and endpoints ---------------------------------------------------------------


def _pages(world) -> dict:
    """Each action's page (GET) in hub A, on the object the action is about."""
    hub = world.a.hub.id
    referral = world.targets[Action.REFERRAL_VIEW][0].obj
    requests = {t.agency: t.obj for t in world.targets[Action.REQUEST_VIEW] if t.hub == "A"}
    decision = world.targets[Action.DECISION_REVIEW][0].obj
    return {
        Action.HUB_VIEW: reverse("hub-profile", args=[hub]),
        Action.HUB_CONFIGURE: reverse("hub-edit", args=[hub]),
        Action.THRESHOLDS_PUBLISH: reverse("thresholds-publish", args=[hub, "child"]),
        Action.ROLES_MANAGE: reverse("role-grant", args=[hub]),
        Action.REFERRAL_LIST: reverse("triage-queue", args=[hub]),
        Action.REFERRAL_VIEW: reverse("referral-detail", args=[hub, referral.id]),
        Action.REFERRAL_CREATE: reverse("referral-new", args=[hub]),
        Action.REFERRAL_SCREEN: reverse("referral-screen", args=[hub, referral.id]),
        Action.REFERRAL_AMEND: reverse("referral-amend", args=[hub, referral.id]),
        Action.REFERRAL_RE_RATE: reverse("referral-re-rate", args=[hub, referral.id]),
        Action.REFERRAL_CLOSE: reverse("referral-close-no-response", args=[hub, referral.id]),
        Action.CHRONOLOGY_VIEW: reverse("chronology", args=[hub, referral.id]),
        Action.REFERRAL_STATUS_VIEW: reverse("officer-sent", args=[hub]),
        Action.DASHBOARD_VIEW: reverse("manager-dashboard", args=[hub]),
        Action.PERSON_SEARCH: reverse("people-search", args=[hub]),
        Action.INFORMATION_REQUEST: reverse("request-new", args=[hub, referral.id]),
        Action.REQUEST_LIST: reverse("officer-queue", args=[hub]),
        Action.REQUEST_VIEW: {agency: reverse("officer-request", args=[hub, r.id]) for agency, r in requests.items()},
        Action.DECISION_PROPOSE: reverse("decision-propose", args=[hub, referral.id]),
        Action.GATE_OVERRIDE: reverse("gate-override", args=[hub, referral.id]),
        Action.CONSENT_RECORD: reverse("consent-record", args=[hub, referral.id]),
        Action.NOTE_ADD: reverse("referral-note-new", args=[hub, referral.id]),
        Action.STRATEGY_RECORD: reverse("strategy-new", args=[hub, referral.id]),
        Action.DECISION_REVIEW: reverse("decision-review", args=[hub, decision.id]),
        Action.SIGN_OFF_QUEUE_VIEW: reverse("sign-off-queue", args=[hub]),
        Action.ACTION_LIST: reverse("officer-actions", args=[hub]),
        Action.AUDIT_TRAIL_VIEW: reverse("audit-trail", args=[hub]),
        Action.INSPECTION_LISTS: reverse("inspection-lists", args=[hub]),
        Action.RETURNS_VIEW: reverse("returns", args=[hub]),
    }


PAGE_ACTIONS = [
    Action.HUB_VIEW, Action.HUB_CONFIGURE, Action.THRESHOLDS_PUBLISH, Action.ROLES_MANAGE, Action.REFERRAL_LIST,
    Action.REFERRAL_VIEW, Action.REFERRAL_CREATE, Action.REFERRAL_SCREEN, Action.REFERRAL_AMEND,
    Action.REFERRAL_RE_RATE, Action.REFERRAL_CLOSE, Action.CHRONOLOGY_VIEW, Action.REFERRAL_STATUS_VIEW, Action.DASHBOARD_VIEW,
    Action.PERSON_SEARCH, Action.INFORMATION_REQUEST, Action.REQUEST_LIST, Action.REQUEST_VIEW, Action.DECISION_PROPOSE,
    Action.GATE_OVERRIDE, Action.DECISION_REVIEW, Action.SIGN_OFF_QUEUE_VIEW, Action.ACTION_LIST,
    Action.AUDIT_TRAIL_VIEW, Action.INSPECTION_LISTS, Action.RETURNS_VIEW, Action.CONSENT_RECORD, Action.NOTE_ADD,
    Action.STRATEGY_RECORD,
]  # fmt: skip
PERSONS = [w for w in PEOPLE if w.role != "system"]


def _page_status(action, who: Who, agency: str | None) -> int:
    """What the page should answer: the object of a page about an agency's request is that agency's."""
    target = Target("page", None, "A", agency)
    if action in (Action.REQUEST_VIEW,):
        if who.agency != agency:
            return 404
        return 200 if agency in AGREED else 403
    on_a_referral = (
        Action.REFERRAL_VIEW, Action.REFERRAL_SCREEN, Action.REFERRAL_AMEND, Action.REFERRAL_RE_RATE,
        Action.REFERRAL_CLOSE, Action.CHRONOLOGY_VIEW, Action.INFORMATION_REQUEST, Action.DECISION_PROPOSE, Action.GATE_OVERRIDE,
        Action.DECISION_REVIEW, Action.CONSENT_RECORD, Action.NOTE_ADD, Action.STRATEGY_RECORD,
    )  # fmt: skip
    if action in on_a_referral and who.role not in STAFF:
        return 404  # a referral (and its decision) is outside everyone else's scope
    if action in (Action.REQUEST_LIST, Action.ACTION_LIST, Action.REFERRAL_STATUS_VIEW):
        return 200 if who.agency in AGREED and who.role == Role.AGENCY_OFFICER else 403
    return 200 if EXPECTED[action](who, target, AGREED) else 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONS, ids=[w.name for w in PERSONS])
@pytest.mark.parametrize("action", PAGE_ACTIONS, ids=[a.value for a in PAGE_ACTIONS])
def test_each_page_answers_as_the_policy_says(client, world, action, who):
    page = _pages(world)[action]
    _off_duty(world, who)
    client.force_login(world.people[who.name])
    urls = page.items() if isinstance(page, dict) else [(None, page)]
    for agency, url in urls:
        expected = _page_status(action, who, agency)
        response = client.get(url)
        assert response.status_code == expected, (url, agency)
        if expected == 403:  # the reason; a missing agreement on its own page, naming it
            page_text = response.content.decode()
            assert "You cannot do this" in page_text or (
                "Your agency cannot see or share case data yet" in page_text and "has not signed" in page_text
            )
        if expected == 404:
            assert "Page not found" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", PERSONS, ids=[w.name for w in PERSONS])
def test_another_hubs_pages_are_not_found(client, world, who):
    """Hub B's pages and objects for hub A's people: 404 every one, whatever their role."""
    b = world.b.hub.id
    referral = world.targets[Action.REFERRAL_VIEW][1].obj
    client.force_login(world.people[who.name])
    for url in (
        reverse("hub-profile", args=[b]), reverse("triage-queue", args=[b]),
        reverse("referral-detail", args=[b, referral.id]), reverse("officer-queue", args=[b]),
        reverse("returns", args=[b]), reverse("audit-trail", args=[b]),
        reverse("referral-detail", args=[world.a.hub.id, referral.id]),  # hub B's referral under hub A's address
    ):  # fmt: skip
        assert client.get(url).status_code == 404, url


def _token(client, world, agency: str, hub="a") -> str:
    from tests.decisions.test_api import api_token

    mash = getattr(world, hub)
    return api_token(client, mash.hub, getattr(mash, agency))


@pytest.mark.django_db
@pytest.mark.parametrize("agency", ["police", "housing"])
def test_the_api_answers_as_the_policy_says(client, world, agency):
    """An agency's system: its own referrals' status and its requests with a current agreement (403 with the missing
    agreement named without one), nothing of another agency's or another hub's (404), and a referral sent
    whatever its agreement."""
    token = _token(client, world, agency)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    ok = 200 if agency in AGREED else 403
    own = next(t.obj for t in world.targets[Action.REFERRAL_STATUS_VIEW] if t.agency == agency and t.hub == "A")
    other = next(t.obj for t in world.targets[Action.REFERRAL_STATUS_VIEW] if t.agency != agency and t.hub == "A")
    elsewhere = next(t.obj for t in world.targets[Action.REFERRAL_STATUS_VIEW] if t.hub == "B")
    answers = {
        reverse("api-v1:referrals:list"): ok,
        reverse("api-v1:referrals:detail", args=[own.id]): ok,
        reverse("api-v1:referrals:detail", args=[other.id]): 404,
        reverse("api-v1:referrals:detail", args=[elsewhere.id]): 404,
        reverse("api-v1:information-requests:list"): ok,
    }
    for url, status in answers.items():
        response = client.get(url, **auth)
        assert response.status_code == status, url
        if status == 403:
            assert "has not signed" in response.json()["detail"]
    # Answering: its own agency's request gets to validation (422 for an empty answer) or is refused for the missing
    # agreement; a referral its agency was not asked about is 404.
    answer = reverse("api-v1:contributions:list", args=[world.targets[Action.REFERRAL_VIEW][0].obj.id])
    posted = client.post(answer, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k", **auth)
    assert posted.status_code == (422 if agency in AGREED else 403)
    by_phone = next(t.obj for t in world.targets[Action.REFERRAL_STATUS_VIEW] if t.agency is None and t.hub == "A")
    unasked = reverse("api-v1:contributions:list", args=[by_phone.id])
    assert (
        client.post(unasked, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **auth).status_code == 404
    )
    # Registering a webhook needs the agreement too.
    webhook = client.post(reverse("api-v1:webhooks:list"), {}, content_type="application/json", **auth)
    assert webhook.status_code == (422 if agency in AGREED else 403)
    # Sending a referral is never refused for the agreement: validation answers (422 for an empty one).
    sent = client.post(reverse("api-v1:referrals:list"), {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k3",
                       **auth)  # fmt: skip
    assert sent.status_code == 422
