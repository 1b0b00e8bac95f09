"""Attachments through the agencies' API, on the real ClamAV daemon (tests/clamav.py): the police system attaches a
DASH form to the referral it sent and the practitioner sees it on the referral's page and in its chronology; a
virus, a wrong type or a file over the limit is refused field by field and audited, with nothing stored; the
scanner down is a 503 with Retry-After; another agency's system gets 404; a token without the scope 403; the
agency's system attaches to its own contribution and downloads with the web's safe headers."""

import json

import pytest
from django.urls import reverse

from agencies.models import StoredFile
from audit.models import AuditEvent
from decisions.models import Attachment
from referrals.models import IdempotencyRecord
from tests.decisions.test_api import KNOWN, answer, api_token
from tests.factories import ask
from tests.files import PDF, ZIP, eicar, upload

pytestmark = [pytest.mark.django_db, pytest.mark.clamav]


def referral_files(referral_id) -> str:
    return f"/api/v1/referrals/{referral_id}/attachments/"


def contribution_files(referral_id, contribution_id) -> str:
    return f"/api/v1/referrals/{referral_id}/contributions/{contribution_id}/attachments/"


def send(client, token, url, file, key="file-1"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, {"file": file}, **headers)


def get(client, token, url):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def nothing_stored():
    return not Attachment.objects.exists() and not StoredFile.objects.exists()


def test_the_police_system_attaches_a_dash_form_and_the_practitioner_sees_it(client, mash, scanner):
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    response = send(client, token, referral_files(referral.pk), upload("DASH form.pdf", PDF, "text/html"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "name", "content_type", "size", "sha256", "added_at"}
    assert (body["name"], body["content_type"], body["size"]) == ("DASH form.pdf", "application/pdf", len(PDF))
    attachment = Attachment.objects.get()
    assert attachment.referral == referral and attachment.added_by is None
    assert attachment.added_by_client.agency == mash.police and body["sha256"] == attachment.sha256
    added = AuditEvent.objects.get(action="attachment.added")
    assert (added.actor_type, added.actor_agency_id) == ("client", mash.police.pk)
    assert "DASH" not in added.payload  # facts, never the file's name

    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "DASH form.pdf" in page and f"added by {mash.police}&#x27;s system" in page
    chronology = client.get(reverse("chronology", args=[mash.hub.id, referral.id])).content.decode()
    assert "Document attached" in chronology and f"DASH form.pdf (PDF, {len(PDF)} bytes) by" in chronology
    ledger = AuditEvent.objects.filter(action__startswith="attachment.").values_list("payload", flat=True)
    assert not any("DASH" in payload for payload in ledger)


def test_a_retry_with_the_key_replays_and_stores_once(client, mash, scanner):
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    first = send(client, token, referral_files(referral.pk), upload("dash.pdf", PDF))
    again = send(client, token, referral_files(referral.pk), upload("dash.pdf", PDF))
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true" and Attachment.objects.count() == 1
    missing = send(client, token, referral_files(referral.pk), upload("dash.pdf", PDF), key=None)
    assert missing.status_code == 400 and Attachment.objects.count() == 1


def test_a_virus_is_refused_by_field_audited_and_nothing_is_stored(client, mash, scanner):
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    response = send(client, token, referral_files(referral.pk), eicar())
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "file" and error["detail"].startswith("The file contains a virus (Eicar-Test-Signature")
    assert nothing_stored() and not IdempotencyRecord.objects.exists()
    refused = AuditEvent.objects.get(action="attachment.refused")
    assert (refused.actor_type, refused.actor_agency_id) == ("client", mash.police.pk)
    assert json.loads(refused.payload)["reason"] == "infected"


def test_a_wrong_type_or_too_large_a_file_is_refused(client, mash, scanner, settings):
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    response = send(client, token, referral_files(referral.pk), upload("photos.pdf", ZIP))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "detail": "The file is a ZIP archive: attach a PDF, an image, a Word document or a text file"}
    ]
    settings.ATTACHMENT_MAX_BYTES = 100
    response = send(client, token, referral_files(referral.pk), upload("big.pdf", PDF + b"x" * 200), key="file-2")
    assert response.status_code == 413 and response.json()["errors"][0]["field"] == "file"
    assert nothing_stored()
    reasons = [json.loads(e.payload)["reason"] for e in AuditEvent.objects.filter(action="attachment.refused")]
    assert sorted(reasons) == ["too_large", "type"]


