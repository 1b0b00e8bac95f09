"""A month of known activity (tests/reports/month.py) built into a return by the real job: every figure of the JSON
asserted, the PDF's text (pdftotext) and the CSV shown to carry them; rebuilt later it gives the same figures and
hash; a tampered ledger stops it with the verification error."""

import json
import re
from html import escape, unescape

import pytest
from django.urls import reverse

from agencies.codes import ReferralSource
from audit.models import AuditEvent
from decisions import services as decisions
from decisions.models import AdultOutcome, ChildOutcome, OutcomesMet
from decisions.models.strategy import STRATEGY_DECISIONS
from referrals.models import AdultRiskLocation, AdultRiskSource, AdultRiskType
from reports import exports, services
from reports.figures import STRATEGY_KINDS
from reports.models import ReturnState
from tests.audit.test_seal_verify import _tamper
from tests.journey import CODE_WORDS, hub_names_its_levels
from tests.reports.month import MONTH, build_month
from tests.reports.pdf_text import pdf_table_rows, pdf_text
from tests.test_rendered_text import CODE, visible_text

# Committed data: on PostgreSQL an event is sealed only once its transaction has committed.
pytestmark = pytest.mark.django_db(transaction=True)

POLICE, CARE, HEALTH = (
    "Northshire Police (north)",
    "Northshire Children's Services (north)",
    "Northshire Health (north)",
)
SCHOOL, HOUSING = "Northshire Academy (north)", "Northshire Homes (north)"


def counted(choices, **counts) -> list[dict]:
    """Every code of `choices` with its count: the ones named, zero for the rest."""
    return [{"code": c.value, "label": str(c.label), "count": counts.pop(c.value, 0)} for c in choices]


def agency_row(agency, requests, contributions, response, allowed, on_time, no_trace) -> dict:
    return {
        "agency": agency, "requests": requests, "contributions": contributions, "median_response_hours": response,
        "median_allowed_hours": allowed, "on_time_percent": on_time, "no_trace_percent": no_trace,
    }  # fmt: skip


