"""A household in the multi-agency work: the practitioner asks agencies once for the household (a request per child
per agency, grouped), the agency's officer sees one item naming each person once and answers once (a contribution on
each child's request, through the same service), the API names the household, and the decision pages show the
siblings' decisions side by side."""

import pytest
from django.urls import reverse

from decisions import services
from decisions.models import Contribution, InformationRequest, RequestState
from referrals.models import Referral
from tests.factories import ProposedDecisionFactory, SignedOffDecisionFactory, answer_core, requests_of
from tests.households import household_of

pytestmark = pytest.mark.django_db

ANSWER = {"known": "yes", "summary": "Two call-outs to the address this year.", "lawful_basis": "gdpr_6_1_e_dpa_sch1_18",
          "disclosure": "shared"}  # fmt: skip


def _ask(client, mash, household, agencies=()):
    client.force_login(mash.practitioner)
    url = reverse("household-request-new", args=[mash.hub.id, household.id])
    return client.post(url, {"agencies": [str(a.pk) for a in agencies], "note": "The whole household"})


def test_asking_once_makes_a_request_per_child_per_agency(client, mash):
    household = household_of(mash, children=3, adults=2, ratings=["red", "amber", "blue"])
    client.force_login(mash.practitioner)
    page = client.get(reverse("household-detail", args=[mash.hub.id, household.id])).content.decode()
    url = reverse("household-request-new", args=[mash.hub.id, household.id])
    assert url in page
    form = client.get(url).content.decode()
    assert "Ask agencies for information about the household" in form
    response = _ask(client, mash, household, [mash.school])
    assert response.status_code == 302
    asked = InformationRequest.objects.all()
    rated = household.referrals.exclude(rating="blue")  # Blue has no MASH response: not asked about
    assert asked.count() == 2 * 4  # two children, police, social care, health and the school
    assert {(r.referral_id, r.agency_id) for r in asked} == {
        (child.pk, agency.pk) for child in rated for agency in (mash.police, mash.social_care, mash.health, mash.school)
    }
    assert all(r.household_id == household.pk for r in asked)
    page = client.get(reverse("household-detail", args=[mash.hub.id, household.id])).content.decode()
    assert "Ask more agencies about the household" in page  # asked once: the button now offers more
    again = _ask(client, mash, household, [mash.school])
    assert "already been asked" in again.content.decode() and InformationRequest.objects.count() == 8


def test_nobody_to_ask_is_said_and_nothing_is_made(client, mash):
    household = household_of(mash, children=2, adults=1, ratings=["blue", "blue"])
    response = _ask(client, mash, household)
    assert "Screen and rate a child of this household" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_the_officer_sees_one_item_and_answers_once_for_every_child(client, mash):
    household = household_of(mash, children=3, adults=2, ratings=["red", "amber", "green"])
    services.household_information_request(household=household, by=mash.practitioner)
    lone = mash.referral(rating="amber")
    services.information_request(referral=lone, by=mash.practitioner)
    client.force_login(mash.officers["health"])
    queue = client.get(reverse("officer-queue", args=[mash.hub.id])).content.decode()
    assert queue.count(f"Household {household.reference}") == 2  # the link and the summary, once
    assert f"Household {household.reference}: 3 children, 2 adults" in queue
    assert lone.reference in queue
    for child in household.referrals.all():
        assert child.reference not in queue
    first = InformationRequest.objects.filter(household=household, agency=mash.health).order_by("requested_at", "pk")[0]
    url = reverse("officer-request", args=[mash.hub.id, first.id])
    page = client.get(url).content.decode()
    assert f"Checks for household {household.reference}" in page
    for name in ("Ava Example", "Ben Example", "Cara Example", "Sam Example", "Jo Example"):
        assert page.count(f"{name} –") == 1  # each person once
    assert page.count("Share with the hub") == 1  # one answer form
    bad = client.post(url, {"known": "yes", "summary": ""})
    assert bad.status_code == 200 and not Contribution.objects.exists()
    done = client.post(url, ANSWER)
    assert done.status_code == 302
    contributions = Contribution.objects.filter(agency=mash.health)
    assert {c.referral_id for c in contributions} == set(household.referrals.values_list("pk", flat=True))
    assert {c.summary for c in contributions} == {ANSWER["summary"]}
    health = InformationRequest.objects.filter(household=household, agency=mash.health)
    assert {r.state for r in health} == {RequestState.ANSWERED}
    assert all(c.disclosures.count() == 1 for c in contributions)  # each its own disclosure log entry
    assert lone.information_requests.get(agency=mash.health).state == RequestState.OPEN
    # Answered: a second post changes nothing.
    client.post(url, ANSWER)
    assert Contribution.objects.filter(agency=mash.health).count() == 3


