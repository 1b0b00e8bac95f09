"""The manager's day in real headless Chromium (issue 16, items 7 and 8): the sign-off queue with rating, deadline
and time left; the review page with the child, their age, the referrer's account, the rating and the agencies'
answers; a return the practitioner is told of; "Who has seen this record" from the referral page; and, for the hub
administrator, removing a role asked first, and the only accountable manager not removable. axe on every page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agencies.models import Role, RoleAssignment
from referrals.models import Notification
from tests.browser.helpers import assert_accessible, click, expect_page, expect_success, open_from_menu
from tests.browser.test_manager import proposed_decision

pytestmark = pytest.mark.browser

COMMENTS = "Say which agency will tell the school, and by when."


def test_the_managers_day(desk, small_demo_hub):
    hub = small_demo_hub
    decision = proposed_decision(hub)
    referral = decision.referral
    subject = referral.persons.get(role="subject")
    mary = desk("mary.manager")

    # The sign-off queue: rating, deadline and time left for each decision waiting.
    open_from_menu(mary, "Sign-off", "Decisions awaiting sign-off")
    table = mary.get_by_role("table")
    for heading in ("Referral", "Rating", "Deadline", "Time left", "Outcome proposed"):
        expect(table.get_by_role("columnheader", name=heading, exact=True)).to_be_visible()
    row = mary.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Green")
    expect(row).to_contain_text("left")

    # The review page: who, how old, what the referrer said, the rating and level, what the agencies shared.
    row.get_by_role("link").click()
    mary.wait_for_load_state()
    expect_page(mary, "Sign off or return the decision")
    facts = mary.locator(".govuk-summary-list").first
    expect(facts).to_contain_text(str(subject))
    expect(facts.locator(".govuk-summary-list__row").filter(has_text="Age")).not_to_contain_text("Not known")
    expect(facts).to_contain_text("Green")
    expect(mary.get_by_role("heading", name="The referrer's account")).to_be_visible()
    expect(mary.locator(".app-narrative")).to_contain_text(referral.narrative.split()[0])
    expect(mary.get_by_role("heading", name="What the agencies shared")).to_be_visible()

    # Returned: the practitioner who proposed it is told, in the app.
    mary.get_by_role("group", name="Your decision").get_by_label("Return it for revision").check()
    mary.get_by_label("Comments").fill(COMMENTS)
    click(mary, "Record my decision", role="button")
    expect_success(mary, "Decision returned to Pat Practitioner")
    assert Notification.objects.filter(recipient__username="pat.practitioner", referral=referral).exists()
    pat = desk("pat.practitioner")
    pat.goto(reverse("notifications"))
    expect(pat.get_by_text(f"{referral.reference}: the manager returned your proposed decision")).to_be_visible()
    assert_accessible(pat)

    # Who has seen this record: one link from the referral page to the filtered audit trail.
    mary.goto(reverse("referral-detail", args=[hub.id, referral.id]))
    click(mary, "Who has seen this record")
    expect(mary.get_by_role("heading", level=1)).to_be_visible()
    expect(mary.get_by_label("Record id")).to_have_value(str(referral.id))
    expect(mary.get_by_role("table")).to_contain_text("Referral viewed")
    assert_accessible(mary)

    # Removing a role asks first; the only accountable manager stays: the People page offers to hand the role over,
    # and the removal page (an old link, say) refuses and points there.
    alex = desk("alex.admin")
    alex.goto(reverse("hub-people", args=[hub.id]))
    expect(alex.get_by_role("link", name="Remove the accountable manager role of Mary Manager")).to_have_count(0)
    expect(alex.get_by_role("link", name="Hand over the accountable manager’s role of Mary Manager")).to_be_visible()
    manager = RoleAssignment.objects.get(hub=hub, role=Role.MANAGER)
    alex.goto(reverse("role-revoke", args=[hub.id, manager.id]))
    expect_page(alex, "Remove Mary Manager as accountable manager?")
    expect(alex.locator(".govuk-error-summary")).to_contain_text("only accountable manager")
    expect(alex.get_by_role("button", name="Remove the role")).to_have_count(0)
    expect(alex.get_by_role("link", name="Hand the role to a successor")).to_be_visible()

    alex.goto(reverse("hub-people", args=[hub.id]))
    alex.get_by_role("link", name="Remove the practitioner role of Pat Practitioner").click()
    alex.wait_for_load_state()
    expect_page(alex, "Remove Pat Practitioner as practitioner?")
    expect(alex.locator(".govuk-warning-text")).to_contain_text("will at once lose everything")
    click(alex, "Remove the role", role="button")
    expect_success(alex, "Pat Practitioner is no longer practitioner")
    assert_accessible(alex)
