"""Amending a recorded referral: a new version by the same schema, with a reason, audited; both versions kept; the
agencies already asked check the new version's people; a closed referral is not amended."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from audit.models import AuditEvent
from decisions.serializers import InformationRequestSerializer
from mash.errors import Conflict
from referrals.models import Person, Referral, ReferralVersion
from referrals.services import referral_amend
from referrals.versions import changes, dataset_of, form_values
from tests.dates import typed_dates
from tests.factories import SignedOffDecisionFactory, ask

pytestmark = pytest.mark.django_db
ABUSER = {"role": "alleged_source", "given_name": "Lee", "family_name": "Harm", "date_of_birth": "1990-02-01"}


def _with_abuser(referral):
    data = dataset_of(referral)
    data.pop("cohort_overridden")
    data["cohort"] = None
    data["others"].append(dict(ABUSER))
    return data


def test_an_amendment_is_a_new_version_with_its_reason_and_the_agencies_asked_see_the_new_person(mash):
    referral = mash.referral()
    requests = ask(mash, referral)
    original = dataset_of(referral)
    version = referral_amend(referral=referral, by=mash.practitioner, data=_with_abuser(referral),
                             reason="The mother named her partner on a call back")  # fmt: skip
    assert version.number == 2 and version.before == original and version.by == mash.practitioner
    assert [p["given_name"] for p in version.after["others"]] == ["Sam", "Lee"]
    assert changes(version.before, version.after) == [
        ("Other people", "Sam Example (Parent or carer, about 34)",
         "Sam Example (Parent or carer, about 34); Lee Harm (Alleged source of harm, 1990-02-01)"),
    ]  # fmt: skip
    event = AuditEvent.objects.get(action="referral.amended")
    assert event.data == {"reference": referral.reference, "version": 2, "changed": ["others"], "others": 2,
                          "reason": "The mother named her partner on a call back"}  # fmt: skip
    # Police, already asked, now check Lee too.
    police = InformationRequestSerializer(requests[mash.police.pk]).data
    assert {p["given_name"] for p in police["people"]} == {"Alex", "Sam", "Lee"}


def test_a_bad_amendment_names_the_fields_and_changes_nothing(mash):
    referral = mash.referral()
    data = _with_abuser(referral)
    data["others"][1]["date_of_birth"] = "2999-01-01"
    with pytest.raises(ValidationError) as bad:
        referral_amend(referral=referral, by=mash.practitioner, data=data, reason="")
    assert bad.value.message_dict == {
        "others.1.date_of_birth": ["The date of birth must be in the past"],
        "reason": ["Say why the referral is amended"],
    }
    with pytest.raises(ValidationError, match="Nothing has changed"):
        referral_amend(referral=referral, by=mash.practitioner, data=_with_abuser(referral) | {"others": [
            dataset_of(referral)["others"][0]]}, reason="No change")  # fmt: skip
    assert not ReferralVersion.objects.exists() and Person.objects.filter(referral=referral).count() == 2
    assert not AuditEvent.objects.filter(action="referral.amended").exists()


def test_a_closed_referral_is_not_amended_and_only_the_hubs_staff_amend(mash):
    referral = mash.referral()
    with pytest.raises(Http404):  # an officer does not see the hub's referrals
        referral_amend(referral=referral, by=mash.officers["police"], data=_with_abuser(referral), reason="Mine")
    with pytest.raises(Http404):  # nor does the hub administrator (no case role)
        referral_amend(referral=referral, by=mash.admin, data=_with_abuser(referral), reason="Admin")
    referral_amend(referral=referral, by=mash.manager, data=_with_abuser(referral), reason="The manager may")
    closed = SignedOffDecisionFactory(mash=mash).referral
    with pytest.raises(Conflict, match="closed: a decided referral cannot be amended"):
        referral_amend(referral=closed, by=mash.practitioner, data=_with_abuser(closed), reason="Too late")
    assert Referral.objects.get(pk=closed.pk).persons.count() == 2


def test_the_practitioner_amends_on_the_web_and_the_referral_page_shows_both_versions(client, mash):
    referral = mash.referral()
    client.force_login(mash.practitioner)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    url = reverse("referral-amend", args=[mash.hub.id, referral.id])
    assert url in page and "Version 1: recorded by" in page
    form = client.get(url).content.decode()
    assert 'name="subject_family_name" value="Example"' in form and 'name="other_0_given_name" value="Sam"' in form
    assert 'value="child:neglect" checked' in form and 'name="channel"' not in form
    # What the browser sends back from the form as it came (its values are the current version's).
    data = {key: value for key, value in form_values(dataset_of(referral)).items() if value not in (None, False)}
    data = typed_dates(data, "subject_date_of_birth", "other_0_date_of_birth")
    more = client.post(url, {**data, "people": "add"}).content.decode()
    assert "Other person 2" in more and 'value="Sam"' in more
    bad = client.post(url, {**data, "other_1_given_name": "Lee", "reason": ""}).content.decode()
    assert "Say why the referral is amended" in bad and "Other person 2: Choose how this person is involved" in bad
    done = client.post(url, {**data, "other_1_role": "alleged_source", "other_1_given_name": "Lee",
                             "other_1_family_name": "Harm", "reason": "Named on the call back"})  # fmt: skip
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "amended: version 2" in page and "Named on the call back" in page
    assert "Version 1: Sam Example (Parent or carer, about 34)" in page
    assert "Version 2: Sam Example (Parent or carer, about 34); Lee Harm (Alleged source of harm)" in page


def test_a_date_of_birth_typed_in_part_is_named_and_the_referral_is_not_amended(client, mash):
    referral = mash.referral()
    born = referral.persons.get(role="subject").date_of_birth
    client.force_login(mash.practitioner)
    url = reverse("referral-amend", args=[mash.hub.id, referral.id])
    data = {key: value for key, value in form_values(dataset_of(referral)).items() if value not in (None, False)}
    data = typed_dates(data, "subject_date_of_birth", "other_0_date_of_birth")
    # The year left out, with an age and a reason that would pass: the date's own message, linked to its empty box.
    partly = {**data, "subject_date_of_birth_year": "", "subject_estimated_age": "9", "reason": "Age corrected"}
    page = client.post(url, partly).content.decode()
    assert '<a href="#id_subject_date_of_birth_year">The date of birth must include a year</a>' in page
    day = data["subject_date_of_birth_day"]
    assert (
        f'id="id_subject_date_of_birth_day" name="subject_date_of_birth_day" type="text" inputmode="numeric" value="{day}"'
        in page
    )
    # With no reason as well: the dataset's other messages are shown at the same time.
    assert "Say why the referral is amended" in client.post(url, {**partly, "reason": ""}).content.decode()
    assert not ReferralVersion.objects.exists() and not AuditEvent.objects.filter(action="referral.amended").exists()
    assert referral.persons.get(role="subject").date_of_birth == born


def test_a_closed_referral_has_no_amend_page(client, mash):
    closed = SignedOffDecisionFactory(mash=mash).referral
    client.force_login(mash.practitioner)
    response = client.get(reverse("referral-amend", args=[mash.hub.id, closed.id]))
    assert response.status_code == 409 and "a decided referral cannot be amended" in response.content.decode()


def test_what_changed_is_said_in_words_not_codes(mash):
    referral = mash.referral()
    data = _with_abuser(referral) | {"source_code": "2A", "concerns": ["neglect", "physical"], "immediate_risk": True}
    version = referral_amend(referral=referral, by=mash.practitioner, data=data, reason="Called back")
    said = {what: (before, after) for what, before, after in changes(version.before, version.after)}
    assert said["Referral source"] == ("6: Police", "2A: Schools")
    assert said["Concerns"] == ("Emotional abuse; Neglect", "Neglect; Physical abuse")
    assert said["Immediate risk"] == ("No", "Yes")


def test_a_web_amendment_keeps_every_detail_of_the_other_people_and_can_add_them(client, mash):
    """Another person's NHS number, address, gender and ethnicity (sent by the API, say) are asked on the web form
    too, so amending on the web neither drops them nor leaves them out for a person added there."""
    referral = mash.referral()
    data = _with_abuser(referral)
    data["others"][-1].update(nhs_number="9434765919", address="4 High Street, Northtown", postcode="NT1 2BB",
                              gender="Male", ethnicity="White British")  # fmt: skip
    referral_amend(referral=referral, by=mash.practitioner, data=data, reason="Police told us where he lives")
    client.force_login(mash.practitioner)
    url = reverse("referral-amend", args=[mash.hub.id, referral.id])
    form = client.get(url).content.decode()
    assert 'name="other_1_nhs_number" value="9434765919"' in form and "4 High Street, Northtown</textarea>" in form
    sent = {key: value for key, value in form_values(dataset_of(referral)).items() if value not in (None, False)}
    sent = typed_dates(sent, "subject_date_of_birth", "other_0_date_of_birth", "other_1_date_of_birth")
    done = client.post(url, {**sent, "other_2_role": "household", "other_2_given_name": "Kim",
                             "other_2_family_name": "Harm", "other_2_postcode": "nt1 2bb",
                             "reason": "His sister stays there"})  # fmt: skip
    assert done.status_code == 302, done.content.decode()
    lee = Person.objects.get(referral=referral, given_name="Lee")
    assert (lee.nhs_number, lee.address, lee.postcode, lee.gender) == (
        "9434765919",
        "4 High Street, Northtown",
        "NT1 2BB",
        "Male",
    )
    assert Person.objects.get(referral=referral, given_name="Kim").postcode == "NT1 2BB"
    assert ReferralVersion.objects.filter(referral=referral).count() == 2
