"""Case notes: dated, authored notes on a referral or on a household (a phone call, a visit, research, or the
manager's oversight). A note is never edited: a correction is a new note that points to the one it corrects, and
the page shows the original struck through beside it. Written only by decisions/services/notes.py."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Hub
from referrals.models import Household, Referral


class NoteKind(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    VISIT = "visit", _("Visit")
    RESEARCH = "research", _("Research")
    MANAGEMENT_OVERSIGHT = "management_oversight", _("Management oversight")


class CaseNote(models.Model):
    """One note on one referral or one household (never both): what happened when, in the author's words."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="case_notes")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notes")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, null=True, blank=True, related_name="notes")
    kind = models.CharField(max_length=24, choices=NoteKind.choices)
    occurred_at = models.DateTimeField(help_text=_("When what the note records happened"))
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    # A correction points to the note it corrects; a note is corrected once (a correction may itself be corrected).
    corrects = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction")

    class Meta:
        ordering = ["occurred_at", "written_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False, household__isnull=True)
                | Q(referral__isnull=True, household__isnull=False),
                name="case_note_on_a_referral_or_a_household",
            )
        ]
        indexes = [models.Index(fields=["referral", "occurred_at"]), models.Index(fields=["household", "occurred_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} note of {self.occurred_at:%d %B %Y %H:%M}"

    @property
    def on(self):
        """The referral or household the note is on."""
        return self.referral if self.referral_id else self.household
