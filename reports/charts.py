"""Bar charts drawn on the server as SVG: the geometry is computed here and `templates/reports/bar_chart.svg`
draws it with Django's escaping, for the PDF and the web page alike. Two simple charts do not justify a charting
library (pygal and matplotlib both embed their own script or style handling; see docs/adr/0004-monthly-returns.md).
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext

from mash.words import count, percent, translated

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str
    centre: float

    @property
    def value_y(self) -> float:
        return round(self.y - 3, 1)


@dataclass
class Chart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, text)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 14
    tick_x: int = LEFT - 4


def _nice_top(value: float) -> float:
    """A round axis top at or above `value`: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _in_words(value, unit: str) -> str:
    """A bar's value as the tables print it: "1,250", "87 %"; a suppressed count ("<5") as it stands."""
    if value is None:
        return gettext("no data")
    return percent(value) if unit == "%" else count(value) if not unit else f"{value:g}{unit}"


def _tick(value: float, unit: str) -> str:
    """An axis mark: "2,500", "1.25" (a quarter of a small axis is not rounded to a whole count), "75 %"."""
    return percent(value) if unit == "%" else f"{value:,g}{unit}"


def bar_chart(
    title: str, items: list[tuple[str, float | str | None]], *, top: float | None = None, unit: str = ""
) -> Chart:
    """One bar per (label, value); a None value draws no bar and reads "no data", a text value (a suppressed "<5")
    draws no bar and reads as it stands."""
    items = [(label, value, None if isinstance(value, str) else value) for label, value in items]
    top = top or _nice_top(max((v or 0 for _, _, v in items), default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(items), 1)
    bars = []
    for i, (label, shown, value) in enumerate(items):
        height = plot_height * (value or 0) / top
        x = LEFT + i * slot + slot * 0.2
        text = _in_words(shown, unit)
        bars.append(
            Bar(
                round(x, 1),
                round(TOP + plot_height - height, 1),
                round(slot * 0.6, 1),
                round(height, 1),
                label,
                text,
                round(x + slot * 0.3, 1),
            )
        )
    ticks = [(round(TOP + plot_height * (1 - f), 1), _tick(top * f, unit)) for f in (0, 0.25, 0.5, 0.75, 1)]
    description = f"{title}: " + "; ".join(f"{b.label}: {b.value_text}" for b in bars) + "."
    return Chart(title=title, description=description, bars=bars, ticks=ticks)


def return_charts(figures: dict) -> list[Chart]:
    """The return's charts, in the active language (the figures keep their labels in the source language)."""
    weeks = [(translated(w["label"]), w["count"]) for w in figures["referrals"]["by_week"]]
    timely = [(translated(r["label"]), r["percent_within"]) for r in figures["timeliness"]["by_rating"]]
    return [
        bar_chart(gettext("Referrals received by week of the month (days)"), weeks),
        bar_chart(gettext("Decisions within the rating's timescale"), timely, top=100, unit="%"),
    ]
