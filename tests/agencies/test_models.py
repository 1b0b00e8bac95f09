"""The hub's model rules, enforced by the database and reported clearly by the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from agencies import selectors, services
from agencies.access import access_for, agreement_problem
from agencies.agreements import current_agreement
from agencies.models import FundingContribution, Hub, Role, RoleAssignment, WorkingPattern
from agencies.selectors import AgreementState
from tests.factories import (
    AgencyFactory,
    FundingFactory,
    HubFactory,
    IsaFactory,
    MembershipFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_database_refuses_a_second_accountable_manager():
    hub = HubFactory()
    member(hub, Role.MANAGER)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(hub=hub, user=UserFactory(), role=Role.MANAGER)
    assert RoleAssignment.objects.filter(hub=hub, role=Role.MANAGER).count() == 1


def test_service_explains_why_a_second_manager_is_refused_and_changes_nothing():
    hub = HubFactory()
    first = member(hub, Role.MANAGER)
    second = UserFactory()
    with pytest.raises(ValidationError, match="already has an accountable manager"):
        services.role_grant(hub=hub, user=second, role=Role.MANAGER)
    assert list(RoleAssignment.objects.filter(hub=hub, role=Role.MANAGER).values_list("user", flat=True)) == [first.pk]
    assert not second.groups.exists()


def test_each_hub_has_its_own_manager_and_one_person_can_manage_two_hubs():
    boss = UserFactory()
    hub_a, hub_b = HubFactory(), HubFactory()
    services.role_grant(hub=hub_a, user=boss, role=Role.MANAGER)
    services.role_grant(hub=hub_b, user=boss, role=Role.MANAGER)
    assert RoleAssignment.objects.filter(user=boss, role=Role.MANAGER).count() == 2


def test_deputy_acts_only_inside_the_delegation_period():
    hub = HubFactory()
    manager = member(hub, Role.MANAGER)
    start = timezone.now() + timedelta(days=1)
    end = start + timedelta(days=7)
    deputy = member(hub, Role.DEPUTY, delegation_starts=start, delegation_ends=end)
    assignment = RoleAssignment.objects.get(user=deputy)

    assert not assignment.acts_as_manager(start - timedelta(seconds=1))
    assert assignment.acts_as_manager(start)
    assert assignment.acts_as_manager(end - timedelta(seconds=1))
    assert not assignment.acts_as_manager(end)
    assert selectors.manager_acting(hub, start - timedelta(hours=1)).user == manager
    assert selectors.manager_acting(hub, start + timedelta(hours=1)).user == deputy
    assert selectors.manager_acting(hub, end + timedelta(hours=1)).user == manager


def test_database_refuses_a_deputy_without_a_delegation_period():
    hub = HubFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(hub=hub, user=UserFactory(), role=Role.DEPUTY)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            hub=hub, user=UserFactory(), role=Role.DEPUTY, delegation_starts=now, delegation_ends=now - timedelta(1)
        )


def test_database_refuses_an_agency_officer_without_an_agency():
    hub = HubFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(hub=hub, user=UserFactory(), role=Role.AGENCY_OFFICER)


def test_agency_officer_must_belong_to_a_member_agency():
    hub = HubFactory()
    outsider_agency = AgencyFactory()
    with pytest.raises(ValidationError) as error:
        services.role_grant(hub=hub, user=UserFactory(), role=Role.AGENCY_OFFICER, agency=outsider_agency)
    assert "not a member agency" in str(error.value.message_dict["agency"])


def test_granting_a_role_gives_its_access_and_revoking_takes_it_away():
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    officer = member(hub, Role.AGENCY_OFFICER, agency=agency)
    access = access_for(officer, hub.pk)
    assert access.roles == {Role.AGENCY_OFFICER} and access.agency_ids == {agency.pk}
    services.role_revoke(assignment=RoleAssignment.objects.get(user=officer))
    with pytest.raises(Http404):
        access_for(officer, hub.pk)


def _isa_with_versions(hub, today):
    """Version 1 in force from a year ago, version 2 from a month ago (review in a year)."""
    isa = IsaFactory(hub=hub)
    v1 = services.document_version_publish(
        document=isa, effective_from=today - timedelta(days=365), review_due=today + timedelta(days=1), text="v1"
    )
    v2 = services.document_version_publish(
        document=isa, effective_from=today - timedelta(days=30), review_due=today + timedelta(days=335), text="v2"
    )
    return v1, v2


def _sign(version, agency, signed_on):
    """Recorded by the hub's administrator, as the agreements page does."""
    return services.agreement_sign(
        version=version,
        agency=agency,
        signatory_name="A Signatory",
        signatory_role="Director",
        signed_on=signed_on,
        by=member(version.document.hub, Role.HUB_ADMIN),
    )


def _sql_says_current(hub, agency, on) -> bool:
    """The same rule as one SQL expression, which people's and API clients' access read with their roles."""
    return (
        Hub.objects.filter(pk=hub.pk).annotate(ok=current_agreement(hub.pk, agency.pk, on)).values_list("ok", flat=True)
    )[0]


def test_agreement_is_current_when_the_version_in_force_is_signed_and_not_past_review():
    today = timezone.localdate()
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    _v1, v2 = _isa_with_versions(hub, today)
    _sign(v2, agency, today - timedelta(days=20))

    status = selectors.agreement_status(agency, hub)
    assert status.state == AgreementState.CURRENT and status.version == v2
    assert agreement_problem(hub, agency) is None
    assert _sql_says_current(hub, agency, today)


