"""Writing to the ledger: one way in, registered actions only, canonical payloads, and no way to change a row."""

import json

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit import canonical
from audit.context import Actor, acting
from audit.models import AuditEvent
from audit.services import log_read, record
from tests.factories import HubFactory

pytestmark = pytest.mark.django_db


def test_record_stores_the_event_with_its_digest():
    hub = HubFactory()
    with acting(Actor("user", "42", "req-1", "10.1.2.3")):
        event = record("hub.updated", hub=hub, obj=hub, payload={"red_hours": 2, "working_days": [1, 3]})
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.hub_id, event.object_type, event.object_id) == (hub.pk, "agencies.hub", str(hub.pk))
    assert (event.actor_type, event.actor_id, event.request_id, event.client_ip) == ("user", "42", "req-1", "10.1.2.3")
    assert event.payload == '{"red_hours":2,"working_days":[1,3]}'
    assert event.data == {"red_hours": 2, "working_days": [1, 3]}
    expected = canonical.event_digest(
        occurred_at=canonical.timestamp(event.occurred_at),
        hub_id=str(hub.pk),
        actor_type="user",
        actor_id="42",
        actor_agency_id=None,
        action="hub.updated",
        object_type="agencies.hub",
        object_id=str(hub.pk),
        payload=event.payload,
        request_id="req-1",
        client_ip="10.1.2.3",
    )
    assert bytes(event.digest) == expected


def test_unknown_action_and_free_floating_floats_are_refused():
    with pytest.raises(ValueError, match="Unknown audit action"):
        record("referral.teleported")
    with pytest.raises(canonical.NotCanonical):
        record("hub.updated", payload={"red_hours": 0.5})
    assert not AuditEvent.objects.exists()


def test_event_rolls_back_with_the_change_it_describes():
    with pytest.raises(RuntimeError), transaction.atomic():
        record("hub.updated", payload={"red_hours": 1})
        raise RuntimeError("the service failed after auditing")
    assert not AuditEvent.objects.exists()


def test_reads_are_logged_with_the_ids_shown():
    event = log_read("audit_trail.viewed", object_type="audit.auditevent", ids=[3, 1, 2], page=1)
    assert event.data == {"ids": ["3", "1", "2"], "count": 3, "page": 1}
    with pytest.raises(ValueError, match="is not a read"):
        log_read("hub.updated", object_type="x", ids=[1])


def test_orm_refuses_to_change_or_delete_an_event():
    event = record("hub.updated", payload={})
    event.payload = "{}"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET payload = '{\"x\":2}'", "DELETE FROM audit_auditevent"],
)
def test_database_refuses_update_and_delete(statement):
    record("hub.updated", payload={"red_hours": 1})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.get().data == {"red_hours": 1}


def test_queryset_update_and_delete_are_refused_by_the_database():
    record("hub.updated", payload={"red_hours": 1})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="hub.created")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "hub.updated"


def test_request_gets_an_id_and_the_event_carries_it(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.post(
        "/accounts/login/",
        {"username": user.username, "password": "wrong"},
        HTTP_X_REQUEST_ID="trace-abc",
        REMOTE_ADDR="192.0.2.7",
    )
    event = AuditEvent.objects.get(action="user.login_failed")
    assert (event.request_id, event.client_ip, event.actor_type) == ("trace-abc", "192.0.2.7", "anonymous")
    assert json.loads(event.payload) == {"username": user.username}
