"""Issue 19's "Must show", end to end in real headless Chromium. (a) A Red referral: the practitioner records a
strategy discussion held without health (adding a person row and an action row with the "add another" buttons), the
page flags it as missing a required agency, the manager gives the reason, and the section 47 decision with its actions
is on the referral page and in the chronology; the practitioner marks an action done. (b) An adult's referral: the
practitioner records the adult's wishes, that they lack capacity (assessed by whom and when, the best-interests
decision and its reasons) and their advocacy, shown on the referral page. axe-core on every page reached."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, click, expect_page, expect_success, screened_referral

pytestmark = pytest.mark.browser

PRACTITIONER, MANAGER = "pat.practitioner", "mary.manager"
VISIT = "Joint visit to the child with the police today"
MEDICAL = "Arrange a child protection medical"
REASON = "The GP surgery could not be reached before the visit had to happen"


def _received_yesterday(referral):
    from referrals.models import Referral

    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=1))


def _agency(hub, kind) -> str:
    from agencies.models import HubMembership

    return str(HubMembership.objects.get(hub=hub, agency__kind=kind).agency_id)


def _date(page, field: str, day) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        page.locator(f"#id_{field}_{part}").fill(str(value))


def test_a_red_referral_strategy_discussion_without_health_is_flagged_reasoned_and_shown(small_demo_hub, desk):
    from agencies.models import AgencyKind

    hub = small_demo_hub
    referral = screened_referral(hub, "red")
    _received_yesterday(referral)
    police, care = _agency(hub, AgencyKind.POLICE), _agency(hub, AgencyKind.CHILDRENS_SOCIAL_CARE)
    detail = reverse("referral-detail", args=[hub.id, referral.id])

    page = desk(PRACTITIONER)
    page.goto(detail)
    expect(page.locator("#strategy-discussions + .govuk-inset-text")).to_contain_text("Strategy discussion due by")
    click(page, "Record a strategy discussion", role="link")
    expect_page(page, "Record a strategy discussion")
    expect(page.locator("#id_participant_3_role")).to_have_count(0)  # three people at first
    held = timezone.localtime() - timedelta(hours=1)
    _date(page, "held_on", held.date())
    page.locator("#id_held_time").fill(held.strftime("%H:%M"))
    page.get_by_label("Virtual meeting").check()
    page.locator("#id_participant_0_agency").select_option(police)
    page.locator("#id_participant_0_role").fill("DS Khan, child abuse investigation")
    page.locator("#id_participant_1_agency").select_option(care)
    page.locator("#id_participant_1_role").fill("Team manager, assessment")
    page.locator("#id_action_0_owner").select_option(care)
    page.locator("#id_action_0_description").fill(VISIT)
    _date(page, "action_0_due_on", timezone.localdate())
    click(page, "Add another action", role="button")  # the page comes back a row longer, with everything kept
    expect(page.locator("#id_action_0_description")).to_have_value(VISIT)
    expect(page.locator("#id_participant_1_role")).to_have_value("Team manager, assessment")
    assert_accessible(page)
    page.locator("#id_action_1_owner").select_option(police)
    page.locator("#id_action_1_description").fill(MEDICAL)
    _date(page, "action_1_due_on", timezone.localdate() + timedelta(days=1))
    page.get_by_label("Section 47 enquiry jointly with the police").check()
    _date(page, "s47_started_on", timezone.localdate())
    click(page, "Record the discussion", role="button")

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Health did not take part")
    panel = page.locator(".govuk-summary-card", has_text="Virtual meeting on")
    expect(panel).to_contain_text("Incomplete: needs the manager's reason")
    expect(panel).to_contain_text("Health did not take part.")
    assert_accessible(page)

    manager = desk(MANAGER)
    manager.goto(detail)
    click(manager, "Give the reason it went ahead without them")
    assert_accessible(manager)
    manager.get_by_label("Reason").fill(REASON)
    click(manager, "Record the reason", role="button")
    expect_success(manager, "the strategy discussion counts as complete")
    panel = manager.locator(".govuk-summary-card", has_text="Virtual meeting on")
    expect(panel).to_contain_text("Without every required agency")
    expect(panel).to_contain_text(REASON)
    expect(panel).to_contain_text("Section 47 enquiry jointly with the police")
    expect(panel).to_contain_text(VISIT)
    expect(panel).to_contain_text(MEDICAL)
    assert_accessible(manager)

    page.goto(detail)
    page.locator("form[action*='/strategy-actions/'] button", has_text=VISIT).click()
    page.wait_for_load_state()
    expect_success(page, "Action marked done")
    panel = page.locator(".govuk-summary-card", has_text="Virtual meeting on")
    expect(panel.get_by_role("listitem").filter(has_text=VISIT)).to_contain_text("Done")
    expect(panel.locator("form[action*='/strategy-actions/'] button", has_text=MEDICAL)).to_be_visible()

    page.goto(reverse("chronology", args=[hub.id, referral.id]))
    assert_accessible(page)
    body = page.locator("main")
    expect(body).to_contain_text("Strategy discussion (virtual meeting)")
    expect(body).to_contain_text("Without: Health")
    expect(body).to_contain_text(REASON)
    expect(body).to_contain_text(VISIT)


def test_an_adults_wishes_capacity_and_advocacy_are_recorded_and_shown(small_demo_hub, desk):
    from django.contrib.auth import get_user_model

    from referrals import selectors, triage
    from referrals.services import referral_create
    from tests.factories import referral_data

    hub = small_demo_hub
    subject = {**referral_data()["subject"], "given_name": "Edith", "family_name": "Older", "nhs_number": "",
               "date_of_birth": "1940-05-06"}  # fmt: skip
    data = referral_data(subject=subject, others=[], consent="obtained", consent_reason="", source_code="3A",
                         concerns=["financial"], adult_risk_location="own_home",
                         adult_risk_source="known_to_individual")  # fmt: skip
    referral = referral_create(hub=hub, data=data, channel="phone")
    level = selectors.thresholds_current(hub, referral.cohort).levels[0]
    triage.referral_screen(
        referral=referral, by=get_user_model().objects.get(username=PRACTITIONER), level=level["code"],
        criteria=[level["criteria"][0]["code"]], rating="amber", rationale="Financial abuse by a relative.",
    )  # fmt: skip

    page = desk(PRACTITIONER)
    page.goto(reverse("referral-detail", args=[hub.id, referral.id]))
    expect(page.locator("#adult-voice")).to_be_visible()
    click(page, "Record the adult's voice")
    expect_page(page, "The adult's voice")
    page.get_by_role("group", name="Was the adult asked what they want to happen?").get_by_label("Yes").check()
    page.get_by_label("What does the adult want to happen?").fill("To stay at home and keep my own bank card.")
    page.get_by_label("Assessed: lacks capacity").check()
    page.get_by_label("Who assessed capacity: name").fill("Dr Nia Evans")
    page.get_by_label("Who assessed capacity: role").fill("Consultant psychiatrist")
    _date(page, "assessed_on", timezone.localdate() - timedelta(days=2))
    page.get_by_label("Best-interests decision", exact=True).fill("Her nephew's access to her account is stopped.")
    page.get_by_label("Reasons for the best-interests decision").fill("She cannot weigh the risk of the withdrawals.")
    page.get_by_role("group", name="Does the adult need an advocate?").get_by_label("Yes").check()
    page.get_by_label("An advocate was offered").check()
    page.get_by_label("An advocate was provided").check()
    page.get_by_label("Who provides the advocacy?").fill("Northshire Advocacy Service")
    click(page, "Save", role="button")

    voice = page.locator("#adult-voice + .govuk-summary-list")
    expect(voice).to_contain_text("To stay at home and keep my own bank card.")
    expect(voice).to_contain_text("Assessed: lacks capacity, by Dr Nia Evans (Consultant psychiatrist) on")
    expect(voice).to_contain_text("Her nephew's access to her account is stopped.")
    expect(voice).to_contain_text("Reasons: She cannot weigh the risk of the withdrawals.")
    expect(voice).to_contain_text("Needed; offered; provided by Northshire Advocacy Service")
    assert_accessible(page)


def test_enter_in_a_box_of_the_strategy_form_records_the_discussion_and_never_adds_a_row(small_demo_hub, desk):
    """A practitioner who presses Enter after typing a role submits the form (its errors shown field by field), as
    in every other form: the "Add another person" button, the first visible one, is not the form's default."""
    hub = small_demo_hub
    referral = screened_referral(hub, "red")
    page = desk(PRACTITIONER)
    page.goto(reverse("strategy-new", args=[hub.id, referral.id]))
    page.locator("#id_participant_0_role").fill("DS Khan, CAIT")
    page.locator("#id_participant_0_role").press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    expect(page.locator("#id_participant_3_role")).to_have_count(0)  # no fourth row was added
    expect(page.locator("#id_participant_0_role")).to_have_value("DS Khan, CAIT")  # what was typed is kept
    assert_accessible(page)
