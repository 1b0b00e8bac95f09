"""The GOV.UK pages in real headless Chromium: signing in through the form, and axe-core on every hub page
(tests/browser/helpers.py says what axe checks)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import HUB_NAME, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_practitioner_signs_in_and_sees_their_home_page(page, live_server, demo_hub):
    page.goto("/")
    assert page.url.endswith(reverse("login") + "?next=/")

    sign_in(page, "pat.practitioner")

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat Practitioner")
    hub = page.get_by_role("region", name=HUB_NAME)
    expect(hub.get_by_role("heading", level=2)).to_have_text(HUB_NAME)
    expect(hub.get_by_text("Your role:")).to_contain_text("Practitioner")
    expect(hub.get_by_role("heading", name="Practitioner", level=3)).to_be_visible()
    expect(page.get_by_text("Signed in as Pat Practitioner.")).to_be_visible()


def test_wrong_password_shows_the_error_summary_and_stays_on_sign_in(page, demo_hub):
    sign_in(page, "pat.practitioner", "not the password")

    assert page.url.endswith(reverse("login"))
    expect(page).to_have_title(re.compile(r"^Error: Sign in – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link", name="The username or password you entered is incorrect")).to_be_visible()
    # GOV.UK Frontend's JavaScript ran: the error summary takes focus so screen readers announce it.
    expect(summary).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value("pat.practitioner")
    expect(page.get_by_label("Password")).to_have_value("")
    assert_accessible(page)


HUB_PAGES = [
    ("Hub", HUB_NAME),
    ("Agencies", "Agencies"),
    ("Agreements", "Core documents and agreements"),
    ("Funding", "Funding and resources"),
    ("People", "People and roles"),
]
# Desktop, and the 320 CSS pixels WCAG's reflow criterion asks for (collapsed navigation, tables that scroll).
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 320, "height": 640}}


def open_from_navigation(page, text: str, heading: str) -> None:
    menu = page.get_by_role("navigation", name="Menu")
    toggle = menu.get_by_role("button", name="Menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    menu.get_by_role("link", name=text, exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_practitioner_pages_have_no_serious_accessibility_violations(page, demo_hub, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(reverse("login"))
    assert_accessible(page)

    sign_in(page, "pat.practitioner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat Practitioner")
    assert_accessible(page)

    for text, heading in HUB_PAGES:
        open_from_navigation(page, text, heading)
        assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_hub_administrator_pages_and_hub_form_with_errors_have_no_serious_accessibility_violations(
    page, demo_hub, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, "alex.admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alex Admin")
    assert_accessible(page)

    # The same pages again, now with the administrator's buttons and links; the hub profile last, for its button.
    for text, heading in HUB_PAGES[1:] + HUB_PAGES[:1]:
        open_from_navigation(page, text, heading)
        assert_accessible(page)

    page.get_by_role("link", name="Change hub profile").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change hub profile")
    assert page.url.endswith(reverse("hub-edit", args=[demo_hub.id]))
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    assert page.url.endswith(reverse("hub-edit", args=[demo_hub.id]))
    expect(page).to_have_title(re.compile(r"^Error: Change hub profile – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_name")
    expect(summary).to_be_focused()
    expect(page.locator("#id_name-error")).to_have_text("Error: Enter the hub's name")
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-describedby", "id_name-error")
    assert_accessible(page)
    demo_hub.refresh_from_db()
    assert demo_hub.name == HUB_NAME


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_referral_pages_and_the_form_with_errors_have_no_serious_accessibility_violations(page, demo_hub, viewport):
    from referrals.services import referral_create
    from tests.factories import referral_data

    referral = referral_create(hub=demo_hub, data=referral_data(immediate_risk=True), channel="phone")
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, "pat.practitioner")

    open_from_navigation(page, "Referrals", "Referrals")
    assert_accessible(page)

    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    assert_accessible(page)

    page.goto(reverse("referral-new", args=[demo_hub.id]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a referral taken by phone or email")
    assert_accessible(page)

    page.get_by_role("button", name="Record the referral").click()
    page.wait_for_load_state()
    expect(page).to_have_title(re.compile(r"^Error: Record a referral – "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Describe the concern in your own words")).to_have_attribute(
        "href", "#id_narrative"
    )
    assert_accessible(page)
