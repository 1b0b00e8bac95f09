"""Every input an integrator can send answers cleanly (issue 17): never a 500, a problem+json answer naming the field
or the limit, and nothing stored. One test per input the issue found accepted or answered with a server error."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Hub, Role
from mash.json_input import MAX_JSON_DEPTH, BodyTooLarge, BoundedJSONParser
from referrals.models import Referral
from referrals.services import referral_amend, referral_create
from tests.factories import MembershipFactory, member, referral_data
from tests.referrals.test_api import URL, _client_token, nothing_stored, post

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def token(client, hub, police):
    return _client_token(client, hub, police)


def refused(response, status=422, field=None) -> dict:
    """The answer is a problem of `status` (naming `field`) and nothing was stored."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    assert nothing_stored()
    return body


def detail_of(body, field) -> str:
    return next(e["detail"] for e in body["errors"] if e["field"] == field)


def subject(**changes) -> dict:
    return {**referral_data()["subject"], **changes}


def ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


# The body: depth, size, encoding ----------------------------------------------------------------------------------


def test_five_thousand_nested_objects_are_a_400_naming_the_limit(client, token):
    body = '{"a":' * 5000 + "1" + "}" * 5000  # 30 KB: under the size limit
    problem = refused(post(client, token, body), 400)
    assert f"at most {MAX_JSON_DEPTH} levels" in problem["detail"]


def test_a_hundred_thousand_nested_arrays_are_a_400(client, token):
    problem = refused(post(client, token, "[" * 100_000 + "]" * 100_000), 400)
    assert "nested too deeply" in problem["detail"]


def test_brackets_inside_text_are_not_nesting(client, token):
    response = post(client, token, referral_data(narrative="[{" * 40 + ' "quoted" \\ ' + "}]" * 40))
    assert response.status_code == 201, response.content


def test_a_body_over_the_limit_is_a_413(client, token, settings):
    settings.API_MAX_BODY_BYTES = 2048
    refused(post(client, token, referral_data(narrative="x" * 3000)), 413)


def test_a_body_without_content_length_cannot_exceed_the_limit(client, token, settings):
    # Sent chunked (no Content-Length): the server reads no more than the limit, and nothing is stored.
    settings.API_MAX_BODY_BYTES = 2048
    response = post(client, token, referral_data(narrative="x" * 3000), CONTENT_LENGTH="")
    assert response.status_code in (400, 413, 422) and response["Content-Type"] == PROBLEM
    assert nothing_stored()
    with pytest.raises(BodyTooLarge):  # a stream longer than the limit, whatever its headers said
        BoundedJSONParser().parse(io.BytesIO(b'"' + b"x" * 3000 + b'"'))


@pytest.mark.parametrize(
    "raw",
    [b'{"narrative": "caf\xe9"}', b"\xff\xfe{}", b"{not json", b'{"estimated_age": NaN}'],
    ids=["latin-1", "utf-16-bom", "not-json", "nan"],
)
def test_a_body_that_is_not_utf8_json_is_a_400(client, token, raw):
    response = client.post(
        URL, raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="k"
    )
    refused(response, 400)


# Times ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "received",
    ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1901-01-01T00:00:00Z",
     "1990-06-01T09:00:00+00:00", "2026-02-30T10:00:00Z", "2026-11-25T09:30:00"],
)  # fmt: skip
def test_a_received_time_out_of_range_or_without_offset_is_a_field_error(client, token, received):
    refused(post(client, token, referral_data(received_at=received)), field="received_at")


def test_received_at_is_within_the_hubs_late_referral_window(client, token, hub):
    body = refused(post(client, token, referral_data(received_at=ago(days=31))), field="received_at")
    assert "within the last 30 days" in detail_of(body, "received_at")
    refused(post(client, token, referral_data(received_at=ago(minutes=-5))), field="received_at")  # the future
    assert post(client, token, referral_data(received_at=ago(days=29)), key="k2").status_code == 201
    Hub.objects.filter(pk=hub.pk).update(late_referral_days=60)
    assert post(client, token, referral_data(received_at=ago(days=59)), key="k3").status_code == 201


def test_imports_record_history_and_amendments_keep_their_old_time(hub):
    old = referral_create(hub=hub, data=referral_data(received_at=ago(days=90)), channel="email", history=True)
    referral_amend(
        referral=old,
        by=member(hub, Role.PRACTITIONER),
        data=referral_data(narrative="Corrected account."),
        reason="Typo",
    )
    old.refresh_from_db()
    assert old.narrative == "Corrected account." and old.received_at < timezone.now() - timedelta(days=89)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": subject(date_of_birth="1899-12-31")}, "subject.date_of_birth"),
        ({"subject": subject(date_of_birth="2999-01-01")}, "subject.date_of_birth"),
        ({"cohort": "child", "subject": subject(date_of_birth="1980-01-01")}, "subject.date_of_birth"),
        ({"cohort": "child", "subject": subject(date_of_birth=None, estimated_age=40)}, "subject.estimated_age"),
    ],
    ids=["before-1900", "future", "child-born-1980", "child-aged-40"],
)
def test_a_date_of_birth_implausible_for_the_cohort_is_a_field_error(client, token, changes, field):
    refused(post(client, token, referral_data(**changes)), field=field)


