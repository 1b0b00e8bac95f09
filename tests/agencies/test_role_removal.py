"""Removing a role asks first, naming the person and the role; the hub's only accountable manager is never removed,
whether through the page, the service or the admin site."""

import pytest

from agencies import services
from agencies.models import Role, RoleAssignment
from mash.errors import Conflict
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_removing_a_role_asks_for_confirmation_first(client, mash):
    client.force_login(mash.admin)
    assignment = RoleAssignment.objects.get(user=mash.practitioner)
    people = client.get(f"/hubs/{mash.hub.id}/people/").content.decode()
    assert f"/hubs/{mash.hub.id}/people/{assignment.id}/revoke/" in people
    page = client.get(f"/hubs/{mash.hub.id}/people/{assignment.id}/revoke/")
    text = page.content.decode()
    name = mash.practitioner.get_full_name() or mash.practitioner.username
    assert page.status_code == 200
    assert f"Remove {name} as practitioner?" in text and "govuk-warning-text" in text
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()  # asking changed nothing
    response = client.post(f"/hubs/{mash.hub.id}/people/{assignment.id}/revoke/")
    assert response.status_code == 302 and not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_only_accountable_manager_is_not_removed_and_the_page_says_why(client, mash):
    client.force_login(mash.admin)
    assignment = RoleAssignment.objects.get(user=mash.manager, role=Role.MANAGER)
    page = client.get(f"/hubs/{mash.hub.id}/people/{assignment.id}/revoke/").content.decode()
    assert "This role cannot be removed" in page and "only accountable manager" in page
    assert "Remove the role</button>" not in page
    response = client.post(f"/hubs/{mash.hub.id}/people/{assignment.id}/revoke/")
    assert response.status_code == 409 and "only accountable manager" in response.content.decode()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_service_refuses_so_commands_and_the_admin_site_obey(mash, rf):
    assignment = RoleAssignment.objects.get(user=mash.manager, role=Role.MANAGER)
    with pytest.raises(Conflict, match="only accountable manager"):
        services.role_revoke(assignment=assignment)
    from agencies.admin import RoleAssignmentAdmin
    from agencies.admin_site import admin_site

    request = rf.get("/admin/")
    request.user = mash.admin
    admin = RoleAssignmentAdmin(RoleAssignment, admin_site)
    assert admin.has_delete_permission(request, assignment) is False
    deputy = member(mash.hub, Role.PRACTITIONER)
    assert admin.has_delete_permission(request, RoleAssignment.objects.get(user=deputy)) is True
