"""The hub's core documents (information sharing agreement, data protection protocol, thresholds, accountability
process), their versions and the agencies' signatures."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models.agencies import Agency
from agencies.models.hub import Hub
from agencies.storage import attachment_storage


class DocumentKind(models.TextChoices):
    INFORMATION_SHARING_AGREEMENT = "isa", _("Information sharing agreement")
    DATA_PROTECTION_PROTOCOL = "dpp", _("Data protection protocol")
    NEEDS_THRESHOLDS = "thresholds", _("Needs thresholds")
    ACCOUNTABILITY_PROCESS = "accountability", _("Accountability process")


class CoreDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "kind"],
                name="one_document_per_kind_and_hub",
                violation_error_message=_("The hub already has a document of this kind: publish a new version of it"),
            )
        ]

    def __str__(self):
        return self.title

    def version_in_force(self, on: date) -> "DocumentVersion | None":
        """The newest version whose effective date has come; later versions supersede earlier ones."""
        return self.versions.filter(effective_from__lte=on).order_by("-effective_from").first()


def document_upload_path(instance, filename):
    return f"documents/{instance.document.hub_id}/{instance.document_id}/{uuid.uuid4()}"


class DocumentVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(CoreDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    # The file, checked and scanned like every upload (mash/uploads.py), in the attachments storage; served only by
    # the document download view, through the policy (Action.DOCUMENT_VIEW).
    file = models.FileField(upload_to=document_upload_path, storage=attachment_storage, blank=True, max_length=200)
    file_name = models.CharField(max_length=160, blank=True, help_text=_("The original name, sanitised"))
    file_type = models.CharField(max_length=100, blank=True, help_text=_("Detected from the content"))
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    effective_from = models.DateField()
    review_due = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="version_numbers_unique",
                violation_error_message=_("This version number is already used"),
            ),
            models.UniqueConstraint(
                fields=["document", "effective_from"],
                name="one_version_per_effective_date",
                violation_error_message=_("Another version already takes effect on this date"),
            ),
            models.CheckConstraint(
                condition=Q(review_due__gt=models.F("effective_from")),
                name="review_after_effect",
                violation_error_message=_("The review date must be after the effective date"),
            ),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""),
                name="version_has_text_or_file",
                violation_error_message=_("Enter the document's text or upload a file"),
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class Signature(models.Model):
    """An agency's signature of one version of a core document: who signed, when, for which agency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="signatures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signatures")
    signatory_name = models.CharField(max_length=120)
    signatory_role = models.CharField(max_length=120)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "agency"],
                name="one_signature_per_agency_version",
                violation_error_message=_("This agency has already signed this version"),
            )
        ]

    def __str__(self):
        return f"{self.agency} signed {self.version} on {self.signed_on}"
