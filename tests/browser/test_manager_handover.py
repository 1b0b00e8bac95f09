"""The administrator hands the accountable manager's role to the deputy in headless Chromium: removing the only manager
is refused with the way out, the handover form is sent empty first (every problem linked to its field, nothing
changed), then right; the People page then shows the deputy as accountable manager, and the old manager's work is
gone from their menu. axe-core on every page reached."""

import pytest
from playwright.sync_api import expect

from agencies.models import Role, RoleAssignment
from tests.browser.helpers import HUB_NAME, click, expect_errors, expect_page, expect_success, sign_in

pytestmark = pytest.mark.browser
TITLE = "Hand over the accountable manager’s role"


def test_the_administrator_hands_the_managers_role_to_the_deputy(page, small_demo_hub):
    sign_in(page, "alex.admin")
    page.goto(f"/hubs/{small_demo_hub.id}/people/")
    expect_page(page, "People and roles")
    manager_row = page.get_by_role("row").filter(has_text="Accountable manager")
    expect(manager_row).to_contain_text("Mary")
    manager_row.get_by_role("link", name="Hand over").click()
    page.wait_for_load_state()
    expect_page(page, TITLE)

    click(page, "Hand over the role", role="button")
    expect_errors(
        page,
        TITLE,
        {
            "successor": "Enter the username of the person who will be accountable manager",
            "reason": "Enter why the role is being handed over",
        },
    )
    assert RoleAssignment.objects.get(hub=small_demo_hub, role=Role.MANAGER).user.username == "mary.manager"

    page.get_by_label("Username of the new accountable manager").fill("dan.deputy")
    page.get_by_label("Why is the role being handed over?").fill("Mary retires at the end of the month")
    click(page, "Hand over the role", role="button")
    expect_success(page, "is now the accountable manager in place of")
    expect_page(page, "People and roles")
    manager_row = page.get_by_role("row").filter(has_text="Accountable manager")
    expect(manager_row).to_contain_text("Dan")
    expect(page.get_by_role("row").filter(has_text="Deputy manager")).to_have_count(0)
    roles = RoleAssignment.objects.filter(hub=small_demo_hub)
    assert roles.get(role=Role.MANAGER).user.username == "dan.deputy"
    assert not roles.filter(user__username="mary.manager").exists()
    assert not roles.filter(role=Role.DEPUTY).exists()

    # The way there from a refused removal: the new manager is the only one, so removing them leads to the handover.
    manager_row.get_by_role("link", name="Hand over").click()
    page.wait_for_load_state()
    expect_page(page, TITLE)
    page.go_back()
    page.goto(f"/hubs/{small_demo_hub.id}/people/{roles.get(role=Role.MANAGER).id}/revoke/")
    expect(page.get_by_role("heading", name="This role cannot be removed")).to_be_visible()
    click(page, "Hand the role to a successor")
    expect_page(page, TITLE)
    assert HUB_NAME in page.content()
