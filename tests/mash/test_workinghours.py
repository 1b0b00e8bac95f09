"""Due times in clock and working hours (mash.workinghours).

Every test names its exact instants, so no frozen clock is needed. Calendar facts used below (2026):
1 January is a Thursday, so 9 January is a Friday and 12 January a Monday (GMT, no bank holidays that week);
the clocks go forward on Sunday 29 March (01:00 GMT -> 02:00 BST) and back on Sunday 25 October (02:00 BST -> 01:00 GMT);
Good Friday is 3 April, Easter Monday 6 April; Christmas Day is Friday 25 December, Boxing Day falls on Saturday 26
December, so its substitute bank holiday is Monday 28 December.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mash.workinghours import due_after, is_bank_holiday, working_time_between

LONDON = ZoneInfo("Europe/London")
ALL_WEEK = (0, 1, 2, 3, 4, 5, 6)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Clock counting: 24/7 elapsed time


def test_clock_hours_run_through_the_weekend():
    # Red: 4 clock hours from Saturday 10 Jan 23:00 GMT -> Sunday 11 Jan 03:00 GMT; weekends count.
    due = due_after(london(2026, 1, 10, 23), timedelta(hours=4), counting="clock")
    assert due == utc(2026, 1, 11, 3)
    assert due.tzinfo == UTC


def test_clock_hours_across_the_spring_change_are_real_hours():
    # 23:30 GMT on Sat 28 March is 23:30 UTC; +4 real hours = 03:30 UTC on Sunday, which is 04:30 BST
    # (the wall clock shows 5 hours passed because 01:00 GMT jumped to 02:00 BST).
    due = due_after(london(2026, 3, 28, 23, 30), timedelta(hours=4), counting="clock")
    assert due == utc(2026, 3, 29, 3, 30)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 29, 4, 30)


def test_clock_hours_across_the_autumn_change_are_real_hours():
    # 23:30 BST on Sat 24 October is 22:30 UTC; +4 real hours = 02:30 UTC on Sunday, which is 02:30 GMT
    # (the wall clock shows only 3 hours passed because 02:00 BST went back to 01:00 GMT).
    due = due_after(london(2026, 10, 24, 23, 30), timedelta(hours=4), counting="clock")
    assert due == utc(2026, 10, 25, 2, 30)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 10, 25, 2, 30)


# Working hours: Monday to Friday 09:00-17:00 Europe/London by default


def test_working_hours_carry_over_the_weekend():
    # Friday 9 Jan 15:00-17:00 counts 2 h, the weekend is skipped, Monday 12 Jan 09:00-11:00 counts the other 2 h.
    assert due_after(london(2026, 1, 9, 15), timedelta(hours=4), counting="working") == utc(2026, 1, 12, 11)


def test_a_start_after_hours_counts_from_the_next_opening():
    # Friday 18:00 is after close: counting starts Monday 09:00, so 4 h -> Monday 13:00.
    assert due_after(london(2026, 1, 9, 18), timedelta(hours=4), counting="working") == utc(2026, 1, 12, 13)


def test_working_hours_across_midnight():
    # Tuesday 13 Jan 16:00-17:00 is 1 h; Wednesday 14 Jan 09:00-11:00 is the other 2 h.
    assert due_after(london(2026, 1, 13, 16), timedelta(hours=3), counting="working") == utc(2026, 1, 14, 11)


def test_a_duration_ending_at_close_returns_the_close_not_the_next_opening():
    # 24 h = three 8 h days: Monday, Tuesday, Wednesday, ending Wednesday 14 Jan 17:00 (not Thursday 09:00).
    assert due_after(london(2026, 1, 12, 9), timedelta(hours=24), counting="working") == utc(2026, 1, 14, 17)


def test_72_working_hours_step_day_by_day():
    # 72 h = nine 8 h days: Mon 12-Fri 16 Jan (5 days, 40 h) then Mon 19-Thu 22 Jan (4 days, 32 h): Thursday 17:00.
    assert due_after(london(2026, 1, 12, 9), timedelta(hours=72), counting="working") == utc(2026, 1, 22, 17)


def test_working_hours_are_local_wall_time_in_summer():
    # In BST (Friday 5 June) the window 09:00-17:00 local is 08:00-16:00 UTC: 2 h from 15:00 BST ends at
    # 17:00 BST = 16:00 UTC, exactly at close.
    assert due_after(london(2026, 6, 5, 15), timedelta(hours=2), counting="working") == utc(2026, 6, 5, 16)


def test_a_start_given_in_another_timezone_means_the_same_instant():
    # 08:00 UTC on Monday 8 June is 09:00 BST, the opening: 1 h -> 10:00 BST = 09:00 UTC.
    assert due_after(utc(2026, 6, 8, 8), timedelta(hours=1), counting="working") == utc(2026, 6, 8, 9)


def test_zero_duration_moves_to_the_next_working_moment():
    # Saturday 10 Jan 12:00 -> Monday 12 Jan 09:00 GMT.
    assert due_after(london(2026, 1, 10, 12), timedelta(0), counting="working") == utc(2026, 1, 12, 9)
    # Exactly at Friday's close (the window is [09:00, 17:00)) -> Monday's opening.
    assert due_after(london(2026, 1, 9, 17), timedelta(0), counting="working") == utc(2026, 1, 12, 9)


def test_zero_duration_inside_a_window_is_the_start_itself_in_utc():
    # Monday 8 June 10:15 BST is inside the window: the same instant, 09:15 UTC, returned in UTC.
    due = due_after(london(2026, 6, 8, 10, 15), timedelta(0), counting="working")
    assert due == utc(2026, 6, 8, 9, 15)
    assert due.tzinfo == UTC


# Bank holidays of England and Wales


def test_christmas_and_the_boxing_day_substitute_are_skipped():
    # Thursday 24 Dec 13:00-17:00 counts 4 h; Fri 25 (Christmas), Sat, Sun and Mon 28 (Boxing Day substitute)
    # are skipped; Tuesday 29 Dec 09:00-13:00 GMT counts the other 4 h.
    assert due_after(london(2026, 12, 24, 13), timedelta(hours=8), counting="working") == utc(2026, 12, 29, 13)


def test_easter_is_skipped():
    # Thursday 2 April 13:00-17:00 BST counts 4 h; Good Friday 3 April, the weekend and Easter Monday 6 April are
    # skipped; Tuesday 7 April 09:00-13:00 BST counts the other 4 h: 13:00 BST = 12:00 UTC.
    assert due_after(london(2026, 4, 2, 13), timedelta(hours=8), counting="working") == utc(2026, 4, 7, 12)


def test_is_bank_holiday():
    assert is_bank_holiday(date(2026, 12, 28))  # Boxing Day substitute (26 December is a Saturday)
    assert is_bank_holiday(date(2026, 12, 25))
    assert is_bank_holiday(date(2026, 4, 6))  # Easter Monday: England and Wales (not Scotland)
    assert not is_bank_holiday(date(2026, 12, 29))  # an ordinary Tuesday
    assert not is_bank_holiday(date(2026, 1, 2))  # a Scottish bank holiday only


# Working hours on the clock-change days


def test_first_monday_in_bst_window_is_0800_to_1600_utc():
    # Monday 30 March 2026 is the first working day in BST: 09:00-17:00 local = 08:00-16:00 UTC.
    monday = london(2026, 3, 30, 0)
    assert due_after(monday, timedelta(0), counting="working") == utc(2026, 3, 30, 8)
    assert due_after(monday, timedelta(hours=8), counting="working") == utc(2026, 3, 30, 16)
    assert working_time_between(monday, london(2026, 3, 31, 0)) == timedelta(hours=8)


def test_friday_before_the_spring_change_is_gmt():
    # Friday 27 March is still GMT: 8 h from 09:00 ends at 17:00 GMT = 17:00 UTC.
    assert due_after(london(2026, 3, 27, 9), timedelta(hours=8), counting="working") == utc(2026, 3, 27, 17)


def test_one_hour_over_the_spring_change_weekend():
    # Friday 27 March 16:30-17:00 GMT counts 30 min; the weekend (with the change on Sunday) is skipped;
    # Monday 30 March 09:00-09:30 BST counts the other 30 min: 09:30 BST = 08:30 UTC.
    due = due_after(london(2026, 3, 27, 16, 30), timedelta(hours=1), counting="working")
    assert due == utc(2026, 3, 30, 8, 30)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 30, 9, 30)


def test_friday_before_the_autumn_change_is_bst():
    # Friday 23 October is still BST: 8 h from 09:00 BST (08:00 UTC) ends at 17:00 BST = 16:00 UTC.
    assert due_after(london(2026, 10, 23, 9), timedelta(hours=8), counting="working") == utc(2026, 10, 23, 16)


def test_one_hour_over_the_autumn_change_weekend():
    # Friday 23 October 16:30-17:00 BST counts 30 min; the weekend (with the change on Sunday) is skipped;
    # Monday 26 October 09:00-09:30 GMT counts the other 30 min: 09:30 GMT = 09:30 UTC.
    due = due_after(london(2026, 10, 23, 16, 30), timedelta(hours=1), counting="working")
    assert due == utc(2026, 10, 26, 9, 30)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 10, 26, 9, 30)


def test_a_window_on_the_change_day_itself_is_eight_real_hours():
    # A seven-day hub: on Sunday 29 March the change is at 01:00 GMT, before the window, so 09:00-17:00 BST is
    # 08:00-16:00 UTC, 8 real hours; on Sunday 25 October (02:00 BST) 09:00-17:00 GMT is 09:00-17:00 UTC.
    spring = due_after(london(2026, 3, 29, 0), timedelta(hours=8), counting="working", working_days=ALL_WEEK)
    autumn = due_after(london(2026, 10, 25, 0), timedelta(hours=8), counting="working", working_days=ALL_WEEK)
    assert spring == utc(2026, 3, 29, 16)
    assert autumn == utc(2026, 10, 25, 17)


def test_window_boundaries_in_the_gap_and_fold_are_normalised_through_utc():
    # A 01:30-03:00 window. Spring: 01:30 does not exist on 29 March; zoneinfo reads it with the offset before the
    # change (GMT), i.e. 01:30 UTC = 02:30 BST, and 03:00 BST = 02:00 UTC, so the window is 30 real minutes.
    # Autumn: 01:30 on 25 October happens twice; the first (BST) is 00:30 UTC, 03:00 GMT = 03:00 UTC: 2 h 30 min.
    hours = {"working_days": ALL_WEEK, "day_starts": time(1, 30), "day_ends": time(3)}
    assert working_time_between(utc(2026, 3, 29, 0), utc(2026, 3, 29, 12), **hours) == timedelta(minutes=30)
    assert working_time_between(utc(2026, 10, 24, 23), utc(2026, 10, 25, 12), **hours) == timedelta(hours=2, minutes=30)


# A hub's own pattern


def test_custom_hub_pattern_monday_to_saturday_0800_to_2000():
    hub = {"working_days": (0, 1, 2, 3, 4, 5), "day_starts": time(8), "day_ends": time(20)}
    # Friday 9 Jan 18:00-20:00 counts 2 h; Saturday 10 Jan is a working day: 08:00-18:00 counts the other 10 h.
    assert due_after(london(2026, 1, 9, 18), timedelta(hours=12), counting="working", **hub) == utc(2026, 1, 10, 18)
    # Saturday 19:00-20:00 counts 1 h; Sunday is skipped; Monday 12 Jan 08:00-10:00 counts the other 2 h.
    assert due_after(london(2026, 1, 10, 19), timedelta(hours=3), counting="working", **hub) == utc(2026, 1, 12, 10)


# working_time_between: "time left" in working hours


def test_working_time_between_friday_afternoon_and_monday_morning():
    # Friday 9 Jan 16:00-17:00 is 1 h, the weekend is 0, Monday 12 Jan 09:00-10:00 is 1 h: 2 h.
    assert working_time_between(london(2026, 1, 9, 16), london(2026, 1, 12, 10)) == timedelta(hours=2)


def test_working_time_between_is_zero_when_end_is_not_after_start():
    assert working_time_between(london(2026, 1, 12, 12), london(2026, 1, 12, 10)) == timedelta(0)
    assert working_time_between(london(2026, 1, 12, 12), london(2026, 1, 12, 12)) == timedelta(0)


def test_working_time_between_inverts_due_after():
    # 72 working hours from Monday 12 Jan 10:30 lands on Friday 23 Jan 10:30 (nine full days later in working time);
    # measuring the span back gives the same 72 h.
    start = london(2026, 1, 12, 10, 30)
    due = due_after(start, timedelta(hours=72), counting="working")
    assert due == utc(2026, 1, 23, 10, 30)
    assert working_time_between(start, due) == timedelta(hours=72)


# Errors


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_after(datetime(2026, 1, 12, 9), timedelta(hours=1), counting="clock")
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time_between(datetime(2026, 1, 12, 9), london(2026, 1, 12, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time_between(london(2026, 1, 12, 9), datetime(2026, 1, 12, 10))


def test_unknown_counting_is_refused():
    with pytest.raises(ValueError, match="unknown counting"):
        due_after(london(2026, 1, 12, 9), timedelta(hours=1), counting="calendar")


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        due_after(london(2026, 1, 12, 9), timedelta(hours=-1), counting="working")
    with pytest.raises(ValueError, match="negative"):
        due_after(london(2026, 1, 12, 9), timedelta(hours=-1), counting="clock")


def test_bad_working_days_and_hours_are_refused():
    start = london(2026, 1, 12, 9)
    with pytest.raises(ValueError, match="at least one working day"):
        due_after(start, timedelta(hours=1), counting="working", working_days=())
    with pytest.raises(ValueError, match="at least one working day"):
        working_time_between(start, london(2026, 1, 13, 9), working_days=[])
    with pytest.raises(ValueError, match="weekday numbers"):
        due_after(start, timedelta(hours=1), counting="working", working_days=(7,))
    with pytest.raises(ValueError, match="end after it starts"):
        due_after(start, timedelta(hours=1), counting="working", day_starts=time(17), day_ends=time(9))


def test_a_duration_beyond_three_years_of_days_is_refused_not_looped():
    # Three years hold about 750 working days of 8 h (about 6,000 h): 100,000 h cannot be met within the guard.
    with pytest.raises(ValueError, match="no end within"):
        due_after(london(2026, 1, 12, 9), timedelta(hours=100_000), counting="working")
