"""A hub: the national standard's defined MASH, with its cohorts, working day and RAG timescales."""

import uuid
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.timescales import RATINGS, contradictions

# Monday = 0, as the hub keeps its working days: Django's own names of the days, in the active language.
WEEKDAYS = [DAY_NAMES[day] for day in range(7)]


class Cohort(models.TextChoices):
    CHILDREN = "children", _("Children")
    ADULTS = "adults", _("Adults")
    BOTH = "both", _("Children and adults")


class Procedures(models.TextChoices):
    """The safeguarding procedures a hub works under: they name its default thresholds and its outcomes."""

    ENGLAND = "england", _("England: Working Together 2023 and the Care Act 2014")
    WALES = (
        "wales",
        _("Wales: the Wales Safeguarding Procedures and the Social Services and Well-being (Wales) Act 2014"),
    )


class Counting(models.TextChoices):
    CLOCK = "clock", _("Clock hours (24/7)")
    WORKING = "working", _("Working hours")


class Hub(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text=_("Short name used in group names and exports."))
    area = models.CharField(max_length=200, blank=True, help_text=_("The local authority area or areas served."))
    cohorts = models.CharField(max_length=10, choices=Cohort.choices, default=Cohort.BOTH)
    working_day_starts = models.TimeField(default=time(9, 0))
    working_day_ends = models.TimeField(default=time(17, 0))
    working_days = models.JSONField(default=list, help_text=_("Weekday numbers, Monday = 0."))
    red_hours = models.PositiveSmallIntegerField(default=4)
    red_counting = models.CharField(max_length=10, choices=Counting.choices, default=Counting.CLOCK)
    amber_hours = models.PositiveSmallIntegerField(default=6)
    amber_counting = models.CharField(max_length=10, choices=Counting.choices, default=Counting.WORKING)
    green_hours = models.PositiveSmallIntegerField(default=8)
    green_counting = models.CharField(max_length=10, choices=Counting.choices, default=Counting.WORKING)
    # Defaults agree with each other and with a decision in one working day (agencies/timescales.py): a hub with
    # longer timescales (Surrey: Amber 24 working hours, Green 72) allows more working days for the decision.
    # Partners' information is due this many hours after a request (Merton: 2, 6 and 24), counted as the rating is.
    red_partner_hours = models.PositiveSmallIntegerField(default=2)
    amber_partner_hours = models.PositiveSmallIntegerField(default=4)
    green_partner_hours = models.PositiveSmallIntegerField(default=6)
    immediate_risk_hours = models.PositiveSmallIntegerField(
        default=1,
        help_text=_("Clock hours from receipt to a decision when someone is at immediate risk of harm."),
    )
    decision_working_days = models.PositiveSmallIntegerField(
        default=1, help_text=_("Working days from receipt to a decision (Working Together 2023: one).")
    )
    officer_access_days = models.PositiveSmallIntegerField(
        default=7,
        help_text=_("Days after the decision is signed off that an asked agency still sees the referral's people."),
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        default=75, help_text=_("Warn the assignee and the manager when this share of a deadline's time has passed.")
    )
    late_referral_days = models.PositiveSmallIntegerField(
        default=30,
        help_text=_("How many days back a referral's time received may be, when an agency or a practitioner sends it."),
    )
    # Working Together 2023 sets no hour; local procedures commonly ask for a strategy discussion within three working
    # days of the concern. Counted in clock hours from the Red rating, 72 by default, so a weekend never stretches it.
    strategy_discussion_hours = models.PositiveSmallIntegerField(
        default=72, help_text=_("Clock hours after a Red rating within which a strategy discussion must be held.")
    )
    # A handover not acknowledged by the receiving service this many working hours after it was sent shows on the
    # manager's dashboard (4: half a working day).
    handover_ack_hours = models.PositiveSmallIntegerField(
        default=4,
        help_text=_("Working hours after a handover is sent within which the receiving service should acknowledge it."),
    )
    # The language of what the hub sends and files: its emails and, by default, its returns (docs/adr/0027). What a
    # person reads on a page is in the language they chose.
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en-gb",
        help_text=_("The language of the hub's emails and, unless asked otherwise, of its monthly returns."),
    )
    # Issue 22: a hub in Wales works under the Wales Safeguarding Procedures: its default thresholds and its
    # outcomes' words are theirs (a child or an adult at risk, the duty to report: referrals/default_thresholds.py,
    # decisions/models/outcomes.py). The codes are the same, so returns count both alike.
    procedures = models.CharField(
        max_length=10,
        choices=Procedures.choices,
        default=Procedures.ENGLAND,
        help_text=_("The safeguarding procedures whose words the hub's default thresholds and its outcomes use."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_day_ends__gt=models.F("working_day_starts")),
                name="hub_working_day_order",
                violation_error_message=_("The working day must end after it starts"),
            ),
            models.CheckConstraint(
                condition=Q(red_hours__gt=0)
                & Q(amber_hours__gt=0)
                & Q(green_hours__gt=0)
                & Q(red_partner_hours__gt=0)
                & Q(amber_partner_hours__gt=0)
                & Q(green_partner_hours__gt=0)
                & Q(immediate_risk_hours__gt=0),
                name="hub_timescales_positive",
                violation_error_message=_("Each RAG timescale must be at least one hour"),
            ),
            models.CheckConstraint(
                condition=Q(officer_access_days__lte=90),
                name="hub_officer_access_at_most_90_days",
                violation_error_message=_("Agencies keep access for at most 90 days after the decision"),
            ),
            models.CheckConstraint(
                condition=Q(decision_working_days__gte=1) & Q(warn_at_percent__gte=1) & Q(warn_at_percent__lte=99),
                name="hub_decision_days_and_warning_share",
                violation_error_message=_("Allow at least one working day for a decision and warn at 1 to 99 per cent"),
            ),
            models.CheckConstraint(
                condition=Q(late_referral_days__gte=1) & Q(late_referral_days__lte=365),
                name="hub_late_referral_days_range",
                violation_error_message=_("Take late referrals for 1 to 365 days"),
            ),
            models.CheckConstraint(
                condition=Q(strategy_discussion_hours__gte=1) & Q(strategy_discussion_hours__lte=720),
                name="hub_strategy_discussion_hours_range",
                violation_error_message=_("Allow 1 to 720 hours for a strategy discussion"),
            ),
            models.CheckConstraint(
                condition=Q(handover_ack_hours__gte=1) & Q(handover_ack_hours__lte=200),
                name="hub_handover_ack_hours_range",
                violation_error_message=_("Allow 1 to 200 working hours for a handover to be acknowledged"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.working_days:
            self.working_days = [0, 1, 2, 3, 4]
        super().save(*args, **kwargs)

    def clean(self):
        days = self.working_days
        if (
            not isinstance(days, list)
            or not days
            or any(d not in range(7) for d in days)
            or len(set(days)) != len(days)
        ):
            raise ValidationError({"working_days": _("Choose at least one working day")})
        if self.working_day_starts and self.working_day_ends and self.working_day_ends <= self.working_day_starts:
            raise ValidationError({"working_day_ends": _("The working day must end after it starts")})
        figures = [getattr(self, f"{r}_{f}") for r in RATINGS for f in ("hours", "partner_hours")]
        complete = all(figures) and self.decision_working_days and all(getattr(self, f"{r}_counting") for r in RATINGS)
        if complete and (errors := contradictions(self)):
            raise ValidationError(errors)

    @property
    def working_days_display(self) -> str:
        return ", ".join(str(WEEKDAYS[d]) for d in sorted(self.working_days))

    def timescales(self) -> list[tuple[str, int, str, int]]:
        """(rating, hours, counting label, partners' hours) for Red, Amber and Green, in that order."""
        return [
            (gettext("Red"), self.red_hours, self.get_red_counting_display(), self.red_partner_hours),
            (gettext("Amber"), self.amber_hours, self.get_amber_counting_display(), self.amber_partner_hours),
            (gettext("Green"), self.green_hours, self.get_green_counting_display(), self.green_partner_hours),
        ]
