"""Whether two proportions differ by more than chance: the two-proportion z-test (pooled), two-sided.

The standard library's `statistics.NormalDist` gives the normal distribution's tail, which is all the test needs:
scipy would add tens of megabytes and most of a second to a worker's first build for one closed formula. The normal
approximation is poor on small bases, so no test is made when either base is under `MIN_BASE` (the figure's note is
then left out), which is also where small numbers are suppressed.
"""

import math
from statistics import NormalDist

MIN_BASE = 5
CHANCE = 0.05  # a p-value at or above this: the difference is within what chance alone would give


def percent(part: int, whole: int) -> float | None:
    """part of whole as a percentage to one place; None where there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def two_proportion_p(count_a: int, base_a: int, count_b: int, base_b: int) -> float | None:
    """The two-sided p-value of the difference between count_a/base_a and count_b/base_b; None when a base is under
    MIN_BASE (no test)."""
    if base_a < MIN_BASE or base_b < MIN_BASE:
        return None
    pooled = (count_a + count_b) / (base_a + base_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / base_a + 1 / base_b))
    if spread == 0:  # both 0 % or both 100 %: no difference at all
        return 1.0
    z = abs(count_a / base_a - count_b / base_b) / spread
    return round(2 * (1 - NormalDist().cdf(z)), 4)


def within_chance(p_value: float) -> bool:
    return p_value >= CHANCE
