"""Browser tests: real headless Chromium (Debian's) driven by Playwright against pytest-django's live server.

One browser per test module; each test gets a fresh context (its own cookies), so sign-ins never leak between tests.
"""

import io
import os

import pytest
from django.core.management import call_command

from tests.browser.helpers import AXE, PASSWORD, sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the module. Playwright's sync API keeps an asyncio loop in this thread, so Django's
    ORM (used by fixtures and the database flush between tests) is told the thread is safe for the module's life."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, live_server, refused: list[str]):
    """A page in a fresh context whose relative addresses go to the live server; whatever the Content Security
    Policy refuses (an inline script or style, a foreign origin) is collected in `refused`."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    # axe-core arrives as Playwright's init script (outside the page's policy), not as an inline script tag.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.on(
        "console", lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    return context, page


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A page in a fresh browser context (no cookies). The test fails if the policy refused anything on any page."""
    refused: list[str] = []
    context, page = _new_page(browser, live_server, refused)
    yield page
    context.close()
    assert refused == [], "the Content Security Policy refused:\n" + "\n".join(refused)


def _load_demo(monkeypatch, referrals: int):
    from agencies.models import Hub

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    monkeypatch.setenv("DEMO_REFERRALS", str(referrals))
    call_command("load_demo", force=True, stdout=io.StringIO())
    return Hub.objects.get(slug="demo")


@pytest.fixture
def demo_hub(monkeypatch, transactional_db):
    """The demo hub of `load_demo`: seven agencies, one signing nothing, a year of funding, a user for every role."""
    return _load_demo(monkeypatch, 60)  # a smaller demo: every older referral is worked to a decision


@pytest.fixture
def small_demo_hub(monkeypatch, transactional_db):
    """The demo hub with five referrals, for journeys that make the cases they need (a load takes seconds less)."""
    return _load_demo(monkeypatch, 5)


@pytest.fixture
def desk(browser, live_server, transactional_db):
    """`desk(username)`: that person's page, signed in, in a browser context of their own (as if at their own
    computer). Asked again for the same person, the same page: each keeps their session for the whole test."""
    contexts, pages, refused = [], {}, []

    def open_desk(username: str):
        if username not in pages:
            context, pages[username] = _new_page(browser, live_server, refused)
            contexts.append(context)
            sign_in(pages[username], username)
        return pages[username]

    yield open_desk
    for context in contexts:
        context.close()
    assert refused == [], "the Content Security Policy refused:\n" + "\n".join(refused)
