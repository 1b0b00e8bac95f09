"""Referral pages as each person would use them: the hub's list, recording a referral taken by phone or email, and
one referral — who reaches them, what bad input shows, and what each page logs as read."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent
from referrals.forms import ReferralForm
from referrals.models import Person, Referral
from referrals.services import referral_create
from tests.dates import typed_dates
from tests.factories import HubFactory, MembershipFactory, member, referral_data

pytestmark = pytest.mark.django_db
# Who sees and records referrals: the hub's staff (agencies/policy.py STAFF, written out here).
STAFF = {Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY}


def _login(client, user):
    client.force_login(user)
    return client


def _referral(hub, **changes):
    return referral_create(hub=hub, data=referral_data(**changes), channel="phone", history=True)


def _subject(**changes):
    return {**referral_data()["subject"], **changes}


def _form(**changes) -> dict:
    """The web form filled in as a practitioner would for a phone call about a child (dates given as YYYY-MM-DD are
    typed in their day, month and year boxes)."""
    data = {
        "channel": "phone",
        "received_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "received_time": "14:30",
        "referrer_name": "Ms Kay Teacher",
        "referrer_role": "Designated safeguarding lead",
        "referrer_contact": "01234 567890",
        "subject_given_name": "Robin",
        "subject_family_name": "Testcase",
        "subject_date_of_birth": "2017-03-09",
        "subject_estimated_age": "",
        "subject_gender": "Male",
        "subject_ethnicity": "Mixed",
        "subject_nhs_number": "943 476 5919",
        "subject_address": "2 Low Road, Northtown",
        "subject_postcode": "nt1 1aa",
        "cohort": "",
        "other_0_role": "parent_carer",
        "other_0_given_name": "Jo",
        "other_0_family_name": "Testcase",
        "other_0_date_of_birth": "",
        "other_0_estimated_age": "41",
        "concerns": ["child:neglect", "child:emotional"],
        "adult_risk_location": "",
        "adult_risk_source": "",
        "source_code": "2A",
        "narrative": "Robin came to school hungry again and said there was no food at home.",
        "immediate_risk": "yes",
        "consent": "obtained",
        "consent_reason": "",
    }
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    return typed_dates(data, *(key for key in data if key == "received_date" or key.endswith("date_of_birth")))


# ---- who may reach the pages: generated from the policy table ----


@pytest.mark.parametrize("role", list(Role))
def test_list_follows_the_policy(client, hub, role):
    referral = _referral(hub)
    response = _login(client, member(hub, role)).get(f"/hubs/{hub.id}/referrals/")
    if role in STAFF:
        assert response.status_code == 200
        assert referral.reference in response.content.decode()
    else:  # a member of the hub is told why, and shown nothing
        assert response.status_code == 403
        assert "Only the hub&#x27;s practitioners and managers see its referrals" in response.content.decode()
        assert referral.reference not in response.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_detail_follows_the_policy(client, hub, role):
    referral = _referral(hub)
    response = _login(client, member(hub, role)).get(f"/hubs/{hub.id}/referrals/{referral.id}/")
    # The subject's given name as the page shows it (a bare "Alex" could be the signed-in person's own randomly made
    # name in the footer).
    subject_name = '<dd class="govuk-summary-list__value">Alex</dd>'
    page = response.content.decode()
    if role in STAFF:
        assert response.status_code == 200
        assert referral.reference in page and subject_name in page
    else:
        assert response.status_code == 404
        assert referral.reference not in page and subject_name not in page


@pytest.mark.parametrize("role", list(Role))
def test_recording_follows_the_policy(client, hub, role):
    _login(client, member(hub, role))
    get = client.get(f"/hubs/{hub.id}/referrals/new/")
    post = client.post(f"/hubs/{hub.id}/referrals/new/", _form())
    if role in STAFF:
        assert get.status_code == 200 and post.status_code == 302
        assert Referral.objects.count() == 1
    else:
        assert get.status_code == 403 and post.status_code == 403
        assert not Referral.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_navigation_shows_referrals_to_the_roles_that_hold_them(client, hub, role):
    page = _login(client, member(hub, role)).get(f"/hubs/{hub.id}/").content.decode()
    assert (f'href="/hubs/{hub.id}/referrals/"' in page) == (role in STAFF)


@pytest.mark.parametrize("page", ["", "new/", "{referral}/"])
def test_another_hubs_people_get_404(client, hub, page):
    referral = _referral(hub)
    outsider = member(HubFactory(), Role.PRACTITIONER)
    _login(client, outsider)
    url = f"/hubs/{hub.id}/referrals/" + page.format(referral=referral.id)
    response = client.get(url)
    assert response.status_code == 404
    assert referral.reference not in response.content.decode()
    assert client.post(f"/hubs/{hub.id}/referrals/new/", _form()).status_code == 404
    assert Referral.objects.count() == 1


def test_another_hubs_referral_under_this_hubs_address_is_404(client, hub):
    """A practitioner of both hubs may see both referrals, but only each under its own hub's address."""
    other_hub = HubFactory(name="Southshire MASH", slug="south")
    both = member(hub, Role.PRACTITIONER)
    from agencies import services

    services.role_grant(hub=other_hub, user=both, role=Role.PRACTITIONER)
    theirs = _referral(other_hub)
    _login(client, both)
    assert client.get(f"/hubs/{other_hub.id}/referrals/{theirs.id}/").status_code == 200
    assert client.get(f"/hubs/{hub.id}/referrals/{theirs.id}/").status_code == 404
    assert theirs.reference not in client.get(f"/hubs/{hub.id}/referrals/").content.decode()


