"""A practitioner adds a case note with a document to a referral: the EICAR test file is refused by the real ClamAV
daemon with the reason by the field, then a clean PDF is accepted and listed with the note; the person who may see
the referral downloads it (the bytes, as an attachment, not sniffed, not cached), and an officer of an agency gets
404 for the same address."""

import pytest
from playwright.sync_api import expect

from mash.clamav import EICAR
from tests.browser.helpers import assert_accessible, click, error_summary, expect_success, screened_referral
from tests.files import PDF

pytestmark = [pytest.mark.browser, pytest.mark.clamav]

PRACTITIONER, POLICE = "pat.practitioner", "olly.officer"


def _note_with(page, name: str, data: bytes, mime: str) -> None:
    page.get_by_label("Visit").check()
    page.get_by_label("Note", exact=True).fill("Home visit: the body map attached.")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    click(page, "Add the note", role="button")


def test_a_note_with_a_document_the_virus_refused_and_the_download_only_for_those_allowed(
    desk, small_demo_hub, scanner
):
    referral = screened_referral(small_demo_hub, "amber")
    pat = desk(PRACTITIONER)
    pat.goto(f"/hubs/{small_demo_hub.id}/referrals/{referral.id}/")
    click(pat, "Add a note", role="link")
    _note_with(pat, "body-map.pdf", EICAR, "application/pdf")
    summary = error_summary(pat, "Add a note")
    expect(summary).to_contain_text("The file contains a virus (Eicar-Test-Signature")
    expect(pat.locator("#id_file-error")).to_contain_text("and was not stored")
    assert_accessible(pat)
    _note_with(pat, "body-map.pdf", PDF, "application/pdf")
    expect_success(pat, f"Note added to referral {referral.reference}")
    link = pat.get_by_role("link", name="body-map.pdf")
    expect(link).to_be_visible()
    assert_accessible(pat)
    expect(pat.locator("#notes ~ *").get_by_text(f"(PDF, {len(PDF)} bytes)")).to_be_visible()
    url = link.get_attribute("href")
    download = pat.request.get(url)
    assert download.status == 200 and download.body() == PDF
    headers = download.headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"] == 'attachment; filename="body-map.pdf"'
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    olly = desk(POLICE)  # an officer of an agency: the hub's case notes and their files are not theirs to see
    assert olly.request.get(url).status == 404
    olly.goto(url)
    expect(olly.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)
