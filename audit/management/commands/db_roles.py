"""python manage.py db_roles --database owner [--app-role mash_app]

Run as the role that owns the tables (after `migrate --database owner`): creates the application's login role if
it is missing (its password from MASH_APP_DB_PASSWORD) and grants it what the running service needs — every
privilege on ordinary tables, but only SELECT and INSERT on the audit ledger (its partitions included). Idempotent; run it after every migrate.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql

from audit.triggers import TABLES as LEDGER_TABLES


class Command(BaseCommand):
    help = "Create and grant the application's PostgreSQL role (ledger: SELECT and INSERT only)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="owner", help="The owning role's connection (default: owner).")
        parser.add_argument("--app-role", default=os.environ.get("MASH_APP_DB_ROLE", "mash_app"))

    def handle(self, *args, database, app_role, **options):
        if database not in connections.settings:
            raise CommandError(f"no database {database!r}: set DATABASE_OWNER_URL (or pass --database default)")
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("db_roles is for PostgreSQL; SQLite has no roles")
        role = sql.Identifier(app_role)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
            if cursor.fetchone() is None:
                password = os.environ.get("MASH_APP_DB_PASSWORD")
                if not password:
                    raise CommandError(f"role {app_role} does not exist: set MASH_APP_DB_PASSWORD to create it")
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password)))
            db = sql.Identifier(connection.settings_dict["NAME"])
            statements = [
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, role),
                sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
                sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}").format(role),
            ]
            # The ledger's partitions too (audit/partitions.py): reached directly, each table checks its own grants.
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = ANY(%s::regclass[])",
                [list(LEDGER_TABLES)],
            )
            for table in [*LEDGER_TABLES, *(name for (name,) in cursor.fetchall())]:
                statements.append(
                    sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}, PUBLIC").format(sql.Identifier(table), role)
                )
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"role {app_role}: ledger tables SELECT and INSERT only; other tables read and write")
