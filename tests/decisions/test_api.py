"""The multi-agency part of the agencies' API as an integrator meets it: read the hub's open requests to your agency,
answer one (idempotently), register a webhook, and read the outcome of your own referral once it is signed off.
Refusals are problem+json and store nothing."""

import base64
import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import ApiClient
from agencies.services import api_client_create
from audit.models import AuditEvent
from decisions import services
from decisions.models import Contribution, DisclosureEntry, InformationRequest, Webhook
from referrals.models import IdempotencyRecord
from tests.factories import ask
from tests.people import build_mash

pytestmark = pytest.mark.django_db

KNOWN = {"known": True, "summary": "Two call-outs to the address this year.", "risk_indicators": ["domestic_abuse"]}
NO_TRACE = {"known": False}
REQUESTS = "/api/v1/information-requests/"
WEBHOOKS = "/api/v1/webhooks/"
ALL_SCOPES = "referrals:write referrals:read contributions:write webhooks:write"


def api_token(client, hub, agency, scopes=ALL_SCOPES) -> str:
    """An access token for a new API client of `agency` in `hub`, got as an integrator gets it."""
    _, client_id, secret = api_client_create(hub=hub, agency=agency, name="Case system", scopes=scopes)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def contributions_url(referral_id) -> str:
    return f"/api/v1/referrals/{referral_id}/contributions/"


def answer(client, token, referral_id, body, key="key-1"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(contributions_url(referral_id), raw, content_type="application/json", **headers)


def get(client, token, url):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def nothing_stored():
    return not Contribution.objects.exists() and not IdempotencyRecord.objects.exists()


# Answering a request ---------------------------------------------------------------------------------------------


def test_an_agency_answers_the_request_to_it(client, mash):
    referral = mash.referral()
    requests = ask(mash, referral)
    token = api_token(client, mash.hub, mash.police)
    response = answer(client, token, referral.pk, KNOWN)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "agency", "known", "disclosure", "lawful_basis", "contributed_at"}
    assert (body["agency"], body["known"], body["disclosure"]) == (str(mash.police.pk), True, "shared")
    assert body["lawful_basis"] == "dpa_part3_sch8_4"  # police share under DPA 2018 Part 3 unless they say otherwise
    contribution = Contribution.objects.get()
    assert str(contribution.pk) == body["id"] and contribution.summary == KNOWN["summary"]
    assert contribution.contributed_by_client == ApiClient.objects.get() and contribution.contributed_by is None
    assert InformationRequest.objects.get(pk=requests[mash.police.pk].pk).state == "answered"
    assert DisclosureEntry.objects.filter(contribution=contribution).count() == 1
    event = AuditEvent.objects.get(action="contribution.added")
    assert (event.actor_type, event.actor_agency_id) == ("client", mash.police.pk)


def test_the_basis_and_restriction_are_the_agencys_to_choose_and_no_trace_needs_no_summary(client, mash):
    referral = mash.referral()
    ask(mash, referral, extra=[mash.school])
    restricted = {**KNOWN, "disclosure": "restricted", "lawful_basis": "gdpr_6_1_e_dpa_sch1_18", "detail": "More."}
    school = answer(client, api_token(client, mash.hub, mash.school), referral.pk, restricted).json()
    assert (school["disclosure"], school["lawful_basis"]) == ("restricted", "gdpr_6_1_e_dpa_sch1_18")
    health = answer(client, api_token(client, mash.hub, mash.health), referral.pk, NO_TRACE).json()
    assert (health["known"], health["lawful_basis"], health["disclosure"]) == (
        False,
        "gdpr_6_1_e_dpa_sch1_18",
        "shared",
    )


def test_an_agency_may_claim_only_its_own_lawful_basis(client, mash):
    referral = mash.referral()
    ask(mash, referral)
    police_basis = {**KNOWN, "lawful_basis": "dpa_part3_sch8_4"}
    response = answer(client, api_token(client, mash.hub, mash.health), referral.pk, police_basis)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "lawful_basis" and "send gdpr_6_1_e_dpa_sch1_18" in error["detail"]
    assert nothing_stored()
    gdpr = {**KNOWN, "lawful_basis": "gdpr_6_1_e_dpa_sch1_18"}
    refused = answer(client, api_token(client, mash.hub, mash.police), referral.pk, gdpr, key="key-2")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "lawful_basis"
    assert nothing_stored()
    assert answer(client, api_token(client, mash.hub, mash.police), referral.pk, police_basis).status_code == 201


