"""On PostgreSQL: the driver is psycopg 3 and the one-manager rule holds under concurrent writers."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from agencies.models import Role, RoleAssignment
from tests.factories import HubFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_driver_is_psycopg_3_with_persistent_connections():
    assert connection.Database.__name__ == "psycopg"
    assert connection.Database.__version__.startswith("3.")
    assert connection.settings_dict["CONN_MAX_AGE"] > 0


def test_one_manager_index_is_partial_unique():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'one_accountable_manager_per_hub'")
        (definition,) = cursor.fetchone()
    assert "UNIQUE" in definition and "WHERE" in definition and "manager" in definition


def test_two_managers_appointed_at_once_leave_exactly_one():
    """Both inserts are in flight together; the second waits on the first's index entry, then is refused."""
    hub = HubFactory()
    users = [UserFactory(), UserFactory()]
    started = threading.Barrier(2)
    outcomes = []

    def appoint(user):
        try:
            started.wait(timeout=10)
            with transaction.atomic():
                RoleAssignment.objects.create(hub=hub, user=user, role=Role.MANAGER)
                time.sleep(0.5)  # hold the transaction open so the other insert arrives before this commits
            outcomes.append("appointed")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=appoint, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["appointed", "refused"]
    assert RoleAssignment.objects.filter(hub=hub, role=Role.MANAGER).count() == 1
