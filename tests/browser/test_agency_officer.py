"""Agency officers in real headless Chromium. Health's officer finds the hub's request in their queue and answers it
through the form: nothing chosen (refused), then "known" without a summary (refused, their choices kept), then
complete; the answer is shown in words and the queue says it is answered. Housing's officer, whose agency has signed
no information sharing agreement, is told which agreement is missing on their home page, in their queue and on the
request itself (403). axe-core on every page reached."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from agencies.models import Agency
from decisions import services
from decisions.models import Contribution, RequestState
from tests.browser.helpers import (
    HUB_NAME,
    assert_accessible,
    click,
    expect_errors,
    expect_success,
    open_from_menu,
    screened_referral,
)
from tests.factories import asked_while_agreed

pytestmark = pytest.mark.browser

HEALTH, HOUSING = "Northshire Integrated Care Board", "Northshire Homes"
QUEUE = "Requests for your agency's information"
RISK = "Missed appointments or non-engagement"
SUMMARY = "Health visitor: three missed appointments since September; the GP has not seen the child this year."
MISSING = (
    "Northshire Homes has not signed Northshire MASH information sharing agreement (version 1). "
    "Ask the hub administrator to record a current signature."
)


def health_answers(page, referral, request) -> None:
    open_from_menu(page, "Requests", QUEUE)
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row.get_by_role("cell").last).to_have_text("Waiting for the agency")
    row.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Checks for referral {referral.reference}")
    expect(page.get_by_role("heading", name="Alex Example – Subject")).to_be_visible()
    assert_accessible(page)

    title = f"Checks for {referral.reference}"
    click(page, "Share with the hub", role="button")
    expect_errors(
        page, title, {"known": "Say whether the agency knows the subject, or record no trace"}, choices=("known",)
    )

    known = page.get_by_role("group", name="Does your agency know the subject?").get_by_label(
        "Yes: we hold information"
    )
    known.check()
    page.get_by_label(RISK).check()
    click(page, "Share with the hub", role="button")
    expect_errors(page, title, {"summary": "Summarise what the agency knows"})
    expect(known).to_be_checked()
    expect(page.get_by_label(RISK)).to_be_checked()
    assert not Contribution.objects.filter(request=request).exists()

    page.get_by_label("Summary").fill(SUMMARY)
    click(page, "Share with the hub", role="button")
    expect_success(page, f"Your agency's information on {referral.reference} is with the hub")
    answer = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=f"{HEALTH}: known to the agency")
    )
    expect(answer.locator(".govuk-summary-list__row").filter(has_text="Summary")).to_contain_text(SUMMARY)
    expect(answer.locator(".govuk-summary-list__row").filter(has_text="Risk indicators")).to_contain_text(RISK)
    assert_accessible(page)

    click(page, "Back to your requests")
    expect(page.get_by_role("heading", level=1)).to_have_text(QUEUE)
    expect(page.get_by_role("row").filter(has_text=referral.reference).get_by_role("cell").last).to_have_text(
        "Answered"
    )
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED


def housing_is_told_what_is_missing(page, hub, request) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Hana Housing")
    section = page.get_by_role("region", name=HUB_NAME)
    expect(section.get_by_role("heading", name=f"Agency officer for {HOUSING}")).to_be_visible()
    expect(section.locator(".govuk-warning-text")).to_contain_text(
        f"{HOUSING} cannot see or share case data in this hub. {MISSING}"
    )
    assert_accessible(page)

    # No menu item leads to case data; the queue, opened from its address, is refused saying why.
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Requests")).to_have_count(0)
    response = page.goto(reverse("officer-queue", args=[hub.id]))
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agency cannot see or share case data yet")
    expect(page.get_by_text(MISSING)).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    assert_accessible(page)

    # The request to housing, opened from its address (a notice or a colleague's link): refused, saying why.
    response = page.goto(reverse("officer-request", args=[hub.id, request.id]))
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agency cannot see or share case data yet")
    expect(page.get_by_text(MISSING)).to_be_visible()
    expect(page.get_by_role("link", name="See the hub's agreements")).to_be_visible()
    expect(page.get_by_text("Alex Example")).to_have_count(0)
    assert_accessible(page)


def test_an_officer_answers_after_wrong_input_and_housing_is_told_which_agreement_is_missing(desk, small_demo_hub):
    hub = small_demo_hub
    housing = Agency.objects.get(slug="housing")
    referral = screened_referral(hub, "amber")
    pat = get_user_model().objects.get(username="pat.practitioner")
    with asked_while_agreed():  # housing was asked before its agreement lapsed
        made = services.information_request(referral=referral, by=pat, agencies=[housing])
    requests = {r.agency.slug: r for r in made}  # the four core agencies, and housing

    health_answers(desk("hugh.health"), referral, requests["health"])
    housing_is_told_what_is_missing(desk("hana.housing"), hub, requests["housing"])