def test_a_retry_replays_the_first_answer_and_another_body_with_the_key_is_refused(client, mash):
    referral, other = mash.referral(), mash.referral()
    ask(mash, referral), ask(mash, other)
    token = api_token(client, mash.hub, mash.police)
    first = answer(client, token, referral.pk, KNOWN)
    again = answer(client, token, referral.pk, KNOWN)
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    changed = answer(client, token, referral.pk, {**KNOWN, "summary": "Something else."})
    assert changed.status_code == 422 and "different request body" in changed.json()["detail"]
    # The referral is part of the request: the same key and body about another referral is another request.
    elsewhere = answer(client, token, other.pk, KNOWN)
    assert elsewhere.status_code == 422
    assert Contribution.objects.count() == 1
    # A new key cannot answer a request twice.
    twice = answer(client, token, referral.pk, KNOWN, key="key-2")
    assert twice.status_code == 409 and twice["Content-Type"] == "application/problem+json"
    assert twice.json()["detail"] == "Your agency has already answered this request"
    assert Contribution.objects.count() == 1


def test_a_key_is_required(client, mash):
    referral = mash.referral()
    ask(mash, referral)
    response = answer(client, api_token(client, mash.hub, mash.police), referral.pk, KNOWN, key=None)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "known"),
        ({"known": "yes", "summary": "x"}, "known"),
        ({"known": True}, "summary"),
        ({"known": True, "summary": "x", "risk_indicators": ["vibes"]}, "risk_indicators"),
        ({"known": True, "summary": "x", "risk_indicators": "domestic_abuse"}, "risk_indicators"),
        ({"known": True, "summary": "x", "lawful_basis": "because"}, "lawful_basis"),
        ({"known": True, "summary": "x", "disclosure": "secret"}, "disclosure"),
        ({"known": True, "summary": 42}, "summary"),
        ({"known": True, "summary": "x" * 2001}, "summary"),
        ({"known": False, "colour": "blue"}, "colour"),
        ([KNOWN], ""),  # the body as a whole
    ],
)
def test_each_bad_field_is_named_and_nothing_is_stored(client, mash, body, field):
    referral = mash.referral()
    requests = ask(mash, referral)
    token = api_token(client, mash.hub, mash.police)
    response = answer(client, token, referral.pk, body)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert nothing_stored()
    assert InformationRequest.objects.get(pk=requests[mash.police.pk].pk).state == "open"
    # Nothing was stored, the key included: the corrected answer may use it.
    assert answer(client, token, referral.pk, KNOWN).status_code == 201


def test_malformed_json_is_a_400_problem(client, mash):
    referral = mash.referral()
    ask(mash, referral)
    response = answer(client, api_token(client, mash.hub, mash.police), referral.pk, "{not json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert nothing_stored()


def test_a_referral_the_agency_was_not_asked_about_is_not_found(client, mash):
    asked, not_asked = mash.referral(), mash.referral()
    ask(mash, asked)  # core agencies only: not the school
    south = build_mash("south")
    theirs = south.referral()
    ask(south, theirs)
    police = api_token(client, mash.hub, mash.police)
    school = api_token(client, mash.hub, mash.school)
    answers = [
        answer(client, police, "00000000-0000-0000-0000-000000000000", KNOWN, key="a"),  # no such referral
        answer(client, police, not_asked.pk, KNOWN, key="b"),  # nobody was asked
        answer(client, school, asked.pk, KNOWN, key="c"),  # others were asked, not the school
        answer(client, police, theirs.pk, KNOWN, key="d"),  # another hub's referral (its own police were asked)
    ]
    assert [r.status_code for r in answers] == [404, 404, 404, 404]
    assert {r.json()["detail"] for r in answers} == {"No such referral"}
    assert all(r["Content-Type"] == "application/problem+json" for r in answers)
    assert nothing_stored()


def test_a_request_cancelled_by_the_decision_is_not_found(client, mash):
    referral = mash.referral()
    ask(mash, referral, extra=[mash.school])
    for key in ("police", "social_care", "health"):
        request = InformationRequest.objects.get(referral=referral, agency=getattr(mash, key))
        services.contribution_add(request=request, by=mash.officers[key], data=NO_TRACE)
    proposal = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome="nfa", threshold_level="specialist", rationale="No harm.",
        participants=[mash.police, mash.social_care, mash.health], actions=[],
    )  # fmt: skip
    services.decision_sign_off(decision=proposal, by=mash.manager)
    response = answer(client, api_token(client, mash.hub, mash.school), referral.pk, KNOWN)
    assert response.status_code == 404 and response.json()["detail"] == "No such referral"


