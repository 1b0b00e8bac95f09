"""Every page of a full journey (tests/journey.py), as each person opens it, on a 375 and a 320 CSS pixel phone:
nothing wider than the screen (tables scroll inside their own region), and axe finds no serious violation. The
manager and the administrator are in it too, their second factor passed as a sign-in passes it. On the queues the
column a manager acts on, the time left, is on the screen without scrolling the table."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.services import return_request
from tests.browser.helpers import assert_accessible, build_as_the_worker_does
from tests.journey import build_journey

pytestmark = pytest.mark.browser
PHONES = [375, 320]
KEY_COLUMNS = {"Sign-off queue": "Time left", "Triage queue": "Time left"}


def _as(page, live_server, user) -> None:
    """The person's session, made by Django's test client, in the browser's cookie jar. For a manager or an
    administrator `force_login` records the second factor in the session as a code entered at sign-in does
    (tests/conftest.py); tests/browser/test_manager.py signs them in through the form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _this_months_return(mash) -> tuple[str, str]:
    """This month's return to date, built as the worker builds it: its page has the widest tables of all."""
    row = return_request(hub=mash.hub, month=timezone.localdate().replace(day=1), by=mash.manager)
    build_as_the_worker_does(row.pk)
    return "Monthly return", reverse("return-detail", args=[mash.hub.id, row.pk])


def _off_screen(page, column: str, width: int) -> bool:
    box = page.get_by_role("columnheader", name=column, exact=True).bounding_box()
    return box is None or box["x"] + box["width"] > width


@pytest.mark.parametrize("width", PHONES)
def test_every_page_of_every_role_fits_a_phone_and_passes_axe(page, live_server, mash, width):
    journey = build_journey(Client(), mash)
    monthly_return = _this_months_return(mash)
    journey.pages["manager"].append(monthly_return)
    journey.pages["lead"].append(monthly_return)
    page.set_viewport_size({"width": width, "height": 740})
    wide, hidden = [], []
    for who, pages in journey.pages.items():
        _as(page, live_server, journey.people[who])
        for name, url in pages:
            page.goto(url)
            assert page.url.split("?")[0].endswith(url.split("?")[0]), f"{who}: {name} went to {page.url}"
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                wide.append(f"{who}: {name} is {overflow}px too wide")
            if name in KEY_COLUMNS and _off_screen(page, KEY_COLUMNS[name], width):
                hidden.append(f"{who}: {name} hides {KEY_COLUMNS[name]!r} until the table is scrolled")
            assert_accessible(page)
    assert not wide + hidden, "\n".join(wide + hidden)
