"""One error format for the whole /api/ and a token endpoint for client credentials only, as an integrator meets
them: every error is problem+json with a stable `type` that the API itself describes, RFC 6750 challenges on 401 and
403, validated paging, 308 for a missing slash, HEAD and OPTIONS, RateLimit headers, and a token endpoint that is no
oracle for staff passwords."""

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlparse

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from agencies.models import ApiClient, Role
from agencies.services import api_client_create, api_client_revoke
from decisions.models import Contribution, Webhook
from mash.problem import KINDS, PROBLEM
from referrals.models import IdempotencyRecord, Referral
from tests.factories import ask, member, referral_data

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"
REQUESTS = "/api/v1/information-requests/"
WEBHOOKS = "/api/v1/webhooks/"
TOKEN = "/api/v1/oauth/token/"
ALL_SCOPES = "referrals:write referrals:read contributions:write webhooks:write"


def credentials(hub, agency, scopes=ALL_SCOPES) -> str:
    _, client_id, secret = api_client_create(hub=hub, agency=agency, name="Case system", scopes=scopes)
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(client, hub, agency, scopes=ALL_SCOPES) -> str:
    response = client.post(
        TOKEN, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=credentials(hub, agency, scopes)
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def token(client, hub, police):
    return token_for(client, hub, police)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_json(client, url, body, token, key="key-1"):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **bearer(token))


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["type"] == f"/api/v1/problems/{kind}" and body["detail"]
    return body


# Every status, one format --------------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v2/anything", "/api/v1/referrals/not-a-uuid/", "/api/x"])
def test_an_unknown_path_under_api_is_a_404_problem(client, token, settings, path, debug):
    settings.DEBUG = debug  # DEBUG's technical 404 page is not for API clients either
    assert_problem(client.get(path, **bearer(token)), 404, "not-found")
    assert_problem(client.post(path, "{}", content_type="application/json"), 404, "not-found")


