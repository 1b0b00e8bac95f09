"""What the browser tests share: signing in through the form, axe-core's verdict on the page as it is now, the
GOV.UK success banner and error pattern as a user meets them, and a referral screened through the service.

axe runs the WCAG 2.0, 2.1 and 2.2 A and AA rules; any violation of impact serious or critical fails the test with the
rule, its impact and the offending elements named.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo password for the browser tests"  # every demo user's, set through DEMO_PASSWORD by `demo_hub`
HUB_NAME = "Northshire Multi-Agency Safeguarding Hub"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
MAX_TABS = 250


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the sign-in form; a manager, deputy or administrator then sets up or enters a two-factor code, read
    from their authenticator's key as their phone would."""
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from agencies.twofactor import current_code

        assert_accessible(page)
        device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-id").first()
        page.get_by_label("Code from your authenticator app").fill(current_code(device))
        page.get_by_role("button", name=re.compile("Continue|Turn on two-factor sign-in")).click()
        page.wait_for_load_state()


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical WCAG A/AA violation on the page as it is now."""
    # axe-core is each context's init script (tests/browser/conftest.py): a script tag would be an inline script the
    # Content Security Policy rightly refuses.
    assert page.evaluate("typeof axe !== 'undefined'"), "axe-core is not loaded: open pages through the fixtures"
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {target}" for target in v["targets"])
        for v in blocking
    )
    assert not blocking, f"axe found {len(blocking)} serious or critical violation(s) on {page.url}:\n{report}"


def tab_to(page, selector: str) -> None:
    """Press Tab until the focused element is `selector`: it must be reachable in the page's tab order."""
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} was never reached with Tab")


def type_date(page, field: str, day: date | tuple[str, str, str]) -> None:
    """Type a date into GOV.UK's date input of `field` with the keyboard alone: Tab to its Day box, then Tab on to
    Month and Year (each one in turn, in that order), replacing whatever each held. `day` is a date (typed as
    27, 3, 2007) or the three boxes' text as a person might type them."""
    boxes = (str(day.day), str(day.month), str(day.year)) if isinstance(day, date) else day
    tab_to(page, f"#id_{field}_day")
    for part, text in zip(("day", "month", "year"), boxes, strict=True):
        if part != "day":
            page.keyboard.press("Tab")
        expect(page.locator(f"#id_{field}_{part}")).to_be_focused()
        page.keyboard.press("ControlOrMeta+A")
        if text:
            page.keyboard.type(text)
        else:
            page.keyboard.press("Delete")


def click(page, name: str, *, role: str = "link") -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_load_state()


def expect_page(page, heading: str) -> None:
    """The page's one main heading, and axe-core's verdict on it."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def open_from_menu(page, text: str, heading: str) -> None:
    """Follow the service navigation's link (desktop width: the menu is not collapsed) to the page with `heading`."""
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True).click()
    page.wait_for_load_state()
    expect_page(page, heading)


def expect_success(page, message: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner.get_by_role("heading", name="Success")).to_be_visible()
    expect(banner).to_contain_text(message)


def error_summary(page, title: str):
    """The GOV.UK error pattern's top: "Error:" in the title and the summary, which has taken focus."""
    expect(page).to_have_title(re.compile(rf"^Error: {re.escape(title)}"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    return summary


def expect_error(page, title: str, field: str, message: str, *, choice: bool = False, box: str = "") -> None:
    """The GOV.UK error pattern: "Error:" in the title, the summary focused, its link going to the field (to the first
    option of a `choice` of radios; to the `box` of a date: "day", "month" or "year"), and the message by the field."""
    summary = error_summary(page, title)
    target = f"#id_{field}_0" if choice else f"#id_{field}_{box}" if box else f"#id_{field}"
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", target)
    expect(page.locator(f"#id_{field}-error")).to_have_text(f"Error: {message}")


def expect_errors(
    page, title: str, errors: dict[str, str], *, choices: tuple[str, ...] = (), dates: dict[str, str] | None = None
) -> None:
    """The summary lists exactly `errors` (field: message, in the form's order), each linked to its field (to the
    first option of the radios named in `choices`; to the box named in `dates` of a date: "day", "month" or "year"),
    each message stands by its field, and axe-core passes the page."""
    links = error_summary(page, title).get_by_role("link")
    expect(links).to_have_text(list(errors.values()))
    dates = dates or {}
    for i, (field, message) in enumerate(errors.items()):
        target = (
            f"#id_{field}_0"
            if field in choices
            else f"#id_{field}_{dates[field]}"
            if field in dates
            else f"#id_{field}"
        )
        expect(links.nth(i)).to_have_attribute("href", target)
        expect(page.locator(f"#id_{field}-error")).to_have_text(f"Error: {message}")
    assert_accessible(page)


def screened_referral(hub, rating: str):
    """A new referral about a child (tests/factories.py), screened `rating` by the demo practitioner at the first
    level of the hub's thresholds, through the services."""
    from django.contrib.auth import get_user_model

    from referrals import selectors, triage
    from referrals.services import referral_create
    from tests.factories import referral_data

    referral = referral_create(hub=hub, data=referral_data(), channel="phone")
    level = selectors.thresholds_current(hub, referral.cohort).levels[0]
    triage.referral_screen(
        referral=referral, by=get_user_model().objects.get(username="pat.practitioner"), level=level["code"],
        criteria=[level["criteria"][0]["code"]], rating=rating, rationale="Screened for the browser test.",
    )  # fmt: skip
    referral.refresh_from_db()
    return referral


def build_as_the_worker_does(return_id, page=None):
    """Build a return as the worker does, trying again while the seal waits: on PostgreSQL it stops below the
    server's oldest running transaction (autovacuum's, or another database's), and the worker retries likewise.

    Given the page watching the build, its background refreshes wait in the browser while the build writes: the
    SQLite test database is one in-memory database shared by the test's and the live server's threads, and there a
    read in one thread locks the table against a write in the other at once, with no waiting (a file database, as
    `make run` uses, waits instead). The refreshes are sent one after another, so once one is held none is on its
    way; they are let through when the build is done, and the page shows what they bring."""
    import time

    from reports import services

    held = []

    def hold(route):
        held.append(route)

    if page is not None:
        page.route("**/*partial=1*", hold)
        until = time.monotonic() + 10
        while not held and time.monotonic() < until:
            page.wait_for_timeout(100)
        assert held, "the page never asked for its refresh"
    give_up = time.monotonic() + 10
    try:
        while True:
            try:
                return services.return_build(return_id=return_id)
            except services.NotSealedYet:
                if time.monotonic() > give_up:
                    raise
                time.sleep(0.2)
    finally:
        if page is not None:
            for route in held:
                route.continue_()
            page.unroute("**/*partial=1*")
