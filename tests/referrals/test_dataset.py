"""The standard referral dataset: each missing or invalid field gets its own message, and nothing else passes."""

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Cohort
from referrals.dataset import nhs_number_problem, normal_postcode
from referrals.schemas import referral_clean as clean
from tests.factories import HubFactory, referral_data

pytestmark = pytest.mark.django_db


def errors_of(hub, data) -> dict:
    with pytest.raises(ValidationError) as error:
        clean(data, hub=hub)
    return error.value.message_dict


def test_valid_child_referral_is_cleaned(hub):
    data = clean(referral_data(), hub=hub)
    assert data["cohort"] == "child" and not data["cohort_overridden"]
    assert data["subject"]["postcode"] == "NT1 1AA"
    assert data["subject"]["date_of_birth"].isoformat() == "2018-05-04"
    assert data["concerns"] == ["emotional", "neglect"]
    assert data["others"][0]["role"] == "parent_carer"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"narrative": ""}, "narrative", "Describe the concern in your own words"),
        ({"consent": "maybe"}, "consent", "Choose whether consent was obtained"),
        ({"consent_reason": ""}, "consent_reason", "Say why consent was not obtained"),
        ({"concerns": []}, "concerns", "Choose at least one concern"),
        ({"concerns": ["teleportation"]}, "concerns", "Choose concerns from"),
        ({"source_code": "99"}, "source_code", "Choose the referral source"),
        ({"source_code": ""}, "source_code", "Choose the referral source"),
        ({"referrer": {"name": "", "contact": "x"}}, "referrer.name", "Enter the referrer's name"),
        ({"referrer": {"name": "A"}}, "referrer.contact", "Enter a phone number or email address"),
        ({"immediate_risk": "perhaps"}, "immediate_risk", "Say whether anyone is at immediate risk"),
        ({"received_at": "2999-01-01T00:00:00+00:00"}, "received_at", "cannot be in the future"),
        ({"received_at": "yesterday"}, "received_at", "Enter the time received with its offset"),
        ({"cohort": "alien"}, "cohort", "Choose child or adult"),
        ({"adult_risk_location": "own_home"}, "adult_risk_location", "for adults only"),
        ({"adult_risk_source": "service_provider"}, "adult_risk_source", "Source of risk is recorded for adults only"),
        ({"colour": "blue"}, "colour", "not part of the referral dataset"),
    ],
)
def test_each_bad_field_has_its_own_message(hub, change, field, message):
    errors = errors_of(hub, referral_data(**change))
    assert field in errors and message in " ".join(errors[field])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"family_name": ""}, "subject.family_name", "Enter the family name"),
        ({"date_of_birth": None}, "subject.date_of_birth", "Enter the date of birth, or an estimated age"),
        ({"date_of_birth": "04/05/2018"}, "subject.date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "2999-01-01"}, "subject.date_of_birth", "must be in the past"),
        ({"nhs_number": "9434765918"}, "subject.nhs_number", "the check digit does not match"),
        ({"nhs_number": "12345"}, "subject.nhs_number", "10 digits"),
        ({"postcode": "NOT A CODE"}, "subject.postcode", "Enter a real UK postcode"),
        ({"estimated_age": -3, "date_of_birth": None}, "subject.estimated_age", "from 0 to 120"),
        ({"shoe_size": 9}, "subject.shoe_size", "not part of the referral dataset"),
    ],
)
def test_each_bad_subject_field_has_its_own_message(hub, change, field, message):
    subject = {**referral_data()["subject"], **change}
    errors = errors_of(hub, referral_data(subject=subject))
    assert field in errors and message in " ".join(errors[field])


def test_other_people_need_a_role_and_are_checked_one_by_one(hub):
    others = [{"role": "sibling", "family_name": "A"}, {"role": "subject", "postcode": "bad"}]
    errors = errors_of(hub, referral_data(others=others))
    assert "others.1.role" in errors and "others.1.postcode" in errors and "others.0.role" not in errors


def test_many_errors_are_reported_together(hub):
    errors = errors_of(hub, {"subject": {}, "referrer": {}})
    assert {"narrative", "consent", "concerns", "referrer.name", "referrer.contact", "subject.family_name"} <= set(
        errors
    )


