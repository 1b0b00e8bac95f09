"""Strategy discussions (Working Together 2023 4.96-4.101; Care Act statutory guidance 14.76-14.79): the police,
social care and health meet or speak about a Red referral and decide whether a section 47 (children) or section 42
(adults) enquiry starts. A discussion without a required agency is flagged and counts as complete only once the
accountable manager has recorded why it went ahead without it.

Kept apart from decisions/models.py (near 500 lines); models.py imports these so that Django finds them. Nothing here
imports decisions.models (the contributions are named by their label), so there is no cycle.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind
from mash.errors import Conflict
from referrals.models import Deadline, Referral


class StrategyMode(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Phone call")
    VIRTUAL = "virtual", _("Virtual meeting")


class StrategyDecision(models.TextChoices):
    S47_SINGLE = "s47_single_agency", _("Section 47 enquiry by children's social care alone")
    S47_JOINT = "s47_joint_police", _("Section 47 enquiry jointly with the police")
    NO_S47 = "no_s47", _("No section 47 enquiry")
    IMMEDIATE_PROTECTION = "immediate_protection", _("Immediate protective action")
    S42 = "s42_enquiry", _("Section 42 enquiry")
    OTHER_ENQUIRY = "other_enquiry", _("Other safeguarding enquiry")
    NO_ENQUIRY = "no_enquiry", _("No safeguarding enquiry")


STRATEGY_DECISIONS = {
    "child": [StrategyDecision.S47_SINGLE, StrategyDecision.S47_JOINT, StrategyDecision.NO_S47,
              StrategyDecision.IMMEDIATE_PROTECTION],
    "adult": [StrategyDecision.S42, StrategyDecision.OTHER_ENQUIRY, StrategyDecision.NO_ENQUIRY],
}  # fmt: skip
REASON_NEEDED = {StrategyDecision.NO_S47, StrategyDecision.NO_ENQUIRY}
S47_DECISIONS = {StrategyDecision.S47_SINGLE, StrategyDecision.S47_JOINT}

# Who must take part, by cohort; education is recommended (named on the page, never flagged).
REQUIRED_KINDS = {
    "child": [AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.HEALTH],
    "adult": [AgencyKind.POLICE, AgencyKind.ADULT_SOCIAL_CARE, AgencyKind.HEALTH],
}
RECOMMENDED_KINDS = [AgencyKind.EDUCATION]
# The joint decisions (decisions.models ChildOutcome, AdultOutcome codes) whose next step is a strategy discussion: the
# one due after a Red rating stays due when the referral closes with one of them.
STRATEGY_OUTCOMES = {"s47_strategy", "s42_enquiry"}


def decision_choices(cohort: str) -> list[tuple[str, str]]:
    return [(d.value, d.label) for d in STRATEGY_DECISIONS.get(cohort, [])]


class StrategyDiscussion(models.Model):
    """One strategy discussion about a referral: when and how it was held, who took part, what was shared, what was
    decided (with the reason for no enquiry, and the day a section 47 enquiry started), and the actions agreed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="strategy_discussions")
    held_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=StrategyMode.choices)
    shared = models.ManyToManyField("decisions.Contribution", related_name="strategy_discussions", blank=True)
    decision = models.CharField(max_length=30, choices=StrategyDecision.choices)
    reason = models.TextField(blank=True, help_text=_("Why no enquiry follows (required for those decisions)"))
    s47_started_on = models.DateField(
        null=True, blank=True, help_text=_("Annex A List 5: when the s47 enquiry started")
    )
    # The required agency kinds that did not take part, as recorded (codes of AgencyKind).
    missing_kinds = models.JSONField(default=list, blank=True)
    manager_reason = models.TextField(blank=True)
    manager_reason_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    manager_reason_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_at"]

    def __str__(self):
        return f"Strategy discussion on {self.referral} at {self.held_at:%Y-%m-%d %H:%M}"

    @property
    def flagged(self) -> bool:
        return bool(self.missing_kinds)

    @property
    def complete(self) -> bool:
        return not self.missing_kinds or bool(self.manager_reason)

    @property
    def missing_labels(self) -> list[str]:
        return [str(AgencyKind(k).label) if k in AgencyKind.values else k for k in self.missing_kinds]

    def can_give_reason(self) -> bool:
        return self.flagged and not self.manager_reason

    def give_reason(self, *, reason: str, by, at) -> None:
        """The manager says why the discussion went ahead without a required agency: once."""
        if not self.flagged:
            raise Conflict(gettext("Every required agency took part: no reason is needed"))
        if self.manager_reason:
            raise Conflict(gettext("The manager has already given the reason"))
        StrategyDiscussion.objects.filter(pk=self.pk, manager_reason="").update(
            manager_reason=reason, manager_reason_by=by, manager_reason_at=at
        )
        self.manager_reason, self.manager_reason_by, self.manager_reason_at = reason, by, at


class StrategyParticipant(models.Model):
    """Someone who took part: their agency, and their role or name as they gave it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency__name", "role"]

    def __str__(self):
        return f"{self.agency}: {self.role}"


class StrategyAction(models.Model):
    """An action agreed in a strategy discussion. Not an AgreedAction: those belong to a signed-off joint decision,
    and are tracked only once it is signed; a strategy discussion's actions stand from the discussion."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="strategy_actions")
    description = models.TextField()
    due_on = models.DateField()
    # Due at the end of its day (the deadline machinery warns and breaches it like a decision's action).
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="strategy_action"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.owner}: {self.description[:40]} by {self.due_on}"

    def can_complete(self) -> bool:
        return self.completed_at is None

    def complete(self, *, by, at) -> None:
        """Done, once."""
        if self.completed_at:
            raise Conflict(gettext("This action is already done"))
        StrategyAction.objects.filter(pk=self.pk, completed_at=None).update(completed_at=at, completed_by=by)
        self.completed_at, self.completed_by = at, by
