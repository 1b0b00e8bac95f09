"""Schemathesis against the published OpenAPI schema, over every operation, with a valid token and all of its checks:
whatever it sends, no server error, every response matches what the schema says (status code, content type,
headers, body), data the schema allows is accepted and data it forbids is refused. It found two bugs on its first
run: a 500 for methods without a declared scope, and a non-list `others` accepted.

Each request that should carry a valid Idempotency-Key gets a new one (the `map_headers` hook), so no case replays
another's response; a key the schema forbids, or none, is left as generated, for the server to refuse.

The client holds every scope, for an agency that signed the hub's information sharing agreement and has an open
request for information, so the decisions endpoints answer with data too (contributions, requests, webhooks)."""

import base64
import json
import re
import uuid

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from agencies import services
from decisions.services import information_request
from mash.wsgi import application
from referrals.idempotency import HEADER, KEY_PATTERN
from tests.people import build_mash

pytestmark = pytest.mark.django_db

# The schema exactly as /api/v1/schema/ serves it, generated here so nothing is requested while tests are collected.
SCHEMA = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = application  # requests go straight into Django, inside the test's database
VALID_KEY = re.compile(KEY_PATTERN)


@schema.hook("map_headers")
def a_new_valid_idempotency_key(context, headers):
    """A valid generated key becomes a new UUID: hypothesis repeats values, and a repeated key would replay."""
    if headers and isinstance(headers.get(HEADER), str) and VALID_KEY.fullmatch(headers[HEADER]):
        headers[HEADER] = str(uuid.uuid4())
    return headers


@pytest.fixture
def token(client, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    mash = build_mash("fuzz")
    information_request(referral=mash.referral(), by=mash.practitioner)
    scopes = " ".join(django_settings.OAUTH2_PROVIDER["SCOPES"])
    _, client_id, secret = services.api_client_create(hub=mash.hub, agency=mash.police, name="fuzz", scopes=scopes)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    return response.json()["access_token"]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_request_as_documented(case, token):
    # Calling the WSGI app directly fires request_finished, whose handler would close the test's database
    # connection mid-transaction; Django's own test client disconnects it the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})  # every check schemathesis has
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_schema_under_test_is_the_one_served(client):
    assert client.get("/api/v1/schema/?format=json").json()["paths"].keys() == SCHEMA["paths"].keys()
