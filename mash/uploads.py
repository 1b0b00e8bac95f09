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
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mash import clamav

ALLOWED_WORDS = _("attach a PDF, an image, a Word document or a text file")
# Detected MIME type → the words a person reads ("PDF, 1.2 MB").
KINDS = {
    "application/pdf": _("PDF"),
    "image/png": _("PNG image"),
    "image/jpeg": _("JPEG image"),
    "image/gif": _("GIF image"),
    "image/webp": _("WebP image"),
    "image/bmp": _("BMP image"),
    "image/tiff": _("TIFF image"),
    "image/heic": _("HEIC image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _("Word document"),
    "application/msword": _("Word document"),
    "text/plain": _("Text file"),
}
# What else a refused file is, in words, where the sniffer knows it.
OTHER_WORDS = {"zip": _("a ZIP archive"), "exe": _("a program"), "elf": _("a program"), "xlsx": _("an Excel workbook"),
               "pptx": _("a PowerPoint presentation"), "rar": _("a RAR archive"), "gz": _("a compressed archive"),
               "7z": _("a 7-Zip archive"), "mp4": _("a video"), "mp3": _("a sound file"), "html": _("a web page")}  # fmt: skip
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
    return ngettext("%(n)s byte", "%(n)s bytes", size) % {"n": size}


def kind_words(content_type: str) -> str:
    return str(KINDS.get(content_type) or gettext("File"))


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
        return ("text/plain", "") if _is_text(data) else (None, gettext("a file of a type not recognised"))
    if (
        kind.mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        or kind.mime == "application/zip"
    ):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None, gettext("a damaged ZIP archive")
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""
        return None, gettext("a ZIP archive")
    if kind.mime in KINDS:
        return kind.mime, ""
    words = OTHER_WORDS.get(kind.extension)
    return None, str(words) if words else gettext("a %(kind)s file") % {"kind": kind.extension.upper()}


def check_upload(upload, *, field: str = "file") -> CheckedFile:
    """The file's facts once it is within the limit, of an allowed type and clean; UploadRefused otherwise."""
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size
    name = safe_name(getattr(upload, "name", ""))
    if size > limit:
        message = gettext("The file is %(size)s: the limit is %(limit)s") % {"size": size_words(size),
                                                                              "limit": size_words(limit)}  # fmt: skip
        raise UploadRefused(field, message, reason="too_large")
    if size == 0:
        raise UploadRefused(field, gettext("The file is empty: choose the file again"), reason="empty")
    upload.seek(0)
    data = upload.read()
    content_type, what = detect(data)
    if content_type is None:
        message = gettext("The file is %(what)s: %(allowed)s") % {"what": what, "allowed": ALLOWED_WORDS}
        raise UploadRefused(field, message, reason="type")
    try:
        verdict = clamav.scan(data)
    except clamav.ScannerUnavailable:
        raise UploadRefused(
            field,
            gettext(
                "The virus scanner cannot be reached, so the file was not stored: try again later or tell the hub's "
                "administrator"
            ),
            reason="scanner_unavailable",
        ) from None
    if not verdict.clean:
        message = gettext("The file contains a virus (%(threat)s) and was not stored") % {"threat": verdict.threat}
        raise UploadRefused(field, message, reason="infected", threat=verdict.threat)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=hashlib.sha256(data).hexdigest(),
                       data=data)  # fmt: skip
