"""Working-hours arithmetic: every test names its exact instants (a frozen clock of its own), and the expected due
times are worked out by hand in the comments. 2026-03-29 and 2026-10-25 are the Sundays the clocks change."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mash.workinghours import due_after, is_bank_holiday, working_time_between

LONDON = ZoneInfo("Europe/London")


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def working(start, hours, **calendar):
    return due_after(start, timedelta(hours=hours), counting="working", **calendar)


def test_red_counts_clock_hours_through_the_weekend():
    # Saturday 23:00 + 4 hours, 24/7 = Sunday 03:00.
    assert due_after(local(2026, 11, 7, 23), timedelta(hours=4), counting="clock") == local(2026, 11, 8, 3)


def test_clock_hours_across_the_spring_change_are_real_hours():
    # 28 March 23:30 GMT (= 23:30 UTC) + 4 h = 03:30 UTC = 04:30 BST: the clocks went forward at 01:00 GMT.
    due = due_after(local(2026, 3, 28, 23, 30), timedelta(hours=4), counting="clock")
    assert due == datetime(2026, 3, 29, 3, 30, tzinfo=UTC) == local(2026, 3, 29, 4, 30)


def test_clock_hours_across_the_autumn_change_are_real_hours():
    # 24 October 23:30 BST (= 22:30 UTC) + 4 h = 02:30 UTC = 02:30 GMT: the clocks went back at 02:00 BST.
    due = due_after(local(2026, 10, 24, 23, 30), timedelta(hours=4), counting="clock")
    assert due == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_working_hours_skip_the_weekend():
    # Friday 15:00: two hours to 17:00, then two more from Monday 09:00 = Monday 11:00.
    assert working(local(2026, 11, 6, 15), 4) == local(2026, 11, 9, 11)
    # Received after hours on Friday: counting starts Monday 09:00.
    assert working(local(2026, 11, 6, 18), 4) == local(2026, 11, 9, 13)


def test_working_hours_across_midnight():
    # Tuesday 16:00: one hour to 17:00, two more from Wednesday 09:00 = Wednesday 11:00.
    assert working(local(2026, 11, 3, 16), 3) == local(2026, 11, 4, 11)


def test_a_duration_ending_at_closing_time_ends_then_not_next_morning():
    # 24 working hours from Monday 09:00 = three full days: Wednesday 17:00.
    assert working(local(2026, 11, 2, 9), 24) == local(2026, 11, 4, 17)


def test_bank_holidays_of_england_and_wales_are_not_working_days():
    # Christmas Day (Friday) and the substitute Boxing Day (Monday 28th) are bank holidays in 2026.
    assert is_bank_holiday(date(2026, 12, 25)) and is_bank_holiday(date(2026, 12, 28))
    assert not is_bank_holiday(date(2026, 12, 29))
    # Thursday 24th 13:00: four hours to 17:00, four more on Tuesday 29th from 09:00 = 13:00.
    assert working(local(2026, 12, 24, 13), 8) == local(2026, 12, 29, 13)
    # Good Friday 3 April and Easter Monday 6 April 2026: Thursday 16:00 + 2 h = Tuesday 10:00.
    assert working(local(2026, 4, 2, 16), 2) == local(2026, 4, 7, 10)


def test_working_windows_keep_their_local_hours_across_the_clock_changes():
    # 8 working hours from Friday 27 March 09:00 GMT = the same day 17:00 GMT.
    assert working(local(2026, 3, 27, 9), 8) == datetime(2026, 3, 27, 17, tzinfo=UTC)
    # Friday 16:30 GMT + 1 h: 30 minutes, then 30 from Monday 30 March 09:00 BST = 09:30 BST = 08:30 UTC.
    assert working(local(2026, 3, 27, 16, 30), 1) == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)
    # October: Friday 23rd 16:30 BST + 1 h = Monday 26th 09:30 GMT = 09:30 UTC.
    assert working(local(2026, 10, 23, 16, 30), 1) == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)


def test_a_hub_s_own_working_pattern():
    # Monday to Saturday, 08:00-20:00: Saturday 19:00 + 2 h = one hour Saturday, one from Monday 08:00 = 09:00.
    calendar = {"working_days": [0, 1, 2, 3, 4, 5], "day_starts": time(8), "day_ends": time(20)}
    assert working(local(2026, 11, 7, 19), 2, **calendar) == local(2026, 11, 9, 9)


def test_working_time_between_two_instants():
    # Friday 16:00 to Monday 10:00: one hour on Friday and one on Monday.
    assert working_time_between(local(2026, 11, 6, 16), local(2026, 11, 9, 10)) == timedelta(hours=2)
    assert working_time_between(local(2026, 11, 9, 10), local(2026, 11, 6, 16)) == timedelta(0)


@pytest.mark.parametrize(
    "start, duration, counting, days",
    [
        (datetime(2026, 11, 3, 10), timedelta(hours=1), "working", [0]),  # naive
        (local(2026, 11, 3, 10), timedelta(hours=1), "fortnightly", [0]),
        (local(2026, 11, 3, 10), timedelta(hours=-1), "working", [0]),
        (local(2026, 11, 3, 10), timedelta(hours=1), "working", []),
    ],
)
def test_bad_arguments_are_refused(start, duration, counting, days):
    with pytest.raises(ValueError):
        due_after(start, duration, counting=counting, working_days=days)