def test_agency_officer_of_the_referring_agency_is_kept_off_the_pages(client, hub):
    """Officers see their own referrals' status only: the whole referral is outside their scope (404), and the
    hub's list is refused with the reason (403)."""
    police = MembershipFactory(hub=hub).agency
    referral = referral_create(hub=hub, data=referral_data(), channel="api", referring_agency=police)
    _login(client, member(hub, Role.AGENCY_OFFICER, agency=police))
    assert client.get(f"/hubs/{hub.id}/referrals/{referral.id}/").status_code == 404
    assert client.get(f"/hubs/{hub.id}/referrals/").status_code == 403


# ---- recording a referral ----


def test_recording_a_referral_stores_one_referral_and_one_received_event(client, hub, practitioner):
    _login(client, practitioner)
    response = client.post(f"/hubs/{hub.id}/referrals/new/", _form())
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hubs/{hub.id}/referrals/{referral.id}/"
    assert (referral.channel, referral.recorded_by, referral.cohort) == ("phone", practitioner, "child")
    assert referral.concerns == ["emotional", "neglect"] and referral.immediate_risk
    assert referral.source_code == "2A" and referral.consent == "obtained"
    received = timezone.localtime(referral.received_at)
    assert (received.date(), received.hour, received.minute) == (timezone.localdate() - timedelta(days=1), 14, 30)
    subject = referral.persons.get(role="subject")
    assert (subject.nhs_number, subject.postcode, subject.family_name) == ("9434765919", "NT1 1AA", "Testcase")
    assert subject.date_of_birth == date(2017, 3, 9)  # typed 9 3 2017
    other = referral.persons.get(role="parent_carer")
    assert (other.given_name, other.estimated_age) == ("Jo", 41)
    events = AuditEvent.objects.filter(action="referral.received")
    assert [(e.object_id, e.data["channel"]) for e in events] == [(str(referral.id), "phone")]

    page = client.get(response["Location"]).content.decode()
    assert f"Referral {referral.reference} recorded" in page and "govuk-notification-banner--success" in page


def test_an_adult_referral_without_another_person(client, hub, practitioner):
    _login(client, practitioner)
    form = _form(
        channel="email",
        subject_date_of_birth="",
        subject_estimated_age="80",
        other_0_role="",
        other_0_given_name="",
        other_0_family_name="",
        other_0_estimated_age="",
        concerns=["adult:financial", "adult:neglect"],
        adult_risk_location="care_home_residential",
        adult_risk_source="service_provider",
        source_code="",
        immediate_risk="no",
    )
    response = client.post(f"/hubs/{hub.id}/referrals/new/", form)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.cohort, referral.channel, referral.immediate_risk) == ("adult", "email", False)
    assert referral.concerns == ["financial", "neglect"] and referral.adult_risk_location == "care_home_residential"
    assert referral.adult_risk_source == "service_provider"
    assert referral.persons.count() == 1
    event = AuditEvent.objects.get(action="referral.received")
    assert (event.data["adult_risk_location"], event.data["adult_risk_source"]) == (
        "care_home_residential",
        "service_provider",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Who the risk is from" in page and "Service provider" in page


def _adult_form(**changes) -> dict:
    adult = {
        "subject_date_of_birth": "",
        "subject_estimated_age": "80",
        "concerns": ["adult:financial"],
        "adult_risk_location": "own_home",
        "adult_risk_source": "known_to_individual",
        "source_code": "",
    }
    return _form(**{**adult, **changes})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("landlord", "Select a valid choice. landlord is not one of the available choices."),
        (
            "",
            "Choose who the risk is from: service provider, other – known to individual or other – unknown to individual",
        ),
    ],
)
def test_an_adults_bad_or_missing_source_of_risk_is_shown_by_its_field(client, hub, practitioner, source, message):
    _login(client, practitioner)
    before = AuditEvent.objects.filter(action="referral.received").count()
    page = client.post(f"/hubs/{hub.id}/referrals/new/", _adult_form(adult_risk_source=source)).content.decode()
    assert f'<a href="#id_adult_risk_source">{message}' in page
    assert message in page.split('id="id_adult_risk_source-error"', 1)[1].split("</p>", 1)[0]
    assert page.count("govuk-error-message") == 1
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert AuditEvent.objects.filter(action="referral.received").count() == before


