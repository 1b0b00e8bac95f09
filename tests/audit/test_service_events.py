"""Every state change of the foundation writes exactly one event with the facts the returns need."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies import services
from agencies.models import Role, RoleAssignment
from audit.context import Actor, acting
from audit.models import AuditEvent
from tests.factories import AgencyFactory, IsaFactory, MembershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def only_new_event(before: int) -> AuditEvent:
    events = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_hub_created():
    before = last_id()
    hub = services.hub_create(name="New hub", slug="new", working_days=[0, 1, 2, 3, 4])
    event = only_new_event(before)
    assert (event.action, event.hub_id, event.object_id) == ("hub.created", hub.pk, str(hub.pk))
    assert event.data["red_hours"] == 4 and event.data["amber_counting"] == "working"


def test_hub_updated_records_what_changed_and_no_change_records_nothing(hub):
    admin = member(hub, Role.HUB_ADMIN)
    before = last_id()
    with acting(Actor("user", str(admin.pk))):
        services.hub_update(hub=hub, data={"red_hours": 2, "amber_hours": 6})
    event = only_new_event(before)
    assert event.action == "hub.updated" and event.data == {"red_hours": 2}
    assert event.actor_id == str(admin.pk)
    before = last_id()
    services.hub_update(hub=hub, data={"red_hours": 2})
    assert last_id() == before


def test_failed_update_records_nothing(hub):
    before = last_id()
    with pytest.raises(Exception):  # noqa: B017 - ValidationError; the point is that nothing is recorded
        services.hub_update(hub=hub, data={"red_hours": 0})
    assert last_id() == before


def test_agency_created_and_updated():
    before = last_id()
    agency = services.agency_create(name="Police", slug="police", kind="police", source_codes=["6"])
    assert only_new_event(before).data == {"kind": "police", "source_codes": ["6"]}
    before = last_id()
    services.agency_update(agency=agency, data={"source_codes": ["6", "7"]})
    event = only_new_event(before)
    assert event.action == "agency.updated" and event.data == {"source_codes": ["6", "7"]}


def test_membership_set_once_per_real_change(hub):
    agency = AgencyFactory()
    before = last_id()
    services.membership_set(hub=hub, agency=agency, kind="core")
    event = only_new_event(before)
    assert event.data == {"agency_id": str(agency.pk), "kind": "core", "previous_kind": None}
    before = last_id()
    services.membership_set(hub=hub, agency=agency, kind="core")
    assert last_id() == before
    services.membership_set(hub=hub, agency=agency, kind="contributing")
    assert only_new_event(before).data["previous_kind"] == "core"


def test_role_granted_changed_and_revoked_carry_the_actor_agency(hub):
    agency = MembershipFactory(hub=hub).agency
    officer_admin = member(hub, Role.HUB_ADMIN)
    RoleAssignment.objects.filter(user=officer_admin).update(agency=None)
    user = UserFactory()
    before = last_id()
    services.role_grant(hub=hub, user=user, role=Role.AGENCY_OFFICER, agency=agency)
    event = only_new_event(before)
    assert event.action == "role.granted"
    assert event.data == {
        "user_id": str(user.pk),
        "role": "agency_officer",
        "agency_id": str(agency.pk),
        "delegation_starts": None,
        "delegation_ends": None,
        "granted_by": None,  # given by the service itself (no person): the demo, a command
    }
    # An officer acting in the hub is recorded with their agency.
    with acting(Actor("user", str(user.pk))):
        before = last_id()
        services.hub_update(hub=hub, data={"green_hours": 7})
    assert only_new_event(before).actor_agency_id == agency.pk

    now = timezone.now()
    deputy = member(hub, Role.DEPUTY, delegation_starts=now, delegation_ends=now + timedelta(days=1))
    assignment = RoleAssignment.objects.get(user=deputy)
    before = last_id()
    services.role_change_delegation(
        assignment=assignment, delegation_starts=now, delegation_ends=now + timedelta(days=3)
    )
    assert only_new_event(before).action == "role.changed"
    before = last_id()
    services.role_revoke(assignment=RoleAssignment.objects.get(user=user))
    event = only_new_event(before)
    assert event.action == "role.revoked" and event.data["role"] == "agency_officer"


def test_documents_published_and_signed(hub):
    agency = MembershipFactory(hub=hub).agency
    before = last_id()
    isa = services.document_create(hub=hub, kind="isa", title="ISA")
    assert only_new_event(before).data == {"kind": "isa"}
    today = timezone.localdate()
    before = last_id()
    version = services.document_version_publish(
        document=isa, effective_from=today, review_due=today + timedelta(days=365), text="Agreed"
    )
    assert only_new_event(before).data == {
        "document_id": str(isa.pk),
        "kind": "isa",
        "number": 1,
        "effective_from": today.isoformat(),
        "review_due": (today + timedelta(days=365)).isoformat(),
        "has_file": False,
    }
    admin = member(hub, Role.HUB_ADMIN)
    before = last_id()
    signature = services.agreement_sign(
        version=version, agency=agency, signatory_name="A", signatory_role="B", signed_on=today, by=admin
    )
    event = only_new_event(before)
    assert (event.action, event.object_id) == ("agreement.signed", str(signature.pk))
    assert event.data == {
        "agency_id": str(agency.pk),
        "document_id": str(isa.pk),
        "kind": "isa",
        "version": 1,
        "signed_on": today.isoformat(),
    }
    assert IsaFactory._meta.model.objects.count() == 1


def test_funding_recorded_then_changed(hub):
    agency = MembershipFactory(hub=hub).agency
    before = last_id()
    row = services.funding_record(
        hub=hub,
        agency=agency,
        financial_year=2026,
        amount_gbp=Decimal("1000.50"),
        staff_fte=Decimal("2.5"),
        working_pattern="hybrid",
    )
    event = only_new_event(before)
    assert event.action == "funding.recorded"
    assert event.data == {
        "agency_id": str(agency.pk),
        "financial_year": 2026,
        "amount_gbp": "1000.50",
        "staff_fte": "2.5",
        "working_pattern": "hybrid",
    }
    before = last_id()
    services.funding_record(
        hub=hub,
        agency=agency,
        financial_year=2026,
        amount_gbp=Decimal("2000"),
        staff_fte=Decimal("2.5"),
        working_pattern="hybrid",
        contribution=row,
    )
    assert only_new_event(before).action == "funding.changed"


PASSWORD = "correct horse battery staple"


def test_sign_in_sign_out_failure_and_lockout_are_recorded(client, hub):
    user = member(hub, Role.PRACTITIONER)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.post("/accounts/logout/")
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    actions = list(AuditEvent.objects.filter(object_type="auth.user").order_by("id").values_list("action", flat=True))
    assert actions[:2] == ["user.logged_in", "user.logged_out"]
    assert actions.count("user.login_failed") == 5
    assert actions.count("user.locked_out") == 1
    logged_in = AuditEvent.objects.get(action="user.logged_in")
    assert (logged_in.actor_type, logged_in.actor_id, logged_in.object_id) == ("user", str(user.pk), str(user.pk))


def test_web_edit_writes_one_event_as_the_signed_in_user(client, hub):
    admin = member(hub, Role.HUB_ADMIN)
    client.force_login(admin)
    before = last_id()
    client.post(
        f"/hubs/{hub.id}/funding/add/",
        {
            "agency": MembershipFactory(hub=hub).agency.pk,
            "financial_year": "2026",
            "amount_gbp": "10",
            "staff_fte": "1",
            "working_pattern": "remote",
        },
    )
    events = list(AuditEvent.objects.filter(id__gt=before, action="funding.recorded"))
    assert len(events) == 1 and events[0].actor_id == str(admin.pk) and events[0].request_id
