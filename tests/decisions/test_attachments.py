"""Attachments on the real ClamAV daemon (tests/clamav.py): a clean PDF attached to a referral is stored, listed in
words and downloaded with safe headers by whoever may see the referral, audited; the EICAR test file is refused with
the reason, audited, and nothing is kept; files with a note and with an agency's information; an officer of another
agency, or of another hub, gets 404 for a file's address. Core documents' files go the same way."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import StoredFile
from audit.models import AuditEvent
from decisions.models import Attachment, Contribution, LawfulBasis
from tests.factories import ask
from tests.files import DOCX, PDF, PNG, ZIP, eicar, upload
from tests.people import build_mash

pytestmark = [pytest.mark.django_db, pytest.mark.clamav]


def _attach(client, mash, referral, file):
    return client.post(reverse("referral-attachment-new", args=[mash.hub.id, referral.id]), {"file": file})


def _download(client, mash, attachment):
    return client.get(reverse("attachment-download", args=[mash.hub.id, attachment.id]))


def test_a_clean_pdf_is_stored_listed_and_downloaded_with_safe_headers(client, mash, scanner):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    response = _attach(client, mash, referral, upload('Body "map" é.pdf', PDF, "text/html"))
    assert response.status_code == 302, response.content.decode()
    attachment = Attachment.objects.get()
    assert (attachment.referral, attachment.added_by) == (referral, mash.practitioner)
    assert attachment.content_type == "application/pdf"  # from the content, not the browser's text/html
    assert attachment.size == len(PDF) and len(attachment.sha256) == 64
    assert StoredFile.objects.get().content == PDF  # in the database storage, shared by every web server
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Documents and images" in page and "Body _map_ é.pdf" in page and f"(PDF, {len(PDF)} bytes)" in page
    response = _download(client, mash, attachment)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Body%20_map_%20%C3%A9.pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"
    added, downloaded = (AuditEvent.objects.get(action=a) for a in ("attachment.added", "attachment.downloaded"))
    assert json.loads(downloaded.payload)["sha256"] == attachment.sha256
    assert "Body" not in added.payload  # facts, never the file's name


def test_the_eicar_file_is_refused_audited_and_nothing_is_kept(client, mash, scanner):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    response = _attach(client, mash, referral, eicar())
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "The file contains a virus (Eicar-Test-Signature" in page and "was not stored" in page
    assert not Attachment.objects.exists() and not StoredFile.objects.exists()
    refused = json.loads(AuditEvent.objects.get(action="attachment.refused").payload)
    assert refused["reason"] == "infected" and refused["threat"].startswith("Eicar-Test-Signature")
    assert refused["on_type"] == "referral" and refused["on_id"] == str(referral.id)


def test_a_zip_is_refused_in_words(client, mash, scanner):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    page = _attach(client, mash, referral, upload("photos.pdf", ZIP)).content.decode()
    assert "The file is a ZIP archive: attach a PDF, an image, a Word document or a text file" in page
    assert not Attachment.objects.exists()


def test_without_the_scanner_the_upload_is_refused(client, mash, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    referral = mash.referral()
    client.force_login(mash.practitioner)
    page = _attach(client, mash, referral, upload("scan.pdf", PDF)).content.decode()
    assert "The virus scanner cannot be reached, so the file was not stored" in page
    assert not Attachment.objects.exists() and not StoredFile.objects.exists()


def test_only_those_who_see_the_referral_download_its_file(client, mash, scanner):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    _attach(client, mash, referral, upload("scan.png", PNG))
    attachment = Attachment.objects.get()
    client.force_login(mash.manager)
    assert _download(client, mash, attachment).status_code == 200
    client.force_login(mash.officers["police"])  # officers do not see the hub's referral pages
    assert _download(client, mash, attachment).status_code == 404
    client.force_login(build_mash("south").practitioner)  # another hub
    assert _download(client, mash, attachment).status_code == 404
    assert AuditEvent.objects.filter(action="attachment.downloaded").count() == 1


def test_a_note_with_a_file_and_a_note_refused_with_the_eicar_file(client, mash, scanner):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    url = reverse("referral-note-new", args=[mash.hub.id, referral.id])
    refused = client.post(url, {"kind": "visit", "text": "Seen at home.", "file": eicar("body-map.png")})
    assert "The file contains a virus" in refused.content.decode()
    assert not referral.notes.exists()  # nothing written: the note waits for a clean file
    done = client.post(url, {"kind": "visit", "text": "Seen at home.", "file": upload("body-map.png", PNG)})
    assert done.status_code == 302
    note = referral.notes.get()
    attachment = note.attachments.get()
    assert attachment.content_type == "image/png"
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "body-map.png" in page and "(PNG image, " in page
    assert _download(client, mash, attachment).content == PNG


def test_an_agency_officer_attaches_a_word_document_to_its_answer(client, mash, scanner):
    referral = mash.referral()
    requests = ask(mash, referral)
    client.force_login(mash.officers["health"])
    data = {"known": "yes", "summary": "Missed appointments.", "lawful_basis": LawfulBasis.PUBLIC_TASK_SCH1_18,
            "disclosure": "shared", "file": upload("letter.docx", DOCX, "application/octet-stream")}  # fmt: skip
    response = client.post(reverse("officer-request", args=[mash.hub.id, requests[mash.health.pk].id]), data)
    assert response.status_code == 302, response.content.decode()
    contribution = Contribution.objects.get()
    attachment = contribution.attachments.get()
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert "letter.docx" in client.get(response.url).content.decode()
    assert _download(client, mash, attachment).status_code == 200  # their own agency's
    client.force_login(mash.officers["police"])  # another agency's officer
    assert _download(client, mash, attachment).status_code == 404
    client.force_login(mash.practitioner)  # shared with the decision-makers
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "letter.docx" in page and "(Word document, " in page
    assert _download(client, mash, attachment).status_code == 200


def test_a_core_document_file_is_checked_stored_and_downloaded_through_the_policy(client, mash, scanner):
    from tests.dates import typed_date

    isa = mash.hub.documents.get()
    client.force_login(mash.admin)
    today = timezone.localdate()
    url = reverse("document-version-new", args=[mash.hub.id, isa.id])
    dates = {**typed_date("effective_from", today + timedelta(days=1)),
             **typed_date("review_due", today + timedelta(days=365))}  # fmt: skip
    refused = client.post(url, {**dates, "file": upload("isa.pdf", ZIP)})
    assert "The file is a ZIP archive" in refused.content.decode()
    infected = client.post(url, {**dates, "file": eicar("isa.pdf")})
    assert "The file contains a virus" in infected.content.decode()
    assert isa.versions.count() == 1 and not StoredFile.objects.exists()
    assert client.post(url, {**dates, "file": upload("ISA 2027.pdf", PDF)}).status_code == 302
    version = isa.versions.get(number=2)
    assert (version.file_name, version.file_type, version.file_size) == ("ISA 2027.pdf", "application/pdf", len(PDF))
    page = client.get(reverse("hub-agreements", args=[mash.hub.id])).content.decode()
    link = reverse("document-file", args=[mash.hub.id, version.id])
    assert link in page and "/media/" not in page
    client.force_login(mash.officers["police"])  # every member of the hub reads its core documents
    response = client.get(link)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;") and response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="document.downloaded").count() == 1
    client.force_login(build_mash("south").admin)
    assert client.get(link).status_code == 404


def test_a_household_note_with_a_file_shows_on_the_household_page(client, mash, scanner):
    from tests.households import household_of

    household = household_of(mash)
    client.force_login(mash.practitioner)
    url = reverse("household-note-new", args=[mash.hub.id, household.id])
    done = client.post(
        url, {"kind": "research", "text": "School records.", "file": upload("records.txt", b"Attended.\n")}
    )
    assert done.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.note.household, attachment.content_type) == (household, "text/plain")
    page = client.get(reverse("household-detail", args=[mash.hub.id, household.id])).content.decode()
    assert "records.txt" in page and "(Text file, 10 bytes)" in page
