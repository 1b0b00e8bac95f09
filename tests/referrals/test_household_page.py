"""The household page: each child with their referral and triage, the adults once with their relationship to each
child, who may see it (the hub's staff; 404 for another hub's practitioner and for an agency's officer), the read it
logs; and a sibling rated Red keeping the household in view on the siblings' referral pages and in the queue."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.households import household_of

pytestmark = pytest.mark.django_db


def _url(mash, household):
    return reverse("household-detail", args=[mash.hub.id, household.id])


def test_the_household_page_shows_each_child_and_each_adult_once(client, mash):
    household = household_of(mash, children=3, adults=3, ratings=["amber", "red", "green"])
    referrals = {r.persons.get(role="subject").given_name: r for r in household.referrals.all()}
    client.force_login(mash.practitioner)
    page = client.get(_url(mash, household)).content.decode()
    assert f"Household {household.reference}" in page
    for given, referral in referrals.items():
        assert f"{given} Example" in page
        assert reverse("referral-detail", args=[mash.hub.id, referral.id]) in page
    # The Red child first, and flagged.
    assert page.index("Ben Example") < page.index("Ava Example") < page.index("Cara Example")
    assert "A child in this household is rated Red" in page
    # Each adult once (their records on three referrals are one person), with their relationship to each child.
    assert page.count("Sam Example") == 1 and page.count("Jo Example") == 1 and page.count("Lee Example") == 1
    assert page.count("Parent or carer") == 6 and page.count("Regular visitor") == 3
    assert "Ask agencies for information about the household" in page
    event = AuditEvent.objects.filter(action="referral.viewed").latest("occurred_at")
    assert sorted(json.loads(event.payload)["ids"]) == sorted(str(r.id) for r in referrals.values())


def test_an_unrated_child_is_offered_for_screening(client, mash):
    household = household_of(mash, children=2, adults=1)
    child = household.referrals.first()
    from referrals.models import Referral

    Referral.objects.filter(pk=child.pk).update(rating="")
    client.force_login(mash.practitioner)
    page = client.get(_url(mash, household)).content.decode()
    assert reverse("referral-screen", args=[mash.hub.id, child.id]) in page
    other = household.referrals.exclude(pk=child.pk).get()
    assert reverse("referral-screen", args=[mash.hub.id, other.id]) not in page


def test_only_the_hubs_staff_see_the_household(client, mash):
    from tests.people import build_mash

    household = household_of(mash, children=2, adults=1)
    elsewhere = build_mash("south")
    client.force_login(elsewhere.practitioner)
    assert client.get(_url(mash, household)).status_code == 404
    # their own hub's address with this household: still no such household
    assert client.get(reverse("household-detail", args=[elsewhere.hub.id, household.id])).status_code == 404
    client.force_login(mash.officers["police"])
    assert client.get(_url(mash, household)).status_code == 404
    client.force_login(mash.manager)
    assert client.get(_url(mash, household)).status_code == 200


def test_a_red_sibling_puts_the_household_on_each_siblings_referral_page(client, mash):
    household = household_of(mash, children=3, adults=2, ratings=["red", "amber", "green"])
    red = household.referrals.get(rating="red")
    amber = household.referrals.get(rating="amber")
    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, amber.id])).content.decode()
    assert "govuk-notification-banner" in page
    assert "A child in this household is rated Red" in page and _url(mash, household) in page
    assert f'Part of household <a class="govuk-link" href="{_url(mash, household)}">{household.reference}</a>' in page
    own = client.get(reverse("referral-detail", args=[mash.hub.id, red.id])).content.decode()
    assert "A child in this household is rated Red" not in own  # the Red child's own page: no sibling is Red
    assert "Part of household" in own
    single = mash.referral(rating="amber")
    alone = client.get(reverse("referral-detail", args=[mash.hub.id, single.id])).content.decode()
    assert "Part of household" not in alone and "rated Red" not in alone


def test_the_queue_tags_a_red_siblings_household_and_sorts_it_with_the_red_ones(client, mash):
    from datetime import timedelta

    from referrals.models import Referral

    lone_amber = mash.referral(rating="amber")
    household = household_of(mash, children=2, adults=1, ratings=["red", "green"])
    red = household.referrals.get(rating="red")
    green = household.referrals.get(rating="green")
    # The lone Amber referral is due before the green sibling but after its Red sibling.
    Referral.objects.filter(pk=red.pk).update(due_at=lone_amber.due_at - timedelta(hours=2))
    Referral.objects.filter(pk=green.pk).update(due_at=lone_amber.due_at + timedelta(days=5))
    client.force_login(mash.practitioner)
    page = client.get(reverse("triage-queue", args=[mash.hub.id])).content.decode()
    assert page.count("Sibling rated Red") == 1
    assert page.index(red.reference) < page.index(green.reference) < page.index(lone_amber.reference)