def test_a_file_bigger_than_a_json_body_is_not_held_to_the_json_limit(client, mash, scanner, settings):
    settings.API_MAX_BODY_BYTES = 1024
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    response = send(client, token, referral_files(referral.pk), upload("notes.txt", b"Body map notes.\n" * 200))
    assert response.status_code == 201, response.content


def test_without_the_scanner_the_answer_is_503_with_a_retry_hint(client, mash, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    response = send(client, token, referral_files(referral.pk), upload("dash.pdf", PDF))
    assert response.status_code == 503 and response["Retry-After"]
    assert "The virus scanner cannot be reached" in response.json()["detail"] and nothing_stored()


def test_another_agencys_system_gets_404_and_a_token_without_the_scope_403(client, mash, scanner):
    referral = mash.referral()
    health = api_token(client, mash.hub, mash.health)
    assert send(client, health, referral_files(referral.pk), upload("dash.pdf", PDF)).status_code == 404
    assert get(client, health, referral_files(referral.pk)).status_code == 404
    reader = api_token(client, mash.hub, mash.police, scopes="referrals:read")
    response = send(client, reader, referral_files(referral.pk), upload("dash.pdf", PDF))
    assert response.status_code == 403 and 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert nothing_stored()


def test_the_system_lists_and_downloads_only_what_its_agency_gave(client, mash, scanner):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    client.post(reverse("referral-attachment-new", args=[mash.hub.id, referral.id]), {"file": upload("hub.pdf", PDF)})
    client.logout()
    token = api_token(client, mash.hub, mash.police)
    mine = send(client, token, referral_files(referral.pk), upload("dash.pdf", PDF)).json()
    listing = get(client, token, referral_files(referral.pk))
    assert listing.status_code == 200 and [f["name"] for f in listing.json()["results"]] == ["dash.pdf"]
    assert AuditEvent.objects.filter(action="attachment.listed").count() == 1
    response = get(client, token, f"{referral_files(referral.pk)}{mine['id']}/content/")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"] == 'attachment; filename="dash.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"
    downloaded = AuditEvent.objects.get(action="attachment.downloaded")
    assert (downloaded.actor_type, downloaded.actor_agency_id) == ("client", mash.police.pk)
    hubs = Attachment.objects.get(name="hub.pdf")
    assert get(client, token, f"{referral_files(referral.pk)}{hubs.id}/content/").status_code == 404


def test_the_system_attaches_to_its_own_contribution(client, mash, scanner):
    referral = mash.referral()
    ask(mash, referral)
    token = api_token(client, mash.hub, mash.health)
    contribution = answer(client, token, referral.pk, KNOWN).json()
    url = contribution_files(referral.pk, contribution["id"])
    response = send(client, token, url, upload("gp-letter.pdf", PDF))
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert str(attachment.contribution_id) == contribution["id"] and attachment.added_by_client.agency == mash.health
    assert [f["name"] for f in get(client, token, url).json()["results"]] == ["gp-letter.pdf"]
    download = get(client, token, f"{url}{attachment.id}/content/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    police = api_token(client, mash.hub, mash.police)
    assert send(client, police, url, upload("x.pdf", PDF)).status_code == 404
    assert get(client, police, f"{url}{attachment.id}/content/").status_code == 404
    no_scope = api_token(client, mash.hub, mash.health, scopes="referrals:read")
    assert send(client, no_scope, url, upload("x.pdf", PDF)).status_code == 403
    assert Attachment.objects.count() == 1


def test_a_json_body_is_told_to_send_the_file_as_multipart(client, mash, scanner):
    referral = mash.referral()
    token = api_token(client, mash.hub, mash.police)
    response = client.post(referral_files(referral.pk), {"file": "JVBERi0="}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="k")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "detail": "Send one file, as the multipart/form-data part named `file`"}
    ]
    assert nothing_stored()


def test_the_schema_documents_the_multipart_file_and_its_refusals(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    post = schema["paths"]["/api/v1/referrals/{referral_id}/attachments/"]["post"]
    body = post["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][body]["properties"]["file"] == {
        "type": "string", "format": "binary", "description": "The file; its type is read from its content, never its name"
    }  # fmt: skip
    assert {"201", "413", "422", "503"} <= set(post["responses"]) and post["security"] == [
        {"oauth2": ["referrals:write"]}
    ]
    content = schema["paths"]["/api/v1/referrals/{referral_id}/attachments/{attachment_id}/content/"]["get"]
    assert content["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
