"""`POST /api/v1/households/` as an integrator meets it: one idempotent request, each child's referral answered;
bad input refused field by field with nothing stored; the scope of recording a referral needed."""

import json

import pytest

from audit.models import AuditEvent
from referrals.models import Household, IdempotencyRecord, Person, Referral
from tests.factories import referral_data
from tests.referrals.test_api import _client_token
from tests.referrals.test_households import household_data

pytestmark = pytest.mark.django_db
URL = "/api/v1/households/"


@pytest.fixture
def token(client, hub, police):
    return _client_token(client, hub, police)


def post(client, token, body, key="key-1", url=URL):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_a_household_is_created_with_each_childs_referral(client, token, police):
    response = post(client, token, household_data())
    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get()
    assert (body["id"], body["reference"]) == (str(household.id), household.reference)
    assert [r["child"] for r in body["referrals"]] == [0, 1, 2]
    for answered in body["referrals"]:
        referral = Referral.objects.get(pk=answered["id"])
        assert (referral.reference, referral.household, referral.channel) == (answered["reference"], household, "api")
        assert referral.referring_agency == police
    subjects = [Referral.objects.get(pk=r["id"]).persons.get(role="subject").given_name for r in body["referrals"]]
    assert subjects == ["Alex", "Bo", "Cy"]
    event = AuditEvent.objects.get(action="household.received")
    assert event.actor_type == "client" and event.actor_agency_id == police.pk


def test_same_key_and_body_replays_and_another_body_is_refused(client, token):
    first = post(client, token, household_data())
    again = post(client, token, household_data())
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = post(client, token, household_data(children=2))
    assert other.status_code == 422 and "different request body" in other.json()["detail"]
    assert Household.objects.count() == 1 and Referral.objects.count() == 3


def test_the_same_key_may_serve_a_referral_and_a_household(client, token):
    assert post(client, token, referral_data(), url="/api/v1/referrals/").status_code == 201
    assert post(client, token, household_data()).status_code == 201


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(client, token):
    data = household_data()
    data["children"][1]["date_of_birth"] = "2999-01-01"
    data["adults"][0]["relationships"] = [{"child": 5, "role": "household"}]
    data["adults"][1]["role"] = "subject"
    data["narrative"] = ""
    response = post(client, token, data)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {e["field"]: e["detail"] for e in response.json()["errors"]}
    assert errors == {
        "children.1.date_of_birth": "The date of birth must be in the past",
        "adults.0.relationships.0.child": "There are 3 children: name one from 0 to 2",
        "adults.1.role": errors["adults.1.role"],
        "narrative": "Describe the concern in your own words",
    }
    assert errors["adults.1.role"].startswith("Choose how this adult is related to the children")
    assert not Household.objects.exists() and not Person.objects.exists() and not IdempotencyRecord.objects.exists()
    # The corrected request may use the same key.
    assert post(client, token, household_data()).status_code == 201


def test_no_children_and_a_referral_shape_are_refused(client, token):
    data = {**household_data(), "children": [], "subject": {"family_name": "X"}}
    errors = {e["field"]: e["detail"] for e in post(client, token, data).json()["errors"]}
    assert errors == {
        "children": "Name at least one child",
        "subject": "This field is not part of the referral dataset",
    }


def test_without_the_write_scope_it_is_refused(client, hub, police):
    token = _client_token(client, hub, police, scopes="referrals:read")
    response = post(client, token, household_data())
    assert response.status_code == 403 and not Household.objects.exists()


def test_without_a_key_it_is_refused(client, token):
    response = post(client, token, household_data(), key=None)
    assert response.status_code == 400 and not Household.objects.exists()


def test_a_single_childs_referral_is_unchanged(client, token):
    response = post(client, token, referral_data(), url="/api/v1/referrals/")
    assert response.status_code == 201
    assert set(response.json()) == {"id", "reference", "status", "received_at", "rating", "outcome", "decided_at"}
    assert Referral.objects.get().household is None and not Household.objects.exists()
