"""Signing in and out: lockout after repeated failures, sessions that end after 30 idle minutes."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from agencies.models import Role
from mash.sessions import ACTIVE
from tests.factories import HubFactory, member

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_and_out(client):
    user = member(HubFactory(name="Eastshire MASH"), Role.PRACTITIONER)
    response = _sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Eastshire MASH" in client.get("/").content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_the_error_summary(client):
    user = member(HubFactory(), Role.PRACTITIONER)
    page = _sign_in(client, user.username, "wrong").content.decode()
    assert "There is a problem" in page and "The username or password you entered is incorrect" in page


def test_lockout_after_five_failures_for_one_username_from_one_address(client):
    user = member(HubFactory(), Role.PRACTITIONER)
    for _ in range(5):
        _sign_in(client, user.username, "wrong")
    locked = _sign_in(client, user.username, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked" in page and "Try again in 30 minutes, or ask your hub administrator" in page
    assert "PT30M" not in page  # django-axes' ISO 8601 duration, not words
    assert client.get("/").status_code == 302  # not signed in
    # The lock is keyed on username and address: the same person from another address can still sign in.
    assert _sign_in(client, user.username, PASSWORD, address="10.0.0.2").status_code == 302


def test_session_ends_after_thirty_idle_minutes(client):
    user = member(HubFactory(), Role.PRACTITIONER)
    client.force_login(user)
    assert client.get("/").status_code == 200
    # The stored session lasts at most the absolute lifetime; the idle limit is the session's own clock
    # (mash/sessions.py, tests/mash/test_sessions.py).
    session = Session.objects.get()
    assert timedelta(hours=11, minutes=59) < session.expire_date - timezone.now() <= timedelta(hours=12)
    stored = client.session
    stored[ACTIVE] -= 30 * 60 + 1
    stored.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_each_request_renews_the_idle_timer(client):
    user = member(HubFactory(), Role.PRACTITIONER)
    client.force_login(user)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get("/")
    assert Session.objects.get().expire_date - timezone.now() > timedelta(minutes=29)


def test_deactivated_user_is_signed_out(client):
    user = member(HubFactory(), Role.PRACTITIONER)
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get("/").status_code == 302


def test_an_empty_sign_in_names_each_missing_field_in_govuk_words(client):
    page = _sign_in(client, "", "").content.decode()
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page
    assert "This field is required" not in page
