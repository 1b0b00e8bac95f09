"""PostgreSQL: the ledger's events partitioned by month (docs/adr/0022, audit/partitions.py) — each event in its
month's partition, partitions made ahead idempotently, the ledger still append-only through the parent and each
partition, sealing and checks unchanged across a month's end, and a return's month read from one partition."""

import re
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction

from audit import ledger_checks, partitions
from audit.models import AuditBlock, AuditEvent
from audit.services import seal
from audit.tasks import partitions_ensure
from audit.verify import verify
from reports.ledger import MONTH_ACTIONS, month_bounds
from tests.audit.test_postgres_ledger import APP_ROLE, _conninfo, app_role  # noqa: F401 - the fixture
from tests.audit.test_seal_verify import _events
from tests.factories import HubFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _fetch(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _seal_all():
    """Seal until every event is: the horizon is the oldest transaction running on the whole server, which another
    database's work may hold back for a moment."""
    deadline = time.monotonic() + 60
    while sum(AuditBlock.objects.values_list("event_count", flat=True)) < AuditEvent.objects.count():
        assert time.monotonic() < deadline, "a transaction on the server held the seal horizon back for a minute"
        seal() or time.sleep(0.2)


def _partition_of(event_id) -> str:
    [(name,)] = _fetch("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event_id])
    return name


def test_after_migrate_the_events_table_is_partitioned_by_occurred_at_with_a_default():
    [(strategy,)] = _fetch("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'audit_auditevent'::regclass")
    assert strategy == "r"  # by range
    with connection.cursor() as cursor:
        names = partitions.partitions(cursor)
    this_month = partitions.month_of(datetime.now(UTC))
    assert partitions.DEFAULT in names
    assert {partitions.partition_name(partitions.add_months(this_month, n)) for n in range(4)} <= set(names)
    # Django's primary key is `id`; the database's includes the partition key, and the id sequence goes on.
    [(key,)] = _fetch("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'audit_auditevent_pkey'")
    assert key == "PRIMARY KEY (id, occurred_at)"
    assert _fetch("SELECT pg_get_serial_sequence('audit_auditevent', 'id')") == [("public.audit_auditevent_id_seq",)]


def test_an_event_lands_in_its_months_partition_and_one_of_no_month_in_the_default():
    hub = HubFactory()
    [now] = _events(hub, 1)
    assert _partition_of(now.id) == partitions.partition_name(partitions.month_of(now.occurred_at))
    with time_machine.travel(datetime(2001, 5, 31, 23, 30, tzinfo=UTC)):  # 1 June 00:30 in London
        [old] = _events(hub, 1)
    assert _partition_of(old.id) == partitions.DEFAULT
    assert old.id > now.id and AuditEvent.objects.get(pk=old.id).occurred_at == old.occurred_at


def test_ensure_creates_months_ahead_once_and_moves_events_out_of_the_default():
    hub = HubFactory()
    with time_machine.travel(datetime(2001, 6, 15, tzinfo=UTC)):
        early = _events(hub, 3)
    with time_machine.travel(datetime(2001, 9, 15, tzinfo=UTC)):
        late = _events(hub, 2)
    result = partitions.partitions_ensure(2, now=datetime(2001, 6, 1, 12, tzinfo=UTC))
    assert result.created == [f"audit_auditevent_y2001m{m:02d}" for m in (6, 7, 8)]
    assert result.moved_from_default == 3 and result.default_rows == 2  # September's: no partition yet
    assert {_partition_of(e.id) for e in early} == {"audit_auditevent_y2001m06"}
    assert {_partition_of(e.id) for e in late} == {partitions.DEFAULT}
    again = partitions.partitions_ensure(2, now=datetime(2001, 6, 1, 12, tzinfo=UTC))
    assert again.created == [] and again.moved_from_default == 0
    # A partition made later is append-only too, and the moved events still verify.
    triggers = _fetch("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent_y2001m06'::regclass ORDER BY 1")
    assert triggers == [("audit_auditevent_append_only",), ("audit_auditevent_y2001m06_no_truncate",)]
    _seal_all()
    assert verify().intact


def test_the_beat_task_ensures_the_current_month_and_three_ahead():
    assert partitions_ensure() == []  # migrate made them
    assert settings.CELERY_BEAT_SCHEDULE["audit-partitions"]["task"] == "audit.tasks.partitions_ensure"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET payload = '{{}}'",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
    ],
)
@pytest.mark.parametrize("table", ["audit_auditevent", "this month's partition", partitions.DEFAULT])
def test_update_delete_and_truncate_are_refused_on_the_parent_and_on_each_partition(statement, table):
    hub = HubFactory()
    [event] = _events(hub, 1)
    with time_machine.travel(datetime(2001, 1, 1, tzinfo=UTC)):
        _events(hub, 1)  # in the default partition
    if table == "this month's partition":
        table = _partition_of(event.id)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table))
    assert AuditEvent.objects.filter(hub_id=hub.pk).count() == 3  # hub_create's, and the two


def test_seal_verify_and_the_incremental_check_pass_across_a_months_end():
    hub = HubFactory()
    start, _ = month_bounds(date.today().replace(day=1))
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        before = _events(hub, 3)
        _seal_all()
    assert ledger_checks.check(hub=hub).intact
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        after = _events(hub, 2)
    _seal_all()
    assert _partition_of(before[0].id) != _partition_of(after[0].id)
    report = ledger_checks.check(hub=hub)
    assert report.intact and report.events == 2, report.summary()
    full = verify()
    assert full.intact and full.events == AuditEvent.objects.count() == sum(
        AuditBlock.objects.values_list("event_count", flat=True)
    )


def test_a_returns_read_of_one_month_touches_only_that_months_partition():
    hub = HubFactory()
    month = date.today().replace(day=1)
    start, end = month_bounds(month)
    queryset = AuditEvent.objects.filter(
        hub_id=hub.pk, occurred_at__gte=start, occurred_at__lt=end, action__in=[a.value for a in MONTH_ACTIONS]
    )
    plan = queryset.explain()
    touched = set(re.findall(r"audit_auditevent_(?:y\d{4}m\d{2}|default)(?!\w)", plan))
    assert touched == {partitions.partition_name(month)}, plan


@pytest.mark.usefixtures("app_role")
def test_the_application_role_may_not_change_a_partition_directly_but_reads_through_the_parent():
    hub = HubFactory()
    [event] = _events(hub, 1)
    partition = _partition_of(event.id)
    with psycopg.connect(_conninfo(user=APP_ROLE, password="test-only-password")) as app:
        for verb in ("UPDATE {} SET payload = '{{}}'", "DELETE FROM {}", "TRUNCATE {}"):
            statement = verb.format(partition)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                app.execute(statement)
            app.rollback()
        assert app.execute("SELECT count(*) FROM audit_auditevent WHERE hub_id = %s", [hub.pk]).fetchone()[0] == 2
