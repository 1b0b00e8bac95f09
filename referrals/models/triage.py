"""Thresholds, screenings, deadlines and their notifications: the triage half of the referral app.

The deadline table is the source of truth for timeliness. Celery only makes the sweep punctual: a sweep that runs
late still finds every row that fell due (referrals/triage.py `deadlines_sweep`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Hub
from mash.words import possessive
from referrals.models.intake import Rating, Referral, ReferralCohort


class ThresholdVersion(models.Model):
    """One published version of a hub's needs thresholds for a cohort: levels with criteria in local wording.
    Never changed once published; a screening keeps the version it used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="threshold_versions")
    cohort = models.CharField(max_length=10, choices=ReferralCohort.choices)
    number = models.PositiveSmallIntegerField()
    # [{"code": "early_help", "name": "Early help", "criteria": [{"code": "eh1", "text": "…"}, …]}, …] lowest first
    levels = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hub", "cohort", "-number"]
        constraints = [models.UniqueConstraint(fields=["hub", "cohort", "number"], name="one_threshold_version_number")]

    def __str__(self):
        return f"{self.hub} {self.cohort} thresholds v{self.number}"

    def level(self, code: str) -> dict | None:
        return next((level for level in self.levels if level["code"] == code), None)

    def criteria_codes(self) -> dict[str, str]:
        """Each criterion's code and the level it belongs to."""
        return {c["code"]: level["code"] for level in self.levels for c in level["criteria"]}


class ScreeningKind(models.TextChoices):
    SCREENING = "screening", _("Screening")
    RE_RATING = "re_rating", _("Re-rating by the manager")


class Screening(models.Model):
    """A practitioner's screening of a referral against the thresholds, or a manager's change of its rating."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="screenings")
    kind = models.CharField(max_length=10, choices=ScreeningKind.choices)
    threshold_version = models.ForeignKey(ThresholdVersion, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=40)
    criteria = models.JSONField(default=list)
    rating = models.CharField(max_length=10, choices=Rating.choices)
    rationale = models.TextField()
    immediate_risk = models.BooleanField(
        default=False, help_text=_("Whether the screening found anyone at immediate risk.")
    )
    confirm_reason = models.TextField(
        blank=True,
        help_text=_(
            "The acting manager's reason for lowering the concern or confirming a screening that looked contradictory."
        ),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["referral", "at"]

    def __str__(self):
        return f"{self.referral} {self.kind} {self.rating}"


class DeadlineKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    RATING = "rating", _("Rating timescale")
    REQUEST = "request", _("Agency's information")
    ACTION = "action", _("Agreed action")
    OUTCOME_NOTICE = "outcome", _("Telling the referrer the outcome")
    STRATEGY = "strategy", _("Strategy discussion")  # after a Red rating, within the hub's strategy_discussion_hours


# A referral has at most one open deadline of each of these kinds; requests and actions have one each of their own.
SINGLE_KINDS = (DeadlineKind.DECISION, DeadlineKind.RATING)


# What a reader of deadlines selects with them so that each names its agency (Deadline.label) in the same query.
DEADLINE_OWNERS = ("information_request__agency", "agreed_action__owner", "strategy_action__owner")


class DeadlineState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


class DeadlineQuerySet(models.QuerySet):
    """A deadline's lifecycle, for a set of rows at once: open → met, cancelled or breached, and warned once while
    open. Only open rows move; the number moved is returned (a row no longer open stays as it was)."""

    ENDS = ("met", "cancelled", "breached")

    def close(self, state: str, at) -> int:
        if state not in self.ENDS:
            raise ValueError(f"a deadline ends met, cancelled or breached, not {state!r}")
        return self.filter(state=DeadlineState.OPEN).update(state=state, closed_at=at)

    def warn(self, at) -> int:
        return self.filter(state=DeadlineState.OPEN, warned_at=None).update(warned_at=at)


class Deadline(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    starts_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    warned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was met, breached or cancelled"))

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The sweep's two questions, each a range scan of open rows only.
            models.Index(fields=["due_at"], name="deadline_open_due", condition=Q(state="open")),
            models.Index(fields=["warn_at"], name="deadline_open_unwarned", condition=Q(state="open", warned_at=None)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=Q(state="open", kind__in=["decision", "rating"]),
                name="one_open_deadline_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.referral} {self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def owner_name(self) -> str:
        """The agency whose deadline this is: the agency asked for information, or the agency owning an agreed
        action (a decision's or a strategy discussion's: the decisions app's rows point at their deadline); empty for the hub's own deadlines. Readers that
        list deadlines select_related("information_request__agency", "agreed_action__owner")."""
        for relation, agency in (
            ("information_request", "agency"),
            ("agreed_action", "owner"),
            ("strategy_action", "owner"),
        ):
            try:
                return getattr(getattr(self, relation), agency).name
            except models.ObjectDoesNotExist:
                continue
        return ""

    @property
    def label(self) -> str:
        """Whose deadline it is and for what, in words: "Northshire Police's information, Amber", "Children's
        Services' agreed action", "Decision", "Amber timescale"."""
        rating = str(self.get_rating_display()) if self.rating else ""
        if self.kind == DeadlineKind.RATING:
            return gettext("%(rating)s timescale") % {"rating": rating} if rating else gettext("Rating timescale")
        if self.kind in (DeadlineKind.REQUEST, DeadlineKind.ACTION) and (owner := self.owner_name):
            if self.kind == DeadlineKind.REQUEST:
                label = gettext("%(agency)s information") % {"agency": possessive(owner)}
            else:
                label = gettext("%(agency)s agreed action") % {"agency": possessive(owner)}
        else:
            label = str(self.get_kind_display())
        return f"{label}, {rating}" if rating else label


class NoticeKind(models.TextChoices):
    WARNING = "warning", _("Deadline approaching")
    BREACH = "breach", _("Deadline breached")
    IMMEDIATE = "immediate", _("Someone at immediate risk")


class Notice(models.Model):
    """The outbox: at most one notice per deadline and kind, written in the sweep's transaction. Delivery turns it
    into an in-app notification per recipient and an email (`notices_deliver`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["deadline", "kind"], name="one_notice_per_deadline_kind")]
        indexes = [models.Index(fields=["created_at"], name="notice_undelivered", condition=Q(delivered_at=None))]

    def __str__(self):
        return f"{self.kind} {self.deadline}"


class ReferrerNews(models.TextChoices):
    """What an email to the referrer (not a user of the service) tells: referrals/acknowledgement.py."""

    RECEIVED = "received", _("The referral was received")
    OUTCOME = "outcome", _("The outcome")


class Notification(models.Model):
    """One person's in-app copy of a notice (or of a decision's news); the email goes out while `emailed_at` is
    empty. A referrer's email (`about` set) has an `address` and its `body` instead of a recipient."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The deadline's notice this copies; none for a notification about a decision (returned, signed off).
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    about = models.CharField(max_length=10, choices=ReferrerNews.choices, blank=True)
    address = models.EmailField(blank=True)
    body = models.TextField(blank=True)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "recipient"], name="one_notification_per_recipient"),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, about="") | Q(recipient=None, about__in=["received", "outcome"]),
                name="notification_to_a_user_or_a_referrer",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self):
        return self.subject


class SweepRun(models.Model):
    """The sweep's heartbeat, in the database it sweeps: the manager dashboard warns when it is stale."""

    name = models.CharField(max_length=40, primary_key=True)
    last_run_at = models.DateTimeField()
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name} {self.last_run_at}"
