"""PostgreSQL: audit_auditevent becomes a table partitioned by month of occurred_at (docs/adr/0022). SQLite: nothing.

The partitioned table is created beside the old one with the same columns and defaults (txid's from 0002), a month
partition for every month the existing events span and the next three, and a DEFAULT partition; the events are
copied over, the old table dropped, and the id sequence carried on from where the old one stood. The primary key is
(id, occurred_at) in the database (PostgreSQL requires the partition key in it); Django keeps `id` as the model's
primary key, and the indexes keep the names of the model's Meta.indexes (each created on every partition). The
append-only triggers are installed again (audit/triggers.py), TRUNCATE on each partition too (audit/partitions.py).
Grants are db_roles' (run after every migrate). Not reversible: a partitioned ledger stays partitioned.

The copy rewrites the whole table in one transaction, under an exclusive lock: 1.2 million events took 14 s on
the workplace's two shared cores (~2 minutes per 10 million).
"""

from django.db import migrations
from django.utils import timezone

from audit import partitions
from audit.triggers import POSTGRES

OLD = "audit_auditevent_old"
INDEXES = [
    ("audit_event_txid", "txid, id"),
    ("audit_event_chain_txid", "hub_id, txid"),
    ("audit_event_object", "object_type, object_id"),
    ("audit_event_actor", "actor_type, actor_id"),
    ("audit_event_hub_time", "hub_id, occurred_at"),
]


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor):
            return
        cursor.execute(f"LOCK TABLE {partitions.PARENT} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"ALTER TABLE {partitions.PARENT} RENAME TO {OLD}")
        cursor.execute(
            f"CREATE TABLE {partitions.PARENT} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING STORAGE) "
            "PARTITION BY RANGE (occurred_at)"
        )
        # PostgreSQL 15 has no identity columns on partitioned tables: a sequence the column owns, as serial has.
        cursor.execute("CREATE SEQUENCE audit_auditevent_id_seq_new")
        cursor.execute(
            f"ALTER TABLE {partitions.PARENT} ALTER COLUMN id SET DEFAULT nextval('audit_auditevent_id_seq_new')"
        )
        cursor.execute(f"SELECT pg_get_serial_sequence('{OLD}', 'id')")
        (old_sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")  # noqa: S608
        last_value, is_called = cursor.fetchone()
        cursor.execute("SELECT setval('audit_auditevent_id_seq_new', %s, %s)", [last_value, is_called])
        cursor.execute(f"SELECT min(occurred_at), max(occurred_at) FROM {OLD}")  # noqa: S608
        first, last = cursor.fetchone()
        now = partitions.month_of(timezone.now())
        first = min(partitions.month_of(first), now) if first else now
        last = max(partitions.month_of(last), now) if last else now
        partitions.ensure_months(cursor, first, partitions.add_months(last, 3))
        cursor.execute(f"INSERT INTO {partitions.PARENT} SELECT * FROM {OLD}")  # noqa: S608
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute("ALTER SEQUENCE audit_auditevent_id_seq_new RENAME TO audit_auditevent_id_seq")
        cursor.execute(f"ALTER SEQUENCE audit_auditevent_id_seq OWNED BY {partitions.PARENT}.id")
        cursor.execute(
            f"ALTER TABLE {partitions.PARENT} ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id, occurred_at)"
        )
        for name, columns in INDEXES:
            cursor.execute(f"CREATE INDEX {name} ON {partitions.PARENT} ({columns})")
        for sql in POSTGRES:
            if "audit_auditblock" not in sql:  # the blocks' table is unchanged, its triggers with it
                cursor.execute(sql)


def refuse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise RuntimeError(
            "audit 0004 is not reversible on PostgreSQL: the ledger stays partitioned by month (docs/adr/0022); "
            "restore a backup taken before it to go back"
        )


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("audit", "0003_ledger_checks")]
    operations = [migrations.RunPython(partition, refuse)]
