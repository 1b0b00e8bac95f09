"""Handovers (issue 19, part 6): after sign-off, an outcome that passes the case to the service that will work it
(children's social care for a child, adult social care for an adult) goes to that service as a handover package,
and the service acknowledges it. Kept apart from decisions/models/__init__.py (near 500 lines), which imports it.

A handover is written in the sign-off's transaction (state `sent`: the package is in the outbox, on its way through
the receiving agency's webhooks) and moves once to `acknowledged`, by the receiving agency's system or officer.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Hub
from mash.lifecycle import move
from referrals.models import Referral


class HandoverState(models.TextChoices):
    SENT = "sent", _("Not yet acknowledged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class Handover(models.Model):
    """One signed decision's handover to the receiving agency: the package as sent (a versioned JSON document,
    decisions/handover.py), when it was sent and is due to be acknowledged, and who acknowledged it when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="handovers")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="handovers")
    decision = models.OneToOneField("decisions.Decision", on_delete=models.CASCADE, related_name="handover")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="handovers_received")
    package = models.JSONField()
    state = models.CharField(max_length=14, choices=HandoverState.choices, default=HandoverState.SENT)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    # When it shows on the manager's dashboard if still unacknowledged (the hub's handover_ack_hours, working hours).
    ack_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_by_client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["hub", "ack_due_at"], name="handover_unacknowledged", condition=models.Q(state="sent"))
        ]

    def __str__(self):
        return f"Handover of {self.referral} to {self.agency}"

    @property
    def acknowledged(self) -> bool:
        return self.state == HandoverState.ACKNOWLEDGED

    @property
    def subject(self) -> dict:
        """The package's child or adult (its `child_details` or `person_details`)."""
        return self.package.get("child_details") or self.package.get("person_details") or {}

    @property
    def acknowledged_by_name(self) -> str:
        """Who acknowledged, in words: the officer's name, or the agency's system."""
        if self.acknowledged_by_id:
            user = self.acknowledged_by
            return user.get_full_name() or user.get_username()
        if self.acknowledged_by_client_id:  # also the API's `acknowledged_by`: in the contract's English
            with translation.override(settings.LANGUAGE_CODE):
                return gettext("%(agency)s's system (%(client)s)") % {
                    "agency": self.agency.name,
                    "client": self.acknowledged_by_client.name,
                }
        return ""

    def acknowledge(self, *, at, by=None, client=None) -> None:
        """The receiving service has the case: once (sent → acknowledged)."""
        move(
            self, field="state", leaves=[HandoverState.SENT], to=HandoverState.ACKNOWLEDGED,
            why=gettext("This handover is already acknowledged"), acknowledged_at=at, acknowledged_by=by,
            acknowledged_by_client=client,
        )  # fmt: skip
