"""The household contact's web form: chosen from the new-referral journey, children and adults added without
JavaScript, one referral per child, messages by the fields they are about; access as for recording a referral."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Household, PersonRole, Referral
from tests.dates import typed_date
from tests.referrals.test_views import _login

pytestmark = pytest.mark.django_db


def _url(hub):
    return f"/hubs/{hub.id}/households/new/"


def _form(**changes) -> dict:
    """Two children and their mother, as a practitioner types them after a phone call."""
    data = {
        "channel": "phone", "received_time": "14:30", "referrer_name": "Ms Kay Teacher",
        "referrer_contact": "01234 567890", "concerns": ["child:neglect"], "source_code": "2A",
        "narrative": "Both children came to school hungry all week", "immediate_risk": "no", "consent": "obtained",
        **typed_date("received_date", timezone.localdate() - timedelta(days=1)),
        "child_0_given_name": "Robin", "child_0_family_name": "Testcase", **typed_date("child_0_date_of_birth", "2017-03-09"),
        "child_1_given_name": "Ash", "child_1_family_name": "Testcase", "child_1_estimated_age": "6",
        **typed_date("child_1_date_of_birth", ""),
        "adult_0_role": "parent_carer", "adult_0_given_name": "Jo", "adult_0_family_name": "Testcase",
        **typed_date("adult_0_date_of_birth", ""),
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_journey_offers_one_person_or_a_household(client, hub, practitioner):
    _login(client, practitioner)
    start = f"/hubs/{hub.id}/referrals/start/"
    assert "About a household" in client.get(start).content.decode()
    assert client.post(start, {"about": "household"})["Location"] == _url(hub)
    assert client.post(start, {"about": "one"})["Location"] == f"/hubs/{hub.id}/referrals/new/"
    assert "There is a problem" in client.post(start, {}).content.decode()


def test_two_children_and_an_adult_make_two_referrals(client, hub, practitioner):
    _login(client, practitioner)
    response = client.post(_url(hub), _form())
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hubs/{hub.id}/households/{household.id}/"
    referrals = Referral.objects.filter(household=household)
    assert referrals.count() == 2 and set(referrals.values_list("channel", flat=True)) == {"phone"}
    robin = referrals.get(persons__role=PersonRole.SUBJECT, persons__given_name="Robin")
    named = {p.given_name: p.role for p in robin.persons.all()}
    assert named == {"Robin": "subject", "Ash": "sibling", "Jo": "parent_carer"}
    page = client.get(response["Location"]).content.decode()
    assert robin.reference in page and "Ash" in page


def test_a_relationship_to_one_child_may_differ(client, hub, practitioner):
    _login(client, practitioner)
    client.post(_url(hub), _form(adult_0_to_1="household"))
    ash = Referral.objects.get(persons__role=PersonRole.SUBJECT, persons__given_name="Ash")
    assert ash.persons.get(given_name="Jo").role == PersonRole.HOUSEHOLD


def test_add_another_child_and_adult_keep_what_was_typed(client, hub, practitioner):
    _login(client, practitioner)
    page = client.post(_url(hub), {**_form(), "children": "add"}).content.decode()
    assert "Child 3" in page and 'value="Robin"' in page and "There is a problem" not in page
    assert 'id="child-3" tabindex="-1" autofocus' in page
    page = client.post(_url(hub), {**_form(), "adults": "add"}).content.decode()
    assert "Adult 2" in page and 'value="Jo"' in page
    page = client.post(_url(hub), {**_form(adult_0_to_1="visitor"), "children": "remove-0"}).content.decode()
    assert "Robin" not in page and 'name="child_0_given_name" value="Ash"' in page
    assert '<option value="visitor" selected>' in page  # Jo's relationship to Ash moved with Ash
    assert not Household.objects.exists()


def test_errors_are_shown_by_the_field_and_nothing_is_stored(client, hub, practitioner):
    _login(client, practitioner)
    data = _form(narrative="", child_1_estimated_age="", adult_0_role="")
    page = client.post(_url(hub), data).content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_narrative">Describe the concern in your own words</a>' in page
    assert 'href="#id_child_1_date_of_birth_day">Child 2: Enter the date of birth, or an estimated age</a>' in page
    assert 'href="#id_adult_0_role_0">Adult 1: Choose how this adult is related to the children' in page
    assert not Household.objects.exists() and not Referral.objects.exists()


def test_only_those_who_record_referrals_may(client, hub, police, outsider):
    _login(client, outsider)
    assert client.get(_url(hub)).status_code == 404
    assert client.post(_url(hub), _form()).status_code == 404
    assert not Household.objects.exists()
