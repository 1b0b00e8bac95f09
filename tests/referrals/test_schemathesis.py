"""Schemathesis against the published OpenAPI schema, over every operation, with a valid token and all of its checks:
whatever it sends, no server error, every response matches what the schema says (status code, content type,
headers, body), data the schema allows is accepted and data it forbids is refused. It found two bugs on its first
run: a 500 for methods without a declared scope, and a non-list `others` accepted.

Each request that should carry a valid Idempotency-Key gets a new one (the `before_call` hook), so no case replays
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
from django.core.cache import cache
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import settings as hypothesis_settings
from schemathesis.generation import GenerationMode

from agencies import services
from decisions.services import information_request
from mash.wsgi import application
from referrals.idempotency import HEADER, KEY_PATTERN
from tests.clamav import clamav_problem
from tests.people import build_mash

pytestmark = pytest.mark.django_db

# The schema exactly as /api/v1/schema/ serves it, generated here so nothing is requested while tests are collected.
SCHEMA = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = application  # requests go straight into Django, inside the test's database
VALID_KEY = re.compile(KEY_PATTERN)


# Rules that OpenAPI cannot state, so schema-valid data may break them and get its 422 on the field: a cursor the
# API gave (opaque), a webhook address that resolves to a public host, a real UK postcode, the NHS number's check digit, plausible dates, and the rules across fields (a child's source code and
# concerns, a date of birth or an estimated age, a reason when consent was not obtained, a summary when known; a
# household adult's relationship names a child among those sent, once), an attachment's type told from its bytes (a
# PDF, an image, a Word document or text: schemathesis sends random bytes).
BEYOND_THE_SCHEMA = {
    "postcode", "nhs_number", "date_of_birth", "estimated_age", "received_at", "source_code", "concerns",
    "consent_reason", "cohort", "adult_risk_types", "adult_risk_location", "adult_risk_source", "summary",
    "lawful_basis", "given_name", "family_name", "name", "contact", "narrative", "cursor", "url", "child", "file",
}  # fmt: skip

# Text that is not valid Unicode (a lone surrogate) or holds control or text-direction characters, or only invisible
# ones: no pattern in the schema says it.
INVALID_CHARACTERS = ("Remove the invalid characters from this text", "Enter text with visible characters")


def _semantic_422(failure, response) -> bool:
    if failure.code != "ST202" or response.status_code != 422:
        return False
    errors = response.json().get("errors", [])
    return bool(errors) and all(
        error["field"].rsplit(".", 1)[-1] in BEYOND_THE_SCHEMA or error["detail"].startswith(INVALID_CHARACTERS)
        for error in errors
    )


def _no_scanner_503(failure, response) -> bool:
    """An attachment when no clamd runs on this machine (tests/clamav.py skips it): the documented 503 with
    Retry-After, the file not stored. Where clamd runs, the fuzzing scans on it and this never happens."""
    return (
        failure.code == "ST101"
        and response.status_code == 503
        and "retry-after" in {name.lower() for name in response.headers}
        and response.json().get("type", "").endswith("/unavailable")
        and clamav_problem() is not None
    )


@schema.hook("filter_failure")
def not_beyond_the_schema(context, failure, case, response):
    return not (_semantic_422(failure, response) or _no_scanner_503(failure, response))


@schemathesis.hook("before_call")  # schemathesis allows this one only globally; only this module uses schemathesis
def a_new_valid_idempotency_key(context, case, kwargs):
    """A valid generated key becomes a new UUID just before the call (in every phase, examples and coverage too):
    hypothesis repeats values, and a repeated key would replay another case's response."""
    headers = case.headers or {}
    if isinstance(headers.get(HEADER), str) and VALID_KEY.fullmatch(headers[HEADER]):
        headers[HEADER] = str(uuid.uuid4())


@pytest.fixture
def token(client, settings, request):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    if clamav_problem() is None:
        request.getfixturevalue("scanner")  # attachments are scanned on the real clamd, as in production
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
@settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
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


def _odd_valid_text(value) -> bool:
    """A url the schema allows (text of 1 to 500 characters; negative cases stay as generated), one in two."""
    return isinstance(value, str) and 0 < len(value) <= 500 and len(value) % 2 == 1


@pytest.fixture
def stateful(token):
    """schemathesis's state machine over the schema's links (mash/openapi.py LINKS): a referral sent, then read and
    answered; a webhook registered, then read, pinged, rotated, its notices listed and deleted."""
    machine = schema.as_state_machine()

    class WithToken(machine):
        answered: list = []  # (operation, status) of every call, to show the links were followed

        # Each scenario starts from the same database (a savepoint rolled back after it) and an empty cache (the
        # throttle's counts), so hypothesis can replay one.
        def setup(self):
            cache.clear()
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def before_call(self, case):
            # No generated text is an address the vetting accepts (a public https host that resolves): half the
            # registrations get a local one, allowed in DEBUG, where nothing listens (a ping fails at once).
            if (
                case.operation.label == "POST /api/v1/webhooks/"
                and isinstance(case.body, dict)
                and case.meta.generation.mode == GenerationMode.POSITIVE
                and _odd_valid_text(case.body.get("url"))
            ):
                case.body["url"] = f"http://127.0.0.1:9/{uuid.uuid4()}"

        def after_call(self, response, case):
            WithToken.answered.append((case.operation.label, response.status_code))

    return WithToken


def test_api_answers_every_sequence_of_linked_calls_as_documented(stateful, settings):
    settings.DEBUG = True  # for the local webhook addresses only (README, "Outcome webhooks")
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        # Generation only, derandomized: schemathesis feeds what the API answered into later cases, so replaying one
        # to shrink it draws differently (hypothesis's FlakyStrategyDefinition); a failure is still reported whole.
        stateful.run(settings=hypothesis_settings(max_examples=40, deadline=None, derandomize=True, database=None,
                                                  phases=[Phase.generate], suppress_health_check=list(HealthCheck),
                                                  stateful_step_count=6))  # fmt: skip
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    followed = {operation for operation, status in stateful.answered if status in (200, 201, 204)}
    # A random id is a 404: a 200 on these is a link followed from a write the machine made.
    assert "GET /api/v1/referrals/{referral_id}/" in followed, followed
    assert followed & {f"{m} /api/v1/webhooks/{{webhook_id}}/{tail}" for m in ("GET", "POST", "DELETE")
                       for tail in ("", "ping/", "rotate-secret/", "deliveries/")}, followed  # fmt: skip
