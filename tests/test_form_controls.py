"""Every form control a person meets is a GOV.UK component: on every page of a full journey, as each person opens
it, each text box, text area and select carries GOV.UK's class (no unstyled browser control), no date or time is the
browser's own picker, and every hint or error a control says it is described by is on the page."""

import re

import pytest

from tests.journey import build_journey

pytestmark = pytest.mark.django_db

CONTROL = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
GOVUK_CLASS = {"input": "govuk-input", "textarea": "govuk-textarea", "select": "govuk-select"}
NOT_STYLED_HERE = {"hidden", "radio", "checkbox", "submit", "button", "file"}  # their own GOV.UK markup or none


def _attr(attrs: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', attrs)
    return found.group(1) if found else None


def test_every_control_of_a_full_journey_is_a_govuk_component(client, mash):
    journey = build_journey(client, mash)
    problems, seen = [], 0
    for who, pages in journey.pages.items():
        client.force_login(journey.people[who])
        for name, url in pages:
            page = client.get(url).content.decode()
            ids = set(re.findall(r'\bid="([^"]+)"', page))
            for tag, attrs in CONTROL.findall(page):
                kind = _attr(attrs, "type") or "text"
                if tag == "input" and kind in NOT_STYLED_HERE:
                    continue
                seen += 1
                control = f"{who}: {name}: <{tag} name={_attr(attrs, 'name')!r}>"
                if kind in {"date", "datetime-local", "month", "week", "time"}:
                    problems.append(f"{control} is the browser's {kind} picker, not GOV.UK's date input")
                if GOVUK_CLASS[tag] not in (_attr(attrs, "class") or "").split():
                    problems.append(f"{control} lacks {GOVUK_CLASS[tag]}")
                missing = [i for i in (_attr(attrs, "aria-describedby") or "").split() if i not in ids]
                if missing:
                    problems.append(f"{control} is described by {missing}, which the page does not have")
    assert seen > 20, seen  # the journey's forms were read
    assert not problems, "\n".join(sorted(set(problems)))
