"""A record of another child proposed as "same person" on the referral page: the confirmation names what differs,
the link joins the chronologies, and undoing it (with the reason) separates them again. axe-core on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.matching import subject_matches_find
from referrals.services import referral_create
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import referral_data

pytestmark = pytest.mark.browser


def _refer(hub, days_ago, **subject):
    received = (timezone.now() - timedelta(days=days_ago)).isoformat()
    data = referral_data(subject={**referral_data()["subject"], **subject}, received_at=received)
    return referral_create(hub=hub, data=data, channel="web", history=True)


def test_a_sibling_proposed_as_the_same_person_is_confirmed_linked_and_undone(page, small_demo_hub):
    earlier = _refer(small_demo_hub, 40, given_name="Amy", date_of_birth="2018-04-05")
    new = _refer(small_demo_hub, 0, given_name="Ava", date_of_birth="2018-05-04")
    subject_matches_find(referral_id=new.pk)
    sign_in(page, "pat.practitioner")
    page.goto(f"/hubs/{small_demo_hub.id}/referrals/{new.id}/")
    assert_accessible(page)
    card = page.locator(".govuk-summary-card", has_text="Amy Example in referral")
    card.get_by_label("Same person", exact=True).check()
    card.get_by_label("Why?").fill("Same NHS number")
    card.get_by_role("button", name="Save the answer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure these are the same person?")
    expect(page.get_by_text("Given name: Ava on one record, Amy on the other").first).to_be_visible()
    expect(page.get_by_text("Date of birth: 4 May 2018 on one record, 5 April 2018 on the other").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, they are the same person").click()
    expect(page.get_by_text("Earlier record linked: the same person")).to_be_visible()
    expect(page.get_by_role("heading", name="Other referrals of this person")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/hubs/{small_demo_hub.id}/referrals/{new.id}/chronology/")
    expect(page.get_by_role("link", name=earlier.reference).first).to_be_visible()
    page.goto(f"/hubs/{small_demo_hub.id}/referrals/{new.id}/")
    page.get_by_role("link", name=f"Undo the link to Amy Example in {earlier.reference}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Undo the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why this link is wrong")
    assert_accessible(page)
    page.get_by_label("Why is this link wrong?").fill("Twins: the school knows them both")
    page.get_by_role("button", name="Undo the link").click()
    expect(page.get_by_text("Twins: the school knows them both")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/hubs/{small_demo_hub.id}/referrals/{new.id}/chronology/")
    expect(page.get_by_role("link", name=new.reference).first).to_be_visible()
    expect(page.get_by_role("link", name=earlier.reference)).to_have_count(0)
