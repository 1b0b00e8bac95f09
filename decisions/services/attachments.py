"""Attachments: a file checked (size, type by content, ClamAV) by mash/uploads.py before anything is written, then
stored through the attachments storage with its facts, on a referral, a contribution or a case note. A refusal is
audited (attachment.refused, with the reason) in a transaction of its own, so it stays on the trail although
nothing else is written; the file itself is never kept. Every download is audited (attachment.downloaded)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.access import access_for, access_for_client
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.attachment_payloads import AttachmentFacts, AttachmentRefused
from audit.services import record
from decisions.models.attachments import Attachment
from mash.uploads import CheckedFile, UploadRefused, check_upload
from referrals.models import Referral


def _on_type(on) -> str:
    return {"Referral": "referral", "Contribution": "contribution", "CaseNote": "note"}.get(type(on).__name__, "")


def upload_check(*, upload, hub, on_type: str, on_id="", field: str = "file", actor_agency=None) -> CheckedFile:
    """The checked file, or UploadRefused (a ValidationError on `field`) once the refusal is on the audit trail."""
    try:
        return check_upload(upload, field=field)
    except UploadRefused as refused:
        with transaction.atomic():
            record(AuditAction.ATTACHMENT_REFUSED, hub=hub, object_type="decisions.attachment", actor_agency=actor_agency,
                   payload=AttachmentRefused(on_type=on_type, on_id=str(on_id or ""), size=upload.size, reason=refused.reason, threat=refused.threat))  # fmt: skip
        raise


def facts(attachment: Attachment) -> AttachmentFacts:
    on = attachment.on
    return AttachmentFacts(on_type=_on_type(on), on_id=str(on.pk), content_type=attachment.content_type, size=attachment.size, sha256=attachment.sha256)  # fmt: skip


def attachments_store(*, on, by=None, client=None, files: list[CheckedFile]) -> list[Attachment]:
    """Store checked files on `on` (a referral, a contribution or a note), inside the caller's transaction, each with
    its attachment.added event. The caller has already checked that `by` (a person) or `client` (an agency's system)
    may write to `on`."""
    stored = []
    hub_id = on.hub_id if hasattr(on, "hub_id") else on.referral.hub_id
    for checked in files:
        attachment = Attachment(hub_id=hub_id, name=checked.name, content_type=checked.content_type,
                                size=checked.size, sha256=checked.sha256, added_by=by, added_by_client=client,
                                added_at=timezone.now(),
                                **{_on_type(on): on})  # fmt: skip
        attachment.file.save(checked.name, ContentFile(checked.data), save=False)
        attachment.save(force_insert=True)
        record(AuditAction.ATTACHMENT_ADDED, hub=hub_id, obj=attachment, payload=facts(attachment),
               actor_agency=client.agency_id if client is not None else None)  # fmt: skip
        stored.append(attachment)
    return stored


def _access(by, client, hub_id):
    return access_for_client(client) if client is not None else access_for(by, hub_id)


def _action(on) -> Action:
    return Action.ATTACHMENT_ADD if isinstance(on, Referral) else Action.CONTRIBUTION_ATTACH


def attachment_check(*, on, upload, by=None, client=None) -> CheckedFile:
    """The first half of attaching a file to a referral (a person of the hub, or the referring agency's system) or to
    a contribution (its agency's system): allowed (404 or Refused otherwise), then checked and scanned (UploadRefused,
    audited). Run it outside any transaction, so that a refusal stays on the trail."""
    hub_id = on.hub_id if isinstance(on, Referral) else on.referral.hub_id
    require(_access(by, client, hub_id), _action(on), on)
    agency = client.agency_id if client is not None else None
    return upload_check(upload=upload, hub=hub_id, on_type=_on_type(on), on_id=on.pk, actor_agency=agency)


def attachment_store(*, on, checked: CheckedFile, by=None, client=None) -> Attachment:
    """The second half: the checked file stored on `on`, allowed again (the same rule) in this transaction."""
    hub_id = on.hub_id if isinstance(on, Referral) else on.referral.hub_id
    require(_access(by, client, hub_id), _action(on), on)
    with transaction.atomic():
        return attachments_store(on=on, by=by, client=client, files=[checked])[0]


def attachment_add(*, referral: Referral, upload, by=None, client=None) -> Attachment:
    """Attach a file to a referral: checked and scanned first (a refusal raises UploadRefused), then stored."""
    checked = attachment_check(on=referral, upload=upload, by=by, client=client)
    return attachment_store(on=referral, checked=checked, by=by, client=client)


def attachment_download(*, attachment: Attachment, access) -> bytes:
    """The file's bytes for someone the policy lets see it (404 otherwise), with its attachment.downloaded event."""
    require(access, Action.ATTACHMENT_VIEW, attachment)
    with attachment.file.open("rb") as handle:
        data = handle.read()
    with transaction.atomic():
        record(AuditAction.ATTACHMENT_DOWNLOADED, hub=attachment.hub_id, obj=attachment, payload=facts(attachment),
               actor_agency=next(iter(access.agency_ids), None) if access.user is None else None)  # fmt: skip
    return data
