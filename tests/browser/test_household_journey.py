"""Issue 18's "Must show", end to end in real headless Chromium: a practitioner records a household contact — three
children and two adults — with the keyboard alone (Tab, typing, Space and the arrow keys in a group of radios, Enter;
never the mouse), lands on the household page listing each child's referral, screens the three children (one Red),
and asks the agencies once for the household. The health officer sees one item naming all five people and answers
once: every child's referral has the answer. The practitioner proposes decisions and sees the siblings' decisions
side by side. Last, an earlier record of one child (another referral, the given name spelt differently) is proposed
as the same person: the confirmation names the difference, the link joins the chronologies, and undoing it with a
reason separates them again. axe-core on every page reached."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, click, expect_success, tab_to, type_date
from tests.browser.test_referral_people import press, type_into

pytestmark = pytest.mark.browser

PRACTITIONER, HEALTH = "pat.practitioner", "hugh.health"
RECORD = "button.govuk-button[type=submit]:not([name])"  # the form's own button (not Add or Remove)
ADULT_ROLES = ["parent_carer", "household", "visitor", "alleged_source", "other"]  # the radios' order
CHILDREN = [("Mohammed", date(2015, 6, 1)), ("Aisha", date(2018, 2, 14)), ("Yusuf", date(2021, 9, 30))]
ADULTS = [("Fatima", "36", "parent_carer"), ("Omar", "41", "visitor")]
FAMILY = "Rahman"
RATINGS = {"Mohammed": "Red", "Aisha": "Amber", "Yusuf": "Green"}
LEVEL = "Targeted: child in need (s17)"
CRITERION = "Complex needs requiring a multi-agency response"
ANSWER = "Health visitor: the family missed three appointments since March."


def go(page, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def record_household(page, hub) -> None:
    """From "Who is the contact about?" to the recorded contact, by keyboard alone."""
    go(page, reverse("referral-start", args=[hub.id]))
    tab_to(page, "#about-one")
    press(page, "Space")
    press(page, "ArrowDown")  # About a household
    expect(page.locator("#about-household")).to_be_checked()
    tab_to(page, "button.govuk-button[type=submit]")
    press(page, "Enter", navigates=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a household contact")

    tab_to(page, "#id_channel_0")
    press(page, "Space")  # Phone
    type_into(page, {"#id_referrer_name": "Ms Kay Teacher", "#id_referrer_contact": "01234 567890"})
    for n, (given, born) in enumerate(CHILDREN):
        if n:
            tab_to(page, "button[name=children][value=add]")
            press(page, "Enter", navigates=True)
            expect(page.locator(f"#child-{n + 1}")).to_be_focused()
        type_into(page, {f"#id_child_{n}_given_name": given, f"#id_child_{n}_family_name": FAMILY})
        type_date(page, f"child_{n}_date_of_birth", born)
    for n, (given, age, role) in enumerate(ADULTS):
        if n:
            tab_to(page, "button[name=adults][value=add]")
            press(page, "Enter", navigates=True)
            expect(page.locator(f"#adult-{n + 1}")).to_be_focused()
        tab_to(page, f"#id_adult_{n}_role_0")
        press(page, "Space")
        for _ in range(ADULT_ROLES.index(role)):
            press(page, "ArrowDown")
        expect(page.locator(f"#id_adult_{n}_role_{ADULT_ROLES.index(role)}")).to_be_checked()
        type_into(page, {f"#id_adult_{n}_given_name": given, f"#id_adult_{n}_family_name": FAMILY,
                         f"#id_adult_{n}_estimated_age": age})  # fmt: skip
    expect(page.locator("#id_child_2_given_name")).to_have_value("Yusuf")  # kept through each add
    tab_to(page, "#id_concerns_0")
    press(page, "Space")
    tab_to(page, "#id_source_code")
    page.keyboard.type("2A")
    type_into(page, {"#id_narrative": "The children came to school hungry all week; Omar stays most nights."})
    tab_to(page, "#id_immediate_risk_0")
    press(page, "ArrowDown")  # No
    tab_to(page, "#id_consent_0")
    press(page, "Space")
    tab_to(page, RECORD)
    press(page, "Enter", navigates=True)


def screen(page, hub, given: str) -> None:
    """From the household page, the child's Screen link: rated as RATINGS says."""
    page.get_by_role("link", name=f"Screen {given} {FAMILY}").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screen this referral")
    assert_accessible(page)
    page.get_by_label(CRITERION).check()
    page.get_by_role("group", name="Threshold level").get_by_label(LEVEL, exact=True).check()
    page.get_by_role("group", name="RAG rating").get_by_label(RATINGS[given]).check()
    page.get_by_label("Rationale").fill(f"{given}: hunger at school, several agencies involved.")
    click(page, "Save the screening", role="button")
    expect_success(page, f"Referral screened: {RATINGS[given]}")
    assert_accessible(page)


