"""The return's PDF as assistive technology and a reader meet it: tagged PDF/UA-1 with its language and title, tables
with header cells, charts with text alternatives, figures written as people write them (£1,365,000; 24.5 FTE; 87 %),
missing figures in words, and no page left less than a third full but a section's last.

Drawn from the figures of the known month (tests/reports/month.py, every one asserted against the ledger by
test_return_figures.py) and from that month at the scale of a large hub, without building either again."""

import copy
import logging
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import reverse

from reports import pdf
from reports.models import MonthlyReturn, ReturnState
from tests.reports.month import MONTH
from tests.reports.pdf_text import pdf_info, pdf_objects, pdf_pages, pdf_string, pdf_table_rows, pdf_text
from tests.reports.test_return_figures import CARE, HEALTH, POLICE, expected_figures
from tests.test_rendered_text import visible_text

TITLE = "North MASH monthly return, September 2026"
NOT_COUNTS = {"version", "review_window_days"}
SECTIONS = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
NONE = re.compile(r"\bNone\b(?! in the month)")  # a count table with no rows says "None in the month."
HEADINGS = re.compile(r"<(?:h2|h3|caption)[^>]*>(.*?)</(?:h2|h3|caption)>", re.S)


def _scaled(value, factor: int):
    if isinstance(value, dict):
        return {k: v if k in NOT_COUNTS else _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    return value * factor if isinstance(value, int) and not isinstance(value, bool) else value


def at_scale(figures: dict) -> dict:
    """The known month as a large hub's: every count times 1,667 (10,002 referrals), twelve agencies (the five known
    and seven more, with long names), a large partnership's funding (£1,365,000 and 24.5 FTE in all) and 87 % of Red
    decisions in time."""
    big = _scaled(copy.deepcopy(figures), 1667)
    extra = [f"Northshire Community Health and Wellbeing Partnership {n} (north)" for n in range(1, 8)]
    big["agencies"] += [{**big["agencies"][1], "agency": name} for name in extra]
    big["agreements"]["agencies"] += [{**big["agreements"]["agencies"][1], "agency": name} for name in extra]
    big["funding"]["agencies"] += [
        {**big["funding"]["agencies"][1], "agency": name, "amount_gbp": "142142.86", "staff_fte": "2.14"}
        for name in extra
    ]
    big["funding"]["total_gbp"], big["funding"]["total_fte"] = "1365000.00", "24.50"
    red = big["timeliness"]["by_rating"][0]
    red["within_timescale"], red["percent_within"] = 1450, 87.0
    return big


def _row(mash, figures: dict) -> MonthlyReturn:
    return MonthlyReturn(
        hub=mash.hub, month=MONTH, state=ReturnState.READY, built_at=datetime(2026, 10, 1, 6, tzinfo=UTC),
        block_number=12, block_hash="ab" * 32, figures_digest="cd" * 32, figures=figures,
    )  # fmt: skip


@pytest.fixture
def known(mash):
    return _row(mash, expected_figures(mash.hub))


@pytest.fixture
def large(mash):
    return _row(mash, at_scale(expected_figures(mash.hub)))


def test_the_pdf_is_tagged_pdf_ua_with_its_language_title_and_structure(known, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        document = pdf.render(known)

    # WeasyPrint logs an error for each thing PDF/UA needs that the document lacks (an image's alternative text,
    # the language): none.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    info = pdf_info(document, tmp_path)
    assert re.search(r"^Tagged: +yes$", info, re.M)
    assert re.search(rf"^Title: +{TITLE}$", info, re.M)
    assert 'pdfuaid:part="1"' in pdf_info(document, tmp_path, "-meta")
    objects = pdf_objects(document)
    assert b"/Lang (en-GB)" in objects
    assert b"/DisplayDocTitle true" in objects  # a reader's window shows the title, not the file's name

    tree = pdf_info(document, tmp_path, "-struct-text")
    html = pdf.html(known)
    assert tree.count("Table (block)") >= html.count("<table") and "THead" in tree  # a table over two pages: two
    for caption in (unescape(c) for c in re.findall(r"<caption[^>]*>(.*?)</caption>", html)):
        assert re.search(rf'Caption\n(?: +\S.*\n)*? +"{re.escape(caption[:30])}', tree), caption
    assert tree.count("H2 (block)") == html.count("<h2")
    # Header cells: the column headings and each row's heading are TH, the figures TD, each naming its headers.
    rows = pdf_table_rows(document, tmp_path)
    heads = rows[rows.index(["Agency", "Funding", "Staff", "Working pattern", "Requests received", "Contributions"])]
    assert heads.kinds == ["TH"] * 6
    total = rows[rows.index(["All agencies", "£370,000", "9.5 FTE", ""])]
    assert total.kinds == ["TH", "TD", "TD", "TD"]
    assert tree.count("TD:") == tree.count("/Headers [") > 100 and "TD (block)" not in tree
    # Each chart is a Figure whose alternative text names every bar's value.
    alternatives = [pdf_string(a) for a in re.findall(rb"/S /Figure.*?/Alt (\(.*?\)|<[0-9A-Fa-f]+>)", objects, re.S)]
    assert alternatives == [
        "Referrals received by week of the month (days): 1–7: 4; 8–14: 2; 15–21: 0; 22–28: 0; 29–30: 0.",
        "Decisions within the rating's timescale: Red: 100\u00a0%; Amber: 0\u00a0%; Green: no data.",  # no-break spaces
    ]


def test_a_large_hubs_figures_read_as_people_write_them_cell_by_cell(large, tmp_path):
    document = pdf.render(large)
    rows = pdf_table_rows(document, tmp_path)

    for row in [
        ["Rating", "Decisions", "Within timescale", "%", "Median hours", "90th percentile hours"],
        ["Red", "1,667", "1,450", "87 %", "3.8", "3.8"],
        ["Amber", "1,667", "0", "0 %", "144.0", "144.0"],
        ["Green", "0", "0", "No decisions", "No decisions", "No decisions"],
        ["All", "11,669"],
        [CARE, "1,667", "1,667", "1.3", "2.0", "100 %", "100 %"],
        ["Northshire Academy (north)", "1,667", "0", "No answers", "Not applicable", "No answers", "No answers"],
        ["Agency", "Funding", "Staff", "Working pattern", "Requests received", "Contributions"],
        [POLICE, "£120,000", "3.5 FTE", "Co-located", "1,667", "1,667"],
        [HEALTH, "Not recorded", "Not recorded", "Not recorded", "1,667", "1,667"],
        ["All agencies", "£1,365,000", "24.5 FTE", ""],
        ["6 – Police", "3,334"],
    ]:  # fmt: skip
        assert row in rows, f"no row {row}"
    text = " ".join(pdf_text(document, tmp_path).split())
    for shown in [
        "10,002 referrals received: 6,668 about children, 3,334 about adults. 6,668 screened in the month.",
        "1,667 of 6,668 (25 %)", "3,334 of 3,334 (100 %)", "median 73.9 hours, 90th percentile 144.0 hours",
    ]:  # fmt: skip
        assert shown in text, f"{shown!r} not in the PDF's text"
    assert not NONE.search(text) and "100.0" not in text and "87.0" not in text


def test_suppressed_counts_and_missing_percentages_read_in_words_on_the_page_and_in_the_pdf(
    known, mash, client, tmp_path
):
    """The suppression of small numbers (issue 20) puts "<5" where a count was and None where a percentage would
    reveal one: both print as such, never "None"."""
    figures = known.figures
    figures["referrals"]["total"] = "<5"
    figures["referrals"]["by_week"][0]["count"] = "<5"
    figures["timeliness"]["by_rating"][0].update(decisions="<5", within_timescale="<5", percent_within=None)
    figures["re_referrals"].update(count="<5", percent=None)
    known.save()
    client.force_login(mash.manager)  # the figures as stored, drawn as they stand (a lead's are suppressed again)

    page = visible_text(client.get(reverse("return-detail", args=[mash.hub.id, known.pk])).content.decode())
    document = pdf.render(known)
    text = " ".join(pdf_text(document, tmp_path).split())

    assert ["Red", "<5", "<5", "No decisions", "3.8", "3.8"] in pdf_table_rows(document, tmp_path)
    assert "Red <5 <5 No decisions 3.8 3.8" in " ".join(page.split())
    for shown in (" ".join(page.split()), text):
        assert "<5 referrals received" in shown
        assert "<5 of 4 (Not applicable)" in shown
        assert not NONE.search(shown)


def test_no_page_is_less_than_a_third_full_but_a_sections_last(known, large, tmp_path):
    """A page ends a section when the next page begins with a section's heading (h2), or it is the last page. And no
    page ends with a heading or a table's caption parted from what it heads."""
    for row in (known, large):
        html = pdf.html(row)
        sections = {unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in SECTIONS.findall(html)}
        headings = {unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in HEADINGS.findall(html)}
        pages = pdf_pages(pdf.render(row), tmp_path)

        assert len(pages) >= 8
        for page, following in zip(pages, pages[1:], strict=False):
            assert page.last_line not in headings, f"page {page.number} ends with the heading {page.last_line!r}"
            if following.first_line not in sections:
                assert page.fill >= 1 / 3, f"page {page.number} is {page.fill:.0%} full ({page.first_line!r} …)"
