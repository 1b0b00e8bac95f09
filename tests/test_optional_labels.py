"""No field a person must fill says "(optional)": each form is sent as a hurried person would send it, and every
field the service then asks for must not have told them they could leave it."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    AnsweredReferralFactory,
    AskedReferralFactory,
    ProposedDecisionFactory,
    UserFactory,
    requests_of,
)

pytestmark = pytest.mark.django_db


def _labels_in_error(page: str) -> dict[str, str]:
    """Each field in error, by id, with the words of its label (or legend)."""
    fields = set(re.findall(r'id="(id_[\w-]+?)-error"', page))
    assert fields, "the page shows no field in error"
    labels = {}
    for field in fields:
        label = re.search(rf'<label[^>]*for="{field}"[^>]*>(.*?)</label>', page, re.S) or re.search(
            rf'<fieldset[^>]*aria-describedby="[^"]*{field}-error"[^>]*>\s*<legend[^>]*>(.*?)</legend>', page, re.S
        )  # a date's fieldset, described by its error
        labels[field] = re.sub(r"<[^>]+>", "", label.group(1)).strip() if label else ""
    return labels


def _assert_none_optional(page: str) -> None:
    wrong = {field: label for field, label in _labels_in_error(page).items() if "(optional)" in label}
    assert not wrong, f"fields asked for but labelled optional: {wrong}"


def test_the_referral_form(client, mash):
    client.force_login(mash.practitioner)
    url = reverse("referral-new", args=[mash.hub.id])
    _assert_none_optional(client.post(url, {"channel": "phone"}).content.decode())
    # An adult, consent not obtained: the adults' fields and the reason are asked for.
    adult = {
        "channel": "phone",
        "subject_estimated_age": "40",
        "consent": "not_obtained",
        "concerns": ["adult:neglect"],
    }
    page = client.post(url, adult).content.decode()
    assert 'id="id_adult_risk_location-error"' in page and 'id="id_consent_reason-error"' in page
    _assert_none_optional(page)
    # No date of birth and no age: the date of birth (three boxes under its legend) is asked for.
    page = client.post(url, {"channel": "phone", "subject_family_name": "Unknown"}).content.decode()
    assert _labels_in_error(page)["id_subject_date_of_birth"] == "Date of birth"
    _assert_none_optional(page)


def test_the_screening_and_decision_forms(client, mash):
    referral = AnsweredReferralFactory(mash=mash)
    client.force_login(mash.practitioner)
    _assert_none_optional(client.post(reverse("referral-screen", args=[mash.hub.id, referral.id]), {}).content.decode())
    _assert_none_optional(
        client.post(reverse("decision-propose", args=[mash.hub.id, referral.id]), {}).content.decode()
    )


def test_the_contribution_form(client, mash):
    asked = AskedReferralFactory(mash=mash)
    request = requests_of(asked)[mash.police.pk]
    client.force_login(mash.officers["police"])
    page = client.post(reverse("officer-request", args=[mash.hub.id, request.id]), {"known": "yes"}).content.decode()
    assert 'id="id_summary-error"' in page
    _assert_none_optional(page)


def test_returning_a_decision(client, mash):
    decision = ProposedDecisionFactory(mash=mash)
    client.force_login(mash.manager)
    url = reverse("decision-review", args=[mash.hub.id, decision.id])
    page = client.post(url, {"verdict": "return"}).content.decode()
    assert 'id="id_comments-error"' in page
    _assert_none_optional(page)


@pytest.mark.parametrize("role", ["agency_officer", "deputy"])
def test_giving_a_role(client, mash, role):
    UserFactory(username="new.person")
    client.force_login(mash.admin)
    page = client.post(reverse("role-grant", args=[mash.hub.id]), {"username": "new.person", "role": role})
    _assert_none_optional(page.content.decode())


def test_no_filter_of_a_list_says_optional(client, mash):
    """A list's filters may each be left as they are, so none says "(optional)": the triage queue's, the referrals
    list's and the audit trail's."""
    h = mash.hub.id
    pages = {
        (mash.practitioner, "triage-queue"): ("Rating", "Status"),
        (mash.practitioner, "referral-list"): ("Search", "Came in by"),
        (mash.manager, "audit-trail"): ("Record type", "Person (username)"),
    }
    for (person, name), labels in pages.items():
        client.force_login(person)
        response = client.get(reverse(name, args=[h]))
        assert response.status_code == 200, name
        page = response.content.decode()
        for label in labels:
            assert re.search(rf"<label[^>]*>{re.escape(label)}</label>", page), (name, label)
        assert "(optional)" not in page, name
