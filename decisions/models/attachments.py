"""Attachments: documents and images on a referral, a contribution or a case note (exactly one of them). Each file
was size-limited, type-checked by its content and scanned by ClamAV before it was stored (mash/uploads.py), in the
attachments storage (agencies/storage.py); it is served only by the download view, through the policy
(`Action.ATTACHMENT_VIEW`: who may see what it belongs to may see the file). Written only by
decisions/services/attachments.py; never changed after it is added."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Hub
from agencies.storage import attachment_storage
from mash.uploads import kind_words, size_words
from referrals.models import Referral


def attachment_path(instance, filename):
    return f"attachments/{instance.hub_id}/{instance.id}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="attachments")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    contribution = models.ForeignKey(
        "decisions.Contribution", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    note = models.ForeignKey(
        "decisions.CaseNote", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    name = models.CharField(max_length=160, help_text=_("The original name, sanitised"))
    content_type = models.CharField(max_length=100, help_text=_("Detected from the content, never from the name"))
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, storage=attachment_storage, max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by_client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The agency's system that attached it through the API"),
    )  # fmt: skip
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False, contribution__isnull=True, note__isnull=True)
                | Q(referral__isnull=True, contribution__isnull=False, note__isnull=True)
                | Q(referral__isnull=True, contribution__isnull=True, note__isnull=False),
                name="attachment_on_one_referral_contribution_or_note",
            ),
            models.CheckConstraint(
                condition=Q(added_by__isnull=False) | Q(added_by_client__isnull=False), name="attachment_has_author"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def on(self):
        """The referral, contribution or note the file belongs to."""
        return self.referral or self.contribution or self.note

    @property
    def author(self) -> str:
        """Who attached it, in words: the person's name, or the agency's system."""
        if self.added_by_id:
            return self.added_by.get_full_name() or self.added_by.get_username()
        return gettext("%(agency)s's system") % {"agency": self.added_by_client.agency}

    @property
    def described(self) -> str:
        """'PDF, 1.2 MB'."""
        return f"{kind_words(self.content_type)}, {size_words(self.size)}"
