"""The ledger is append-only in the database itself.

PostgreSQL: UPDATE, DELETE and TRUNCATE raise (rows and statements), and each event takes its inserting
transaction's id, which bounds the sealed blocks. SQLite: UPDATE and DELETE abort. A later migration that rebuilds
either table on SQLite must create these triggers again (SQLite drops them with the table).
"""

from django.db import migrations

from audit.triggers import POSTGRES, SQLITE, TABLES


def install(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
        schema_editor.execute("ALTER TABLE audit_auditevent ALTER COLUMN txid SET DEFAULT 0")
    else:
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