def expected_figures(hub) -> dict:
    outcomes = [{"cohort": "child", **r} for r in counted(ChildOutcome, early_help=1, s47_strategy=1)]
    outcomes += [{"cohort": "adult", **r} for r in counted(AdultOutcome)]
    outcomes += [{"cohort": "", "code": "no_mash_response", "label": "No MASH response (Blue)", "count": 1}]
    isa, dpp = "Information sharing agreement", "Data protection protocol"

    def signatures(isa_on, dpp_on):
        return [
            {"document": isa, "version": 1, "signed_on": isa_on},
            {"document": dpp, "version": 1, "signed_on": dpp_on},
        ]

    return {
        "hub": {"id": str(hub.pk), "name": "North MASH"},
        "month": "2026-09",
        "period": {"start": "2026-09-01T00:00:00+01:00", "end": "2026-10-01T00:00:00+01:00"},
        "provisional": False,
        "referrals": {
            "total": 6,
            "recorded_late": 0,
            "by_cohort": {"child": 4, "adult": 2},
            "by_channel": {"api": 3, "web": 3},
            "by_source": counted(ReferralSource, **{"1A": 1, "2A": 1, "3A": 1, "4": 1, "6": 2}),
            "by_agency": [
                {"agency": "No referring agency", "count": 1},
                {"agency": SCHOOL, "count": 1},
                {"agency": HEALTH, "count": 1},
                {"agency": HOUSING, "count": 1},
                {"agency": POLICE, "count": 2},
            ],  # fmt: skip
            "screened": 4,
            "by_rating": [
                {"code": "red", "label": "Red", "count": 1},
                {"code": "amber", "label": "Amber", "count": 1},
                {"code": "green", "label": "Green", "count": 1},
                {"code": "blue", "label": "Blue (no MASH response)", "count": 1},
            ],  # fmt: skip
            "by_threshold_level": [
                {"cohort": "child", "code": "universal", "label": "Universal", "count": 1},
                {"cohort": "child", "code": "targeted", "label": "Targeted: child in need (s17)", "count": 1},
                {"cohort": "child", "code": "specialist", "label": "Specialist: child protection (s47)", "count": 1},
                {"cohort": "adult", "code": "prevention", "label": "Prevention and support", "count": 1},
            ],
            "by_week": [
                {"label": "1–7", "count": 4},
                {"label": "8–14", "count": 2},
                {"label": "15–21", "count": 0},
                {"label": "22–28", "count": 0},
                {"label": "29–30", "count": 0},
            ],  # fmt: skip
        },
        "timeliness": {
            "decisions": 2,
            "by_rating": [
                # A: 09:00 -> 12:50 = 3 h 50 min, inside Red's 4 hours; B: Tue 10:00 -> Mon 10:00 = 144 h, late.
                {
                    "rating": "red",
                    "label": "Red",
                    "decisions": 1,
                    "within_timescale": 1,
                    "percent_within": 100.0,
                    "median_hours": 3.8,
                    "p90_hours": 3.8,
                },
                {
                    "rating": "amber",
                    "label": "Amber",
                    "decisions": 1,
                    "within_timescale": 0,
                    "percent_within": 0.0,
                    "median_hours": 144.0,
                    "p90_hours": 144.0,
                },
                {
                    "rating": "green",
                    "label": "Green",
                    "decisions": 0,
                    "within_timescale": 0,
                    "percent_within": None,
                    "median_hours": None,
                    "p90_hours": None,
                },
            ],  # fmt: skip
            "median_hours": 73.9,  # (3.83 + 144) / 2
            "p90_hours": 144.0,
            # Decisions: B, C and R-Aug; rating: B; requests: health and the school (due 11:45, swept at 12:00); strategy:
            # A's discussion, decided on Tue 1 but never recorded (due 72 hours after the Red rating, swept Fri 4 12:00).
            "breaches": {
                "decision": 3,
                "rating": 1,
                "request": 2,
                "action": 0,
                "outcome": 0,
                "strategy": 1,
                "total": 7,
            },
        },
        "agencies": [
            agency_row(SCHOOL, 1, 0, None, None, None, None),
            agency_row(CARE, 1, 1, 1.3, 2.0, 100.0, 100.0),  # 09:45 -> 11:03, no trace
            agency_row(HEALTH, 1, 1, 3.0, 2.0, 0.0, 0.0),  # 09:45 -> 12:45, an hour late
            agency_row(HOUSING, 0, 0, None, None, None, None),
            agency_row(POLICE, 1, 1, 0.5, 2.0, 100.0, 0.0),
        ],
        "outcomes": {"rows": outcomes, "decided": 3, "amendments": 1},
        "re_referrals": {"count": 1, "child_referrals": 4, "percent": 25.0},
        "quality": {
            "decisions": 2,
            "rationale_recorded": 2,
            "rationale_percent": 100.0,
            "actions_agreed": 1,
            "actions_completed": 1,
            "actions_completed_on_time": 1,
            "on_time_percent": 100.0,
        },  # fmt: skip
        "agreements": {
            "agencies": [
                {"agency": SCHOOL, "membership": "contributing", "signatures": signatures("2026-07-14", None)},
                {"agency": CARE, "membership": "core", "signatures": signatures("2026-07-14", None)},
                {"agency": HEALTH, "membership": "core", "signatures": signatures("2026-07-14", None)},
                {"agency": HOUSING, "membership": "contributing", "signatures": signatures(None, None)},
                {"agency": POLICE, "membership": "core", "signatures": signatures("2026-07-14", "2026-08-03")},
            ],
            "reviews_due": [{"document": dpp, "version": 1, "review_due": "2026-11-15", "overdue": False}],
            "review_window_days": 90,
        },
        "funding": {
            "financial_year": "2026–27",
            "agencies": [
                {
                    "agency": SCHOOL,
                    "amount_gbp": None,
                    "staff_fte": None,
                    "working_pattern": None,
                    "requests": 1,
                    "contributions": 0,
                },
                {
                    "agency": CARE,
                    "amount_gbp": "250000.00",
                    "staff_fte": "6.00",
                    "working_pattern": "Hybrid",
                    "requests": 1,
                    "contributions": 1,
                },
                # Health's funding is for 2025–26: not this financial year.
                {
                    "agency": HEALTH,
                    "amount_gbp": None,
                    "staff_fte": None,
                    "working_pattern": None,
                    "requests": 1,
                    "contributions": 1,
                },
                {
                    "agency": HOUSING,
                    "amount_gbp": None,
                    "staff_fte": None,
                    "working_pattern": None,
                    "requests": 0,
                    "contributions": 0,
                },
                {
                    "agency": POLICE,
                    "amount_gbp": "120000.00",
                    "staff_fte": "3.50",
                    "working_pattern": "Co-located",
                    "requests": 1,
                    "contributions": 1,
                },
            ],  # fmt: skip
            "total_gbp": "370000.00",
            "total_fte": "9.50",
        },
        "adults": {
            "referrals": 2,
            "type_of_risk": counted(AdultRiskType, physical=1, financial=1, neglect=1),
            "location_of_risk": counted(AdultRiskLocation, own_home=1, care_home_residential=1),
            "source_of_risk": counted(AdultRiskSource, service_provider=1, known_to_individual=1),
            # Neither adult's voice was recorded (tests/decisions/test_adult_voice.py counts a month that has).
            "desired_outcomes": {"decisions": 0, "asked": 0, "expressed": 0, "met": counted(OutcomesMet)},
        },
        # No strategy discussion in the month (tests/decisions/test_strategy_returns.py counts a month that has).
        "strategy": {
            "discussions": 0,
            "by_cohort": {"child": 0, "adult": 0},
            "agencies_present": counted(STRATEGY_KINDS),
            "missing_required_agency": 0,
            "manager_reasons_given": 0,
            "median_hours_from_referral": None,
            "after_red": {"discussions": 0, "within_hub_hours": 0, "percent_within": None},
            "by_decision": counted([d for ds in STRATEGY_DECISIONS.values() for d in ds]),
            "s47_started": 0,
        },  # fmt: skip
    }


