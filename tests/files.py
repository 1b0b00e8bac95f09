"""Small real files for upload tests: a PDF, a PNG, a Word document, a text file, a ZIP, and the EICAR test file."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from mash.clamav import EICAR

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))  # fmt: skip


def _zip(names: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in names.items():
            archive.writestr(name, text)
    return buffer.getvalue()


PNG = _png()
DOCX = _zip({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
             "word/document.xml": "<w:document/>"})  # fmt: skip
ZIP = _zip({"notes.txt": "not a document"})
TEXT = b"Body map: bruise to the left forearm, 3 cm.\n"


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """A file as a browser sends it: the name and the content type are the sender's, never trusted."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def eicar(name: str = "report.pdf") -> SimpleUploadedFile:
    return upload(name, EICAR)
