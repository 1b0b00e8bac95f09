"""Queries per page and list endpoint, for each demo role: the figures the issue asks to compare before and after a
change (tests assert the counts; this prints them all in one table).

    .venv/bin/python bench/queries/run.py            # loads a small demo into a temporary SQLite database

Each page is fetched twice and the second count is kept (the first may fill per-process caches such as content
types). Only the test client is used: nothing listens on a port.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="mash.settings",
    DEBUG="true",
    MASH_VAR_DIR=tempfile.mkdtemp(prefix="mash-queries-"),
    DEMO_REFERRALS=os.environ.get("DEMO_REFERRALS", "60"),
    DEMO_PASSWORD="queries-only-password",  # noqa: S106 - a throwaway database in a temporary folder
    ALLOWED_HOSTS="testserver",
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402


def client_for(username: str) -> Client:
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="queries", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def count(client: Client, url: str, **headers) -> tuple[int, int]:
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response.status_code, len(queries)


def token_for(agency_slug: str) -> str:
    """A new API client of the agency, and a token by the client-credentials grant, as an agency's system gets one."""
    import base64

    from agencies import services
    from agencies.models import Agency, Hub

    agency = Agency.objects.get(slug=agency_slug)
    scopes = "referrals:write referrals:read contributions:write"
    _, client_id, secret = services.api_client_create(
        hub=Hub.objects.get(slug="demo"), agency=agency, name="queries", scopes=scopes
    )
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    return response.json()["access_token"]


def main() -> None:
    import io

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    from agencies.models import Hub
    from decisions.models import Decision, InformationRequest
    from referrals.models import Referral

    hub = Hub.objects.get(slug="demo")
    h = hub.id
    open_referral = Referral.objects.filter(hub=hub).exclude(status="closed").exclude(rating="").first()
    closed = Referral.objects.filter(hub=hub, status="closed").exclude(decisions=None).first()
    proposed = Decision.objects.filter(referral__hub=hub, state="proposed").first()
    police_referral = Referral.objects.filter(hub=hub, referring_agency__slug="police").first()
    health_request = InformationRequest.objects.filter(referral__hub=hub, agency__slug="health").first()
    pages = {
        "pat.practitioner": [
            ("home", reverse("home")),
            ("hub profile", reverse("hub-profile", args=[h])),
            ("agencies", reverse("hub-agencies", args=[h])),
            ("agreements", reverse("hub-agreements", args=[h])),
            ("funding", reverse("hub-funding", args=[h])),
            ("people", reverse("hub-people", args=[h])),
            ("thresholds", reverse("thresholds", args=[h])),
            ("referral list", reverse("referral-list", args=[h])),
            ("triage queue", reverse("triage-queue", args=[h])),
            ("triage queue (refresh)", reverse("triage-queue", args=[h]) + "?partial=1"),
            ("new referral", reverse("referral-new", args=[h])),
            ("referral page (open)", reverse("referral-detail", args=[h, open_referral.id])),
            ("referral page (decided)", reverse("referral-detail", args=[h, closed.id])),
            ("screening", reverse("referral-screen", args=[h, open_referral.id])),
            ("request information", reverse("request-new", args=[h, open_referral.id])),
            ("chronology", reverse("chronology", args=[h, closed.id])),
            ("notifications", reverse("notifications")),
        ],
        "mary.manager": [
            ("dashboard", reverse("manager-dashboard", args=[h])),
            ("sign-off queue", reverse("sign-off-queue", args=[h])),
            ("decision review", reverse("decision-review", args=[h, proposed.id]) if proposed else None),
            ("referral page (open)", reverse("referral-detail", args=[h, open_referral.id])),
            ("re-rating", reverse("referral-re-rate", args=[h, open_referral.id])),
            ("audit trail", reverse("audit-trail", args=[h])),
            ("inspection lists", reverse("inspection-lists", args=[h])),
            ("returns", reverse("returns", args=[h])),
        ],
        "hugh.health": [
            ("officer requests", reverse("officer-queue", args=[h])),
            ("officer request", reverse("officer-request", args=[h, health_request.id]) if health_request else None),
            ("officer actions", reverse("officer-actions", args=[h])),
            ("officer sent", reverse("officer-sent", args=[h])),
        ],
        "sam.lead": [("returns", reverse("returns", args=[h]))],
        "alex.admin": [
            ("people", reverse("hub-people", args=[h])),
            ("agreements", reverse("hub-agreements", args=[h])),
        ],
    }
    rows = []
    for username, items in pages.items():
        client = client_for(username)
        for name, url in items:
            if url is None:
                continue
            status, n = count(client, url)
            rows.append((username, name, status, n))
    api = [
        ("police", "referrals list", reverse("api-v1:referrals:list")),
        ("police", "referral", reverse("api-v1:referrals:detail", args=[police_referral.id])),
        ("health", "information requests", reverse("api-v1:information-requests:list")),
    ]
    for slug, name, url in api:
        token = token_for(slug)
        status, n = count(Client(), url, HTTP_AUTHORIZATION=f"Bearer {token}")
        rows.append((f"API {slug}", name, status, n))
    width = max(len(r[1]) for r in rows)
    print(f"{'who':<18} {'page':<{width}} status queries")
    for who, name, status, n in rows:
        print(f"{who:<18} {name:<{width}} {status:>6} {n:>7}")


if __name__ == "__main__":
    main()
