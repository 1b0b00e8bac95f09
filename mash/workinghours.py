"""Due times counted in clock hours (24/7) or in a hub's working hours.

Working hours are windows of local wall time (Europe/London by default) on the hub's working days, skipping the
bank holidays of England and Wales (the `holidays` package). A window is converted to real instants day by day, so
on the days the clocks change a 09:00-17:00 window is still eight real hours, and clock counting is plain elapsed
time in UTC.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MAX_DAYS = 3 * 366  # a duration that needs more days than this cannot be met: refuse rather than loop


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    """England and Wales share their bank holidays (Scotland and Northern Ireland differ)."""
    return day in _bank_holidays(day.year)


def _windows(
    start: datetime, working_days: frozenset[int], day_starts: time, day_ends: time, tz: str
) -> Iterator[tuple[datetime, datetime]]:
    """The working windows, as UTC instants, from the local day of `start` onwards.

    A boundary inside a clock-change gap or fold is read with zoneinfo's default (fold=0) and normalised through UTC.
    """
    day = start.astimezone(ZoneInfo(tz)).date()
    for _ in range(MAX_DAYS):
        if day.weekday() in working_days and not is_bank_holiday(day):
            window = _window(day, day_starts, day_ends, tz)
            if window is not None:
                yield window
        day += timedelta(days=1)
    raise ValueError(f"no end within {MAX_DAYS} days: check the working days and hours")


@lru_cache(maxsize=4096)
def _window(day: date, day_starts: time, day_ends: time, tz: str) -> tuple[datetime, datetime] | None:
    """One day's window as UTC instants (a month's return asks for each day thousands of times); None when a
    clock-change gap or fold squeezes it to nothing."""
    zone = ZoneInfo(tz)
    opens = datetime.combine(day, day_starts, tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(day, day_ends, tzinfo=zone).astimezone(UTC)
    return (opens, closes) if closes > opens else None


def _check(start: datetime, working_days: Iterable[int], day_starts: time, day_ends: time) -> frozenset[int]:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    days = frozenset(working_days)
    if not days:
        raise ValueError("at least one working day is needed")
    if not days <= set(range(7)):
        raise ValueError("working days are weekday numbers, Monday=0 to Sunday=6")
    if day_ends <= day_starts:
        raise ValueError("the working day must end after it starts (no overnight windows)")
    return days


def due_after(
    start: datetime,
    duration: timedelta,
    *,
    counting: str,
    working_days: Iterable[int] = (0, 1, 2, 3, 4),
    day_starts: time = time(9),
    day_ends: time = time(17),
    tz: str = "Europe/London",
) -> datetime:
    """The instant (UTC) when `duration` has been counted from `start`, in clock or working hours."""
    days = _check(start, working_days, day_starts, day_ends)
    start = start.astimezone(UTC)  # so every result, even a zero duration inside a window, is in UTC
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    if counting == "clock":
        return start + duration
    if counting != "working":
        raise ValueError(f"unknown counting {counting!r}: clock or working")
    left = duration
    for opens, closes in _windows(start, days, day_starts, day_ends, tz):
        begin = max(opens, start)
        if begin >= closes:
            continue
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    raise AssertionError("unreachable")  # pragma: no cover - _windows raises first


def working_time_between(
    start: datetime,
    end: datetime,
    *,
    working_days: Iterable[int] = (0, 1, 2, 3, 4),
    day_starts: time = time(9),
    day_ends: time = time(17),
    tz: str = "Europe/London",
) -> timedelta:
    """The working time inside [start, end); zero when end is not after start."""
    days = _check(start, working_days, day_starts, day_ends)
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware")
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in _windows(start, days, day_starts, day_ends, tz):
        if opens >= end:
            return total
        total += max(timedelta(0), min(closes, end) - max(opens, start))
    return total  # pragma: no cover
