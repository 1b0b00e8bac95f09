"""Issue 6, end to end in real headless Chromium: a practitioner screens a referral and asks the agencies for their
information; the agencies' officers answer (health, children's services and adult social care in the browser, the
police by API); the practitioner proposes the joint decision, the manager returns it, the practitioner revises it,
the manager signs it off, and the referring agency (the police) reads the outcome by API. An officer of the agency
that has not signed the information sharing agreement sees why they cannot see the request.

axe-core finds no serious or critical violation on any page of the journey (tests/browser/helpers.py), wrong input
included, and every step is in the audit ledger at the end.
"""

import base64
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, click, expect_error, expect_success, tab_to, type_date

pytestmark = pytest.mark.browser

PRACTITIONER, MANAGER = "pat.practitioner", "mary.manager"
HEALTH, CHILDREN, ADULTS, HOUSING = "hugh.health", "cara.care", "ada.adults", "hana.housing"

LEVEL = "Targeted: child in need (s17)"
CRITERION = "Complex needs requiring a multi-agency response"
FIRST_OUTCOME, REVISED_OUTCOME = "Information and advice", "Child in need assessment (s17)"
ACTION = "Send the family information on local support."
RETURN_COMMENTS = "Police and health both hold concerns: the outcome should be a child in need assessment."


# The steps, in the words of the pages -------------------------------------------------------------------------------


