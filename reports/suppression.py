"""Small numbers suppressed in what a strategic lead sees of a return (the page, the comparison, the charts, the PDF,
CSV and JSON they download), by the Safeguarding Adults Collection's rule; managers see the exact figures, and the
digest is always the exact figures'. Who sees which is the policy's: `returns.view_exact` (agencies/policy.py).

`published(figures)` walks the figures and returns a suppressed copy. It reads no section by name, so a section added
later is covered by the convention its figures follow:

- An int (not a bool) is a count, unless its key is in NOT_COUNTS (a document's `version`, `review_window_days`…).
  A count of 0 stays 0; 1 to 4 reads "<5"; 5 and more is rounded to the nearest 5 (7 → 5, 8 → 10, 12 → 10), so
  that the difference between two returns cannot reveal one referral through a count of 5 or more either.
- A key `percent`, `percent_*` or `*_percent` is a percentage; a key `median_*`, `p90_*` or `*_hours` is a median
  or a time. Either is computed on the counts beside it in the same dict (its base and its part): where any of
  them is 1 to 4 it reads "Not shown: fewer than 5"; otherwise a percentage is rounded to a whole number and a
  time is kept. A percentage or time whose dict holds no count is the caller's: keep a count beside it.
- A `p_value` (the evidence's two-proportion test) is kept to the two figures the page prints, or dropped beside a
  count under 5.
- Strings (names, codes, money, FTE) and None (nothing to measure) are kept.

The strings a lead reads in place of a number are `FewerThanFive` ("<5") and `NotShown`: a `str` (JSON and CSV
write them as text) that Django's `pluralize` reads as more than one.
"""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

NOT_COUNTS = frozenset({"version", "review_window_days", "number", "year", "due_hours"})
THRESHOLD = 5
RULE = _(
    "Small numbers are suppressed: counts of 1 to 4 are shown as <5 and other counts are rounded to the nearest 5; "
    "percentages, medians and hours computed on fewer than 5 are not shown. Zero is shown as 0."
)


class FewerThanFive(str):
    """A count of 1 to 4, as a lead reads it."""

    def __new__(cls):
        return super().__new__(cls, "<5")

    def __float__(self) -> float:
        return 2.0  # for `pluralize`: "<5 referrals"


class NotShown(str):
    """A percentage or time on a base of fewer than 5, in the language active when the figures are published (the
    reader's; a PDF's own)."""

    def __new__(cls):
        return super().__new__(cls, gettext("Not shown: fewer than 5"))

    def __float__(self) -> float:
        return 2.0


def is_count(key: str | None, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and key not in NOT_COUNTS


def is_percent(key: str) -> bool:
    return key == "percent" or key.startswith("percent_") or key.endswith("_percent")


def is_measure(key: str) -> bool:
    """A median, a percentile or a time in hours: a figure about the items counted beside it."""
    return key.startswith(("median_", "p90_")) or key.endswith("_hours") or key == "median"


def suppressed_count(n: int) -> int | str:
    if n == 0:
        return 0
    if n < THRESHOLD:
        return FewerThanFive()
    return (n + 2) // 5 * 5


def suppressed_percent(value: float | None, small_base: bool) -> float | int | str | None:
    if value is None:
        return None
    return NotShown() if small_base else round(value)


def published(figures: Any, key: str | None = None) -> Any:
    """The figures as a strategic lead sees them (the module's docstring gives the convention)."""
    if isinstance(figures, dict):
        small = any(is_count(k, v) and 0 < v < THRESHOLD for k, v in figures.items())
        out = {}
        for k, v in figures.items():
            if is_percent(k) and (v is None or isinstance(v, (int, float))):
                out[k] = suppressed_percent(v, small)
            elif is_measure(k) and (v is None or isinstance(v, (int, float))) and not isinstance(v, bool):
                out[k] = NotShown() if small and v is not None else v
            elif k == "p_value" and isinstance(v, float):
                out[k] = None if small else float(f"{v:.2g}")  # as the page words it: no exact counts solved back
            else:
                out[k] = published(v, k)
        return out
    if isinstance(figures, list):
        return [published(v, key) for v in figures]
    if is_count(key, figures):
        return suppressed_count(figures)
    return figures


def for_viewer(figures: dict | None, exact: bool) -> dict | None:
    """The figures a person sees: exact for a manager, published for a strategic lead."""
    if figures is None or exact:
        return figures
    return published(figures)
