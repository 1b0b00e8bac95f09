"""The hub administrator's configuration journey in real headless Chromium: publishing the children's thresholds,
changing an agency's funding, giving someone a role and recording the signature housing was missing. Each form is
sent wrong first (the GOV.UK error summary links every problem to its field, and nothing is saved), then right (the
saved value is on the page); at the end housing's officer no longer sees the missing-agreement warning. axe-core on
every page reached."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import FundingContribution, RoleAssignment, Signature
from referrals import selectors
from tests.browser.helpers import (
    HUB_NAME,
    click,
    expect_errors,
    expect_page,
    expect_success,
    open_from_menu,
    type_date,
)

pytestmark = pytest.mark.browser

NEW_LEVEL = "co_ordinated | Co-ordinated multi-agency support"
NEW_CRITERION = "Needs a plan that three or more agencies deliver together"
DOCUMENTS = ["Accountability process", "Data protection protocol", "Information sharing agreement", "Needs thresholds"]


def publish_thresholds(page, hub) -> None:
    current = selectors.thresholds_current(hub, "child")
    open_from_menu(page, "Hub", HUB_NAME)
    click(page, "the hub's needs thresholds")
    expect_page(page, "Needs thresholds")
    expect(page.get_by_role("heading", name=f"Child: version {current.number}")).to_be_visible()

    click(page, "Publish a new version of the child thresholds")
    expect_page(page, f"Publish child thresholds (version {current.number + 1})")
    levels = page.get_by_label("Levels and criteria")
    text = levels.input_value()
    assert text.splitlines()[0] == f"{current.levels[0]['code']} | {current.levels[0]['name']}"

    # A criterion before any level, and no note of what changed.
    levels.fill(f"- {NEW_CRITERION}\n{text}")
    click(page, "Save", role="button")
    expect_errors(
        page, f"Publish child thresholds (version {current.number + 1})",
        {"levels": "Line 1: a criterion comes under a level; start with a level line",
         "note": "Say what changed"},
    )  # fmt: skip
    assert selectors.thresholds_current(hub, "child").number == current.number

    levels.fill(f"{text}\n{NEW_LEVEL}\n- {NEW_CRITERION}")
    page.get_by_label("What changed").fill("A level for co-ordinated support, agreed by the board")
    click(page, "Save", role="button")
    expect_success(page, f"Version {current.number + 1} of the child thresholds published; new screenings use it")
    expect_page(page, "Needs thresholds")
    expect(page.get_by_role("heading", name=f"Child: version {current.number + 1}")).to_be_visible()
    row = page.locator(".govuk-summary-list__row").filter(has_text="Co-ordinated multi-agency support")
    expect(row).to_contain_text(NEW_CRITERION)


def change_funding(page, hub) -> None:
    police = FundingContribution.objects.get(hub=hub, agency__slug="police")
    open_from_menu(page, "Funding", "Funding and resources")
    click(page, f"Change Northshire Police {police.financial_year_label}")
    expect_page(page, f"Change funding: {police}")

    pattern = page.get_by_role("group", name="Working pattern")
    expect(pattern.get_by_role("radio")).to_have_count(3)  # co-located, remote, hybrid: no blank "---------"
    expect(pattern.get_by_label("Co-located")).to_be_checked()

    # A negative amount, and the staff left out.
    page.get_by_label("Money contributed (£)").fill("-5000")
    page.get_by_label("Staff working in the hub (full-time equivalent)").fill("")
    click(page, "Save", role="button")
    expect_errors(
        page, f"Change funding: {police}",
        {"amount_gbp": "The amount cannot be negative", "staff_fte": "Enter the staff working in the hub, as full-time equivalent"},
    )  # fmt: skip
    police.refresh_from_db()
    assert police.amount_gbp == Decimal("310000")

    page.get_by_label("Money contributed (£)").fill("325000")
    page.get_by_label("Staff working in the hub (full-time equivalent)").fill("6.5")
    click(page, "Save", role="button")
    expect_success(page, "Funding saved")
    expect_page(page, "Funding and resources")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Northshire Police"))
    expect(row.get_by_role("cell")).to_have_text(
        ["£325,000", "6.5", "Co-located", f"Change Northshire Police {police.financial_year_label}"]
    )


def give_role(page, hub) -> None:
    open_from_menu(page, "People", "People and roles")
    click(page, "Give someone a role")
    expect_page(page, "Give someone a role")

    page.get_by_label("Username of the person").fill("nobody.here")
    click(page, "Save", role="button")
    expect_errors(
        page, "Give someone a role",
        {"username": "There is no active account with this username", "role": "Choose the role"},
        choices=("role",),
    )  # fmt: skip

    page.get_by_label("Username of the person").fill("hugh.health")
    page.get_by_role("group", name="Role").get_by_label("Strategic lead").check()
    click(page, "Save", role="button")
    expect_success(page, "Role given")
    expect_page(page, "People and roles")
    hugh = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Hugh Health"))
    expect(hugh.filter(has_text="Strategic lead")).to_have_count(1)
    expect(hugh.filter(has_text="Agency officer")).to_contain_text("Northshire Integrated Care Board")
    assert RoleAssignment.objects.filter(hub=hub, user__username="hugh.health", role="strategic_lead").exists()


def sign_for_housing(page, hub) -> None:
    open_from_menu(page, "Agreements", "Core documents and agreements")
    position = page.get_by_role("region", name="Each agency's position today")
    housing = position.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Northshire Homes"))
    expect(position.get_by_role("columnheader")).to_have_text(["Agency", *DOCUMENTS])
    expect(housing.get_by_role("cell")).to_have_text(["Not signed"] * 4)

    versions = page.get_by_role("region", name="Versions of Northshire MASH information sharing agreement")
    versions.get_by_role("link", name="Record a signature of version 1").click()
    page.wait_for_load_state()
    title = "Record a signature of Northshire MASH information sharing agreement version 1"
    expect_page(page, title)

    click(page, "Save", role="button")
    expect_errors(
        page, title,
        {"agency": "Choose the agency", "signatory_name": "Enter the name of the person who signed",
         "signatory_role": "Enter the job title of the person who signed", "signed_on": "Enter the date signed"},
        dates={"signed_on": "day"},
    )  # fmt: skip
    assert not Signature.objects.filter(agency__slug="housing").exists()

    today = timezone.localdate()
    page.get_by_label("Agency").select_option(label="Northshire Homes")
    page.get_by_label("Name of the person who signed").fill("Harriet Homes")
    page.get_by_label("Their job title").fill("Director of Housing")
    type_date(page, "signed_on", today)
    click(page, "Save", role="button")
    expect_success(page, "Signature recorded")
    expect_page(page, "Core documents and agreements")
    expect(versions.get_by_role("row").filter(has_text="Harriet Homes")).to_contain_text(
        f"Northshire Homes (Harriet Homes, {today.day} {today:%b %Y})"
    )
    expect(housing.get_by_role("cell")).to_have_text(["Not signed", "Not signed", "Signed, current", "Not signed"])


def signature_in_the_administration(page) -> None:
    """The same signature in the Django admin the menu's "Administration" opens, scoped to the hub."""
    open_from_menu(page, "Administration", "Hub configuration")
    click(page, "Signatures")
    expect_page(page, "Select signature to change")
    row = page.get_by_role("row").filter(has_text="Northshire Homes")
    expect(row).to_contain_text("Harriet Homes")


def test_the_hub_administrator_configures_the_hub_with_wrong_input_first(desk, small_demo_hub):
    hub = small_demo_hub
    alex = desk("alex.admin")
    expect_page(alex, "Alex Admin")
    expect(alex.get_by_role("region", name=HUB_NAME).get_by_text("Your role:")).to_contain_text("Hub administrator")

    publish_thresholds(alex, hub)
    change_funding(alex, hub)
    give_role(alex, hub)
    sign_for_housing(alex, hub)
    signature_in_the_administration(alex)

    # Housing's officer: the home page no longer warns that Northshire Homes cannot see or share case data.
    hana = desk("hana.housing")
    expect_page(hana, "Hana Housing")
    expect(hana.get_by_text("Agency officer for Northshire Homes")).to_be_visible()
    expect(hana.get_by_text("cannot see or share case data")).to_have_count(0)
