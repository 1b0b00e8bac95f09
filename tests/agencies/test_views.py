"""Hub pages as each person would use them: what they can reach, what they can change, and what bad input does."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from agencies import services
from agencies.access import access_for
from agencies.models import AgencyKind, FundingContribution, Hub, Role, RoleAssignment, Signature
from agencies.policy import Action, may
from referrals.models import Referral
from tests.dates import typed_date
from tests.factories import HubFactory, IsaFactory, MembershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_inactive_user_may_do_nothing(client, hub):
    admin = member(hub, Role.HUB_ADMIN)
    admin.is_active = False
    admin.save()
    with pytest.raises(Http404):
        access_for(admin, hub.pk)


@pytest.mark.parametrize("page", ["hub-profile", "hub-agencies", "hub-agreements", "hub-funding", "hub-people"])
@pytest.mark.parametrize("role", list(Role))
def test_every_member_reads_the_hub_pages(client, hub, role, page):
    response = _login(client, member(hub, role)).get(
        f"/hubs/{hub.id}/" + ("" if page == "hub-profile" else page.removeprefix("hub-") + "/")
    )
    assert response.status_code == 200
    assert "Northshire MASH" in response.content.decode()


@pytest.mark.parametrize("page", ["", "agencies/", "agreements/", "funding/", "people/", "edit/"])
def test_a_hub_outside_your_roles_is_not_found(client, hub, page):
    outsider = member(HubFactory(), Role.HUB_ADMIN)
    response = _login(client, outsider).get(f"/hubs/{hub.id}/{page}")
    assert response.status_code == 404
    assert "Northshire MASH" not in response.content.decode()


CONFIG_PAGES = ["edit/", "agencies/add/", "funding/add/", "people/add/"]


@pytest.mark.parametrize("role", [Role.STRATEGIC_LEAD, Role.AGENCY_OFFICER, Role.PRACTITIONER, Role.MANAGER])
@pytest.mark.parametrize("page", CONFIG_PAGES)
def test_non_administrators_cannot_reach_configuration_edits(client, hub, role, page):
    """Members of the hub are told why (403, with the reason); nothing changes."""
    _login(client, member(hub, role))
    get = client.get(f"/hubs/{hub.id}/{page}")
    assert get.status_code == 403 and "Only the hub&#x27;s administrators" in get.content.decode()
    assert client.post(f"/hubs/{hub.id}/{page}", {"name": "Renamed"}).status_code == 403
    assert Hub.objects.get(pk=hub.pk).name == "Northshire MASH"


@pytest.mark.parametrize("role", [Role.STRATEGIC_LEAD, Role.AGENCY_OFFICER, Role.PRACTITIONER, Role.MANAGER])
def test_non_administrators_cannot_reach_django_admin(client, hub, role):
    _login(client, member(hub, role))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(f"/admin/agencies/hub/{hub.id}/change/").status_code == 302


def _hub_form(hub, **changes):
    data = {
        "name": hub.name,
        "area": "North",
        "cohorts": "both",
        "working_day_starts": "08:30",
        "working_day_ends": "17:30",
        "working_days": ["0", "1", "2", "3", "4"],
        "immediate_risk_hours": "1",
        "red_hours": "4",
        "red_counting": "clock",
        "amber_hours": "24",
        "amber_counting": "working",
        "green_hours": "72",
        "green_counting": "working",
        "red_partner_hours": "2",
        "amber_partner_hours": "6",
        "green_partner_hours": "24",
        "decision_working_days": "9",
        "warn_at_percent": "75",
        "late_referral_days": "30",
        "strategy_discussion_hours": "72",
        "handover_ack_hours": "4",
    }
    data.update(changes)
    return data


def test_hub_administrator_edits_their_hub(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(
        f"/hubs/{hub.id}/edit/", _hub_form(hub, red_hours="2", working_days=["0", "1", "2", "3", "4", "5"])
    )
    assert response.status_code == 302
    hub.refresh_from_db()
    assert hub.red_hours == 2 and hub.working_days == [0, 1, 2, 3, 4, 5]
    assert "Saturday" in client.get(f"/hubs/{hub.id}/").content.decode()


def test_hub_administrator_sets_how_late_a_referral_may_be(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    form = client.get(f"/hubs/{hub.id}/edit/").content.decode()
    assert "Late referrals: days back a time received may be" in form
    assert client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, late_referral_days="60")).status_code == 302
    hub.refresh_from_db()
    assert hub.late_referral_days == 60
    assert "received up to 60 days ago" in client.get(f"/hubs/{hub.id}/").content.decode()
    page = client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, late_referral_days="400")).content.decode()
    assert 'href="#id_late_referral_days">Enter a number of days from 1 to 365' in page  # the summary links the field
    hub.refresh_from_db()
    assert hub.late_referral_days == 60


def test_hub_administrator_sets_the_hours_for_a_strategy_discussion(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    assert hub.strategy_discussion_hours == 72  # three days, as local procedures commonly ask
    assert "Strategy discussion: clock hours after a Red rating" in client.get(f"/hubs/{hub.id}/edit/").content.decode()
    assert client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, strategy_discussion_hours="24")).status_code == 302
    hub.refresh_from_db()
    assert hub.strategy_discussion_hours == 24
    assert "strategy discussion within 24 clock hours" in client.get(f"/hubs/{hub.id}/").content.decode()
    page = client.post(f"/hubs/{hub.id}/edit/", _hub_form(hub, strategy_discussion_hours="721")).content.decode()
    assert 'href="#id_strategy_discussion_hours">Enter a number of hours from 1 to 720' in page
    hub.refresh_from_db()
    assert hub.strategy_discussion_hours == 24


def test_hub_administrator_of_hub_a_cannot_edit_hub_b(client, hub):
    hub_b = HubFactory(name="Southshire MASH")
    _login(client, member(hub, Role.HUB_ADMIN))
    assert client.get(f"/hubs/{hub_b.id}/edit/").status_code == 404
    assert client.post(f"/hubs/{hub_b.id}/edit/", _hub_form(hub_b, name="Taken over")).status_code == 404
    assert Hub.objects.get(pk=hub_b.pk).name == "Southshire MASH"
    # Nor through the Django admin, not even by its id.
    assert client.get(f"/admin/agencies/hub/{hub_b.id}/change/").status_code in (302, 404)
    assert client.post(f"/admin/agencies/hub/{hub_b.id}/change/", {"name": "Taken over"}).status_code in (302, 403, 404)
    assert Hub.objects.get(pk=hub_b.pk).name == "Southshire MASH"
    listing = client.get("/admin/agencies/hub/")
    assert listing.status_code == 200
    assert "Northshire MASH" in listing.content.decode() and "Southshire MASH" not in listing.content.decode()


def test_bad_hub_input_shows_each_error_and_changes_nothing(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(
        f"/hubs/{hub.id}/edit/",
        _hub_form(hub, name="", red_hours="0", working_days=[], working_day_ends="07:00"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_name"' in page and 'href="#id_working_days_0"' in page
    assert "Choose at least one working day" in page
    assert "govuk-input--error" in page
    hub.refresh_from_db()
    assert hub.name == "Northshire MASH" and hub.red_hours == 4


def test_working_day_must_end_after_it_starts(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(
        f"/hubs/{hub.id}/edit/", _hub_form(hub, working_day_starts="18:00", working_day_ends="09:00")
    )
    assert "The working day must end after it starts" in response.content.decode()
    hub.refresh_from_db()
    assert hub.working_day_starts.hour == 9


def test_administrator_records_funding_and_a_duplicate_year_is_explained(client, hub):
    agency = MembershipFactory(hub=hub).agency
    _login(client, member(hub, Role.HUB_ADMIN))
    data = {
        "agency": agency.pk,
        "financial_year": "2026",
        "amount_gbp": "1200.50",
        "staff_fte": "2.5",
        "working_pattern": "hybrid",
    }
    assert client.post(f"/hubs/{hub.id}/funding/add/", data).status_code == 302
    again = client.post(f"/hubs/{hub.id}/funding/add/", {**data, "amount_gbp": "99"})
    assert again.status_code == 200
    assert "already recorded" in again.content.decode()
    assert FundingContribution.objects.get(hub=hub).amount_gbp == Decimal("1200.50")
    page = client.get(f"/hubs/{hub.id}/funding/").content.decode()
    assert "2026–27" in page and "£1,200.50" in page and "Hybrid" in page
    assert ">2.5<" in page  # full-time equivalents without trailing zeros


def test_money_and_staff_read_as_people_write_them():
    from mash.words import day, fte, money

    assert (money("1365000.00"), money(Decimal("1200.5")), money(None)) == ("£1,365,000", "£1,200.50", None)
    assert (fte("24.50"), fte("3.00"), fte("0.25")) == ("24.5", "3", "0.25")
    assert (day("2026-11-15"), day(date(2026, 7, 4)), day("not a date"), day(None)) == (
        "15 November 2026",
        "4 July 2026",
        "not a date",
        None,
    )


def test_administrator_changes_a_funding_row(client, hub):
    agency = MembershipFactory(hub=hub).agency
    row = services.funding_record(
        hub=hub,
        agency=agency,
        financial_year=2026,
        amount_gbp=Decimal("1"),
        staff_fte=Decimal("1"),
        working_pattern="remote",
    )
    _login(client, member(hub, Role.HUB_ADMIN))
    data = {
        "agency": agency.pk,
        "financial_year": "2026",
        "amount_gbp": "5000",
        "staff_fte": "3",
        "working_pattern": "co_located",
    }
    assert client.post(f"/hubs/{hub.id}/funding/{row.id}/", data).status_code == 302
    row.refresh_from_db()
    assert row.amount_gbp == Decimal("5000") and row.working_pattern == "co_located"


def test_administrator_publishes_a_version_and_records_a_signature(client, hub):
    agency = MembershipFactory(hub=hub).agency
    isa = IsaFactory(hub=hub)
    admin = member(hub, Role.HUB_ADMIN)
    _login(client, admin)
    today = timezone.localdate()
    response = client.post(
        f"/hubs/{hub.id}/agreements/{isa.id}/versions/",
        {
            **typed_date("effective_from", today),
            **typed_date("review_due", today + timedelta(days=365)),
            "text": "We agree.",
        },
    )
    assert response.status_code == 302
    version = isa.versions.get()
    response = client.post(
        f"/hubs/{hub.id}/agreements/versions/{version.id}/signatures/",
        {
            "agency": agency.pk,
            "signatory_name": "Jo Bloggs",
            "signatory_role": "Director",
            **typed_date("signed_on", today),
        },
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.agency, signature.recorded_by, signature.signatory_name) == (agency, admin, "Jo Bloggs")
    assert "Signed, current" in client.get(f"/hubs/{hub.id}/agencies/").content.decode()


def test_a_version_needs_text_or_a_file(client, hub):
    isa = IsaFactory(hub=hub)
    _login(client, member(hub, Role.HUB_ADMIN))
    today = timezone.localdate()
    response = client.post(
        f"/hubs/{hub.id}/agreements/{isa.id}/versions/",
        {**typed_date("effective_from", today), **typed_date("review_due", today + timedelta(days=30)), "text": ""},
    )
    assert "Enter the document&#x27;s text or upload a file" in response.content.decode()
    assert not isa.versions.exists()


def test_administrator_gives_and_removes_a_role(client, hub):
    admin = member(hub, Role.HUB_ADMIN)
    _login(client, admin)
    newcomer = UserFactory(username="new.person")
    assert (
        client.post(f"/hubs/{hub.id}/people/add/", {"username": "new.person", "role": "practitioner"}).status_code
        == 302
    )
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert assignment.granted_by == admin  # who gave the role is kept with it
    assert may(access_for(newcomer, hub.pk), Action.REFERRAL_VIEW, Referral(hub=hub))
    assert client.post(f"/hubs/{hub.id}/people/{assignment.id}/revoke/").status_code == 302
    with pytest.raises(Http404):
        access_for(newcomer, hub.pk)


def test_second_manager_through_the_page_is_refused_with_the_reason(client, hub):
    member(hub, Role.MANAGER)
    _login(client, member(hub, Role.HUB_ADMIN))
    UserFactory(username="would.be")
    response = client.post(f"/hubs/{hub.id}/people/add/", {"username": "would.be", "role": "manager"})
    assert response.status_code == 200
    assert "already has an accountable manager" in response.content.decode()
    assert RoleAssignment.objects.filter(hub=hub, role=Role.MANAGER).count() == 1


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"role": "agency_officer"}, "agency", "Choose the agency this officer belongs to"),
        ({"role": "deputy"}, "delegation_starts", "Enter when the deputy starts acting for the manager"),
        (
            {"role": "deputy", "delegation_starts": "2026-12-01T09:00", "delegation_ends": "2026-11-01T09:00"},
            "delegation_ends",
            "The delegation must end after it starts",
        ),
        (
            {"role": "practitioner", "delegation_ends": "2026-11-01T09:00"},
            "delegation_ends",
            "Only a deputy manager has a delegation period",
        ),
    ],
)
def test_a_role_missing_what_it_needs_names_the_field_to_change(client, hub, extra, field, message):
    _login(client, member(hub, Role.HUB_ADMIN))
    UserFactory(username="would.be")
    response = client.post(f"/hubs/{hub.id}/people/add/", {"username": "would.be", **extra})
    page = response.content.decode()
    assert response.status_code == 200
    # The summary links to the field, and the message stands by the field itself.
    assert f'href="#id_{field}"' in page and f'id="id_{field}-error"' in page
    assert message in page
    assert not RoleAssignment.objects.filter(user__username="would.be").exists()


def test_conditional_role_fields_say_whom_they_are_for_not_optional(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    page = client.get(f"/hubs/{hub.id}/people/add/").content.decode()
    assert "Agency officers only" in page and "Deputy managers only" in page
    assert "(optional)" not in page


def test_unknown_username_is_refused(client, hub):
    _login(client, member(hub, Role.HUB_ADMIN))
    response = client.post(f"/hubs/{hub.id}/people/add/", {"username": "nobody", "role": "practitioner"})
    assert "There is no active account with this username" in response.content.decode()


def test_home_page_speaks_to_each_role(client, hub):
    officer = member(hub, Role.AGENCY_OFFICER)
    page = _login(client, officer).get("/").content.decode()
    assert "Agency officer for" in page and "Northshire MASH" in page
    assert f"/hubs/{hub.id}/requests/" in page and "Requests for information to" in page  # their day's work
    assert "Cases handed to your agency" not in page  # only social care is handed cases
    client.logout()
    care = MembershipFactory(hub=hub, agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE).agency
    page = _login(client, member(hub, Role.AGENCY_OFFICER, agency=care)).get("/").content.decode()
    assert f'href="/hubs/{hub.id}/handovers/">Cases handed to your agency' in page
    client.logout()
    page = _login(client, member(hub, Role.HUB_ADMIN)).get("/").content.decode()
    assert "Change the hub profile and timescales" in page


def test_hub_without_manager_is_flagged(client, hub):
    page = _login(client, member(hub, Role.PRACTITIONER)).get(f"/hubs/{hub.id}/").content.decode()
    assert "This hub has no accountable manager" in page


def test_agencies_page_query_count_does_not_grow_with_agencies(client, hub, django_assert_max_num_queries):
    for _ in range(6):
        MembershipFactory(hub=hub)
    _login(client, member(hub, Role.PRACTITIONER))
    # session, user, the two-factor check (the roles needing it), hub scope, permission check (2), navigation
    # roles, documents, versions, signatures, memberships, plus session save: a fixed number whatever the agencies.
    with django_assert_max_num_queries(17) as captured:
        assert client.get(f"/hubs/{hub.id}/agencies/").status_code == 200
    few = len(captured.captured_queries)
    for _ in range(6):
        MembershipFactory(hub=hub)
    with django_assert_max_num_queries(few):
        assert client.get(f"/hubs/{hub.id}/agencies/").status_code == 200


def test_funding_page_query_count_does_not_grow_with_rows(client, hub, django_assert_max_num_queries):
    for _ in range(3):
        services.funding_record(
            hub=hub,
            agency=MembershipFactory(hub=hub).agency,
            financial_year=2026,
            amount_gbp=Decimal("1"),
            staff_fte=Decimal("1"),
            working_pattern="remote",
        )
    _login(client, member(hub, Role.STRATEGIC_LEAD))
    # session, user, the two-factor check, hub scope, permission check (2), funding rows with agencies, navigation
    # roles, session save
    with django_assert_max_num_queries(13) as captured:
        client.get(f"/hubs/{hub.id}/funding/")
    few = len(captured.captured_queries)
    for _ in range(5):
        services.funding_record(
            hub=hub,
            agency=MembershipFactory(hub=hub).agency,
            financial_year=2027,
            amount_gbp=Decimal("1"),
            staff_fte=Decimal("1"),
            working_pattern="remote",
        )
    with django_assert_max_num_queries(few):
        client.get(f"/hubs/{hub.id}/funding/")


def test_officer_of_an_agency_without_a_current_agreement_is_told_which_is_missing(client, hub):
    isa = IsaFactory(hub=hub, title="Northshire ISA")
    today = timezone.localdate()
    services.document_version_publish(
        document=isa, effective_from=today, review_due=today + timedelta(days=365), text="We agree."
    )
    officer = member(hub, Role.AGENCY_OFFICER)
    page = _login(client, officer).get("/").content.decode()
    assert "cannot see or share case data in this hub" in page
    assert "has not signed Northshire ISA (version 1)" in page
