"""The accountable manager's role passes to a successor in one step, with a reason, by a hub administrator: the hub
never has none or two, the successor who was deputy stops being deputy, and nobody takes the role for themselves."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from agencies import handover
from agencies.models import Role, RoleAssignment
from audit.models import AuditEvent
from mash.errors import Conflict
from tests.factories import UserFactory, member
from tests.people import build_mash

pytestmark = pytest.mark.django_db


def _manager(mash) -> RoleAssignment:
    return RoleAssignment.objects.get(hub=mash.hub, role=Role.MANAGER)


def _url(mash, assignment) -> str:
    return f"/hubs/{mash.hub.id}/people/{assignment.id}/hand-over/"


def test_the_administrator_hands_the_role_over_from_the_people_page(client, mash):
    successor = UserFactory(first_name="Priya", last_name="Shah")
    outgoing = _manager(mash)
    client.force_login(mash.admin)
    people = client.get(f"/hubs/{mash.hub.id}/people/").content.decode()
    assert _url(mash, outgoing) in people and "Hand over" in people
    page = client.get(_url(mash, outgoing)).content.decode()
    assert "Hand over the accountable manager’s role" in page and mash.manager.username in page
    assert "(optional)" not in page  # both questions must be answered
    response = client.post(_url(mash, outgoing), {"successor": successor.username, "reason": "Retiring in March"})
    assert response.status_code == 302
    manager = _manager(mash)
    assert manager.user == successor and manager.granted_by == mash.admin
    assert not RoleAssignment.objects.filter(user=mash.manager, hub=mash.hub).exists()
    people = client.get(f"/hubs/{mash.hub.id}/people/").content.decode()
    assert f"Priya Shah is now the accountable manager in place of {mash.manager.get_full_name()}" in people
    event = AuditEvent.objects.get(action="role.handed_over")
    assert event.data == {
        "from_user_id": str(mash.manager.pk),
        "to_user_id": str(successor.pk),
        "reason": "Retiring in March",
        "deputy_role_ended": False,
    }
    assert [e.data["user_id"] for e in AuditEvent.objects.filter(action="role.revoked")] == [str(mash.manager.pk)]
    assert str(successor.pk) in [e.data["user_id"] for e in AuditEvent.objects.filter(action="role.granted")]


def test_missing_or_wrong_answers_are_said_by_field_and_change_nothing(client, mash):
    outgoing = _manager(mash)
    client.force_login(mash.admin)
    response = client.post(_url(mash, outgoing), {"successor": "", "reason": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Enter the username of the person who will be accountable manager" in text
    assert "Enter why the role is being handed over" in text
    response = client.post(_url(mash, outgoing), {"successor": "nobody-here", "reason": "New post"})
    assert "There is no active account with this username" in response.content.decode()
    response = client.post(_url(mash, outgoing), {"successor": mash.manager.username, "reason": "New post"})
    assert "already the accountable manager" in response.content.decode()
    response = client.post(_url(mash, outgoing), {"successor": mash.admin.username, "reason": "New post"})
    assert (
        response.status_code == 403 and "Nobody gives, changes or removes their own roles" in response.content.decode()
    )
    assert _manager(mash) == outgoing
    assert not AuditEvent.objects.filter(action__in=["role.handed_over", "role.revoked"]).exists()


def test_a_hub_administrator_cannot_be_made_manager_of_the_hub_they_administer(mash):
    other_admin = member(mash.hub, Role.HUB_ADMIN)
    with pytest.raises(ValidationError) as refused:
        handover.manager_hand_over(
            assignment=_manager(mash), data={"successor": other_admin.username, "reason": "x"}, by=mash.admin
        )
    assert "administers the hub" in refused.value.message_dict["successor"][0]
    assert _manager(mash).user == mash.manager


def test_the_deputy_who_takes_over_stops_being_deputy(mash):
    deputy = member(mash.hub, Role.DEPUTY)
    handover.manager_hand_over(
        assignment=_manager(mash), data={"successor": deputy.username, "reason": "Promoted"}, by=mash.admin
    )
    assert set(RoleAssignment.objects.filter(hub=mash.hub, user=deputy).values_list("role", flat=True)) == {"manager"}
    assert AuditEvent.objects.get(action="role.handed_over").data["deputy_role_ended"] is True


def test_only_administrators_hand_it_over_and_nobody_outside_the_hub_sees_the_page(client, mash):
    other_mash = build_mash("south")
    outgoing = _manager(mash)
    client.force_login(mash.practitioner)
    assert client.get(_url(mash, outgoing)).status_code == 403
    with pytest.raises(Http404):  # the roles are outside a practitioner's scope
        handover.manager_hand_over(
            assignment=outgoing, data={"successor": mash.practitioner.username, "reason": "x"}, by=mash.practitioner
        )
    client.force_login(other_mash.admin)
    assert client.get(_url(mash, outgoing)).status_code == 404
    assert _manager(mash) == outgoing


def test_a_role_that_is_not_the_managers_is_not_handed_over(client, mash):
    practitioner = RoleAssignment.objects.get(user=mash.practitioner)
    client.force_login(mash.admin)
    assert client.get(_url(mash, practitioner)).status_code == 404
    outgoing = _manager(mash)
    first = UserFactory()
    handover.manager_hand_over(assignment=outgoing, data={"successor": first.username, "reason": "x"}, by=mash.admin)
    with pytest.raises(Conflict, match="changed hands already"):  # a second administrator's stale page
        handover.manager_hand_over(
            assignment=outgoing, data={"successor": UserFactory().username, "reason": "x"}, by=mash.admin
        )
    assert _manager(mash).user == first


def test_the_refusal_to_remove_the_only_manager_leads_to_the_handover(client, mash):
    outgoing = _manager(mash)
    client.force_login(mash.admin)
    page = client.get(f"/hubs/{mash.hub.id}/people/{outgoing.id}/revoke/").content.decode()
    assert "Hand the role to a successor" in page and _url(mash, outgoing) in page
