"""Every page of a full journey (tests/journey.py), as each person opens it, on a 375 CSS pixel phone: nothing wider
than the screen (tables scroll inside their own region or become lists) and axe finds no serious violation."""

import pytest
from django.test import Client

from tests.browser.helpers import assert_accessible
from tests.journey import build_journey

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


def _as(page, live_server, user) -> None:
    """The person's session, made by Django's test client, in the browser's cookie jar."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_every_page_of_every_role_fits_a_phone_and_passes_axe(page, live_server, mash):
    journey = build_journey(Client(), mash)
    page.set_viewport_size(PHONE)
    wide = []
    for who, pages in journey.pages.items():
        if who in {"manager", "admin"}:
            continue  # their second factor is asked by sign-in: tests/browser/test_manager.py signs them in
        _as(page, live_server, journey.people[who])
        for name, url in pages:
            page.goto(url)
            assert page.url.endswith(url.split("?")[0]), f"{who}: {name} went to {page.url}"
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                wide.append(f"{who}: {name} is {overflow}px too wide")
            assert_accessible(page)
    assert not wide, "\n".join(wide)
