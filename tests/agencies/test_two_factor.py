"""Two-factor sign-in for the accountable manager, the deputy, hub administrators and superusers: set up on first
sign-in, a code at every sign-in after, wrong codes refused and audited; practitioners, officers and leads sign in
with a password alone; the agencies' API is not a person's sign-in and is outside it."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role
from agencies.twofactor import _grouped, current_code
from audit.models import AuditEvent
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough password 2026"


def _person(hub, role, **kwargs):
    user = member(hub, role, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]


def test_a_manager_sets_up_an_authenticator_at_first_sign_in_then_enters_a_code_each_time(client, hub):
    manager = _person(hub, Role.MANAGER)
    _sign_in(client, manager)
    page = reverse("returns", args=[hub.id])

    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two-factor-setup')}?next=%2Fhubs%2F{hub.id}%2Freturns%2F"
    setup = client.get(response["Location"])
    body = setup.content.decode()
    assert "<svg" in body and "Set up two-factor sign-in" in body
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    assert _grouped(device) in body  # the key as text, for an app that cannot scan
    wrong = client.post(reverse("two-factor-setup"), {"code": "000000", "next": page})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    malformed = client.post(reverse("two-factor-setup"), {"code": "12ab", "next": page})
    assert "Enter the code as 6 digits" in malformed.content.decode()

    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # after a wrong code, a second's wait
        done = client.post(reverse("two-factor-setup"), {"code": current_code(device), "next": page})

    assert done.status_code == 302 and done["Location"] == page
    assert client.get(page).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="user.two_factor_set_up", object_id=str(manager.pk)).count() == 1

    # Another day, another browser: the password, then the code.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        later = client.__class__()
        _sign_in(later, manager)
        response = later.get(page)
        assert response["Location"].startswith(reverse("two-factor-verify"))
        refused = later.post(reverse("two-factor-verify"), {"code": "999999", "next": page})
        assert refused.status_code == 400 and "That code is not right, or it has expired" in refused.content.decode()
        assert AuditEvent.objects.filter(action="user.two_factor_failed").count() == 1
        assert later.get(page).status_code == 302  # still not in
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=2)):
        device.refresh_from_db()
        accepted = later.post(reverse("two-factor-verify"), {"code": current_code(device), "next": page})
        assert accepted.status_code == 302 and later.get(page).status_code == 200
    assert AuditEvent.objects.filter(action="user.two_factor_verified").count() == 1


@pytest.mark.parametrize("role", [Role.DEPUTY, Role.HUB_ADMIN])
def test_deputies_and_hub_administrators_need_it_too(client, hub, role):
    _sign_in(client, _person(hub, role))
    assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor-setup"))
    assert client.get("/admin/")["Location"].startswith(reverse("two-factor-setup"))


def test_a_superuser_needs_it(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    _sign_in(client, user)
    assert client.get("/admin/")["Location"].startswith(reverse("two-factor-setup"))


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.STRATEGIC_LEAD, Role.AGENCY_OFFICER])
def test_other_roles_sign_in_with_a_password_alone(client, hub, role):
    _sign_in(client, _person(hub, role))
    assert client.get(reverse("home")).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_the_pages_of_the_second_step_are_for_those_who_need_it(client, hub):
    _sign_in(client, _person(hub, Role.PRACTITIONER))
    assert client.get(reverse("two-factor-setup"))["Location"] == reverse("home")
    assert client.get(reverse("two-factor-verify"))["Location"] == reverse("home")
    anonymous = client.__class__()
    assert anonymous.get(reverse("two-factor-verify"))["Location"].startswith(reverse("login"))


def test_signing_out_from_the_code_page(client, hub):
    manager = _person(hub, Role.MANAGER)
    TOTPDevice.objects.create(user=manager, confirmed=True)
    _sign_in(client, manager)
    assert client.post(reverse("two-factor-cancel"))["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_demo_code_command_refuses_without_debug(settings, hub):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=true"):
        call_command("two_factor_code", "anyone")


def test_the_service_administrator_resets_a_lost_authenticator(client, hub):
    manager = _person(hub, Role.MANAGER)
    device = TOTPDevice.objects.create(user=manager, confirmed=True)
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not TOTPDevice.objects.filter(pk=device.pk).exists()

    again = client.__class__()
    _sign_in(again, manager)
    assert again.get(reverse("home"))["Location"].startswith(reverse("two-factor-setup"))
