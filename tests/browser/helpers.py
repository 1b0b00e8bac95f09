"""What the browser tests share: signing in through the form, and axe-core's verdict on the page as it is now.

axe runs the WCAG 2.0, 2.1 and 2.2 A and AA rules; any violation of impact serious or critical fails the test with the
rule, its impact and the offending elements named.
"""

import re
from pathlib import Path

from django.urls import reverse

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo password for the browser tests"  # every demo user's, set through DEMO_PASSWORD by `demo_hub`
HUB_NAME = "Northshire Multi-Agency Safeguarding Hub"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


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
