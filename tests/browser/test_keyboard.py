"""A practitioner records a referral with the keyboard alone (WCAG 2.1.1): every field reached with Tab in the page's
own order, text typed, a radio chosen with Space, a checkbox ticked with Space, a list chosen by typing, the form
sent with Enter; a mistake is fixed from the error summary's link, again by keyboard. No mouse anywhere."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import Referral
from tests.browser.helpers import assert_accessible, sign_in, tab_to

pytestmark = pytest.mark.browser


def test_a_referral_is_recorded_with_the_keyboard_alone(page, demo_hub):
    sign_in(page, "pat.practitioner")
    page.goto(reverse("referral-new", args=[demo_hub.id]))
    before = Referral.objects.count()

    tab_to(page, "#id_channel_0")
    page.keyboard.press("Space")  # Phone
    for field, text in [
        ("#id_referrer_name", "Sam Teacher"),
        ("#id_referrer_role", "Designated safeguarding lead"),
        ("#id_referrer_contact", "sam.teacher@school.example"),
        ("#id_subject_given_name", "Kit"),
        ("#id_subject_family_name", "Keyboard"),
        ("#id_subject_estimated_age", "9"),
    ]:
        tab_to(page, field)
        page.keyboard.type(text)
    tab_to(page, "#id_concerns_0")
    page.keyboard.press("Space")  # the first of the children's categories
    tab_to(page, "#id_source_code")
    page.keyboard.type("2A")  # the list jumps to "2A: Schools"
    tab_to(page, "#id_immediate_risk_0")
    page.keyboard.press("ArrowDown")  # the arrow moves to "No" and chooses it
    tab_to(page, "#id_consent_0")
    page.keyboard.press("Space")  # Obtained
    tab_to(page, "button.govuk-button[type=submit]:not([name])")  # not Add or Remove a person
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The narrative was left out: the error summary takes focus, and its link takes the keyboard to the field.
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)
    tab_to(page, ".govuk-error-summary a[href='#id_narrative']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_narrative")).to_be_focused()
    page.keyboard.type("Kit told a teacher there is often no food at home and no one there in the evenings.")
    tab_to(page, "button.govuk-button[type=submit]:not([name])")  # not Add or Remove a person
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert Referral.objects.count() == before + 1
    referral = Referral.objects.latest("created_at")
    assert (referral.source_code, referral.cohort, referral.consent) == ("2A", "child", "obtained")
    assert referral.immediate_risk is False
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
