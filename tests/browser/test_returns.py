"""The strategic lead's monthly return in real headless Chromium: a missing month refused with the GOV.UK error
summary, this month to date asked for, its progress updated in place by the page's script (no reload) once the
build is done, the return read on the page and downloaded as PDF, the hubs compared; axe-core on every page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from reports.models import MonthlyReturn
from tests.browser.helpers import HUB_NAME, assert_accessible, build_as_the_worker_does, sign_in

pytestmark = pytest.mark.browser


def test_a_lead_builds_this_months_return_and_watches_it_become_ready(page, demo_hub):
    sign_in(page, "sam.lead")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly returns")
    assert_accessible(page)

    page.get_by_role("button", name="Build the return").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Choose the month the return covers")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Month").select_option(index=1)  # this month, to date
    page.get_by_label("Commentary (optional)").fill("Two vacancies in the police team.")
    page.get_by_role("button", name="Build the return").click()
    table = page.locator("#returns-table")
    expect(table.get_by_text("Waiting to start")).to_be_visible()
    expect(table.locator("progress")).to_have_attribute("value", "0")
    url = page.url

    # The demo's history built the past months' returns already; this one is this month's.
    row = MonthlyReturn.objects.get(hub=demo_hub, month=timezone.localdate().replace(day=1))
    build_as_the_worker_does(row.pk, page)  # the worker's part (tests/reports/test_return_worker.py)

    this_month = table.locator("tr", has_text=f"{row.month:%B %Y}")
    expect(this_month.get_by_text("Ready")).to_be_visible(timeout=10_000)  # the page's script refreshed the table
    assert page.url == url
    expect(page.get_by_role("status")).to_contain_text("Returns updated")
    listed = AuditEvent.objects.filter(action="returns.listed").count()
    page.wait_for_timeout(4_500)  # two refresh intervals: nothing is pending, so the script has stopped asking
    assert AuditEvent.objects.filter(action="returns.listed").count() == listed
    table.get_by_role("link", name=row.month.strftime("%B %Y"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Monthly return: {row.month:%B %Y}")
    expect(page.get_by_text("Provisional:")).to_be_visible()
    expect(page.get_by_text("Two vacancies in the police team.")).to_be_visible()
    expect(page.get_by_role("img", name="Referrals received by week of the month (days)")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"mash-return-demo-{row.month:%Y-%m}.pdf"

    page.goto("/returns/compare/?month=" + row.month.isoformat())
    expect(page.get_by_role("columnheader", name=HUB_NAME)).to_be_visible()
    assert_accessible(page)
