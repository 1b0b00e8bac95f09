"""Queries per page and list endpoint, for the person who uses each, with the queries named. Each count holds
whatever the number of rows (a second, bigger world gives the same), and each is at most the page's count before
issue 15 (bench/queries/run.py prints both side by side on the demo; the numbers in brackets are the demo's before).

What every signed-in page asks first, named once here:
- session, user: Django's session and authentication;
- device: the second factor of the people who need one (manager, deputy, administrator);
- roles: the person's role assignments with their hubs, agencies and whether each agency's information sharing
  agreement is current — one query that serves the access (agencies/access.py), the menu and the two-factor check;
- read: the audit event logging what the page showed;
- the session's renewal (savepoint, update, release: 3) is written at most every 15 s (mash/sessions.py) and so is
  not part of these counts, which look at a page opened again at once (it was part of them before issue 21).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from decisions.models import DecisionState
from referrals.models import Referral
from reports.models import MonthlyReturn, ReturnState
from tests.factories import AnsweredReferralFactory, ProposedDecisionFactory, SignedOffDecisionFactory, ask, member

pytestmark = pytest.mark.django_db
BASE = 2 + 1  # session, user, roles
MANAGER = BASE + 1  # and the second factor's device


def _world(mash, rows: int) -> dict:
    """`rows` of each kind of work: open referrals, proposals awaiting sign-off, decided referrals with actions."""
    now = timezone.now()
    open_ones = [mash.referral() for _ in range(rows)]
    for referral in open_ones:
        ask(mash, referral, [mash.school])
    # Every other one claimed: the queue shows who has it (a name) or a claim button.
    Referral.objects.filter(pk__in=[r.pk for r in open_ones[::2]]).update(assigned_to=mash.practitioner)
    proposed = [ProposedDecisionFactory(mash=mash) for _ in range(rows)]
    actions = [{"owner": mash.health, "description": f"Visit {i}", "due_on": timezone.localdate() + timedelta(days=3)}
               for i in range(2)]  # fmt: skip
    signed = [SignedOffDecisionFactory(mash=mash, changes={"actions": actions}) for _ in range(rows)]
    for _ in range(rows):  # handed to children's social care (issue 19)
        SignedOffDecisionFactory(mash=mash, changes={"outcome": "s17_assessment"})
    for _ in range(rows):
        MonthlyReturn.objects.create(
            hub=mash.hub, month=(now - timedelta(days=40)).date().replace(day=1), state=ReturnState.READY,
            requested_by=mash.manager,
        )  # fmt: skip
    health_request = open_ones[0].information_requests.get(agency=mash.health)
    return {"open": open_ones[0], "proposed": proposed[0], "signed": signed[0], "health_request": health_request}


# (who, page name, URL, expected queries, what they are). Counts include BASE (or MANAGER) as named above.
def _pages(mash, w) -> list:
    h = mash.hub.id
    referral, decided = w["open"], w["signed"].referral
    return [
        ("practitioner", "home", reverse("home"), BASE, "roles: the hubs and roles shown"),
        ("practitioner", "hub profile", reverse("hub-profile", args=[h]), BASE + 4,
         "memberships with agencies, the manager, the deputy, who acts now [16]"),
        ("practitioner", "agencies", reverse("hub-agencies", args=[h]), BASE + 4,
         "documents, versions, signatures with agencies, memberships [16]"),
        ("practitioner", "agreements", reverse("hub-agreements", args=[h]), BASE + 4,
         "documents, versions, signatures with their agencies, memberships [40]"),
        ("practitioner", "funding", reverse("hub-funding", args=[h]), BASE + 1, "the funding rows [13]"),
        ("practitioner", "people", reverse("hub-people", args=[h]), BASE + 1,
         "the roles with people, agencies and who gave them [13]"),
        ("practitioner", "thresholds", reverse("thresholds", args=[h]), BASE + 4,
         "current and earlier versions, for children and adults [16]"),
        ("practitioner", "referral list", reverse("referral-list", args=[h]), BASE + 4,
         "count, the page of referrals with hub and agency, their subjects; read [16]"),
        ("practitioner", "triage queue", reverse("triage-queue", args=[h]), BASE + 3,
         "count, the page of referrals with assignee and subject's name (one query); read [16]"),
        ("practitioner", "new referral", reverse("referral-new", args=[h]), BASE, "nothing more [11]"),
        ("practitioner", "referral page", reverse("referral-detail", args=[h, referral.id]), BASE + 23,
         "the referral, its people, matches, the other referrals of its subject's index person, the links of its "
         "subject (issue 18); read; deadlines, screenings; its versions (amendments, issue 16); requests, the contributions they may see, "
         "the agencies of all contributions (counted: the restricted ones hidden; and which answered), decisions, "
         "memberships, overrides; consent records and sharing decisions, case notes, strategy discussions and when it was first rated Red, handovers, whether the referrer was told (issue 19), the files of the referral, its notes and its "
         "contributions (one query) [31]"),
        ("practitioner", "referral page (decided)", reverse("referral-detail", args=[h, decided.id]), BASE + 28,
         "the same, with the contributions' disclosures, the decisions' participants and actions, the hub's names "
         "for their threshold levels (the latest screening's thresholds), and the read of the contributions shown "
         "[32]"),
        ("practitioner", "screening", reverse("referral-screen", args=[h, referral.id]), BASE + 4,
         "the referral, its people, the thresholds in force; read [15]"),
        ("practitioner", "request information", reverse("request-new", args=[h, referral.id]), BASE + 4,
         "the referral, its people, memberships, every agency's agreement in one query [35]"),
        ("practitioner", "chronology", reverse("chronology", args=[h, decided.id]), BASE + 15,
         "the referral, its people, the other referrals of its subject's index person, deadlines, screenings, contributions, decisions, actions, strategy discussions and their actions done, consent records, sharing decisions, case notes, attached files; read [24]"),
        ("practitioner", "notifications", reverse("notifications"), BASE + 2,
         "notifications with their referrals; read [10]"),
        ("manager", "dashboard", reverse("manager-dashboard", args=[h]), MANAGER + 7,
         "open by rating, by status, breaches, the oldest, the sweep's heartbeat, handovers unacknowledged (issue 19); read [19]"),
        ("manager", "sign-off queue", reverse("sign-off-queue", args=[h]), MANAGER + 3,
         "count, the page of decisions with referral and proposer; read [14]"),
        ("manager", "decision review", reverse("decision-review", args=[h, w["proposed"].id]), MANAGER + 15,
         "the decision with referral and proposer, the referral's sharing (as on its page, with its decisions' "
         "level names), its subject and its latest screening with the threshold version (the subject's name and "
         "age, the level's name), the files of the contributions shown; read"),
        ("manager", "referral page", reverse("referral-detail", args=[h, referral.id]), MANAGER + 24,
         "as the practitioner's, with the people it may be assigned to [31]"),
        ("manager", "re-rating", reverse("referral-re-rate", args=[h, referral.id]), MANAGER + 4,
         "the referral, its people, the last screening's thresholds (its levels to choose from); read [15]"),
        ("manager", "audit trail", reverse("audit-trail", args=[h]), MANAGER + 6,
         "count, the page of events, the people and agencies they name, the hub's words for the threshold levels "
         "and criteria they name; read [16]"),
        ("manager", "inspection lists", reverse("inspection-lists", args=[h]), MANAGER, "the form [11]"),
        ("manager", "returns", reverse("returns", args=[h]), MANAGER + 3,
         "count, the page of returns with who asked; read [12]"),
        ("lead", "returns", reverse("returns", args=[h]), BASE + 3, "count, the page of returns; read [12]"),
        ("health officer", "officer requests", reverse("officer-queue", args=[h]), BASE + 4,
         "count, the page of requests with referral, agency and deadline, their subjects; read [20]"),
        ("health officer", "officer request", reverse("officer-request", args=[h, w["health_request"].id]),
         BASE + 4, "the request with referral, agency and deadline, its answer, the people; read [21]"),
        ("health officer", "officer actions", reverse("officer-actions", args=[h]), BASE + 3,
         "the actions with decision, referral, owner and deadline, the strategy discussions' actions (issue 19); read "
         "[18]"),
        ("police officer", "officer sent", reverse("officer-sent", args=[h]), BASE + 3,
         "count, the page of the agency's referrals; read [14]"),
        ("social care officer", "officer handovers", reverse("officer-handovers", args=[h]), BASE + 2,
         "the handovers to the agency with referral and who acknowledged; read (issue 19) [8]"),
        ("admin", "people", reverse("hub-people", args=[h]), MANAGER + 1, "the roles [13]"),
    ]  # fmt: skip


def _person(mash, who):
    return {
        "practitioner": mash.practitioner, "manager": mash.manager, "lead": mash.lead, "admin": mash.admin,
        "health officer": mash.officers["health"], "police officer": mash.officers["police"],
        "social care officer": mash.officers["social_care"],
    }[who]  # fmt: skip


@pytest.mark.parametrize("rows", [1, 3])
def test_every_page_asks_a_fixed_number_of_queries(client, mash, rows, django_assert_num_queries):
    w = _world(mash, rows)
    member(mash.hub, Role.DEPUTY)  # the dashboard and hub profile name the deputy too
    assert w["proposed"].state == DecisionState.PROPOSED
    for who, name, url, expected, what in _pages(mash, w):
        client.force_login(_person(mash, who))
        client.get(url)  # the first request of a session writes the session: count the second
        with django_assert_num_queries(expected, info=f"{who}: {name} — {what}"):
            assert client.get(url).status_code == 200, name


def test_the_api_lists_ask_a_fixed_number_of_queries(client, mash, django_assert_num_queries):
    from tests.decisions.test_api import api_token

    AnsweredReferralFactory(mash=mash)
    ask(mash, mash.referral())
    for agency, url in ((mash.police, reverse("api-v1:referrals:list")),
                        (mash.health, reverse("api-v1:information-requests:list"))):  # fmt: skip
        auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(client, mash.hub, agency)}"}
        # the token with its application, client, hub, agency and agreement (one query since issue 21), the page
        # (and for the requests, their people), the read: 3 for the referrals [4], 4 for the requests [7]
        expected = 3 if agency == mash.police else 4
        with django_assert_num_queries(expected):
            assert client.get(url, **auth).status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_household_pages_ask_a_fixed_number_of_queries(client, mash, rows, django_assert_num_queries):
    """`rows` households of three children (one Red), each asked once, one child with a proposed decision: the
    counts hold whatever their number."""
    from decisions import services
    from tests.factories import answer_core, requests_of
    from tests.households import household_of

    households = [household_of(mash, ratings=["red", "amber", "green"]) for _ in range(rows)]
    for household in households:
        services.household_information_request(household=household, by=mash.practitioner)
    household = households[0]
    amber = household.referrals.get(rating="amber")
    answer_core(mash, requests_of(amber))
    proposed = ProposedDecisionFactory(mash=mash, referral=amber)
    health = household.information_requests.filter(agency=mash.health).order_by("requested_at", "pk").first()
    h = mash.hub.id
    pages = [
        ("practitioner", reverse("household-detail", args=[h, household.id]), BASE + 6,
         "the household, its referrals with assignee, their people; read; its strategy discussions; its case notes"),
        ("practitioner", reverse("triage-queue", args=[h]), BASE + 3,
         "count, the page of referrals (the Red sibling, its due time and the subject's name in the same query); read"),
        ("practitioner", reverse("referral-detail", args=[h, amber.id]), BASE + 28,
         "the referral page with a proposed decision (BASE + 22 with the subject's other referrals and links; its "
         "household in the referral's query), and whether a sibling is Red, the case notes, strategy discussions and "
         "handovers, the files, whether the referrer was told"),
        ("practitioner", reverse("decision-propose", args=[h, household.referrals.get(rating="green").id]),
         BASE + 16, "the propose page's 13, and the siblings, their subjects, their decisions"),
        ("manager", reverse("decision-review", args=[h, proposed.id]), MANAGER + 18,
         "the review page's 15, and the siblings, their subjects, their decisions"),
        ("health officer", reverse("officer-queue", args=[h]), BASE + 5,
         "count, the page of requests (a household's one item), their subjects, the households' people; read"),
        ("health officer", reverse("officer-request", args=[h, health.id]), BASE + 5,
         "the request, the household's requests to the agency, their people, its answer; read"),
    ]  # fmt: skip
    for who, url, expected, what in pages:
        client.force_login(_person(mash, who))
        client.get(url)
        with django_assert_num_queries(expected, info=f"{who}: {url} — {what}"):
            assert client.get(url).status_code == 200, url
