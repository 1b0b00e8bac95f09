"""Password reset by email: the same answer whether or not the address has an account, a link that works once and
for an hour only, the new password checked field by field, other sessions ended, the reset audited."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW = "a long new passphrase 2026"


def _ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def _link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)


def test_a_person_resets_their_password_with_the_emailed_link(client):
    user = UserFactory(email="pat@example.org")
    other_device = client.__class__()
    other_device.force_login(user)

    response = _ask(client, "PAT@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox[0].to == ["pat@example.org"] and "within an hour" in mail.outbox[0].body
    form = client.get(_link(), follow=True)
    assert "Choose a new password" in form.content.decode()

    bad = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": "something else"})
    assert bad.status_code == 200 and 'id="id_new_password2-error"' in bad.content.decode()
    short = client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in short.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert other_device.get(reverse("home")).status_code == 302  # the other session has ended
    event = AuditEvent.objects.get(action="user.password_reset")
    assert (event.actor_id, event.object_id) == (str(user.pk), str(user.pk))
    again = client.get(_link(), follow=True).content.decode()
    assert "This link no longer works" in again  # used once


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    UserFactory(email="pat@example.org")
    response = _ask(client, "nobody@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    bad = _ask(client, "not an address")
    assert bad.status_code == 200 and "Enter a valid email address" in bad.content.decode()


def test_a_link_older_than_an_hour_no_longer_works(client):
    user = UserFactory(email="pat@example.org")
    _ask(client, "pat@example.org")
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        page = client.get(_link(), follow=True).content.decode()
    assert "This link no longer works" in page
    user.refresh_from_db()
    assert not user.check_password(NEW)


def test_the_sign_in_page_offers_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
