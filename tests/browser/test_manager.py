"""The accountable manager's journey in real headless Chromium, signing in with the second factor: the dashboard, a
re-rating sent wrong twice (no rating and no reason, then the same rating) before the right one (the referral page and
the dashboard's counts then show it), a proposed decision returned without comments (refused) and then with them,
the sign-off queue emptied, and the inspection lists with dates the wrong way round and then a download. axe-core on
every page reached."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from decisions import services
from decisions.models import Decision, DecisionState
from referrals import selectors
from referrals.models import Referral
from tests.browser.helpers import (
    assert_accessible,
    click,
    expect_errors,
    expect_page,
    expect_success,
    open_from_menu,
    screened_referral,
    type_date,
)

pytestmark = pytest.mark.browser

CORE_OFFICERS = {
    "police": "olly.officer", "childrens-services": "cara.care", "adult-social-care": "ada.adults",
    "health": "hugh.health",
}  # fmt: skip
REASON = "The police report a second incident since screening: the child was present."
COMMENTS = "Say which agency will tell the school, and by when."


def proposed_decision(hub) -> Decision:
    """A referral the core agencies answered (no trace) and the practitioner proposed no further action on."""
    users = get_user_model().objects
    pat = users.get(username="pat.practitioner")
    referral = screened_referral(hub, "green")
    for request in services.information_request(referral=referral, by=pat):
        officer = users.get(username=CORE_OFFICERS[request.agency.slug])
        services.contribution_add(request=request, by=officer, data={"known": False})
    level = selectors.thresholds_current(hub, referral.cohort).levels[0]["code"]
    return services.decision_propose(
        referral=referral, by=pat, outcome="nfa", threshold_level=level, participants=services.core_agencies(hub),
        rationale="No agency holds anything on the family.", actions=[],
    )  # fmt: skip


def open_counts(hub) -> dict[str, int]:
    """The hub's open referrals by rating (and in all), as the database holds them."""
    open_referrals = Referral.objects.filter(hub=hub).exclude(status="closed")
    counts = {rating: open_referrals.filter(rating=rating).count() for rating in ("red", "amber", "green", "blue")}
    return {**counts, "all": open_referrals.count()}


def expect_open_counts(page, counts: dict[str, int]) -> None:
    """The dashboard's table of open referrals by rating."""
    table = page.get_by_role("table").filter(has_text="open referrals by rating")
    expect(table.locator("caption")).to_have_text(f"{counts['all']} open referrals by rating")
    for rating in ("red", "amber", "green", "blue"):
        expect(page.locator(f"#rating-{rating}")).to_have_text(str(counts[rating]))


def re_rate(page, hub, referral) -> None:
    page.goto(reverse("referral-detail", args=[hub.id, referral.id]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    rating = page.locator(".govuk-summary-list__row").filter(has_text="Rating").first
    expect(rating).to_contain_text("Amber")
    assert_accessible(page)

    click(page, "Change rating")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the rating")
    expect(page.get_by_text("Current rating:")).to_contain_text("Amber")
    assert_accessible(page)

    title = f"Change the rating of {referral.reference}"
    click(page, "Change the rating", role="button")
    expect_errors(
        page, title, {"rating": "Choose a RAG rating", "reason": "Give the reason for the change"}, choices=("rating",)
    )

    ratings = page.get_by_role("group", name="New RAG rating")
    ratings.get_by_label("Amber", exact=True).check()
    page.get_by_label("Reason for the change").fill(REASON)
    click(page, "Change the rating", role="button")
    expect_errors(
        page, title, {"rating": "Choose a rating or a level different from the current ones"}, choices=("rating",)
    )
    expect(page.get_by_label("Reason for the change")).to_have_value(REASON)
    referral.refresh_from_db()
    assert (referral.rating, referral.screenings.count()) == ("amber", 1)

    ratings.get_by_label("Red", exact=True).check()
    click(page, "Change the rating", role="button")
    expect_success(page, "Rating changed from Amber to Red")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    expect(rating).to_contain_text("Red")
    assert_accessible(page)


def return_decision(page, hub, decision) -> None:
    reference = decision.referral.reference
    open_from_menu(page, "Sign-off", "Decisions awaiting sign-off")
    expect(page.get_by_role("table").locator("caption")).to_have_text("1 decision waiting")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row.get_by_role("cell")).to_contain_text([reference, "No further action", "Pat Practitioner"])

    row.get_by_role("link").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off or return the decision")
    expect(page.get_by_role("heading", name="Version 1: No further action")).to_be_visible()
    assert_accessible(page)

    title = f"Sign off – {reference}"
    click(page, "Record my decision", role="button")
    expect_errors(page, title, {"verdict": "Choose to sign it off or return it"}, choices=("verdict",))

    page.get_by_role("group", name="Your decision").get_by_label("Return it for revision").check()
    click(page, "Record my decision", role="button")
    expect_errors(page, title, {"comments": "Say what needs to change"})
    decision.refresh_from_db()
    assert decision.state == DecisionState.PROPOSED

    page.get_by_label("Comments").fill(COMMENTS)
    click(page, "Record my decision", role="button")
    expect_success(page, "Decision returned to Pat Practitioner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions awaiting sign-off")
    expect(page.get_by_text("No decision is waiting for you.")).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("referral-detail", args=[hub.id, decision.referral_id]))
    returned = page.locator(".govuk-summary-list__row").filter(has_text="Returned")
    expect(returned).to_contain_text(f"Mary Manager, {timezone.localdate():%-d %B %Y}")
    expect(returned).to_contain_text(f"“{COMMENTS}”")
    assert_accessible(page)


def download_inspection_list(page, hub) -> None:
    open_from_menu(page, "Inspection lists", "Ofsted inspection lists")
    today = timezone.localdate()
    page.get_by_label("List 1: contacts").check()
    type_date(page, "since", today)
    type_date(page, "until", today - timedelta(days=1))
    click(page, "Download", role="button")
    expect_errors(
        page, "Ofsted inspection lists", {"until": "The end date must be the same as or after the start date"},
        dates={"until": "day"},
    )  # fmt: skip

    since = today - timedelta(days=30)
    type_date(page, "since", since)
    type_date(page, "until", today)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download", exact=True).click()
    assert download.value.suggested_filename == f"ofsted-list-1-{hub.slug}-{since}-{today}.csv"


def test_the_manager_re_rates_returns_a_decision_and_downloads_a_list_after_wrong_input(desk, small_demo_hub):
    hub = small_demo_hub
    referral = screened_referral(hub, "amber")
    decision = proposed_decision(hub)

    mary = desk("mary.manager")
    expect_page(mary, "Mary Manager")
    click(mary, "Manager's dashboard")
    expect(mary.get_by_role("heading", level=1)).to_have_text("Manager's dashboard")
    before = open_counts(hub)
    expect_open_counts(mary, before)
    assert_accessible(mary)

    re_rate(mary, hub, referral)
    open_from_menu(mary, "Dashboard", "Manager's dashboard")
    expect_open_counts(mary, {**before, "amber": before["amber"] - 1, "red": before["red"] + 1})

    return_decision(mary, hub, decision)
    download_inspection_list(mary, hub)
