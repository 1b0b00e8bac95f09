"""referral_create: one write path that validates, stores, grants access and audits — or stores nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from agencies.access import access_for
from agencies.models import Role
from audit.models import AuditEvent
from referrals import selectors
from referrals.models import Person, Referral
from referrals.services import referral_create
from tests.factories import HubFactory, member, referral_data

pytestmark = pytest.mark.django_db


def test_referral_is_stored_with_its_people_and_one_audit_event(hub, police):
    referral = referral_create(hub=hub, data=referral_data(), channel="api", referring_agency=police)
    assert referral.reference.startswith(f"NORTH-{referral.received_at.year}-")
    assert list(referral.persons.order_by("role").values_list("role", flat=True)) == ["parent_carer", "subject"]
    subject = referral.persons.get(role="subject")
    assert (subject.nhs_number, subject.postcode) == ("9434765919", "NT1 1AA")
    events = list(AuditEvent.objects.filter(object_id=str(referral.pk)).order_by("id"))
    # The decision deadline, and the agency's system told of the receipt (in its change feed).
    assert [e.action for e in events] == ["referral.received", "deadline.set", "referral.acknowledged"]
    assert events[0].data["source_code"] == "6" and events[0].data["referring_agency_id"] == str(police.pk)
    assert events[0].actor_agency_id == police.pk
    assert "narrative" not in events[0].data and "Alex" not in events[0].payload  # facts only, no personal data


def test_an_adults_source_of_risk_is_stored_and_audited(hub):
    subject = {**referral_data()["subject"], "date_of_birth": "1950-01-01"}
    data = referral_data(
        subject=subject,
        source_code="",
        concerns=["financial"],
        adult_risk_location="care_home_nursing",
        adult_risk_source="service_provider",
    )
    referral = referral_create(hub=hub, data=data, channel="email")
    assert (referral.adult_risk_location, referral.adult_risk_source) == ("care_home_nursing", "service_provider")
    event = AuditEvent.objects.get(action="referral.received")
    assert (event.data["adult_risk_location"], event.data["adult_risk_source"]) == (
        "care_home_nursing",
        "service_provider",
    )


def test_a_childs_referral_keeps_no_source_of_risk(hub):
    referral = referral_create(hub=hub, data=referral_data(), channel="web")
    assert referral.adult_risk_source == ""
    assert AuditEvent.objects.get(action="referral.received").data["adult_risk_source"] == ""
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        referral_create(hub=hub, data=referral_data(adult_risk_source="service_provider"), channel="web")
    assert error.value.message_dict == {"adult_risk_source": ["Source of risk is recorded for adults only"]}
    assert Referral.objects.count() == 1 and AuditEvent.objects.count() == before


def test_references_are_sequential_per_hub(hub):
    refs = [referral_create(hub=hub, data=referral_data(), channel="web").reference for _ in range(3)]
    assert [r[-6:] for r in refs] == ["000001", "000002", "000003"]
    other = HubFactory(slug="south")
    assert referral_create(hub=other, data=referral_data(), channel="web").reference.endswith("000001")


def test_the_hub_year_counter_is_taken_after_the_people_are_written(hub):
    """The counter's row stays locked until the referral commits, and the hub's other referrals wait on it: it is
    taken after the writes that do not need the reference, and the referral, its event and its people carry it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        referral = referral_create(hub=hub, data=referral_data(), channel="web")
    sql = [q["sql"] for q in queries]
    counter = next(i for i, q in enumerate(sql) if "referencesequence" in q)
    people = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "referrals_person"'))
    event = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "audit_auditevent"'))
    assert people < counter < event
    stored = Referral.objects.get()
    assert stored.reference == referral.reference == f"{hub.slug.upper()[:12]}-{stored.received_at.year}-000001"
    received = AuditEvent.objects.get(action="referral.received")
    assert received.data["reference"] == stored.reference


def test_bad_data_stores_nothing(hub, police):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        referral_create(hub=hub, data=referral_data(narrative="", consent="x"), channel="api", referring_agency=police)
    assert {"narrative", "consent"} <= set(error.value.message_dict)
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert AuditEvent.objects.count() == before


def test_nobody_in_another_hub_sees_the_referral(hub, police):
    referral = referral_create(hub=hub, data=referral_data(), channel="web")
    other_hub = HubFactory()
    for role in Role:
        outsider = access_for(member(other_hub, role), other_hub.pk)
        assert not selectors.referrals_visible_to(outsider).filter(pk=referral.pk).exists()
        with pytest.raises(Http404):
            selectors.referral_for(outsider, referral.pk)


def test_listing_costs_the_same_queries_whatever_the_number_of_referrals(hub, django_assert_num_queries):
    access = access_for(member(hub, Role.PRACTITIONER), hub.pk)
    for _ in range(3):
        referral_create(hub=hub, data=referral_data(), channel="web")
    # the referrals with hub and agency joined: the access, resolved once per request, asks nothing more
    with django_assert_num_queries(1):
        assert len(list(selectors.referrals_visible_to(access))) == 3
    for _ in range(5):
        referral_create(hub=hub, data=referral_data(), channel="web")
    with django_assert_num_queries(1):
        assert len(list(selectors.referrals_visible_to(access))) == 8