@pytest.fixture
def month():
    return build_month()


def _build(month, **kwargs):
    row = services.return_request(hub=month.mash.hub, month=MONTH, by=month.mash.manager, **kwargs)
    return services.return_build(return_id=row.pk)


def test_every_figure_of_a_known_month_in_the_json_the_pdf_and_the_csv(month, tmp_path):
    row = _build(month)

    assert row.state == ReturnState.READY, row.error
    document = json.loads(exports.return_json(row))
    figures = {key: value for key, value in document["figures"].items() if key != "evidence"}
    assert figures == expected_figures(month.mash.hub)  # the evidence: tests/reports/test_evidence.py
    assert document["figures"]["evidence"]["decided_within_day"]["base"] == 2
    assert document["ledger"]["block"] == row.block_number and len(document["ledger"]["block_hash"]) == 64
    assert document["figures_digest"] == services.figures_digest(document["figures"])

    text = " ".join(pdf_text(bytes(row.pdf), tmp_path).split())
    for shown in [
        "Monthly return", "North MASH", "September 2026", row.block_hash[:32], "Contents",
        "6 referrals received: 4 about children, 2 about adults. 4 screened in the month.",
        "6 – Police 2", "2A – Schools 1", "3A – Health: GP 1", "1A – Individual: family member, relative or carer 1",
        "median 73.9 hours, 90th percentile 144.0 hours", "Agencies' information 2", "Strategy discussion after a Red rating 1", "All 7",
        "Strategy discussion (s47) 1", "No MASH response (Blue) 1", "1 signed decision amended",
        "1 of 4 (25 %)", "2 of 2 (100 %)", "1 of 1 completed (100 %)",
        "Data protection protocol v1: not signed", "15 November 2026", "2026–27",
        "Financial and material 1", "Care home – residential 1", "Other – known to individual 1",
        "Page 3 of", "0 strategy discussions recorded: 0 about children, 0 about adults.",
    ]:  # fmt: skip
        assert shown in text, f"{shown!r} not in the PDF's text"
    # The tables' rows cell by cell, as assistive technology reads them from the tagged PDF (wrapped names joined).
    rows = pdf_table_rows(bytes(row.pdf), tmp_path)
    for cells in [
        ["Red", "1", "1", "100 %", "3.8", "3.8"],
        ["Amber", "1", "0", "0 %", "144.0", "144.0"],
        ["Green", "0", "0", "No decisions", "No decisions", "No decisions"],
        ["Agency", "Requests received", "Contributions", "Median response (hours)", "Median time allowed (hours)",
         "On time %", "No trace %"],
        [HEALTH, "1", "1", "3.0", "2.0", "0 %", "0 %"],
        [CARE, "1", "1", "1.3", "2.0", "100 %", "100 %"],
        [POLICE, "1", "1", "0.5", "2.0", "100 %", "0 %"],
        ["Agency", "Funding", "Staff", "Working pattern", "Requests received", "Contributions"],
        [POLICE, "£120,000", "3.5 FTE", "Co-located", "1", "1"],
        [CARE, "£250,000", "6 FTE", "Hybrid", "1", "1"],
        [HEALTH, "Not recorded", "Not recorded", "Not recorded", "1", "1"],  # 2025–26's only
        ["All agencies", "£370,000", "9.5 FTE", ""],
    ]:  # fmt: skip
        assert cells in rows, f"no row {cells}"

    csv_text = exports.return_csv(row)
    assert "referrals,total,,6" in csv_text
    assert "timeliness,by_rating.percent_within,red,100.0" in csv_text
    assert "agencies,contributions,Northshire Health (north),1" in csv_text
    assert f"return,ledger_block_hash,,{row.block_hash}" in csv_text


