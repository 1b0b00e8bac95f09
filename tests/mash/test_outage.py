"""A part that is down answers 503 cleanly, never a stack trace: PostgreSQL or Redis unreachable for real (a closed
port). The API's per-client throttle lets requests through while the cache is down: the database is the truth."""

import json
import logging

import pytest
import redis
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import RequestFactory

from mash.api_errors import exception_handler
from mash.outage import server_error
from tests.factories import HubFactory, MembershipFactory, sign_isa
from tests.referrals.test_api import _client_token

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every call is refused at once


def _database_down() -> OperationalError:
    """A real failure to reach PostgreSQL (nothing listens on port 1), raised through Django's database layer."""
    wrapper = DatabaseWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1",
                               "PORT": 1, "NAME": "mash", "USER": "postgres", "OPTIONS": {"connect_timeout": 2}})  # fmt: skip
    try:
        wrapper.ensure_connection()
    except OperationalError as down:
        return down
    pytest.fail("port 1 answered")


@pytest.mark.parametrize("path", ["/hubs/", "/api/v1/referrals/"])
def test_a_database_outage_answers_503_without_details(path):
    down = _database_down()
    try:
        raise down
    except OperationalError:
        response = server_error(RequestFactory().get(path))

    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Traceback" not in body and "port 1" not in body and "127.0.0.1" not in body
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
        assert json.loads(body)["status"] == 503 and "not completed" in json.loads(body)["detail"]
    else:
        assert "unavailable for a moment" in body


def test_the_api_goes_on_without_its_throttle_while_the_cache_is_down(client, settings, caplog):
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    sign_isa(hub, agency)  # reading anything back needs a current information sharing agreement
    raw = _client_token(client, hub, agency)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}

    with caplog.at_level(logging.WARNING, logger="mash.api"):
        response = client.get("/api/v1/referrals/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert "API throttle skipped: the cache is unreachable (ConnectionError)" in caplog.text


def test_an_outage_inside_an_api_call_is_a_503_problem():
    try:
        redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as down:
        response = exception_handler(down, {})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.content_type == "application/problem+json"
    assert response.data["title"] == "Service Unavailable" and "not completed" in response.data["detail"]


def test_any_other_error_is_still_the_plain_500_page():
    from mash import urls

    assert urls.handler500 == "mash.outage.server_error"  # Django answers every unhandled error through it
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/somewhere/"))
    assert response.status_code == 500 and b"a bug" not in response.content
