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
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mash.workinghours import due_after

WEEK_OF = date(2025, 3, 3)  # a Monday; that week has no bank holiday and no change of the clocks
RATINGS = ("red", "amber", "green")
RATING_NAMES = {"red": _("Red"), "amber": _("Amber"), "green": _("Green")}
# "for a referral received on a Friday at 16:00": the day with its time, whole, so each language can shape it.
ON_A_DAY = [
    _("a Monday at %(time)s"),
    _("a Tuesday at %(time)s"),
    _("a Wednesday at %(time)s"),
    _("a Thursday at %(time)s"),
    _("a Friday at %(time)s"),
    _("a Saturday at %(time)s"),
    _("a Sunday at %(time)s"),
]


class Timescale(NamedTuple):
    field: str  # the form field an error belongs to
    name: str  # in words, in the active language: "Amber", "agencies' information for Amber", "the decision"
    hours: float
    counting: str
    words: str = ""  # how to say it, where not "<name> (<hours> <counting>)"

    def __str__(self) -> str:
        if self.words:
            return self.words
        words = {"name": self.name, "hours": f"{self.hours:g}"}
        count = _count(self.hours)
        if self.counting == "working":
            return ngettext("%(name)s (%(hours)s working hour)", "%(name)s (%(hours)s working hours)", count) % words
        return ngettext("%(name)s (%(hours)s clock hour)", "%(name)s (%(hours)s clock hours)", count) % words


def _count(number: float) -> int:
    """The count that chooses a plural for `number`: itself when whole, else one that reads as a plural (1.5 hours)."""
    return int(number) if float(number).is_integer() else 0


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
    return ON_A_DAY[local.weekday()] % {"time": f"{local:%H:%M}"}


def _span(delta: timedelta) -> str:
    days, hours = delta.days, round(delta.seconds / 3600, 2)
    parts = [ngettext("%(days)s day", "%(days)s days", days) % {"days": days}] if days else []
    if hours or not days:
        parts.append(ngettext("%(hours)s hour", "%(hours)s hours", _count(hours)) % {"hours": f"{hours:g}"})
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
    said = gettext(
        "%(urgent)s can end later than %(other)s: for a referral received on %(when)s, %(urgent_name)s is due "
        "%(urgent_span)s later and %(other_name)s %(other_span)s later"
    ) % {
        "urgent": urgent,
        "other": other,
        "when": _when(start),
        "urgent_name": urgent.name,
        "urgent_span": _span(a - start),
        "other_name": other.name,
        "other_span": _span(b - start),
    }
    return said[:1].upper() + said[1:]


def _ratings(hub) -> list[Timescale]:
    return [
        Timescale(f"{r}_hours", str(RATING_NAMES[r]), getattr(hub, f"{r}_hours"), getattr(hub, f"{r}_counting"))
        for r in RATINGS
    ]


def _partners(hub) -> list[Timescale]:
    return [
        Timescale(
            f"{r}_partner_hours",
            gettext("agencies' information for %(rating)s") % {"rating": RATING_NAMES[r]},
            getattr(hub, f"{r}_partner_hours"),
            getattr(hub, f"{r}_counting"),
        )
        for r in RATINGS
    ]


def _decision(hub) -> Timescale:
    day = datetime.combine(WEEK_OF, hub.working_day_ends) - datetime.combine(WEEK_OF, hub.working_day_starts)
    hours = day.total_seconds() / 3600 * hub.decision_working_days
    days = hub.decision_working_days
    words = ngettext(
        "the decision deadline (%(days)s working day after receipt)",
        "the decision deadline (%(days)s working days after receipt)",
        days,
    ) % {"days": days}
    return Timescale("decision_working_days", gettext("the decision"), hours, "working", words)


def contradictions(hub) -> dict[str, str]:
    """Each field whose timescale contradicts another, with the contradiction in words (the active language's); empty
    when they agree.
    Only called once every figure is present and positive and the working day is sound."""
    starts = _starts(hub)
    ratings, partners, decision = _ratings(hub), _partners(hub), _decision(hub)
    pairs = [(ratings[i], ratings[i + 1]) for i in range(2)]
    pairs += [(partners[i], partners[i + 1]) for i in range(2)]
    pairs += list(zip(partners, ratings, strict=True))
    errors: dict[str, str] = {}
    for urgent, other in pairs:
        if urgent.field not in errors and (said := _later(hub, urgent, other, starts)):
            errors[urgent.field] = gettext("%(said)s. Shorten one or lengthen the other.") % {"said": said}
    for rating in ratings:
        if "decision_working_days" not in errors and (said := _later(hub, rating, decision, starts)):
            errors["decision_working_days"] = gettext(
                "%(said)s. Every referral is to be decided by the decision deadline: allow more working days for the "
                "decision or shorten %(rating)s."
            ) % {"said": said, "rating": rating.name}
    return errors