def test_another_agencys_officer_sees_no_household_item(client, mash):
    household = household_of(mash, children=2, adults=1)
    services.household_information_request(household=household, by=mash.practitioner)
    health = InformationRequest.objects.filter(household=household, agency=mash.health).first()
    client.force_login(mash.officers["school"])
    assert (
        f"Household {household.reference}"
        not in client.get(reverse("officer-queue", args=[mash.hub.id])).content.decode()
    )
    assert client.get(reverse("officer-request", args=[mash.hub.id, health.id])).status_code == 404
    assert client.get(reverse("household-detail", args=[mash.hub.id, household.id])).status_code == 404


def test_the_api_names_the_household_of_each_request(client, mash):
    from tests.decisions.test_api import api_token

    household = household_of(mash, children=2, adults=1)
    services.household_information_request(household=household, by=mash.practitioner)
    lone = mash.referral(rating="amber")
    services.information_request(referral=lone, by=mash.practitioner)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(client, mash.hub, mash.health)}"}
    results = client.get(reverse("api-v1:information-requests:list"), **auth).json()["results"]
    by_referral = {r["referral"]["id"]: r["household"] for r in results}
    assert by_referral[str(lone.pk)] is None
    for child in household.referrals.all():
        assert by_referral[str(child.pk)] == str(household.pk)


def test_the_decision_pages_show_the_siblings_decisions_side_by_side(client, mash, django_assert_max_num_queries):
    household = household_of(mash, children=3, adults=2, ratings=["red", "amber", "green"])
    services.household_information_request(household=household, by=mash.practitioner)
    red, amber, green = (household.referrals.get(rating=r) for r in ("red", "amber", "green"))
    for child in (red, amber, green):
        answer_core(mash, requests_of(child))
    signed = SignedOffDecisionFactory(mash=mash, referral=amber, changes={"rationale": "Early help agreed.\nMore."})
    proposed = ProposedDecisionFactory(
        mash=mash, referral=red, changes={"outcome": "s47_strategy", "rationale": "Strategy discussion now."}
    )
    client.force_login(mash.practitioner)
    page = client.get(reverse("decision-propose", args=[mash.hub.id, green.id])).content.decode()
    assert "Siblings in this household" in page
    assert red.reference in page and amber.reference in page
    assert "Strategy discussion (s47)" in page and "Awaiting sign-off" in page and "Strategy discussion now." in page
    assert "Early help" in page and "Signed off" in page and "Early help agreed." in page and "More." not in page
    client.force_login(mash.manager)
    review = client.get(reverse("decision-review", args=[mash.hub.id, proposed.id])).content.decode()
    assert "Siblings in this household" in review
    assert amber.reference in review and green.reference in review and "No decision yet" in review
    assert signed.referral_id == amber.pk
    alone = ProposedDecisionFactory(mash=mash)
    lone_page = client.get(reverse("decision-review", args=[mash.hub.id, alone.id])).content.decode()
    assert "Siblings in this household" not in lone_page
    assert Referral.objects.filter(household=household).count() == 3