def test_an_agency_without_a_signed_agreement_sees_and_shares_nothing(client, mash):
    referral = mash.referral()
    ask(mash, referral, extra=[mash.housing])  # housing has not signed the information sharing agreement
    token = api_token(client, mash.hub, mash.housing)
    refused = answer(client, token, referral.pk, KNOWN)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    message = refused.json()["detail"]
    assert "has not signed Information sharing agreement (version 1)" in message
    assert nothing_stored()
    listing = get(client, token, REQUESTS)
    assert listing.status_code == 403 and listing.json()["detail"] == message
    assert "results" not in listing.json()
    assert not AuditEvent.objects.filter(action="information_request.listed").exists()


def test_the_contributions_scope_is_needed(client, mash):
    referral = mash.referral()
    ask(mash, referral)
    token = api_token(client, mash.hub, mash.police, scopes="referrals:write referrals:read")
    assert answer(client, token, referral.pk, KNOWN).status_code == 403
    assert get(client, token, REQUESTS).status_code == 403
    assert nothing_stored()


# Reading the open requests ---------------------------------------------------------------------------------------


def test_an_agency_reads_its_open_requests_with_the_people_to_check(client, mash):
    older, newer, answered = mash.referral(), mash.referral(), mash.referral()
    older.persons.filter(role="subject").update(date_of_birth=None, estimated_age=84)
    ask(mash, older)
    services.information_request(referral=newer, by=mash.practitioner, note="Any weapons at the address?")
    ask(mash, answered)
    services.contribution_add(
        request=InformationRequest.objects.get(referral=answered, agency=mash.police),
        by=mash.officers["police"],
        data=NO_TRACE,
    )
    InformationRequest.objects.filter(referral=newer).update(requested_at=timezone.now() + timedelta(minutes=1))
    south = build_mash("south")
    ask(south, south.referral())  # another hub's police: not ours
    token = api_token(client, mash.hub, mash.police)

    response = get(client, token, REQUESTS)
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"next", "previous", "results"}
    results = page["results"]
    assert [r["referral"]["id"] for r in results] == [str(newer.pk), str(older.pk)]  # newest first, open only
    first = results[0]
    assert set(first) == {"id", "referral", "state", "requested_at", "due_at", "note", "people", "household"}
    assert (
        first["household"] is None
    )  # a request about one referral (a household's: tests/decisions/test_households.py)
    request = InformationRequest.objects.get(referral=newer, agency=mash.police)
    assert first["id"] == str(request.pk) and first["state"] == "open"
    assert first["referral"] == {"id": str(newer.pk), "reference": newer.reference, "rating": "red"}
    assert datetime.fromisoformat(first["due_at"]) == request.deadline.due_at
    assert first["note"] == "Any weapons at the address?"
    subject, parent = first["people"]
    assert set(subject) == {
        "role", "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "address", "postcode",
        "nhs_number",
    }  # fmt: skip
    assert subject == {
        "role": "subject", "given_name": "Alex", "family_name": "Example", "date_of_birth": "2018-05-04",
        "estimated_age": None, "gender": "Female", "address": "1 High Street, Northtown", "postcode": "NT1 1AA", "nhs_number": "9434765919",
    }  # fmt: skip
    assert (parent["role"], parent["given_name"]) == ("parent_carer", "Sam")
    older_subject = next(r for r in results if r["referral"]["id"] == str(older.pk))["people"][0]
    assert (older_subject["date_of_birth"], older_subject["estimated_age"]) == (None, 84)  # passed on, not lost
    assert "narrative" not in json.dumps(page) and "concerns" not in json.dumps(page)

    event = AuditEvent.objects.get(action="information_request.listed")
    assert event.actor_type == "client" and event.data["ids"] == [r["id"] for r in results]
    assert event.data["referral_ids"] == [str(newer.pk), str(older.pk)]


def test_requests_page_newest_first_by_cursor(client, mash):
    referrals = [mash.referral() for _ in range(3)]
    for i, referral in enumerate(referrals):
        ask(mash, referral)
        InformationRequest.objects.filter(referral=referral).update(requested_at=timezone.now() - timedelta(hours=i))
    token = api_token(client, mash.hub, mash.police)
    first = get(client, token, f"{REQUESTS}?page_size=2").json()
    second = get(client, token, first["next"]).json()
    seen = [r["referral"]["id"] for page in (first, second) for r in page["results"]]
    assert seen == [str(r.pk) for r in referrals] and second["next"] is None


