"""The one check of every upload (mash/uploads.py): the type read from the content (never the name or the browser's
type), the size limit in words, a safe name, and a scan that fails closed when the scanner cannot be reached."""

import pytest

from mash import uploads
from mash.uploads import UploadRefused, check_upload
from tests.files import DOCX, PDF, PNG, TEXT, ZIP, upload


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (TEXT, "text/plain"),
     (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")],
)  # fmt: skip
def test_allowed_types_are_read_from_the_content(data, expected):
    assert uploads.detect(data)[0] == expected


def test_a_zip_named_like_a_pdf_is_refused_by_its_content(settings):
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload("body-map.pdf", ZIP, "application/pdf"))
    assert refused.value.message_dict == {
        "file": ["The file is a ZIP archive: attach a PDF, an image, a Word document or a text file"]
    }
    assert refused.value.reason == "type"


def test_a_program_is_refused():
    with pytest.raises(UploadRefused, match="a program"):
        check_upload(upload("photo.png", b"MZ" + b"\x90" * 200 + b"\x00\x00PE\x00\x00" + b"\x00" * 100))


def test_the_size_limit_is_a_setting_and_said_in_megabytes(settings):
    settings.ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    big = upload("scan.pdf", PDF + b" " * (31 * 1024 * 1024))
    with pytest.raises(UploadRefused) as refused:
        check_upload(big)
    assert refused.value.message_dict == {"file": ["The file is 31 MB: the limit is 20 MB"]}
    assert refused.value.reason == "too_large"


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused, match="empty"):
        check_upload(upload("empty.pdf", b""))


def test_no_scanner_no_upload(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload("scan.pdf", PDF))
    assert refused.value.reason == "scanner_unavailable"
    assert "virus scanner cannot be reached" in refused.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../etc/passwd", "passwd"), ("C:\\Users\\jo\\Body map.pdf", "Body map.pdf"), ("<script>.pdf", "_script_.pdf"),
     ("", "file"), ("a" * 300 + ".pdf", "a" * 146 + ".pdf")],
)  # fmt: skip
def test_names_are_made_safe(name, safe):
    assert uploads.safe_name(name) == safe


def test_sizes_in_words():
    assert [uploads.size_words(n) for n in (12, 2048, 1_258_291, 31 * 1024 * 1024)] == [
        "12 bytes", "2 KB", "1.2 MB", "31 MB"
    ]  # fmt: skip