def test_agreement_signed_only_in_an_earlier_version_is_superseded():
    today = timezone.localdate()
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    v1, v2 = _isa_with_versions(hub, today)
    _sign(v1, agency, today - timedelta(days=300))

    assert selectors.agreement_status(agency, hub).state == AgreementState.SUPERSEDED
    assert "signed an earlier version" in agreement_problem(hub, agency)
    assert not _sql_says_current(hub, agency, today)
    # Before version 2 took effect, the same signature was current.
    assert agreement_problem(hub, agency, on=today - timedelta(days=31)) is None
    assert _sql_says_current(hub, agency, today - timedelta(days=31))


def test_agreement_past_its_review_date_is_not_current():
    today = timezone.localdate()
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    v1, v2 = _isa_with_versions(hub, today)
    _sign(v2, agency, today - timedelta(days=20))

    later = v2.review_due + timedelta(days=1)
    assert selectors.agreement_status(agency, hub, on=later).state == AgreementState.PAST_REVIEW
    assert agreement_problem(hub, agency, on=v2.review_due) is None
    assert _sql_says_current(hub, agency, v2.review_due)
    assert "due for review" in agreement_problem(hub, agency, on=later)
    assert not _sql_says_current(hub, agency, later)


def test_unsigned_agency_and_hub_without_agreement_have_no_current_isa():
    today = timezone.localdate()
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    assert selectors.agreement_status(agency, hub).state == AgreementState.NO_VERSION
    assert "no information sharing agreement in force" in agreement_problem(hub, agency)
    _isa_with_versions(hub, today)
    assert selectors.agreement_status(agency, hub).state == AgreementState.UNSIGNED
    assert f"{agency} has not signed" in agreement_problem(hub, agency)
    assert not _sql_says_current(hub, agency, today)


def test_signature_by_a_non_member_agency_is_refused():
    today = timezone.localdate()
    hub = HubFactory()
    _v1, v2 = _isa_with_versions(hub, today)
    with pytest.raises(ValidationError, match="not a member agency"):
        _sign(v2, AgencyFactory(), today)


def test_an_agency_signs_a_version_once():
    today = timezone.localdate()
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    _v1, v2 = _isa_with_versions(hub, today)
    _sign(v2, agency, today)
    with pytest.raises(ValidationError, match="already signed this version"):
        _sign(v2, agency, today)


def test_version_review_date_must_follow_its_effective_date():
    isa = IsaFactory()
    with pytest.raises(ValidationError) as error:
        services.document_version_publish(
            document=isa, effective_from=date(2026, 4, 1), review_due=date(2026, 3, 1), text="x"
        )
    assert "review date must be after" in str(error.value)
    assert not isa.versions.exists()


def test_database_keeps_one_funding_row_per_agency_hub_and_year():
    row = FundingFactory(financial_year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingFactory(hub=row.hub, agency=row.agency, financial_year=2026)
    FundingFactory(hub=row.hub, agency=row.agency, financial_year=2027)
    FundingFactory(agency=row.agency, financial_year=2026)  # another hub
    assert FundingContribution.objects.filter(agency=row.agency).count() == 3


def test_funding_service_refuses_a_duplicate_year_with_a_clear_message():
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    fields = {
        "hub": hub,
        "agency": agency,
        "financial_year": 2026,
        "staff_fte": Decimal("1"),
        "working_pattern": WorkingPattern.REMOTE,
    }
    services.funding_record(amount_gbp=Decimal("10"), **fields)
    with pytest.raises(ValidationError, match="already recorded"):
        services.funding_record(amount_gbp=Decimal("20"), **fields)
    assert FundingContribution.objects.get(hub=hub).amount_gbp == Decimal("10")


def test_funding_cannot_be_negative():
    hub = HubFactory()
    agency = MembershipFactory(hub=hub).agency
    with pytest.raises(ValidationError) as error:
        services.funding_record(
            hub=hub,
            agency=agency,
            financial_year=2026,
            amount_gbp=Decimal("-1"),
            staff_fte=Decimal("1"),
            working_pattern=WorkingPattern.REMOTE,
        )
    assert "cannot be negative" in str(error.value)


@pytest.mark.parametrize(
    ("day", "year", "label"),
    [(date(2026, 3, 31), 2025, "2025–26"), (date(2026, 4, 1), 2026, "2026–27"), (date(2099, 12, 1), 2099, "2099–00")],
)
def test_financial_years_run_april_to_march(day, year, label):
    from agencies.models import financial_year_label, financial_year_of

    assert financial_year_of(day) == year
    assert financial_year_label(year) == label


def test_unknown_referral_source_code_is_refused():
    with pytest.raises(ValidationError, match="Unknown referral-source code: 99"):
        services.agency_create(name="X", slug="x", kind="police", source_codes=["6", "99"])


def test_hub_needs_a_working_day_and_a_sensible_day():
    from datetime import time

    hub = HubFactory()
    with pytest.raises(ValidationError) as error:
        services.hub_update(hub=hub, data={"working_days": [], "working_day_ends": time(8, 0)})
    assert set(error.value.message_dict) >= {"working_days"}
