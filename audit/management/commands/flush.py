"""`flush`, which would empty the append-only ledger: refused unless settings.AUDIT_ALLOW_FLUSH (tests only).

Django's test runner flushes the database between transactional tests; the ledger's triggers refuse that, so the
test settings allow it here, and only here: on PostgreSQL in replica mode (which does not fire the triggers, and
needs a superuser), on SQLite by lifting the triggers for the length of the flush.
"""

from django.conf import settings
from django.core.management import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from audit import triggers


class Command(DjangoFlush):
    def handle(self, **options):
        if not getattr(settings, "AUDIT_ALLOW_FLUSH", False):
            raise CommandError("flush would empty the append-only audit ledger; it is refused outside the tests")
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = DEFAULT")
        with connection.cursor() as cursor:
            for table in triggers.TABLES:
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for sql in triggers.SQLITE:
                    cursor.execute(sql)
