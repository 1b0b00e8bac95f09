"""The strategic lead's journey in real headless Chromium: hubs compared side by side with a month that is no date or
not offered (a clear error, status 400, no table) and then a month chosen from the list (the hub's figures from its
built return), on to the hub's returns; the inspection lists, which name children, are refused to a lead, saying why
(reports/access.py: the manager's alone). axe-core on every page reached."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reports import services
from reports.suppression import suppressed_count
from tests.browser.helpers import HUB_NAME, assert_accessible, build_as_the_worker_does, expect_errors

pytestmark = pytest.mark.browser

BAD_MONTHS = ["2026-13-01", "next month", "2001-01-01"]  # no date, no date, a month not offered


def built_return(hub, month, lead):
    """The month's return, asked for by the lead and built as the worker builds it."""
    row = services.return_request(hub=hub, month=month, by=lead, commentary="")
    return build_as_the_worker_does(row.pk)


def test_the_lead_compares_hubs_after_a_bad_month_and_is_refused_the_inspection_lists(desk, small_demo_hub):
    hub = small_demo_hub
    # This month to date: returns count the audit ledger's events, and the demo recorded its referrals just now.
    month = timezone.localdate().replace(day=1)
    built = built_return(hub, month, get_user_model().objects.get(username="sam.lead"))
    received = built.figures["referrals"]["total"]
    assert received > 0

    sam = desk("sam.lead")
    expect(sam.get_by_role("heading", level=1)).to_have_text("Sam Lead")
    expect(sam.get_by_role("region", name=HUB_NAME).get_by_text("Your role:")).to_contain_text("Strategic lead")
    assert_accessible(sam)

    for bad in BAD_MONTHS:
        response = sam.goto(reverse("returns-compare") + "?" + f"month={bad}")
        assert response.status == 400, bad
        expect(sam.get_by_role("heading", level=1)).to_have_text("Hubs side by side")
        expect_errors(sam, "Hubs side by side", {"month": "Choose one of the months listed"})
        expect(sam.get_by_role("region", name="Hubs compared")).to_have_count(0)

    sam.get_by_label("Month").select_option(label=f"{month:%B %Y} to date (provisional)")
    sam.get_by_role("button", name="Show the month").click()
    sam.wait_for_load_state()
    assert sam.url.endswith(f"?month={month.isoformat()}")
    expect(sam.locator(".govuk-error-summary")).to_have_count(0)
    compared = sam.get_by_role("region", name="Hubs compared")
    expect(compared.locator("caption")).to_have_text(f"{month:%B %Y}")
    expect(compared.get_by_role("columnheader")).to_have_text(["Figure", HUB_NAME])
    expect(compared.get_by_role("row").filter(has_text="Referrals received").get_by_role("cell")).to_have_text(
        [str(suppressed_count(received))]
    )  # a lead reads counts suppressed: <5, or rounded to the nearest 5
    assert_accessible(sam)

    compared.get_by_role("link", name=HUB_NAME).click()
    sam.wait_for_load_state()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Monthly returns")
    expect(sam.locator("#returns-table").get_by_role("row").filter(has_text=f"{month:%B %Y}")).to_contain_text("Ready")
    assert_accessible(sam)

    response = sam.goto(reverse("inspection-lists", args=[hub.id]))
    assert response.status == 403
    expect(sam.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(sam.get_by_text("download the inspection lists, which name children")).to_be_visible()
    expect(sam.get_by_text("Ofsted")).to_have_count(0)
    assert_accessible(sam)
