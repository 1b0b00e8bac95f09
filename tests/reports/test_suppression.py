"""Small numbers suppressed in everything a strategic lead sees of a return (the page, the comparison, the charts,
the CSV, JSON and PDF they download), exact for the manager; and two month-to-date returns either side of one
referral do not show it to a lead."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals.services import referral_create
from reports import services
from reports.charts import return_charts
from reports.suppression import published
from tests.factories import member, referral_data
from tests.people import build_mash
from tests.reports.pdf_text import pdf_text
from tests.reports.test_counting import DECEMBER, NOVEMBER, at
from tests.test_rendered_text import visible_text

pytestmark = pytest.mark.django_db(transaction=True)
LONDON = ZoneInfo("Europe/London")
NOT_SHOWN = "Not shown: fewer than 5"


def test_the_rule_on_known_counts_percentages_and_medians():
    figures = {
        "counts": {"zero": 0, "one": 1, "four": 4, "five": 5, "seven": 7, "eight": 8, "twelve": 12},
        "rows": [
            {"label": "Small base", "decisions": 3, "within": 3, "percent_within": 100.0, "median_hours": 2.5},
            {"label": "Small part", "decisions": 50, "within": 2, "percent_within": 4.0, "median_hours": 30.0},
            {"label": "Large", "decisions": 40, "within": 30, "percent_within": 75.0, "p90_hours": 60.0},
            {"label": "None", "decisions": 0, "within": 0, "percent_within": None, "median_hours": None},
        ],
        "agreements": {"review_window_days": 90, "reviews_due": [{"version": 3}]},
        "funding": {"total_gbp": "240000.00", "provisional": False},
        "later_section": {"new_count": 2, "share_percent": 50.0},  # a section added later, covered by convention
    }

    shown = published(figures)

    assert shown["counts"] == {"zero": 0, "one": "<5", "four": "<5", "five": 5, "seven": 5, "eight": 10, "twelve": 10}
    assert [(r["decisions"], r["within"], r["percent_within"]) for r in shown["rows"]] == [
        ("<5", "<5", NOT_SHOWN), (50, "<5", NOT_SHOWN), (40, 30, 75), (0, 0, None),
    ]  # fmt: skip
    assert [r.get("median_hours", r.get("p90_hours")) for r in shown["rows"]] == [NOT_SHOWN, NOT_SHOWN, 60.0, None]
    assert shown["agreements"] == figures["agreements"] and shown["funding"] == figures["funding"]
    assert shown["later_section"] == {"new_count": "<5", "share_percent": NOT_SHOWN}
    charts = return_charts(
        {
            "referrals": {"by_week": [{"label": "1–7", "count": c} for c in ("<5", 10, 0)]},
            "timeliness": {"by_rating": [{"label": "Red", "percent_within": NOT_SHOWN}]},
        }
    )
    assert [b.value_text for b in charts[0].bars] == ["<5", "10", "0"] and charts[1].bars[
        0
    ].value_text == "Not shown: fewer than 5"


def _referrals(m, count: int, *, when: datetime, adult: bool = False, **changes) -> None:
    subject = {**referral_data()["subject"]}
    if adult:
        subject["date_of_birth"] = "1948-02-03"
        changes = {
            "others": [], "consent": "obtained", "consent_reason": "", "concerns": ["financial"],
            "adult_risk_location": "care_home_residential", "adult_risk_source": "service_provider", **changes,
        }  # fmt: skip
    for i in range(count):
        data = referral_data(subject={**subject, "given_name": f"Person{i}"}, received_at=when.isoformat(), **changes)
        referral_create(hub=m.hub, data=data, channel="api", referring_agency=m.police)


@pytest.fixture
def north():
    with time_machine.travel(at(11, 2, 9), tick=False):
        m = build_mash("north")
        m.lead = member(m.hub, "strategic_lead")
        _referrals(m, 8, when=at(11, 2, 9))  # 8 children
        _referrals(m, 4, when=at(11, 2, 8), adult=True)  # 4 adults
    return m


def test_a_lead_reads_small_numbers_suppressed_everywhere_and_the_manager_reads_them_exact(client, north, tmp_path):
    with time_machine.travel(at(12, 1, 10), tick=False):
        row = services.return_build(return_id=services.return_request(hub=north.hub, month=NOVEMBER, by=north.lead).pk)
        seen = {}
        for who in ("lead", "manager"):
            client.force_login(getattr(north, who))
            page = client.get(reverse("return-detail", args=[north.hub.id, row.pk])).content.decode()
            compare = client.get(reverse("returns-compare"), {"month": NOVEMBER.isoformat()}).content.decode()
            files = {f: client.get(reverse("return-download", args=[north.hub.id, row.pk, f])).content for f in
                     ("csv", "json", "pdf")}  # fmt: skip
            seen[who] = (" ".join(visible_text(page).split()), " ".join(visible_text(compare).split()), files)

    page, compare, files = seen["lead"]
    assert "12 referrals received" not in page
    assert "10 referrals received: 10 about children, <5 about adults" in page
    assert "Numbers are suppressed. Small numbers are suppressed: counts of 1 to 4 are shown as <5" in page
    assert "Referrals received 10 About children 10 About adults <5" in compare
    assert "Numbers are suppressed for the hubs you lead but do not manage" in compare
    document = json.loads(files["json"])
    assert document["suppressed"] is True and document["figures_digest"] == row.figures_digest
    assert document["figures"]["referrals"]["total"] == 10
    assert document["figures"]["referrals"]["by_cohort"] == {"child": 10, "adult": "<5"}
    assert document["figures"]["adults"]["referrals"] == "<5"
    csv_text = files["csv"].decode()
    assert "referrals,total,,10" in csv_text and "referrals,by_cohort.adult,,<5" in csv_text
    assert "referrals,total,,12" not in csv_text
    text = pdf_text(files["pdf"], tmp_path)
    assert "10 referrals received: 10 about children, <5 about adults" in " ".join(text.split())
    assert "Numbers are suppressed." in text and "12 referrals" not in " ".join(text.split())

    page, compare, files = seen["manager"]
    assert "12 referrals received: 8 about children, 4 about adults" in page
    assert "Numbers are suppressed" not in page and "Numbers are suppressed" not in compare
    assert "Referrals received 12 About children 8 About adults 4" in compare
    document = json.loads(files["json"])
    assert document["suppressed"] is False and document["figures"] == row.figures
    assert "referrals,total,,12" in files["csv"].decode()
    assert files["pdf"] == bytes(row.pdf)  # the PDF drawn at the build


def test_two_month_to_date_returns_either_side_of_one_referral_do_not_show_it_to_a_lead(north):
    """The attack from issue 20: build this month to date, wait for one referral, build again, and read it from the
    difference. With the adults' counts already between 1 and 4 and the totals 5 or more, the one new adult referral
    (financial abuse, in a care home, by a service provider, from the police) changes nothing a lead sees; the
    manager's exact figures differ by it, and the second build had to wait an hour."""
    adult = {"concerns": ["financial"], "adult_risk_location": "care_home_residential"}
    adult["adult_risk_source"] = "service_provider"
    with time_machine.travel(at(12, 1, 9), tick=False):
        _referrals(north, 6, when=at(12, 1, 9))
        _referrals(north, 2, when=at(12, 1, 9), adult=True, **adult)
    with time_machine.travel(at(12, 2, 9), tick=False) as clock:
        before = services.return_build(
            return_id=services.return_request(hub=north.hub, month=DECEMBER, by=north.lead).pk
        )
        clock.move_to(at(12, 2, 9, 30))
        _referrals(north, 1, when=at(12, 2, 9, 5), adult=True, **adult)
        with pytest.raises(ValidationError, match="one may be built each hour"):
            services.return_request(hub=north.hub, month=DECEMBER, by=north.lead)
    with time_machine.travel(at(12, 2, 10, 1), tick=False):
        after = services.return_build(
            return_id=services.return_request(hub=north.hub, month=DECEMBER, by=north.lead).pk
        )

    def figures(row):
        return {k: v for k, v in row.figures.items() if k not in ("period",)}

    assert figures(before)["adults"] != figures(after)["adults"]  # exact: the one referral shows
    assert published(figures(before)) == published(figures(after))  # a lead's: nothing to read