def test_the_request_list_costs_the_same_queries_whatever_its_length(client, mash, django_assert_num_queries):
    token = api_token(client, mash.hub, mash.police)
    ask(mash, mash.referral())
    # the token with its application, client, hub, agency and whether the agreement is current (kept by the process
    # after the first: then a liveness check), the page of requests with referral and deadline, their people, the
    # audit insert for the read
    with django_assert_num_queries(4):
        assert len(get(client, token, REQUESTS).json()["results"]) == 1
    for _ in range(4):
        ask(mash, mash.referral())
    with django_assert_num_queries(4):
        assert len(get(client, token, REQUESTS).json()["results"]) == 5


# The referrer reads the outcome ----------------------------------------------------------------------------------


def test_the_referrer_reads_the_outcome_once_signed_off_after_agencies_answered_by_api(client, mash):
    referral = mash.referral()  # referred by the police
    ask(mash, referral)
    tokens = {key: api_token(client, mash.hub, getattr(mash, key)) for key in ("police", "social_care", "health")}
    for key, token in tokens.items():
        assert answer(client, token, referral.pk, KNOWN if key == "police" else NO_TRACE).status_code == 201
    status_url = f"/api/v1/referrals/{referral.pk}/"
    before = get(client, tokens["police"], status_url).json()
    assert (before["status"], before["outcome"], before["decided_at"]) == ("awaiting_decision", None, None)
    proposal = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome="s47_strategy", threshold_level="specialist",
        rationale="Significant harm suspected.", participants=[mash.police, mash.social_care, mash.health], actions=[],
    )  # fmt: skip
    assert get(client, tokens["police"], status_url).json()["outcome"] is None  # proposed is not decided
    services.decision_sign_off(decision=proposal, by=mash.manager)
    referral.refresh_from_db()
    after = get(client, tokens["police"], status_url).json()
    assert (after["status"], after["outcome"]) == ("closed", "s47_strategy")
    assert datetime.fromisoformat(after["decided_at"]) == referral.decided_at
    # Another agency's client does not read the police's referral at all.
    assert get(client, tokens["health"], status_url).status_code == 404


# Registering a webhook -------------------------------------------------------------------------------------------


def test_an_agency_registers_a_webhook_and_sees_its_secret_once(client, mash):
    token = api_token(client, mash.hub, mash.police)
    response = client.post(
        WEBHOOKS, {"url": "https://police.example/mash"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "secret"} and response["Cache-Control"] == "no-store"
    webhook = Webhook.objects.get()
    assert (str(webhook.pk), webhook.url, webhook.secret) == (body["id"], "https://police.example/mash", body["secret"])
    assert (webhook.hub, webhook.agency) == (mash.hub, mash.police)
    assert body["secret"].startswith("whsec_")  # a Standard Webhooks secret
    assert webhook.client == ApiClient.objects.get()
    event = AuditEvent.objects.get(action="webhook.registered")
    assert event.actor_agency_id == mash.police.pk and body["secret"] not in json.dumps(event.data)


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://police.example/mash"},  # not https
        {"url": "ftp://police.example/mash"},
        {"url": "police.example/mash"},
        {"url": "https://police.example/" + "x" * 500},
        {"url": 7},
        {},
    ],
)
def test_a_bad_webhook_address_is_refused_by_field(client, mash, body):
    token = api_token(client, mash.hub, mash.police)
    response = client.post(WEBHOOKS, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["url"]
    assert not Webhook.objects.exists()


def test_registering_a_webhook_needs_its_scope(client, mash):
    token = api_token(client, mash.hub, mash.police, scopes="referrals:read contributions:write")
    response = client.post(
        WEBHOOKS, {"url": "https://police.example/mash"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 403 and not Webhook.objects.exists()


def test_the_command_issues_a_client_with_the_new_scopes(mash):
    out = StringIO()
    call_command(
        "api_client", "create", "--hub", mash.hub.slug, "--agency", mash.police.slug,
        "--scopes", "contributions:write webhooks:write", stdout=out,
    )  # fmt: skip
    assert "scopes=contributions:write webhooks:write" in out.getvalue()
    assert ApiClient.objects.get().scope_set == {"contributions:write", "webhooks:write"}
