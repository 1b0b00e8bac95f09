"""The full journey (tests/journey.py) in Welsh, in Chromium, as each person opens it after choosing Cymraeg with the
switch (docs/adr/0027): every page says it is Welsh (`lang="cy"`), shows none of the catalogue's English sentences,
fits a 375 px phone (Welsh words run longer), and axe finds no serious violation, as it finds none in English
(tests/browser/test_narrow_screens.py)."""

import pytest
from django.test import Client

from tests.browser.helpers import assert_accessible
from tests.browser.test_narrow_screens import _as
from tests.journey import build_journey
from tests.mash.test_welsh import english_left, hub_data

pytestmark = pytest.mark.browser


def test_every_page_of_every_role_in_welsh(page, live_server, mash):
    journey = build_journey(Client(), mash)
    typed = hub_data()
    page.set_viewport_size({"width": 375, "height": 740})
    left, wide = [], []
    for who, pages in journey.pages.items():
        _as(page, live_server, journey.people[who])
        page.goto(live_server.url + "/")
        page.locator("button[value=cy]").click()  # the switch, as a person uses it
        page.wait_for_load_state()
        for name, url in pages:
            page.goto(url)
            assert page.get_attribute("html", "lang") == "cy", f"{who}: {name}"
            left += [f"{who}: {name}: {sentence}" for sentence in english_left(page.content(), typed)]
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                wide.append(f"{who}: {name} is {overflow}px too wide")
            assert_accessible(page)
        # The scripts' texts (the queue's "updated" line, the timeout's countdown) are Welsh too, in Welsh's plurals.
        countdown = "interpolate(ngettext('%(count)s minute', '%(count)s minutes', 2), {count: 2}, true)"
        assert page.evaluate(countdown) == "2 funud", who
    assert not left + wide, "\n".join(left + wide)
