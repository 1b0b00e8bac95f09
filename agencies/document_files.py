"""Core documents' files go the same way as case attachments: checked by mash/uploads.py (size, type by content,
ClamAV) before the version is written, stored in the attachments storage, and served only by the download view
through the policy (`Action.DOCUMENT_VIEW`), each download audited (document.downloaded). A refusal is audited
(attachment.refused, on_type "document") in a transaction of its own; the file is never kept."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404

from agencies.models import CoreDocument, DocumentVersion
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.attachment_payloads import AttachmentFacts, AttachmentRefused
from audit.services import record
from mash.uploads import CheckedFile, UploadRefused, check_upload


def document_file_check(*, document: CoreDocument, upload) -> CheckedFile:
    try:
        return check_upload(upload, field="file")
    except UploadRefused as refused:
        with transaction.atomic():
            record(AuditAction.ATTACHMENT_REFUSED, hub=document.hub_id, object_type="agencies.coredocument",
                   object_id=document.pk,
                   payload=AttachmentRefused(on_type="document", on_id=str(document.pk), size=upload.size,
                                             reason=refused.reason, threat=refused.threat))  # fmt: skip
        raise


def document_file_attach(version: DocumentVersion, checked: CheckedFile) -> None:
    """Put the checked file on the version (not yet saved: the caller saves it in its transaction)."""
    version.file.save(checked.name, ContentFile(checked.data), save=False)
    version.file_name, version.file_type = checked.name, checked.content_type
    version.file_size, version.file_sha256 = checked.size, checked.sha256


def _facts(version: DocumentVersion) -> AttachmentFacts:
    return AttachmentFacts(on_type="document", on_id=str(version.document_id), content_type=version.file_type,
                           size=version.file_size or 0, sha256=version.file_sha256)  # fmt: skip


def document_file_download(*, version: DocumentVersion, access) -> bytes:
    """The version's file for a member of the hub (404 otherwise, or when it has no file), audited."""
    require(access, Action.DOCUMENT_VIEW, version)
    if not version.file:
        raise Http404("This version has no file")
    with version.file.open("rb") as handle:
        data = handle.read()
    with transaction.atomic():
        record(AuditAction.DOCUMENT_DOWNLOADED, hub=version.document.hub_id, obj=version, payload=_facts(version))
    return data
