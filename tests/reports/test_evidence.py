"""Evidence on practice (issue 20, item 8): a month of known practice (tests/reports/evidence_month.py) in the JSON
figures, on the page as a lead and a manager, and in the return's PDF; the note on chance both ways; no test on a
base under 5; the page's queries bounded; anyone else 404."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reports import exports, services
from reports.evidence_trend import evidence_of
from reports.models import ReturnState
from reports.proportions import two_proportion_p
from tests.reports.evidence_month import MONTH, fund, write_month
from tests.reports.pdf_text import pdf_text
from tests.test_rendered_text import visible_text

POLICE, HEALTH, SCHOOL = "Northshire Police (north)", "Northshire Health (north)", "Northshire Academy (north)"
UNLIKELY = "The difference between co-located and the rest (90 % vs 34.9 %) is unlikely to be chance (p < 0.001)."
CHANCE = (
    "The difference between co-located and the rest (75 % vs 65 %) is within what chance alone would give (p = 0.49)."
)


def _row(rows, label):
    return next(r for r in rows if r["label"] == label)


@pytest.fixture
def known(mash):
    fund(mash)
    write_month(mash)
    return mash


@pytest.mark.django_db
def test_the_figures_carry_each_group_with_its_base_and_the_test(known):
    evidence = evidence_of(known.hub, MONTH)

    day = evidence["decided_within_day"]
    assert (day["base"], day["count"], day["percent"]) == (83, 51, 61.4)
    assert [(r["label"], r["base"], r["count"]) for r in day["by_pattern"]] == [
        ("Co-located", 40, 36), ("Hybrid", 3, 3), ("Remote", 40, 12), ("Pattern not recorded", 0, 0),
        ("No referring agency", 0, 0),
    ]  # fmt: skip
    co_located = _row(day["by_pattern"], "Co-located")
    assert co_located["percent"] == 90.0 and co_located["others"] == {"base": 43, "count": 15, "percent": 34.9}
    assert co_located["p_value"] < 0.001
    assert _row(day["by_pattern"], "Hybrid")["p_value"] is None  # a base of 3: no test
    # The agencies that referred (the members are those of the month's end: this hub was set up later).
    assert [(r["label"], r["base"], r["count"]) for r in day["by_agency"]] == [
        (SCHOOL, 3, 3),
        (HEALTH, 40, 12),
        (POLICE, 40, 36),
    ]
    timescale = evidence["decided_within_timescale"]
    assert (timescale["base"], timescale["count"]) == (83, 51)

    answers = evidence["requests_on_time"]
    assert (answers["base"], answers["count"]) == (40, 28)
    assert _row(answers["by_pattern"], "Co-located")["p_value"] == pytest.approx(0.49, abs=0.01)
    assert _row(answers["by_agency"], HEALTH) | {"others": None} == {
        "code": HEALTH, "label": HEALTH, "base": 20, "count": 13, "percent": 65.0, "others": None,
        "p_value": two_proportion_p(13, 20, 15, 20),
    }  # fmt: skip

    conversion = evidence["conversion"]
    assert (conversion["base"], conversion["count"], conversion["percent"]) == (83, 83, 100.0)
    outcomes = _row(evidence["outcomes"]["by_pattern"], "Co-located")
    assert outcomes["decided"] == 40
    assert {(o["code"], o["count"]) for o in outcomes["outcomes"] if o["cohort"] == "child" and o["count"]} == {
        ("nfa", 20),
        ("early_help", 20),
    }
    assert [(r["label"], r["base"]) for r in evidence["strategy_attendance"]["by_kind"]][0] == ("Police", 0)

    trend = evidence["trend"]
    assert trend["months"] == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert trend["sources"] == ["none"] * 4 + ["ledger", "this return"]  # nothing before the hub's first event
    assert trend["decided_within_day"]["overall"][-1] == {"base": 83, "count": 51, "percent": 61.4}
    assert trend["decided_within_day"]["overall"][0] == {"base": 0, "count": 0, "percent": None}


def test_the_two_proportion_test_both_ways_and_no_test_under_five():
    assert two_proportion_p(36, 40, 15, 43) < 0.001
    assert two_proportion_p(15, 20, 13, 20) == 0.4902
    assert two_proportion_p(3, 4, 1, 40) is None and two_proportion_p(3, 40, 1, 4) is None
    assert two_proportion_p(0, 10, 0, 10) == 1.0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["lead", "manager"])
def test_the_page_in_words_for_a_lead_and_a_manager(known, client, who):
    """The manager reads the exact figures; the strategic lead the same page with small numbers suppressed (counts
    rounded to 5, percentages whole, none on a base under 5)."""
    client.force_login(getattr(known, who))

    page = client.get(reverse("evidence", args=[known.hub.id]), {"month": "2026-03"})

    assert page.status_code == 200
    text = " ".join(visible_text(page.content.decode()).split())
    assert "Evidence on practice: March 2026" in text
    if who == "manager":
        assert "51 of 83 decisions signed off within one working day of receipt (61.4 %)" in text
        assert "28 of 40 answers given on time (70 %)" in text
        assert "Numbers are suppressed" not in text
    else:
        assert "50 of 85 decisions signed off within one working day of receipt (61 %)" in text
        assert "30 of 40 answers given on time (70 %)" in text
        assert "Numbers are suppressed" in text and "51 of 83" not in text
    unlikely = UNLIKELY if who == "manager" else UNLIKELY.replace("34.9 %", "35 %")
    assert unlikely in text and CHANCE in text
    assert "The difference between hybrid" not in text  # a base of 3: no note
    assert "month on month (% of the base, base in brackets)" in text  # the page's tables (the PDF has the charts)
    assert "Decisions within one working day by referring agency" in text
    assert 'role="img"' in page.content.decode() and "<desc" in page.content.decode()
    read = AuditEvent.objects.filter(action="evidence.viewed").get()
    assert read.data["month"] == "2026-03" and read.actor_id == str(getattr(known, who).pk)


@pytest.mark.django_db
def test_others_are_kept_out_and_a_bad_month_gets_a_field_error(known, client, django_user_model):
    """As the returns: the hub's other members are refused with the reason (403); anyone else meets no hub (404)."""
    url = reverse("evidence", args=[known.hub.id])
    outsider = django_user_model.objects.create_user("nobody", password="x" * 16)
    for person, status in [(known.practitioner, 403), (known.officers["police"], 403), (outsider, 404)]:
        client.force_login(person)
        assert client.get(url, {"month": "2026-03"}).status_code == status
    client.force_login(known.manager)
    for month, error in [
        ("March", "Enter the month as year and month, for example 2026-09"),
        ("2026-13", "Enter the month as year and month, for example 2026-09"),
        ("2999-01", "Enter a month that has started"),
        ("1999-12", "Enter a month from January 2000"),
    ]:
        page = client.get(url, {"month": month})
        assert page.status_code == 400
        assert error in visible_text(page.content.decode())
    assert not AuditEvent.objects.filter(action="evidence.viewed").exists()


