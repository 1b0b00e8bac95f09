"""Sessions in a real browser (mash/sessions.py): the triage queue refreshing itself does not keep an unattended
session alive, and the next click lands on the sign-in page saying why; a long form warns two minutes before the end
with GOV.UK's timeout dialog, whose "Stay signed in" renews the session and "Sign out" signs out. The limits are
shortened with settings overrides (the live server runs in this process)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals import triage_views
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_the_idle_timeout_is_reached_while_the_queue_refreshes_in_the_background(
    page, small_demo_hub, settings, monkeypatch
):
    settings.SESSION_IDLE_SECONDS = 6
    monkeypatch.setattr(triage_views, "REFRESH_SECONDS", 1)
    refreshes = []
    page.on("response", lambda r: refreshes.append(r.status) if "partial=1" in r.url else None)
    sign_in(page, "pat.practitioner")
    queue = reverse("triage-queue", args=[small_demo_hub.id])
    page.goto(queue)
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")

    # Refreshed every second while the person does nothing: served at first, then refused once the 6 s are up.
    expect(page.locator("#queue-status")).to_have_text(
        "Queue stopped updating: sign in again to see the latest.", timeout=15_000
    )
    assert refreshes.count(200) >= 3 and refreshes[-1] == 401, refreshes

    page.get_by_role("link", name="Queue", exact=True).first.click()  # the person comes back and clicks
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    expect(page.get_by_text("You were signed out because you had not used the service for 6 seconds")).to_be_visible()
    assert_accessible(page)


def test_a_long_form_warns_before_the_end_and_stay_signed_in_renews(page, small_demo_hub, settings):
    settings.SESSION_IDLE_SECONDS = 125  # the warning opens 2 minutes before the end: 5 s after the page loads
    sign_in(page, "pat.practitioner")
    page.goto(reverse("referral-new", args=[small_demo_hub.id]))
    page.get_by_label("Family name").first.focus()

    dialog = page.get_by_role("dialog", name="You're about to be signed out")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog).to_contain_text("You'll be signed out in 2 minutes")
    expect(dialog.get_by_role("heading")).to_be_focused()
    assert_accessible(page)

    with page.expect_response(lambda r: r.url.endswith("/session/keep-alive/")) as answer:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200 and answer.value.json()["seconds_left"] >= 120
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Family name").first).to_be_focused()  # back where the person was

    # Renewed for another 125 s: the warning comes again 5 s later; this time, sign out.
    expect(dialog).to_be_visible(timeout=15_000)
    dialog.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url


def test_left_alone_the_form_goes_to_sign_in_when_the_time_is_up(page, small_demo_hub, settings):
    settings.SESSION_IDLE_SECONDS = 3
    settings.SESSION_WARNING_SECONDS = 2
    sign_in(page, "pat.practitioner")
    page.goto(reverse("referral-new", args=[small_demo_hub.id]))
    expect(page.get_by_role("dialog", name="You're about to be signed out")).to_be_visible(timeout=5_000)
    page.wait_for_url("**/accounts/login/**", timeout=15_000)
    expect(page.get_by_text("You were signed out because you had not used the service for 3 seconds")).to_be_visible()