def _cells(html: str, name: str) -> list[str]:
    """The text of each cell of the table row headed `name`."""
    row = html.split(f'<th scope="row" class="govuk-table__header">{escape(name)}</th>')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in cells]


def test_the_page_the_pdf_and_the_comparison_are_in_words(month, client, tmp_path):
    """The same funding figures as the PDF on the return's web page, and the totals in the hubs side by side; the
    hub's own names for its threshold levels (looked up when the return is built), and no code, on page and PDF."""
    hub = month.mash.hub
    hub_names_its_levels(hub)
    row = _build(month)
    client.force_login(month.mash.manager)  # exact figures (a lead's are suppressed: tests/reports/test_suppression.py)

    page = client.get(reverse("return-detail", args=[hub.id, row.pk])).content.decode()
    for text in (visible_text(page), pdf_text(bytes(row.pdf), tmp_path)):
        assert "Level 4: child protection (s47)" in text and "Level 3: child in need (s17)" in text
        assert not CODE.findall(text) and not CODE_WORDS.findall(text)
    funding = page.split('<section id="funding">')[1].split("</section>")[0]
    assert ">Funding</th>" in funding and ">Staff</th>" in funding
    assert _cells(funding, CARE) == ["£250,000", "6 FTE", "Hybrid", "1", "1"]
    assert _cells(funding, POLICE) == ["£120,000", "3.5 FTE", "Co-located", "1", "1"]
    assert _cells(funding, HEALTH) == ["Not recorded", "Not recorded", "Not recorded", "1", "1"]
    assert _cells(funding, "All agencies") == ["£370,000", "9.5 FTE", ""]
    assert "15 November 2026" in page and "2026-11-15" not in visible_text(page)  # dates as people write them

    side_by_side = client.get(reverse("returns-compare"), {"month": MONTH.isoformat()}).content.decode()
    assert _cells(side_by_side, "Funding this financial year") == ["£370,000"]
    assert _cells(side_by_side, "Staff (FTE)") == ["9.5"]


def test_a_past_month_rebuilt_after_later_work_gives_the_same_figures_and_hash(month):
    first = _build(month)
    assert first.state == ReturnState.READY, first.error
    # Later work on a referral of that month: a re-amended decision, signed off now (November).
    a = month.referrals["A"]
    amendment = decisions.decision_propose(
        referral=a, by=month.mash.practitioner, outcome="s17_assessment", threshold_level="targeted",
        rationale="New information: assess instead.", participants=[month.mash.police.pk], actions=[],
        amendment_reason="Police withdrew the allegation.",
    )  # fmt: skip
    decisions.decision_sign_off(decision=amendment, by=month.mash.manager)

    again = _build(month)

    assert again.state == ReturnState.READY, again.error
    assert again.figures == first.figures
    assert again.figures_digest == first.figures_digest
    assert (again.block_number, again.block_hash) == (first.block_number, first.block_hash)
    assert again.built_at > first.built_at


def test_a_tampered_event_stops_the_build_with_the_verification_error(month):
    services.return_build(return_id=services.return_request(hub=month.mash.hub, month=MONTH).pk)  # seals it all
    event = AuditEvent.objects.filter(hub_id=month.mash.hub.pk, action="decision.signed_off").order_by("id").first()
    _tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"outcome":"nfa"}', event.pk])

    row = _build(month)

    assert row.state == ReturnState.FAILED
    assert row.error == (
        f"audit ledger NOT intact: chain {month.mash.hub.pk}, block 1, event {event.pk}: "
        "content does not match its recorded digest"
    )
    assert not row.figures and not row.pdf
    failed = AuditEvent.objects.get(action="return.failed", object_id=str(row.pk))
    assert failed.data == {"month": "2026-09", "reason": "ledger_not_intact"}
