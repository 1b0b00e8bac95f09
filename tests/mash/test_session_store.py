"""The session store (mash/session_store.py) reads sessions as Django's database store does, in one prepared read."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from mash.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_is_read_back_in_one_query(django_assert_num_queries):
    saved = SessionStore()
    saved["mash.session.active"] = 1234
    saved.save()
    with django_assert_num_queries(1):
        assert SessionStore(saved.session_key).load() == {"mash.session.active": 1234}
    assert DjangoStore(saved.session_key).load() == {"mash.session.active": 1234}  # the same rows as Django's store


def test_an_expired_or_unknown_session_is_empty_and_its_key_forgotten():
    saved = SessionStore()
    saved["x"] = 1
    saved.save()
    Session.objects.filter(session_key=saved.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    for key in [saved.session_key, "no-such-session-key-000000000000"]:
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None  # as Django's store: a new key on the next save, never the one sent
        django = DjangoStore(key)
        assert django.load() == {} and django.session_key is None


def test_the_service_signs_people_in_with_it(client, mash):
    client.force_login(mash.practitioner)
    assert isinstance(client.session, SessionStore)
    assert client.get("/").status_code == 200
