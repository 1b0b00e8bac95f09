"""The agencies' change feed as an integrator meets it: `?updated_since=` on the referral list, the events feed
(`/api/v1/events/`) resumed by cursor, and conditional GETs (ETag, If-None-Match) on a referral."""

import base64

import pytest
from django.utils import timezone

from agencies import services as hub_services
from audit.models import AuditEvent
from referrals import triage
from referrals.models import Referral
from referrals.services import referral_amend, referral_create
from tests.factories import AnsweredReferralFactory, SignedOffDecisionFactory, ask, referral_data

pytestmark = pytest.mark.django_db
REFERRALS = "/api/v1/referrals/"
EVENTS = "/api/v1/events/"


def _basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _auth(client, hub, agency, scopes="referrals:read referrals:write") -> dict:
    """The agency's system's bearer header, as it would get a token: client credentials."""
    _, client_id, secret = hub_services.api_client_create(hub=hub, agency=agency, name="Case system", scopes=scopes)
    token = client.post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=_basic(client_id, secret)
    ).json()["access_token"]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _health_referral(mash) -> Referral:
    return referral_create(
        hub=mash.hub, data=referral_data(source_code="3A"), channel="api", referring_agency=mash.health
    )


def _re_rate(mash, referral, rating="amber"):
    triage.referral_re_rate(referral=referral, by=mash.manager, rating=rating, reason="New information from school.")


# --- ?updated_since= on the referral list ---


