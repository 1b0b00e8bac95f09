"""Refused access as each role meets it in a real browser: a record outside the person's scope answers the same
"Page not found" as an address that does not exist (no hint that the record is there); a page of their own hub that
their role does not open says why ("You cannot do this", 403). Both pages are accessible."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import Referral
from tests.browser.helpers import assert_accessible

pytestmark = pytest.mark.browser


def _not_found(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 404, url
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def _refused(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 403, url
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(page.locator("main p.govuk-body").first).not_to_be_empty()  # the reason


def test_each_role_is_refused_what_is_not_theirs(desk, demo_hub):
    referral = Referral.objects.filter(hub=demo_hub).order_by("received_at").first()
    hub = demo_hub.id
    detail = reverse("referral-detail", args=[hub, referral.id])
    refused = {
        # A practitioner: the manager's audit trail, sign-off queue, inspection lists; the lead's returns.
        "pat.practitioner": [
            reverse("audit-trail", args=[hub]), reverse("sign-off-queue", args=[hub]),
            reverse("inspection-lists", args=[hub]), reverse("returns", args=[hub]),
        ],
        # The strategic lead: case data (the queue) and the lists that hold personal data.
        "sam.lead": [reverse("triage-queue", args=[hub]), reverse("inspection-lists", args=[hub])],
        # The housing officer (no signed agreement) and the hub administrator: the lead's returns, the queue.
        "hana.housing": [reverse("returns", args=[hub])],
        "alex.admin": [reverse("triage-queue", args=[hub])],
    }  # fmt: skip
    for username, urls in refused.items():
        page = desk(username)
        for url in urls:
            _refused(page, url)
        if username != "pat.practitioner":
            _not_found(page, detail)  # a referral is outside their scope: as if it did not exist
        _not_found(page, reverse("referral-detail", args=[hub, "00000000-0000-0000-0000-000000000000"]))
    page = desk("pat.practitioner")
    _refused(page, reverse("audit-trail", args=[hub]))
    assert_accessible(page)
    _not_found(page, reverse("referral-detail", args=[hub, "00000000-0000-0000-0000-000000000000"]))
    assert_accessible(page)
