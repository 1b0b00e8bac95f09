"""The Django admin for hub administrators: their hubs only, every write through a service and so audited."""

import pytest

from agencies.models import FundingContribution, Role
from audit.models import AuditEvent
from tests.factories import HubFactory, IsaFactory, MembershipFactory, member

pytestmark = pytest.mark.django_db


def test_admin_add_goes_through_the_service_and_is_audited(client):
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    client.force_login(member(hub, Role.HUB_ADMIN))
    response = client.post(
        "/admin/agencies/fundingcontribution/add/",
        {
            "hub": hub.pk,
            "agency": agency.pk,
            "financial_year": "2026",
            "amount_gbp": "500.00",
            "staff_fte": "1.0",
            "working_pattern": "remote",
        },
    )
    assert response.status_code == 302
    row = FundingContribution.objects.get()
    event = AuditEvent.objects.get(action="funding.recorded")
    assert event.object_id == str(row.pk) and event.data["amount_gbp"] == "500.00"


def test_admin_choices_hold_only_the_administered_hubs(client):
    hub, other = HubFactory(name="Mine"), HubFactory(name="Theirs")
    mine, theirs = IsaFactory(hub=hub, title="My ISA"), IsaFactory(hub=other, title="Their ISA")
    client.force_login(member(hub, Role.HUB_ADMIN))
    page = client.get("/admin/agencies/documentversion/add/").content.decode()
    assert str(mine.pk) in page and str(theirs.pk) not in page
    page = client.get("/admin/agencies/fundingcontribution/add/").content.decode()
    assert "Mine" in page and "Theirs" not in page


def test_nothing_is_deleted_through_the_admin_but_a_role(client):
    hub = HubFactory()
    client.force_login(member(hub, Role.HUB_ADMIN))
    assert client.get(f"/admin/agencies/hub/{hub.pk}/delete/").status_code == 403
    assert client.get("/admin/agencies/fundingcontribution/").status_code == 200


def test_the_admin_sign_in_page_sends_everyone_to_the_service_sign_in(client):
    """Hole 5 of issue 15: an anonymous GET /admin/login/ was a server error (the admin asked the database about an
    AnonymousUser). There is one way in, the service's sign-in, which then comes back to the admin."""
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/login/?next=/admin/", 302)
    hub = HubFactory()
    client.force_login(member(hub, Role.HUB_ADMIN))
    assert client.get("/admin/").status_code == 200