def test_cohort_follows_the_subjects_age_and_can_be_overridden(hub):
    adult = {**referral_data()["subject"], "date_of_birth": "1950-01-01"}
    data = clean(
        referral_data(
            subject=adult,
            source_code="",
            concerns=["financial"],
            adult_risk_location="own_home",
            adult_risk_source="known_to_individual",
        ),
        hub=hub,
    )
    assert data["cohort"] == "adult" and data["source_code"] == ""
    assert data["adult_risk_source"] == "known_to_individual"
    data = clean(referral_data(cohort="child"), hub=hub)
    assert data["cohort"] == "child" and data["cohort_overridden"]


def test_adult_needs_risk_location_and_sac_types(hub):
    adult = {**referral_data()["subject"], "date_of_birth": "1950-01-01"}
    errors = errors_of(hub, referral_data(subject=adult, source_code="", concerns=["neglect", "physical", "sexual"]))
    assert "adult_risk_location" in errors and "concerns" not in errors
    assert errors["adult_risk_source"] == [
        "Choose who the risk is from: service provider, other – known to individual or other – unknown to individual"
    ]


def test_a_wrong_age_is_named_once(hub):
    subject = {**referral_data()["subject"], "date_of_birth": None, "estimated_age": "34"}
    errors = errors_of(hub, referral_data(subject=subject))
    assert errors["subject.estimated_age"] == ["Enter an estimated age in whole years, from 0 to 120"]
    assert "subject.date_of_birth" not in errors  # not also "enter the date of birth, or an estimated age"


def test_an_adult_with_another_mistake_is_still_checked_as_an_adult(hub):
    # The family name is missing, but the age is there: the rest is checked by the adults' rules at once, not the
    # children's (which would ask for a Children in Need source code and then, once corrected, for the adults' fields).
    adult = {**referral_data()["subject"], "family_name": "", "date_of_birth": "1950-01-01"}
    errors = errors_of(hub, referral_data(subject=adult, source_code="", concerns=["financial"]))
    assert "subject.family_name" in errors
    assert "adult_risk_location" in errors and "adult_risk_source" in errors
    assert "source_code" not in errors and "concerns" not in errors


@pytest.mark.parametrize("value", ["landlord", "Service provider", ["service_provider"]])
def test_an_adults_source_of_risk_must_be_one_of_the_sac_three(hub, value):
    adult = {**referral_data()["subject"], "date_of_birth": "1950-01-01"}
    data = referral_data(
        subject=adult, source_code="", concerns=["financial"], adult_risk_location="own_home", adult_risk_source=value
    )
    errors = errors_of(hub, data)
    assert list(errors) == ["adult_risk_source"] and "Choose who the risk is from" in errors["adult_risk_source"][0]


def test_a_hub_for_children_refuses_adults():
    hub = HubFactory(name="Children only", cohorts=Cohort.CHILDREN)
    adult = {**referral_data()["subject"], "date_of_birth": "1950-01-01"}
    errors = errors_of(hub, referral_data(subject=adult, source_code="", adult_risk_location="own_home"))
    assert errors["cohort"] == ["Children only does not take referrals about adults"]


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "4010232137"])
def test_valid_nhs_numbers(number):
    assert nhs_number_problem(number) is None


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "abcdefghij", "123"])
def test_invalid_nhs_numbers(number):
    assert nhs_number_problem(number)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("sw1a1aa", "SW1A 1AA"), ("M1 1AE", "M1 1AE"), (" cr2 6xh ", "CR2 6XH"), ("Q1 1AA", None), ("12345", None)],
)
def test_postcodes(raw, expected):
    assert normal_postcode(raw) == expected


@pytest.mark.parametrize("bad", ["nul\x00byte", "lone \ud800 surrogate"])
def test_text_that_cannot_be_stored_is_refused_by_its_field(hub, bad):
    errors = errors_of(hub, referral_data(narrative=bad, subject={**referral_data()["subject"], "given_name": bad}))
    refused = ["Remove the invalid characters from this text (control or text-direction characters)"]
    assert errors["narrative"] == refused and errors["subject.given_name"] == refused


def test_impossible_dates_are_refused_by_their_field(hub):
    subject = {**referral_data()["subject"], "date_of_birth": "2024-13-01"}
    errors = errors_of(hub, referral_data(subject=subject, received_at="2026-02-30T10:00:00+00:00"))
    assert "YYYY-MM-DD" in errors["subject.date_of_birth"][0]
    assert "offset" in errors["received_at"][0]
