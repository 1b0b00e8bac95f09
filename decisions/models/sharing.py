"""Consent and sharing decisions on a referral (issue 19, part 2): whether the parent or carer (or the adult) was told
of the referral and agreed, and if not why; each decision to share without consent, with its rationale and lawful
basis; each decision not to share a piece of information; and the manager's override of either, with a reason.

Nothing here is edited: a later consent record supersedes the earlier ones (all kept, the newest is the current one),
and an override is written once on the decision it overrides. Every row is written by `decisions.services.sharing`,
with its audit event."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from decisions.models import LawfulBasis
from mash.errors import Conflict
from referrals.models import Referral


class NotAgreedReason(models.TextChoices):
    AT_RISK = "would_place_at_risk", _("Telling them or asking would place the child or adult at risk")
    NOT_CONTACTED = "could_not_contact", _("They could not be contacted")
    LACKS_CAPACITY = "lacks_capacity", _("The adult lacks capacity to agree")
    OTHER = "other", _("Another reason")


class ConsentRecord(models.Model):
    """What the practitioner recorded about telling the family (or the adult) and their agreement, at one time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consent_records")
    told = models.BooleanField(help_text=_("The parent or carer (or the adult) was told of the referral"))
    agreed = models.BooleanField(help_text=_("They agreed to the referral and to information being shared"))
    reason = models.CharField(max_length=30, choices=NotAgreedReason.choices, blank=True)
    reason_detail = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(told=True, agreed=True) & Q(reason="")) | (Q(agreed=False) & ~Q(reason="")),
                name="consent_reason_when_not_agreed",
                violation_error_message="Give the reason when they were not told or did not agree",
            ),
        ]

    def __str__(self):
        return f"Consent on {self.referral}"

    @property
    def reason_words(self) -> str:
        """The reason as a person reads it: the choice's words, or the practitioner's own for another reason."""
        if self.reason == NotAgreedReason.OTHER:
            return self.reason_detail
        label = str(NotAgreedReason(self.reason).label) if self.reason else ""
        return f"{label}: {self.reason_detail}" if label and self.reason_detail else label


class SharingKind(models.TextChoices):
    WITHOUT_CONSENT = "without_consent", _("Share without consent")
    NOT_TO_SHARE = "not_to_share", _("Not to share")


class SharingDecision(models.Model):
    """A decision to share a piece of information without consent (with its lawful basis), or not to share it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="sharing_decisions")
    kind = models.CharField(max_length=20, choices=SharingKind.choices)
    what = models.TextField(help_text=_("The information shared, or not shared"))
    with_whom = models.CharField(max_length=200)
    rationale = models.TextField()
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="not_to_share") | ~Q(lawful_basis=""),
                name="sharing_without_consent_has_lawful_basis",
                violation_error_message="Choose the lawful basis for sharing without consent",
            ),
            models.CheckConstraint(
                condition=Q(overridden_at__isnull=True) | ~Q(override_reason=""),
                name="sharing_override_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.referral}"

    @property
    def overridden(self) -> bool:
        return self.overridden_at is not None

    def can_override(self) -> bool:
        return not self.overridden

    def override(self, *, by, reason: str, at) -> None:
        """The manager overrides the decision, once, with a reason: the decision and the override both stay."""
        if not self.can_override():
            raise Conflict(gettext("This decision has already been overridden"))
        SharingDecision.objects.filter(pk=self.pk, overridden_at=None).update(
            overridden_by=by, overridden_at=at, override_reason=reason
        )
        self.overridden_by, self.overridden_at, self.override_reason = by, at, reason
