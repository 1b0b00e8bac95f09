"""Strategy discussions in the monthly return (issue 19 part 1), computed from the ledger's events only: three
discussions of October 2026 with known agencies, times and decisions, and one recorded in November that October does
not count; every figure asserted, and the section shown in the JSON, the CSV and the return's page."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from decisions import services
from reports import exports
from reports import services as returns
from reports.figures import monthly_figures

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def referral(mash, received: datetime, rating: str):
    with time_machine.travel(received, tick=False):  # received, and screened at once
        return mash.referral(rating=rating)


def discussion(mash, referral, held: datetime, agencies, decision, **changes):
    data = {
        "held_on": held.date().isoformat(), "held_time": held.strftime("%H:%M"), "mode": "meeting",
        "participants": [{"agency": getattr(mash, key), "role": f"{key} lead"} for key in agencies],
        "decision": decision, "reason": "", "s47_started_on": "", "actions": [], **changes,
    }  # fmt: skip
    with time_machine.travel(held + timedelta(minutes=30), tick=False):  # recorded half an hour later
        return services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=data)


def known_month(mash):
    """A: Red 5 Oct 09:00, every agency and the school 24 hours later (within the hub's 72 hours), joint s47 started.
    B: Red 7 Oct 09:00, held 12 Oct 09:30 without health (120.5 hours: late), no s47; the manager's reason given.
    C: Amber 14 Oct 09:00, the three required agencies 30 hours later, s47 by social care alone, started.
    D: Red 30 Oct 09:00, held 2 Nov 10:00: November's, and 73 hours after the rating: late."""
    a, b, c, d = (referral(mash, at(10, day, 9), rating) for day, rating in [(5, "red"), (7, "red"), (14, "amber"),
                                                                          (30, "red")])  # fmt: skip
    discussion(mash, a, at(10, 6, 9), ("police", "social_care", "health", "school"), "s47_joint_police",
               s47_started_on="2026-10-06")  # fmt: skip
    flagged = discussion(mash, b, at(10, 12, 9, 30), ("police", "social_care"), "no_s47",
                         reason="The injury has an accidental explanation the school confirmed")  # fmt: skip
    with time_machine.travel(at(10, 12, 11), tick=False):
        services.strategy_reason_give(discussion=flagged, by=mash.manager, reason="The GP was unreachable all day")
    discussion(mash, c, at(10, 15, 15), ("police", "social_care", "health"), "s47_single_agency",
               s47_started_on="2026-10-15")  # fmt: skip
    discussion(mash, d, at(11, 2, 10), ("police", "social_care", "health"), "s47_single_agency",
               s47_started_on="2026-11-02")  # fmt: skip


def row(code, label, count):
    return {"code": code, "label": label, "count": count}


EXPECTED = {
    "discussions": 3,
    "by_cohort": {"child": 3, "adult": 0},
    "agencies_present": [
        row("police", "Police", 3),
        row("childrens_social_care", "Children's social care", 3),
        row("adult_social_care", "Adult social care", 0),
        row("health", "Health", 2),
        row("education", "Education", 1),
    ],  # fmt: skip
    "missing_required_agency": 1,
    "manager_reasons_given": 1,
    "median_hours_from_referral": 30.0,  # of 24, 30 and 120.5
    "after_red": {"discussions": 2, "within_hub_hours": 1, "percent_within": 50.0},
    "by_decision": [
        row("s47_single_agency", "Section 47 enquiry by children's social care alone", 1),
        row("s47_joint_police", "Section 47 enquiry jointly with the police", 1),
        row("no_s47", "No section 47 enquiry", 1),
        row("immediate_protection", "Immediate protective action", 0),
        row("s42_enquiry", "Section 42 enquiry", 0),
        row("other_enquiry", "Other safeguarding enquiry", 0),
        row("no_enquiry", "No safeguarding enquiry", 0),
    ],
    "s47_started": 2,
}


def test_the_months_discussions_agencies_times_and_s47_enquiries_are_counted(mash):
    known_month(mash)
    figures = monthly_figures(mash.hub, datetime(2026, 10, 1).date(), at(12, 1, 9))
    assert figures["strategy"] == EXPECTED
    november = monthly_figures(mash.hub, datetime(2026, 11, 1).date(), at(12, 1, 9))["strategy"]
    assert (november["discussions"], november["s47_started"], november["after_red"]["within_hub_hours"]) == (1, 1, 0)


def test_the_section_is_in_the_json_the_csv_and_the_page(mash, client):
    known_month(mash)
    row_ = returns.return_request(hub=mash.hub, month=datetime(2026, 10, 1).date(), by=mash.manager)
    built = returns.return_build(return_id=row_.pk)
    assert built.error == "", built.error
    assert json.loads(exports.return_json(built))["figures"]["strategy"] == EXPECTED
    csv_text = exports.return_csv(built)
    for line in ("strategy,discussions,,3", "strategy,missing_required_agency,,1", "strategy,s47_started,,2",
                 "strategy,agencies_present.count,health,2", "strategy,after_red.percent_within,,50.0"):  # fmt: skip
        assert line in csv_text, line
    client.force_login(
        mash.manager
    )  # exact figures: a strategic lead's are suppressed (tests/reports/test_suppression.py)
    page = client.get(reverse("return-detail", args=[mash.hub.id, built.pk])).content.decode()
    section = page.split('<section id="strategy">')[1].split("</section>")[0]
    assert "3 strategy discussions recorded: 3 about children, 0 about adults." in section
    assert "1 of 3; 1 manager's reason given in the month" in section
    assert "median 30.0 hours" in section and "1 of 2 (50\u00a0%)" in section  # hours to one decimal; no-break space
