"""Template helpers for returns: a figure that may be missing, and a table of labelled counts."""

from django import template

from reports.suppression import FewerThanFive, NotShown

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    """A number with its unit, or an en dash where there was nothing to measure; a suppressed figure as it reads."""
    if isinstance(value, (FewerThanFive, NotShown)):
        return value
    return "–" if value is None else f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"


@register.inclusion_tag("reports/count_table.html")
def count_table(caption: str, heading: str, rows: list[dict], *, key: str = "label", code: bool = False) -> dict:
    """`rows` of {"label"/key, "count"}; with code=True the label reads "CODE – label"."""
    labelled = [(f"{r['code']} – {r[key]}" if code and r.get("code") else r[key], r["count"]) for r in rows]
    return {"caption": caption, "heading": heading, "rows": labelled}