def test_an_adult_over_120_is_refused_and_a_care_leaver_is_a_child(client, token):
    adult = {"concerns": ["financial"], "adult_risk_location": "own_home", "adult_risk_source": "known_to_individual"}
    born = (timezone.localdate() - timedelta(days=365 * 125)).isoformat()
    refused(post(client, token, referral_data(source_code="", subject=subject(date_of_birth=born), **adult)),
            field="subject.date_of_birth")  # fmt: skip
    leaver = (timezone.localdate() - timedelta(days=365 * 21)).isoformat()
    assert post(client, token, referral_data(cohort="child", subject=subject(date_of_birth=leaver))).status_code == 201


def test_an_adult_referral_about_a_young_child_is_refused_and_a_16_year_old_is_taken(client, token):
    adult = {"cohort": "adult", "source_code": "", "concerns": ["financial"], "adult_risk_location": "own_home",
             "adult_risk_source": "known_to_individual"}  # fmt: skip
    six = (timezone.localdate() - timedelta(days=365 * 6 + 2)).isoformat()
    body = refused(post(client, token, referral_data(subject=subject(date_of_birth=six), **adult)),
                   field="subject.date_of_birth")  # fmt: skip
    assert "aged 16 or over" in detail_of(body, "subject.date_of_birth")
    refused(post(client, token, referral_data(subject=subject(date_of_birth=None, estimated_age=9), **adult), key="k2"),
            field="subject.estimated_age")  # fmt: skip
    sixteen = (timezone.localdate() - timedelta(days=365 * 16 + 5)).isoformat()
    taken = post(client, token, referral_data(subject=subject(date_of_birth=sixteen), **adult), key="k3")
    assert taken.status_code == 201, taken.content


def test_times_come_back_in_utc_with_z_in_summer_too(client, hub, police):
    # Next summer (British Summer Time), while the information sharing agreement signed this month is in force.
    with time_machine.travel(datetime(2027, 7, 1, 10, 0, tzinfo=UTC), tick=False):
        token = _client_token(client, hub, police)
        created = post(client, token, referral_data(received_at="2027-07-01T10:15:00+01:00"))
        assert created.status_code == 201, created.content
        assert created.json()["received_at"] == "2027-07-01T09:15:00Z"
        listed = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert "results" in listed, listed
        listed = listed["results"]
        assert listed[0]["received_at"] == "2027-07-01T09:15:00Z"
        one = client.get(f"{URL}{created.json()['id']}/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert one["received_at"] == "2027-07-01T09:15:00Z"


# Types ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"others": [{"role": "parent_carer", "family_name": "Example", "estimated_age": "34"}]}, "others.0.estimated_age"),
        ({"immediate_risk": "false"}, "immediate_risk"),
        ({"immediate_risk": 0}, "immediate_risk"),
        ({"immediate_risk": None}, "immediate_risk"),
        ({"narrative": 42}, "narrative"),
        ({"concerns": "neglect"}, "concerns"),
    ],
    ids=["age-as-text", "bool-as-text", "bool-as-number", "null-immediate-risk", "number-as-text", "text-as-list"],
)  # fmt: skip
def test_no_coercion_between_json_types(client, token, changes, field):
    refused(post(client, token, referral_data(**changes)), field=field)


def test_immediate_risk_left_out_is_asked_for(client, token):
    data = referral_data()
    del data["immediate_risk"]
    body = refused(post(client, token, data), field="immediate_risk")
    assert detail_of(body, "immediate_risk") == "Say whether anyone is at immediate risk of harm"


# Text -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Smith\u202eevil", "Remove the invalid characters"),  # right-to-left override
        ("\u2066Smith\u2069", "Remove the invalid characters"),  # isolates
        ("Smi\x07th", "Remove the invalid characters"),  # a control character (bell)
        ("Smith\nJones", "Remove the invalid characters"),  # a name is one line
        ("\u200b\u200b", "visible characters"),  # zero-width spaces only
        ("\ufeff\u2060\u200d", "visible characters"),  # BOM, word joiner, zero-width joiner
        ("\u3164", "visible characters"),  # Hangul filler
    ],
    ids=["bidi-override", "bidi-isolate", "bell", "newline", "zero-width", "invisible-format", "hangul-filler"],
)
def test_names_refuse_control_bidi_and_invisible_only_text(client, token, name, message):
    body = refused(post(client, token, referral_data(subject=subject(family_name=name))), field="subject.family_name")
    assert message in detail_of(body, "subject.family_name")


def test_long_text_keeps_its_lines_and_names_their_right_to_left_marks(client, token):
    data = referral_data(
        narrative="First line.\r\n\tSecond line.", subject=subject(family_name="\u05db\u05d4\u05df\u200f")
    )
    assert post(client, token, data).status_code == 201
    referral = Referral.objects.get()
    assert referral.narrative == "First line.\r\n\tSecond line."


# The sender -------------------------------------------------------------------------------------------------------


def test_a_health_client_cannot_send_a_police_source_code(client, hub):
    health = MembershipFactory(hub=hub, agency__kind="health", agency__source_codes=[]).agency
    token = _client_token(client, hub, health)
    body = refused(post(client, token, referral_data(source_code="6")), field="source_code")
    assert "3A (Health: GP)" in detail_of(body, "source_code")
    assert post(client, token, referral_data(source_code="3E"), key="k2").status_code == 201


def test_an_agency_with_recorded_codes_sends_only_those(client, token):
    refused(post(client, token, referral_data(source_code="2A")), field="source_code")
