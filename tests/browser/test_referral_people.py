"""A referral with four people (two children, a parent, an alleged source of harm) recorded with the keyboard alone
— Tab, Space, the arrow keys in a group of radios, typing, Enter; never the mouse — using "Add another person" for
each further person, then amended the same way (a grandmother added, with the reason), and both versions shown on
the referral page. axe-core on every page reached."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import Referral, ReferralVersion
from tests.browser.helpers import assert_accessible, sign_in
from tests.browser.test_keyboard import tab_to

pytestmark = pytest.mark.browser
RECORD = "button.govuk-button[type=submit]:not([name])"  # the form's own button (not Add or Remove)
ROLES = ["parent_carer", "sibling", "household", "alleged_source", "other"]  # the radios' order


def press(page, key: str, *, navigates: bool = False) -> None:
    if navigates:
        with page.expect_navigation():
            page.keyboard.press(key)
        assert_accessible(page)
    else:
        page.keyboard.press(key)


def type_into(page, fields: dict[str, str]) -> None:
    for selector, text in fields.items():
        tab_to(page, selector)
        page.keyboard.type(text)


def person(page, n: int, role: str, given: str, family: str, age: str) -> None:
    """Block `n`: the role by the arrow keys (Tab lands on the first radio; Space chooses it), then the boxes."""
    tab_to(page, f"#id_other_{n}_role_0")
    press(page, "Space")
    for _ in range(ROLES.index(role)):
        press(page, "ArrowDown")
    expect(page.locator(f"#id_other_{n}_role_{ROLES.index(role)}")).to_be_checked()
    type_into(page, {f"#id_other_{n}_given_name": given, f"#id_other_{n}_family_name": family,
                     f"#id_other_{n}_estimated_age": age})  # fmt: skip


def add_another(page, n: int) -> None:
    """Add block `n` (from 0): the page comes back with the focus on the new person's block."""
    tab_to(page, "button[name=people][value=add]")
    press(page, "Enter", navigates=True)
    expect(page.locator(f"#other-person-{n + 1}")).to_be_focused()


def test_four_people_recorded_and_amended_with_the_keyboard_alone(page, small_demo_hub):
    hub = small_demo_hub
    sign_in(page, "pat.practitioner")
    page.goto(reverse("referral-new", args=[hub.id]))
    assert_accessible(page)

    tab_to(page, "#id_channel_0")
    press(page, "Space")  # Phone
    type_into(page, {
        "#id_referrer_name": "Ms Kay Teacher", "#id_referrer_contact": "01234 567890",
        "#id_subject_given_name": "Mia", "#id_subject_family_name": "Fourfold", "#id_subject_estimated_age": "7",
    })  # fmt: skip
    person(page, 0, "sibling", "Leo", "Fourfold", "4")
    add_another(page, 1)
    expect(page.locator("#id_subject_given_name")).to_have_value("Mia")  # what was typed is kept
    person(page, 1, "parent_carer", "Dana", "Fourfold", "33")
    add_another(page, 2)
    person(page, 2, "alleged_source", "Rex", "Stone", "40")
    tab_to(page, "#id_concerns_0")
    press(page, "Space")
    tab_to(page, "#id_source_code")
    page.keyboard.type("2A")
    type_into(page, {"#id_narrative": "Mia said Rex hits her mother and her brother Leo; she is scared to go home."})
    tab_to(page, "#id_immediate_risk_0")
    press(page, "Space")  # Yes: Rex is at home tonight
    tab_to(page, "#id_consent_0")
    press(page, "Space")
    tab_to(page, RECORD)
    press(page, "Enter", navigates=True)

    referral = Referral.objects.latest("created_at")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    roles = sorted((p.role, p.given_name) for p in referral.persons.all())
    assert roles == [("alleged_source", "Rex"), ("parent_carer", "Dana"), ("sibling", "Leo"), ("subject", "Mia")]

    # Amended: the grandmother, named on a call back, is added with the reason.
    tab_to(page, f"a[href='{reverse('referral-amend', args=[hub.id, referral.id])}']")
    press(page, "Enter", navigates=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Amend referral {referral.reference}")
    expect(page.locator("#id_other_2_given_name")).to_have_value("Rex")
    add_another(page, 3)
    person(page, 3, "household", "Gran", "Fourfold", "71")
    type_into(page, {"#id_reason": "The mother named the grandmother, who lives with them, on a call back."})
    tab_to(page, RECORD)
    press(page, "Enter", navigates=True)

    expect(page.get_by_text(f"Referral {referral.reference} amended: version 2")).to_be_visible()
    versions = page.locator("#versions ~ .govuk-summary-card").first
    expect(versions).to_contain_text("Version 2")
    expect(versions).to_contain_text("The mother named the grandmother")
    expect(versions).to_contain_text(re.compile(r"Version 1: .*Rex Stone \(Alleged source of harm, about 40\)"))
    expect(versions).to_contain_text("Gran Fourfold (Household member, about 71)")
    expect(page.get_by_text(re.compile(r"^Version 1: recorded by"))).to_be_visible()
    version = ReferralVersion.objects.get(referral=referral)
    assert {p["given_name"] for p in version.after["others"]} - {p["given_name"] for p in version.before["others"]} == {
        "Gran"
    }