def test_a_household_from_the_first_call_to_linked_records(desk, small_demo_hub):
    from agencies.models import Role, RoleAssignment
    from decisions.models import Contribution, InformationRequest
    from decisions.services import household_contribution_add
    from referrals.matching import subject_matches_find
    from referrals.models import Household, PersonRole
    from referrals.services import referral_create
    from tests.factories import referral_data

    hub = small_demo_hub
    # An earlier referral about Mohammed, his given name spelt as the nurse heard it.
    earlier = referral_create(hub=hub, channel="web", history=True, data=referral_data(
        subject={**referral_data()["subject"], "given_name": "Muhammad", "family_name": FAMILY,
                 "date_of_birth": CHILDREN[0][1].isoformat()},
        received_at=(timezone.now() - timedelta(days=60)).isoformat(),
    ))  # fmt: skip

    pat = desk(PRACTITIONER)
    record_household(pat, hub)
    household = Household.objects.filter(hub=hub).latest("created_at")  # the demo has one of its own
    expect(pat.get_by_role("heading", level=1)).to_have_text(f"Household {household.reference}")
    expect_success(pat, f"Household contact {household.reference} recorded: 3 referrals")
    children = {r.persons.get(role=PersonRole.SUBJECT).given_name: r for r in household.referrals.all()}
    assert set(children) == {given for given, _ in CHILDREN}
    for given, referral in children.items():
        card = pat.locator(".govuk-summary-card", has_text=f"{given} {FAMILY}")
        expect(card.get_by_role("link", name=referral.reference)).to_be_visible()
    for given, _, _ in ADULTS:
        expect(pat.get_by_role("rowheader", name=re.compile(f"^{given} {FAMILY}"))).to_be_visible()
    expect(pat.get_by_role("row", name=re.compile("^Omar")).get_by_role("cell").first).to_have_text("Regular visitor")
    assert_accessible(pat)

    # The three children screened from the household page, Mohammed Red.
    detail = reverse("household-detail", args=[hub.id, household.id])
    for given, _ in CHILDREN:
        go(pat, detail)
        screen(pat, hub, given)
    go(pat, detail)
    expect(pat.get_by_text("A child in this household is rated Red")).to_be_visible()

    # Asked once for the household.
    click(pat, "Ask agencies for information about the household")
    expect(pat.get_by_role("heading", level=1)).to_have_text("Ask agencies for information about the household")
    assert_accessible(pat)
    pat.get_by_label("What should the agencies check?").fill("Contact with the children and the adults this year.")
    click(pat, "Send the requests", role="button")
    assert_accessible(pat)
    asked = InformationRequest.objects.filter(household=household)
    agencies = set(asked.values_list("agency", flat=True))
    assert asked.count() == 3 * len(agencies)  # one request per child per agency, asked once

    # The health officer sees ONE item for the household, naming all five people, and answers once.
    hugh = desk(HEALTH)
    go(hugh, reverse("officer-queue", args=[hub.id]))
    item = hugh.get_by_role("link", name=f"Household {household.reference}")
    expect(item).to_have_count(1)
    for referral in children.values():
        expect(hugh.get_by_role("link", name=referral.reference)).to_have_count(0)
    item.click()
    hugh.wait_for_load_state()
    expect(hugh.get_by_role("heading", level=1)).to_have_text(f"Checks for household {household.reference}")
    for given in [g for g, _ in CHILDREN] + [g for g, _, _ in ADULTS]:
        expect(hugh.get_by_role("heading", name=re.compile(f"^{given} {FAMILY} –"))).to_have_count(1)
    assert_accessible(hugh)
    hugh.get_by_role("group", name="Does your agency know anyone in this household?").get_by_label(
        "Yes: we hold information"
    ).check()
    hugh.get_by_label("Summary").fill(ANSWER)
    expect(hugh.get_by_role("button", name="Share with the hub")).to_have_count(1)
    click(hugh, "Share with the hub", role="button")
    assert_accessible(hugh)
    health = RoleAssignment.objects.get(hub=hub, user__username=HEALTH).agency
    answered = Contribution.objects.filter(agency=health, referral__household=household)
    assert {c.referral_id for c in answered} == {r.pk for r in children.values()}

    # The other agencies answer (no trace) through the same service, each once for the household.
    for agency in set(asked.exclude(agency=health).values_list("agency", flat=True)):
        officer = RoleAssignment.objects.filter(hub=hub, agency=agency, role=Role.AGENCY_OFFICER).first().user
        household_contribution_add(requests=list(asked.filter(agency=agency)), data={"known": False}, by=officer)

    # Each child's referral shows the health answer; Mohammed's and Aisha's decisions proposed.
    proposals = {"Mohammed": ("Strategy discussion (s47)", "Red: strategy discussion today."),
                 "Aisha": ("Child in need assessment (s17)", "Amber: assessment with her brother.")}  # fmt: skip
    for given, (outcome, rationale) in proposals.items():
        go(pat, reverse("referral-detail", args=[hub.id, children[given].id]))
        expect(pat.get_by_text(ANSWER)).to_be_visible()
        click(pat, "Propose the decision")
        expect(pat.get_by_role("heading", level=1)).to_have_text("Propose the joint decision")
        assert_accessible(pat)
        pat.get_by_role("group", name="Outcome").get_by_label(outcome, exact=True).check()
        pat.get_by_label("Rationale").fill(rationale)
        click(pat, "Send for sign-off", role="button")
        assert_accessible(pat)

    # Yusuf's proposal page: his siblings' decisions side by side.
    go(pat, reverse("decision-propose", args=[hub.id, children["Yusuf"].id]))
    siblings = pat.get_by_role("region", name="Siblings in this household and their decisions")
    for given, (outcome, rationale) in proposals.items():
        row = siblings.get_by_role("row").filter(has_text=children[given].reference)
        expect(row).to_contain_text(f"{given} {FAMILY}")
        expect(row).to_contain_text(outcome)
        expect(row).to_contain_text("Awaiting sign-off")
        expect(row).to_contain_text(rationale)

    # Mohammed's earlier record, suggested by matching, proposed as the same person, linked, then undone.
    mohammed = children["Mohammed"]
    subject_matches_find(referral_id=mohammed.pk)
    go(pat, reverse("referral-detail", args=[hub.id, mohammed.id]))
    card = pat.locator(".govuk-summary-card", has_text=f"Muhammad {FAMILY} in referral")
    card.get_by_label("Same person", exact=True).check()
    card.get_by_label("Why?").fill("Same date of birth and address; the name spelt another way")
    card.get_by_role("button", name="Save the answer").click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("Are you sure these are the same person?")
    expect(pat.get_by_text("Given name: Mohammed on one record, Muhammad on the other").first).to_be_visible()
    assert_accessible(pat)
    pat.get_by_role("button", name="Yes, they are the same person").click()
    expect(pat.get_by_text("Earlier record linked: the same person")).to_be_visible()
    assert_accessible(pat)

    chronology = reverse("chronology", args=[hub.id, mohammed.id])
    go(pat, chronology)
    expect(pat.get_by_role("link", name=earlier.reference).first).to_be_visible()
    go(pat, reverse("referral-detail", args=[hub.id, mohammed.id]))
    pat.get_by_role("link", name=f"Undo the link to Muhammad {FAMILY} in {earlier.reference}").click()
    assert_accessible(pat)
    pat.get_by_label("Why is this link wrong?").fill("Another boy: the GP says the NHS numbers differ")
    pat.get_by_role("button", name="Undo the link").click()
    expect(pat.get_by_text("Another boy: the GP says the NHS numbers differ")).to_be_visible()
    assert_accessible(pat)
    go(pat, chronology)
    expect(pat.get_by_role("link", name=mohammed.reference).first).to_be_visible()
    expect(pat.get_by_role("link", name=earlier.reference)).to_have_count(0)
