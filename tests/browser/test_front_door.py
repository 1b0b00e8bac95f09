"""Issue 16's front door in real headless Chromium, axe-core on every page: an immediate-risk referral sent by an
agency's system heads page 1 of the queue with the words "Immediate risk" and the manager is told; a screening that
contradicts itself is refused with its message; a practitioner raises Blue to Red; lowering it again is refused
without the manager."""

import base64
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from agencies.models import Agency
from agencies.services import api_client_create
from referrals.models import Notification, Referral
from referrals.services import referral_create
from tests.browser.helpers import assert_accessible, click, expect_page, expect_success, sign_in
from tests.factories import referral_data

pytestmark = pytest.mark.browser


def _send_by_api(page, hub, body) -> dict:
    """As the police's case system does it: a token by client credentials, then the referral with its key."""
    police = Agency.objects.get(slug="police")
    _, client_id, secret = api_client_create(hub=hub, agency=police, name="Police case system")
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    token = page.request.post(
        "/api/v1/oauth/token/", form={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    ).json()["access_token"]
    sent = page.request.post(
        "/api/v1/referrals/", data=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert sent.status == 201, sent.text()
    return sent.json()


def test_an_immediate_risk_referral_by_api_is_first_on_the_queue_and_the_manager_is_told(page, demo_hub):
    sent = _send_by_api(page, demo_hub, referral_data(immediate_risk=True))
    sign_in(page, "pat.practitioner")
    page.goto(reverse("triage-queue", args=[demo_hub.id]))
    expect_page(page, "Triage queue")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text=sent["reference"])).to_contain_text("Immediate risk")
    texts = rows.all_inner_texts()
    at = next(i for i, text in enumerate(texts) if sent["reference"] in text)
    # Above it only referrals at immediate risk whose time is shorter (the demo's history may leave one overdue);
    # every other referral, however overdue, below it.
    assert all("Immediate risk" in text and "Overdue" in text for text in texts[:at]), texts[:at]
    page.get_by_label("Only immediate risk").check()
    click(page, "Show referrals", role="button")
    expect(page.locator("tbody tr")).to_have_count(
        Referral.objects.filter(hub=demo_hub, immediate_risk=True).exclude(status="closed").count()
    )
    assert_accessible(page)
    manager = get_user_model().objects.get(username="mary.manager")
    assert Notification.objects.filter(
        recipient=manager, referral_id=sent["id"], subject__contains="immediate"
    ).exists()


def test_a_contradictory_screening_is_refused_then_a_practitioner_raises_blue_to_red_but_cannot_lower_it(
    page, small_demo_hub
):
    referral = referral_create(hub=small_demo_hub, data=referral_data(), channel="phone")
    sign_in(page, "pat.practitioner")
    screen = reverse("referral-screen", args=[small_demo_hub.id, referral.id])

    def screening(criterion: str, level: str, rating: str, rationale: str = "Screened in the browser test."):
        page.goto(screen)
        expect_page(page, "Screen this referral")
        page.get_by_label(criterion).check()
        page.get_by_role("group", name="Threshold level").get_by_label(level, exact=True).check()
        page.get_by_role("group", name="RAG rating").get_by_label(rating, exact=True).check()
        page.get_by_label("Rationale").fill(rationale)
        click(page, "Save the screening", role="button")

    screening("Reasonable cause to suspect significant harm", "Universal", "Blue", "x")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("is a criterion of Specialist: child protection (s47), above the level chosen")
    expect(summary).to_contain_text("a Blue rating contradicts it")
    expect(summary).to_contain_text("ask the accountable manager to confirm it")
    assert_accessible(page)
    assert not Referral.objects.get(pk=referral.pk).rating

    screening("Needs met by universal services", "Universal", "Blue")
    expect_success(page, "Referral screened: Blue")
    screening("Reasonable cause to suspect significant harm", "Specialist: child protection (s47)", "Red")
    expect_success(page, "Referral screened: Red")
    assert Referral.objects.get(pk=referral.pk).rating == "red"

    screening("Additional needs one agency can meet", "Early help", "Green")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Lowering the rating from Red to Green is for the accountable manager")
    expect(summary).to_contain_text("Lowering the level from Specialist: child protection (s47) to Early help")
    assert_accessible(page)
    assert Referral.objects.get(pk=referral.pk).rating == "red"
