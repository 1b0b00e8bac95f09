"""A strategy discussion convened from a household page (issue 19 part 1): one form about the household's children,
recorded on each child's referral chosen (the same people, decision and actions), in each child's chronology and on
the household page; a refusal records nothing; the form starts short and grows a row at a time without JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models.strategy import StrategyDiscussion
from referrals.models import Referral
from tests.households import household_of as _household_of

pytestmark = pytest.mark.django_db


def household_of(mash, **kwargs):
    """The household, its referrals received two days ago (a discussion an hour ago is after them)."""
    household = _household_of(mash, **kwargs)
    Referral.objects.filter(household=household).update(received_at=timezone.now() - timedelta(days=2))
    return household


def _day(name: str, day) -> dict:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _form(mash, **changes) -> dict:
    held = timezone.localtime() - timedelta(hours=1)
    return {
        **_day("held_on", held.date()), **_day("s47_started_on", timezone.localdate()),
        **_day("action_0_due_on", timezone.localdate() + timedelta(days=2)), "held_time": held.strftime("%H:%M"), "mode": "phone",
        "participant_0_agency": str(mash.police.pk), "participant_0_role": "DS Khan",
        "participant_1_agency": str(mash.social_care.pk), "participant_1_role": "Team manager",
        "decision": "s47_joint_police",
        "action_0_owner": str(mash.social_care.pk), "action_0_description": "Visit the children at home",
        **changes,
    }  # fmt: skip


def test_one_form_records_the_discussion_on_each_childs_referral_and_in_each_chronology(mash, client):
    household = household_of(mash, children=3, ratings=["red", "red", "amber"])
    ava, ben, cara = household.referrals.order_by("received_at", "reference")
    client.force_login(mash.practitioner)
    home = reverse("household-detail", args=[mash.hub.id, household.id])
    url = reverse("household-strategy-new", args=[mash.hub.id, household.id])
    assert f'href="{url}"' in client.get(home).content.decode()
    page = client.get(url).content.decode()
    for child in (ava, ben, cara):  # every child ticked at first
        assert f'value="{child.pk}" checked' in page
    response = client.post(url, {**_form(mash), "children": [str(ava.pk), str(ben.pk)]})
    assert response.status_code == 302 and response["Location"].endswith("#strategy-discussions")
    recorded = StrategyDiscussion.objects.order_by("referral__reference")
    assert {d.referral_id for d in recorded} == {ava.pk, ben.pk}  # Cara's was not about her
    for d in recorded:  # the same discussion on each: without health, so flagged on each
        assert (d.mode, d.decision, d.missing_kinds) == ("phone", "s47_joint_police", ["health"])
        assert [a.description for a in d.actions.all()] == ["Visit the children at home"]
        assert d.actions.get().deadline.referral_id == d.referral_id
    shown = client.get(home).content.decode()
    assert shown.count("Needs the manager's reason") == 2
    for child in (ava, ben):
        chronology = client.get(reverse("chronology", args=[mash.hub.id, child.id])).content.decode()
        assert "Strategy discussion (phone call)" in chronology and "Without: Health" in chronology


def test_no_child_chosen_or_bad_input_records_nothing_and_says_why_by_field(mash, client):
    household = household_of(mash, children=2)
    client.force_login(mash.practitioner)
    url = reverse("household-strategy-new", args=[mash.hub.id, household.id])
    page = client.post(url, _form(mash)).content.decode()  # no child ticked
    assert 'href="#id_children_0"' in page and "Choose the children the discussion was about" in page
    ids = [str(r.pk) for r in household.referrals.all()]
    page = client.post(url, {**_form(mash, participant_1_role=""), "children": ids}).content.decode()
    assert 'href="#id_participant_1_role"' in page
    assert not StrategyDiscussion.objects.exists()


def test_an_officer_or_another_hub_gets_404(mash, client):
    from tests.people import build_mash

    household = household_of(mash, children=2)
    client.force_login(mash.officers["police"])
    assert client.get(reverse("household-strategy-new", args=[mash.hub.id, household.id])).status_code == 404
    other = build_mash("south")
    client.force_login(other.manager)
    assert client.get(reverse("household-strategy-new", args=[other.hub.id, household.id])).status_code == 404


def test_the_form_starts_short_and_adds_a_row_without_javascript_keeping_what_was_typed(mash, client):
    referral = mash.referral()
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=2))
    client.force_login(mash.practitioner)
    url = reverse("strategy-new", args=[mash.hub.id, referral.id])
    page = client.get(url).content.decode()
    assert 'name="participant_2_role"' in page and 'name="participant_3_role"' not in page
    assert 'name="action_0_description"' in page and 'name="action_1_description"' not in page
    page = client.post(url, {**_form(mash), "more": "participant"}).content.decode()
    assert 'name="participant_3_role"' in page and 'value="DS Khan"' in page
    assert "There is a problem" not in page and not StrategyDiscussion.objects.exists()
    page = client.post(url, {**_form(mash), "participant_3_agency": str(mash.health.pk), "more": "action"})
    page = page.content.decode()
    assert 'name="action_1_description"' in page and 'name="participant_3_role"' in page
    assert "Visit the children at home" in page
