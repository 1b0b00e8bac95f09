"""Template helpers for the evidence on practice (reports/evidence.py): its sections in order with their charts, and
the plain note on a difference between a group and the rest, worded from the numbers when the page is drawn (so a
note whose base was suppressed is never shown)."""

from django import template

from reports.evidence_charts import evidence_charts
from reports.proportions import MIN_BASE, within_chance

register = template.Library()

# (key, heading, what is counted, what the count is, who the groups are)
SECTIONS = [
    ("decided_within_day", "Decisions within one working day", "decisions signed off", "within one working day of receipt", "referring agency"),
    ("decided_within_timescale", "Decisions within the rating's timescale", "decisions on Red, Amber or Green referrals", "within the rating's timescale", "referring agency"),
    ("requests_on_time", "Requests for information answered on time", "answers given", "on time", "answering agency"),
    ("re_referrals", "Re-referrals within 12 months", "referrals about children received", "re-referrals", "referring agency"),
    ("conversion", "Contacts that needed a MASH response", "contacts concluded (decided, or closed with no MASH response)", "needed a MASH response", "referring agency"),
]  # fmt: skip


@register.simple_tag
def evidence_sections(evidence: dict) -> list[dict]:
    charts = evidence_charts(evidence)
    trend = evidence["trend"]
    return [
        {
            "key": key, "heading": heading, "counted": counted, "hit": hit, "who": who, "measure": evidence[key],
            "chart": charts.get(key), "trend": trend.get(key), "months": trend["months"],
            "agency_lines": _agency_lines(trend.get(key)),
        }
        for key, heading, counted, hit, who in SECTIONS
    ]  # fmt: skip


def _agency_lines(trend: dict | None) -> list[dict]:
    """The trend's agencies, less a group the working patterns already list ("No referring agency")."""
    if not trend:
        return []
    patterns = {line["label"] for line in trend.get("by_pattern", [])}
    return [line for line in trend.get("by_agency", []) if line["label"] not in patterns]


def _share(value) -> str:
    return "–" if value is None else f"{value:g} %" if isinstance(value, int | float) else str(value)


@register.filter
def share(row: dict) -> str:
    """ "3 of 4 (75 %)" from a row's count, base and percent."""
    return f"{row['count']} of {row['base']} ({_share(row['percent'])})"


@register.filter
def chance_note(row: dict) -> str:
    """The plain note on the group against the rest; "" when there is no test (a base under 5, or suppressed)."""
    others, p_value = row.get("others") or {}, row.get("p_value")
    bases = (row.get("base"), others.get("base"))
    if p_value is None or not all(isinstance(b, int) and b >= MIN_BASE for b in bases):
        return ""
    if not all(isinstance(v, int | float) for v in (row.get("percent"), others.get("percent"))):
        return ""
    figures = f"({_share(row['percent'])} vs {_share(others['percent'])})"
    group = row["label"][:1].lower() + row["label"][1:] if row.get("code") in PATTERN_CODES else row["label"]
    where = f"The difference between {group} and the rest {figures}"
    if within_chance(p_value):
        return f"{where} is within what chance alone would give (p = {p_value:.2g})."
    return f"{where} is unlikely to be chance ({_p(p_value)})."


def _p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"


PATTERN_CODES = {"co_located", "hybrid", "remote", "not_recorded", "no_agency"}  # read in lower case mid-sentence


@register.filter
def month_words(month: str) -> str:
    import calendar

    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


@register.simple_tag
def outcome_rows(groups: list[dict]) -> list[tuple[str, list[dict]]]:
    """(outcome in words, each group's {count, percent}) for a table with a column per group."""
    if not groups:
        return []
    rows = []
    for i, o in enumerate(groups[0]["outcomes"]):
        label = f"{o['cohort'].capitalize()}: {o['label']}" if o["cohort"] else o["label"]
        rows.append((label, [g["outcomes"][i] for g in groups]))
    return rows