def open_referral(page, hub, referral) -> None:
    """Where hub staff start: the referral page, with its multi-agency section."""
    page.goto(reverse("referral-detail", args=[hub.id, referral.id]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    assert_accessible(page)


def screen(page, referral) -> None:
    click(page, "Screen this referral")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screen this referral")
    assert_accessible(page)

    click(page, "Save the screening", role="button")  # nothing chosen yet
    expect_error(page, "Screen referral", "level", "Choose the threshold level that applies", choice=True)
    expect_error(page, "Screen referral", "rating", "Choose a RAG rating", choice=True)
    expect_error(page, "Screen referral", "rationale", "Give the rationale for the level and rating")
    assert_accessible(page)

    page.get_by_label(CRITERION).check()
    page.get_by_role("group", name="Threshold level").get_by_label(LEVEL, exact=True).check()
    page.get_by_role("group", name="RAG rating").get_by_label("Amber").check()
    page.get_by_label("Rationale").fill("Neglect seen by police at a domestic incident: agencies' checks needed.")
    click(page, "Save the screening", role="button")
    expect_success(page, "Referral screened: Amber")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {referral.reference}")
    assert_accessible(page)


def ask_agencies(page, referral) -> None:
    click(page, "Ask agencies for information")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask agencies for their information")
    # Housing has signed no agreement: named with the reason, and not offered (it could never see the request).
    expect(page.get_by_text("Northshire Homes will not be asked, as it could not see the request")).to_be_visible()
    expect(page.get_by_label("Northshire Homes")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Northshire Education").check()
    page.get_by_label("What should the agencies check?").fill("Contact with the child and the mother since January.")
    click(page, "Send the requests", role="button")
    # The four core agencies, and education.
    expect_success(page, "Asked 5 agencies for their information")
    requests = page.get_by_role("table").filter(has_text="Asked")
    expect(requests.get_by_role("row")).to_have_count(1 + 5)
    expect(requests.get_by_role("row").filter(has_text="Waiting for the agency")).to_have_count(5)
    assert_accessible(page)


def housing_is_refused(page, hub) -> None:
    response = page.goto(reverse("officer-queue", args=[hub.id]))
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agency cannot see or share case data yet")
    expect(page.get_by_text(
        "Northshire Homes has not signed Northshire MASH information sharing agreement (version 1). "
        "Ask the hub administrator to record a current signature."
    )).to_be_visible()  # fmt: skip
    expect(page.get_by_role("table")).to_have_count(0)
    assert_accessible(page)


def officer_answers(page, hub, referral, agency: str, *, summary: str = "", risks: tuple = ()) -> None:
    """The officer finds the request in their queue and answers it: known (with a summary) or no trace."""
    page.goto(reverse("officer-queue", args=[hub.id]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for your agency's information")
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Waiting for the agency")
    assert_accessible(page)

    row.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Checks for referral {referral.reference}")
    expect(page.get_by_text(agency, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Alex Example – Subject")).to_be_visible()
    assert_accessible(page)

    known = page.get_by_role("group", name="Does your agency know the subject?")
    if summary:
        known.get_by_label("Yes: we hold information").check()
        for risk in risks:
            page.get_by_label(risk).check()
        page.get_by_label("Summary").fill(summary)
    else:
        known.get_by_label("No trace: we hold nothing on them").check()
    click(page, "Share with the hub", role="button")
    expect_success(page, f"Your agency's information on {referral.reference} is with the hub")
    expect(
        page.get_by_role("heading", name=f"{agency}: {'known to the agency' if summary else 'no trace'}")
    ).to_be_visible()
    assert_accessible(page)


def open_proposal(page, link: str, heading: str) -> None:
    click(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def send_proposal(page, *, outcome: str, rationale: str) -> None:
    """Choose the outcome, give the rationale and send it (the level and the core agencies are filled in)."""
    page.get_by_role("group", name="Outcome").get_by_label(outcome, exact=True).check()
    page.get_by_label("Rationale").fill(rationale)
    click(page, "Send for sign-off", role="button")


def review(page, hub, referral, *, version: int, verdict: str, comments: str = "") -> None:
    """The manager opens the proposal from the sign-off queue, reads it with the agencies' answers, and decides."""
    page.goto(reverse("sign-off-queue", args=[hub.id]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions awaiting sign-off")
    row = page.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Pat Practitioner")
    assert_accessible(page)

    # The link's hidden text says which version; Chromium puts a space before the hidden span.
    row.get_by_role("link", name=re.compile(rf"^{referral.reference} ?: review version {version}$")).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off or return the decision")
    expect(page.get_by_role("heading", name=re.compile(rf"^Version {version}: "))).to_be_visible()
    expect(page.get_by_role("heading", name="Northshire Police: known to the agency")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("group", name="Your decision").get_by_label(verdict).check()
    if comments:
        page.get_by_label("Comments").fill(comments)
    click(page, "Record my decision", role="button")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions awaiting sign-off")
    expect(page.get_by_role("row").filter(has_text=referral.reference)).to_have_count(0)
    assert_accessible(page)


# The referring agency's system ---------------------------------------------------------------------------------------


@pytest.fixture
def police_system(browser, live_server):
    """The police's case system calling the API: plain HTTP from a browser context of its own (no session)."""
    context = browser.new_context(base_url=live_server.url)
    yield context.request
    context.close()


def police_token(police_system, hub, police) -> str:
    """The police system's access token (client credentials), for answering requests and reading its referrals."""
    from agencies.services import api_client_create

    _, client_id, secret = api_client_create(
        hub=hub, agency=police, name="Police case system", scopes="contributions:write referrals:read"
    )
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = police_system.post(
        "/api/v1/oauth/token/", form={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status == 200, response.text()
    return response.json()["access_token"]


def police_answer_by_api(police_system, token: str, referral) -> None:
    body = {
        "known": True,
        "risk_indicators": ["domestic_abuse", "previous_concerns"],
        "summary": "Two domestic incidents at the address this year; the child was present at the second.",
        "disclosure": "shared",
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"police-checks-{referral.reference}"}
    url = f"/api/v1/referrals/{referral.id}/contributions/"
    first = police_system.post(url, data=body, headers=headers)
    assert first.status == 201, first.text()
    assert first.json()["known"] is True and first.json()["disclosure"] == "shared"
    # The police system did not hear the answer and sends it again: the same contribution, stored once.
    again = police_system.post(url, data=body, headers=headers)
    assert (again.status, again.json(), again.headers.get("idempotent-replayed")) == (201, first.json(), "true")


def police_read_outcome(police_system, token: str, referral) -> dict:
    response = police_system.get(f"/api/v1/referrals/{referral.id}/", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200, response.text()
    return response.json()


# The journey ----------------------------------------------------------------------------------------------------------


def test_a_referral_goes_from_screening_to_a_signed_decision_the_referring_agency_reads(desk, police_system, demo_hub):
    from agencies.models import Agency
    from audit.models import AuditEvent
    from referrals.services import referral_create
    from tests.factories import referral_data

    hub = demo_hub
    police = Agency.objects.get(slug="police")
    referral = referral_create(hub=hub, data=referral_data(), channel="api", referring_agency=police)
    token = police_token(police_system, hub, police)

    # The practitioner screens the referral (a wrong first try included) and asks the agencies.
    pat = desk(PRACTITIONER)
    open_referral(pat, hub, referral)
    screen(pat, referral)
    ask_agencies(pat, referral)

    # Housing, which has not signed the agreement, sees why it sees nothing.
    housing_is_refused(desk(HOUSING), hub)

    # Health answers in the browser, the police by API, children's and adults' services "no trace" in the browser.
    officer_answers(
        desk(HEALTH), hub, referral, "Northshire Integrated Care Board",
        summary="Health visitor: two missed appointments since January.",
        risks=("Missed appointments or non-engagement",),
    )  # fmt: skip
    police_answer_by_api(police_system, token, referral)
    officer_answers(desk(CHILDREN), hub, referral, "Northshire Children's Services")
    officer_answers(desk(ADULTS), hub, referral, "Northshire Adult Social Care")

    # The practitioner sees the four answers and proposes, forgetting the rationale the first time.
    open_referral(pat, hub, referral)
    expect(pat.get_by_text("Still waiting for core agencies")).to_have_count(0)
    for answer in [
        "Northshire Police: known to the agency",
        "Northshire Integrated Care Board: known to the agency",
        "Northshire Children's Services: no trace",
        "Northshire Adult Social Care: no trace",
    ]:
        expect(pat.get_by_role("heading", name=answer)).to_be_visible()
    open_proposal(pat, "Propose the decision", "Propose the joint decision")
    send_proposal(pat, outcome=FIRST_OUTCOME, rationale="")
    expect_error(pat, "Joint decision", "rationale", "Give the rationale for the decision")
    assert_accessible(pat)

    due = timezone.localdate() + timedelta(days=10)
    pat.get_by_label("Rationale").fill("No agency holds a current concern that meets the threshold for more.")
    pat.get_by_label("Action 1: owner").select_option(label="Northshire Children's Services")
    pat.get_by_label("Action 1: what will be done").fill(ACTION)
    # The due date by keyboard in GOV.UK's date input (a fieldset named by its legend), the year forgotten first.
    expect(pat.get_by_role("group", name="Action 1: due by (optional)").get_by_label("Day")).to_have_attribute(
        "name", "action_0_due_on_day"
    )
    type_date(pat, "action_0_due_on", (str(due.day), str(due.month), ""))
    click(pat, "Send for sign-off", role="button")
    expect_error(pat, "Joint decision", "action_0_due_on", "The due date of action 1 must include a year", box="year")
    assert_accessible(pat)
    expect(pat.locator("#id_action_0_due_on_year")).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    expect(pat.locator("#id_action_0_due_on_day")).to_have_value(str(due.day))  # kept as typed
    type_date(pat, "action_0_due_on", due)
    tab_to(pat, ".govuk-button-group > button.govuk-button[type=submit]")  # Send for sign-off
    with pat.expect_navigation():
        pat.keyboard.press("Enter")
    expect_success(pat, "Decision version 1 proposed: the manager will sign it off")
    expect(pat.get_by_role("heading", name=f"Version 1: {FIRST_OUTCOME}")).to_be_visible()
    assert_accessible(pat)

    # The manager returns it with comments.
    mary = desk(MANAGER)
    review(mary, hub, referral, version=1, verdict="Return it for revision", comments=RETURN_COMMENTS)
    expect_success(mary, "Decision returned to Pat Practitioner")

    # The practitioner revises it: the manager's comments are shown, the first version's answers filled in.
    open_referral(pat, hub, referral)
    expect(pat.get_by_text("Returned for revision")).to_be_visible()
    open_proposal(pat, "Revise the decision", "Revise the decision")
    expect(pat.get_by_text(f"The manager returned version 1: “{RETURN_COMMENTS}”")).to_be_visible()
    expect(pat.get_by_label("Action 1: what will be done")).to_have_value(ACTION)
    send_proposal(
        pat, outcome=REVISED_OUTCOME,
        rationale="Police and health concerns together meet the child in need threshold: assessment under s17.",
    )  # fmt: skip
    expect_success(pat, "Decision version 2 proposed: the manager will sign it off")
    assert_accessible(pat)

    # The manager signs the revision off: the referral is closed.
    review(mary, hub, referral, version=2, verdict="Sign off this decision")
    expect_success(mary, f"Decision signed off: referral {referral.reference} is closed")
    expect(mary.get_by_text("No decision is waiting for you.")).to_be_visible()

    open_referral(pat, hub, referral)
    expect(pat.get_by_role("heading", name=f"Version 2: {REVISED_OUTCOME}")).to_be_visible()
    expect(pat.get_by_role("link", name="Revise the decision")).to_have_count(0)
    expect(pat.locator(".govuk-summary-list__row").filter(has_text="Status")).to_contain_text("Closed")

    click(pat, "Chronology")
    expect(pat.get_by_role("heading", level=1)).to_have_text("Chronology of Alex Example")
    rows = pat.get_by_role("row")
    for kind in ["Referral received", "Screening", "Decision v2 proposed", "Decision v2 signed off"]:
        expect(rows.filter(has_text=kind)).to_have_count(1)
    expect(rows.filter(has_text="Decision v1")).to_have_count(0)  # returned, not decided
    expect(rows.filter(has_text="Northshire Police")).to_contain_text("Two domestic incidents")
    assert_accessible(pat)

    # The police system reads the outcome of its referral.
    outcome = police_read_outcome(police_system, token, referral)
    assert (outcome["reference"], outcome["status"], outcome["outcome"]) == (
        referral.reference, "closed", "s17_assessment",
    )  # fmt: skip

    # Every step is in the audit ledger.
    ours = Q(object_id=str(referral.id)) | Q(payload__contains=str(referral.id))
    actions = Counter(AuditEvent.objects.filter(ours, hub_id=hub.id).values_list("action", flat=True))
    assert actions["referral.screened"] == 1
    assert actions["information.requested"] == 5
    assert actions["contribution.added"] == 4
    assert actions["decision.proposed"] == 2
    assert actions["decision.returned"] == 1
    assert actions["decision.signed_off"] == 1
    by_client = AuditEvent.objects.filter(ours, action="contribution.added", actor_type="client")
    assert by_client.count() == 1  # the police, by API
