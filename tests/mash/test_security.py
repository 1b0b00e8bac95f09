"""Security controls: the Content Security Policy (no inline script or style anywhere, the API docs included), a
deactivated account's session refused at its very next request, `check --deploy` clean under the production
settings, and API tokens stored hashed and accepted only in the Authorization header."""

import base64
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from oauth2_provider.models import AccessToken

from agencies.models import Role
from tests.factories import HubFactory, MembershipFactory, member, sign_isa

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


@pytest.mark.django_db
def test_pages_and_the_api_carry_a_policy_allowing_only_this_origins_files(client):
    hub = HubFactory()
    manager = member(hub, Role.MANAGER)
    responses = [client.get(reverse("login"))]
    client.force_login(manager)
    responses += [client.get(reverse("home")), client.get(reverse("returns", args=[hub.id]))]
    responses.append(client.get("/api/v1/referrals/"))
    for response in responses:
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_no_template_holds_inline_script_style_or_handlers():
    offences = []
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*") if path.suffix in (".html", ".svg")]
    assert len(templates) > 40  # the project's templates were found
    for path in templates:
        text = path.read_text()
        for name, pattern in [
            ("inline script", INLINE_SCRIPT), ("event handler", INLINE_HANDLER), ("inline style", INLINE_STYLE),
            ("javascript: URL", JAVASCRIPT_URL),
        ]:  # fmt: skip
            offences += [f"{path.relative_to(ROOT)}: {name}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert offences == []


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(client):
    page = client.get(reverse("api-v1:docs")).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all("src=" in tag for tag in scripts), scripts


@pytest.mark.django_db
def test_a_deactivated_account_loses_its_session_at_once(client):
    hub = HubFactory()
    manager = member(hub, Role.MANAGER)
    client.force_login(manager)
    page = reverse("returns", args=[hub.id])
    assert client.get(page).status_code == 200

    manager.is_active = False
    manager.save(update_fields=["is_active"])

    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/").status_code == 302


def test_the_deploy_check_is_clean_under_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mash.example.org",
        "MASH_VAR_DIR": tempfile.mkdtemp(prefix="mash-deploy-check-"),
        "AUDIT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),  # the ledger heads' signing key
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "DATABASE_URL", "REDIS_URL",
                 "AUDIT_SIGNING_KEY_FILE"):  # fmt: skip
        env.pop(name, None)  # the production defaults, not the test run's
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout

    del env["AUDIT_SIGNING_KEY"]  # fail closed: no signing key, no deployment
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and "(audit.E001) No audit signing key" in done.stderr


@pytest.mark.django_db
def test_api_tokens_are_stored_hashed_and_still_work(client):
    from tests.referrals.test_api import _client_token

    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    sign_isa(hub, agency)  # reading anything back needs a current information sharing agreement
    raw = _client_token(client, hub, agency)

    assert not AccessToken.objects.filter(token=raw).exists()
    assert AccessToken.objects.count() == 1
    assert client.get("/api/v1/referrals/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert client.get(f"/api/v1/referrals/?access_token={raw}").status_code == 401  # never in the address
