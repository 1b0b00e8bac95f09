"""A referral with four people (two children, a parent, an alleged source of harm) recorded with the keyboard alone
— Tab, Space, the arrow keys in a group of radios, typing, Enter; never the mouse — using "Add another person" for
each further person, then amended the same way (a grandmother added, with the reason), and both versions shown on
the referral page. axe-core on every page reached."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import Referral, ReferralVersion
from tests.browser.helpers import assert_accessible, sign_in, tab_to, type_date

pytestmark = pytest.mark.browser
RECORD = "button.govuk-button[type=submit]:not([name])"  # the form's own button (not Add or Remove)
ROLES = ["parent_carer", "sibling", "household", "visitor", "alleged_source", "other"]  # the radios' order
DANA_BORN = date(1992, 5, 17)


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


def person(page, n: int, role: str, given: str, family: str, age: str = "", born: date | tuple | None = None) -> None:
    """Block `n`: the role by the arrow keys (Tab lands on the first radio; Space chooses it), then the boxes: the
    date of birth `born` in its Day, Month and Year boxes, or else the age."""
    tab_to(page, f"#id_other_{n}_role_0")
    press(page, "Space")
    for _ in range(ROLES.index(role)):
        press(page, "ArrowDown")
    expect(page.locator(f"#id_other_{n}_role_{ROLES.index(role)}")).to_be_checked()
    type_into(page, {f"#id_other_{n}_given_name": given, f"#id_other_{n}_family_name": family})
    if born:
        type_date(page, f"other_{n}_date_of_birth", born)
    else:
        type_into(page, {f"#id_other_{n}_estimated_age": age})


def expect_date_of_birth(page, number: int, typed: tuple[str, str, str]) -> None:
    """The date of birth in block `number` (as people count, from 1): a group named by its legend whose labels name
    that block's boxes (renumbered with the block), each holding what was typed."""
    group = page.locator(f"#other-person-{number}").get_by_role("group", name="Date of birth (optional)")
    for label, text in zip(("Day", "Month", "Year"), typed, strict=True):
        box = group.get_by_label(label, exact=True)
        expect(box).to_have_attribute("name", f"other_{number - 1}_date_of_birth_{label.lower()}")
        expect(box).to_have_value(text)


def add_another(page, n: int) -> None:
    """Add block `n` (from 0): the page comes back with the focus on the new person's block."""
    tab_to(page, "button[name=people][value=add]")
    press(page, "Enter", navigates=True)
    expect(page.locator(f"#other-person-{n + 1}")).to_be_focused()


def start_referral(page, hub, family: str) -> None:
    """A new referral by phone from a teacher about Mia `family`, aged 7 (axe-core on the empty form)."""
    sign_in(page, "pat.practitioner")
    page.goto(reverse("referral-new", args=[hub.id]))
    assert_accessible(page)
    tab_to(page, "#id_channel_0")
    press(page, "Space")  # Phone
    type_into(page, {
        "#id_referrer_name": "Ms Kay Teacher", "#id_referrer_contact": "01234 567890",
        "#id_subject_given_name": "Mia", "#id_subject_family_name": family, "#id_subject_estimated_age": "7",
    })  # fmt: skip


def finish_referral(page, narrative: str, *, risk: bool) -> None:
    """The first concern, the school as source, the narrative, whether anyone is at immediate `risk`, consent
    obtained; then recorded."""
    tab_to(page, "#id_concerns_0")
    press(page, "Space")
    tab_to(page, "#id_source_code")
    page.keyboard.type("2A")
    type_into(page, {"#id_narrative": narrative})
    tab_to(page, "#id_immediate_risk_0")
    press(page, "Space" if risk else "ArrowDown")  # Yes; or the arrow moves to No and chooses it
    tab_to(page, "#id_consent_0")
    press(page, "Space")
    tab_to(page, RECORD)
    press(page, "Enter", navigates=True)


def test_four_people_recorded_and_amended_with_the_keyboard_alone(page, small_demo_hub):
    hub = small_demo_hub
    start_referral(page, hub, "Fourfold")
    person(page, 0, "sibling", "Leo", "Fourfold", "4")
    add_another(page, 1)
    expect(page.locator("#id_subject_given_name")).to_have_value("Mia")  # what was typed is kept
    person(page, 1, "parent_carer", "Dana", "Fourfold", born=DANA_BORN)
    add_another(page, 2)
    expect_date_of_birth(page, 2, ("17", "5", "1992"))  # Dana's, kept as typed
    person(page, 2, "alleged_source", "Rex", "Stone", "40")
    # Rex is at home tonight: someone is at immediate risk.
    finish_referral(page, "Mia said Rex hits her mother and her brother Leo; she is scared to go home.", risk=True)

    referral = Referral.objects.latest("created_at")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    roles = sorted((p.role, p.given_name) for p in referral.persons.all())
    assert roles == [("alleged_source", "Rex"), ("parent_carer", "Dana"), ("sibling", "Leo"), ("subject", "Mia")]
    assert referral.persons.get(given_name="Dana").date_of_birth == DANA_BORN

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


def test_a_person_removed_gives_their_place_and_the_date_typed_so_far_moves_up(page, small_demo_hub):
    """Two people, the first removed by keyboard: the second becomes "Other person 1" with the date of birth typed so
    far (no year yet) in boxes renamed for that block, whose labels still name them; the year typed there is kept."""
    start_referral(page, small_demo_hub, "Twofold")
    person(page, 0, "sibling", "Leo", "Twofold", "4")
    add_another(page, 1)
    person(page, 1, "parent_carer", "Dana", "Twofold", born=("17", "May", ""))
    expect_date_of_birth(page, 2, ("17", "May", ""))

    tab_to(page, "button[name=people][value=remove-0]")  # "Remove other person 1": Leo
    press(page, "Enter", navigates=True)
    expect(page.locator("#other-person-2")).to_have_count(0)
    expect(page.locator("#id_other_0_given_name")).to_have_value("Dana")
    expect_date_of_birth(page, 1, ("17", "May", ""))
    tab_to(page, "#id_other_0_date_of_birth_year")
    page.keyboard.type("1992")

    finish_referral(page, "Mia said there is no food at home and her mother is unwell.", risk=False)

    referral = Referral.objects.latest("created_at")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    others = [(p.given_name, p.date_of_birth) for p in referral.persons.exclude(role="subject")]
    assert others == [("Dana", DANA_BORN)]
