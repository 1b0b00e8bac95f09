"""The payloads of attachments' events (kept apart: audit/events/payloads.py is near its size limit). Facts only: a
file's name may name a child, so it stays on the attachment, never in the sealed ledger; the sha256 identifies it."""

from typing import TypedDict

Id = str


class AttachmentFacts(TypedDict):
    on_type: str  # what the file belongs to: "referral", "contribution", "note" or "document" (a core document)
    on_id: Id
    content_type: str  # detected from the content
    size: int
    sha256: str


class AttachmentRefused(TypedDict):
    on_type: str
    on_id: Id  # "" when the file came with a new note or contribution, refused before it was written
    size: int
    reason: str  # mash.uploads: too_large, empty, type, infected, scanner_unavailable
    threat: str  # the signature ClamAV found, "" unless infected