@pytest.mark.django_db
def test_the_page_asks_a_fixed_number_of_queries(known, client, django_assert_num_queries):
    client.force_login(known.lead)
    url = reverse("evidence", args=[known.hub.id])
    # session, user, roles; save (3): 6. The month: the referrals received in it (by their time received), its other
    # work, the standing events, its rating deadlines, the hub's calendar, the agencies' names (6); the returns already
    # built of the earlier months, the hub's first event (2); February (the one earlier month after the hub's first
    # event, with no return of its own): the same six; read. Whatever the number of referrals.
    with django_assert_num_queries(6 + 6 + 2 + 6 + 1):
        assert client.get(url, {"month": "2026-03"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_return_carries_the_section_in_its_json_and_pdf(known, tmp_path):
    row = services.return_build(return_id=services.return_request(hub=known.hub, month=MONTH, by=known.manager).pk)
    assert row.state == ReturnState.READY, row.error
    figures = json.loads(exports.return_json(row))["figures"]
    assert figures["evidence"]["decided_within_day"]["count"] == 51

    text = " ".join(pdf_text(bytes(row.pdf), tmp_path).split())
    for shown in ["Evidence on practice", "51 of 83 decisions signed off within one working day of receipt (61.4 %)",
                  UNLIKELY, CHANCE, "Strategy discussion attendance"]:  # fmt: skip
        assert shown in text, f"{shown!r} not in the PDF's text"
    # The PDF gives the month on month as charts whose text alternative holds the figures; the page's tables too.
    assert "month on month (% of the base" not in text and "each chart's text alternative gives its figures" in text
    # By working pattern for every measure; by agency, in print, the requests answered on time (the page has all).
    assert "Decisions within one working day by the referring agency's working pattern" in text
    assert "Requests for information answered on time by answering agency" in text
    assert "Decisions within one working day by referring agency" not in text

    # A later month reads March from this return, not from the ledger.
    later = evidence_of(known.hub, MONTH.replace(month=4))
    assert later["trend"]["sources"][-2] == "return"
    assert later["trend"]["decided_within_day"]["overall"][-2]["count"] == 51


def test_the_month_on_month_table_lists_a_group_once_when_it_is_both_a_pattern_and_an_agency():
    from reports.templatetags.evidence_tags import _agency_lines

    line = {"label": "No referring agency", "points": []}
    trend = {"by_pattern": [{"label": "Remote", "points": []}, line],
             "by_agency": [line, {"label": "Northshire Police", "points": []}]}  # fmt: skip
    assert [x["label"] for x in _agency_lines(trend)] == ["Northshire Police"]
    assert _agency_lines(None) == []


@pytest.mark.django_db
def test_counts_in_thousands_read_with_separators(known):
    """A big hub's month reads "9,166 of 10,000", not "9166 of 10000": the section's counts and bases, in its
    sentences and tables, are written as the rest of the return writes them."""
    from django.template.loader import render_to_string

    def scaled(value):
        if isinstance(value, dict):
            return {k: v * 1000 if k in ("base", "count", "decided", "discussions") and isinstance(v, int)
                    else scaled(v) for k, v in value.items()}  # fmt: skip
        return [scaled(v) for v in value] if isinstance(value, list) else value

    evidence = scaled(evidence_of(known.hub, MONTH))
    for printed in (True, False):
        text = " ".join(visible_text(render_to_string(
            "reports/evidence_body.html", {"evidence": evidence, "printed": printed})).split())  # fmt: skip
        assert "51,000 of 83,000 decisions signed off within one working day of receipt (61.4 %)" in text
        assert "28,000 of 40,000 answers given on time" in text
        assert "83,000 contacts concluded in the month" in text
        assert "40,000 36,000 90 %" in text  # the co-located row: base, count, percent
        assert "83000" not in text and "40000" not in text


@pytest.mark.django_db
def test_the_page_sits_under_returns_in_the_navigation(known, client):
    """The evidence page is reached from the returns: the navigation shows the reader is in "Returns", not "Hub"
    (whose address, the hub's, is the longest prefix of the page's)."""
    client.force_login(known.lead)
    page = client.get(reverse("evidence", args=[known.hub.id]), {"month": "2026-03"})
    active = [item["text"] for item in page.context["nav_items"] if item["current"] or item["active"]]
    assert active == ["Returns"]
