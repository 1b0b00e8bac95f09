"""A hub's timescales must agree: compared as due times from a common start, a more urgent rating never ends later
than a less urgent one, agencies' information is due before the rating's own time, and every rating ends by the
decision deadline. Refused on the hub form with the contradiction in words, and by the model for the admin too."""

import pytest
from django.core.exceptions import ValidationError

from agencies import services
from agencies.models import Hub, Role
from tests.agencies.test_views import _hub_form, _login
from tests.factories import HubFactory, member

pytestmark = pytest.mark.django_db


def test_the_default_hub_is_coherent():
    hub = Hub(name="Default", slug="default", working_days=[0, 1, 2, 3, 4])
    hub.full_clean()  # raises if the defaults contradicted each other


def test_amber_in_working_hours_ending_after_green_in_clock_hours_is_refused(client):
    hub = HubFactory()
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, green_counting="clock", decision_working_days="9"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Amber (24 working hours) can end later than Green (72 clock hours)" in page
    assert "for a referral received on a " in page and "Shorten one or lengthen the other" in page
    hub.refresh_from_db()
    assert hub.green_counting == "working" and hub.green_hours == 8  # nothing changed


def test_red_500_hours_and_green_1_hour_are_refused_field_by_field(client):
    hub = HubFactory()
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, red_hours="500", green_hours="1"))
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "Red (500 clock hours) can end later than Amber (24 working hours)" in page
    assert "Amber (24 working hours) can end later than Green (1 working hour)" in page
    assert "Agencies' information for Green (24 working hours) can end later than Green (1 working hour)" in page
    assert Hub.objects.get(pk=hub.pk).red_hours == 4


def test_a_decision_due_before_amber_runs_out_is_refused(client):
    hub = HubFactory()
    _login(client, member(hub, Role.HUB_ADMIN))
    # The case: a decision in one working day while Amber runs five (40 working hours).
    response = client.post(
        f"/hubs/{hub.id}/edit/", _hub_form(hub, amber_hours="40", green_hours="72", decision_working_days="1")
    )
    page = response.content.decode()
    assert "can end later than the decision deadline (1 working day after receipt)" in page
    assert "allow more working days for the decision or shorten Red" in page or "shorten Amber" in page
    assert Hub.objects.get(pk=hub.pk).decision_working_days == 1


def test_coherent_timescales_are_saved(client):
    hub = HubFactory()
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub))  # Surrey's 4 / 24 / 72, decided in 9 days
    assert response.status_code == 302
    hub.refresh_from_db()
    assert (hub.amber_hours, hub.green_hours, hub.decision_working_days) == (24, 72, 9)


def test_the_service_refuses_too_so_the_admin_site_obeys():
    hub = HubFactory()
    with pytest.raises(ValidationError) as refused:
        services.hub_update(hub=hub, data={"red_hours": 500, "green_hours": 1})
    assert "red_hours" in refused.value.message_dict


def test_labels_and_possessives():
    from mash.words import possessive

    assert possessive("Northshire Police") == "Northshire Police's"
    assert possessive("Children's Services") == "Children's Services'"
    assert possessive("") == ""