def test_a_child_referral_with_a_source_of_risk_is_refused_by_the_field(client, hub, practitioner):
    _login(client, practitioner)
    page = client.post(f"/hubs/{hub.id}/referrals/new/", _form(adult_risk_source="service_provider")).content.decode()
    assert '<a href="#id_adult_risk_source">Source of risk is recorded for adults only' in page
    assert not Referral.objects.exists()


def test_a_bad_submission_shows_each_message_by_its_field_and_stores_nothing(client, hub, practitioner):
    _login(client, practitioner)
    before = AuditEvent.objects.filter(action="referral.received").count()
    response = client.post(
        f"/hubs/{hub.id}/referrals/new/",
        _form(
            narrative="",
            subject_nhs_number="9434765918",
            subject_postcode="XX1 1XX",
            other_0_role="",
            referrer_contact="",
            concerns=[],
            consent="not_obtained",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and page.count("govuk-error-message") == 7
    expected = {
        "narrative": "Describe the concern in your own words",
        "subject_nhs_number": "Enter a valid NHS number: the check digit does not match",
        "subject_postcode": "Enter a real UK postcode, like SW1A 1AA",
        "other_0_role": "Other person 1: Choose how this person is involved",
        "referrer_contact": "Enter a phone number or email address for the referrer",
        "concerns": "Choose at least one concern",
        "consent_reason": "Say why consent was not obtained or was dispensed with",
    }
    for field, message in expected.items():
        # In the summary, linked to the field; and by the field itself.
        anchor = f"id_{field}_0" if field in ("concerns", "other_0_role") else f"id_{field}"
        assert f'<a href="#{anchor}">{message}' in page, field
        error = page.split(f'id="id_{field}-error"', 1)[1].split("</p>", 1)[0]
        assert message in error, field
    assert 'value="XX1 1XX"' in page  # what was typed is kept
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert AuditEvent.objects.filter(action="referral.received").count() == before


def test_the_forms_own_messages_come_with_the_datasets(client, hub, practitioner):
    _login(client, practitioner)
    response = client.post(f"/hubs/{hub.id}/referrals/new/", _form(channel="", received_time="25:99", narrative=""))
    page = response.content.decode()
    assert "Choose whether the referral came by phone or email" in page
    assert "Enter the time received, like 14:30" in page
    assert "Describe the concern in your own words" in page
    assert not Referral.objects.exists()


def test_a_time_received_in_the_future_is_shown_by_the_date(client, hub, practitioner):
    _login(client, practitioner)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(f"/hubs/{hub.id}/referrals/new/", _form(received_date=tomorrow)).content.decode()
    assert '<a href="#id_received_date_day">The time received cannot be in the future' in page
    assert not Referral.objects.exists()


def test_a_date_typed_in_part_is_named_by_its_box_and_nothing_is_stored(client, hub, practitioner):
    _login(client, practitioner)
    data = {**_form(), "subject_date_of_birth_year": "", "received_date_month": "13"}
    page = client.post(f"/hubs/{hub.id}/referrals/new/", data).content.decode()
    for link, message in [("subject_date_of_birth_year", "The date of birth must include a year"),
                          ("received_date_month", "The date received must be a real date")]:  # fmt: skip
        assert f'<a href="#id_{link}">{message}</a>' in page
        assert page.count(message) == 2  # the summary and by the field; no other message about that date
    assert 'name="received_date_month" type="text" inputmode="numeric" value="13"' in page  # kept as typed
    assert 'name="subject_date_of_birth_day" type="text" inputmode="numeric" value="9"' in page
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(action="referral.received").exists()


def test_a_date_recorded_is_shown_in_its_boxes_when_amending(client, hub, practitioner):
    _login(client, practitioner)
    referral = Referral.objects.get(
        pk=client.post(f"/hubs/{hub.id}/referrals/new/", _form())["Location"].split("/")[-2]
    )
    page = client.get(reverse("referral-amend", args=[hub.id, referral.id])).content.decode()
    for part, value in [("day", "9"), ("month", "3"), ("year", "2017")]:
        assert f'name="subject_date_of_birth_{part}" type="text" inputmode="numeric" value="{value}"' in page


def test_a_hub_for_adults_only_refuses_a_child_on_the_cohort_question(client, hub, practitioner):
    hub.cohorts = "adults"
    hub.save()
    _login(client, practitioner)
    page = client.post(f"/hubs/{hub.id}/referrals/new/", _form()).content.decode()
    assert "Northshire MASH does not take referrals about children" in page
    assert 'href="#id_cohort_0"' in page
    assert not Referral.objects.exists()


def test_a_message_whose_path_has_no_field_goes_to_the_top():
    form = ReferralForm(_form())
    assert form.is_valid()
    form.add_dataset_errors(
        ValidationError({"referrer.phone": ["This field is not part of the referral dataset"], "narrative": ["Bad"]})
    )
    assert form.non_field_errors() == ["This field is not part of the referral dataset"]
    assert form.errors["narrative"] == ["Bad"]


def test_user_input_is_escaped(client, hub, practitioner):
    _login(client, practitioner)
    script = "<script>alert(1)</script>"
    response = client.post(
        f"/hubs/{hub.id}/referrals/new/",
        _form(narrative=script, subject_family_name=script, referrer_name=script, other_0_given_name=script),
    )
    detail = client.get(response["Location"]).content.decode()
    listing = client.get(f"/hubs/{hub.id}/referrals/").content.decode()
    for page in (detail, listing):
        assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    error = client.post(f"/hubs/{hub.id}/referrals/new/", _form(narrative="", subject_address=script))
    assert script not in error.content.decode()


# ---- the referral page ----


def test_detail_shows_every_recorded_field_and_person_and_logs_the_view(client, hub, practitioner):
    referral = _referral(hub, immediate_risk=True)
    response = _login(client, practitioner).get(f"/hubs/{hub.id}/referrals/{referral.id}/")
    page = response.content.decode()
    for text in (
        referral.reference, "Received", "Phone", "PC Jane Smith", "Response officer", "jane.smith@police.example",
        "6: Police", "Neglect", "Emotional abuse", "Officers attended a domestic incident", "Immediate risk",
        "Not obtained", "Seeking consent could place the child at risk of harm.", "Alex", "Example", "4 May 2018",
        "Female", "White British", "9434765919", "1 High Street, Northtown", "NT1 1AA", "Parent or carer", "Sam",
        "34", "Subject of the referral",
    ):  # fmt: skip
        assert text in page, text
    assert page.count('class="govuk-summary-card__title"') == 2
    event = AuditEvent.objects.get(action="referral.viewed")
    assert event.object_id == str(referral.id) and event.data["ids"] == [str(referral.id)]
    assert str(event.hub_id).replace("-", "") == str(hub.id).replace("-", "")


def test_detail_query_count(client, hub, practitioner, django_assert_max_num_queries):
    referral = _referral(hub)
    _login(client, practitioner)
    # session, user, the two-factor check, hub scope, hub permission check (2), roles in the hub, referral
    # permission id, the referral with hub and agency, its people, its subject matches with their earlier
    # referrals, its deadlines, the viewed event, navigation roles, session save (savepoint, update, release): 17;
    # the multi-agency panel
    # (tests/decisions/test_views.py counts it with data): roles, acting manager, requests, contributions and the
    # restricted count, decisions with participants and actions, memberships, answered agencies, overrides: 10;
    # and issue 19's panels (strategy, consent, notes, files, handover, whether the referrer was told), counted one by
    # one in tests/test_query_counts.py: one more here, where most of them find nothing to read.
    with django_assert_max_num_queries(28):
        assert client.get(f"/hubs/{hub.id}/referrals/{referral.id}/").status_code == 200


# ---- the list ----


def test_list_shows_the_columns_and_logs_the_ids_on_the_page(client, hub, practitioner):
    quiet = _referral(hub)
    urgent = _referral(
        hub,
        immediate_risk=True,
        source_code="3A",
        subject=_subject(family_name="Urgentcase"),
        received_at="2025-07-01T09:15:00+00:00",
    )
    page = _login(client, practitioner).get(f"/hubs/{hub.id}/referrals/").content.decode()
    assert f'href="/hubs/{hub.id}/referrals/{urgent.id}/">{urgent.reference}</a>' in page
    assert "1 Jul 2025 10:15" in page  # Europe/London: British Summer Time
    assert "Alex Urgentcase" in page and "Child" in page and ">3A</abbr>" in page and "Received" in page
    assert page.count("govuk-tag--red") == 1
    event = AuditEvent.objects.get(action="referral.listed")
    assert set(event.data["ids"]) == {str(quiet.id), str(urgent.id)}
    assert event.object_type == "referrals.referral"


def _listed(client, hub, **params) -> set[str]:
    client.get(f"/hubs/{hub.id}/referrals/", params)
    return set(AuditEvent.objects.filter(action="referral.listed").order_by("-id").first().data["ids"])


def test_search_and_filters_narrow_the_list(client, hub, practitioner):
    child = _referral(hub, subject=_subject(family_name="Smithson", nhs_number="4010232137"))
    urgent = _referral(hub, immediate_risk=True)
    adult = referral_create(
        hub=hub,
        data=referral_data(
            subject=_subject(date_of_birth="1950-01-01", nhs_number=""),
            concerns=["financial"],
            adult_risk_location="own_home",
            adult_risk_source="unknown_to_individual",
            source_code="",
        ),
        channel="email",
    )
    Referral.objects.filter(pk=urgent.pk).update(status="screened")
    _login(client, practitioner)
    everyone = {str(r.id) for r in (child, urgent, adult)}
    assert _listed(client, hub) == everyone
    assert _listed(client, hub, q="smiths") == {str(child.id)}
    assert _listed(client, hub, q="401 023 2137") == {str(child.id)}
    assert _listed(client, hub, q=adult.reference.lower()) == {str(adult.id)}
    assert _listed(client, hub, q="nobody") == set()
    assert _listed(client, hub, status="screened") == {str(urgent.id)}
    assert _listed(client, hub, cohort="adult") == {str(adult.id)}
    assert _listed(client, hub, channel="email") == {str(adult.id)}
    assert _listed(client, hub, immediate_risk="yes") == {str(urgent.id)}
    assert _listed(client, hub, immediate_risk="no", cohort="child") == {str(child.id)}
    # A value that is not a choice is shown as an error and filters nothing.
    response = client.get(f"/hubs/{hub.id}/referrals/", {"status": "<b>bogus</b>"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert "<b>bogus</b>" not in response.content.decode()


def test_list_is_paginated_fifty_a_page(client, hub, practitioner):
    for _ in range(51):
        _referral(hub)
    _login(client, practitioner)
    first = client.get(f"/hubs/{hub.id}/referrals/", {"cohort": "child"}).content.decode()
    assert "51 referrals" in first and "Page 1 of 2" in first and "cohort=child&amp;page=2" in first
    assert len(AuditEvent.objects.filter(action="referral.listed").get().data["ids"]) == 50
    second = client.get(f"/hubs/{hub.id}/referrals/", {"cohort": "child", "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    last = AuditEvent.objects.filter(action="referral.listed").order_by("-id").first()
    assert len(last.data["ids"]) == 1 and last.data["page"] == 2


def test_list_query_count_does_not_grow_with_referrals(client, hub, practitioner, django_assert_max_num_queries):
    for _ in range(3):
        _referral(hub)
    _login(client, practitioner)
    # session, user, the two-factor check, hub scope, hub permission check (2), roles in the hub, referral
    # permission id, count, the page of referrals with hub and agency, their subjects (one prefetch), the listed
    # event, navigation roles, session save (savepoint, update, release): 16, whatever the number of referrals.
    with django_assert_max_num_queries(16) as captured:
        assert client.get(f"/hubs/{hub.id}/referrals/").status_code == 200
    few = len(captured.captured_queries)
    for _ in range(12):
        _referral(hub)
    with django_assert_max_num_queries(few):
        assert client.get(f"/hubs/{hub.id}/referrals/").status_code == 200
