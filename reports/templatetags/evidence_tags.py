"""Template helpers for the evidence on practice (reports/evidence.py): its sections in order with their charts, and
the plain note on a difference between a group and the rest, worded from the numbers when the page is drawn (so a
note whose base was suppressed is never shown)."""

from django import template
from django.utils.dates import MONTHS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.words import translated
from reports.evidence_charts import evidence_charts
from reports.proportions import MIN_BASE, within_chance
from reports.templatetags.return_tags import outcome_words

register = template.Library()

# (key, heading, what is counted, what the count is, who the groups are)
SECTIONS = [
    ("decided_within_day", _("Decisions within one working day"), _("decisions signed off"), _("within one working day of receipt"), _("referring agency")),
    ("decided_within_timescale", _("Decisions within the rating's timescale"), _("decisions on Red, Amber or Green referrals"), _("within the rating's timescale"), _("referring agency")),
    ("requests_on_time", _("Requests for information answered on time"), _("answers given"), _("on time"), _("answering agency")),
    ("re_referrals", _("Re-referrals within 12 months"), _("referrals about children received"), _("re-referrals"), _("referring agency")),
    ("conversion", _("Contacts that needed a MASH response"), _("contacts concluded (decided, or closed with no MASH response)"), _("needed a MASH response"), _("referring agency")),
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
    return gettext("%(count)s of %(base)s (%(percent)s)") % {
        "count": row["count"], "base": row["base"], "percent": _share(row["percent"])
    }  # fmt: skip


@register.filter
def chance_note(row: dict) -> str:
    """The plain note on the group against the rest; "" when there is no test (a base under 5, or suppressed)."""
    others, p_value = row.get("others") or {}, row.get("p_value")
    bases = (row.get("base"), others.get("base"))
    if p_value is None or not all(isinstance(b, int) and b >= MIN_BASE for b in bases):
        return ""
    if not all(isinstance(v, int | float) for v in (row.get("percent"), others.get("percent"))):
        return ""
    label = translated(row["label"])
    group = label[:1].lower() + label[1:] if row.get("code") in PATTERN_CODES else label
    words = {"group": group, "this": _share(row["percent"]), "rest": _share(others["percent"]), "p": _p(p_value)}
    if within_chance(p_value):
        return (
            gettext(
                "The difference between %(group)s and the rest (%(this)s vs %(rest)s) is within what chance alone would "
                "give (%(p)s)."
            )
            % words
        )
    return gettext("The difference between %(group)s and the rest (%(this)s vs %(rest)s) is unlikely to be chance "
                   "(%(p)s).") % words  # fmt: skip


def _p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"


PATTERN_CODES = {"co_located", "hybrid", "remote", "not_recorded", "no_agency"}  # read in lower case mid-sentence


@register.filter
def month_words(month: str) -> str:
    """ "September 2026" from "2026-09", the month's name in the active language."""
    year, number = month.split("-")
    return f"{MONTHS[int(number)]} {year}"


@register.simple_tag
def outcome_rows(groups: list[dict], procedures: str = "") -> list[tuple[str, list[dict]]]:
    """(outcome in words, each group's {count, percent}) for a table with a column per group; the words are those of
    the procedures the hub follows (`outcome_words`)."""
    if not groups:
        return []
    rows = []
    for i, o in enumerate(groups[0]["outcomes"]):
        label = (
            f"{translated(o['cohort'].capitalize())}: {outcome_words(o, procedures)}"
            if o["cohort"]
            else outcome_words(o, procedures)
        )
        rows.append((label, [g["outcomes"][i] for g in groups]))
    return rows
