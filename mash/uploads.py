"""The one check every uploaded file passes before it is stored (case attachments and core documents alike): its size
against settings.ATTACHMENT_MAX_BYTES, its type read from its CONTENT (never its name or the browser's content type)
against the allowed types, and a ClamAV scan (mash/clamav.py). A refusal raises `UploadRefused`, a ValidationError
on the form's field with the sentence a person reads and a `reason` for the audit trail; nothing is stored.

Types are sniffed with `filetype` (h2non/filetype.py, pure Python, no libmagic): PDF, PNG, JPEG, GIF, WebP, BMP,
TIFF, HEIC, Word (.docx: a ZIP holding word/document.xml; .doc: an OLE compound file with a Word stream); plain
text is what decodes as UTF-8 with no control characters but tabs and line ends."""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

from mash import clamav

ALLOWED_WORDS = "attach a PDF, an image, a Word document or a text file"
# Detected MIME type → the words a person reads ("PDF, 1.2 MB").
KINDS = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "image/bmp": "BMP image",
    "image/tiff": "TIFF image",
    "image/heic": "HEIC image",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/msword": "Word document",
    "text/plain": "Text file",
}
# What else a refused file is, in words, where the sniffer knows it.
OTHER_WORDS = {"zip": "a ZIP archive", "exe": "a program", "elf": "a program", "xlsx": "an Excel workbook",
               "pptx": "a PowerPoint presentation", "rar": "a RAR archive", "gz": "a compressed archive",
               "7z": "a 7-Zip archive", "mp4": "a video", "mp3": "a sound file", "html": "a web page"}  # fmt: skip
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE = re.compile(r"[^\w .()+,-]")


class UploadRefused(ValidationError):
    """The file is refused: `reason` (too_large, empty, type, infected, scanner_unavailable) for the audit trail,
    `threat` the signature ClamAV found."""

    def __init__(self, field: str, message: str, *, reason: str, threat: str = ""):
        super().__init__({field: [message]})
        self.reason = reason
        self.threat = threat
        self.message_text = message


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised original name
    content_type: str  # detected from the content
    size: int
    sha256: str
    data: bytes


def safe_name(name: str) -> str:
    """The original name without folders, control characters or anything but letters, digits, spaces and . ( ) + , -
    (at most 150 characters, keeping the extension); "file" when nothing is left."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" .") or "file"
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name


def size_words(size: int) -> str:
    """'31 MB', '1.2 MB', '540 KB', '12 bytes'."""
    if size >= 1024 * 1024:
        mb = size / (1024 * 1024)
        return f"{mb:.1f} MB".replace(".0 ", " ") if mb < 10 else f"{round(mb)} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} byte" + ("" if size == 1 else "s")


def kind_words(content_type: str) -> str:
    return KINDS.get(content_type, "File")


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(data)


def detect(data: bytes) -> tuple[str | None, str]:
    """(allowed MIME type or None, what the file is in words when refused)."""
    kind = filetype.guess(data)
    if kind is None:
        return ("text/plain", "") if _is_text(data) else (None, "a file of a type not recognised")
    if (
        kind.mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        or kind.mime == "application/zip"
    ):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None, "a damaged ZIP archive"
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""
        return None, "a ZIP archive"
    if kind.mime in KINDS:
        return kind.mime, ""
    return None, OTHER_WORDS.get(kind.extension, f"a {kind.extension.upper()} file")


def check_upload(upload, *, field: str = "file") -> CheckedFile:
    """The file's facts once it is within the limit, of an allowed type and clean; UploadRefused otherwise."""
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size
    name = safe_name(getattr(upload, "name", ""))
    if size > limit:
        raise UploadRefused(field, f"The file is {size_words(size)}: the limit is {size_words(limit)}",
                            reason="too_large")  # fmt: skip
    if size == 0:
        raise UploadRefused(field, "The file is empty: choose the file again", reason="empty")
    upload.seek(0)
    data = upload.read()
    content_type, what = detect(data)
    if content_type is None:
        raise UploadRefused(field, f"The file is {what}: {ALLOWED_WORDS}", reason="type")
    try:
        verdict = clamav.scan(data)
    except clamav.ScannerUnavailable:
        raise UploadRefused(
            field,
            "The virus scanner cannot be reached, so the file was not stored: try again later or tell the hub's "
            "administrator",
            reason="scanner_unavailable",
        ) from None
    if not verdict.clean:
        raise UploadRefused(field, f"The file contains a virus ({verdict.threat}) and was not stored",
                            reason="infected", threat=verdict.threat)  # fmt: skip
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=hashlib.sha256(data).hexdigest(),
                       data=data)  # fmt: skip
