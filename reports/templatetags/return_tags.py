"""Template helpers for returns: a figure that may be missing, a table of labelled counts, and which tables the PDF
keeps on one page."""

from django import template

from decisions.models.outcomes import OUTCOMES, outcome_label
from mash.words import translated
from referrals.models import NO_MASH_RESPONSE
from reports.suppression import FewerThanFive, NotShown

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    """A number with its unit, or an en dash where there was nothing to measure; a suppressed figure as it reads."""
    if isinstance(value, (FewerThanFive, NotShown)):
        return value
    return "–" if value is None else f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"


@register.filter
def outcome_words(row: dict, procedures: str = "") -> str:
    """An outcome row's words (a return keeps England's with the code): those of the procedures the hub follows
    (England's or Wales'), in the page's language; an outcome not known by its code as it was kept."""
    cohort, code = row.get("cohort", ""), row.get("code", "")
    if code == NO_MASH_RESPONSE or (cohort in OUTCOMES and code in OUTCOMES[cohort].values):
        return str(outcome_label(cohort, code, procedures or "england"))
    return translated(row.get("label", ""))


@register.filter
def keep_together(rows, most: int) -> str:
    """ " app-keep" (the print style's class for a table not broken across pages) when the table has at most `most`
    rows: short enough (under two thirds of a page) that moving it whole to the next page leaves the page before it
    at least a third full. A longer table breaks between rows, its header repeated."""
    return " app-keep" if len(rows or ()) <= most else ""


@register.inclusion_tag("reports/count_table.html")
def count_table(caption: str, heading: str, rows: list[dict], *, key: str = "label", code: bool = False) -> dict:
    """`rows` of {"label"/key, "count"}; with code=True the label reads "CODE – label"."""
    words = translated if key == "label" else str  # a choice's label in the page's language; a name as it is
    labelled = [
        (f"{r['code']} – {words(r[key])}" if code and r.get("code") else words(r[key]), r["count"]) for r in rows
    ]
    return {"caption": caption, "heading": heading, "rows": labelled}
