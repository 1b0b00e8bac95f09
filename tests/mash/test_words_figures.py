"""A return's figures as people write them (mash/words.py): counts with separators, "87 %", hours to one decimal,
a suppressed count ("<5") as it stands, a missing figure in words; and plurals that count "<5" as more than one."""

from decimal import Decimal

from django.template import Context, Template

from mash.words import count, hours, percent, plural

NBSP = "\u00a0"


def test_counts_percentages_and_hours_as_a_reader_expects():
    assert [count(v) for v in (10_000, 0, 1_365_000, Decimal("2.5"))] == ["10,000", "0", "1,365,000", "3"]
    assert [percent(v) for v in (87.0, 87.5, 33.3, 100.0, 0, 0.0)] == [
        f"87{NBSP}%", f"88{NBSP}%", f"33{NBSP}%", f"100{NBSP}%", f"0{NBSP}%", f"0{NBSP}%",
    ]  # fmt: skip
    # A part that would round to none or to all keeps one decimal: 0.4 % is not 0 %.
    assert (percent(0.4), percent(99.6)) == (f"0.4{NBSP}%", f"99.6{NBSP}%")
    assert [hours(v) for v in (3.75, 144, 0.04, 1250.45)] == ["3.8", "144.0", "0.0", "1,250.5"]


def test_suppressed_and_missing_figures_pass_through_or_read_in_words():
    for show in (count, percent, hours):
        assert show("<5") == "<5"
        assert show(None) == "Not applicable"
        assert show(None, "No decisions") == "No decisions"
    assert count(True) is True  # not a number to format


def test_plural_counts_a_suppressed_figure_as_more_than_one():
    assert [f"referral{plural(n)}" for n in (1, 2, 0, "<5", "1")] == [
        "referral", "referrals", "referrals", "referrals", "referral",
    ]  # fmt: skip
    assert plural("<5", "was,were") == "were" and plural(1, "was,were") == "was"
    rendered = Template('{{ n|count }} adult{{ n|plural }} {{ n|plural:"was,were" }} asked ({{ p|percent }})')
    assert rendered.render(Context({"n": "<5", "p": None})) == "&lt;5 adults were asked (Not applicable)"  # escaped
    assert rendered.render(Context({"n": 1234, "p": 87.0})) == f"1,234 adults were asked (87{NBSP}%)"
