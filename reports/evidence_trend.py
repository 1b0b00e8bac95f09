"""Evidence month on month: the year of months that ends with the return's month.

Each earlier month is read from the figures of its newest ready return built after its month ended (that return was
computed from the same ledger by the same rules: one query for all of them), else computed from the ledger as its
return would be (a month before the hub's first event costs nothing). So a month of 10,000 referrals builds its trend
without reading a year of events again. Leading months with nothing to count are left out, down to six months.
"""

from datetime import date, datetime

from django.conf import settings
from django.db.models import Min
from django.utils import timezone, translation

from audit.models import AuditEvent
from mash.memory import collector_paused
from mash.words import plain
from reports.evidence import month_evidence
from reports.ledger import MonthEvents, agency_names, month_bounds, month_events
from reports.models import MonthlyReturn, ReturnState

MONTHS = 12
AT_LEAST = 6
TRENDS = ("decided_within_day", "decided_within_timescale", "requests_on_time")
EMPTY = {key: {"base": 0, "count": 0, "percent": None, "by_pattern": [], "by_agency": []} for key in TRENDS}


def months_ending(month: date, count: int = MONTHS) -> list[date]:
    """The first days of `count` months, oldest first, the last being `month`."""
    months = [month]
    while len(months) < count:
        first = months[0]
        months.insert(
            0,
            first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1),
        )
    return months


def _stored(hub, months: list[date]) -> dict[date, dict]:
    """Each month's evidence from its newest ready, final return that has it."""
    rows = (
        MonthlyReturn.objects.filter(hub=hub, month__in=months, state=ReturnState.READY)
        .order_by("month", "built_at")
        .values_list("month", "figures")
    )
    found = {}
    for month, figures in rows:
        if figures and not figures.get("provisional") and "evidence" in figures:
            found[month] = figures["evidence"]
    return found


def _points(measure: dict) -> dict:
    """What the trend keeps of a month's measure: overall and each group's base, count and percent."""

    def point(row):
        return {"base": row["base"], "count": row["count"], "percent": row["percent"]}

    return {
        "overall": point(measure),
        "by_pattern": {r["code"]: (r["label"], point(r)) for r in measure["by_pattern"]},
        "by_agency": {r["label"]: (r["label"], point(r)) for r in measure["by_agency"]},
    }


def trend(hub, month: date, current: dict, *, until: datetime) -> dict:

    months = months_ending(month)
    stored = _stored(hub, months[:-1])
    first = AuditEvent.objects.filter(hub_id=hub.pk).aggregate(first=Min("occurred_at"))["first"]
    each: dict[date, dict] = {}
    sources = {}
    for m in months[:-1]:
        if first is None or month_bounds(m)[1] <= first:  # before the hub's first event: nothing to count
            each[m], sources[m] = EMPTY, "none"
        elif m in stored:
            each[m], sources[m] = stored[m], "return"
        else:
            events = month_events(hub, m)
            each[m], sources[m] = month_evidence(hub, events, agency_names(events)), "ledger"
    each[month], sources[month] = current, "this return"
    while len(months) > AT_LEAST and not any(each[months[0]][k]["base"] for k in TRENDS):
        months.pop(0)
    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "sources": [sources[m] for m in months],
        **{key: _series(key, [each[m] for m in months]) for key in TRENDS},
    }


def _series(key: str, evidence: list[dict]) -> dict:
    """One measure month by month: overall, and each pattern and agency seen in any month (zeros where absent)."""
    points = [_points(e[key]) for e in evidence]
    empty = {"base": 0, "count": 0, "percent": None}

    def lines(by: str) -> list[dict]:
        order: dict[str, str] = {}
        for p in points:
            for code, (label, _) in p[by].items():
                order.setdefault(code, label)
        return [
            {"code": code, "label": label, "points": [p[by].get(code, (label, empty))[1] for p in points]}
            for code, label in order.items()
        ]

    return {
        "overall": [p["overall"] for p in points],
        "by_pattern": lines("by_pattern"),
        "by_agency": lines("by_agency"),
    }


def evidence(hub, events: MonthEvents, names: dict[str, str], month) -> dict:
    """`figures["evidence"]`: the month's evidence and, month on month, the year that ends with it."""
    current = month_evidence(hub, events, names)
    return {**current, "trend": trend(hub, month, current, until=events.until)}


def evidence_of(hub, month) -> dict:
    """The evidence of a month as its return would give it; a month still running counts up to now (provisional)."""
    now = timezone.now()
    with collector_paused(), translation.override(settings.LANGUAGE_CODE):  # a month's events (mash/memory.py)
        events = month_events(hub, month, now if month_bounds(month)[1] > now else None)
        return plain(evidence(hub, events, agency_names(events), month))
