"""Month-on-month line charts for the evidence on practice, drawn on the server as SVG (as reports/charts.py draws
its bars): one line per working pattern, a point per month with a base, a gap where a month had nothing to count.
Each chart carries its text alternative; the page and the return print a table of the same numbers beside it."""

from dataclasses import dataclass

from django.utils.dates import MONTHS_3
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mash.words import translated

WIDTH, HEIGHT = 520, 230
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 58
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#6f72af", "#505a5f"]  # GOV.UK blue, red, green, purple, grey
DASHES = ["", "6 3", "2 2", "8 3 2 3", "1 3"]  # told apart without colour too


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    segments: list[str]  # "x,y x,y …" for each run of months with a figure
    dots: list[tuple[float, float]]
    key_y: float
    key_x: float = 0


@dataclass
class LineChart:
    title: str
    description: str
    lines: list[Line]
    ticks: list[tuple[float, str]]
    months: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 14
    tick_x: int = LEFT - 4


def line_chart(title: str, months: list[str], series: list[tuple[str, list[float | None]]]) -> LineChart:
    """Percentages (0–100) by month; None draws no point."""
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    xs = [round(LEFT + step * (i + 0.5), 1) for i in range(len(months))]

    def y(value: float) -> float:
        return round(TOP + plot_height * (1 - value / 100), 1)

    lines, words = [], []
    for n, (label, values) in enumerate(series):
        segments, run, dots = [], [], []
        for x, value in zip(xs, values, strict=True):
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            run.append(f"{x},{y(value)}")
            dots.append((x, y(value)))
        if run:
            segments.append(" ".join(run))
        key_y = HEIGHT - BOTTOM + 30 + 12 * (n // 3)
        key_x = LEFT + (n % 3) * 160
        lines.append(Line(label, COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)], segments, dots, key_y, key_x))
        shown = [f"{m} {gettext('no data') if v is None else f'{v:g}%'}" for m, v in zip(months, values, strict=True)]
        words.append(f"{label}: " + ", ".join(shown))
    ticks = [(y(v), f"{v}%") for v in (0, 25, 50, 75, 100)]
    labels = [(x, m) for x, m in zip(xs, months, strict=True)]
    return LineChart(title=title, description=f"{title}. " + "; ".join(words), lines=lines, ticks=ticks, months=labels)


TITLES = {
    "decided_within_day": _("Decisions within one working day of receipt, by the referrer's working pattern"),
    "decided_within_timescale": _("Decisions within the rating's timescale, by the referrer's working pattern"),
    "requests_on_time": _("Requests for information answered on time, by the agency's working pattern"),
}


def evidence_charts(evidence: dict) -> dict:
    """One line chart per trend, keyed by measure. Groups with nothing in any month are left off the chart (the
    table beside it still lists them)."""
    trend = evidence["trend"]
    months = [_month_label(m) for m in trend["months"]]
    charts = {}
    for key, title in TITLES.items():
        series = [(gettext("All"), [p["percent"] for p in trend[key]["overall"]])]
        series += [
            (translated(line["label"]), [p["percent"] for p in line["points"]])
            for line in trend[key]["by_pattern"]
            if any(isinstance(p["base"], int) and p["base"] for p in line["points"])
        ]
        charts[key] = line_chart(str(title), months, [(label, _numbers(values)) for label, values in series])
    return charts


def _numbers(values: list) -> list[float | None]:
    """A suppressed percentage (text) draws no point."""
    return [v if isinstance(v, int | float) else None for v in values]


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS_3[int(number)].title()} {year[2:]}"