def test_updated_since_lists_only_the_referrals_whose_rating_status_or_outcome_changed_since(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    unchanged = mash.referral("green")
    re_rated = mash.referral("red")
    since = timezone.now()
    _re_rate(mash, re_rated)
    new = referral_create(hub=mash.hub, data=referral_data(), channel="api", referring_agency=mash.police)
    _health_referral(mash)  # another agency's: never listed

    response = client.get(REFERRALS, {"updated_since": since.isoformat()}, **auth)

    assert response.status_code == 200, response.content
    listed = {r["id"] for r in response.json()["results"]}
    assert listed == {str(re_rated.id), str(new.id)}
    assert str(unchanged.id) in {r["id"] for r in client.get(REFERRALS, **auth).json()["results"]}


def test_assigning_a_referral_is_not_a_change_the_referrer_sees(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    referral = mash.referral()
    since = timezone.now()
    triage.referral_assign(referral=referral, by=mash.manager, to=mash.practitioner)
    response = client.get(REFERRALS, {"updated_since": since.isoformat().replace("+00:00", "Z")}, **auth)
    assert response.json()["results"] == []


def test_a_signed_off_decision_is_a_change_with_its_outcome(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    referral = AnsweredReferralFactory(mash=mash)
    since = timezone.now()
    SignedOffDecisionFactory(mash=mash, referral=referral)
    [listed] = client.get(REFERRALS, {"updated_since": since.isoformat()}, **auth).json()["results"]
    assert (listed["id"], listed["status"], listed["outcome"]) == (str(referral.id), "closed", "early_help")


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2026-11-25T09:30:00",  # no offset
        "2026-13-01T00:00:00Z",
        "0001-01-01T00:00:00+05:00",  # would overflow once in UTC
        "9999-12-31T23:59:59-05:00",
        "1999-12-31T23:59:59Z",
        "0086-10-17T22:42:31-17:44",
        "",
    ],
)
def test_a_bad_updated_since_is_a_422_on_that_field(client, mash, value):
    auth = _auth(client, mash.hub, mash.police)
    mash.referral()
    response = client.get(REFERRALS, {"updated_since": value}, **auth)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["updated_since"]


@pytest.mark.parametrize("url", [REFERRALS, "/api/v1/information-requests/"])
@pytest.mark.parametrize("size", ["0", "201", "abc", "-1", "1.5"])
def test_the_lists_refuse_a_page_size_outside_1_to_200(client, mash, url, size):
    auth = _auth(client, mash.hub, mash.police, scopes="referrals:read contributions:write")
    response = client.get(url, {"page_size": size}, **auth)
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["page_size"]
    assert client.get(url, {"page_size": "200"}, **auth).status_code == 200


# --- the events feed ---


def _all_events(client, auth, **params) -> tuple[list[dict], str]:
    """Every page from `params` on, following `next`; the events and the last cursor."""
    page = client.get(EVENTS, params, **auth)
    assert page.status_code == 200, page.content
    body = page.json()
    results = body["results"]
    while body["next"]:
        body = client.get(body["next"], **auth).json()
        results += body["results"]
    return results, body["cursor"]


def test_the_referrer_reads_its_referral_received_rated_asked_amended_and_decided_in_order(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    referral = AnsweredReferralFactory(mash=mash)  # received, rated, the core agencies asked, answered
    referral_amend(
        referral=referral, by=mash.practitioner, data=referral_data(narrative="Corrected narrative."), reason="Typo"
    )
    SignedOffDecisionFactory(mash=mash, referral=referral)

    events, _ = _all_events(client, auth)

    assert [e["type"] for e in events] == [
        "referral.received",
        "referral.rated",
        "information_request.opened",  # the police were asked about their own referral too
        "referral.amended",
        "referral.decided",
    ]
    assert {e["referral"]["id"] for e in events} == {str(referral.id)}
    assert {e["referral"]["reference"] for e in events} == {referral.reference}
    assert events[1]["data"] == {"rating": "red"}
    assert events[4]["data"] == {"outcome": "early_help"}
    assert set(events[2]["data"]) == {"information_request_id", "due_at"}
    assert all(e["occurred_at"].endswith("Z") or e["occurred_at"].endswith("+00:00") for e in events)
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids)
    # Only what the status endpoint shows: nothing of the contributions, the people or the narrative.
    text = str(events)
    assert "no_trace" not in text and "known" not in text and "Corrected" not in text


def test_another_agency_sees_only_the_request_opened_to_it_and_never_the_referrers_events(client, mash):
    referral = mash.referral()
    ask(mash, referral)
    _health_referral(mash)
    social_care = _auth(client, mash.hub, mash.social_care)
    health = _auth(client, mash.hub, mash.health)

    events, _ = _all_events(client, social_care)
    assert [(e["type"], e["referral"]["id"]) for e in events] == [("information_request.opened", str(referral.id))]
    health_types = [e["type"] for e in _all_events(client, health)[0]]
    assert health_types == ["information_request.opened", "referral.received"]  # asked about police's; its own


def test_another_hubs_events_never_appear(client, mash):
    from tests.people import build_mash

    elsewhere = build_mash("south")
    elsewhere.referral()
    auth = _auth(client, mash.hub, mash.police)
    assert _all_events(client, auth)[0] == []


def test_an_agency_resumes_from_its_last_cursor_and_misses_nothing(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    first = mash.referral()
    second = mash.referral()
    pages = []
    body = client.get(EVENTS, {"page_size": 1}, **auth).json()
    pages.append(body["results"])
    while body["next"]:
        body = client.get(body["next"], **auth).json()
        pages.append(body["results"])
    assert [len(p) for p in pages] == [1, 1, 1, 1]
    seen = [e["referral"]["id"] for p in pages for e in p]
    assert seen == [str(first.id)] * 2 + [str(second.id)] * 2
    kept = body["cursor"]

    assert client.get(EVENTS, {"cursor": kept}, **auth).json()["results"] == []  # nothing new
    _re_rate(mash, first, "green")
    ask(mash, second)

    newer, cursor = _all_events(client, auth, cursor=kept)
    assert [(e["type"], e["referral"]["id"]) for e in newer] == [
        ("referral.rated", str(first.id)),
        ("information_request.opened", str(second.id)),
    ]
    assert newer[0]["data"] == {"rating": "green"}
    # `after=<event id>` resumes the same way.
    assert client.get(EVENTS, {"after": pages[-1][0]["id"]}, **auth).json()["results"] == newer
    assert client.get(EVENTS, {"cursor": cursor}, **auth).json()["results"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"after": "abc"}, "after"),
        ({"after": "-1"}, "after"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_a_bad_cursor_event_id_or_page_size_is_a_422_on_that_field(client, mash, params, field):
    auth = _auth(client, mash.hub, mash.police)
    response = client.get(EVENTS, params, **auth)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_resuming_after_an_event_that_does_not_exist_is_404(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    response = client.get(EVENTS, {"after": "999999999"}, **auth)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_the_feed_needs_a_token_the_read_scope_and_a_current_agreement(client, mash):
    assert client.get(EVENTS).status_code == 401
    write_only = _auth(client, mash.hub, mash.police, scopes="referrals:write")
    assert client.get(EVENTS, **write_only).status_code == 403
    housing = _auth(client, mash.hub, mash.housing, scopes="referrals:read")  # has not signed the agreement
    response = client.get(EVENTS, **housing)
    assert response.status_code == 403 and "agreement" in response.json()["detail"]


def test_reading_the_feed_is_logged_and_costs_the_same_however_many_events(client, mash, django_assert_max_num_queries):
    auth = _auth(client, mash.hub, mash.police)
    for _ in range(3):
        ask(mash, mash.referral())
    # The token (1), the client with its agreement (1), the page of events (1), their references (1), the read logged
    # (1); on PostgreSQL also the horizon of finished transactions (1): 5 here, at most 7, for 9 events as for 1.
    with django_assert_max_num_queries(7):
        body = client.get(EVENTS, **auth).json()
    assert len(body["results"]) == 9
    logged = AuditEvent.objects.filter(action="referral_events.listed").get()
    assert sorted(logged.data["ids"]) == sorted(e["id"] for e in body["results"])


# --- conditional GETs ---


def test_a_referral_carries_an_etag_and_answers_304_while_it_is_unchanged(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    referral = mash.referral()
    url = f"{REFERRALS}{referral.id}/"
    first = client.get(url, **auth)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and not etag.startswith("W/")

    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **auth)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}', **auth).status_code == 304

    _re_rate(mash, referral)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **auth)
    assert changed.status_code == 200 and changed.json()["rating"] == "amber" and changed["ETag"] != etag


def test_another_agencys_referral_is_404_whatever_the_etag(client, mash):
    auth = _auth(client, mash.hub, mash.police)
    theirs = _health_referral(mash)
    assert client.get(f"{REFERRALS}{theirs.id}/", HTTP_IF_NONE_MATCH="*", **auth).status_code == 404


def test_updated_at_is_kept_by_the_lifecycle_only_when_what_the_referrer_reads_changes(mash):
    referral = mash.referral()
    stamped = referral.updated_at
    triage.referral_assign(referral=referral, by=mash.manager, to=mash.practitioner)
    referral.refresh_from_db()
    assert referral.updated_at == stamped
    _re_rate(mash, referral)
    referral.refresh_from_db()
    assert referral.updated_at > stamped


def test_the_migration_dates_existing_referrals_by_their_last_screening_or_decision(mash):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("referrals.migrations.0013_referral_updated_at").backfill
    screened = mash.referral()
    received = referral_create(hub=mash.hub, data=referral_data(), channel="api", referring_agency=mash.police)
    decided = AnsweredReferralFactory(mash=mash)
    SignedOffDecisionFactory(mash=mash, referral=decided)
    long_ago = timezone.now().replace(year=2001)
    Referral.objects.update(updated_at=long_ago)  # as the column's default would have stamped them, wrongly

    backfill(apps, None)

    for referral in (screened, received, decided):
        referral.refresh_from_db()
    assert screened.updated_at == screened.screenings.latest("at").at
    assert received.updated_at == received.created_at
    assert decided.updated_at == decided.decided_at
