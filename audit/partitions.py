"""PostgreSQL: the ledger's events partitioned by month (docs/adr/0022); SQLite has one table and nothing to do.

`audit_auditevent` is partitioned by range of `occurred_at`, one partition per month of the service's time zone
(settings.TIME_ZONE: a return's month, reports/ledger.py, so a hub-month's read prunes to one partition), named
`audit_auditevent_yYYYYmMM`, and a DEFAULT partition (`audit_auditevent_default`) that takes any event no month
partition holds, so no insert is ever refused for want of a partition. `ensure` creates the current month's and
the next months' partitions ahead (beat, daily; migration 0004); the default stays empty as long as it runs.

Row triggers (UPDATE, DELETE refused) are declared once on the partitioned table and PostgreSQL clones them onto
every partition; TRUNCATE statement triggers are not cloned, so each partition gets its own here.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

PARENT = "audit_auditevent"
DEFAULT = f"{PARENT}_default"


@dataclass
class Ensured:
    created: list[str] = field(default_factory=list)
    moved_from_default: int = 0  # events found in the default partition for a month now created, moved into it
    default_rows: int = 0  # events left in the default partition (outside every month partition): should be 0


def partition_name(month: date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_of(instant: datetime) -> date:
    local = instant.astimezone(ZoneInfo(settings.TIME_ZONE))
    return date(local.year, local.month, 1)


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [PARENT])
    return cursor.fetchone() is not None


def partitions(cursor) -> list[str]:
    """The parent's partitions by name (the default among them), oldest first."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
        [PARENT],
    )
    return [name for (name,) in cursor.fetchall()]


def _no_truncate(cursor, table: str) -> None:
    cursor.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
    )


def create_default(cursor) -> None:
    cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {PARENT} DEFAULT")
    _no_truncate(cursor, DEFAULT)


def create_month(cursor, month: date) -> int:
    """The month's partition, created; returns how many events it took over from the default partition (0 unless
    `ensure` had not run ahead). PostgreSQL refuses to create a partition whose range has rows in the default one:
    then the default is detached, a new one attached, and its rows inserted again through the parent, which places
    them in the new month (and the rest back in the new default); the old default table is dropped, the whole in
    one transaction (the parent locked meanwhile). No event is deleted: each is moved, as it was."""
    name, start, end = partition_name(month), month_start(month), month_start(add_months(month, 1))
    cursor.execute(f"SELECT count(*) FROM {DEFAULT} WHERE occurred_at >= %s AND occurred_at < %s", [start, end])  # noqa: S608
    stray = cursor.fetchone()[0]
    if stray:
        cursor.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT}")
        cursor.execute(f"ALTER TABLE {DEFAULT} RENAME TO {DEFAULT}_moving")
        create_default(cursor)
    cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM (%s) TO (%s)", [start, end])
    _no_truncate(cursor, name)
    if stray:
        cursor.execute(f"INSERT INTO {PARENT} SELECT * FROM {DEFAULT}_moving")  # noqa: S608
        cursor.execute(f"DROP TABLE {DEFAULT}_moving")
    return stray


def ensure_months(cursor, first: date, last: date) -> Ensured:
    """Every month's partition from `first` to `last` inclusive, and the default; those missing created."""
    result = Ensured()
    existing = set(partitions(cursor))
    if DEFAULT not in existing:
        create_default(cursor)
    month = first
    while month <= last:
        if partition_name(month) not in existing:
            result.moved_from_default += create_month(cursor, month)
            result.created.append(partition_name(month))
        month = add_months(month, 1)
    cursor.execute(f"SELECT count(*) FROM {DEFAULT}")  # noqa: S608
    result.default_rows = cursor.fetchone()[0]
    return result


def partitions_ensure(months_ahead: int = 3, *, using: str | None = None, now: datetime | None = None) -> Ensured:
    """The current month's partition and the next `months_ahead` months', created if missing (idempotent). Runs as
    the role that owns the table (the `owner` database when configured: only the owner may add partitions). On
    SQLite, or before migration 0004, nothing to do."""
    using = using or ("owner" if "owner" in connections.settings else "default")
    connection = connections[using]
    if connection.vendor != "postgresql":
        return Ensured()
    current = month_of(now or timezone.now())
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return Ensured()
        return ensure_months(cursor, current, add_months(current, months_ahead))