def test_the_sites_own_404_page_is_unchanged(client, practitioner):
    client.force_login(practitioner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", [TOKEN, "/api/v1/oauth/revoke/"])
def test_the_token_endpoints_405_is_a_problem(client, path):
    body = assert_problem(client.get(path), 405, "method-not-allowed")
    assert "GET" in body["detail"]
    assert "POST" in client.get(path)["Allow"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_under_api_is_a_500_problem_and_stores_nothing(hub, police, monkeypatch, settings, debug):
    settings.DEBUG = debug
    from oauth2_provider.views.mixins import OAuthLibMixin

    def broken(self, request):
        raise RuntimeError("the token store failed")

    monkeypatch.setattr(OAuthLibMixin, "create_token_response", broken)
    client = Client(raise_request_exception=False)
    response = client.post(TOKEN, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=credentials(hub, police))
    assert_problem(response, 500, "server-error")
    assert not AccessToken.objects.exists()


def test_other_statuses_carry_their_kinds(client, token, settings):
    assert_problem(client.get(REFERRALS, HTTP_ACCEPT="text/html", **bearer(token)), 406, "not-acceptable")
    form = client.post(REFERRALS, "a=b", content_type="application/x-www-form-urlencoded", **bearer(token))
    assert_problem(form, 415, "unsupported-media-type")
    assert_problem(post_json(client, REFERRALS, "{not json", token), 400, "malformed")
    big = post_json(client, REFERRALS, referral_data(narrative="x" * (settings.API_MAX_BODY_BYTES + 1)), token)
    assert_problem(big, 413, "too-large")
    assert not Referral.objects.exists()


def test_the_idempotency_problems_have_their_own_types(client, token):
    missing = client.post(REFERRALS, json.dumps(referral_data()), content_type="application/json", **bearer(token))
    body = assert_problem(missing, 400, "idempotency-key-missing")
    assert [e["field"] for e in body["errors"]] == ["Idempotency-Key"]
    assert post_json(client, REFERRALS, referral_data(), token, key="k").status_code == 201
    reused = post_json(client, REFERRALS, referral_data(narrative="Another referral altogether."), token, key="k")
    assert_problem(reused, 422, "idempotency-key-reused")
    assert Referral.objects.count() == 1


def test_every_problem_type_is_described_at_its_own_address(client):
    listed = client.get("/api/v1/problems/")
    assert listed.status_code == 200
    assert {t["type"] for t in listed.json()["types"]} == {kind.type for kind in KINDS.values()}
    for kind in KINDS.values():
        described = client.get(kind.type)
        assert described.status_code == 200, kind.type
        assert described.json()["status"] == kind.status and described.json()["description"]
    assert_problem(client.get("/api/v1/problems/no-such-kind"), 404, "not-found")


# Validation is 422 everywhere, field by field -----------------------------------------------------------------


def test_a_body_that_is_not_an_object_is_a_422_on_the_whole_body(client, mash):
    referral = mash.referral()
    ask(mash, referral)
    token = token_for(client, mash.hub, mash.police)
    for url in (REFERRALS, f"{REFERRALS}{referral.pk}/contributions/", WEBHOOKS):
        response = post_json(client, url, [{"known": False}], token)
        body = assert_problem(response, 422, "validation")
        assert [e["field"] for e in body["errors"]] == [""], url
        assert "JSON object" in body["errors"][0]["detail"]
        assert "non_field_errors" not in response.content.decode()
    bad_url = assert_problem(post_json(client, WEBHOOKS, {"url": "ftp://x"}, token), 422, "validation")
    assert [e["field"] for e in bad_url["errors"]] == ["url"]
    assert not Contribution.objects.exists() and not Webhook.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("size", ["abc", "0", "-1", "201", "1.5", "", "١"])
@pytest.mark.parametrize("url", [REFERRALS, REQUESTS])
def test_a_bad_page_size_is_a_422_on_page_size(client, token, url, size):
    body = assert_problem(client.get(url, {"page_size": size}, **bearer(token)), 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["page_size"]
    assert "1 to 200" in body["errors"][0]["detail"]


def _cursor(**params) -> str:
    return base64.b64encode("&".join(f"{k}={v}" for k, v in params.items()).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    ["zzz", "!!!", "", _cursor(), _cursor(x="1"), _cursor(o="x"), _cursor(p="not-a-date"), _cursor(p="99999-01-01")],
)
@pytest.mark.parametrize("url", [REFERRALS, REQUESTS])
def test_a_malformed_cursor_is_a_422_on_cursor_not_page_one(client, token, url, cursor):
    body = assert_problem(client.get(f"{url}?cursor={quote(cursor)}", **bearer(token)), 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["cursor"]


def test_good_paging_parameters_still_page(client, token):
    for i in range(3):
        assert post_json(client, REFERRALS, referral_data(), token, key=f"k{i}").status_code == 201
    first = client.get(REFERRALS, {"page_size": "2"}, **bearer(token)).json()
    assert len(first["results"]) == 2
    cursor = parse_qs(urlparse(first["next"]).query)["cursor"][0]
    second = client.get(REFERRALS, {"page_size": "2", "cursor": cursor}, **bearer(token)).json()
    assert len(second["results"]) == 1


# RFC 6750 challenges ------------------------------------------------------------------------------------------


def test_no_token_is_401_with_the_plain_bearer_challenge(client):
    response = client.get(REFERRALS)
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("how", ["unknown", "expired", "revoked token", "revoked client"])
def test_a_bad_token_is_401_invalid_token(client, token, how):
    if how == "expired":
        AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    elif how == "revoked token":
        AccessToken.objects.all().delete()
    elif how == "revoked client":
        api_client_revoke(client=ApiClient.objects.get())
    response = post_json(client, REFERRALS, referral_data(), "nope" if how == "unknown" else token)
    body = assert_problem(response, 401, "invalid-token")
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api", error="invalid_token", error_description="')
    assert "invalid" in body["detail"] or "revoked" in body["detail"]
    assert "not provided" not in body["detail"]
    assert not Referral.objects.exists()


def test_a_missing_scope_is_403_insufficient_scope_naming_it(client, hub, police):
    reader = token_for(client, hub, police, scopes="referrals:read")
    response = post_json(client, REFERRALS, referral_data(), reader)
    assert_problem(response, 403, "insufficient-scope")
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="insufficient_scope", scope="referrals:write"'
    writer = token_for(client, hub, police, scopes="referrals:write")
    listing = client.get(REFERRALS, **bearer(writer))
    assert 'scope="referrals:read"' in listing["WWW-Authenticate"]
    assert not Referral.objects.exists()


# A missing slash, HEAD and OPTIONS ------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_trailing_slash_is_a_308_that_keeps_the_post(client, token, settings, debug):
    settings.DEBUG = debug
    response = client.post(
        "/api/v1/referrals", json.dumps(referral_data()), content_type="application/json", **bearer(token)
    )
    assert response.status_code == 308 and response["Location"] == REFERRALS
    assert not Referral.objects.exists()
    followed = post_json(client, response["Location"], referral_data(), token)  # what a client does on 308
    assert followed.status_code == 201 and Referral.objects.count() == 1
    listed = client.get("/api/v1/referrals?page_size=1", **bearer(token))
    assert listed.status_code == 308 and listed["Location"] == "/api/v1/referrals/?page_size=1"


def test_head_answers_with_the_read_scope_and_no_body(client, hub, police, token):
    post_json(client, REFERRALS, referral_data(), token)
    response = client.head(REFERRALS, **bearer(token))
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Type"] == "application/json"
    writer = token_for(client, hub, police, scopes="referrals:write")
    refused = client.head(REFERRALS, **bearer(writer))
    assert refused.status_code == 403 and 'scope="referrals:read"' in refused["WWW-Authenticate"]


def test_options_needs_only_a_valid_token_and_shows_no_data(client, hub, police, token):
    post_json(client, REFERRALS, referral_data(), token)
    hooks_only = token_for(client, hub, police, scopes="webhooks:write")
    response = client.options(REFERRALS, **bearer(hooks_only))
    assert response.status_code == 200
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in response["Allow"].split(",")}
    referral = Referral.objects.get()
    assert str(referral.pk) not in response.content.decode() and referral.reference not in response.content.decode()
    assert_problem(client.options(REFERRALS), 401, "unauthenticated")
    assert_problem(client.options(REFERRALS, **bearer("nope")), 401, "invalid-token")


# RateLimit headers ---------------------------------------------------------------------------------------------


def test_answers_carry_ratelimit_headers_and_the_429_its_retry_after(client, token, monkeypatch):
    from referrals.api_auth import ClientRateThrottle

    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": "2/min"})
    first = client.get(REFERRALS, **bearer(token))
    assert first.status_code == 200
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("2", "1")
    assert first["RateLimit-Policy"] == '"client";q=2;w=60'
    assert first["RateLimit"].startswith('"client";r=1;t=') and 0 < int(first["RateLimit-Reset"]) <= 60
    assert client.get(REFERRALS, **bearer(token))["RateLimit-Remaining"] == "0"
    limited = client.get(REFERRALS, **bearer(token))
    assert_problem(limited, 429, "rate-limited")
    assert limited["RateLimit-Remaining"] == "0" and 0 < int(limited["Retry-After"]) <= 60
    assert 0 < int(limited["RateLimit-Reset"]) <= 60


# The token endpoint: client credentials only ------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "authorization_code", "code": "abc", "redirect_uri": "https://x.example/"},
        {"grant_type": "refresh_token", "refresh_token": "abc"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "abc"},
        {"grant_type": "junk"},
        {},
        {"grant_type": ["client_credentials", "password"]},
    ],
)
def test_any_grant_but_client_credentials_is_unsupported(client, hub, police, form):
    response = client.post(TOKEN, form, HTTP_AUTHORIZATION=credentials(hub, police))
    assert response.status_code == 400 and response["Cache-Control"] == "no-store"
    assert response.json()["error"] == "unsupported_grant_type"
    assert not AccessToken.objects.exists()


def test_the_password_grant_is_no_oracle_and_touches_no_lockout(client, hub, police, monkeypatch):
    staff = member(hub, Role.PRACTITIONER)
    checked = []
    plain_check = get_user_model().check_password

    def spy(user, raw):
        checked.append(user.username)
        return plain_check(user, raw)

    monkeypatch.setattr(get_user_model(), "check_password", spy)
    basic = credentials(hub, police)
    answers = [
        client.post(
            TOKEN,
            {"grant_type": "password", "username": staff.username, "password": password},
            HTTP_AUTHORIZATION=basic,
        )
        for password in ("correct horse battery staple", "wrong", "wrong", "wrong", "wrong", "wrong", "wrong")
    ]
    assert {(a.status_code, a.content) for a in answers} == {(400, answers[0].content)}  # right and wrong alike
    assert answers[0].json()["error"] == "unsupported_grant_type"
    assert checked == []  # no password was even checked
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()
    assert not AccessLog.objects.exists() and not AccessToken.objects.exists()


def test_the_authorization_server_metadata_is_published(client, settings):
    response = client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    meta = response.json()
    assert meta["issuer"] == "http://testserver"
    assert meta["token_endpoint"] == "http://testserver/api/v1/oauth/token/"
    assert meta["revocation_endpoint"] == "http://testserver/api/v1/oauth/revoke/"
    assert meta["grant_types_supported"] == ["client_credentials"]
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]
    assert "client_secret_basic" in meta["revocation_endpoint_auth_methods_supported"]
    assert meta["scopes_supported"] == sorted(settings.OAUTH2_PROVIDER["SCOPES"])


def test_a_token_is_revoked_as_rfc_7009_says(client, hub, police):
    basic = credentials(hub, police)
    token = client.post(TOKEN, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic).json()["access_token"]
    assert client.get(REFERRALS, **bearer(token)).status_code == 200
    revoked = client.post("/api/v1/oauth/revoke/", {"token": token}, HTTP_AUTHORIZATION=basic)
    assert revoked.status_code == 200
    assert_problem(client.get(REFERRALS, **bearer(token)), 401, "invalid-token")


def test_the_advertised_client_secret_post_method_gets_a_token(client, hub, police):
    _, client_id, secret = api_client_create(hub=hub, agency=police, name="Case system", scopes="referrals:read")
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = client.post(TOKEN, form)
    assert response.status_code == 200 and response.json()["scope"] == "referrals:read"
