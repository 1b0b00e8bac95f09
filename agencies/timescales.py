"""Whether a hub's timescales agree with each other, compared as due times from a common start.

The rule: for every start in an ordinary week (a working week without bank holidays, every step at which a working
window can open or close), a more urgent rating is due no later than a less urgent one (Red, then Amber, then
Green), the same for the agencies' information, each rating's agencies' information is due no later than that
rating's own time, and every rating is due no later than the hub's decision deadline (which every referral has from
receipt). Clock hours and working hours are so compared as real due times: 24 working hours started on a Friday
morning end on Tuesday evening, after 72 clock hours from the same start.
"""

from datetime import date, datetime, time, timedelta
from math import gcd
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings

from mash.workinghours import due_after

WEEK_OF = date(2025, 3, 3)  # a Monday; that week has no bank holiday and no change of the clocks
RATINGS = ("red", "amber", "green")


class Timescale(NamedTuple):
    field: str  # the form field an error belongs to
    name: str  # in words: "Amber", "Amber: agencies' information", "the decision"
    hours: float
    counting: str
    words: str = ""  # how to say it, where not "<name> (<hours> <counting>)"

    def __str__(self) -> str:
        if self.words:
            return self.words
        unit = "working hour" if self.counting == "working" else "clock hour"
        hours = f"{self.hours:g}"
        return f"{self.name} ({hours} {unit}{'' if hours == '1' else 's'})"


def _step(hub) -> int:
    """Minutes between the starts tried: every minute at which a due time can cross a window's edge."""
    minutes = [t.hour * 60 + t.minute for t in (hub.working_day_starts, hub.working_day_ends)]
    return gcd(60, *minutes) or 60


def _starts(hub) -> list[datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    first = datetime.combine(WEEK_OF, time(0), tzinfo=zone)
    step = _step(hub)
    return [first + timedelta(minutes=m) for m in range(0, 7 * 24 * 60, step)]


def _calendar(hub) -> dict:
    return {
        "working_days": hub.working_days or [0, 1, 2, 3, 4],
        "day_starts": hub.working_day_starts,
        "day_ends": hub.working_day_ends,
        "tz": settings.TIME_ZONE,
    }


def _when(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"a {local:%A} at {local:%H:%M}"


def _span(delta: timedelta) -> str:
    days, hours = delta.days, round(delta.seconds / 3600, 2)
    parts = [f"{days} day{'' if days == 1 else 's'}"] if days else []
    parts += [f"{hours:g} hour{'' if hours == 1 else 's'}"] if hours or not days else []
    return " ".join(parts)


def _later(hub, urgent: Timescale, other: Timescale, starts) -> str | None:
    """Words saying how `urgent` can be due after `other` (from the start where it is most so), or None."""
    calendar = _calendar(hub)
    worst = None
    for start in starts:
        a = due_after(start, timedelta(hours=urgent.hours), counting=urgent.counting, **calendar)
        b = due_after(start, timedelta(hours=other.hours), counting=other.counting, **calendar)
        if a > b and (worst is None or a - b > worst[1] - worst[2]):
            worst = (start, a, b)
    if worst is None:
        return None
    start, a, b = worst
    said = (
        f"{urgent} can end later than {other}: for a referral received on {_when(start)}, {urgent.name} is due "
        f"{_span(a - start)} later and {other.name} {_span(b - start)} later"
    )
    return said[:1].upper() + said[1:]


def _ratings(hub) -> list[Timescale]:
    return [
        Timescale(f"{r}_hours", r.title(), getattr(hub, f"{r}_hours"), getattr(hub, f"{r}_counting")) for r in RATINGS
    ]


def _partners(hub) -> list[Timescale]:
    return [
        Timescale(
            f"{r}_partner_hours",
            f"agencies' information for {r.title()}",
            getattr(hub, f"{r}_partner_hours"),
            getattr(hub, f"{r}_counting"),
        )
        for r in RATINGS
    ]


def _decision(hub) -> Timescale:
    day = datetime.combine(WEEK_OF, hub.working_day_ends) - datetime.combine(WEEK_OF, hub.working_day_starts)
    hours = day.total_seconds() / 3600 * hub.decision_working_days
    days = hub.decision_working_days
    words = f"the decision deadline ({days} working day{'' if days == 1 else 's'} after receipt)"
    return Timescale("decision_working_days", "the decision", hours, "working", words)


def contradictions(hub) -> dict[str, str]:
    """Each field whose timescale contradicts another, with the contradiction in words; empty when they agree.
    Only called once every figure is present and positive and the working day is sound."""
    starts = _starts(hub)
    ratings, partners, decision = _ratings(hub), _partners(hub), _decision(hub)
    pairs = [(ratings[i], ratings[i + 1]) for i in range(2)]
    pairs += [(partners[i], partners[i + 1]) for i in range(2)]
    pairs += list(zip(partners, ratings, strict=True))
    errors: dict[str, str] = {}
    for urgent, other in pairs:
        if urgent.field not in errors and (said := _later(hub, urgent, other, starts)):
            errors[urgent.field] = said + ". Shorten one or lengthen the other."
    for rating in ratings:
        if "decision_working_days" not in errors and (said := _later(hub, rating, decision, starts)):
            errors["decision_working_days"] = (
                f"{said}. Every referral is to be decided by the decision deadline: allow more working days for the "
                f"decision or shorten {rating.name}."
            )
    return errors
