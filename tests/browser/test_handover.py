"""Issue 19's handover, end to end in real headless Chromium: the manager signs off a section 47 strategy outcome;
the referral page says it was handed to children's social care and not yet acknowledged; left longer than the hub's
hours, it is on the manager's dashboard; the social care officer opens "Cases handed to your agency" and acknowledges
it; the referral page then says who acknowledged it, and the dashboard no longer lists it. axe-core on every page, and
with BROWSER_SCREENSHOTS=<folder>, a screenshot of each
saved there for a person to look at."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, expect_page, expect_success, screened_referral

pytestmark = pytest.mark.browser

MANAGER, CARE = "mary.manager", "cara.care"
OFFICERS = {
    "police": "olly.officer",
    "childrens-services": "cara.care",
    "adult-social-care": "ada.adults",
    "health": "hugh.health",
}
SHOTS = os.environ.get("BROWSER_SCREENSHOTS", "")  # a folder: each page's screenshot saved there to look at


def _proposed_s47(hub):
    """A Red referral every core agency answered, with an s47 strategy decision proposed by the practitioner."""
    from django.contrib.auth import get_user_model

    from decisions import services

    users = get_user_model().objects.in_bulk([*OFFICERS.values(), "pat.practitioner"], field_name="username")
    referral = screened_referral(hub, "red")
    practitioner = users["pat.practitioner"]
    requests = services.information_request(referral=referral, by=practitioner)
    for request in requests:
        officer = users[OFFICERS[request.agency.slug]]
        services.contribution_add(request=request, by=officer, data={"known": False})
    services.decision_propose(
        referral=referral, by=practitioner, outcome="s47_strategy", threshold_level=referral.threshold_level,
        rationale="Significant harm suspected: a strategy discussion with the police.",
        participants=[r.agency for r in requests], actions=[],
    )  # fmt: skip
    return referral


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"handover-{name}.png"), full_page=True)


def test_a_signed_s47_outcome_is_handed_over_waits_on_the_dashboard_and_is_acknowledged(small_demo_hub, desk):
    from decisions.models import Handover

    hub = small_demo_hub
    referral = _proposed_s47(hub)
    detail = reverse("referral-detail", args=[hub.id, referral.id])

    mary = desk(MANAGER)
    mary.goto(reverse("sign-off-queue", args=[hub.id]))
    mary.get_by_role("row").filter(has_text=referral.reference).get_by_role("link").click()
    mary.wait_for_load_state()
    expect_page(mary, "Sign off or return the decision")
    mary.get_by_role("group", name="Your decision").get_by_label("Sign off this decision").check()
    mary.get_by_role("button", name="Record my decision", exact=True).click()
    mary.wait_for_load_state()
    expect_success(mary, f"Decision signed off: referral {referral.reference} is closed")

    mary.goto(detail)
    handover = mary.locator("#handover + ul")
    expect(handover).to_contain_text("Handed to Northshire Children's Services at")
    expect(handover).to_contain_text("(decision version 1); not yet acknowledged.")
    assert_accessible(mary)
    _shot(mary, "1-referral-handed-over")

    # Left unacknowledged past the hub's hours (the time set back, as a day passing would).
    ago = timezone.now() - timedelta(hours=hub.handover_ack_hours + 30)
    Handover.objects.filter(referral=referral).update(sent_at=ago, ack_due_at=ago + timedelta(hours=1))
    mary.goto(reverse("manager-dashboard", args=[hub.id]))
    waiting = mary.locator("#handovers-unacknowledged + table")
    row = waiting.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Northshire Children's Services")
    expect(row).to_contain_text("1 day")
    assert_accessible(mary)
    _shot(mary, "2-dashboard-waiting")

    cara = desk(CARE)
    cara.goto(reverse("officer-queue", args=[hub.id]))
    cara.get_by_role("link", name="Cases handed to your agency", exact=True).click()
    cara.wait_for_load_state()
    expect_page(cara, "Cases handed to your agency")
    menu = cara.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Requests", exact=True)).to_have_attribute("aria-current", "true")
    expect(menu.get_by_role("link", name="Hub", exact=True)).not_to_have_attribute("aria-current", "true")
    mine = cara.get_by_role("row").filter(has_text=referral.reference)
    expect(mine).to_contain_text("Strategy discussion (s47)")
    _shot(cara, "3-officer-handovers")
    mine.get_by_role("button", name="Acknowledge").click()
    cara.wait_for_load_state()
    expect(cara.get_by_role("row").filter(has_text=referral.reference)).to_contain_text("by Cara Care")
    assert_accessible(cara)
    _shot(cara, "4-officer-acknowledged")

    mary.goto(detail)
    expect(mary.locator("#handover + ul")).to_contain_text("acknowledged at")
    expect(mary.locator("#handover + ul")).to_contain_text("by Cara Care")
    expect(mary.locator("#handover + ul")).not_to_contain_text("not yet acknowledged")
    _shot(mary, "5-referral-acknowledged")
    mary.goto(reverse("manager-dashboard", args=[hub.id]))
    expect(mary.get_by_role("row").filter(has_text=referral.reference)).to_have_count(0)
