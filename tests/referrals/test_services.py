"""referral_create: one write path that validates, stores, grants access and audits — or stores nothing."""

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Role
from audit.models import AuditEvent
from referrals import selectors
from referrals.models import Person, Referral, ReferralGroupObjectPermission
from referrals.permissions import POLICY, ReferralAction
from referrals.services import referral_create
from tests.factories import HubFactory, MembershipFactory, member, referral_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return HubFactory(name="Northshire MASH", slug="north")


@pytest.fixture
def police(hub):
    return MembershipFactory(hub=hub).agency


def test_referral_is_stored_with_its_people_and_one_audit_event(hub, police):
    referral = referral_create(hub=hub, data=referral_data(), channel="api", referring_agency=police)
    assert referral.reference.startswith(f"NORTH-{referral.received_at.year}-")
    assert list(referral.persons.order_by("role").values_list("role", flat=True)) == ["parent_carer", "subject"]
    subject = referral.persons.get(role="subject")
    assert (subject.nhs_number, subject.postcode) == ("9434765919", "NT1 1AA")
    events = list(AuditEvent.objects.filter(object_id=str(referral.pk)).order_by("id"))
    assert [e.action for e in events] == ["referral.received", "deadline.set"]  # the decision deadline
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


def test_bad_data_stores_nothing(hub, police):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        referral_create(hub=hub, data=referral_data(narrative="", consent="x"), channel="api", referring_agency=police)
    assert {"narrative", "consent"} <= set(error.value.message_dict)
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert not ReferralGroupObjectPermission.objects.exists()
    assert AuditEvent.objects.count() == before


# The permission matrix, generated from the policy table: role × the referring agency or another × action.
CASES = [
    (role, same_agency, action)
    for role in Role
    for same_agency in (True, False)
    for action in (ReferralAction.VIEW, ReferralAction.VIEW_STATUS)
    if same_agency or role == Role.AGENCY_OFFICER
]


def _expected(role, same_agency, action) -> bool:
    if role not in POLICY[action]:
        return False
    return same_agency if role == Role.AGENCY_OFFICER else True


@pytest.mark.parametrize(
    ("role", "same_agency", "action"),
    CASES,
    ids=[f"{r.value}-{'own' if s else 'other'}-agency-{a.value}" for r, s, a in CASES],
)
def test_permission_matrix(hub, police, role, same_agency, action):
    other_agency = MembershipFactory(hub=hub).agency
    person = member(
        hub, role, agency=(police if same_agency else other_agency) if role == Role.AGENCY_OFFICER else None
    )
    referral = referral_create(hub=hub, data=referral_data(), channel="api", referring_agency=police)
    visible = selectors.referrals_visible_to(person, action).filter(pk=referral.pk).exists()
    assert visible == _expected(role, same_agency, action)


def test_nobody_in_another_hub_sees_the_referral(hub, police):
    referral = referral_create(hub=hub, data=referral_data(), channel="web")
    other_hub = HubFactory()
    for role in Role:
        outsider = member(other_hub, role)
        assert not selectors.referrals_visible_to(outsider).filter(pk=referral.pk).exists()
        with pytest.raises(Exception, match="No such referral"):
            selectors.referral_for(outsider, referral.pk)


def test_listing_costs_the_same_queries_whatever_the_number_of_referrals(hub, django_assert_num_queries):
    practitioner = member(hub, Role.PRACTITIONER)
    for _ in range(3):
        referral_create(hub=hub, data=referral_data(), channel="web")
    # the user's groups, then the referrals with hub and agency joined (the permission id is a subquery)
    with django_assert_num_queries(2):
        assert len(list(selectors.referrals_visible_to(practitioner, hub=hub))) == 3
    for _ in range(5):
        referral_create(hub=hub, data=referral_data(), channel="web")
    with django_assert_num_queries(2):
        assert len(list(selectors.referrals_visible_to(practitioner, hub=hub))) == 8
