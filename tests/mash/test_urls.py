"""Every URL pattern refuses an anonymous user: a redirect to sign-in (pages) or 401 (API)."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

pytestmark = pytest.mark.django_db

# The only addresses anyone may open without signing in: sign-in, password reset (the emailed link is the proof),
# the health probe, the API's OAuth2 token and revocation endpoints (they are how a client authenticates), the
# authorization server's metadata, and its schema, documentation and problem types (no data).
PUBLIC = {
    "login", "healthz", "token", "revoke", "schema", "docs", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete", "oauth-metadata", "problems", "problem",
    "choose-language",  # the language switch, on the sign-in page too (docs/adr/0027)
    "javascript-catalog",  # the scripts' texts in the page's language: no case data
}  # fmt: skip

SAMPLE = {"uuid": str(uuid.uuid4()), "int": "1", "str": "x", "slug": "x", "path": "x"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _pattern_text(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry, prefix + _pattern_text(entry.pattern)


def _pattern_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        text = str(pattern)
        for converter, value in SAMPLE.items():
            import re

            text = re.sub(rf"<{converter}:\w+>", value, text)
        return re.sub(r"<\w+>", "x", text)
    if isinstance(pattern, RegexPattern):
        import re

        text = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        text = re.sub(r"\(\?P<\w+>[^)]*\)", "x", text)
        return text.replace("\\", "").replace("?", "")
    return str(pattern)


ALL = list(_walk(get_resolver().url_patterns))
PROTECTED = [(pattern, path) for pattern, path in ALL if pattern.name not in PUBLIC]


def test_the_walk_finds_the_pages_it_should():
    names = {p.name for p, _ in ALL}
    assert {"home", "hub-profile", "hub-edit", "hub-funding", "funding-edit", "role-revoke"} <= names
    assert any(path.startswith("admin/") for _, path in ALL)
    assert {p.name for p, _ in ALL} - {p.name for p, _ in PROTECTED} == PUBLIC


@pytest.mark.parametrize(("pattern", "path"), PROTECTED, ids=[path for _, path in PROTECTED])
def test_anonymous_user_is_refused(client, pattern, path):
    api = path.startswith("api/")
    for method in ("get", "post"):
        if api:
            response = getattr(client, method)(
                "/" + path, data={} if method == "get" else "{}", content_type="application/json"
            )
            assert response.status_code == 401, f"{method.upper()} /{path} answered {response.status_code}"
            assert response["Content-Type"] == "application/problem+json"
            continue
        response = getattr(client, method)("/" + path)
        assert response.status_code == 302, f"{method.upper()} /{path} answered {response.status_code}"
        assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]


def test_public_pages_are_only_sign_in_and_health(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
